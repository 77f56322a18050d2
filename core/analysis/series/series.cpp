// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: one function per kind of series (heap, allocation rate,
// goroutines, descriptors, metrics, heap dumps, GC) sharing the timeline and
// gap-filling helpers at the top; a file per kind is the next split.
#include "analysis/series/series.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace memscope {

std::string Series::key() const {
    if (labels.empty())
        return metric;
    std::string k = metric + "{";
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first)
            k += ",";
        k += name + "=" + value;
        first = false;
    }
    return k + "}";
}

namespace {

// One snapshot per target and instant, the rule of timeline().
std::vector<SnapshotInfo> onePerInstant(std::vector<SnapshotInfo>& all) {
    std::vector<SnapshotInfo> out;
    std::map<TargetId, const SnapshotInfo*> last; // by target
    for (auto& sn : all) {
        auto it = last.find(sn.targetId);
        if (it != last.end()) {
            const SnapshotInfo& k = *it->second;
            int64_t dt = sn.timeNs - k.timeNs;
            // A file name only says the second: within it, the same capture.
            bool coarse = sn.timeSource != "data" || k.timeSource != "data";
            if (dt == 0 || (coarse && dt < 1000000000))
                continue;
        }
        last[sn.targetId] = &sn;
        out.push_back(sn);
    }
    return out;
}

} // namespace

Result<std::vector<SnapshotInfo>> timeline(CaseStore& store, SnapshotKind kind) {
    auto all = store.snapshots(kind);
    if (!all)
        return all.error();
    return onePerInstant(*all);
}

namespace {

// The time line of one kind with the case's targets, where a builder starts;
// the targets are read only when the kind has snapshots.
struct KindTimeline {
    std::vector<SnapshotInfo> snaps;
    std::vector<TargetInfo> targets;
};

Result<KindTimeline> kindTimeline(CaseStore& store, SnapshotKind kind) {
    KindTimeline out;
    auto timed = timeline(store, kind);
    if (!timed)
        return timed.error();
    out.snaps = std::move(*timed);
    if (out.snaps.empty())
        return out;
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    out.targets = std::move(*targets);
    return out;
}

// The `n` names with the largest peaks, largest first (names break ties).
std::vector<std::string> topByPeak(const std::map<std::string, int64_t>& peak, size_t n) {
    std::vector<std::pair<int64_t, std::string>> ranked;
    for (const auto& [name, value] : peak)
        ranked.push_back({-value, name});
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::string> names;
    for (size_t i = 0; i < ranked.size() && i < n; ++i)
        names.push_back(ranked[i].second);
    return names;
}

} // namespace

