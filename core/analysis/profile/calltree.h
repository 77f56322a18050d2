// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/profile.h"

#include <cstdint>
#include <string>
#include <vector>

namespace memscope {

// A tree of calls, flattened: node 0 is the root (no function).
struct CallTreeNode {
    std::string function;
    std::string file;
    int64_t value = 0; // total of the samples that pass through this node
    int64_t self = 0;  // of those, the samples that end here
    int64_t base = 0;  // in a diff tree: the same path's value in the base profile
    int32_t parent = -1;
    std::vector<int32_t> children; // sorted by value, largest first
};

struct CallTree {
    std::string sample, unit;
    int64_t total = 0; // of the samples the tree covers
    bool diff = false; // nodes carry `base` as well
    int64_t baseTotal = 0;
    std::vector<CallTreeNode> nodes;
};

enum class CallTreeDirection {
    TopDown,  // outermost callers first, down to the focus
    BottomUp, // the focus first, then its callers
    Callees,  // the focus first, then what it calls, down to the leaves
};

// The samples whose stack contains `focus` (every sample when empty). TopDown
// and BottomUp cut them at the focus's innermost occurrence: "who calls the
// site, and how much"; Callees starts them at its outermost occurrence, so a
// recursive function's samples count once. Without a focus, TopDown is the
// whole tree from the outermost callers and BottomUp its inversion: every
// leaf function first, its callers below.
CallTree buildCallTree(const Profile& p, int sampleIndex, const std::string& focus,
                       CallTreeDirection direction = CallTreeDirection::TopDown);

// The union of two trees' paths: `value` from `now`, `base` from `base`, so a
// path that shrank or vanished stays in the tree with its base value.
// Children are ordered by the larger of the two, largest first.
CallTree diffCallTrees(const CallTree& base, const CallTree& now);

// Where each node of a tree sits in a flame graph: x and width as shares of
// the root's width, and depth (root 0). A node is as wide as its value (in a
// diff tree, the larger of value and base) and at least its children, so
// frames always nest.
struct FlameLayout {
    std::vector<double> x, width;
    std::vector<int> depth;
    int maxDepth = 0;
    double maxDelta = 0; // the largest |value - base| of a diff tree
};
FlameLayout layoutFlame(const CallTree& tree);

// Folded stacks ("main;handle;io.ReadAll 123"), one line per path, for tests.
std::vector<std::string> foldedStacks(const CallTree& tree);

} // namespace memscope
