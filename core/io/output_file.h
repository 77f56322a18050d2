// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"

#include <string>
#include <string_view>

namespace memscope {

// Writes `data` to `path` whole or not at all: into a temporary file beside
// it, renamed over `path` only once every byte is written and the file is
// closed. On any failure (a full disk, a file size limit, no permission) the
// temporary is removed, `path` is left as it was, and the error says why.
// A path that exists and is not a regular file (a device such as /dev/full, a
// pipe, a terminal) is written in place, and nothing is removed.
Status writeOutputFile(const std::string& path, std::string_view data);

} // namespace memscope
