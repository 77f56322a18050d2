// SPDX-License-Identifier: GPL-3.0-or-later
// Go heap dumps (`runtime/debug.WriteHeapDump`, header "go1.7 heap dump\n"):
// a streaming reader, the object graph in compact arrays, dominators and
// retained sizes, and the names of what retains.
#pragma once

#include "io/input.h"
#include "base/progress.h"
#include "base/result.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace memscope {

class ElfSymbols;

constexpr std::string_view kHeapDumpMagic = "go1.7 heap dump\n";

enum class HeapDumpTag : uint8_t {
    Eof = 0, Object = 1, OtherRoot = 2, Type = 3, Goroutine = 4, StackFrame = 5, Params = 6,
    Finalizer = 7, Itab = 8, OsThread = 9, MemStats = 10, QueuedFinalizer = 11, Data = 12,
    Bss = 13, Defer = 14, Panic = 15, MemProf = 16, AllocSample = 17,
};
constexpr int kHeapDumpTags = 18;
const char* heapDumpTagName(int tag);

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

struct HeapDumpFrame {
    std::string function, file;
    int64_t line = 0;
};

struct MemProfBucket {
    uint64_t id = 0, size = 0, allocs = 0, frees = 0;
    std::vector<HeapDumpFrame> frames; // leaf first
};

struct HeapDumpGoroutine {
    uint64_t goid = 0, status = 0, waitSinceNs = 0, gopc = 0;
    bool system = false;
    std::string waitReason;
    uint32_t frames = 0;
};

struct HeapDumpFinalizer {
    uint64_t object = 0, funcval = 0, pc = 0;
    bool queued = false;
    std::string function; // from the binary's symbols when known
    int32_t objectIndex = -1;
};

// Dominator tree node ids: 0 is the virtual root, 1..roots are the root
// entities, then one per object (objectNode(i) = 1 + roots + i).
struct HeapGraph {
    // Objects sorted by address.
    std::vector<uint64_t> addr;
    std::vector<uint32_t> size; // slot size; UINT32_MAX means "see hugeSize"
    std::unordered_map<uint32_t, uint64_t> hugeSize;
    std::vector<uint32_t> edgeStart; // objects + 1
    std::vector<uint32_t> edges;     // object indices
    std::vector<RootEntity> roots;
    std::vector<uint32_t> rootEdgeStart; // roots + 1
    std::vector<uint32_t> rootEdges;     // object indices

