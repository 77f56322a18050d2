// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/heapdiff/heapdiff.h"

#include "analysis/heapgraph/dominators.h"
#include "base/format.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <unordered_map>

namespace memscope {

namespace {

// Go's size classes end at 32 KiB; larger objects get a span of their own and
// are grouped by the power of two their size falls under.
constexpr uint64_t kMaxSmallSize = 32768;

// The objects in address order: empty when the graph already is (graphs are
// written in the dump's span order, which is mostly but not always ascending).
std::vector<uint32_t> addressOrder(const HeapGraph& g) {
    if (std::is_sorted(g.addr.begin(), g.addr.end()))
        return {};
    std::vector<uint32_t> order(g.objects());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return g.addr[a] < g.addr[b]; });
    return order;
}

// What one walk of a dump's dominator tree learns: the root entity that
// alone dominates each node (0: several, kNoNode: unreachable), whether a
// sampled object is dominated by another of its own site (its bytes are
// counted there), and with `survivor` set the survivor bytes under each node.
struct DomWalk {
    std::vector<uint32_t> rootOf;
    std::vector<uint8_t> nestedSame;
    std::vector<uint64_t> survivorRetained;
};

DomWalk walkDominators(const StoredHeapGraph& sg, const std::vector<int32_t>& siteKey,
                       const std::vector<uint8_t>* survivor) {
    const HeapGraph& g = sg.graph;
    const Dominators& dom = sg.dom;
    const size_t n = g.nodes();
    DomWalk w;
    w.rootOf.assign(n, kNoNode);
    w.nestedSame.assign(g.objects(), 0);
    if (survivor)
        w.survivorRetained.assign(n, 0);
    if (dom.idom.size() != n)
        return w;
    int32_t maxKey = -1;
    for (int32_t k : siteKey)
        maxKey = std::max(maxKey, k);
    std::vector<uint32_t> onPath(size_t(maxKey + 1), 0);
    auto keyOf = [&](uint32_t v) -> int32_t {
        if (!g.isObjectNode(v))
            return -1;
        int32_t b = sg.objectBucket.empty() ? -1 : sg.objectBucket[g.nodeObject(v)];
        return b >= 0 && size_t(b) < siteKey.size() ? siteKey[size_t(b)] : -1;
    };
    auto enter = [&](uint32_t v) {
        uint32_t p = dom.idom[v];
        w.rootOf[v] = p == 0 ? (g.isObjectNode(v) ? 0 : v) : w.rootOf[p];
        if (survivor && g.isObjectNode(v) && (*survivor)[g.nodeObject(v)])
            w.survivorRetained[v] = g.objectSize(g.nodeObject(v));
        if (int32_t k = keyOf(v); k >= 0) {
            w.nestedSame[g.nodeObject(v)] = onPath[size_t(k)] != 0;
            onPath[size_t(k)]++;
        }
    };
    auto leave = [&](uint32_t v) {
        if (int32_t k = keyOf(v); k >= 0)
            onPath[size_t(k)]--;
        if (survivor && v != 0)
            w.survivorRetained[dom.idom[v]] += w.survivorRetained[v];
    };
    w.rootOf[0] = 0;
    walkDominatorTree(dom.idom, enter, leave);
    return w;
}

// Rows keyed by name, and the row each root, bucket or size maps to.
class Groups {
public:
    explicit Groups(const char* kind) : m_kind(kind) {}
    uint32_t row(const std::string& kind, const std::string& name) {
        auto [it, fresh] = m_index.try_emplace(kind + '\x1f' + name, uint32_t(m_rows.size()));
        if (fresh) {
            HeapDiffGroup r;
            r.kind = kind;
            r.name = name;
            m_rows.push_back(std::move(r));
        }
        return it->second;
    }
    uint32_t row(const std::string& name) { return row(m_kind, name); }
    HeapDiffGroup& operator[](uint32_t i) { return m_rows[i]; }
    std::vector<HeapDiffGroup> take() { return std::move(m_rows); }

private:
    std::string m_kind;
    std::unordered_map<std::string, uint32_t> m_index;
    std::vector<HeapDiffGroup> m_rows;
};

std::string sizeClassName(uint64_t size) {
    if (size <= kMaxSmallSize)
        return formatValue(int64_t(size), "bytes");
    uint64_t lo = kMaxSmallSize;
    while (lo * 2 < size && lo < (uint64_t(1) << 62))
        lo *= 2;
    return "large, " + formatValue(int64_t(lo), "bytes") + " to " +
           formatValue(int64_t(lo * 2), "bytes");
}

