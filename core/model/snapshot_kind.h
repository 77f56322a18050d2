// SPDX-License-Identifier: GPL-3.0-or-later
// What a snapshot holds, named as the case file stores it and the command
// line prints it.
#pragma once

#include "model/enum_names.h"

#include <optional>
#include <string_view>

namespace memscope {

enum class SnapshotKind {
    Heap,             // heap profile (profile.proto or ?debug=1 text)
    Allocs,           // heap profile whose default sample is alloc_space
    AllocsDelta,      // a heap profile over a span (?seconds=N): what was allocated in it
    GoroutineProfile, // goroutine profile.proto, kept as a profile too
    Cpu,
    Contention,
    ThreadCreate,
    Profile,    // any other profile.proto
    Goroutines, // goroutine groups, from a dump or a goroutine profile
    Fds,        // open files and sockets (lsof, ss)
    GcTrace,
    Metrics, // runtime/metrics
    Expvar,
    Escape, // the compiler's escape notes
    HeapDump,
    Process,    // the kernel's view of the process: /proc status, smaps, cgroup
    Prometheus, // a /metrics scrape
};

inline constexpr NameTable<SnapshotKind, 17> kSnapshotKindNames{{
    {SnapshotKind::Heap, "heap"},
    {SnapshotKind::Allocs, "allocs"},
    {SnapshotKind::AllocsDelta, "allocs_delta"},
    {SnapshotKind::GoroutineProfile, "goroutine_profile"},
    {SnapshotKind::Cpu, "cpu"},
    {SnapshotKind::Contention, "contention"},
    {SnapshotKind::ThreadCreate, "threadcreate"},
    {SnapshotKind::Profile, "profile"},
    {SnapshotKind::Goroutines, "goroutines"},
    {SnapshotKind::Fds, "fds"},
    {SnapshotKind::GcTrace, "gctrace"},
    {SnapshotKind::Metrics, "metrics"},
    {SnapshotKind::Expvar, "expvar"},
    {SnapshotKind::Escape, "escape"},
    {SnapshotKind::HeapDump, "heapdump"},
    {SnapshotKind::Process, "process"},
    {SnapshotKind::Prometheus, "prometheus"},
}};
constexpr const char* toString(SnapshotKind k) { return nameIn(kSnapshotKindNames, k); }
// Kinds whose snapshots are named numbers (metric points).
constexpr bool holdsMetrics(SnapshotKind kind) {
    return kind == SnapshotKind::Metrics || kind == SnapshotKind::Expvar ||
           kind == SnapshotKind::Process || kind == SnapshotKind::Prometheus;
}
constexpr std::optional<SnapshotKind> parseSnapshotKind(std::string_view s) {
    return valueIn(kSnapshotKindNames, s);
}

} // namespace memscope
