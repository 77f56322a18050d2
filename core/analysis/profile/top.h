// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/profile.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace memscope {

// One function's share of a profile, as `go tool pprof -top` counts it:
// flat = samples where it is the leaf frame, cum = samples where it appears
// anywhere (once per sample, however deep the recursion).
struct TopRow {
    std::string function;
    std::string file;
    int64_t flat = 0;
    int64_t cum = 0;
    // "", "inline" or "partial-inline": whether calls into it were inlined.
    std::string inlineLabel;
};

struct TopResult {
    std::string sample;
    std::string unit;
    int64_t total = 0;        // sum of |value| over samples (pprof's total)
    std::vector<TopRow> rows; // |flat| desc, name asc, |cum| desc
};

// sampleIndex -1 = the profile's default sample type.
TopResult computeTop(const Profile& p, int sampleIndex = -1);

// Node keys: every line of every location mapped to a function "node" the
// way pprof's function granularity merges them (by name).
struct FunctionNodes {
    std::vector<uint32_t> nodeOfFunction; // Profile::functions -> node
    // Nodes of each location in lines order (innermost first), flattened:
    // location i owns locationNodes[locationStart[i] .. locationStart[i+1]).
    std::vector<uint32_t> locationStart;
    std::vector<uint32_t> locationNodes;
    std::vector<std::string> names; // node -> display name
    std::vector<std::string> files; // node -> file of its first function

    std::span<const uint32_t> nodesOf(uint32_t location) const {
        return {locationNodes.data() + locationStart[location],
                locationNodes.data() + locationStart[location + 1]};
    }
};
FunctionNodes functionNodes(const Profile& p);

} // namespace memscope
