// SPDX-License-Identifier: GPL-3.0-or-later
// Capturing from a running service, round by round: each round fetches the
// service's net/http/pprof, expvar and Prometheus endpoints (and, with a pid
// on this machine, its /proc files), and imports what it got into the case
// as one transaction stamped with the round's time. The fetched bytes are
// kept in the case like an imported file's.
#pragma once

#include "base/result.h"
#include "store/case_store.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace memscope {

struct CaptureOptions {
    std::string url;                 // http://host:port, the service's debug server
    std::optional<int64_t> pid;      // on this machine: /proc readings too
    int64_t everyNs = 10'000'000'000;
    std::string target;              // the program's name in the case
    int heapdumpEvery = 0;           // every Nth round asks heapdumpPath for a heap dump
    int smapsEvery = 6;              // every Nth round reads /proc/PID/smaps (the per-mapping view)
    std::string pprofPath = "/debug/pprof/";
    std::string varsPath = "/debug/vars";
    std::string metricsPath = "/metrics";
    std::string heapdumpPath = "/debug/heapdump";
    int64_t requestTimeoutNs = 30'000'000'000;
    // A goroutine?debug=2 dump larger than this is fetched again as debug=1.
    uint64_t maxGoroutineDumpBytes = 256u << 20;
    std::string procRoot = "/proc"; // tests point it at a recorded tree
};

struct RoundReport {
    int round = 0;
    int64_t timeNs = 0;   // wall clock, the round's capture time
    uint64_t bytes = 0;   // fetched
    std::vector<std::string> warnings; // failed fetches, import warnings
    std::vector<ImportOutcome> outcomes;
    int snapshots = 0;
};

class CaptureSession {
public:
    CaptureSession(CaseStore& store, CaptureOptions opts);
    ~CaptureSession();
    // One round, fetched and imported; it ends by deadlineNs (monotonic)
    // however slow the service. An error only when nothing could be written.
    Result<RoundReport> round(int64_t deadlineNs, const std::function<bool()>& cancelled);
    const CaptureOptions& options() const { return m_opts; }

private:
    struct Fetched {
        std::string name; // file name in the round
        std::string bytes;
    };
    void fetch(const std::string& name, const std::string& path, int64_t deadlineNs,
               const std::function<bool()>& cancelled, RoundReport& report,
               std::vector<Fetched>& out, bool* missing = nullptr);
    std::string procBundle(int64_t timeNs, bool withSmaps, RoundReport& report) const;

    CaseStore& m_store;
    CaptureOptions m_opts;
    std::string m_dir; // a private folder for the round's files until imported
    int m_round = 0;
    bool m_noLeakProfile = false, m_noVars = false, m_noMetrics = false;
};

} // namespace memscope