Result<std::vector<Series>> heapSeries(CaseStore& store, const SeriesOptions& opts) {
    std::vector<Series> out;
    auto timed = kindTimeline(store, SnapshotKind::Heap);
    if (!timed)
        return timed.error();
    const auto& snaps = timed->snaps;
    if (snaps.empty())
        return out;
    const auto& targets = timed->targets;
    bool manyTargets = targets.size() > 1;

    for (const auto& target : targets) {
        struct Total {
            const char* type;
            const char* metric;
            const char* unit;
        };
        const Total totals[] = {{"inuse_space", "heap_inuse_bytes", "bytes"},
                                {"inuse_objects", "heap_inuse_objects", "objects"},
                                {"alloc_space", "heap_alloc_bytes", "bytes"},
                                {"alloc_objects", "heap_alloc_objects", "objects"}};
        std::vector<Series> totalSeries;
        for (const auto& t : totals) {
            Series s;
            s.metric = t.metric;
            s.unit = t.unit;
            if (manyTargets)
                s.labels["target"] = target.name;
            totalSeries.push_back(std::move(s));
        }
        // site -> (snapshot index -> bytes)
        std::unordered_map<std::string, std::vector<double>> sites;
        std::vector<const SnapshotInfo*> mine;
        for (const auto& sn : snaps)
            if (sn.targetId == target.id)
                mine.push_back(&sn);
        for (size_t i = 0; i < mine.size(); ++i) {
            const auto& sn = *mine[i];
            int inuseIdx = -1;
            auto types = store.sampleTypes(sn.id);
            if (!types)
                return types.error();
            for (const auto& st : *types) {
                for (size_t k = 0; k < std::size(totals); ++k)
                    if (st.type == totals[k].type)
                        totalSeries[k].points.push_back({sn.timeNs, double(st.total), sn.id});
                if (st.type == "inuse_space")
                    inuseIdx = st.index;
            }
            // Only v0..v3 are columns (Go heap profiles have exactly four types).
            auto flat = store.flatByLeafFunction(sn.id, inuseIdx);
            if (!flat)
                return flat.error();
            for (const auto& site : *flat) {
                auto& v = sites[site.name];
                v.resize(mine.size(), 0.0);
                v[i] = double(site.count);
            }
        }
        for (auto& s : totalSeries)
            if (!s.points.empty())
                out.push_back(std::move(s));

        // The sites that matter most: the largest in-use bytes at any snapshot.
        std::vector<std::pair<double, std::string>> ranked;
        for (const auto& [name, values] : sites)
            ranked.emplace_back(*std::max_element(values.begin(), values.end()), name);
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        for (size_t r = 0; r < ranked.size() && int(r) < opts.topSites; ++r) {
            if (ranked[r].first <= 0)
                break;
            Series s;
            s.metric = "heap_inuse_bytes";
            s.unit = "bytes";
            if (manyTargets)
                s.labels["target"] = target.name;
            s.labels["site"] = ranked[r].second;
            const auto& values = sites[ranked[r].second];
            for (size_t i = 0; i < mine.size(); ++i)
                s.points.push_back({mine[i]->timeNs, values[i], mine[i]->id});
            out.push_back(std::move(s));
        }
    }
    return out;
}

Result<std::vector<Series>> allocRateSeries(CaseStore& store, int topSites) {
    std::vector<Series> out;
    auto timed = kindTimeline(store, SnapshotKind::AllocsDelta);
    if (!timed)
        return timed.error();
    const bool manyTargets = timed->targets.size() > 1;
    for (const auto& target : timed->targets) {
        Series bytes, objects;
        bytes.metric = "allocated_per_second_bytes";
        bytes.unit = "bytes";
        objects.metric = "allocated_per_second_objects";
        objects.unit = "objects";
        if (manyTargets)
            bytes.labels["target"] = objects.labels["target"] = target.name;
        std::vector<const SnapshotInfo*> mine;
        for (const auto& sn : timed->snaps)
            if (sn.targetId == target.id && sn.durationNs > 0)
                mine.push_back(&sn);
        std::unordered_map<std::string, std::vector<double>> sites;
        for (size_t i = 0; i < mine.size(); ++i) {
            const SnapshotInfo& sn = *mine[i];
            const double seconds = double(sn.durationNs) / 1e9;
            auto types = store.sampleTypes(sn.id);
            if (!types)
                return types.error();
            int spaceIdx = -1;
            for (const auto& st : *types) {
                if (st.type == "alloc_space") {
                    bytes.points.push_back({sn.timeNs, double(st.total) / seconds, sn.id});
                    spaceIdx = st.index;
                } else if (st.type == "alloc_objects") {
                    objects.points.push_back({sn.timeNs, double(st.total) / seconds, sn.id});
                }
            }
            if (spaceIdx < 0)
                continue;
            auto flat = store.flatByLeafFunction(sn.id, spaceIdx);
            if (!flat)
                return flat.error();
            for (const auto& site : *flat) {
                auto& v = sites[site.name];
                v.resize(mine.size(), 0.0);
                v[i] = double(site.count) / seconds;
            }
        }
        for (Series* s : {&bytes, &objects})
            if (!s->points.empty())
                out.push_back(std::move(*s));
        std::map<std::string, int64_t> peak;
        for (auto& [name, values] : sites) {
            values.resize(mine.size(), 0.0);
            peak[name] = int64_t(*std::max_element(values.begin(), values.end()));
        }
        for (const auto& name : topByPeak(peak, size_t(std::max(topSites, 0)))) {
            if (peak[name] <= 0)
                break;
            Series s;
            s.metric = "allocated_per_second_bytes";
            s.unit = "bytes";
            if (manyTargets)
                s.labels["target"] = target.name;
            s.labels["site"] = name;
            for (size_t i = 0; i < mine.size(); ++i)
                s.points.push_back({mine[i]->timeNs, sites[name][i], mine[i]->id});
            out.push_back(std::move(s));
        }
    }
    return out;
}

