// SPDX-License-Identifier: GPL-3.0-or-later
// What changed between two snapshots of a kind: heap sites, goroutine groups,
// sockets per host, heap-dump retention. One engine for the CLI and the GUI.
#pragma once

#include "model/profile.h"
#include "store/case_store.h"

#include <string>
#include <vector>

namespace memscope {

struct HeapDiffRow {
    std::string function;
    int64_t base = 0, now = 0;       // flat
    int64_t baseCum = 0, nowCum = 0; // cum
    int64_t delta() const { return now - base; }
    // Percent change of flat; NaN when the base is 0.
    double deltaPercent() const;
};
struct HeapDiff {
    std::string sample, unit;
    int64_t baseTotal = 0, nowTotal = 0;
    std::vector<HeapDiffRow> rows; // by |delta| desc, then name
};
// Per function flat and cum of both profiles (pprof's counting), merged by
// name, for every sample type they share or just `sample`.
std::vector<HeapDiff> diffProfiles(const Profile& base, const Profile& now,
                                   const std::string& sample = {});

struct GroupDiffRow {
    std::string entry, state, role; // entry = the function the goroutines started in
    int64_t base = 0, now = 0;
    std::string status; // added, gone, grown, shrunk, same
    std::string createdBy;
};
// Goroutines grouped by start function and state.
Result<std::vector<GroupDiffRow>> diffGoroutines(CaseStore& store, SnapshotId base, SnapshotId now);

struct SocketDiffRow {
    std::string host, state; // client connections per remote host (state "" = all)
    int64_t base = 0, now = 0;
    int64_t opened = 0, closed = 0; // connections only in `now`, only in `base`
};
Result<std::vector<SocketDiffRow>> diffSockets(CaseStore& store, SnapshotId base, SnapshotId now);

struct RetainedDiffRow {
    std::string kind; // root kind, or "site"
    std::string name;
    int64_t base = 0, now = 0;
};
struct HeapDumpDiff {
    std::vector<RetainedDiffRow> roots, sites;
    int64_t finalizersRegistered[2] = {0, 0}, finalizersQueued[2] = {0, 0};
    int64_t reachableBytes[2] = {0, 0}, objects[2] = {0, 0};
};
Result<HeapDumpDiff> diffHeapDumps(CaseStore& store, SnapshotId base, SnapshotId now);

} // namespace memscope
