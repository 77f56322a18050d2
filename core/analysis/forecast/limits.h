// SPDX-License-Identifier: GPL-3.0-or-later
// The limits a growing series runs into: what the captures say (GOMEMLIMIT,
// the cgroup's memory.max, the open-files limit) or what the user types.
#pragma once

#include "analysis/series/series.h"
#include "base/result.h"

#include <optional>
#include <string>
#include <vector>

namespace memscope::forecast {

// What a limit bounds. Each series belongs to at most one.
//   heap:       in-use heap, retained bytes, heap dump and GC heap sizes
//   rss:        process{name=rss_bytes}
//   fds:        open files and TCP sockets
//   goroutines: goroutine counts
//   finalizers: finalizers_registered, finalizers_queued
const std::vector<std::string>& limitNames();
std::optional<std::string> limitNameOf(const Series& s);

struct Limit {
    std::string name; // one of limitNames()
    double value = 0;
    std::string source; // "--limit", "/gc/gomemlimit:bytes", "cgroup memory.max", ...
    bool bytes() const { return name == "heap" || name == "rss"; }
};

// "heap=2GiB", "rss=512MB", "fds=1024", "goroutines=10k": sizes take B, KB/KiB,
// MB/MiB, GB/GiB, TB/TiB (all binary multiples, as the runtime reports them),
// counts k and M. An error names the text and what is wrong with it.
Result<Limit> parseLimit(const std::string& text);

// The limit that applies to `s`: the user's of its name first, else the one
// the case captured (the last point of the series that carries it). None when
// neither is there or the captured one means "no limit" (math.MaxInt64,
// cgroup "max").
std::optional<Limit> limitFor(const Series& s, const std::vector<Limit>& user,
                              const std::vector<Series>& captured);

} // namespace memscope::forecast