std::map<TargetId, std::string> targetNames(const std::vector<TargetInfo>& targets) {
    std::map<TargetId, std::string> names;
    for (const auto& t : targets)
        names[t.id] = t.name;
    return names;
}

// Every point of `s` at its snapshot, and a zero at the snapshots (of its
// target) where the label was absent, so a line spans the whole range.
void fillGaps(Series& s, const std::vector<SnapshotInfo>& snaps, bool manyTargets,
              const std::map<TargetId, std::string>& targetName) {
    std::vector<SeriesPoint> full;
    size_t k = 0;
    for (const auto& sn : snaps) {
        if (manyTargets && s.labels.count("target") &&
            s.labels.at("target") != targetName.at(sn.targetId))
            continue;
        if (k < s.points.size() && s.points[k].snapshotId == sn.id)
            full.push_back(s.points[k++]);
        else
            full.push_back({sn.timeNs, 0, sn.id});
    }
    s.points = std::move(full);
}

namespace {

// Series filled snapshot by snapshot: points of the same series and snapshot
// add up, every series carries the target when the case has several, and
// finish() puts a zero where a snapshot lacked a series.
class SeriesBuilder {
public:
    SeriesBuilder(const std::vector<TargetInfo>& targets, const std::vector<SnapshotInfo>& snaps)
        : m_snaps(snaps), m_many(targets.size() > 1), m_names(targetNames(targets)) {}

    void add(const SnapshotInfo& sn, const std::string& metric, const char* unit,
             std::map<std::string, std::string> labels, double v) {
        if (m_many)
            labels["target"] = m_names.at(sn.targetId);
        Series probe;
        probe.metric = metric;
        probe.labels = std::move(labels);
        probe.unit = unit;
        auto [it, fresh] = m_byKey.emplace(probe.key(), probe);
        if (fresh)
            m_order.push_back(it->first);
        auto& pts = it->second.points;
        if (!pts.empty() && pts.back().snapshotId == sn.id)
            pts.back().value += v;
        else
            pts.push_back({sn.timeNs, v, sn.id});
    }

    std::vector<Series> finish() {
        std::vector<Series> out;
        for (const auto& key : m_order) {
            fillGaps(m_byKey[key], m_snaps, m_many, m_names);
            out.push_back(std::move(m_byKey[key]));
        }
        return out;
    }

private:
    const std::vector<SnapshotInfo>& m_snaps;
    bool m_many;
    std::map<TargetId, std::string> m_names;
    std::map<std::string, Series> m_byKey;
    std::vector<std::string> m_order;
};

} // namespace

std::string goroutineEntry(const std::vector<std::string>& stack) {
    if (stack.empty())
        return {};
    const std::string& f = stack.back();
    return f.substr(0, f.find(' '));
}

