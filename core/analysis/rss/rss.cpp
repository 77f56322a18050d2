// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/rss/rss.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace memscope {

namespace {

// One target's series by key without the target label.
class Lookup {
public:
    void add(const Series& s) {
        std::string key = s.metric;
        auto it = s.labels.find("name");
        if (it != s.labels.end())
            key += "{" + it->second + "}";
        else if (s.labels.size() > (s.labels.count("target") ? 1u : 0u))
            return; // site=, state=, ...: not a total
        m_series.emplace(key, &s);
    }
    const Series* get(const std::string& metric, const std::string& name = {}) const {
        auto it = m_series.find(name.empty() ? metric : metric + "{" + name + "}");
        return it == m_series.end() ? nullptr : it->second;
    }
    // MemStats field X from heap text trailers / heap dumps / Prometheus
    // (memstats{name=X}) or from expvar (expvar{name=memstats.X}).
    // The one read more often: a capture's expvar every round beats a heap
    // dump's trailer now and then.
    const Series* memstats(const std::string& field) const {
        const Series* a = get("memstats", field);
        const Series* b = get("expvar", "memstats." + field);
        if (a && b)
            return a->points.size() >= b->points.size() ? a : b;
        return a ? a : b;
    }
    bool empty() const { return m_series.empty(); }

private:
    std::map<std::string, const Series*> m_series;
};

std::string sourceOf(const Series* s) {
    if (!s)
        return {};
    std::string k = s->metric;
    if (auto it = s->labels.find("name"); it != s->labels.end())
        k += "{name=" + it->second + "}";
    return k;
}

// The value nearest t within tol, if any.
std::optional<double> at(const Series* s, int64_t t, int64_t tol) {
    if (!s || s->points.empty())
        return std::nullopt;
    auto it = std::lower_bound(s->points.begin(), s->points.end(), t,
                               [](const SeriesPoint& p, int64_t v) { return p.timeNs < v; });
    const SeriesPoint* best = nullptr;
    if (it != s->points.end())
        best = &*it;
    if (it != s->points.begin()) {
        const SeriesPoint* prev = &*(it - 1);
        if (!best || t - prev->timeNs <= best->timeNs - t)
            best = prev;
    }
    if (!best || std::llabs(best->timeNs - t) > tol)
        return std::nullopt;
    return best->value;
}

struct Term {
    const Series* s;
    double sign;
};

// A sum of series at t: all present or nothing.
std::optional<double> sumAt(const std::vector<Term>& terms, int64_t t, int64_t tol) {
    double v = 0;
    for (const auto& term : terms) {
        auto x = at(term.s, t, tol);
        if (!x)
            return std::nullopt;
        v += term.sign * *x;
    }
    return v;
}

std::string sourceOf(const std::vector<Term>& terms) {
    std::string out;
    for (const auto& t : terms)
        out +=
            (out.empty() ? (t.sign < 0 ? "-" : "") : (t.sign < 0 ? " - " : " + ")) + sourceOf(t.s);
    return out;
}

bool allPresent(const std::vector<Term>& terms) {
    return std::all_of(terms.begin(), terms.end(), [](const Term& t) { return t.s != nullptr; });
}

// A slice's two ways of being measured: runtime/metrics first (exact, Go
// 1.16+), MemStats otherwise.
struct SliceDef {
    const char* key;
    const char* label;
    std::vector<Term> runtime, memstats;
};

RssBreakdown breakdownOf(const std::string& target, const Lookup& l) {
    RssBreakdown out;
    out.target = target;
    auto rt = [&](const char* n) { return l.get("runtime", n); };
    auto ms = [&](const char* n) { return l.memstats(n); };
    std::vector<SliceDef> defs = {
        {"heap_objects",
         "heap objects (live, and dead not yet swept)",
         {{rt("/memory/classes/heap/objects:bytes"), 1}},
         {{ms("HeapAlloc"), 1}}},
        {"heap_unused",
         "heap spans in use but not holding objects (fragmentation)",
         {{rt("/memory/classes/heap/unused:bytes"), 1}},
         {{ms("HeapInuse"), 1}, {ms("HeapAlloc"), -1}}},
        {"heap_free",
         "free heap not yet returned to the OS",
         {{rt("/memory/classes/heap/free:bytes"), 1}},
         {{ms("HeapIdle"), 1}, {ms("HeapReleased"), -1}}},
        {"stacks",
         "goroutine and OS thread stacks",
         {{rt("/memory/classes/heap/stacks:bytes"), 1}, {rt("/memory/classes/os-stacks:bytes"), 1}},
         {{ms("StackSys"), 1}}},
        {"runtime_metadata",
         "GC and runtime metadata, profiling buckets, other runtime memory",
         {{rt("/memory/classes/metadata/mcache/free:bytes"), 1},
          {rt("/memory/classes/metadata/mcache/inuse:bytes"), 1},
          {rt("/memory/classes/metadata/mspan/free:bytes"), 1},
          {rt("/memory/classes/metadata/mspan/inuse:bytes"), 1},
          {rt("/memory/classes/metadata/other:bytes"), 1},
          {rt("/memory/classes/profiling/buckets:bytes"), 1},
          {rt("/memory/classes/other:bytes"), 1}},
         {{ms("MSpanSys"), 1},
          {ms("MCacheSys"), 1},
          {ms("GCSys"), 1},
          {ms("BuckHashSys"), 1},
          {ms("OtherSys"), 1}}},
    };
    // Which way each slice is measured: the same for every point, so the
    // slices of one time line never switch source halfway.
    std::vector<const std::vector<Term>*> chosen;
    bool anyGo = false;
    for (const auto& d : defs) {
        const std::vector<Term>* c = nullptr;
        if (allPresent(d.runtime))
            c = &d.runtime;
        else if (allPresent(d.memstats))
            c = &d.memstats;
        chosen.push_back(c);
        anyGo = anyGo || c;
    }
    const Series* rss = l.get("process", "rss_bytes");
    if (!rss)
        rss = l.get("process", "rollup_rss_bytes");
    const Series* rssAnon = l.get("process", "rss_anon_bytes");
    const Series* rssFile = l.get("process", "rss_file_bytes");
    const Series* rssShmem = l.get("process", "rss_shmem_bytes");
    const Series* released = rt("/memory/classes/heap/released:bytes");
    if (!released)
        released = ms("HeapReleased");
    const Series* profile = l.get("heap_inuse_bytes");
    const Series* cgroupMax = l.get("process", "cgroup_memory_max_bytes");
    const Series* memLimit = rt("/gc/gomemlimit:bytes");

    const Series* anchor = rss;
    if (!anchor) {
        for (size_t i = 0; i < defs.size() && !anchor; ++i)
            if (chosen[i])
                anchor = (*chosen[i])[0].s;
    }
    if (!anchor || (!rss && !anyGo))
        return out;
    if (!rss)
        out.notes.push_back("No RSS was captured (memscope capture --pid, /proc/PID/status or "
                            "the Prometheus client's process_resident_memory_bytes): the slices "
                            "are what the Go runtime holds; memory outside it is unknown.");
    if (rss && !anyGo)
        out.notes.push_back("No Go runtime reading (runtime/metrics, expvar memstats, "
                            "/metrics) near the RSS readings: nothing says how much of RSS "
                            "the runtime holds.");
    if (rss && !rssAnon)
        out.notes.push_back("RSS is not split into anonymous and file-backed memory (no "
                            "/proc/PID/status RssAnon/RssFile): what Go does not account for "
                            "is left as one unexplained remainder.");
    for (size_t i = 0; i < defs.size(); ++i)
        if (!chosen[i])
            out.notes.push_back(std::string("No reading for ") + defs[i].label + ".");

    // Points closer than the tolerance count as the same moment: a round's
    // readings are taken within a second or two, rounds seconds apart.
    std::vector<int64_t> gaps;
    for (size_t i = 1; i < anchor->points.size(); ++i)
        gaps.push_back(anchor->points[i].timeNs - anchor->points[i - 1].timeNs);
    int64_t tol = 30'000'000'000;
    if (!gaps.empty()) {
        std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
        tol = std::max<int64_t>(tol / 10, std::min<int64_t>(tol, gaps[gaps.size() / 2] / 2));
    }
    for (const auto& ap : anchor->points) {
        const int64_t t = ap.timeNs;
        RssPoint p;
        p.timeNs = t;
        p.rss = at(rss, t, tol);
        p.rssSource = sourceOf(rss);
        double goSum = 0;
        bool goComplete = true;
        for (size_t i = 0; i < defs.size(); ++i) {
            std::optional<double> v = chosen[i] ? sumAt(*chosen[i], t, tol) : std::nullopt;
            if (!v) {
                goComplete = false;
                continue;
            }
            p.slices.push_back(
                {defs[i].key, defs[i].label, std::max(0.0, *v), sourceOf(*chosen[i]), true});
            goSum += std::max(0.0, *v);
        }
        auto anon = at(rssAnon, t, tol);
        auto file = at(rssFile, t, tol);
        if (file) {
            double f = *file + at(rssShmem, t, tol).value_or(0);
            p.slices.push_back(
                {"file_backed",
                 "file-backed and shared memory (the executable, libraries, "
                 "mmap'd files)",
                 f, rssShmem ? sourceOf(rssFile) + " + " + sourceOf(rssShmem) : sourceOf(rssFile),
                 true});
        }
        if (p.rss && anon && goComplete) {
            p.slices.push_back({"off_heap_anon",
                                "anonymous memory outside the Go runtime (cgo, C libraries, "
                                "anonymous mmap), or Go memory not resident when negative",
                                *anon - goSum,
                                "process{name=rss_anon_bytes} - the Go runtime's slices", false});
        } else if (p.rss && goComplete) {
            p.slices.push_back({"unexplained", "what no captured source accounts for",
                                *p.rss - goSum - (file ? p.slices.back().bytes : 0),
                                "RSS - the slices above", false});
        }
        p.heapReleased = at(released, t, tol);
        p.heapReleasedSource = sourceOf(released);
        p.profileHeap = at(profile, t, tol);
        p.cgroupLimit = at(cgroupMax, t, tol);
        p.goMemLimit = at(memLimit, t, tol);
        if (p.goMemLimit && *p.goMemLimit >= 9.2e18)
            p.goMemLimit.reset(); // math.MaxInt64: no limit set
        out.points.push_back(std::move(p));
    }
    return out;
}

} // namespace

