// SPDX-License-Identifier: GPL-3.0-or-later
// A robust straight line through a series, and when it reaches a limit: the
// arithmetic behind "at this rate, 2 GiB is reached around 14:32".
#pragma once

#include "analysis/series/series.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memscope::forecast {

// Theil-Sen: the median of the slopes between every pair of points, and the
// median intercept. A few spikes (a GC that ran late, a burst of requests)
// move it little, where least squares would follow them.
//
// The band has two parts, added: the 90% interval of the residuals (how far
// points stray from the line) and Sen's 90% confidence interval of the slope
// (ranks in the sorted pairwise slopes), pivoting at the points' mean time,
// so the band widens with the distance a projection reaches past the points.
struct LineFit {
    size_t n = 0;              // points fitted (after thinning)
    int64_t originNs = 0;      // x = 0: the first point's time
    int64_t lastNs = 0;        // the last point's time
    double lastValue = 0;      // the last point's value
    double slopePerSecond = 0; // value units per second
    double intercept = 0;      // the line's value at originNs
    double slopeLow = 0;       // Sen's 90% interval of the slope
    double slopeHigh = 0;
    double residualLow = 0;  // 5th percentile of the residuals (<= 0)
    double residualHigh = 0; // 95th percentile (>= 0)
    double meanX = 0;        // the points' mean time, seconds from the origin
    bool poor = true;
    std::string quality; // "good", or why the fit is poor ("3 points, 4 are needed")

    double at(double seconds) const { return intercept + slopePerSecond * seconds; }
    double upper(double seconds) const;
    double lower(double seconds) const;
};

// Fewer than 4 points, no growth, or a residual spread over half the growth
// across the points is a poor fit. Series longer than kMaxFitPoints are
// thinned evenly first, so the pairwise slopes stay bounded.
constexpr size_t kMaxFitPoints = 1500;
LineFit fitLine(const std::vector<SeriesPoint>& points);

struct Projection {
    enum class Kind {
        NotGrowing,     // the line does not rise: no time
        AlreadyReached, // the last point is at or over the limit
        Reaches,        // atNs, with earliestNs..latestNs from the band's lines
        Unbounded,      // the centre line reaches it, but the band's lower line never does
    } kind = Kind::NotGrowing;
    int64_t atNs = 0, earliestNs = 0, latestNs = 0;
    // The larger distance from atNs to either end of the band.
    double bandSeconds() const;
};

Projection projectTo(const LineFit& fit, double limit);

} // namespace memscope::forecast
