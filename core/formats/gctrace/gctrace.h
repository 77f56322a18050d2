// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "io/input.h"
#include "base/result.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace memscope {

// One `GODEBUG=gctrace=1` line. Times since process start; sizes in MiB as
// printed; stacks/globals are -1 on Go <= 1.17 lines that lack them.
struct GcCycle {
    int64_t n = 0;
    double atSeconds = 0;
    int64_t cpuPercent = 0;
    double stwSweepMs = 0, concurrentMs = 0, stwMarkMs = 0; // wall clock
    double heapStartMb = 0, heapEndMb = 0, heapLiveMb = 0, goalMb = 0;
    double stacksMb = -1, globalsMb = -1;
    int64_t procs = 0;
    bool forced = false;
};

// One run of a process in a log: its cycles in order. A log holds several runs
// when the process restarted (`gc 1` again). When the log put a wall-clock
// time in front of its gc lines (journald, container logs, syslog, glog),
// `processStartNs` places the run exactly: the earliest of each line's time
// minus its @…s; else it is 0 and the importer places the run otherwise.
struct GcRun {
    std::vector<GcCycle> cycles;
    int64_t processStartNs = 0;
    uint64_t firstLine = 0; // 1-based line of its first cycle
};

bool looksLikeGcTrace(std::string_view head);
// Lines that are not gc lines (program output, "GC forced", scav lines) are
// skipped. A gc line may follow a log prefix; `yearIfMissing` and
// `notAfterNs` complete prefixes without a year (see logLineTime).
Result<std::vector<GcRun>> parseGcTraceRuns(ByteStream& in, int yearIfMissing = 1970,
                                            int64_t notAfterNs = 0);
// All runs' cycles, one after the other.
Result<std::vector<GcCycle>> parseGcTrace(ByteStream& in);

} // namespace memscope
