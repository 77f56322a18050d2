// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/heapgraph/summary.h"

#include "analysis/heapgraph/dominators.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace memscope {

namespace {}

HeapDumpSummary summarizeHeapDump(const HeapDump& d, const Dominators& dom) {
    const HeapGraph& g = d.graph;
    HeapDumpSummary s;
    s.objects = g.objects();
    s.bytes = d.objectBytes;
    s.edges = g.edges.size();
    s.reachableObjects = dom.reachableObjects;
    s.reachableBytes = dom.reachableBytes;
    s.unreachableObjects = s.objects - s.reachableObjects;
    s.unreachableBytes = s.bytes - s.reachableBytes;
    s.goroutines = d.goroutines.size();
    const size_t n = g.nodes();

    // One depth-first walk of the dominator tree, without a stack: children
    // as sibling lists, and idom leads back up. On the way down each node
    // learns which root entity dominates it (0 = several), and each sampled
    // object whether a sampled object of its own site (nestedSame), or any
    // sampled object (nestedAny), dominates it: a count per site of the
    // sampled objects on the current path answers both in O(1), so the walk
    // is linear however deep chains of sampled objects nest.
    std::vector<int32_t> bucketOf(g.objects(), -1);
    for (const auto& [o, b] : d.samples)
        bucketOf[o] = int32_t(b);
    constexpr uint8_t kNestedSame = 1, kNestedAny = 2;
    std::vector<uint8_t> nested(g.objects(), 0);
    std::vector<uint32_t> rootOf(n, 0);
    std::vector<uint64_t> onPath(d.buckets.size(), 0);
    uint64_t onPathAny = 0;
    auto sampledBucket = [&](uint32_t v) -> int32_t {
        return g.isObjectNode(v) ? bucketOf[g.nodeObject(v)] : -1;
    };
    auto enter = [&](uint32_t v) {
        uint32_t p = dom.idom[v];
        rootOf[v] = p == 0 ? (g.isObjectNode(v) ? 0 : v) : rootOf[p];
        int32_t b = sampledBucket(v);
        if (b < 0)
            return;
        if (size_t(b) >= onPath.size())
            onPath.resize(size_t(b) + 1, 0);
        nested[g.nodeObject(v)] =
            (onPath[size_t(b)] ? kNestedSame : 0) | (onPathAny ? kNestedAny : 0);
        onPath[size_t(b)]++;
        onPathAny++;
    };
    auto leave = [&](uint32_t v) {
        int32_t b = sampledBucket(v);
        if (b < 0)
            return;
        onPath[size_t(b)]--;
        onPathAny--;
    };
    walkDominatorTree(dom.idom, enter, leave);
    // The objects a root entity retains are those it alone dominates.
    std::vector<uint64_t> retainedCount(g.roots.size() + 1, 0);
    for (uint32_t o = 0; o < g.objects(); ++o) {
        uint32_t v = g.objectNode(o);
        if (dom.idom[v] != kNoNode)
            retainedCount[rootOf[v]]++;
    }

    for (uint32_t r = 0; r < g.roots.size(); ++r) {
        uint32_t node = r + 1;
        if (dom.retained[node] == 0)
            continue;
        const auto& e = g.roots[r];
        s.roots.push_back({r, e.kind, e.name, e.detail,
                           uint64_t(g.rootEdgeStart[r + 1] - g.rootEdgeStart[r]),
                           dom.retained[node], retainedCount[node]});
    }
    std::sort(s.roots.begin(), s.roots.end(), [](const auto& a, const auto& b) {
        return a.retainedBytes != b.retainedBytes ? a.retainedBytes > b.retainedBytes
                                                  : a.index < b.index;
    });

    std::map<uint32_t, HeapDumpSummary::SiteRow> sites;
    std::map<std::pair<uint32_t, uint32_t>, HeapDumpSummary::RootSiteEdge> edges;
    for (const auto& [o, b] : d.samples) {
        uint32_t v = g.objectNode(o);
        auto& row = sites[b];
        row.bucket = b;
        row.sampledObjects++;
        row.sampledBytes += g.objectSize(o);
        s.sampledObjects++;
        s.sampledBytes += g.objectSize(o);
        if (dom.idom[v] == kNoNode)
            continue;
        bool nestedSame = nested[o] & kNestedSame, nestedAny = nested[o] & kNestedAny;
        if (!nestedSame) {
            row.retainedBytes += dom.retained[v];
            auto& e = edges[{rootOf[v], b}];
            e.root = rootOf[v];
            e.bucket = b;
            e.retainedBytes += dom.retained[v];
            e.objects++;
        }
        if (!nestedAny)
            s.sampledRetainedBytes += dom.retained[v];
    }
    // A finalizer's own object, when sampled, is "held" by that finalizer's
    // root too: that is where the objects waiting on it were allocated.
    {
        std::vector<uint32_t> finRoot;
        for (uint32_t r = 0; r < g.roots.size(); ++r)
            if (g.roots[r].kind == RootKind::Finalizer ||
                g.roots[r].kind == RootKind::QueuedFinalizer)
                finRoot.push_back(r + 1);
        for (size_t i = 0; i < d.finalizers.size() && i < finRoot.size(); ++i) {
            int32_t o = d.finalizers[i].objectIndex;
            if (o < 0 || bucketOf[size_t(o)] < 0)
                continue;
            uint32_t v = g.objectNode(uint32_t(o));
            if (dom.idom[v] == kNoNode || rootOf[v] == finRoot[i])
                continue; // unreachable, or already counted under this root
            auto& e = edges[{finRoot[i], uint32_t(bucketOf[size_t(o)])}];
            e.root = finRoot[i];
            e.bucket = uint32_t(bucketOf[size_t(o)]);
            e.retainedBytes += dom.retained[v];
            e.objects++;
        }
    }
    for (auto& [b, row] : sites)
        s.sites.push_back(row);
    std::sort(s.sites.begin(), s.sites.end(), [](const auto& a, const auto& b) {
        return a.retainedBytes != b.retainedBytes ? a.retainedBytes > b.retainedBytes
                                                  : a.bucket < b.bucket;
    });
    for (auto& [k, e] : edges)
        s.rootSites.push_back(e);
    std::sort(s.rootSites.begin(), s.rootSites.end(),
              [](const auto& a, const auto& b) { return a.retainedBytes > b.retainedBytes; });

    std::map<std::string, HeapDumpSummary::FinalizerRow> fins;
    for (const auto& f : d.finalizers) {
        std::string fn = f.function.empty() ? unnamedFunction(f.pc) : f.function;
        auto& row = fins[fn];
        row.function = fn;
        row.pc = f.pc;
        (f.queued ? row.queued : row.registered)++;
        (f.queued ? s.finalizersQueued : s.finalizersRegistered)++;
        if (f.objectIndex >= 0) {
            uint64_t ret = dom.retained[g.objectNode(uint32_t(f.objectIndex))];
            row.retainedBytes += ret;
            s.finalizerRetainedBytes += ret;
        }
    }
    for (auto& [k, row] : fins)
        s.finalizers.push_back(row);
    std::sort(s.finalizers.begin(), s.finalizers.end(), [](const auto& a, const auto& b) {
        return a.registered + a.queued > b.registered + b.queued;
    });
    return s;
}

} // namespace memscope
