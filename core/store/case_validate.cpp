// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/case_validate.h"
#include "store/db.h"

#include "model/goroutines.h"
#include "model/snapshot_kind.h"

#include <algorithm>
#include <vector>

namespace memscope {

namespace {

constexpr uint32_t kNoDominator = UINT32_MAX;

Result<bool> tableExists(Db& db, const char* table) {
    Stmt s(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, table);
    return s.next();
}

Error bad(Db& db, const std::string& what) {
    return Error{ErrorCode::Format, "damaged case: " + what, db.path(), {}, {}};
}

std::string n(int64_t v) { return std::to_string(v); }

// The first row whose `column` holds none of the names of an enum's table.
template <typename E, size_t N>
std::string unknownNameQuery(const char* select, const char* table, const char* column,
                             const NameTable<E, N>& names) {
    std::string sql =
        std::string("SELECT ") + select + " FROM " + table + " WHERE " + column + " NOT IN (";
    for (size_t i = 0; i < N; ++i)
        sql += std::string(i ? ", '" : "'") + names[i].second + "'";
    return sql + ") LIMIT 1";
}

std::string unknownName(const char* what, const std::string& value) {
    return std::string(": ") + what + " '" + truncateUtf8(value, 64) +
           "' is not one memscope knows";
}

// Runs a query that returns the first offending row, if any; `describe`
// words it. A query that fails is an error too: the check did not happen.
template <typename Describe>
Status firstBadRow(Db& db, const char* table, const char* sql, Describe describe) {
    auto exists = tableExists(db, table);
    if (!exists)
        return exists.error();
    if (!*exists)
        return {};
    Stmt s(db, sql);
    auto row = s.next();
    if (!row)
        return row.error();
    if (*row)
        return bad(db, std::string("table ") + table + ", " + describe(s));
    return {};
}

} // namespace

std::string truncateUtf8(std::string text, size_t max) {
    if (text.size() <= max)
        return text;
    size_t cut = max;
    // Back off continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
        --cut;
    text.resize(cut);
    return text;
}

std::string annotationLabel(const std::string& text) {
    constexpr size_t kMaxLabelBytes = 120;
    size_t eol = text.find('\n');
    std::string line =
        truncateUtf8(text.substr(0, std::min(eol, kMaxLabelBytes + 1)), kMaxLabelBytes);
    if (line.size() < text.size())
        line += "\u2026";
    return line;
}

Status checkCaseRows(Db& db) {
    if (auto st = firstBadRow(db, "heapdumps",
                              "SELECT snapshot_id, objects, edges, roots FROM heapdumps"
                              " WHERE typeof(objects) <> 'integer' OR typeof(edges) <> 'integer' "
                              "OR typeof(roots) <> 'integer'"
                              " OR objects < 0 OR edges < 0 OR roots < 0 OR edges > 4294967294 OR "
                              "objects + roots >= 4294967294 LIMIT 1",
                              [](Stmt& s) {
                                  return "row for snapshot " + n(s.i64(0)) + ": objects " +
                                         s.text(1) + ", edges " + s.text(2) + ", roots " +
                                         s.text(3) + " are not counts a heap graph can have";
                              });
        !st)
        return st;
    // Each memprof bucket of a dump is one row, numbered 0..n-1.
    if (auto st = firstBadRow(
            db, "heapdump_sites",
            "SELECT s.rowid, s.snapshot_id, s.bucket, n.c FROM heapdump_sites s JOIN"
            " (SELECT snapshot_id, count(*) AS c FROM heapdump_sites GROUP BY snapshot_id) n"
            " ON n.snapshot_id = s.snapshot_id"
            " WHERE typeof(s.bucket) <> 'integer' OR s.bucket < 0 OR s.bucket >= n.c"
            " OR typeof(s.stack_id) <> 'integer' LIMIT 1",
            [](Stmt& s) {
                return "row " + n(s.i64(0)) + " (snapshot " + n(s.i64(1)) + "): bucket " +
                       s.text(2) + " is not one of the dump's " + n(s.i64(3)) + " sites";
            });
        !st)
        return st;
    if (auto st = firstBadRow(db, "heapdump_sites",
                              "SELECT min(rowid), snapshot_id, bucket FROM heapdump_sites"
                              " GROUP BY snapshot_id, bucket HAVING count(*) > 1 LIMIT 1",
                              [](Stmt& s) {
                                  return "row " + n(s.i64(0)) + " (snapshot " + n(s.i64(1)) +
                                         "): bucket " + n(s.i64(2)) + " appears more than once";
                              });
        !st)
        return st;
    if (auto st = firstBadRow(db, "heapdump_roots",
                              "SELECT r.rowid, r.snapshot_id, r.idx, h.roots FROM heapdump_roots r"
                              " LEFT JOIN heapdumps h ON h.snapshot_id = r.snapshot_id"
                              " WHERE h.roots IS NULL OR typeof(r.idx) <> 'integer' OR r.idx < 0 "
                              "OR r.idx >= h.roots LIMIT 1",
                              [](Stmt& s) {
                                  if (s.isNull(3))
                                      return "row " + n(s.i64(0)) + ": snapshot " + n(s.i64(1)) +
                                             " has no heapdumps row";
                                  return "row " + n(s.i64(0)) + " (snapshot " + n(s.i64(1)) +
                                         "): idx " + s.text(2) + " is not one of the dump's " +
                                         n(s.i64(3)) + " roots";
                              });
        !st)
        return st;
    if (auto st = firstBadRow(
            db, "heapdump_root_sites",
            "SELECT e.rowid, e.snapshot_id, e.root_idx, e.bucket, h.roots, COALESCE(n.c, 0)"
            " FROM heapdump_root_sites e LEFT JOIN heapdumps h ON h.snapshot_id = e.snapshot_id"
            " LEFT JOIN (SELECT snapshot_id, count(*) AS c FROM heapdump_sites GROUP BY "
            "snapshot_id) n"
            " ON n.snapshot_id = e.snapshot_id"
            " WHERE h.roots IS NULL OR typeof(e.root_idx) <> 'integer' OR typeof(e.bucket) <> "
            "'integer'"
            " OR e.root_idx < -1 OR e.root_idx >= h.roots OR e.bucket < 0 OR e.bucket >= "
            "COALESCE(n.c, 0)"
            " LIMIT 1",
            [](Stmt& s) {
                if (s.isNull(4))
                    return "row " + n(s.i64(0)) + ": snapshot " + n(s.i64(1)) +
                           " has no heapdumps row";
                return "row " + n(s.i64(0)) + " (snapshot " + n(s.i64(1)) + "): root_idx " +
                       s.text(2) + " and bucket " + s.text(3) + " must name one of the dump's " +
                       n(s.i64(4)) + " roots (or -1) and " + n(s.i64(5)) + " sites";
            });
        !st)
        return st;
    // Every snapshot names a program of the case (series and reports look its
    // name up by id).
    if (auto st = firstBadRow(db, "snapshots",
                              "SELECT id, target_id FROM snapshots WHERE target_id NOT IN"
                              " (SELECT id FROM targets) LIMIT 1",
                              [](Stmt& s) {
                                  return "row id " + n(s.i64(0)) + ": target_id " + s.text(1) +
                                         " names no program of the case";
                              });
        !st)
        return st;
    // Every snapshot is of a kind memscope knows, and every goroutine group's
    // role too ("" for none): readers and views switch on them.
    static const std::string kUnknownKind =
        unknownNameQuery("id, kind", "snapshots", "kind", kSnapshotKindNames);
    if (auto st = firstBadRow(
            db, "snapshots", kUnknownKind.c_str(),
            [](Stmt& s) { return "row id " + n(s.i64(0)) + unknownName("kind", s.text(1)); });
        !st)
        return st;
    static const std::string kUnknownRole =
        unknownNameQuery("snapshot_id, idx, role", "goroutine_groups", "role", kGoroutineRoleNames);
    if (auto st = firstBadRow(db, "goroutine_groups", kUnknownRole.c_str(),
                              [](Stmt& s) {
                                  return "row of snapshot " + n(s.i64(0)) + ", idx " + s.text(1) +
                                         unknownName("role", s.text(2));
                              });
        !st)
        return st;
    if (auto st = firstBadRow(
            db, "sample_types",
            "SELECT snapshot_id, count(*), min(idx), max(idx) FROM sample_types GROUP BY "
            "snapshot_id"
            " HAVING count(*) > 64 OR min(idx) <> 0 OR max(idx) <> count(*) - 1 LIMIT 1",
            [](Stmt& s) {
                return "rows of snapshot " + n(s.i64(0)) + ": " + n(s.i64(1)) +
                       " sample types numbered " + n(s.i64(2)) + ".." + n(s.i64(3)) + " (at most " +
                       n(kMaxSampleTypes) + ", numbered from 0)";
            });
        !st)
        return st;
    if (auto st = firstBadRow(
            db, "goroutine_groups",
            "SELECT snapshot_id, idx FROM goroutine_groups WHERE typeof(idx) <> 'integer'"
            " OR idx < 0 OR idx > 4294967294 OR count < 0 LIMIT 1",
            [](Stmt& s) {
                return "row of snapshot " + n(s.i64(0)) + ", idx " + s.text(1) +
                       ": index or count out of range";
            });
        !st)
        return st;
    return {};
}

Status checkStackTrieOrder(Db& db) {
    // Stacks are interned parent first, so a parent's id is always smaller:
    // checking that proves the trie has no cycle.
    return firstBadRow(db, "stacks",
                       "SELECT id, parent_id FROM stacks WHERE typeof(parent_id) <> 'integer'"
                       " OR parent_id < 0 OR parent_id >= id LIMIT 1",
                       [](Stmt& s) {
                           return "row id " + n(s.i64(0)) + ": parent_id " + s.text(1) +
                                  " does not come before the node (the stack would loop)";
                       });
}

uint64_t storedHeapGraphArrayBytes(const HeapGraphBounds& b) {
    const uint64_t o = b.objects, e = b.edges, r = b.roots, nodes = 1 + r + o;
    uint64_t bytes = 8 + 14 * 8;                // magic, vector lengths, root count
    bytes += o * (8 + 4 + 16 + 4 + 4 + 4) + 4;  // addr, size, huge, edgeStart, bucket, shape
    bytes += e * 4;                             // edges
    bytes += r * (1 + 4 + 4 + 8) + 4 * (r + 1); // roots, rootEdgeStart
    bytes += nodes * (4 + 8);                   // idom, retained
    return bytes;
}

uint64_t maxStoredHeapGraphBytes(const HeapGraphBounds& b) {
    // Root names and details, and root edges (a slot each, plus what a
    // registered finalizer's object points to): not counted in the row.
    uint64_t slack = b.roots * 8192 + 4 * (b.edges + b.objects) + (uint64_t(256) << 20);
    return storedHeapGraphArrayBytes(b) + slack;
}

Status validateStoredHeapGraph(const StoredHeapGraph& sg, const HeapGraphBounds& b) {
    const HeapGraph& g = sg.graph;
    const std::string where = "table heapdump_graph, snapshot " + n(b.snapshotId.value) + ": ";
    auto fail = [&](const std::string& what) {
        return Error{ErrorCode::Format, "damaged case: " + where + what, {}, {}, {}};
    };
    if (g.objects() != b.objects || g.edges.size() != b.edges || g.roots.size() != b.roots)
        return fail("the graph holds " + n(int64_t(g.objects())) + " objects, " +
                    n(int64_t(g.edges.size())) + " edges and " + n(int64_t(g.roots.size())) +
                    " roots; its heapdumps row says " + n(int64_t(b.objects)) + ", " +
                    n(int64_t(b.edges)) + " and " + n(int64_t(b.roots)));
    const size_t nodes = g.nodes();
    if (sg.dom.idom.size() != nodes || sg.dom.retained.size() != nodes ||
        sg.objectBucket.size() != g.objects())
        return fail("dominator arrays do not match the graph");
    for (size_t o = 0; o < sg.objectBucket.size(); ++o)
        if (int32_t bk = sg.objectBucket[o]; bk < -1 || (bk >= 0 && uint64_t(bk) >= b.sites))
            return fail("object " + n(int64_t(o)) + " names site " + n(bk) + " of " +
                        n(int64_t(b.sites)));
    const auto& idom = sg.dom.idom;
    if (idom[0] != 0)
        return fail("node 0 (all roots) has dominator " + n(idom[0]) + ", not itself");

    // Reachable from node 0 through the graph the dominators were computed on.
    std::vector<uint8_t> reached(nodes, 0);
    std::vector<uint32_t> queue{0};
    reached[0] = 1;
    for (size_t i = 0; i < queue.size(); ++i)
        g.forEachSuccessor(queue[i], [&](uint32_t w) {
            if (!reached[w]) {
                reached[w] = 1;
                queue.push_back(w);
            }
        });
    for (size_t v = 1; v < nodes; ++v) {
        bool hasDominator = idom[v] != kNoDominator;
        if (hasDominator != bool(reached[v]))
            return fail("node " + n(int64_t(v)) +
                        (reached[v] ? " is reachable but has no dominator"
                                    : " is unreachable but has a dominator"));
        if (hasDominator && idom[v] >= nodes)
            return fail("node " + n(int64_t(v)) + " has dominator " + n(idom[v]) +
                        ", past the graph's " + n(int64_t(nodes)) + " nodes");
        if (hasDominator && v <= g.roots.size() && idom[v] != 0)
            return fail("root node " + n(int64_t(v)) + " has dominator " + n(idom[v]) +
                        ", not node 0");
    }
    // Following idom from every reachable node ends at node 0: no cycle, no
    // node dominating itself, no step onto an unreachable node.
    std::vector<uint8_t> state(nodes, 0); // 0 unseen, 1 on the current walk, 2 reaches node 0
    state[0] = 2;
    std::vector<uint32_t> walk;
    for (size_t start = 1; start < nodes; ++start) {
        if (idom[start] == kNoDominator || state[start] == 2)
            continue;
        walk.clear();
        uint32_t v = uint32_t(start);
        while (state[v] == 0) {
            state[v] = 1;
            walk.push_back(v);
            v = idom[v];
            if (v == kNoDominator)
                return fail("the dominator chain of node " + n(int64_t(start)) +
                            " reaches unreachable node " + n(walk.back()));
        }
        if (state[v] == 1)
            return fail("dominators form a cycle through node " + n(v));
        for (uint32_t w : walk)
            state[w] = 2;
    }
    return {};
}

} // namespace memscope