Result<std::vector<Series>> goroutineSeries(CaseStore& store) {
    std::vector<Series> out;
    // A goroutine leak profile (goroutineleak debug=1 or profile.proto, every
    // group leaked) lists only the leaked goroutines: it is not the process's
    // total, and feeds `goroutines_leaked` alone. A debug=2 dump with leaked
    // states feeds both. Each line keeps one snapshot per instant of its own,
    // so a leak profile taken with a dump never takes the dump's place.
    auto all = store.snapshots(SnapshotKind::Goroutines);
    if (!all)
        return all.error();
    std::vector<SnapshotInfo> dumps, verdicts;
    // Groups by the function a goroutine was started with (its outermost
    // frame): the few that ever hold the most get a line each.
    std::map<SnapshotId, std::map<std::string, int64_t>> byEntry;
    std::map<SnapshotId, int64_t> leakedIn;
    for (const auto& sn : *all) {
        auto groups = store.goroutineGroups(sn.id);
        if (!groups)
            return groups.error();
        bool anyLeaked = false, allLeaked = !groups->empty();
        int64_t leaked = 0;
        for (const auto& g : *groups) {
            anyLeaked |= g.leaked;
            allLeaked &= g.leaked;
            leaked += g.leaked ? g.count : 0;
        }
        if (anyLeaked) {
            verdicts.push_back(sn);
            leakedIn[sn.id] = leaked;
        }
        if (allLeaked)
            continue;
        dumps.push_back(sn);
        auto& m = byEntry[sn.id];
        for (const auto& g : *groups)
            if (!g.stack.empty())
                m[goroutineEntry(g.stack)] += g.count;
    }
    const auto snaps = onePerInstant(dumps);
    const auto verdictSnaps = onePerInstant(verdicts);
    if (snaps.empty() && verdictSnaps.empty())
        return out;
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    std::map<std::string, int64_t> entryPeak;
    for (const auto& sn : snaps)
        for (const auto& [e, n] : byEntry[sn.id])
            entryPeak[e] = std::max(entryPeak[e], n);
    SeriesBuilder b(*targets, snaps);
    auto add = [&](const SnapshotInfo& sn, std::map<std::string, std::string> labels, double v) {
        b.add(sn, "goroutines", "count", std::move(labels), v);
    };
    const auto topEntries = topByPeak(entryPeak, 8);
    for (const auto& sn : snaps) {
        auto counts = store.goroutineCountsByState(sn.id);
        if (!counts)
            return counts.error();
        add(sn, {}, 0);
        for (const auto& c : *counts) {
            double n = double(c.count);
            add(sn, {}, n);
            add(sn, {{"state", c.state}}, n);
            if (c.role != GoroutineRole::None)
                add(sn, {{"role", toString(c.role)}}, n);
        }
        for (const auto& e : topEntries) {
            auto it = byEntry[sn.id].find(e);
            add(sn, {{"group", e}}, it == byEntry[sn.id].end() ? 0.0 : double(it->second));
        }
    }
    out = b.finish();
    SeriesBuilder leaked(*targets, verdictSnaps);
    for (const auto& sn : verdictSnaps)
        leaked.add(sn, "goroutines_leaked", "count", {}, double(leakedIn[sn.id]));
    for (auto& s : leaked.finish())
        out.push_back(std::move(s));
    return out;
}

Result<std::vector<Series>> fdSeries(CaseStore& store) {
    std::vector<Series> out;
    auto timed = kindTimeline(store, SnapshotKind::Fds);
    if (!timed)
        return timed.error();
    const auto& snaps = timed->snaps;
    if (snaps.empty())
        return out;
    const auto& targets = timed->targets;
    SeriesBuilder b(targets, snaps);
    auto add = [&](const SnapshotInfo& sn, const char* metric,
                   std::map<std::string, std::string> labels,
                   double v) { b.add(sn, metric, "count", std::move(labels), v); };
    // Client sockets by identity, to count the ones new since the previous
    // snapshot of the same target (connection churn).
    std::map<TargetId, std::set<std::tuple<std::string, int64_t, int64_t>>> previous; // by target
    std::map<TargetId, bool> havePrevious;
    for (const auto& sn : snaps) {
        std::set<std::tuple<std::string, int64_t, int64_t>> now;
        auto conns = store.clientSockets(sn.id);
        if (!conns)
            return conns.error();
        for (const auto& c : *conns)
            now.insert({c.host, c.localPort, c.remotePort});
        if (havePrevious[sn.targetId]) {
            std::map<std::string, int64_t> fresh;
            for (const auto& c : now)
                fresh[std::get<0>(c)] += previous[sn.targetId].count(c) ? 0 : 1;
            for (const auto& [host, n] : fresh)
                add(sn, "tcp_sockets_new", {{"host", host}}, double(n));
        }
        previous[sn.targetId] = std::move(now);
        havePrevious[sn.targetId] = true;
        auto counts = store.fdCounts(sn.id);
        if (!counts)
            return counts.error();
        add(sn, "fds", {}, double(counts->total));
        for (const auto& c : counts->byType)
            add(sn, "fds", {{"type", c.name}}, double(c.count));
        for (const auto& c : counts->tcpByState)
            add(sn, "tcp_sockets", {{"state", c.name}}, double(c.count));
        for (const auto& c : counts->clientsByHost)
            add(sn, "tcp_sockets", {{"host", c.name}}, double(c.count));
    }
    return b.finish();
}

