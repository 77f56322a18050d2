// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/detect/detect.h"
#include "base/json_writer.h"
#include "report/chart_svg.h"
#include "store/case_store.h"
#include <functional>

#include <string>

namespace memscope {

// What `memscope info` prints: targets, snapshots per kind, time span.
Result<std::string> caseInfoText(CaseStore& store);
Result<std::string> caseInfoJson(CaseStore& store);

struct ReportOptions {
    // Writes a chart next to the report and returns the path the markdown
    // links to ("" = none written); unset = no charts.
    std::function<std::string(const ChartSpec& chart, const std::string& stem)> chartFile;
    // Limits the user gave (--limit) for the findings' forecasts.
    std::vector<forecast::Limit> limits;
};

// The postmortem report. JSON: {"case", "targets", "snapshots", "series"};
// every series is [[unix_seconds, value], ...] under its key.
Result<std::string> reportJson(CaseStore& store, const ReportOptions& opts = {});
Result<std::string> reportMarkdown(CaseStore& store, const ReportOptions& opts = {});
// One self-contained HTML file: findings with inline SVG charts, key series,
// annotations, snapshots. Every string from the case is escaped.
Result<std::string> reportHtml(CaseStore& store, const ReportOptions& opts = {});

// "findings": [...] with kind, severity, title, summary, evidence, sites, hosts, goroutine_groups.
void writeFindings(JsonWriter& w, const std::vector<Finding>& findings);

} // namespace memscope
