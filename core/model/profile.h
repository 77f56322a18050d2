// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/large_blocks.h"
#include "model/snapshot_kind.h"

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

namespace memscope {

// A profile in memscope's own terms: dense indices instead of pprof ids, strings
// resolved. The same shape serves a freshly parsed file and a snapshot read
// back from a case, so every analysis runs on both.
struct ValueType {
    std::string type;
    std::string unit;
};

struct Function {
    std::string name;
    std::string systemName;
    std::string file;
    int64_t startLine = 0;
};

struct Line {
    uint32_t function = 0; // index into Profile::functions
    int64_t line = 0;
};

struct Mapping {
    uint64_t memoryStart = 0;
    uint64_t memoryLimit = 0;
    uint64_t fileOffset = 0;
    std::string file;
    std::string buildId;
    bool hasFunctions = false;
};

struct Location {
    uint64_t address = 0;
    int32_t mapping = -1; // index into Profile::mappings, -1 = none
    // lines[0] is the innermost (inlined) frame, the last the physical function.
    std::vector<Line> lines;
};

struct Label {
    std::string key;
    std::string str;
    int64_t num = 0;
    std::string numUnit;
    bool isNum = false;
};

// Sample vectors live in their profile's arena (see Profile::arena): a
// 200k-sample profile is then a few large blocks, not 600k small allocations.
struct Sample {
    explicit Sample(std::pmr::memory_resource* mr = std::pmr::get_default_resource())
        : locations(mr), values(mr), labels(mr) {}
    std::pmr::vector<uint32_t> locations; // leaf first, indices into Profile::locations
    std::pmr::vector<int64_t> values;     // one per sample type
    std::pmr::vector<Label> labels;
};

struct Profile {
    // Owns the memory of every sample's vectors; shared so a moved Profile
    // keeps it, and a copied one allocates its own.
    std::shared_ptr<std::pmr::monotonic_buffer_resource> arena =
        std::make_shared<std::pmr::monotonic_buffer_resource>(1 << 20, largeBlockResource());
    Sample newSample() { return Sample(arena.get()); }
    // Arenas of samples converted on other threads, kept as long as the profile.
    std::vector<std::shared_ptr<std::pmr::memory_resource>> moreArenas;

    std::vector<ValueType> sampleTypes;
    std::vector<Sample> samples;
    std::vector<Location> locations;
    std::vector<Function> functions;
    std::vector<Mapping> mappings;
    std::vector<std::string> comments;
    std::string dropFrames;
    std::string keepFrames;
    std::string defaultSampleType;
    ValueType periodType;
    int64_t period = 0;
    int64_t timeNanos = 0;
    int64_t durationNanos = 0;

    // The sample type consumers show first: default_sample_type when set,
    // else the last one (pprof's rule; inuse_space for heap profiles).
    int defaultSampleIndex() const;
    // Index of a sample type by name, -1 when absent.
    int sampleIndex(const std::string& name) const;
    // Heap for the four heap columns (Allocs when alloc_space is the default),
    // GoroutineProfile, Cpu, ... or Profile.
    SnapshotKind kind() const;
};

} // namespace memscope
