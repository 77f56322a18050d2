// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/forecast/limits.h"

#include <cmath>
#include <cstdlib>

namespace memscope::forecast {

namespace {

bool startsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

const Series* findNamed(const std::vector<Series>& all, const std::string& metric,
                        const std::string& name) {
    for (const auto& s : all)
        if (s.metric == metric && s.labels.count("name") && s.labels.at("name") == name &&
            !s.points.empty())
            return &s;
    return nullptr;
}

// A captured limit's last value, or none when it means "unlimited": Go's
// math.MaxInt64 for GOMEMLIMIT, the kernel's page-rounded near-2^63 for an
// unlimited cgroup, and RLIM_INFINITY.
std::optional<double> capturedValue(const std::vector<Series>& all, const std::string& metric,
                                    const std::string& name) {
    const Series* s = findNamed(all, metric, name);
    if (!s)
        return std::nullopt;
    double v = s->points.back().value;
    if (!(v > 0) || v >= 9.0e18)
        return std::nullopt;
    return v;
}

} // namespace

const std::vector<std::string>& limitNames() {
    static const std::vector<std::string> names = {"heap", "rss", "fds", "goroutines",
                                                   "finalizers"};
    return names;
}

std::optional<std::string> limitNameOf(const Series& s) {
    const std::string& m = s.metric;
    auto named = [&](const char* n) { return s.labels.count("name") && s.labels.at("name") == n; };
    if (m == "process" && named("rss_bytes"))
        return "rss";
    if (m == "fds" || (startsWith(m, "tcp_sockets") && m != "tcp_sockets_new"))
        return "fds";
    if (m == "goroutines")
        return "goroutines";
    if (m == "finalizers_registered" || m == "finalizers_queued")
        return "finalizers";
    // In-use and retained sizes; not heap_alloc_*, which count every byte
    // ever allocated and grow in any service that runs, nor the GC's goal,
    // which the runtime itself keeps under GOMEMLIMIT.
    if (m == "heap_inuse_bytes" || m == "retained_bytes" || m == "finalizer_retained_bytes" ||
        m == "heapdump_reachable_bytes" || m == "gc_heap_start_bytes" || m == "gc_heap_end_bytes" ||
        m == "gc_heap_live_bytes")
        return "heap";
    return std::nullopt;
}

Result<Limit> parseLimit(const std::string& text) {
    auto bad = [&](const std::string& why) {
        return makeError(ErrorCode::Usage, "--limit " + text + ": " + why);
    };
    size_t eq = text.find('=');
    if (eq == std::string::npos)
        return bad("expected NAME=VALUE, as heap=2GiB or fds=1024");
    Limit l;
    l.name = text.substr(0, eq);
    l.source = "--limit";
    bool known = false;
    for (const auto& n : limitNames())
        known = known || n == l.name;
    if (!known)
        return bad("the name is one of heap, rss, fds, goroutines, finalizers");
    std::string v = text.substr(eq + 1);
    const char* begin = v.c_str();
    char* end = nullptr;
    double number = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(number) || number <= 0)
        return bad("the value is not a positive number");
    std::string unit = end;
    double scale = 0;
    static const std::pair<const char*, double> sizes[] = {{"", 1},
                                                           {"B", 1},
                                                           {"KB", 1024.0},
                                                           {"KiB", 1024.0},
                                                           {"MB", 1 << 20},
                                                           {"MiB", 1 << 20},
                                                           {"GB", 1 << 30},
                                                           {"GiB", 1 << 30},
                                                           {"TB", 1099511627776.0},
                                                           {"TiB", 1099511627776.0}};
    static const std::pair<const char*, double> counts[] = {{"", 1}, {"k", 1e3}, {"M", 1e6}};
    for (const auto& [u, s] : l.bytes() ? std::vector(std::begin(sizes), std::end(sizes))
                                        : std::vector(std::begin(counts), std::end(counts)))
        if (unit == u)
            scale = s;
    if (scale == 0)
        return bad(l.bytes() ? "the unit is one of B, KiB, MiB, GiB, TiB (or KB, MB, GB, TB)"
                             : "a count takes no unit but k or M");
    l.value = number * scale;
    return l;
}

std::optional<Limit> limitFor(const Series& s, const std::vector<Limit>& user,
                              const std::vector<Series>& captured) {
    auto name = limitNameOf(s);
    if (!name)
        return std::nullopt;
    for (const auto& l : user)
        if (l.name == *name)
            return l;
    std::optional<double> v;
    std::string source;
    if (*name == "heap") {
        v = capturedValue(captured, "runtime", "/gc/gomemlimit:bytes");
        source = "GOMEMLIMIT (/gc/gomemlimit:bytes)";
    } else if (*name == "rss") {
        v = capturedValue(captured, "process", "cgroup_memory_max_bytes");
        source = "the cgroup's memory.max";
    } else if (*name == "fds") {
        v = capturedValue(captured, "process", "max_open_files");
        source = "the open-files limit (/proc/PID/limits)";
    }
    if (!v)
        return std::nullopt;
    return Limit{*name, *v, source};
}

} // namespace memscope::forecast
