// SPDX-License-Identifier: GPL-3.0-or-later
// What the allocation sites page shows of one heap snapshot, computed off the
// GUI thread: its profile read from the case, the base it is compared with,
// pprof's filters applied, and the sites and trees every view reads.
#pragma once

#include "analysis/profile/calltree.h"
#include "analysis/profile/profile_filter.h"
#include "analysis/profile/top.h"
#include "model/profile.h"

#include <QString>
#include <memory>
#include <string>
#include <unordered_map>

namespace memscope::ui {

// The base a snapshot is compared with: the capture before it, none, or a
// snapshot's id (> 0).
constexpr qint64 kPreviousBase = -1;
constexpr qint64 kNoBase = 0;

struct SnapshotSites {
    qint64 snapshotId = 0;
    qint64 baseRequest = kPreviousBase; // what was asked for
    QString error;
    // As read from the case, before the filter: a new filter starts from these.
    std::shared_ptr<const Profile> raw, rawBase;
    QString baseLabel; // "snapshot 4 (2026-11-26T16:59:38Z)"
    ProfileFilter filter;
    // Filtered; previousProfile is null without a base of the same sample type.
    std::shared_ptr<const Profile> profile, previousProfile;
    std::shared_ptr<const TopResult> top;
    int sampleIndex = -1;
    // Flat per function at the base, for the sites' Delta column.
    std::shared_ptr<const std::unordered_map<std::string, int64_t>> previous;
    QString changed; // one line: "since snapshot 4 (...): +3.2MB; most changed: io.ReadAll +2.1MB"
    // The whole tree top-down (the flame graph's too) and bottom-up, each
    // with its diff against the base (null without one).
    std::shared_ptr<const CallTree> flame, flameDiff, bottomUp, bottomUpDiff;
};

// Reads a snapshot and its base from the case, then derives the rest.
SnapshotSites loadSites(const QString& path, qint64 snapshotId, const QString& sample,
                        qint64 baseId, const ProfileFilter& filter);
// Derives sites and trees again from the profiles `r` holds (another sample
// type or filter): r.raw, r.rawBase, r.baseLabel, r.filter and r.sampleIndex
// are read; a filter that does not compile sets r.error.
void deriveSites(SnapshotSites& r);

// The callers (top-down to the function, or the function first with
// `siteFirst`) and the callees of one function, diffed against the base
// profile when there is one.
struct FunctionTrees {
    std::shared_ptr<const CallTree> callers, callees;
};
FunctionTrees functionTrees(const Profile& profile, const Profile* base, int sampleIndex,
                            const std::string& function, bool siteFirst);

} // namespace memscope::ui
