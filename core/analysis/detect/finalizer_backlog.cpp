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
    if (!(queueGrows || gapGrows || (stuck && registeredGrows)))
        return out;

    Finding f = c.makeFinding(FindingKind::FinalizerBacklog,
                              queueGrows || gapGrows ? Severity::Critical : Severity::Warning);
    // Name the finalizer: the heap dump's most-queued function, else the
    // user function the finalizer goroutine is running.
    std::string fn, where, state;
    int64_t fnRetained = 0;
    auto dumpsList = c.snapshots(toString(SnapshotKind::HeapDump));
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
    auto gdumps = c.snapshots(toString(SnapshotKind::Goroutines));
    for (auto it = gdumps.rbegin(); it != gdumps.rend() && where.empty(); ++it)
        for (const auto& g : c.take(c.store().goroutineGroups(it->id))) {
            if (g.role != toString(GoroutineRole::FinalizerRunning))
                continue;
            // The user function nearest runtime.runfinq, and where it waits.
            size_t k = 0;
            while (k < g.stack.size() && g.stack[k].rfind("runtime.runfinq ", 0) != 0)
                ++k;
            for (size_t j = k; j-- > 0;) {
                Frame fr = parseStackLine(g.stack[j]);
                if (packageOf(fr.function) != "runtime") {
                    if (fn.empty() || isUnnamedFunction(fn))
                        fn = fr.function;
                    if (fr.function == fn) {
                        where = fr.file + ":" + std::to_string(fr.line);
                        f.sites.push_back({fr.function, fr.file, fr.line, fnRetained,
                                           "the finalizer the finalizer goroutine is running"});
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
            if (g.role == toString(GoroutineRole::FinalizerRunning) && !g.state.empty() &&
                g.state != "-") {
                state = g.state;
                break;
            }
    if (fn.empty())
        fn = "a finalizer";
    f.title = "Finalizers pile up behind " + fn;
    std::string body =
        "Objects with finalizers are registered faster than the single finalizer goroutine runs "
        "them.";
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
        body += " The finalizer goroutine was inside " + fn +
                (where.empty() ? "" : " (" + where + ")") + " in " + num(double(busy)) + " of " +
                num(double(dumps)) + " goroutine dumps" +
                (state.empty() ? "" : ", waiting on " + state) + ".";
        f.numbers.push_back({"dumps_with_finalizer_running", double(busy)});
        f.goroutineGroups.push_back("runtime.runfinq");
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
        "has run; a finalizer that blocks (locks, I/O, sleeps) stalls all of them. Keep finalizers "
        "trivial, or release resources explicitly (Close) instead.";
    f.summary = body;
    // Allocation sites of objects held by the finalizer queue, when sampled.
    if (!dumpsList.empty()) {
        int64_t id = dumpsList.back().id;
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
