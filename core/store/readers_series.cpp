// SPDX-License-Identifier: GPL-3.0-or-later
// Rows the time lines, the report and the detectors are drawn from: sums per
// snapshot, GC cycles, metric points, counts of what a snapshot holds.
#include "store/case_store.h"
#include "store/case_validate.h"
#include "store/db.h"

namespace memscope {

namespace {

// The first column of the first row of a query on the snapshot bound as ?1.
Result<int64_t> countOf(Db& db, const char* sql, SnapshotId snapshotId) {
    Stmt q(db, sql);
    q.bind(1, snapshotId);
    auto row = q.next();
    if (!row)
        return row.error();
    return *row ? q.i64(0) : int64_t(0);
}

} // namespace

Result<std::vector<NamedCount>> CaseStore::flatByLeafFunction(SnapshotId snapshotId,
                                                              int sampleIndex) {
    static const char* columns[] = {"v0", "v1", "v2", "v3"};
    std::vector<NamedCount> out;
    if (sampleIndex < 0 || sampleIndex >= 4)
        return out;
    // The column name comes from the table above, never from input.
    std::string sql =
        std::string("SELECT n.value, SUM(s.") + columns[sampleIndex] +
        ") FROM samples s JOIN stacks st ON st.id = s.stack_id"
        " JOIN frames f ON f.id = st.frame_id JOIN functions fu ON fu.id = f.function_id"
        " JOIN strings n ON n.id = fu.name_id WHERE s.snapshot_id = ? GROUP BY n.value";
    Stmt q(*m_db, sql);
    q.bind(1, snapshotId);
    if (auto st = q.each([&] { out.push_back({q.text(0), q.i64(1)}); }); !st)
        return st.error();
    return out;
}

Result<std::vector<GoroutineStateCount>> CaseStore::goroutineCountsByState(SnapshotId snapshotId) {
    std::vector<GoroutineStateCount> out;
    Stmt q(*m_db, "SELECT state, role, SUM(count) FROM goroutine_groups WHERE snapshot_id = ?"
                  " GROUP BY state, role");
    q.bind(1, snapshotId);
    if (auto st = q.each([&] {
            out.push_back(
                {q.text(0), parseGoroutineRole(q.text(1)).value_or(GoroutineRole::None), q.i64(2)});
        });
        !st)
        return st.error();
    return out;
}

Result<std::vector<GcCycleRow>> CaseStore::gcCycles(SnapshotId snapshotId) {
    std::vector<GcCycleRow> out;
    Stmt q(
        *m_db,
        "SELECT at_s, heap_start_mb, heap_end_mb, heap_live_mb, goal_mb, stw_sweep_ms,"
        " stw_mark_ms, concurrent_ms, cpu_percent FROM gc_cycles WHERE snapshot_id = ? ORDER BY n");
    q.bind(1, snapshotId);
    if (auto st = q.each([&] {
            out.push_back({q.f64(0), q.f64(1), q.f64(2), q.f64(3), q.f64(4), q.f64(5), q.f64(6),
                           q.f64(7), q.f64(8)});
        });
        !st)
        return st.error();
    return out;
}

Status CaseStore::forEachMetricPoint(const std::function<void(const MetricPointRow&)>& onPoint) {
    Stmt q(*m_db, "SELECT sn.kind, mp.name, sn.time_ns, sn.id, mp.value, sn.target_id"
                  " FROM metric_points mp JOIN snapshots sn ON sn.id = mp.snapshot_id"
                  " ORDER BY sn.kind, mp.name, sn.target_id, sn.time_ns, sn.id");
    MetricPointRow row;
    std::string unknownKind; // checked when the case opened; a writer since may have added it
    auto st = q.each([&] {
        auto kind = parseSnapshotKind(q.text(0));
        if (!kind) {
            unknownKind = q.text(0);
            return;
        }
        row.kind = *kind;
        row.name = q.text(1);
        row.timeNs = q.i64(2);
        row.snapshotId = q.id<SnapshotId>(3);
        row.value = q.f64(4);
        row.targetId = q.id<TargetId>(5);
        onPoint(row);
    });
    if (st && !unknownKind.empty())
        return Error{ErrorCode::Format,
                     "damaged case: table snapshots: kind '" + truncateUtf8(unknownKind, 64) +
                         "' is not one memscope knows",
                     m_path,
                     {},
                     {}};
    return st;
}

Result<SnapshotCounts> CaseStore::snapshotCounts(const SnapshotInfo& s) {
    SnapshotCounts out;
    auto count = [&](int64_t& into, const char* sql) -> Status {
        auto n = countOf(*m_db, sql, s.id);
        if (!n)
            return n.error();
        into = *n;
        return {};
    };
    Status st;
    if (s.kind == SnapshotKind::Goroutines) {
        if (!(st = count(
                  out.goroutines,
                  "SELECT COALESCE(SUM(count),0) FROM goroutine_groups WHERE snapshot_id = ?")))
            return st.error();
        st = count(out.groups, "SELECT count(*) FROM goroutine_groups WHERE snapshot_id = ?");
    } else if (s.kind == SnapshotKind::Fds) {
        if (!(st = count(out.fds, "SELECT count(*) FROM fds WHERE snapshot_id = ?")))
            return st.error();
        if (!(st = count(out.tcpSockets,
                         "SELECT count(*) FROM fds WHERE snapshot_id = ? AND protocol = 'TCP'")))
            return st.error();
        auto fds = fdCounts(s.id);
        if (!fds)
            return fds.error();
        out.clientSocketsPerHost = std::move(fds->clientsByHost);
    } else if (s.kind == SnapshotKind::GcTrace) {
        st = count(out.gcCycles, "SELECT count(*) FROM gc_cycles WHERE snapshot_id = ?");
    } else if (s.kind == SnapshotKind::Escape) {
        st = count(out.notes, "SELECT count(*) FROM escape_notes WHERE snapshot_id = ?");
    } else if (holdsMetrics(s.kind)) {
        st = count(out.metrics, "SELECT count(*) FROM metric_points WHERE snapshot_id = ?");
    } else {
        st = count(out.samples, "SELECT count(*) FROM samples WHERE snapshot_id = ?");
    }
    if (!st)
        return st.error();
    return out;
}

Result<std::vector<EscapeNote>> CaseStore::escapeNotesMentioning(const std::string& text) {
    std::string pattern = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    pattern += '%';
    std::vector<EscapeNote> out;
    Stmt q(*m_db, "SELECT file, line, col, kind, message, detail FROM escape_notes"
                  " WHERE message LIKE ? ESCAPE '\\' ORDER BY file, line");
    q.bind(1, pattern);
    if (auto st = q.each([&] {
            out.push_back({q.text(0), q.i64(1), q.i64(2), q.text(3), q.text(4), q.text(5)});
        });
        !st)
        return st.error();
    return out;
}

} // namespace memscope