double RssPoint::goResident() const {
    double v = 0;
    for (const auto& s : slices)
        if (s.key == "heap_objects" || s.key == "heap_unused" || s.key == "heap_free" ||
            s.key == "stacks" || s.key == "runtime_metadata")
            v += s.bytes;
    return v;
}

const RssSlice* RssPoint::slice(const std::string& key) const {
    for (const auto& s : slices)
        if (s.key == key)
            return &s;
    return nullptr;
}

std::vector<RssBreakdown> rssBreakdowns(const std::vector<Series>& series) {
    std::map<std::string, Lookup> byTarget;
    for (const auto& s : series) {
        auto it = s.labels.find("target");
        byTarget[it == s.labels.end() ? std::string() : it->second].add(s);
    }
    std::vector<RssBreakdown> out;
    for (const auto& [target, lookup] : byTarget) {
        RssBreakdown b = breakdownOf(target, lookup);
        if (!b.points.empty())
            out.push_back(std::move(b));
    }
    return out;
}

Result<std::vector<RssBreakdown>> rssBreakdowns(CaseStore& store) {
    auto metrics = metricSeries(store);
    if (!metrics)
        return metrics.error();
    auto heap = heapSeries(store, SeriesOptions{0});
    if (!heap)
        return heap.error();
    for (auto& s : *heap)
        metrics->push_back(std::move(s));
    return rssBreakdowns(*metrics);
}

std::vector<Series> rssSliceSeries(const std::vector<RssBreakdown>& breakdowns) {
    std::vector<Series> out;
    for (const auto& b : breakdowns) {
        // Without the kernel's count there is no RSS to break down, only the
        // runtime's own classes, which the runtime panels show.
        if (std::none_of(b.points.begin(), b.points.end(),
                         [](const RssPoint& p) { return p.rss.has_value(); }))
            continue;
        std::map<std::string, size_t> index; // slice key -> out
        for (const auto& p : b.points) {
            for (const auto& slice : p.slices) {
                auto [it, fresh] = index.emplace(slice.key, out.size());
                if (fresh) {
                    Series s;
                    s.metric = "rss_slice";
                    s.unit = "bytes";
                    s.labels["slice"] = slice.key; // short: a legend is one line
                    if (!b.target.empty())
                        s.labels["target"] = b.target;
                    out.push_back(std::move(s));
                }
                out[it->second].points.push_back({p.timeNs, slice.bytes, SnapshotId()});
            }
        }
    }
    return out;
}

} // namespace memscope
