// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/forecast/forecast.h"

#include "base/format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace memscope::forecast {

namespace {

std::string amount(double v, const std::string& unit) {
    if (unit == "bytes")
        return formatValue(int64_t(std::llround(v)), "bytes");
    char b[32];
    snprintf(b, sizeof b, std::fabs(v) >= 100 || v == std::floor(v) ? "%.0f" : "%.1f", v);
    return b;
}

std::string limitText(const SeriesForecast& f) {
    return amount(f.limit->value, f.unit) + " (" + f.limit->source + ")";
}

// How to give the limit that was missing: " (--limit heap=SIZE)".
std::string limitHint(const SeriesForecast& f) {
    if (f.name.empty())
        return {};
    return " (--limit " + f.name + (f.unit == "bytes" ? "=SIZE)" : "=COUNT)");
}

std::string rateText(const SeriesForecast& f) {
    return amount(f.fit.slopePerSecond * 60, f.unit) + " a minute";
}

} // namespace

std::string clockText(int64_t ns, int64_t sameDayAs) {
    time_t t = time_t(ns / 1000000000), ref = time_t(sameDayAs / 1000000000);
    tm a{}, b{};
    gmtime_r(&t, &a);
    gmtime_r(&ref, &b);
    char out[48];
    if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
        strftime(out, sizeof out, "%H:%M UTC", &a);
    else
        strftime(out, sizeof out, "%Y-%m-%d %H:%M UTC", &a);
    return out;
}

bool SeriesForecast::timed() const {
    return limit && !fit.poor && projection.kind == Projection::Kind::Reaches;
}

SeriesForecast forecastSeries(const Series& s, const std::vector<Limit>& user,
                              const std::vector<Series>& captured) {
    SeriesForecast f;
    f.key = s.key();
    f.unit = s.unit;
    f.name = limitNameOf(s).value_or("");
    f.fit = fitLine(s.points);
    f.limit = limitFor(s, user, captured);
    if (f.limit)
        f.projection = projectTo(f.fit, f.limit->value);
    return f;
}

std::string forecastSentence(const SeriesForecast& f) {
    std::string fitted =
        " (a robust fit of " + f.key + " over " + std::to_string(f.fit.n) + " points)";
    if (!f.limit) {
        if (f.fit.poor)
            return "Its growth fits no straight line well (" + f.fit.quality +
                   "), and no limit is known for it.";
        return "It grows about " + rateText(f) + fitted +
               "; no limit is known for it, so no time is given" + limitHint(f) + ".";
    }
    const Projection& p = f.projection;
    if (p.kind == Projection::Kind::AlreadyReached)
        return "Its last value is already at or over " + limitText(f) + ".";
    if (f.fit.poor)
        return "Against " + limitText(f) + ", the fit is poor (" + f.fit.quality +
               "), so no time is given.";
    if (p.kind == Projection::Kind::NotGrowing)
        return "Its fitted line does not rise, so " + limitText(f) +
               " is not reached at this rate.";
    std::string at = clockText(p.atNs, f.fit.lastNs);
    if (p.kind == Projection::Kind::Unbounded)
        return "At this rate" + fitted + ", " + limitText(f) + " is reached around " + at +
               ", not before " + clockText(p.earliestNs, f.fit.lastNs) +
               "; the points scatter too much to say how much later.";
    return "At this rate" + fitted + ", " + limitText(f) + " is reached around " + at + " (±" +
           formatDuration(p.bandSeconds()) + ").";
}

std::vector<std::pair<std::string, double>> forecastNumbers(const SeriesForecast& f) {
    std::vector<std::pair<std::string, double>> out;
    out.push_back({"forecast_per_minute", f.fit.slopePerSecond * 60});
    if (!f.limit)
        return out;
    out.push_back({"forecast_limit", f.limit->value});
    if (f.timed()) {
        out.push_back({"forecast_at_unix", double(f.projection.atNs) / 1e9});
        out.push_back({"forecast_band_seconds", f.projection.bandSeconds()});
    }
    return out;
}

} // namespace memscope::forecast
