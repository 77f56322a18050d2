// SPDX-License-Identifier: GPL-3.0-or-later
// Goroutine dumps read back: the groups and the goroutines of a group.
#include "store/case_store.h"

#include "store/db.h"
#include "store/store_internal.h"

#include <algorithm>

namespace memscope {

using store_internal::getVarint;

Result<std::vector<CaseStore::GoroutineGroupRow>>
CaseStore::goroutineGroups(SnapshotId snapshotId) {
    std::vector<GoroutineGroupRow> out;
    Stmt s(*m_db, "SELECT idx, count, locked, min_wait_minutes, max_wait_minutes, exact_variants,"
                  " state, role, stack_id, created_by_frame, leaked, labels, elided_frames,"
                  " elided_at FROM goroutine_groups"
                  " WHERE snapshot_id = ? ORDER BY count DESC, idx");
    Stmt frame(*m_db,
               "SELECT n.value, fl.value, f.line FROM frames f"
               " JOIN functions fu ON fu.id = f.function_id JOIN strings n ON n.id = fu.name_id"
               " JOIN strings fl ON fl.id = fu.file_id WHERE f.id = ?");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row) {
        GoroutineGroupRow r;
        r.index = s.i64(0);
        r.count = s.i64(1);
        r.locked = s.i64(2);
        r.minWait = s.i64(3);
        r.maxWait = s.i64(4);
        r.exactVariants = s.i64(5);
        r.state = s.text(6);
        r.role = parseGoroutineRole(s.text(7)).value_or(GoroutineRole::None);
        auto stack = stackText(s.id<StackId>(8));
        if (!stack)
            return stack.error();
        r.stack = std::move(*stack);
        r.leaked = s.i64(10) != 0;
        const std::string packed = s.text(11);
        for (size_t pos = 0; pos < packed.size();) {
            size_t end = std::min(packed.find('\x1e', pos), packed.size());
            size_t us = packed.find('\x1f', pos);
            if (us < end)
                r.labels.emplace_back(packed.substr(pos, us - pos),
                                      packed.substr(us + 1, end - us - 1));
            pos = end + 1;
        }
        if (int64_t n = s.i64(12); n != 0) {
            size_t at = size_t(std::clamp<int64_t>(s.i64(13), 0, int64_t(r.stack.size())));
            r.stack.insert(r.stack.begin() + ptrdiff_t(at),
                           n > 0 ? "..." + std::to_string(n) + " frames elided..."
                                 : std::string("...additional frames elided..."));
        }
        if (int64_t cf = s.i64(9)) {
            frame.bind(1, cf);
            auto row = frame.next();
            if (!row)
                return row.error();
            if (*row)
                r.createdBy =
                    frame.text(0) + " " + frame.text(1) + ":" + std::to_string(frame.i64(2));
            frame.reset();
        }
        out.push_back(std::move(r));
    }
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<GoroutineRecord>> CaseStore::goroutineMembers(SnapshotId snapshotId,
                                                                 int64_t groupIndex) {
    std::vector<GoroutineRecord> out;
    Stmt s(*m_db, "SELECT members FROM goroutine_groups WHERE snapshot_id = ? AND idx = ?");
    s.bind(1, snapshotId).bind(2, groupIndex);
    auto row = s.next();
    if (!row)
        return row.error();
    if (*row) {
        std::string_view in = s.blob(0);
        int64_t id = 0;
        uint64_t d, wait, parent, locked;
        while (!in.empty() && getVarint(in, d) && getVarint(in, wait) && getVarint(in, parent) &&
               getVarint(in, locked)) {
            id += int64_t(d);
            out.push_back(
                {id, uint32_t(groupIndex), int64_t(wait) - 1, int64_t(parent), locked != 0});
        }
    }
    if (out.empty()) {
        // Cases written before schema 7 keep a row per goroutine.
        Stmt rows(*m_db, "SELECT goid, wait_minutes, parent_goid, locked FROM goroutines"
                         " WHERE snapshot_id = ? AND group_idx = ? ORDER BY goid");
        rows.bind(1, snapshotId).bind(2, groupIndex);
        while (rows.step() == Step::Row)
            out.push_back(
                {rows.i64(0), uint32_t(groupIndex), rows.i64(1), rows.i64(2), rows.i64(3) != 0});
        if (!rows.status())
            return rows.status().error();
    }
    return out;
}

} // namespace memscope
