// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/heapgraph/dominators.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace memscope {

namespace {}

Dominators computeDominators(const HeapGraph& g) {
    const size_t n = g.nodes();
    Dominators dom;

    // 1. Depth-first preorder from the virtual root, iteratively.
    std::vector<uint32_t> dfn(n, kNoNode), vertex, parent;
    vertex.reserve(n);
    parent.reserve(n);
    {
        struct Frame {
            uint32_t node, next, end;
        };
        std::vector<Frame> stack;
        auto range = [&](uint32_t v, uint32_t& b, uint32_t& e) {
            if (v == 0) {
                b = 0;
                e = uint32_t(g.roots.size());
            } else if (!g.isObjectNode(v)) {
                b = g.rootEdgeStart[v - 1];
                e = g.rootEdgeStart[v];
            } else {
                uint32_t o = g.nodeObject(v);
                b = g.edgeStart[o];
                e = g.edgeStart[o + 1];
            }
        };
        auto target = [&](uint32_t v, uint32_t k) -> uint32_t {
            if (v == 0)
                return k + 1;
            if (!g.isObjectNode(v))
                return g.objectNode(g.rootEdges[k]);
            return g.objectNode(g.edges[k]);
        };
        auto visit = [&](uint32_t v, uint32_t par) {
            dfn[v] = uint32_t(vertex.size());
            vertex.push_back(v);
            parent.push_back(par);
            uint32_t b, e;
            range(v, b, e);
            stack.push_back({v, b, e});
        };
        visit(0, 0);
        while (!stack.empty()) {
            Frame& f = stack.back();
            if (f.next == f.end) {
                stack.pop_back();
                continue;
            }
            uint32_t w = target(f.node, f.next++);
            if (dfn[w] == kNoNode)
                visit(w, dfn[f.node]);
        }
    }
    const uint32_t nr = uint32_t(vertex.size());

    // 2. Predecessors in preorder numbers.
    std::vector<uint32_t> predStart(nr + 1, 0), preds;
    auto forSucc = [&](uint32_t v, auto&& f) { g.forEachSuccessor(v, f); };
    for (uint32_t i = 0; i < nr; ++i)
        forSucc(vertex[i], [&](uint32_t w) { predStart[dfn[w] + 1]++; });
    for (uint32_t i = 0; i < nr; ++i)
        predStart[i + 1] += predStart[i];
    preds.resize(predStart[nr]);
    {
        std::vector<uint32_t> fillPos(predStart.begin(), predStart.end() - 1);
        for (uint32_t i = 0; i < nr; ++i)
            forSucc(vertex[i], [&](uint32_t w) { preds[fillPos[dfn[w]]++] = i; });
    }

    // 3. Lengauer-Tarjan with path compression: O(m log n) whatever the
    // shape. (Semi-NCA's walk up the dominator tree from each node's parent
    // to its semidominator is quadratic on a long chain whose tail holds many
    // objects that something near its head holds too.) Vertices are
    // processed from the last preorder number down; those >= `linked` are in
    // the forest. label[] keeps the vertex of least semidominator on the
    // compressed path. No memory for buckets: a vertex's bucket is a list
    // whose head sits in its ancestor[] slot until it is linked (the bucket
    // is empty by then), whose links sit in parent[], free once a vertex is
    // processed, and which then receives the vertex's dominator.
    std::vector<uint32_t>().swap(dfn);
    std::vector<uint32_t> semi(nr), label(nr), ancestor(nr, kNoNode), chain;
    for (uint32_t i = 0; i < nr; ++i)
        label[i] = semi[i] = i;
    uint32_t linked = nr;
    auto inForest = [&](uint32_t x) { return x >= linked; };
    auto compress = [&](uint32_t v) {
        chain.clear();
        uint32_t u = v;
        while (inForest(ancestor[u])) {
            chain.push_back(u);
            u = ancestor[u];
        }
        for (size_t k = chain.size(); k-- > 0;) {
            uint32_t x = chain[k];
            uint32_t a = ancestor[x];
            if (semi[label[a]] < semi[label[x]])
                label[x] = label[a];
            ancestor[x] = ancestor[a];
        }
    };
    auto eval = [&](uint32_t v) -> uint32_t {
        if (!inForest(v))
            return v;
        if (inForest(ancestor[v]))
            compress(v);
        return label[v];
    };
    std::vector<uint32_t>& dom_ = parent; // parent[w], then bucket link, then idom
    for (uint32_t w = nr; w-- > 1;) {
        const uint32_t p = parent[w];
        uint32_t s = semi[w];
        for (uint32_t k = predStart[w]; k < predStart[w + 1]; ++k) {
            uint32_t u = eval(preds[k]);
            if (semi[u] < s)
                s = semi[u];
        }
        semi[w] = s;
        dom_[w] = ancestor[s]; // into s's bucket (s < w: not linked yet)
        ancestor[s] = w;
        ancestor[w] = p; // w's own bucket was emptied by its children
        linked = w;
        for (uint32_t v = ancestor[p]; v != kNoNode;) {
            uint32_t next = dom_[v];
            uint32_t u = eval(v);
            dom_[v] = semi[u] < semi[v] ? u : p;
            v = next;
        }
        ancestor[p] = kNoNode;
    }
    std::vector<uint32_t>().swap(preds);
    std::vector<uint32_t>().swap(predStart);
    std::vector<uint32_t>().swap(label);
    std::vector<uint32_t>().swap(ancestor);
    // Dominators in preorder numbers, ancestors first.
    std::vector<uint32_t>& idomPre = dom_;
    if (nr > 0)
        idomPre[0] = 0;
    for (uint32_t w = 1; w < nr; ++w)
        if (idomPre[w] != semi[w])
            idomPre[w] = idomPre[idomPre[w]];
    std::vector<uint32_t>().swap(semi);

    // 4. Back to node ids, and retained sizes bottom-up.
    dom.idom.assign(n, kNoNode);
    dom.idom[0] = 0;
    for (uint32_t w = 1; w < nr; ++w)
        dom.idom[vertex[w]] = vertex[idomPre[w]];
    std::vector<uint32_t>().swap(parent);
    dom.retained.assign(n, 0);
    for (uint32_t w = nr; w-- > 1;) {
        uint32_t v = vertex[w];
        if (g.isObjectNode(v)) {
            uint64_t s = g.objectSize(g.nodeObject(v));
            dom.retained[v] += s;
            dom.reachableObjects++;
            dom.reachableBytes += s;
        }
        dom.retained[dom.idom[v]] += dom.retained[v];
    }
    dom.retained[0] = dom.reachableBytes;
    return dom;
}

} // namespace memscope
