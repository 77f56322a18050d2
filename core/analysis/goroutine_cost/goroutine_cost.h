// SPDX-License-Identifier: GPL-3.0-or-later
// What each goroutine group costs: the heap its goroutines' stack frames
// alone keep alive, in every heap dump; the sockets they serve, matched to
// the fd snapshot closest in time; and how fast the group grows.
#pragma once

#include "base/progress.h"
#include "base/result.h"
#include "store/case_store.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace memscope {

// One heap dump's bytes for a group, and how its goroutines were paired.
struct GroupHeapBytes {
    SnapshotId heapDumpId;
    int64_t bytes = 0;      // retained through the group's frames alone
    int64_t goroutines = 0; // the group's goroutines the heap dump holds frames of
};

struct GoroutineGroupCost {
    std::string key;       // what the groups were bucketed by (entry, creator)
    std::string entry;     // the function the goroutines started in
    std::string createdBy; // "function file:line", "" when the dump does not say
    std::string state, role;
    bool leaked = false;       // the runtime said so
    bool fromHeapDump = false; // only known from a heap dump's own records

    int64_t count = 0;        // in the latest goroutine dump
    int64_t firstCount = 0;   // in the first
    double growthPerHour = 0; // a least-squares line through its count in every dump
    int dumps = 0;            // goroutine dumps the count rests on

    // Per heap dump of the report, in its order; empty without heap dumps.
    std::vector<GroupHeapBytes> heap;
    int64_t bytes = 0; // in the report's latest heap dump

    // Sockets the group's goroutines serve, in the fd snapshot closest to
    // the latest goroutine dump; per remote host (listening address for a
    // listener).
    int64_t sockets = 0;
    std::string socketKind; // "client", "server", "listening", "" none
    std::vector<NamedCount> socketsByHost;

    double score = 0; // the rank: each column's share of its largest value, added
};

// How one heap dump's goroutines were put in groups.
struct HeapDumpPairing {
    SnapshotId heapDumpId;
    int64_t heapDumpTimeNs = 0;
    SnapshotId goroutineDumpId; // none: the heap dump's own records
    int64_t gapNs = 0;          // goroutine dump time minus heap dump time
    int64_t goroutines = 0;     // goroutines in the heap dump with frames that point into the heap
    int64_t unpaired = 0;       // of those, not in the paired goroutine dump
    int64_t unpairedBytes = 0;  // retained by the unpaired ones' frames
    int64_t runtimeOwn = 0;     // of the unpaired, the runtime's own goroutines
    std::string how;            // a sentence for people
};

struct GoroutineCostReport {
    std::string target;
    SnapshotId latestDumpId; // the goroutine dump counts come from
    int64_t latestDumpTimeNs = 0;
    SnapshotId fdSnapshotId; // none: no fd snapshot
    int64_t fdGapNs = 0;
    std::vector<HeapDumpPairing> heapDumps; // in time order
    std::vector<GoroutineGroupCost> groups; // ranked, costliest first
    std::vector<std::string> cannotKnow;    // what the numbers do not rest on
};

struct GoroutineCostOptions {
    TargetId targetId; // none: the case's first target
    // Puts a group in a bucket; the default is its start function and
    // creation site. Buckets are what is costed: a connection leak puts a
    // connection's read and write loops in one, so the persistConn both
    // point to counts for it.
    std::function<std::string(const CaseStore::GoroutineGroupRow&)> bucket;
    bool allHeapDumps = true; // else the latest only (what a finding needs)
    // The cost as of this goroutine dump (none: the latest): counts and growth
    // up to it, dumps of its form only (full dumps, or profiles), the heap
    // dump and fd snapshot closest to it.
    SnapshotId atDumpId;
};

// A pooled client connection's read and write loops, one bucket by default.
inline constexpr const char* kHttpClientLoops = "net/http.(*persistConn).readLoop+writeLoop";

// The default bucket: "entry\x1fcreator"; the net/http client loops one.
std::string goroutineGroupKey(const CaseStore::GoroutineGroupRow& g);

Result<GoroutineCostReport> goroutineCost(CaseStore& store, const GoroutineCostOptions& opts = {},
                                          const Progress& progress = {});

// "14 MiB of heap and 1,760 sockets": a cost as a finding says it, only
// the parts the report knows (no heap dump: no bytes; no fd snapshot: no
// sockets); "" when it knows neither.
std::string costClause(const GoroutineCostReport& report, const GoroutineGroupCost& cost);
// " (heap dump 42, its goroutines paired by id with goroutine dump 13 of the
// same moment; sockets from fd snapshot 65)." for the latest heap dump.
std::string costSources(const GoroutineCostReport& report);

} // namespace memscope
