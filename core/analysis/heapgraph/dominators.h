// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/heap_graph.h"

namespace memscope {

// Lengauer-Tarjan (path compression) over the graph from node 0, iterative:
// no recursion on deep chains, O(m log n) whatever the shape.
Dominators computeDominators(const HeapGraph& g);

} // namespace memscope
