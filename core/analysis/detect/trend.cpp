// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/trend.h"

#include <algorithm>

namespace memscope {

Trend trendOf(const std::vector<SeriesPoint>& pts) {
    Trend t;
    t.n = pts.size();
    if (pts.empty())
        return t;
    t.first = pts.front().value;
    t.last = pts.back().value;
    t.min = t.max = t.first;
    t.spanNs = pts.back().timeNs - pts.front().timeNs;
    double n = double(pts.size()), sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    int64_t t0 = pts.front().timeNs;
    size_t rising = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
        double x = double(pts[i].timeNs - t0) / 60e9, y = pts[i].value;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
        t.min = std::min(t.min, y);
        t.max = std::max(t.max, y);
        if (i > 0 && pts[i].value >= pts[i - 1].value)
            ++rising;
    }
    double vx = n * sxx - sx * sx, vy = n * syy - sy * sy, cov = n * sxy - sx * sy;
    if (vx > 0)
        t.slopePerMinute = cov / vx;
    t.r2 = (vx > 0 && vy > 0) ? (cov * cov) / (vx * vy) : 0;
    t.risingSteps = pts.size() > 1 ? double(rising) / double(pts.size() - 1) : 0;
    return t;
}

bool steadyGrowth(const Trend& t, double minIncrease, double minRatio) {
    return t.n >= 3 && t.last - t.first >= minIncrease && t.last >= t.first * minRatio &&
           t.slopePerMinute > 0 && t.r2 >= 0.7 && t.risingSteps >= 0.6;
}

} // namespace memscope
