// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/heap_graph.h"

namespace memscope {

const char* rootKindName(RootKind k) {
    switch (k) {
        case RootKind::Global: return "global";
        case RootKind::Frame: return "frame";
        case RootKind::Finalizer: return "finalizer";
        case RootKind::QueuedFinalizer: return "queued_finalizer";
        case RootKind::Goroutine: return "goroutine";
        case RootKind::Other: return "other";
    }
    return "other";
}

int64_t HeapGraph::findObject(uint64_t a) const {
    for (size_t i = 0; i < addr.size(); ++i)
        if (a >= addr[i] && a < addr[i] + objectSize(uint32_t(i)))
            return int64_t(i);
    return -1;
}

} // namespace memscope