Result<std::vector<Series>> metricSeries(CaseStore& store) {
    std::vector<Series> out;
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    bool manyTargets = targets->size() > 1;
    const auto targetName = targetNames(*targets);
    std::map<std::string, size_t> index;
    // Cases imported before expvar was capped may hold millions of vars: the
    // same cap as the importer's, memstats and the first kMaxExpvarVars others.
    constexpr size_t kMaxExpvarVars = 1000;
    size_t expvarVars = 0;
    std::string lastExpvarName;
    std::optional<SnapshotKind> lastCappedKind;
    auto read = store.forEachMetricPoint([&](const MetricPointRow& p) {
        const SnapshotKind kind = p.kind;
        std::string name = p.name;
        const bool cappedKind = kind == SnapshotKind::Expvar || kind == SnapshotKind::Prometheus;
        if (cappedKind && name.rfind("memstats.", 0) != 0 && name.rfind("process.", 0) != 0 &&
            name.rfind("/", 0) != 0) {
            if (kind != lastCappedKind) { // each capped kind keeps its own first vars
                lastCappedKind = kind;
                expvarVars = 0;
            }
            if (name != lastExpvarName) {
                lastExpvarName = name;
                ++expvarVars;
            }
            if (expvarVars > kMaxExpvarVars)
                return;
        }
        Series s;
        if (kind == SnapshotKind::Metrics) {
            s.metric = "runtime";
        } else if (kind == SnapshotKind::Expvar) {
            s.metric = "expvar";
        } else if (name.rfind("memstats.", 0) == 0) {
            s.metric = "memstats";
            name = name.substr(9);
        } else if (name.rfind("process.", 0) == 0) {
            // /proc readings and the Prometheus client's process_* alike.
            s.metric = "process";
            name = name.substr(8);
        } else if (name.rfind("/", 0) == 0) {
            s.metric = "runtime"; // runtime/metrics names from a /metrics scrape
        } else {
            s.metric = toString(kind);
        }
        s.labels["name"] = name;
        if (manyTargets)
            s.labels["target"] = targetName.at(p.targetId);
        auto [it, fresh] = index.emplace(s.key(), out.size());
        if (fresh)
            out.push_back(std::move(s));
        out[it->second].points.push_back({p.timeNs, p.value, p.snapshotId});
    });
    if (!read)
        return read.error();
    // memstats come from heap text trailers and heap dumps alike: one time line.
    for (auto& series : out)
        std::stable_sort(
            series.points.begin(), series.points.end(),
            [](const SeriesPoint& a, const SeriesPoint& b) { return a.timeNs < b.timeNs; });
    return out;
}

Result<std::vector<Series>> heapDumpSeries(CaseStore& store, int topN) {
    std::vector<Series> out;
    auto timed = kindTimeline(store, SnapshotKind::HeapDump);
    if (!timed)
        return timed.error();
    const auto& snaps = timed->snaps;
    if (snaps.empty())
        return out;
    const auto& targets = timed->targets;
    SeriesBuilder b(targets, snaps);
    auto add = [&](const SnapshotInfo& sn, const char* metric, const char* unit,
                   std::map<std::string, std::string> labels,
                   double v) { b.add(sn, metric, unit, std::move(labels), v); };
    // Roots and sites that ever retain the most get their own lines.
    std::map<std::string, int64_t> rootPeak;
    for (const auto& sn : snaps) {
        auto roots = store.heapDumpRoots(sn.id, size_t(topN) * 4);
        if (!roots)
            return roots.error();
        for (const auto& r : *roots)
            rootPeak[r.name] = std::max(rootPeak[r.name], r.retainedBytes);
    }
    auto topRoots = topByPeak(rootPeak, size_t(topN));
    for (const auto& sn : snaps) {
        auto dump = store.heapDump(sn.id);
        if (!dump)
            return dump.error();
        if (!*dump)
            continue;
        const auto& h = *dump;
        add(sn, "finalizers_registered", "count", {}, double(h->finalizersRegistered));
        add(sn, "finalizers_queued", "count", {}, double(h->finalizersQueued));
        add(sn, "finalizer_retained_bytes", "bytes", {}, double(h->finalizerRetainedBytes));
        add(sn, "heapdump_reachable_bytes", "bytes", {}, double(h->reachableBytes));
        add(sn, "heapdump_unreachable_bytes", "bytes", {}, double(h->bytes - h->reachableBytes));
        std::map<std::string, int64_t> byRoot;
        auto roots = store.heapDumpRoots(sn.id);
        if (!roots)
            return roots.error();
        for (const auto& r : *roots)
            byRoot[r.name] += r.retainedBytes;
        for (const auto& name : topRoots)
            add(sn, "retained_bytes", "bytes", {{"root", name}}, double(byRoot[name]));
    }
    return b.finish();
}

