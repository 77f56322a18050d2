// SPDX-License-Identifier: GPL-3.0-or-later
// Where the resident memory goes: the process's RSS as the kernel counts it,
// set against what the Go runtime says it holds (runtime/metrics
// /memory/classes/*, or MemStats from expvar, heap text trailers, heap dumps
// and the Prometheus client), and what the heap profile samples. Every slice
// names the source that measured it; what no source measures is the
// remainder, and is called inferred.
#pragma once

#include "analysis/series/series.h"

#include <optional>
#include <string>
#include <vector>

namespace memscope {

struct RssSlice {
    std::string key;   // heap_objects, heap_unused, heap_free, stacks, runtime_metadata,
                       // file_backed, off_heap_anon, unexplained
    std::string label; // for people
    double bytes = 0;
    std::string source; // the series it rests on, "runtime{name=...}" or "RSS - ..." when inferred
    bool measured = true;
};

struct RssPoint {
    int64_t timeNs = 0;
    std::optional<double> rss; // the kernel's count, when captured
    std::string rssSource;
    // Resident slices, in stacking order; their sum is the RSS when it is known.
    std::vector<RssSlice> slices;
    // Not resident or not additive, shown beside the slices.
    std::optional<double> heapReleased; // returned to the OS
    std::string heapReleasedSource;
    std::optional<double> profileHeap; // the heap profile's in-use bytes (sampled, scaled)
    std::optional<double> cgroupLimit; // memory.max, when captured
    std::optional<double> goMemLimit;  // /gc/gomemlimit:bytes
    // What the Go runtime holds resident by its own count (the slices it measures).
    double goResident() const;
    const RssSlice* slice(const std::string& key) const;
};

struct RssBreakdown {
    std::string target;             // empty when the case holds one program
    std::vector<RssPoint> points;   // by time
    std::vector<std::string> notes; // what is missing and what that leaves unknown
};

// Per target, from the case's series (allSeries or metricSeries + heapSeries).
// A target with neither an RSS nor a Go runtime reading has no breakdown.
std::vector<RssBreakdown> rssBreakdowns(const std::vector<Series>& series);
Result<std::vector<RssBreakdown>> rssBreakdowns(CaseStore& store);

// The breakdowns as time lines, for the timeline's RSS panel:
// `rss_slice{slice=KEY}` per resident slice (bytes), with the target label
// when a breakdown has one; none for a breakdown without an RSS reading.
// Points carry no snapshot (snapshotId 0): a slice rests on several captures.
std::vector<Series> rssSliceSeries(const std::vector<RssBreakdown>& breakdowns);

} // namespace memscope
