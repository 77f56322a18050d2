// SPDX-License-Identifier: GPL-3.0-or-later
// What a Go heap dump holds beyond its object graph (goroutines, finalizers,
// allocation sites, MemStats), and the summary a case keeps of each dump.
#pragma once

#include "model/heap_graph.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memscope {

// The dump's record kinds; a dump counts how many of each it held.
enum class HeapDumpTag : uint8_t {
    Eof = 0,
    Object = 1,
    OtherRoot = 2,
    Type = 3,
    Goroutine = 4,
    StackFrame = 5,
    Params = 6,
    Finalizer = 7,
    Itab = 8,
    OsThread = 9,
    MemStats = 10,
    QueuedFinalizer = 11,
    Data = 12,
    Bss = 13,
    Defer = 14,
    Panic = 15,
    MemProf = 16,
    AllocSample = 17,
};
constexpr int kHeapDumpTags = 18;
const char* heapDumpTagName(int tag);

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
    std::string symbolsFrom;        // the binary whose symbols named things, if any
    std::vector<uint64_t> rootAddr; // per root: a global's slot address, a finalizer's PC

    HeapGraph graph;
};

// What a finalizer's function is called until a symbol or a stack names it:
// "fn 0x4a5b20", its code PC.
std::string unnamedFunction(uint64_t pc);
bool isUnnamedFunction(std::string_view name);

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

} // namespace memscope
