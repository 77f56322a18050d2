// SPDX-License-Identifier: GPL-3.0-or-later
// A heap dump's object graph in compact arrays, its roots, and the dominator
// tree computed over it: what the reader builds, the case stores and the
// retention views read.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace memscope {

// No node: an unreachable node's dominator, a missing parent, an address no
// object holds.
inline constexpr uint32_t kNoNode = UINT32_MAX;

enum class RootKind : uint8_t { Global, Frame, Finalizer, QueuedFinalizer, Goroutine, Other };
const char* rootKindName(RootKind k);

// Something outside the heap that holds pointers into it: a global slot (or a
// whole global when the binary names it), a goroutine's stack frame, a
// finalizer. Its targets are object indices.
struct RootEntity {
    RootKind kind = RootKind::Other;
    std::string name;   // "main.cache", "bss+0x40", "main.worker", "finalizer fn 0x4a5b20"
    std::string detail; // "goroutine 12 [chan receive]", the finalizer's object address...
    int64_t goid = -1;
};

// Dominator tree node ids: 0 is the virtual root, 1..roots are the root
// entities, then one per object (objectNode(i) = 1 + roots + i).
struct HeapGraph {
    // Objects sorted by address.
    std::vector<uint64_t> addr;
    static constexpr uint32_t kHugeSize = UINT32_MAX; // a size kept in hugeSize
    std::vector<uint32_t> size;                       // slot size, or kHugeSize
    std::unordered_map<uint32_t, uint64_t> hugeSize;
    std::vector<uint32_t> edgeStart; // objects + 1
    std::vector<uint32_t> edges;     // object indices
    std::vector<RootEntity> roots;
    std::vector<uint32_t> rootEdgeStart; // roots + 1
    std::vector<uint32_t> rootEdges;     // object indices
    // Per object, a hash of its pointer-field offsets (the dump's field list,
    // nil fields included): what tells two objects of one size apart when a
    // heap diff matches them by address. Empty for graphs stored before it.
    std::vector<uint32_t> shape;

    size_t objects() const { return addr.size(); }
    size_t nodes() const { return 1 + roots.size() + addr.size(); }
    uint32_t objectNode(uint32_t obj) const { return uint32_t(1 + roots.size() + obj); }
    bool isObjectNode(uint32_t node) const { return node > roots.size(); }
    uint32_t nodeObject(uint32_t node) const { return uint32_t(node - 1 - roots.size()); }
    uint64_t objectSize(uint32_t obj) const {
        return size[obj] == kHugeSize ? hugeSize.at(obj) : size[obj];
    }
    // The object containing addr (interior pointers included), or -1.
    int64_t findObject(uint64_t a) const;
    // Successors of a node in the graph the dominators were computed on.
    template <typename F>
    void forEachSuccessor(uint32_t node, F&& f) const {
        if (node == 0) {
            for (uint32_t r = 1; r <= roots.size(); ++r)
                f(r);
        } else if (!isObjectNode(node)) {
            for (uint32_t k = rootEdgeStart[node - 1]; k < rootEdgeStart[node]; ++k)
                f(objectNode(rootEdges[k]));
        } else {
            uint32_t o = nodeObject(node);
            for (uint32_t k = edgeStart[o]; k < edgeStart[o + 1]; ++k)
                f(objectNode(edges[k]));
        }
    }
};

// Immediate dominators (UINT32_MAX for unreachable nodes, 0 for the root
// itself) and retained bytes per node.
struct Dominators {
    std::vector<uint32_t> idom;
    std::vector<uint64_t> retained;
    uint64_t reachableObjects = 0, reachableBytes = 0;
};

// The hash `shape` keeps of one field list: FNV-1a over the offsets in words.
inline uint32_t pointerShapeHash(const uint64_t* offsets, size_t n, uint64_t ptrSize) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; ++i) {
        uint64_t w = offsets[i] / (ptrSize ? ptrSize : 8);
        for (int k = 0; k < 4; ++k) {
            h ^= uint32_t((w >> (8 * k)) & 0xff);
            h *= 16777619u;
        }
    }
    return h;
}

// The graph and its dominators as a case keeps them.
struct StoredHeapGraph {
    HeapGraph graph;
    Dominators dom;
    std::vector<int32_t> objectBucket; // memprof bucket per object, -1 unsampled
};

} // namespace memscope
