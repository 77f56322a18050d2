// SPDX-License-Identifier: GPL-3.0-or-later
// Capturing from a running service, round by round: each round fetches the
// service's net/http/pprof, expvar and Prometheus endpoints (and, with a pid
// on this machine, its /proc files), and imports what it got into the case
// as one transaction stamped with the round's time. The fetched bytes are
// kept in the case like an imported file's.
#pragma once

#include "base/result.h"
#include "store/case_store.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace memscope {

struct CaptureOptions {
    std::string url;            // http://host:port, the service's debug server
    std::optional<int64_t> pid; // on this machine: /proc readings too
    int64_t everyNs = 10'000'000'000;
    std::string target;    // the program's name in the case
    int heapdumpEvery = 0; // every Nth round asks heapdumpPath for a heap dump
    int smapsEvery = 6;    // every Nth round reads /proc/PID/smaps (the per-mapping view)
    // allocs?seconds=N, what was allocated over N seconds of the round: -1
    // picks two thirds of a round of 10 s or more, 0 never asks.
    int allocsSeconds = -1;
    // With a pid, what reads the descriptors and sockets each round: "proc"
    // (/proc/PID/fd and net/tcp, no tool needed), "lsof" (lsof -n -P -p PID)
    // or "ss" (ss -tanp, the process's lines: sockets only).
    std::string fdSource = "proc";
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
    int64_t timeNs = 0;                // wall clock, the round's capture time
    uint64_t bytes = 0;                // fetched
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
    // A heap dump or goroutine dump still downloading at the deadline goes on
    // (up to requestTimeoutNs) and is imported by the round in which it ends,
    // as of the time it was asked for; that endpoint is not asked again
    // meanwhile.
    Result<RoundReport> round(int64_t deadlineNs, const std::function<bool()>& cancelled);
    // After the last round: waits for the dumps still downloading until
    // deadlineNs (monotonic) and imports them; those still running then are
    // dropped, with a warning each.
    Result<RoundReport> finish(int64_t deadlineNs, const std::function<bool()>& cancelled);
    // The endpoints still downloading, by file name ("heapdump.bin").
    std::vector<std::string> inFlight() const;
    const CaptureOptions& options() const { return m_opts; }

private:
    struct Fetched {
        std::string name; // file name in the round
        std::string bytes;
    };
    struct Job;
    struct Carried {
        std::shared_ptr<Job> job;
        std::thread thread;
        int64_t timeNs = 0; // the capture time of the round that asked
        int round = 0;
    };
    // Imports fetched files as one transaction stamped timeNs.
    Status importFiles(std::vector<Fetched>& files, int64_t timeNs, const std::string& dirName,
                       RoundReport& report);
    // Imports the carried fetches that have ended (waiting for them until
    // waitUntilNs, monotonic), each as of its own round's time.
    Status landCarried(int64_t waitUntilNs, const std::function<bool()>& cancelled,
                       RoundReport& report);
    void fetch(const std::string& name, const std::string& path, int64_t deadlineNs,
               const std::function<bool()>& cancelled, RoundReport& report,
               std::vector<Fetched>& out, bool* missing = nullptr);
    std::string procBundle(int64_t timeNs, bool withSmaps, bool withFds, RoundReport& report) const;
    // A tool's output for the round, or nothing (with a warning) when it
    // cannot run; a tool that is not installed is not tried again.
    std::optional<std::string> runTool(const std::string& command, bool& missing,
                                       RoundReport& report) const;

    CaseStore& m_store;
    CaptureOptions m_opts;
    std::string m_dir; // a private folder for the round's files until imported
    int m_round = 0;
    bool m_noLeakProfile = false, m_noVars = false, m_noMetrics = false, m_noAllocsDelta = false;
    bool m_noLsof = false, m_noSs = false;
    std::vector<Carried> m_carried;
    std::atomic<bool> m_closing{false}; // cancels the carried fetches
};

} // namespace memscope
