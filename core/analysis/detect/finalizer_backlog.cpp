// SPDX-License-Identifier: GPL-3.0-or-later
// Finalizers queued faster than the single finalizer goroutine runs them,
// and the finalizer it is stuck in.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "model/goroutines.h"
#include "model/heap_dump.h"
#include "model/snapshot_kind.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace memscope::detect {

namespace {

class FinalizerBacklogDetector final : public Detector {
public:
    const char* name() const override { return "finalizer backlog"; }
    FindingKind kind() const override { return FindingKind::FinalizerBacklog; }
    std::vector<Finding> run(DetectContext& c) const override;
};

std::vector<Finding> FinalizerBacklogDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Explained& ex = c.explained();
    const Series* queued = series.find("finalizers_queued");
    const Series* registered = series.find("finalizers_registered");
    const Series* running =
        series.find("goroutines", "role", toString(GoroutineRole::FinalizerRunning));
    // runtime.AddCleanup's goroutines (Go 1.24+) stall the same way.
    const Series* cleanupRunning =
        series.find("goroutines", "role", toString(GoroutineRole::CleanupRunning));
    bool cleanupsStuck = false;
    if (!running && cleanupRunning) {
        running = cleanupRunning;
        cleanupsStuck = true;
    }
    // runtime/metrics (Go 1.20+ finalizers, Go 1.25+ cleanups): queued minus
    // executed is the backlog, no heap dump needed.
    struct MetricBacklog {
        const Series *queued, *executed;
        std::vector<SeriesPoint> gap;
        Trend trend;
        bool grows = false;
    };
    auto metricBacklog = [&](const char* q, const char* e) {
        MetricBacklog b{
            series.find("runtime", "name", q), series.find("runtime", "name", e), {}, {}, false};
        if (!b.queued || !b.executed || b.queued->points.size() != b.executed->points.size() ||
            b.queued->points.size() < 3)
            return b;
        b.gap = b.queued->points;
        for (size_t i = 0; i < b.gap.size(); ++i)
            b.gap[i].value -= b.executed->points[i].value;
        b.trend = trendOf(b.gap);
        b.grows = steadyGrowth(b.trend, 50, 1.5);
        return b;
    };
    MetricBacklog finMetrics =
        metricBacklog("/gc/finalizers/queued:finalizers", "/gc/finalizers/executed:finalizers");
    MetricBacklog cleanMetrics =
        metricBacklog("/gc/cleanups/queued:cleanups", "/gc/cleanups/executed:cleanups");
    Trend tq = queued ? trendOf(queued->points) : Trend{};
    Trend treg = registered ? trendOf(registered->points) : Trend{};
    bool queueGrows = queued && tq.last >= 10 && tq.last > tq.first;
    // The finalizer goroutine seen inside user code in most dumps.
    size_t busy = 0, dumps = 0;
    if (running)
        for (const auto& p : running->points) {
            ++dumps;
            busy += p.value > 0;
        }
    bool stuck = dumps >= 3 && double(busy) / double(dumps) >= 0.6;
    // Counters a service exports itself: registered vs run, named so.
    const Series *regCounter = nullptr, *runCounter = nullptr;
    for (const auto* s : series.all) {
        if (!s->labels.count("name"))
            continue;
        std::string n = s->labels.at("name");
        std::transform(n.begin(), n.end(), n.begin(), ::tolower);
        if (n.find("finaliz") == std::string::npos)
            continue;
        if (n.find("regist") != std::string::npos || n.find("set") != std::string::npos)
            regCounter = s;
        else if (n.find("run") != std::string::npos || n.find("done") != std::string::npos)
            runCounter = s;
    }
    double gapFirst = 0, gapLast = 0;
    bool gapGrows = false;
    if (regCounter && runCounter && regCounter->points.size() == runCounter->points.size() &&
        regCounter->points.size() >= 3) {
        std::vector<SeriesPoint> gap = regCounter->points;
        for (size_t i = 0; i < gap.size(); ++i)
            gap[i].value -= runCounter->points[i].value;
        Trend tg = trendOf(gap);
        gapFirst = tg.first;
        gapLast = tg.last;
        gapGrows = steadyGrowth(tg, 50, 1.5);
    }
    bool registeredGrows = (registered && steadyGrowth(treg, 50, 1.5)) ||
                           (regCounter && steadyGrowth(trendOf(regCounter->points), 50, 1.5));
    if (!(queueGrows || gapGrows || finMetrics.grows || cleanMetrics.grows ||
          (stuck && registeredGrows)))
        return out;
    // What piles up: finalizers, runtime.AddCleanup's cleanups, or both.
    const bool cleanups = cleanMetrics.grows || cleanupsStuck;
    const bool finalizers = queueGrows || gapGrows || finMetrics.grows || (!cleanupsStuck && stuck);
    const std::string what = finalizers && cleanups ? "finalizers and cleanups"
                             : cleanups             ? "cleanups"
                                                    : "finalizers";

