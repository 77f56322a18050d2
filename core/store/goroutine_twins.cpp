// SPDX-License-Identifier: GPL-3.0-or-later
// One goroutine capture, one dump: `?debug=1` (or the goroutine profile.proto)
// saved beside `?debug=2` at the same moment is the same goroutines without
// their states, ids and wait times. Both files stay in the case as sources;
// the snapshot list names the full dump only.
#include "store/case_store.h"
#include "store/db.h"

#include <cstdlib>
#include <map>

namespace memscope {

namespace {

// A full dump: every goroutine with its id, state and wait.
bool fullDump(const SnapshotInfo& s) { return s.format == "goroutine_text"; }

// The same moment: equal times, or within the second a file name can say.
bool sameMoment(const SnapshotInfo& a, const SnapshotInfo& b) {
    if (a.timeNs == b.timeNs)
        return true;
    bool coarse = a.timeSource != "data" || b.timeSource != "data";
    return coarse && std::llabs(a.timeNs - b.timeNs) < 1000000000;
}

} // namespace

Status CaseStore::dropGoroutineTwins(std::vector<SnapshotInfo>& snapshots) {
    constexpr SnapshotKind kind = SnapshotKind::Goroutines;
    bool anyFull = false, anyProfile = false;
    for (const auto& s : snapshots)
        if (s.kind == kind)
            (fullDump(s) ? anyFull : anyProfile) = true;
    if (!anyFull || !anyProfile)
        return {};
    // How many goroutines each dump holds: the same capture has the same number.
    std::map<SnapshotId, int64_t> total;
    Stmt q(*m_db, "SELECT sn.id, COALESCE(SUM(g.count), 0) FROM snapshots sn"
                  " LEFT JOIN goroutine_groups g ON g.snapshot_id = sn.id"
                  " WHERE sn.kind = ?1 GROUP BY sn.id");
    q.bind(1, toString(kind));
    if (auto st = q.each([&] { total[q.id<SnapshotId>(0)] = q.i64(1); }); !st)
        return st;
    auto twinOf = [&](const SnapshotInfo& p) {
        for (const auto& f : snapshots)
            if (f.kind == kind && fullDump(f) && f.targetId == p.targetId && sameMoment(f, p) &&
                total[f.id] == total[p.id])
                return true;
        return false;
    };
    std::vector<SnapshotInfo> kept;
    kept.reserve(snapshots.size());
    for (auto& s : snapshots)
        if (s.kind != kind || fullDump(s) || !twinOf(s))
            kept.push_back(std::move(s));
    snapshots = std::move(kept);
    return {};
}

} // namespace memscope
