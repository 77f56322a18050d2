// SPDX-License-Identifier: GPL-3.0-or-later
// Detectors: the reasoning an expert does by hand over a case's time lines,
// each conclusion with the numbers it rests on.
#pragma once

#include "store/case_store.h"
#include "analysis/series/series.h"

#include <string>
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

struct SiteRef {
    std::string function, file;
    int64_t line = 0;
    int64_t bytes = 0; // what the site accounts for, where that is known
    std::string note;  // why it is cited
};

struct Finding {
    std::string kind;     // connection_leak, connection_churn, finalizer_backlog,
                          // global_retention, goroutine_leak, heap_growth
    std::string severity; // critical, warning, info
    std::string target;
    std::string title;
    std::string summary; // one paragraph for a postmortem
    // Evidence: the series the finding rests on (enough to redraw its chart),
    // named numbers, and the snapshots used.
    std::vector<Series> series;
    std::vector<std::pair<std::string, double>> numbers;
    std::vector<int64_t> snapshots;
    std::vector<SiteRef> sites;
    std::vector<std::string> hosts;
    std::vector<std::string> goroutineGroups;
};

int severityRank(const std::string& severity); // critical 0, warning 1, info 2

// Every finding for every target, most severe first.
Result<std::vector<Finding>> detectFindings(CaseStore& store);

// A program's own code (package main or a module path with a domain), not
// the standard library's or the runtime's.
bool isUserCode(const std::string& function);

} // namespace memscope
