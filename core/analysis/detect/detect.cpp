// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/detect.h"

#include "analysis/detect/detector.h"
#include "analysis/detect/evidence.h"

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

Result<std::vector<Finding>> detectFindings(CaseStore& store) {
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
        detect::DetectContext context(store, t, set);
        for (const auto& d : detect::detectors()) {
            auto found = d->run(context);
            if (context.error())
                return *context.error();
            for (auto& f : found)
                out.push_back(std::move(f));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return severityRank(a.severity) < severityRank(b.severity);
    });
    return out;
}

} // namespace memscope
