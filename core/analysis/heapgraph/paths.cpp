// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/heapgraph/paths.h"

#include <algorithm>

namespace memscope {

namespace {}

std::vector<std::vector<uint32_t>> pathsToRoots(const HeapGraph& g, uint32_t objectIndex,
                                                size_t maxPaths) {
    const size_t n = g.nodes();
    const uint32_t target = g.objectNode(objectIndex);
    std::vector<uint32_t> parent(n, kNoNode);
    std::vector<uint32_t> queue;
    queue.reserve(1024);
    parent[0] = 0;
    queue.push_back(0);
    bool found = false;
    for (size_t i = 0; i < queue.size() && !found; ++i) {
        uint32_t v = queue[i];
        g.forEachSuccessor(v, [&](uint32_t w) {
            if (parent[w] == kNoNode) {
                parent[w] = v;
                queue.push_back(w);
                if (w == target)
                    found = true;
            }
        });
    }
    std::vector<std::vector<uint32_t>> paths;
    if (!found)
        return paths;
    auto chainTo = [&](uint32_t v) {
        std::vector<uint32_t> p;
        for (uint32_t u = v; u != 0; u = parent[u])
            p.push_back(u);
        std::reverse(p.begin(), p.end());
        return p;
    };
    paths.push_back(chainTo(target));
    // Other shortest chains: predecessors of the target as near the roots as
    // the first one's last hop.
    size_t depth = paths.front().size();
    uint32_t first = parent[target];
    for (uint32_t v : queue) {
        if (paths.size() >= maxPaths)
            break;
        if (v == first || v == 0)
            continue;
        bool pointsAt = false;
        g.forEachSuccessor(v, [&](uint32_t w) { pointsAt |= w == target; });
        if (!pointsAt)
            continue;
        auto p = chainTo(v);
        if (p.size() + 1 > depth)
            break; // queue order is by depth
        p.push_back(target);
        paths.push_back(std::move(p));
    }
    return paths;
}

PathElision elidePath(size_t steps, size_t maxHops) {
    if (maxHops == 0 || steps <= maxHops)
        return {steps, 0, 0};
    maxHops = std::max<size_t>(maxHops, 2);
    PathElision e;
    e.head = (maxHops + 1) / 2;
    e.tail = maxHops / 2;
    e.elided = steps - e.head - e.tail;
    return e;
}

} // namespace memscope
