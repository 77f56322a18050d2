// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope forecast`: for every growing series, the robust fit, its quality,
// the limit that applies and when the fit reaches it.
#include "analysis/forecast/forecast.h"
#include "analysis/detect/detect.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"

#include <iostream>
#include <set>

namespace memscope::cli {

namespace {

struct Row {
    std::string target, why; // why: the finding's kind, or "steady growth"
    const Series* series = nullptr;
    forecast::SeriesForecast fc;
};

std::string targetOf(const Series& s) {
    auto it = s.labels.find("target");
    return it == s.labels.end() ? std::string() : it->second;
}

const char* kindName(forecast::Projection::Kind k) {
    using K = forecast::Projection::Kind;
    return k == K::Reaches          ? "reaches"
           : k == K::AlreadyReached ? "already_reached"
           : k == K::Unbounded      ? "unbounded"
                                    : "not_growing";
}

void writeJson(const std::vector<Row>& rows) {
    JsonWriter w;
    w.beginObject().key("forecasts").beginArray();
    for (const auto& r : rows) {
        const auto& f = r.fc;
        w.beginObject().field("series", f.key).field("target", r.target).field("why", r.why);
        w.field("points", int64_t(f.fit.n))
            .field("slope_per_minute", f.fit.slopePerSecond * 60)
            .field("first_unix", double(f.fit.originNs) / 1e9)
            .field("value_at_first", f.fit.intercept)
            .field("residual_low", f.fit.residualLow)
            .field("residual_high", f.fit.residualHigh)
            .field("poor_fit", f.fit.poor)
            .field("quality", f.fit.quality);
        // Without a limit there is no "limit" and no projection.
        if (f.limit) {
            w.key("limit")
                .beginObject()
                .field("name", f.limit->name)
                .field("value", f.limit->value)
                .field("source", f.limit->source)
                .endObject();
            w.field("projection", kindName(f.projection.kind));
            if (f.timed())
                w.field("at_unix", double(f.projection.atNs) / 1e9)
                    .field("earliest_unix", double(f.projection.earliestNs) / 1e9)
                    .field("latest_unix", double(f.projection.latestNs) / 1e9)
                    .field("band_seconds", f.projection.bandSeconds());
        }
        w.field("sentence", forecast::forecastSentence(f)).endObject();
    }
    w.endArray().endObject();
    std::cout << w.str() << "\n";
}

} // namespace

int cmdForecast(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--limit"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("forecast needs one case file");
    std::vector<forecast::Limit> limits;
    if (!limitsFrom(a, limits))
        return kUsage;
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    auto found = detectFindings(*store, limits);
    if (!found)
        return readFailed(found.error());
    auto series = allSeries(*store);
    if (!series)
        return readFailed(series.error());
    // A target's captured limits are read from its own series.
    auto captured = [&](const std::string& target) {
        std::vector<Series> out;
        for (const auto& s : *series)
            if ((s.metric == "runtime" || s.metric == "process") && targetOf(s) == target)
                out.push_back(s);
        return out;
    };
    std::vector<Row> rows;
    std::set<std::string> seen; // keys name the target when the case has several
    auto add = [&](const Series& s, const std::string& target, const std::string& why) {
        if (!seen.insert(s.key()).second)
            return;
        rows.push_back({target, why, &s, forecast::forecastSeries(s, limits, captured(target))});
    };
    // What the detectors flag first, then every other series with a limit of
    // its kind that grows steadily.
    // Leaked connections are forecast as the process's open files, as the
    // findings do.
    auto fdsOf = [&](const std::string& target) -> const Series* {
        for (const auto& s : *series)
            if (s.metric == "fds" && !s.labels.count("type") && targetOf(s) == target)
                return &s;
        return nullptr;
    };
    for (const auto& f : *found) {
        if (f.kind == FindingKind::ConnectionChurn || f.series.empty())
            continue;
        const Series* fds =
            f.kind == FindingKind::ConnectionLeak ? fdsOf(targetOf(f.series[0])) : nullptr;
        if (fds && fds->points.size() < f.series.front().points.size())
            fds = nullptr;
        add(fds ? *fds : f.series.front(), f.target, toString(f.kind));
    }
    for (const auto& s : *series) {
        if (!forecast::limitNameOf(s))
            continue;
        Trend t = trendOf(s.points);
        if (steadyGrowth(t, s.unit == "bytes" ? double(1 << 20) : 10, 1.2))
            add(s, targetOf(s), "steady growth");
    }
    if (a.flag("--json")) {
        writeJson(rows);
        return kOk;
    }
    if (rows.empty()) {
        std::cout << "Nothing to forecast: no series in this case grows steadily.\n";
        return kOk;
    }
    for (const auto& r : rows) {
        const auto& f = r.fc;
        std::cout << terminalSafe(f.key)
                  << (r.target.empty() ? "" : "  [" + terminalSafe(r.target) + "]") << "  ("
                  << terminalSafe(r.why) << ")\n";
        std::cout << "  fit: " << f.fit.n << " points, "
                  << (f.fit.poor ? "poor: " + f.fit.quality : std::string("good")) << "\n";
        std::cout << "  " << terminalSafe(forecast::forecastSentence(f)) << "\n\n";
    }
    return kOk;
}

} // namespace memscope::cli
