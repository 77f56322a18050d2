// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"
#include "model/profile.h"

#include <string_view>

namespace memscope {

// A legacy count profile as runtime/pprof writes it with debug=1 for any
// profile but heap, goroutine and the contention ones: "<name> profile:
// total N", then "<count> @ <pcs>" records with their "#" frames
// (`threadcreate?debug=1`, a program's own pprof.NewProfile). Read as pprof's
// legacy parser does (sample type and period type "<name>"/"count"), and
// unlike it with the "#" lines' functions, files and lines.
// `anyName`: goroutine and goroutineleak too (which import as goroutine
// groups; `top` on such a file reads it as pprof does).
bool looksLikeCountProfileText(std::string_view head, bool anyName = false);
Result<Profile> parseCountProfileText(ByteStream& in);

} // namespace memscope
