// SPDX-License-Identifier: GPL-3.0-or-later
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

// Flat value per leaf function for sample type `idx`. Only v0..v3 are columns
// (Go heap profiles have exactly four types); the name comes from this list,
// never from input.
std::string flatBySiteQuery(int idx) {
    static const char* columns[] = {"v0", "v1", "v2", "v3"};
    if (idx < 0 || idx >= 4)
        return {};
    return std::string("SELECT n.value, SUM(s.") + columns[idx] +
           ") FROM samples s JOIN stacks st ON st.id = s.stack_id"
           " JOIN frames f ON f.id = st.frame_id JOIN functions fu ON fu.id = f.function_id"
           " JOIN strings n ON n.id = fu.name_id WHERE s.snapshot_id = ? GROUP BY n.value";
}

} // namespace

std::vector<SnapshotInfo> timeline(CaseStore& store, const std::string& kind) {
    std::vector<SnapshotInfo> out;
    std::map<int64_t, const SnapshotInfo*> last; // by target
    auto all = store.snapshots(kind);
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

std::vector<Series> heapSeries(CaseStore& store, const SeriesOptions& opts) {
    std::vector<Series> out;
    auto snaps = timeline(store, toString(SnapshotKind::Heap));
    if (snaps.empty())
        return out;
    auto targets = store.targets();
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
            for (const auto& st : store.sampleTypes(sn.id)) {
                for (size_t k = 0; k < std::size(totals); ++k)
                    if (st.type == totals[k].type)
                        totalSeries[k].points.push_back({sn.timeNs, double(st.total), sn.id});
                if (st.type == "inuse_space")
                    inuseIdx = st.index;
            }
            std::string sql = flatBySiteQuery(inuseIdx);
            if (sql.empty())
                continue;
            Stmt q(store.db(), sql.c_str());
            q.bind(1, sn.id);
            while (q.step()) {
                auto& v = sites[q.text(0)];
                v.resize(mine.size(), 0.0);
                v[i] = double(q.i64(1));
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

std::map<int64_t, std::string> targetNames(CaseStore& store) {
    std::map<int64_t, std::string> names;
    for (const auto& t : store.targets())
        names[t.id] = t.name;
    return names;
}

// Every point of `s` at its snapshot, and a zero at the snapshots (of its
// target) where the label was absent, so a line spans the whole range.
void fillGaps(Series& s, const std::vector<SnapshotInfo>& snaps, bool manyTargets,
              const std::map<int64_t, std::string>& targetName) {
    std::vector<SeriesPoint> full;
    size_t k = 0;
    for (const auto& sn : snaps) {
        if (manyTargets && s.labels.count("target") && s.labels.at("target") != targetName.at(sn.targetId))
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
    SeriesBuilder(CaseStore& store, const std::vector<SnapshotInfo>& snaps)
        : m_snaps(snaps), m_many(store.targets().size() > 1), m_names(targetNames(store)) {}

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
    std::map<int64_t, std::string> m_names;
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

std::vector<Series> goroutineSeries(CaseStore& store) {
    std::vector<Series> out;
    auto snaps = timeline(store, toString(SnapshotKind::Goroutines));
    if (snaps.empty())
        return out;
    SeriesBuilder b(store, snaps);
    auto add = [&](const SnapshotInfo& sn, std::map<std::string, std::string> labels, double v) {
        b.add(sn, "goroutines", "count", std::move(labels), v);
    };
    Stmt q(store.db(), "SELECT state, role, SUM(count) FROM goroutine_groups WHERE snapshot_id = ?"
                       " GROUP BY state, role");
    // Groups by the function a goroutine was started with (its outermost
    // frame): the few that ever hold the most get a line each.
    std::map<int64_t, std::map<std::string, int64_t>> byEntry;
    std::map<std::string, int64_t> entryPeak;
    for (const auto& sn : snaps) {
        auto& m = byEntry[sn.id];
        for (const auto& g : store.goroutineGroups(sn.id))
            if (!g.stack.empty())
                m[goroutineEntry(g.stack)] += g.count;
        for (const auto& [e, n] : m)
            entryPeak[e] = std::max(entryPeak[e], n);
    }
    std::vector<std::pair<int64_t, std::string>> peaks;
    for (const auto& [e, n] : entryPeak)
        peaks.push_back({-n, e});
    std::sort(peaks.begin(), peaks.end());
    if (peaks.size() > 8)
        peaks.resize(8);
    for (const auto& sn : snaps) {
        q.bind(1, sn.id);
        add(sn, {}, 0);
        while (q.step()) {
            double n = double(q.i64(2));
            add(sn, {}, n);
            add(sn, {{"state", q.text(0)}}, n);
            if (!q.text(1).empty())
                add(sn, {{"role", q.text(1)}}, n);
        }
        q.reset();
        for (const auto& [neg, e] : peaks) {
            auto it = byEntry[sn.id].find(e);
            add(sn, {{"group", e}}, it == byEntry[sn.id].end() ? 0.0 : double(it->second));
        }
    }
    return b.finish();
}

std::vector<Series> fdSeries(CaseStore& store) {
    std::vector<Series> out;
    auto snaps = timeline(store, toString(SnapshotKind::Fds));
    if (snaps.empty())
        return out;
    SeriesBuilder b(store, snaps);
    auto add = [&](const SnapshotInfo& sn, const char* metric, std::map<std::string, std::string> labels,
                   double v) { b.add(sn, metric, "count", std::move(labels), v); };
    // Client sockets (kClientSocketSql).
    Stmt total(store.db(), "SELECT count(*) FROM fds WHERE snapshot_id = ?");
    Stmt byType(store.db(), "SELECT type, count(*) FROM fds WHERE snapshot_id = ? GROUP BY type");
    Stmt byState(store.db(), "SELECT state, count(*) FROM fds WHERE snapshot_id = ?1 AND protocol = 'TCP'"
                             " AND state <> '' GROUP BY state");
    Stmt byHost(store.db(), "SELECT remote_addr, count(*) FROM fds WHERE snapshot_id = ?1 AND " + kClientSocketSql +
                                " GROUP BY remote_addr");
    // Client sockets by identity, to count the ones new since the previous
    // snapshot of the same target (connection churn).
    Stmt conns(store.db(),
               "SELECT remote_addr, local_port, remote_port FROM fds WHERE snapshot_id = ?1 AND " + kClientSocketSql);
    std::map<int64_t, std::set<std::tuple<std::string, int64_t, int64_t>>> previous; // by target
    std::map<int64_t, bool> havePrevious;
    for (const auto& sn : snaps) {
        std::set<std::tuple<std::string, int64_t, int64_t>> now;
        conns.bind(1, sn.id);
        while (conns.step())
            now.insert({conns.text(0), conns.i64(1), conns.i64(2)});
        conns.reset();
        if (havePrevious[sn.targetId]) {
            std::map<std::string, int64_t> fresh;
            for (const auto& c : now)
                fresh[std::get<0>(c)] += previous[sn.targetId].count(c) ? 0 : 1;
            for (const auto& [host, n] : fresh)
                add(sn, "tcp_sockets_new", {{"host", host}}, double(n));
        }
        previous[sn.targetId] = std::move(now);
        havePrevious[sn.targetId] = true;
        total.bind(1, sn.id);
        if (total.step())
            add(sn, "fds", {}, double(total.i64(0)));
        total.reset();
        for (Stmt* q : {&byType, &byState, &byHost}) {
            q->bind(1, sn.id);
            while (q->step()) {
                if (q == &byType)
                    add(sn, "fds", {{"type", q->text(0)}}, double(q->i64(1)));
                else if (q == &byState)
                    add(sn, "tcp_sockets", {{"state", q->text(0)}}, double(q->i64(1)));
                else
                    add(sn, "tcp_sockets", {{"host", q->text(0)}}, double(q->i64(1)));
            }
            q->reset();
        }
    }
    return b.finish();
}

std::vector<Series> metricSeries(CaseStore& store) {
    std::vector<Series> out;
    bool manyTargets = store.targets().size() > 1;
    const auto targetName = targetNames(store);
    Stmt q(store.db(), "SELECT sn.kind, mp.name, sn.time_ns, sn.id, mp.value, sn.target_id"
                       " FROM metric_points mp JOIN snapshots sn ON sn.id = mp.snapshot_id"
                       " ORDER BY sn.kind, mp.name, sn.target_id, sn.time_ns, sn.id");
    std::map<std::string, size_t> index;
    // Cases imported before expvar was capped may hold millions of vars: the
    // same cap as the importer's, memstats and the first kMaxExpvarVars others.
    constexpr size_t kMaxExpvarVars = 1000;
    size_t expvarVars = 0;
    std::string lastExpvarName;
    while (q.step()) {
        std::string kind = q.text(0), name = q.text(1);
        if (kind == toString(SnapshotKind::Expvar) && name.rfind("memstats.", 0) != 0) {
            if (name != lastExpvarName) {
                lastExpvarName = name;
                ++expvarVars;
            }
            if (expvarVars > kMaxExpvarVars)
                continue;
        }
        Series s;
        if (kind == toString(SnapshotKind::Metrics)) {
            s.metric = "runtime";
        } else if (kind == toString(SnapshotKind::Expvar)) {
            s.metric = "expvar";
        } else if (name.rfind("memstats.", 0) == 0) {
            s.metric = "memstats";
            name = name.substr(9);
        } else {
            s.metric = kind;
        }
        s.labels["name"] = name;
        if (manyTargets)
            s.labels["target"] = targetName.at(q.i64(5));
        auto [it, fresh] = index.emplace(s.key(), out.size());
        if (fresh)
            out.push_back(std::move(s));
        out[it->second].points.push_back({q.i64(2), q.f64(4), q.i64(3)});
    }
    // memstats come from heap text trailers and heap dumps alike: one time line.
    for (auto& series : out)
        std::stable_sort(series.points.begin(), series.points.end(),
                         [](const SeriesPoint& a, const SeriesPoint& b) { return a.timeNs < b.timeNs; });
    return out;
}

std::vector<Series> heapDumpSeries(CaseStore& store, int topN) {
    std::vector<Series> out;
    auto snaps = timeline(store, toString(SnapshotKind::HeapDump));
    if (snaps.empty())
        return out;
    SeriesBuilder b(store, snaps);
    auto add = [&](const SnapshotInfo& sn, const char* metric, const char* unit,
                   std::map<std::string, std::string> labels, double v) { b.add(sn, metric, unit, std::move(labels), v); };
    // Roots and sites that ever retain the most get their own lines.
    std::map<std::string, int64_t> rootPeak;
    for (const auto& sn : snaps) {
        for (const auto& r : store.heapDumpRoots(sn.id, size_t(topN) * 4))
            rootPeak[r.name] = std::max(rootPeak[r.name], r.retainedBytes);
    }
    auto topOf = [&](const std::map<std::string, int64_t>& peak) {
        std::vector<std::pair<int64_t, std::string>> v;
        for (const auto& [k, b] : peak)
            v.push_back({-b, k});
        std::sort(v.begin(), v.end());
        std::vector<std::string> names;
        for (size_t i = 0; i < v.size() && i < size_t(topN); ++i)
            names.push_back(v[i].second);
        return names;
    };
    auto topRoots = topOf(rootPeak);
    for (const auto& sn : snaps) {
        auto h = store.heapDump(sn.id);
        if (!h)
            continue;
        add(sn, "finalizers_registered", "count", {}, double(h->finalizersRegistered));
        add(sn, "finalizers_queued", "count", {}, double(h->finalizersQueued));
        add(sn, "finalizer_retained_bytes", "bytes", {}, double(h->finalizerRetainedBytes));
        add(sn, "heapdump_reachable_bytes", "bytes", {}, double(h->reachableBytes));
        add(sn, "heapdump_unreachable_bytes", "bytes", {}, double(h->bytes - h->reachableBytes));
        std::map<std::string, int64_t> byRoot;
        for (const auto& r : store.heapDumpRoots(sn.id))
            byRoot[r.name] += r.retainedBytes;
        for (const auto& name : topRoots)
            add(sn, "retained_bytes", "bytes", {{"root", name}}, double(byRoot[name]));
    }
    return b.finish();
}

std::vector<Series> gcSeries(CaseStore& store) {
    std::vector<Series> out;
    bool manyTargets = store.targets().size() > 1;
    const auto targetName = targetNames(store);
    struct Col {
        const char* metric;
        const char* unit;
        const char* expr;
    };
    static const Col cols[] = {
        {"gc_heap_start_bytes", "bytes", "heap_start_mb * 1048576"},
        {"gc_heap_end_bytes", "bytes", "heap_end_mb * 1048576"},
        {"gc_heap_live_bytes", "bytes", "heap_live_mb * 1048576"},
        {"gc_heap_goal_bytes", "bytes", "goal_mb * 1048576"},
        {"gc_stw_ms", "ms", "stw_sweep_ms + stw_mark_ms"},
        {"gc_concurrent_mark_ms", "ms", "concurrent_ms"},
        {"gc_cpu_percent", "percent", "cpu_percent"},
    };
    // One line per metric (and program): every gctrace snapshot (a log, or a
    // run of the process within one) adds its cycles to it.
    std::map<std::string, size_t> lineOf;
    for (const auto& sn : store.snapshots(toString(SnapshotKind::GcTrace))) {
        double start = 0;
        for (const auto& [name, v] : store.metrics(sn.id))
            if (name == "process_start_ns")
                start = v;
        for (const auto& c : cols) {
            Series s;
            s.metric = c.metric;
            s.unit = c.unit;
            if (manyTargets)
                s.labels["target"] = targetName.at(sn.targetId);
            // The expression comes from the table above, never from input.
            std::string sql = std::string("SELECT at_s, ") + c.expr +
                              " FROM gc_cycles WHERE snapshot_id = ? ORDER BY n";
            Stmt q(store.db(), sql.c_str());
            q.bind(1, sn.id);
            while (q.step())
                s.points.push_back({int64_t(start + q.f64(0) * 1e9), q.f64(1), sn.id});
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

std::vector<Series> allSeries(CaseStore& store, const SeriesOptions& opts) {
    auto out = heapSeries(store, opts);
    for (auto& s : gcSeries(store))
        out.push_back(std::move(s));
    for (auto& s : metricSeries(store))
        out.push_back(std::move(s));
    for (auto& s : fdSeries(store))
        out.push_back(std::move(s));
    for (auto& s : goroutineSeries(store))
        out.push_back(std::move(s));
    for (auto& s : heapDumpSeries(store))
        out.push_back(std::move(s));
    return out;
}

} // namespace memscope
