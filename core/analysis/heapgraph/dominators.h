// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/heap_graph.h"

#include <cstdint>
#include <vector>

namespace memscope {

// Lengauer-Tarjan (path compression) over the graph from node 0, iterative:
// no recursion on deep chains, O(m log n) whatever the shape.
Dominators computeDominators(const HeapGraph& g);

// Walks the dominator tree from node 0 in preorder, calling enter(v) on the
// way down (after its dominator's enter) and leave(v) on the way up (after
// its children's leave). Children are sibling lists and idom leads back up,
// so the walk needs no stack however deep the tree. Unreachable nodes are
// not visited; an idom of another size visits nothing.
template <typename Enter, typename Leave>
void walkDominatorTree(const std::vector<uint32_t>& idom, Enter&& enter, Leave&& leave) {
    const size_t n = idom.size();
    if (n == 0)
        return;
    std::vector<uint32_t> firstChild(n, kNoNode), nextSibling(n, kNoNode);
    for (uint32_t v = uint32_t(n); v-- > 1;)
        if (idom[v] != kNoNode) {
            nextSibling[v] = firstChild[idom[v]];
            firstChild[idom[v]] = v;
        }
    for (uint32_t v = 0;;) {
        if (firstChild[v] != kNoNode) {
            v = firstChild[v];
            enter(v);
            continue;
        }
        for (;;) {
            leave(v);
            if (v == 0)
                return;
            if (nextSibling[v] != kNoNode) {
                v = nextSibling[v];
                enter(v);
                break;
            }
            v = idom[v];
        }
    }
}

} // namespace memscope
