// SPDX-License-Identifier: GPL-3.0-or-later
// One detector per trap. Each reads a target's series and snapshots through a
// DetectContext and returns its findings; the context also carries what the
// detectors run before it have explained, so a later one stays quiet about
// the same memory (a leaked connection's goroutines are not a goroutine leak).
#pragma once

#include "analysis/detect/detect.h"
#include "base/first_error.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace memscope::detect {

// A case's series for one target (all of them when there is one target).
struct SeriesSet {
    std::vector<const Series*> all;
    const Series* find(const std::string& metric, const std::string& label = {},
                       const std::string& value = {}) const;
    std::vector<const Series*> withLabel(const std::string& metric, const std::string& label) const;
};

// What earlier detectors found that later ones must not report again.
struct Explained {
    std::set<std::string> leakingHosts;   // connection_leak
    std::set<std::string> roles;          // goroutine roles a connection leak accounts for
    bool serverSideHere = false;          // the leaked connections' server is this process
    bool goroutinesGrow = false;          // some goroutine growth is already reported
    std::set<std::string> globalSites;    // sites under a retaining global
    std::set<std::string> finalizerSites; // sites under the finalizer queue
    std::set<std::pair<std::string, int64_t>> globalFrames; // user lines under that global
};

// One target's view of the case, shared by its detectors.
// Its reads keep the first error (FirstError::take): detectFindings then
// returns that error instead of findings made from missing rows, and no more
// reads are made.
class DetectContext : public FirstError {
public:
    DetectContext(CaseStore& store, const TargetInfo& target, const SeriesSet& series)
        : m_store(store), m_target(target), m_series(series) {}

    CaseStore& store() { return m_store; }
    const TargetInfo& target() const { return m_target; }
    const SeriesSet& series() const { return m_series; }
    Explained& explained() { return m_explained; }

    // The target's snapshots of a kind, by time.
    std::vector<SnapshotInfo> snapshots(SnapshotKind kind);
    // The latest heap profile, loaded once; null when there is none.
    const Profile* latestHeap();
    SnapshotId latestHeapId() const { return m_heapId; }
    // The heap profile's names for code at file:line. Heap dumps name frames by
    // physical function, so an inlined allocator shows as its caller there;
    // the profile resolves inlining, and the line is the same.
    std::vector<std::string> profileFunctionsAt(const std::string& file, int64_t line);

    Finding makeFinding(FindingKind kind, Severity severity) const;

private:
    CaseStore& m_store;
    const TargetInfo& m_target;
    const SeriesSet& m_series;
    Explained m_explained;
    Profile m_heap;
    SnapshotId m_heapId;
    bool m_heapLoaded = false, m_haveHeap = false;
};

// The snapshot ids of a series' points.
std::vector<SnapshotId> snapshotsOf(const Series& s);

class Detector {
public:
    virtual ~Detector() = default;
    virtual const char* name() const = 0;
    virtual FindingKind kind() const = 0;
    // Detectors keep no state of their own: one instance serves every case.
    virtual std::vector<Finding> run(DetectContext& context) const = 0;
};

// Every detector, in the order they run (later ones read what earlier ones
// explained, and findings of equal severity keep this order).
const std::vector<std::unique_ptr<Detector>>& detectors();

std::unique_ptr<Detector> makeConnectionChurnDetector();
std::unique_ptr<Detector> makeConnectionLeakDetector();
std::unique_ptr<Detector> makeFinalizerBacklogDetector();
std::unique_ptr<Detector> makeGlobalRetentionDetector();
std::unique_ptr<Detector> makeGoroutineLeakDetector();
std::unique_ptr<Detector> makeHeapGrowthDetector();
std::unique_ptr<Detector> makeRssGapDetector();

} // namespace memscope::detect
