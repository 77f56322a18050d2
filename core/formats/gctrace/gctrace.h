// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "io/input.h"
#include "base/result.h"
#include "model/gc.h"

#include <string_view>
#include <vector>

namespace memscope {

bool looksLikeGcTrace(std::string_view head);
// Lines that are not gc lines (program output, "GC forced", scav lines) are skipped.
Result<std::vector<GcCycle>> parseGcTrace(ByteStream& in);

} // namespace memscope
