// SPDX-License-Identifier: GPL-3.0-or-later
// What a finding is and how bad: the names the command line, JSON and the
// report print.
#pragma once

#include "model/enum_names.h"

#include <optional>
#include <string_view>

namespace memscope {

enum class Severity { Critical, Warning, Info };

inline constexpr NameTable<Severity, 3> kSeverityNames{{
    {Severity::Critical, "critical"},
    {Severity::Warning, "warning"},
    {Severity::Info, "info"},
}};
constexpr const char* toString(Severity s) { return nameIn(kSeverityNames, s); }
constexpr std::optional<Severity> parseSeverity(std::string_view s) {
    return valueIn(kSeverityNames, s);
}

enum class FindingKind {
    ConnectionLeak,   // sockets to a host grow steadily
    ConnectionChurn,  // most connections new at every capture while the count holds
    FinalizerBacklog, // queued finalizers growing behind the finalizer goroutine
    GlobalRetention,  // a package-level variable dominating a growing share of the heap
    GoroutineLeak,    // a group by start function growing without bound
    HeapGrowth,       // steady growth at a site none of the others explains
    RssGap,           // resident memory the Go heap does not explain
};

inline constexpr NameTable<FindingKind, 7> kFindingKindNames{{
    {FindingKind::ConnectionLeak, "connection_leak"},
    {FindingKind::ConnectionChurn, "connection_churn"},
    {FindingKind::FinalizerBacklog, "finalizer_backlog"},
    {FindingKind::GlobalRetention, "global_retention"},
    {FindingKind::GoroutineLeak, "goroutine_leak"},
    {FindingKind::HeapGrowth, "heap_growth"},
    {FindingKind::RssGap, "rss_gap"},
}};
constexpr const char* toString(FindingKind k) { return nameIn(kFindingKindNames, k); }
constexpr std::optional<FindingKind> parseFindingKind(std::string_view s) {
    return valueIn(kFindingKindNames, s);
}

} // namespace memscope
