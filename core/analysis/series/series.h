// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/case_store.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace memscope {

struct SeriesPoint {
    int64_t timeNs = 0;
    double value = 0;
    SnapshotId snapshotId;
};

// One line on the timeline. Named in snake_case with the unit last
// (`heap_inuse_bytes`); labels narrow it (`heap_inuse_bytes{site=io.ReadAll}`).
struct Series {
    std::string metric;
    std::map<std::string, std::string> labels;
    std::string unit; // bytes, objects, count
    std::vector<SeriesPoint> points;

    // metric{k=v,...}: the key `report --format json` uses.
    std::string key() const;
};

// Snapshots of a kind in time order, one per target and instant: the same
// capture taken in two formats (heap .pb.gz and ?debug=1, lsof and lsof -F)
// counts once. Times from file names have whole seconds, so a snapshot less
// than a second after the previous one, either timed by its name, is the same.
Result<std::vector<SnapshotInfo>> timeline(CaseStore& store, SnapshotKind kind);

struct SeriesOptions {
    int topSites = 5; // allocation sites drawn as their own lines
};

// Heap series for every heap profile snapshot in the case: totals for the
// four sample types, and in-use bytes per top allocation site (leaf function).
Result<std::vector<Series>> heapSeries(CaseStore& store, const SeriesOptions& opts = {});

// Allocation rate per delta profile (`allocs?seconds=N`): `allocated_per_second_bytes`
// and `allocated_per_second_objects`, the delta's alloc columns over its span,
// and `allocated_per_second_bytes{site=F}` for the sites allocating most.
Result<std::vector<Series>> allocRateSeries(CaseStore& store, int topSites = 5);

// Goroutines per goroutine dump: `goroutines`, `goroutines{state=...}`,
// `goroutines{role=...}` (finalizer_running, http_client_readloop, ...) and
// `goroutines{group=F}` for the largest groups by start function F.
Result<std::vector<Series>> goroutineSeries(CaseStore& store);

// Open files per lsof/ss snapshot: `fds`, `fds{type=...}`, `tcp_sockets{state=...}`
// and client connections per remote host, `tcp_sockets{host=127.0.0.2}`;
// `tcp_sockets_new{host=...}`: those not open at the previous snapshot (churn).
Result<std::vector<Series>> fdSeries(CaseStore& store);

// Numbers captured by name: `runtime{name=/gc/heap/goal:bytes}` (runtime/metrics),
// `expvar{name=memstats.NumGC}` and the service's own vars
// (`expvar{name=finalizers.registered}`), `memstats{name=HeapAlloc}` (heap text trailers).
Result<std::vector<Series>> metricSeries(CaseStore& store);

// GC cycles from gctrace, one point per cycle on wall time: gc_heap_start_bytes,
// gc_heap_end_bytes, gc_heap_live_bytes, gc_heap_goal_bytes, gc_stw_ms,
// gc_concurrent_mark_ms, gc_cpu_percent.
Result<std::vector<Series>> gcSeries(CaseStore& store);

// From heap dumps: finalizers_registered, finalizers_queued,
// finalizer_retained_bytes, heapdump_reachable_bytes, heapdump_unreachable_bytes,
// and retained_bytes{root=...} for the roots that ever retain the most.
Result<std::vector<Series>> heapDumpSeries(CaseStore& store, int topN = 5);

// The function a goroutine was started with: the outermost frame of a stack
// given innermost first ("function file:line" entries).
std::string goroutineEntry(const std::vector<std::string>& stack);

// Every series the case supports, in display order.
Result<std::vector<Series>> allSeries(CaseStore& store, const SeriesOptions& opts = {});

} // namespace memscope
