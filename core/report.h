// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "case_store.h"
#include "detect.h"
#include "json_writer.h"

#include <string>

namespace memscope {

// What `memscope info` prints: targets, snapshots per kind, time span.
std::string caseInfoText(CaseStore& store);
std::string caseInfoJson(CaseStore& store);

// The postmortem report. JSON: {"case", "targets", "snapshots", "series"};
// every series is [[unix_seconds, value], ...] under its key.
std::string reportJson(CaseStore& store);
std::string reportMarkdown(CaseStore& store);

// "findings": [...] with kind, severity, title, summary, evidence, sites, hosts, goroutine_groups.
void writeFindings(JsonWriter& w, const std::vector<Finding>& findings);

} // namespace memscope