    size_t objects() const { return addr.size(); }
    size_t nodes() const { return 1 + roots.size() + addr.size(); }
    uint32_t objectNode(uint32_t obj) const { return uint32_t(1 + roots.size() + obj); }
    bool isObjectNode(uint32_t node) const { return node > roots.size(); }
    uint32_t nodeObject(uint32_t node) const { return uint32_t(node - 1 - roots.size()); }
    uint64_t objectSize(uint32_t obj) const {
        return size[obj] == UINT32_MAX ? hugeSize.at(obj) : size[obj];
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

// Lengauer-Tarjan (path compression) over the graph from node 0, iterative:
// no recursion on deep chains, O(m log n) whatever the shape.
Dominators computeDominators(const HeapGraph& g);

struct HeapDump {
    // params
    bool bigEndian = false;
    uint64_t ptrSize = 8, arenaStart = 0, arenaEnd = 0, ncpu = 0;
    std::string goArch, goVersion;

    std::array<uint64_t, kHeapDumpTags> recordCounts{};
    uint64_t objectBytes = 0, decodedBytes = 0;
    std::vector<HeapDumpGoroutine> goroutines;
    std::vector<HeapDumpFinalizer> finalizers; // registered and queued
    // Allocation sites: memprof buckets merged by their first frame
    // (function, file, line); `id` is the first bucket's, `size` 0 when mixed.
    std::vector<MemProfBucket> buckets;
    // allocsample: object index, bucket index (into buckets)
    std::vector<std::pair<uint32_t, uint32_t>> samples;
    std::array<uint64_t, 24> memstats{};
    uint64_t numGC = 0;
    bool hasMemStats = false;
    struct Segment {
        bool bss = false;
        uint64_t addr = 0, size = 0;
    };
    std::vector<Segment> segments;
    std::string symbolsFrom; // the binary whose symbols named things, if any
    std::vector<uint64_t> rootAddr; // per root: a global's slot address, a finalizer's PC


    HeapGraph graph;
};

// What a finalizer's function is called until a symbol or a stack names it:
// "fn 0x4a5b20", its code PC.
std::string unnamedFunction(uint64_t pc);
bool isUnnamedFunction(std::string_view name);

// Reads a whole dump from a decoded stream. Errors carry the decoded offset.
// `encodedSize` scales progress. Globals come out as "bss+0x40" per pointer
// slot and finalizers as "fn 0x4a5b20" until applySymbols() names them.
Result<HeapDump> readHeapDump(ByteStream& in, const Progress& progress, uint64_t encodedSize = 0);

// Names globals (merging the slots of one variable into one root) and
// finalizer functions from the binary's symbol table.
void applySymbols(HeapDump& dump, const ElfSymbols& symbols);

// Does this decoded prefix start a heap dump?
bool looksLikeHeapDump(std::string_view head);

// Finds the executable a dump came from among the ELF files in `folder`: the
// one whose .data and .bss start where the dump's segments do. Empty if none.
std::string findBinaryFor(const HeapDump& dump, const std::string& folder);

// Everything the case keeps about one dump, computed once at import.
struct HeapDumpSummary {
    uint64_t objects = 0, bytes = 0, edges = 0;
    uint64_t reachableObjects = 0, reachableBytes = 0;
    uint64_t unreachableObjects = 0, unreachableBytes = 0;
    uint64_t sampledObjects = 0, sampledBytes = 0, sampledRetainedBytes = 0;
    uint64_t finalizersRegistered = 0, finalizersQueued = 0, finalizerRetainedBytes = 0;
    uint64_t goroutines = 0;

    struct RootRow {
        uint32_t index = 0; // root entity index
        RootKind kind = RootKind::Other;
        std::string name, detail;
        uint64_t directObjects = 0, retainedBytes = 0, retainedObjects = 0;
    };
    std::vector<RootRow> roots; // those that retain anything, largest first

    struct SiteRow {
        uint32_t bucket = 0;
        uint64_t sampledObjects = 0, sampledBytes = 0, retainedBytes = 0;
    };
    std::vector<SiteRow> sites; // per memprof bucket with live samples, largest first

    struct FinalizerRow {
        std::string function; // symbol, or "fn 0x..." without the binary
        uint64_t pc = 0, registered = 0, queued = 0, retainedBytes = 0;
    };
    std::vector<FinalizerRow> finalizers;

    // The retention graph: root entity -> allocation site, by retained bytes of
    // sampled objects dominated by that root (root 0 = held by several roots).
    struct RootSiteEdge {
        uint32_t root = 0; // 1-based root entity; 0 = several roots
        uint32_t bucket = 0;
        uint64_t retainedBytes = 0, objects = 0;
    };
    std::vector<RootSiteEdge> rootSites;
};

HeapDumpSummary summarizeHeapDump(const HeapDump& dump, const Dominators& dom);

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

// The graph and dominators as one zstd blob for the case file, and back.
Result<std::string> encodeHeapGraph(const HeapDump& dump, const Dominators& dom);
struct StoredHeapGraph {
    HeapGraph graph;
    Dominators dom;
    std::vector<int32_t> objectBucket; // memprof bucket per object, -1 unsampled
};
// maxDecoded: refuse a blob that decodes to more bytes than this.
Result<StoredHeapGraph> decodeHeapGraph(std::string_view blob, uint64_t maxDecoded = uint64_t(64) << 30);

} // namespace memscope
