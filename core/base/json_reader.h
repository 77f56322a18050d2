// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace memscope {

// Walks a JSON document and hands every number (and boolean, as 0/1) to
// `leaf` with its dotted path: {"memstats":{"NumGC":12}} -> "memstats.NumGC".
// Array elements are skipped unless `arrays` is set ("PauseNs.3").
// Errors carry the byte offset; nesting deeper than 64 is refused.
Status visitJsonNumbers(std::string_view text,
                        const std::function<void(const std::string& path, double value)>& leaf,
                        bool arrays = false);
// The same, with every integer that fits int64 handed to `integer` exactly
// instead (a double rounds past 2^53: expvar's LastGC in nanoseconds).
Status visitJsonNumbers(std::string_view text,
                        const std::function<void(const std::string& path, double value)>& leaf,
                        const std::function<void(const std::string& path, int64_t value)>& integer,
                        bool arrays = false);

} // namespace memscope
