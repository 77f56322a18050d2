// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "model/profile.h"

#include <string_view>

namespace memscope {

// The legacy binary CPU profile (Go before 1.9, and gperftools): words of
// the writer's size and byte order, a header (0, 3, 0, period in µs, 0),
// records (count, depth, pcs...), a trailer (0, 1, 0), then the process's
// /proc/self/maps as text. go tool pprof still reads it.
bool looksLikeLegacyCpuProfile(std::string_view head);

// Samples and cpu time per stack; locations by address, unsymbolized, in
// the mappings the trailer lists (one mapping of the whole address space
// when it lists none).
Result<Profile> parseLegacyCpuProfile(std::string_view data);

} // namespace memscope
