// SPDX-License-Identifier: GPL-3.0-or-later
// Detectors: the reasoning an expert does by hand over a case's time lines,
// each conclusion with the numbers it rests on.
#pragma once

#include "analysis/detect/trend.h"
#include "analysis/forecast/limits.h"
#include "analysis/series/series.h"
#include "model/findings.h"
#include "model/snapshot_kind.h"
#include "store/case_store.h"

#include <string>
#include <vector>

namespace memscope {

struct SiteRef {
    std::string function, file;
    int64_t line = 0;
    int64_t bytes = 0; // what the site accounts for, where that is known
    std::string note;  // why it is cited
};

struct Finding {
    FindingKind kind = FindingKind::HeapGrowth;
    Severity severity = Severity::Info;
    std::string target;
    std::string title;
    std::string summary; // one paragraph for a postmortem
    // Evidence: the series the finding rests on (enough to redraw its chart),
    // named numbers, and the snapshots used.
    std::vector<Series> series;
    std::vector<std::pair<std::string, double>> numbers;
    std::vector<SnapshotId> snapshots;
    std::vector<SiteRef> sites;
    std::vector<std::string> hosts;
    std::vector<std::string> goroutineGroups;
};

int severityRank(Severity severity); // critical 0, warning 1, info 2

// Every finding for every target, most severe first: the detectors of
// detectors.h in their fixed order, per target. A finding whose evidence is
// a growing series then gets its forecast (forecast_* numbers and a sentence
// in its summary) against the limit of `limits` or of the case that applies.
Result<std::vector<Finding>> detectFindings(CaseStore& store,
                                            const std::vector<forecast::Limit>& limits = {});

// A program's own code (package main or a module path with a domain), not
// the standard library's or the runtime's.
bool isUserCode(const std::string& function);

} // namespace memscope
