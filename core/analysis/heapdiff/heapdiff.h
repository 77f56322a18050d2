// SPDX-License-Identifier: GPL-3.0-or-later
// Two heap dumps of one process compared object by object. Go's collector
// does not move objects, so an object that lives through both dumps keeps
// its address: a merge over the two address-sorted object arrays tells
// survivors from freed and new objects, and one walk of the later dump's
// dominator tree tells what each root's retained bytes are made of.
#pragma once

#include "base/result.h"
#include "model/heap_graph.h"
#include "model/ids.h"

#include <cstdint>
#include <string>
#include <vector>

namespace memscope {

class CaseStore;

struct ObjectCounts {
    uint64_t objects = 0, bytes = 0;
    void add(uint64_t b) {
        objects++;
        bytes += b;
    }
};

// One root, allocation site or size class: its objects by fate, and for
// roots and sites what it retains in each dump, of which how much in the
// later dump is survivors (the rest is new).
struct HeapDiffGroup {
    std::string kind; // a root's kind, "site" or "size"
    std::string name;
    ObjectCounts survivors, added, freed;
    uint64_t retainedBase = 0, retainedNow = 0, retainedSurvivors = 0;
    uint64_t exampleNew = 0; // the address of a new object it retains (0: none)
    uint64_t retainedNew() const { return retainedNow - retainedSurvivors; }
    int64_t retainedDelta() const { return int64_t(retainedNow) - int64_t(retainedBase); }
};

// One side of the diff: the stored graph, and per memprof bucket (the
// graph's objectBucket) a site key equal across the two dumps for one site
// and the name the retention views give it.
struct HeapDiffSide {
    const StoredHeapGraph* graph = nullptr;
    std::vector<int32_t> siteKey;
    std::vector<std::string> siteName;
};

struct HeapObjectDiff {
    // Matched on pointer shape (both dumps keep one per object); false:
    // on size and the number of pointers into the heap, a weaker test.
    bool shapesCompared = false;
    ObjectCounts survivors, added, freed;
    uint64_t reused = 0; // addresses holding another object in the later dump
    // Roots of the later dump by kind and name (freed objects under the
    // earlier dump's root of that name), sites, size classes; by the size of
    // their change, largest first.
    std::vector<HeapDiffGroup> roots, sites, sizeClasses;
    // Per object of the later dump: 1 when it survived from the earlier one.
    std::vector<uint8_t> survivorNow;
    // Per dominator node of the later dump: retained bytes that are survivors.
    std::vector<uint64_t> survivorRetained;
};

// The diff itself: linear in the objects of both dumps (plus a sort of one
// side's addresses when a graph is not stored in address order).
HeapObjectDiff diffHeapObjects(const HeapDiffSide& base, const HeapDiffSide& now);

// Reads two heap dumps from the case, checks they are of one process (same
// program, pointer size and Go version; the later dump's cumulative GC and
// allocation counters not below the earlier one's) and diffs them. A pair of
// two processes is a Usage error saying why.
// `nowGraph`, when the caller holds the later dump's graph already, saves
// reading it again.
Result<HeapObjectDiff> diffHeapDumpObjects(CaseStore& store, SnapshotId base, SnapshotId now,
                                           const StoredHeapGraph* nowGraph = nullptr);

// The root kind of a group that stands for objects several roots share, and
// for unreachable objects.
inline constexpr const char* kSharedRootName = "(several roots)";
inline constexpr const char* kUnreachableName = "(unreachable)";
inline constexpr const char* kUnsampledName = "(unsampled)";

} // namespace memscope
