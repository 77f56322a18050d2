// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/prometheus/prometheus.h"

#include "base/text_util.h"
#include "io/line_reader.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace memscope {

namespace {

bool isNameStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool isNameChar(char c) { return isNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

bool parseValue(std::string_view s, double& v) {
    if (s == "+Inf" || s == "Inf") {
        v = std::numeric_limits<double>::infinity();
        return true;
    }
    if (s == "-Inf") {
        v = -std::numeric_limits<double>::infinity();
        return true;
    }
    if (s == "NaN") {
        v = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

// runtime/metrics names the Go client's collector exports, by the name it
// gives them: "/memory/classes/heap/free:bytes" -> go_memory_classes_heap_free_bytes
// (counters end in _total).
const std::unordered_map<std::string, std::string>& runtimeMetricNames() {
    static const auto table = [] {
        static const char* names[] = {
            "/gc/heap/goal:bytes",
            "/gc/heap/live:bytes",
            "/gc/heap/objects:objects",
            "/gc/heap/allocs:bytes",
            "/gc/heap/allocs:objects",
            "/gc/heap/frees:bytes",
            "/gc/heap/frees:objects",
            "/gc/heap/tiny/allocs:objects",
            "/gc/gomemlimit:bytes",
            "/gc/gogc:percent",
            "/gc/cycles/total:gc-cycles",
            "/gc/cycles/automatic:gc-cycles",
            "/gc/cycles/forced:gc-cycles",
            "/gc/stack/starting-size:bytes",
            "/gc/scan/heap:bytes",
            "/gc/scan/stack:bytes",
            "/gc/scan/globals:bytes",
            "/gc/scan/total:bytes",
            "/gc/finalizers/queued:finalizers",
            "/gc/finalizers/executed:finalizers",
            "/gc/cleanups/queued:cleanups",
            "/gc/cleanups/executed:cleanups",
            "/memory/classes/heap/free:bytes",
            "/memory/classes/heap/objects:bytes",
            "/memory/classes/heap/released:bytes",
            "/memory/classes/heap/stacks:bytes",
            "/memory/classes/heap/unused:bytes",
            "/memory/classes/metadata/mcache/free:bytes",
            "/memory/classes/metadata/mcache/inuse:bytes",
            "/memory/classes/metadata/mspan/free:bytes",
            "/memory/classes/metadata/mspan/inuse:bytes",
            "/memory/classes/metadata/other:bytes",
            "/memory/classes/os-stacks:bytes",
            "/memory/classes/other:bytes",
            "/memory/classes/profiling/buckets:bytes",
            "/memory/classes/total:bytes",
            "/sched/goroutines:goroutines",
            "/sched/goroutines-created:goroutines",
            "/sched/goroutines/runnable:goroutines",
            "/sched/goroutines/running:goroutines",
            "/sched/goroutines/waiting:goroutines",
            "/sched/goroutines/not-in-go:goroutines",
            "/sched/gomaxprocs:threads",
            "/sched/threads/total:threads",
            "/cgo/go-to-c-calls:calls",
        };
        std::unordered_map<std::string, std::string> t;
        for (const char* n : names) {
            std::string prom = "go";
            for (const char* c = n; *c; ++c)
                prom += (*c == '/' || *c == '-' || *c == ':' || *c == '.') ? '_' : *c;
            t.emplace(prom, n);
            t.emplace(prom + "_total", n);
        }
        return t;
    }();
    return table;
}

} // namespace

bool looksLikePrometheusText(std::string_view head) {
    // Comments first, or a sample line, in the first few lines.
    bool sample = false, typeLine = false;
    forEachLine(head, 20, [&](std::string_view line, int) {
        if (line.empty())
            return true;
        if (startsWith(line, "# TYPE ") || startsWith(line, "# HELP ")) {
            typeLine = true;
            return true;
        }
        if (!isNameStart(line.front()))
            return true;
        size_t i = 0;
        while (i < line.size() && isNameChar(line[i]))
            ++i;
        if (i < line.size() && (line[i] == '{' || line[i] == ' '))
            sample = true;
        return true;
    });
    return typeLine && sample;
}

Status readPrometheusText(ByteStream& in, const std::function<void(const PromSample&)>& onSample) {
    LineReader lines(in);
    std::string_view line;
    while (lines.next(line)) {
        auto fail = [&](const char* why) {
            return errorAtLine(ErrorCode::Format, lines.lineNumber(), why);
        };
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#')
            continue;
        if (!isNameStart(line.front()))
            return fail("not a metric sample: a name must start the line");
        PromSample s;
        size_t i = 0;
        while (i < line.size() && isNameChar(line[i]))
            ++i;
        s.name = line.substr(0, i);
        if (i < line.size() && line[i] == '{') {
            size_t start = ++i;
            bool quoted = false;
            for (; i < line.size(); ++i) {
                char c = line[i];
                if (quoted && c == '\\') {
                    ++i;
                    continue;
                }
                if (c == '"')
                    quoted = !quoted;
                else if (c == '}' && !quoted)
                    break;
            }
            if (i >= line.size())
                return fail("a label set without its closing brace");
            s.labels = line.substr(start, i - start);
            ++i;
        }
        auto rest = splitFields(line.substr(i));
        if (rest.empty() || rest.size() > 2)
            return fail("a sample needs a value and at most a timestamp");
        if (!parseValue(rest[0], s.value))
            return fail("the sample's value is not a number");
        if (rest.size() == 2) {
            int64_t ts = 0;
            if (!parseWholeInt(rest[1], ts))
                return fail("the sample's timestamp is not whole milliseconds");
            s.timestampMs = ts;
        }
        onSample(s);
    }
    if (lines.error())
        return *lines.error();
    return {};
}

std::string goClientSeriesName(std::string_view name, std::string_view labels) {
    static const std::unordered_map<std::string_view, const char*> memstats = {
        {"go_memstats_alloc_bytes", "Alloc"},
        {"go_memstats_alloc_bytes_total", "TotalAlloc"},
        {"go_memstats_sys_bytes", "Sys"},
        {"go_memstats_lookups_total", "Lookups"},
        {"go_memstats_mallocs_total", "Mallocs"},
        {"go_memstats_frees_total", "Frees"},
        {"go_memstats_heap_alloc_bytes", "HeapAlloc"},
        {"go_memstats_heap_sys_bytes", "HeapSys"},
        {"go_memstats_heap_idle_bytes", "HeapIdle"},
        {"go_memstats_heap_inuse_bytes", "HeapInuse"},
        {"go_memstats_heap_released_bytes", "HeapReleased"},
        {"go_memstats_heap_objects", "HeapObjects"},
        {"go_memstats_stack_inuse_bytes", "StackInuse"},
        {"go_memstats_stack_sys_bytes", "StackSys"},
        {"go_memstats_mspan_inuse_bytes", "MSpanInuse"},
        {"go_memstats_mspan_sys_bytes", "MSpanSys"},
        {"go_memstats_mcache_inuse_bytes", "MCacheInuse"},
        {"go_memstats_mcache_sys_bytes", "MCacheSys"},
        {"go_memstats_buck_hash_sys_bytes", "BuckHashSys"},
        {"go_memstats_gc_sys_bytes", "GCSys"},
        {"go_memstats_other_sys_bytes", "OtherSys"},
        {"go_memstats_next_gc_bytes", "NextGC"},
        {"go_memstats_gc_cpu_fraction", "GCCPUFraction"},
    };
    static const std::unordered_map<std::string_view, const char*> others = {
        {"go_goroutines", "/sched/goroutines:goroutines"},
        {"go_threads", "process.os_threads"},
        {"process_resident_memory_bytes", "process.rss_bytes"},
        {"process_virtual_memory_bytes", "process.vm_size_bytes"},
        {"process_virtual_memory_max_bytes", "process.vm_max_bytes"},
        {"process_open_fds", "process.open_fds"},
        {"process_max_fds", "process.max_open_files"},
        {"process_cpu_seconds_total", "process.cpu_seconds"},
    };
    if (!labels.empty())
        return {}; // labelled samples (quantiles, buckets) keep their own names
    if (auto it = memstats.find(name); it != memstats.end())
        return std::string("memstats.") + it->second;
    if (auto it = others.find(name); it != others.end())
        return it->second;
    const auto& rt = runtimeMetricNames();
    if (auto it = rt.find(std::string(name)); it != rt.end())
        return it->second;
    return {};
}

} // namespace memscope
