// SPDX-License-Identifier: GPL-3.0-or-later
// Heap dumps read back: the summary, roots, allocation sites, finalizers
// and the stored graph.
#include "store/case_store.h"

#include "store/case_validate.h"
#include "store/db.h"

namespace memscope {

Result<std::optional<CaseStore::HeapDumpInfo>> CaseStore::heapDump(SnapshotId snapshotId) {
    Stmt s(*m_db,
           "SELECT go_version, ptr_size, objects, bytes, edges, reachable_objects, reachable_bytes,"
           " sampled_objects, sampled_bytes, sampled_retained_bytes, finalizers_registered,"
           " finalizers_queued, finalizer_retained_bytes, goroutines, roots, record_counts,"
           " symbols_from FROM heapdumps WHERE snapshot_id = ?");
    s.bind(1, snapshotId);
    auto row = s.next();
    if (!row)
        return row.error();
    if (!*row)
        return std::optional<HeapDumpInfo>();
    HeapDumpInfo h;
    h.snapshotId = snapshotId;
    h.goVersion = s.text(0);
    h.ptrSize = s.i64(1);
    h.objects = s.i64(2);
    h.bytes = s.i64(3);
    h.edges = s.i64(4);
    h.reachableObjects = s.i64(5);
    h.reachableBytes = s.i64(6);
    h.sampledObjects = s.i64(7);
    h.sampledBytes = s.i64(8);
    h.sampledRetainedBytes = s.i64(9);
    h.finalizersRegistered = s.i64(10);
    h.finalizersQueued = s.i64(11);
    h.finalizerRetainedBytes = s.i64(12);
    h.goroutines = s.i64(13);
    h.roots = s.i64(14);
    h.recordCounts = s.text(15);
    h.symbolsFrom = s.text(16);
    return std::optional<HeapDumpInfo>(std::move(h));
}

Result<std::vector<CaseStore::HeapRootRow>> CaseStore::heapDumpRoots(SnapshotId snapshotId,
                                                                     size_t limit) {
    std::vector<HeapRootRow> out;
    Stmt s(*m_db,
           "SELECT idx, kind, name, detail, direct_objects, retained_bytes, retained_objects"
           " FROM heapdump_roots WHERE snapshot_id = ? ORDER BY retained_bytes DESC, idx LIMIT ?");
    s.bind(1, snapshotId).bind(2, limit ? int64_t(limit) : int64_t(-1));
    while (s.step() == Step::Row)
        out.push_back({s.i64(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5), s.i64(6)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<CaseStore::HeapSiteRow>> CaseStore::heapDumpSites(SnapshotId snapshotId) {
    std::vector<HeapSiteRow> out;
    Stmt s(*m_db, "SELECT bucket, stack_id, size, allocs, frees, sampled_objects, sampled_bytes,"
                  " retained_bytes FROM heapdump_sites WHERE snapshot_id = ?"
                  " ORDER BY retained_bytes DESC, sampled_bytes DESC, bucket");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row) {
        HeapSiteRow r{s.i64(0), s.id<StackId>(1), s.i64(2), s.i64(3), s.i64(4),
                      s.i64(5), s.i64(6),         s.i64(7), {},       {}};
        out.push_back(std::move(r));
    }
    if (!s.status())
        return s.status().error();
    for (auto& r : out) {
        auto stack = stackText(r.stackId);
        if (!stack)
            return stack.error();
        r.stack = std::move(*stack);
        if (!r.stack.empty())
            r.function = r.stack.front().substr(0, r.stack.front().find(' '));
    }
    return out;
}

Result<std::vector<CaseStore::HeapFinalizerRow>>
CaseStore::heapDumpFinalizers(SnapshotId snapshotId) {
    std::vector<HeapFinalizerRow> out;
    Stmt s(*m_db, "SELECT function, pc, registered, queued, retained_bytes FROM heapdump_finalizers"
                  " WHERE snapshot_id = ? ORDER BY registered + queued DESC, function");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<CaseStore::HeapRootSiteRow>>
CaseStore::heapDumpRootSites(SnapshotId snapshotId) {
    std::vector<HeapRootSiteRow> out;
    Stmt s(*m_db, "SELECT root_idx, bucket, retained_bytes, objects FROM heapdump_root_sites"
                  " WHERE snapshot_id = ? ORDER BY retained_bytes DESC");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.push_back({s.i64(0), s.i64(1), s.i64(2), s.i64(3)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<StoredHeapGraph> CaseStore::loadHeapGraph(SnapshotId snapshotId) {
    // The counts the graph must have come from its heapdumps row; they bound
    // what the blob may decode to before a byte of it is allocated.
    HeapGraphBounds bounds;
    bounds.snapshotId = snapshotId;
    {
        Stmt h(*m_db, "SELECT objects, edges, roots, (SELECT count(*) FROM heapdump_sites WHERE "
                      "snapshot_id = ?1)"
                      " FROM heapdumps WHERE snapshot_id = ?1");
        h.bind(1, snapshotId);
        auto row = h.next();
        if (!row)
            return row.error();
        if (!*row) {
            return makeError(ErrorCode::Usage, "snapshot " + std::to_string(snapshotId.value) +
                                                   " is not a heap dump");
        }
        // Ranges checked when the case opened.
        bounds.objects = uint64_t(h.i64(0));
        bounds.edges = uint64_t(h.i64(1));
        bounds.roots = uint64_t(h.i64(2));
        bounds.sites = uint64_t(h.i64(3));
    }
    const uint64_t maxBytes = maxStoredHeapGraphBytes(bounds);
    std::string where = "table heapdump_graph, snapshot " + std::to_string(snapshotId.value);
    if (long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE); pages > 0 && page > 0) {
        // The arrays alone, held twice while they decode.
        uint64_t need = 2 * storedHeapGraphArrayBytes(bounds);
        if (need > uint64_t(pages) * uint64_t(page))
            return Error{ErrorCode::Limit,
                         where + ": a graph of " + std::to_string(bounds.objects) +
                             " objects and " + std::to_string(bounds.edges) +
                             " edges needs more memory than this machine has",
                         m_path,
                         {},
                         {}};
    }
    Stmt s(*m_db, "SELECT data FROM heapdump_graph WHERE snapshot_id = ? ORDER BY seq");
    s.bind(1, snapshotId);
    std::string blob;
    bool any = false;
    while (s.step() == Step::Row) {
        any = true;
        auto b = s.blob(0);
        if (blob.size() + b.size() > maxBytes)
            return Error{ErrorCode::Format,
                         "damaged case: " + where + ": larger than its heapdumps row allows",
                         m_path,
                         {},
                         {}};
        blob.append(b.data(), b.size());
    }
    if (!s.status())
        return s.status().error();
    if (!any)
        return makeError(ErrorCode::Usage,
                         "snapshot " + std::to_string(snapshotId.value) + " is not a heap dump");
    // Real graphs shrink 5 to 8 times under zstd; a blob that would grow
    // hundreds of times is a decompression bomb, whatever its row says.
    constexpr uint64_t kMaxRatio = 256;
    const uint64_t decodeCap =
        std::min(maxBytes, uint64_t(blob.size()) * kMaxRatio + (uint64_t(1) << 20));
    try {
        auto g = decodeHeapGraph(blob, decodeCap);
        if (!g)
            return Error{g.error().code,
                         "damaged case: " + where + ": " + g.error().message,
                         m_path,
                         {},
                         {}};
        if (auto st = validateStoredHeapGraph(*g, bounds); !st)
            return st.error().withFile(m_path);
        return g;
    } catch (const std::bad_alloc&) {
        return Error{
            ErrorCode::Limit, where + ": not enough memory to load the graph", m_path, {}, {}};
    }
}

} // namespace memscope