// Size class rows without a hash lookup per object: a direct table for the
// small sizes, one entry per power of two above.
class SizeRows {
public:
    explicit SizeRows(Groups& groups) : m_groups(groups), m_small(kMaxSmallSize + 1, kNoNode) {}
    uint32_t row(uint64_t size) {
        uint32_t* slot;
        if (size <= kMaxSmallSize) {
            slot = &m_small[size];
        } else {
            int bit = 63 - __builtin_clzll(size - 1);
            slot = &m_large[size_t(bit)];
        }
        if (*slot == kNoNode)
            *slot = m_groups.row(sizeClassName(size));
        return *slot;
    }

private:
    Groups& m_groups;
    std::vector<uint32_t> m_small;
    uint32_t m_large[64] = {kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode,
                            kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode, kNoNode};
};

// The row of each root entity (by kind and name), plus the shared and the
// unreachable rows, for one dump.
std::vector<uint32_t> rootRows(const HeapGraph& g, Groups& roots) {
    std::vector<uint32_t> rows(g.roots.size() + 1);
    rows[0] = roots.row("", kSharedRootName);
    for (size_t r = 0; r < g.roots.size(); ++r)
        rows[r + 1] = roots.row(rootKindName(g.roots[r].kind), g.roots[r].name);
    return rows;
}

std::vector<uint32_t> siteRows(const HeapDiffSide& side, Groups& sites) {
    std::vector<uint32_t> rows(side.siteKey.size());
    for (size_t b = 0; b < rows.size(); ++b)
        rows[b] = sites.row(b < side.siteName.size() ? side.siteName[b] : "?");
    return rows;
}

} // namespace

