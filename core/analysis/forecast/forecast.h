// SPDX-License-Identifier: GPL-3.0-or-later
// A series' forecast: its fit, the limit that applies and when the fit
// reaches it, in numbers and in one sentence for a finding's summary.
#pragma once

#include "analysis/forecast/fit.h"
#include "analysis/forecast/limits.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace memscope::forecast {

struct SeriesForecast {
    std::string key;  // the series' key()
    std::string unit; // bytes, count, ...
    std::string name; // the limit's name that applies to it (limitNameOf), "" when none
    LineFit fit;
    std::optional<Limit> limit;
    Projection projection; // NotGrowing when there is no limit
    // A time is given: a limit, a good fit, and a crossing inside a closed band.
    bool timed() const;
};

SeriesForecast forecastSeries(const Series& s, const std::vector<Limit>& user,
                              const std::vector<Series>& captured);

// "At this rate, 2 GiB (GOMEMLIMIT) is reached around 14:32 UTC (±20 min)."
// or why no time is given; without a limit, the growth rate alone.
std::string forecastSentence(const SeriesForecast& f);

// forecast_limit, forecast_at_unix, forecast_band_seconds when timed(); the
// limit alone when one applies but no time is given; the rate always.
std::vector<std::pair<std::string, double>> forecastNumbers(const SeriesForecast& f);

// 14:32 UTC, with the date in front when it is not the day of `sameDayAs`.
std::string clockText(int64_t ns, int64_t sameDayAs);

} // namespace memscope::forecast
