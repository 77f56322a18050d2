// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace memscope {

// 10045302 bytes -> "9.58MB" (binary multiples, pprof's spelling).
std::string formatValue(int64_t value, const std::string& unit);
// 0.3027 -> "30.27%"
std::string formatPercent(double fraction);
// A span of time for a sentence: "40 s", "12 min", "1.5 h", "3 days".
std::string formatDuration(double seconds);

} // namespace memscope
