// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/heap_graph.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace memscope {

// The shortest chains from a root to an object: node ids, root entity first.
// Breadth-first over the graph; at most `maxPaths` distinct last-hop parents.
std::vector<std::vector<uint32_t>> pathsToRoots(const HeapGraph& g, uint32_t objectIndex,
                                                size_t maxPaths = 3);

// Which hops of a path of `steps` nodes to show when at most `maxHops` fit
// (0: all): the first `head` and the last `tail`, `elided` left out between.
// The root and the object itself are always shown.
struct PathElision {
    size_t head = 0, elided = 0, tail = 0;
};
PathElision elidePath(size_t steps, size_t maxHops);

} // namespace memscope
