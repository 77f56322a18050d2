// SPDX-License-Identifier: GPL-3.0-or-later
// What a postmortem report opens with: the series that grew over the
// captured span, first to last, and the change in the heap's call tree from
// the first heap profile to the last.
#pragma once

#include "analysis/profile/calltree.h"
#include "base/result.h"
#include "store/case_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace memscope {

struct GrowthRow {
    std::string key;  // the series' key()
    std::string name; // its display name
    std::string unit;
    double first = 0, last = 0;
    int64_t firstNs = 0, lastNs = 0;
};

// The heap in use (total and per site), goroutines, open files, client
// sockets per host, queued finalizers, retained bytes and resident memory
// that rose from their first capture to their last: each program's heap total
// first, then the largest relative rise first; at most `maxRows`.
Result<std::vector<GrowthRow>> whatGrew(CaseStore& store, size_t maxRows = 12);

// The change from the first heap profile to the last of the first program
// that has two: a diff tree (in-use bytes), with the two snapshots' ids.
struct SpanFlame {
    SnapshotId firstId, lastId;
    std::string title;
    CallTree tree;
};
Result<std::optional<SpanFlame>> spanFlame(CaseStore& store);

} // namespace memscope