Result<std::vector<Series>> gcSeries(CaseStore& store) {
    std::vector<Series> out;
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    bool manyTargets = targets->size() > 1;
    const auto targetName = targetNames(*targets);
    struct Col {
        const char* metric;
        const char* unit;
        double (*value)(const GcCycleRow&);
    };
    static const Col cols[] = {
        {"gc_heap_start_bytes", "bytes",
         [](const GcCycleRow& c) { return c.heapStartMb * 1048576; }},
        {"gc_heap_end_bytes", "bytes", [](const GcCycleRow& c) { return c.heapEndMb * 1048576; }},
        {"gc_heap_live_bytes", "bytes", [](const GcCycleRow& c) { return c.heapLiveMb * 1048576; }},
        {"gc_heap_goal_bytes", "bytes", [](const GcCycleRow& c) { return c.goalMb * 1048576; }},
        {"gc_stw_ms", "ms", [](const GcCycleRow& c) { return c.stwSweepMs + c.stwMarkMs; }},
        {"gc_concurrent_mark_ms", "ms", [](const GcCycleRow& c) { return c.concurrentMs; }},
        {"gc_cpu_percent", "percent", [](const GcCycleRow& c) { return c.cpuPercent; }},
    };
    auto snaps = store.snapshots(SnapshotKind::GcTrace);
    if (!snaps)
        return snaps.error();
    // One line per metric (and program): every gctrace snapshot (a log, or a
    // run of the process within one) adds its cycles to it.
    std::map<std::string, size_t> lineOf;
    for (const auto& sn : *snaps) {
        double start = 0;
        auto metrics = store.metrics(sn.id);
        if (!metrics)
            return metrics.error();
        for (const auto& [name, v] : *metrics)
            if (name == "process_start_ns")
                start = v;
        auto cycles = store.gcCycles(sn.id);
        if (!cycles)
            return cycles.error();
        for (const auto& c : cols) {
            Series s;
            s.metric = c.metric;
            s.unit = c.unit;
            if (manyTargets)
                s.labels["target"] = targetName.at(sn.targetId);
            for (const auto& cycle : *cycles)
                s.points.push_back({int64_t(start + cycle.atSeconds * 1e9), c.value(cycle), sn.id});
            auto [at, added] = lineOf.emplace(s.key(), out.size());
            if (added) {
                out.push_back(std::move(s));
            } else {
                auto& pts = out[at->second].points;
                pts.insert(pts.end(), s.points.begin(), s.points.end());
            }
        }
    }
    for (auto& s : out)
        std::stable_sort(s.points.begin(), s.points.end(),
                         [](const auto& a, const auto& b) { return a.timeNs < b.timeNs; });
    return out;
}

Result<std::vector<Series>> allSeries(CaseStore& store, const SeriesOptions& opts) {
    auto out = heapSeries(store, opts);
    if (!out)
        return out;
    for (auto* more : {&gcSeries, &metricSeries, &fdSeries, &goroutineSeries}) {
        auto series = (*more)(store);
        if (!series)
            return series.error();
        for (auto& s : *series)
            out->push_back(std::move(s));
    }
    auto dumps = heapDumpSeries(store);
    if (!dumps)
        return dumps.error();
    for (auto& s : *dumps)
        out->push_back(std::move(s));
    auto rates = allocRateSeries(store);
    if (!rates)
        return rates.error();
    for (auto& s : *rates)
        out->push_back(std::move(s));
    return out;
}

} // namespace memscope