HeapObjectDiff diffHeapObjects(const HeapDiffSide& baseSide, const HeapDiffSide& nowSide) {
    const StoredHeapGraph& A = *baseSide.graph;
    const StoredHeapGraph& B = *nowSide.graph;
    const HeapGraph& ga = A.graph;
    const HeapGraph& gb = B.graph;
    HeapObjectDiff d;
    d.shapesCompared = ga.shape.size() == ga.objects() && gb.shape.size() == gb.objects();

    // The merge: both sides in address order, one step each.
    const std::vector<uint32_t> orderA = addressOrder(ga), orderB = addressOrder(gb);
    auto atA = [&](size_t i) { return orderA.empty() ? uint32_t(i) : orderA[i]; };
    auto atB = [&](size_t j) { return orderB.empty() ? uint32_t(j) : orderB[j]; };
    auto bucketOf = [](const StoredHeapGraph& s, uint32_t o) {
        return s.objectBucket.empty() ? -1 : s.objectBucket[o];
    };
    auto siteOf = [&](const HeapDiffSide& side, const StoredHeapGraph& s, uint32_t o) {
        int32_t b = bucketOf(s, o);
        return b >= 0 && size_t(b) < side.siteKey.size() ? side.siteKey[size_t(b)] : -1;
    };
    auto same = [&](uint32_t a, uint32_t b) {
        if (ga.objectSize(a) != gb.objectSize(b))
            return false;
        if (d.shapesCompared) {
            if (ga.shape[a] != gb.shape[b])
                return false;
        } else if (ga.edgeStart[a + 1] - ga.edgeStart[a] != gb.edgeStart[b + 1] - gb.edgeStart[b]) {
            return false;
        }
        int32_t sa = siteOf(baseSide, A, a), sb = siteOf(nowSide, B, b);
        return sa < 0 || sb < 0 || sa == sb;
    };
    std::vector<uint8_t> survivorA(ga.objects(), 0);
    d.survivorNow.assign(gb.objects(), 0);
    for (size_t i = 0, j = 0; i < ga.objects() && j < gb.objects();) {
        uint32_t a = atA(i), b = atB(j);
        if (ga.addr[a] < gb.addr[b]) {
            ++i;
        } else if (ga.addr[a] > gb.addr[b]) {
            ++j;
        } else {
            if (same(a, b))
                survivorA[a] = d.survivorNow[b] = 1;
            else
                d.reused++;
            ++i;
            ++j;
        }
    }

    // Where each object of each dump belongs, and what each root retains.
    const DomWalk walkA = walkDominators(A, baseSide.siteKey, nullptr);
    DomWalk walkB = walkDominators(B, nowSide.siteKey, &d.survivorNow);
    Groups roots(""), sites("site"), sizes("size");
    SizeRows sizeRows(sizes);
    const std::vector<uint32_t> rootRowA = rootRows(ga, roots), rootRowB = rootRows(gb, roots);
    const uint32_t unreachableRow = roots.row("", kUnreachableName);
    const std::vector<uint32_t> siteRowA = siteRows(baseSide, sites),
                                siteRowB = siteRows(nowSide, sites);
    const uint32_t unsampledRow = sites.row(kUnsampledName);
    auto rootRow = [&](const DomWalk& w, const std::vector<uint32_t>& rows, uint32_t node) {
        uint32_t r = w.rootOf[node];
        return r == kNoNode ? unreachableRow : rows[r];
    };
    auto siteRow = [&](const StoredHeapGraph& s, const std::vector<uint32_t>& rows, uint32_t o) {
        int32_t b = bucketOf(s, o);
        return b >= 0 && size_t(b) < rows.size() ? rows[size_t(b)] : unsampledRow;
    };

    for (uint32_t o = 0; o < ga.objects(); ++o) {
        uint32_t v = ga.objectNode(o);
        uint64_t size = ga.objectSize(o);
        uint32_t site = siteRow(A, siteRowA, o);
        if (A.dom.idom[v] != kNoNode && !walkA.nestedSame[o] && site != unsampledRow)
            sites[site].retainedBase += A.dom.retained[v];
        if (survivorA[o])
            continue;
        d.freed.add(size);
        roots[rootRow(walkA, rootRowA, v)].freed.add(size);
        sites[site].freed.add(size);
        sizes[sizeRows.row(size)].freed.add(size);
    }
    std::vector<uint64_t> bestNew(0);
    for (uint32_t o = 0; o < gb.objects(); ++o) {
        uint32_t v = gb.objectNode(o);
        uint64_t size = gb.objectSize(o);
        bool survivor = d.survivorNow[o];
        (survivor ? d.survivors : d.added).add(size);
        uint32_t rr = rootRow(walkB, rootRowB, v), site = siteRow(B, siteRowB, o);
        auto& root = roots[rr];
        (survivor ? root.survivors : root.added).add(size);
        (survivor ? sites[site].survivors : sites[site].added).add(size);
        auto& sc = sizes[sizeRows.row(size)];
        (survivor ? sc.survivors : sc.added).add(size);
        if (B.dom.idom[v] == kNoNode)
            continue;
        // The new object a user would look at first: the one retaining most.
        if (!survivor) {
            if (bestNew.size() <= rr)
                bestNew.resize(rr + 1, 0);
            if (B.dom.retained[v] > bestNew[rr] || root.exampleNew == 0) {
                bestNew[rr] = B.dom.retained[v];
                root.exampleNew = gb.addr[o];
            }
        }
        if (!walkB.nestedSame[o] && site != unsampledRow) {
            sites[site].retainedNow += B.dom.retained[v];
            sites[site].retainedSurvivors += walkB.survivorRetained[v];
        }
        if (walkB.rootOf[v] == 0 && B.dom.idom[v] == 0) {
            roots[rootRowB[0]].retainedNow += B.dom.retained[v];
            roots[rootRowB[0]].retainedSurvivors += walkB.survivorRetained[v];
        }
    }
    for (uint32_t o = 0; o < ga.objects(); ++o) {
        uint32_t v = ga.objectNode(o);
        if (A.dom.idom[v] == 0)
            roots[rootRowA[0]].retainedBase += A.dom.retained[v];
    }
    for (uint32_t r = 1; r <= ga.roots.size(); ++r)
        if (r < A.dom.retained.size())
            roots[rootRowA[r]].retainedBase += A.dom.retained[r];
    for (uint32_t r = 1; r <= gb.roots.size(); ++r)
        if (r < B.dom.retained.size()) {
            roots[rootRowB[r]].retainedNow += B.dom.retained[r];
            roots[rootRowB[r]].retainedSurvivors += walkB.survivorRetained[r];
        }
    d.survivorRetained = std::move(walkB.survivorRetained);

    // Largest change first: retained bytes for roots and sites, then the
    // objects' bytes; size classes by the bytes they gained or lost.
    auto changed = [](const HeapDiffGroup& g) {
        return std::llabs(g.retainedDelta()) +
               std::llabs(int64_t(g.added.bytes) - int64_t(g.freed.bytes));
    };
    auto keep = [](const HeapDiffGroup& g) {
        return g.survivors.objects || g.added.objects || g.freed.objects || g.retainedBase ||
               g.retainedNow;
    };
    auto finish = [&](Groups& groups, bool byRetained) {
        std::vector<HeapDiffGroup> rows = groups.take();
        rows.erase(
            std::remove_if(rows.begin(), rows.end(), [&](const auto& g) { return !keep(g); }),
            rows.end());
        std::sort(rows.begin(), rows.end(), [&](const HeapDiffGroup& a, const HeapDiffGroup& b) {
            int64_t ka = byRetained ? std::llabs(a.retainedDelta()) : 0,
                    kb = byRetained ? std::llabs(b.retainedDelta()) : 0;
            if (ka != kb)
                return ka > kb;
            if (changed(a) != changed(b))
                return changed(a) > changed(b);
            return a.kind != b.kind ? a.kind < b.kind : a.name < b.name;
        });
        return rows;
    };
    d.roots = finish(roots, true);
    d.sites = finish(sites, true);
    d.sizeClasses = finish(sizes, false);
    return d;
}

} // namespace memscope
