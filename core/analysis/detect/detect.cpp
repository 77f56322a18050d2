// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/detect.h"

#include "analysis/detect/detector.h"
#include "analysis/detect/evidence.h"
#include "analysis/forecast/forecast.h"

#include <algorithm>

namespace memscope {

int severityRank(Severity s) {
    return s == Severity::Critical ? 0 : s == Severity::Warning ? 1 : 2;
}

// Standard library packages have no dot in their first path element; a
// program's own are `main` or module paths with a domain.
bool isUserCode(const std::string& fn) {
    std::string pkg = detect::packageOf(fn);
    if (pkg == "main" || pkg.rfind("main.", 0) == 0)
        return true;
    std::string first = pkg.substr(0, pkg.find('/'));
    return first.find('.') != std::string::npos;
}

namespace {

// Findings whose first series is the one that grows; connection churn holds
// its count, so it has nothing to forecast.
bool forecastsFirstSeries(FindingKind kind) {
    return kind == FindingKind::HeapGrowth || kind == FindingKind::ConnectionLeak ||
           kind == FindingKind::GoroutineLeak || kind == FindingKind::FinalizerBacklog ||
           kind == FindingKind::GlobalRetention;
}

// One place for every detector's forecast, after they have all run. The
// limits the case captured are looked up among the finding's target's series.
// Leaked connections run into the open-files limit as the process's open
// files, not one host's sockets: those are forecast when captured as often.
void addForecast(Finding& f, const std::vector<forecast::Limit>& limits,
                 const std::vector<Series>& captured, const detect::SeriesSet& set) {
    if (!forecastsFirstSeries(f.kind) || f.series.empty())
        return;
    // The runtime's leak verdict is a proof at one moment, not a trend.
    for (const auto& [name, value] : f.numbers)
        if (name == "runtime_verdict")
            return;
    const Series* grows = &f.series.front();
    if (f.kind == FindingKind::ConnectionLeak)
        if (const Series* fds = set.find("fds"); fds && fds->points.size() >= grows->points.size())
            grows = fds;
    auto fc = forecast::forecastSeries(*grows, limits, captured);
    for (auto& n : forecast::forecastNumbers(fc))
        f.numbers.push_back(std::move(n));
    f.summary += " " + forecast::forecastSentence(fc);
}

} // namespace

Result<std::vector<Finding>> detectFindings(CaseStore& store,
                                            const std::vector<forecast::Limit>& limits) {
    auto series = allSeries(store);
    if (!series)
        return series.error();
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    bool many = targets->size() > 1;
    std::vector<Finding> out;
    for (const auto& t : *targets) {
        detect::SeriesSet set;
        for (const auto& s : *series)
            if (!many || !s.labels.count("target") || s.labels.at("target") == t.name)
                set.all.push_back(&s);
        std::vector<Series> captured;
        for (const Series* s : set.all)
            if (s->metric == "runtime" || s->metric == "process")
                captured.push_back(*s);
        detect::DetectContext context(store, t, set);
        for (const auto& d : detect::detectors()) {
            auto found = d->run(context);
            if (context.error())
                return *context.error();
            for (auto& f : found) {
                addForecast(f, limits, captured, set);
                out.push_back(std::move(f));
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return severityRank(a.severity) < severityRank(b.severity);
    });
    return out;
}

} // namespace memscope
