// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/forecast/fit.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace memscope::forecast {

namespace {

double median(std::vector<double>& v) {
    size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + long(mid), v.end());
    double hi = v[mid];
    if (v.size() % 2)
        return hi;
    double lo = *std::max_element(v.begin(), v.begin() + long(mid));
    return (lo + hi) / 2;
}

// The q quantile of sorted v at position q(n+1) (Hyndman and Fan's type 6):
// unlike q(n-1) it does not pull the tails in on a few points.
double quantile(const std::vector<double>& v, double q) {
    double pos = q * double(v.size() + 1) - 1;
    if (pos <= 0)
        return v.front();
    size_t i = size_t(pos);
    if (i + 1 >= v.size())
        return v.back();
    return v[i] + (v[i + 1] - v[i]) * (pos - double(i));
}

// Sen's confidence interval of the slope: ranks (N -+ C) / 2 in the sorted
// pairwise slopes, C = z sqrt(n(n-1)(2n+5)/18) (ties ignored), z = 1.645 for 90%.
std::pair<double, double> slopeInterval(std::vector<double>& slopes, size_t n) {
    std::sort(slopes.begin(), slopes.end());
    double N = double(slopes.size());
    double c = 1.645 * std::sqrt(double(n) * double(n - 1) * double(2 * n + 5) / 18);
    auto at = [&](double rank) { // 1-based, clamped
        long i = std::lround(rank) - 1;
        return slopes[size_t(std::clamp(i, 0L, long(slopes.size()) - 1))];
    };
    return {at(std::floor((N - c) / 2)), at(std::ceil((N + c) / 2) + 1)};
}

std::vector<SeriesPoint> thinned(const std::vector<SeriesPoint>& points) {
    if (points.size() <= kMaxFitPoints)
        return points;
    std::vector<SeriesPoint> out;
    out.reserve(kMaxFitPoints);
    for (size_t i = 0; i < kMaxFitPoints; ++i)
        out.push_back(points[i * (points.size() - 1) / (kMaxFitPoints - 1)]);
    return out;
}

} // namespace

// The slope's interval moves the line about the mean time: up on one side of
// it, down on the other.
double LineFit::upper(double x) const {
    double d = x - meanX;
    return at(x) + std::max((slopeHigh - slopePerSecond) * d, (slopeLow - slopePerSecond) * d) +
           residualHigh;
}

double LineFit::lower(double x) const {
    double d = x - meanX;
    return at(x) + std::min((slopeHigh - slopePerSecond) * d, (slopeLow - slopePerSecond) * d) +
           residualLow;
}

LineFit fitLine(const std::vector<SeriesPoint>& all) {
    LineFit f;
    f.n = all.size();
    if (all.empty()) {
        f.quality = "no points";
        return f;
    }
    std::vector<SeriesPoint> pts = thinned(all);
    f.originNs = pts.front().timeNs;
    f.lastNs = all.back().timeNs;
    f.lastValue = all.back().value;
    std::vector<double> xs;
    for (const auto& p : pts)
        xs.push_back(double(p.timeNs - f.originNs) / 1e9);
    std::vector<double> slopes;
    slopes.reserve(pts.size() * (pts.size() - 1) / 2);
    for (size_t i = 0; i < pts.size(); ++i)
        for (size_t j = i + 1; j < pts.size(); ++j)
            if (xs[j] != xs[i])
                slopes.push_back((pts[j].value - pts[i].value) / (xs[j] - xs[i]));
    if (slopes.empty()) {
        f.intercept = pts.back().value;
        f.quality = "the points share one instant";
        return f;
    }
    f.slopePerSecond = median(slopes);
    std::tie(f.slopeLow, f.slopeHigh) = slopeInterval(slopes, pts.size());
    std::vector<double> rest;
    for (size_t i = 0; i < pts.size(); ++i)
        rest.push_back(pts[i].value - f.slopePerSecond * xs[i]);
    f.intercept = median(rest);
    std::vector<double> residuals;
    for (size_t i = 0; i < pts.size(); ++i)
        residuals.push_back(pts[i].value - f.at(xs[i]));
    std::sort(residuals.begin(), residuals.end());
    f.residualLow = std::min(0.0, quantile(residuals, 0.05));
    f.residualHigh = std::max(0.0, quantile(residuals, 0.95));
    for (double x : xs)
        f.meanX += x;
    f.meanX /= double(xs.size());
    f.n = pts.size();

    double growth = f.slopePerSecond * (xs.back() - xs.front());
    double spread = f.residualHigh - f.residualLow;
    if (all.size() < 4)
        f.quality = std::to_string(all.size()) + " points, 4 are needed";
    else if (growth <= 0)
        f.quality = "the line does not rise";
    else if (spread > 0.5 * growth)
        f.quality = "the points scatter " +
                    std::to_string(int(std::lround(spread / growth * 100))) +
                    "% of the growth around the line";
    else {
        f.poor = false;
        f.quality = "good";
    }
    return f;
}

double Projection::bandSeconds() const {
    return double(std::max(atNs - earliestNs, latestNs - atNs)) / 1e9;
}

Projection projectTo(const LineFit& f, double limit) {
    Projection p;
    if (f.n == 0)
        return p;
    if (f.lastValue >= limit) {
        p.kind = Projection::Kind::AlreadyReached;
        p.atNs = p.earliestNs = p.latestNs = f.lastNs;
        return p;
    }
    if (f.slopePerSecond <= 0)
        return p;
    double last = double(f.lastNs - f.originNs) / 1e9;
    double centre = std::max(last, (limit - f.intercept) / f.slopePerSecond);
    auto toNs = [&](double x) { return f.originNs + int64_t(std::llround(x * 1e9)); };
    // The first x from `from` on where line(x) >= limit, searched by doubling
    // then halving; none past `cap`. Past the mean time both band lines are
    // straight, so there is one crossing or none (a lower slope <= 0).
    auto crossing = [&](auto line, double from, double cap) -> std::optional<double> {
        if (line(from) >= limit)
            return from;
        double lo = from, step = std::max(centre - from, 1.0);
        double hi = from + step;
        while (line(hi) < limit) {
            lo = hi;
            step *= 2;
            hi = from + step;
            if (hi > cap)
                return std::nullopt;
        }
        for (int i = 0; i < 64 && hi - lo > 1e-3; ++i) {
            double mid = (lo + hi) / 2;
            (line(mid) >= limit ? hi : lo) = mid;
        }
        return hi;
    };
    double cap = centre + 100 * std::max(centre - last, last);
    auto early = crossing([&](double x) { return f.upper(x); }, last, cap);
    auto late = crossing([&](double x) { return f.lower(x); }, last, cap);
    p.atNs = toNs(centre);
    p.earliestNs = early ? toNs(std::min(*early, centre)) : toNs(last);
    if (!late) {
        p.kind = Projection::Kind::Unbounded;
        p.latestNs = p.atNs;
        return p;
    }
    p.kind = Projection::Kind::Reaches;
    p.latestNs = toNs(std::max(*late, centre));
    return p;
}

} // namespace memscope::forecast