    Finding f = c.makeFinding(FindingKind::FinalizerBacklog,
                              queueGrows || gapGrows || finMetrics.grows || cleanMetrics.grows
                                  ? Severity::Critical
                                  : Severity::Warning);
    // Name the finalizer: the heap dump's most-queued function, else the
    // user function the finalizer goroutine is running.
    std::string fn, where, state;
    int64_t fnRetained = 0;
    auto dumpsList = c.snapshots(SnapshotKind::HeapDump);
    if (!dumpsList.empty()) {
        auto rows = c.take(c.store().heapDumpFinalizers(dumpsList.back().id));
        std::sort(rows.begin(), rows.end(),
                  [](const auto& a, const auto& b) { return a.queued > b.queued; });
        if (!rows.empty() && rows[0].queued > 0) {
            fn = rows[0].function;
            fnRetained = rows[0].retainedBytes;
        }
        f.snapshots.push_back(dumpsList.back().id);
    }
    auto gdumps = c.snapshots(SnapshotKind::Goroutines);
    for (auto it = gdumps.rbegin(); it != gdumps.rend() && where.empty(); ++it)
        for (const auto& g : c.take(c.store().goroutineGroups(it->id))) {
            if (g.role != GoroutineRole::FinalizerRunning &&
                g.role != GoroutineRole::CleanupRunning)
                continue;
            // The user function nearest the runtime's loop (runfinq; Go
            // 1.25+ runFinalizers; runCleanups), and where it waits.
            size_t k = 0;
            while (k < g.stack.size() && g.stack[k].rfind("runtime.runfinq ", 0) != 0 &&
                   g.stack[k].rfind("runtime.runFinalizers ", 0) != 0 &&
                   g.stack[k].rfind("runtime.runCleanups ", 0) != 0)
                ++k;
            for (size_t j = k; j-- > 0;) {
                Frame fr = parseStackLine(g.stack[j]);
                if (packageOf(fr.function) != "runtime") {
                    if (fn.empty() || isUnnamedFunction(fn))
                        fn = fr.function;
                    if (fr.function == fn) {
                        where = fr.file + ":" + std::to_string(fr.line);
                        f.sites.push_back(
                            {fr.function, fr.file, fr.line, fnRetained,
                             g.role == GoroutineRole::CleanupRunning
                                 ? "the cleanup a runtime.AddCleanup goroutine is running"
                                 : "the finalizer the finalizer goroutine is running"});
                    }
                    break;
                }
            }
            // A goroutine profile (debug=1, profile.proto) has no states: "-".
            state = g.state == "-" ? std::string() : g.state;
            f.snapshots.push_back(it->id);
            break;
        }
    // Where the finalizer goroutine waits comes from the newest dump that says.
    for (auto it = gdumps.rbegin(); it != gdumps.rend() && state.empty() && !where.empty(); ++it)
        for (const auto& g : c.take(c.store().goroutineGroups(it->id)))
            if (g.role == GoroutineRole::FinalizerRunning && !g.state.empty() && g.state != "-") {
                state = g.state;
                break;
            }
    if (fn.empty())
        fn = cleanups && !finalizers ? "a cleanup" : "a finalizer";
    f.title =
        std::string(1, char(std::toupper(what[0]))) + what.substr(1) + " pile up behind " + fn;
    std::string body =
        finalizers
            ? "Objects with finalizers are registered faster than the single finalizer goroutine "
              "runs them."
            : "Cleanups (runtime.AddCleanup) are queued faster than the runtime's cleanup "
              "goroutines run them.";
    if (finalizers && cleanups)
        body += " Cleanups (runtime.AddCleanup) pile up too.";
    for (const auto* m : {&finMetrics, &cleanMetrics}) {
        if (!m->grows)
            continue;
        const bool fin = m == &finMetrics;
        f.series.push_back(*m->queued);
        f.series.push_back(*m->executed);
        body += std::string(" runtime/metrics put ") + (fin ? "finalizers" : "cleanups") +
                " queued minus executed at " + num(m->trend.first) + " → " + num(m->trend.last) +
                ".";
        f.numbers.push_back(
            {fin ? "metrics_finalizer_backlog_first" : "metrics_cleanup_backlog_first",
             m->trend.first});
        f.numbers.push_back(
            {fin ? "metrics_finalizer_backlog_last" : "metrics_cleanup_backlog_last",
             m->trend.last});
    }
    if (queued && queued->points.size() >= 1) {
        f.series.push_back(*queued);
        body += " Heap dumps show " + num(tq.first) + " → " + num(tq.last) + " finalizers queued";
        if (registered) {
            f.series.push_back(*registered);
            body += " and " + num(treg.first) + " → " + num(treg.last) + " registered";
        }
        body += ".";
        f.numbers.push_back({"queued_first", tq.first});
        f.numbers.push_back({"queued_last", tq.last});
    }
    if (gapGrows) {
        f.series.push_back(*regCounter);
        f.series.push_back(*runCounter);
        body += " The service's own counters put registered minus run at " + num(gapFirst) + " → " +
                num(gapLast) + ".";
        f.numbers.push_back({"backlog_first", gapFirst});
        f.numbers.push_back({"backlog_last", gapLast});
    }
    if (running && busy > 0) {
        f.series.push_back(*running);
        body += std::string(cleanupsStuck ? " A cleanup goroutine" : " The finalizer goroutine") +
                " was inside " + fn + (where.empty() ? "" : " (" + where + ")") + " in " +
                num(double(busy)) + " of " + num(double(dumps)) + " goroutine dumps" +
                (state.empty() ? "" : ", waiting on " + state) + ".";
        f.numbers.push_back({"dumps_with_finalizer_running", double(busy)});
        f.goroutineGroups.push_back(cleanupsStuck ? "runtime.runCleanups" : "runtime.runfinq");
    }
    if (const Series* kept = series.find("finalizer_retained_bytes");
        kept && !kept->points.empty()) {
        f.series.push_back(*kept);
        body +=
            " Objects waiting for finalizers keep " + bytes(kept->points.back().value) + " alive.";
        f.numbers.push_back({"finalizer_retained_bytes", kept->points.back().value});
    }
    body +=
        " Every queued object, and everything it points to, stays in memory until its finalizer "
        "or cleanup has run; one that blocks (locks, I/O, sleeps) stalls all of them. Keep "
        "finalizers and cleanups trivial, or release resources explicitly (Close) instead.";
    f.summary = body;
    // Allocation sites of objects held by the finalizer queue, when sampled.
    if (!dumpsList.empty()) {
        SnapshotId id = dumpsList.back().id;
        auto roots = c.take(c.store().heapDumpRoots(id));
        std::set<int64_t> finRoots;
        for (const auto& r : roots)
            if (r.kind == rootKindName(RootKind::QueuedFinalizer) ||
                r.kind == rootKindName(RootKind::Finalizer))
                finRoots.insert(r.index);
        auto sites = c.take(c.store().heapDumpSites(id));
        std::map<int64_t, int64_t> byBucket;
        for (const auto& e : c.take(c.store().heapDumpRootSites(id)))
            if (finRoots.count(e.rootIndex))
                byBucket[e.bucket] += e.retainedBytes;
        for (const auto& s : sites)
            if (byBucket.count(s.bucket)) {
                Frame fr = s.stack.empty() ? Frame{} : parseStackLine(s.stack.front());
                f.sites.push_back(
                    {fr.function, fr.file, fr.line, byBucket[s.bucket],
                     "sampled objects the finalizer queue holds were allocated here"});
                ex.finalizerSites.insert(fr.function);
                for (const auto& name : c.profileFunctionsAt(fr.file, fr.line))
                    ex.finalizerSites.insert(name);
            }
    }
    out.push_back(std::move(f));
    return out;
}

} // namespace

std::unique_ptr<Detector> makeFinalizerBacklogDetector() {
    return std::make_unique<FinalizerBacklogDetector>();
}

} // namespace memscope::detect
