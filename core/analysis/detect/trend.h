// SPDX-License-Identifier: GPL-3.0-or-later
// How a series moved, and whether that is growth without bound: the tests
// every detector applies to its time lines.
#pragma once

#include "analysis/series/series.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace memscope {

// How a series moved over its points.
struct Trend {
    size_t n = 0;
    double first = 0, last = 0, min = 0, max = 0;
    double slopePerMinute = 0; // least squares
    double r2 = 0;             // of the linear fit
    double risingSteps = 0;    // fraction of steps that did not go down
    int64_t spanNs = 0;
};
Trend trendOf(const std::vector<SeriesPoint>& points);
// At least three points, up by `minIncrease` and by `minRatio`, fitting a line
// well and rarely falling: growth without bound, not noise.
bool steadyGrowth(const Trend& t, double minIncrease, double minRatio);

} // namespace memscope
