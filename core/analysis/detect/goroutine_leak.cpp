// SPDX-License-Identifier: GPL-3.0-or-later
// A goroutine group, by the function it started in, growing without bound;
// or, when the case holds Go 1.26's goroutine leak profile, the goroutines
// the runtime itself proved leaked.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "analysis/goroutine_cost/goroutine_cost.h"
#include "analysis/series/series.h"
#include "model/snapshot_kind.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace memscope::detect {

namespace {

class GoroutineLeakDetector final : public Detector {
public:
    const char* name() const override { return "goroutine leak"; }
    FindingKind kind() const override { return FindingKind::GoroutineLeak; }
    std::vector<Finding> run(DetectContext& c) const override;
};

// What the goroutines started in `entries` cost at the latest heap dump and
// fd snapshot, as one group: a sentence and numbers, nothing when the case
// has neither. The count is the latest full dump's, which the cost rests on.
void addCost(DetectContext& c, Finding& f, const std::set<std::string>& entries) {
    const std::string kThese = "\x1e these";
    GoroutineCostOptions o;
    o.targetId = c.target().id;
    o.allHeapDumps = false;
    o.bucket = [&](const CaseStore::GoroutineGroupRow& g) {
        return entries.count(goroutineEntry(g.stack)) ? kThese : goroutineGroupKey(g);
    };
    auto report = c.take(goroutineCost(c.store(), o));
    if (c.error())
        return;
    for (const auto& g : report.groups) {
        if (g.key != kThese)
            continue;
        std::string clause = costClause(report, g);
        if (clause.empty())
            return;
        std::vector<std::string> names(entries.begin(), entries.end());
        f.summary += " In goroutine dump " + std::to_string(report.latestDumpId.value) + ", the " +
                     num(double(g.count)) + " goroutines started in " + joinList(names, 3) +
                     " hold " + clause + costSources(report);
        f.numbers.push_back({"cost_goroutines", double(g.count)});
        if (!report.heapDumps.empty()) {
            f.numbers.push_back({"retained_bytes", double(g.bytes)});
            f.snapshots.push_back(report.heapDumps.back().heapDumpId);
        }
        if (report.fdSnapshotId && g.sockets > 0) {
            f.numbers.push_back({"sockets", double(g.sockets)});
            f.snapshots.push_back(report.fdSnapshotId);
        }
        return;
    }
}

// The runtime's verdict, from the newest goroutine snapshot that carries
// one (a goroutineleak profile, or a debug=2 dump with `(leaked)` states):
// its leaked goroutines by start function and creator. The collector found
// them blocked on channels or locks that nothing running can reach, so they
// can never wake: proof, where the growth below is only a trend. Every
// goroutine snapshot is read, not the time line, which keeps one snapshot
// per instant and a capture round takes the leak profile with the dump.
std::optional<Finding> runtimeVerdict(DetectContext& c, std::set<std::string>& named) {
    auto all = c.take(c.store().snapshots(SnapshotKind::Goroutines));
    for (auto sn = all.rbegin(); sn != all.rend(); ++sn) {
        if (sn->targetId != c.target().id)
            continue;
        auto groups = c.take(c.store().goroutineGroups(sn->id));
        if (c.error())
            return std::nullopt;
        // By start function and creator, largest first.
        std::map<std::tuple<std::string, std::string>, std::pair<int64_t, std::string>> leaked;
        int64_t total = 0;
        for (const auto& g : groups)
            if (g.leaked && !g.stack.empty()) {
                auto& [n, state] = leaked[{goroutineEntry(g.stack), g.createdBy}];
                n += g.count;
                if (state.empty() && g.state != "-")
                    state = g.state;
                total += g.count;
            }
        if (leaked.empty())
            continue;
        std::vector<std::tuple<int64_t, std::string, std::string, std::string>> ranked;
        for (const auto& [key, v] : leaked)
            ranked.push_back({-v.first, std::get<0>(key), std::get<1>(key), v.second});
        std::sort(ranked.begin(), ranked.end());
        Finding f = c.makeFinding(FindingKind::GoroutineLeak, Severity::Critical);
        std::vector<std::string> parts, entries;
        for (const auto& [negCount, entry, createdBy, state] : ranked) {
            parts.push_back(num(double(-negCount)) + " in " + entry +
                            (state.empty() ? "" : " (" + state + ")") +
                            (createdBy.empty() ? "" : ", created by " + createdBy));
            if (std::find(entries.begin(), entries.end(), entry) == entries.end())
                entries.push_back(entry);
            named.insert(entry);
            Frame cf = parseStackLine(createdBy);
            if (!createdBy.empty())
                f.sites.push_back({cf.function, cf.file, cf.line, 0,
                                   "creates goroutines the runtime found leaked"});
        }
        f.title = "The runtime proved " + num(double(total)) + " goroutine" +
                  (total == 1 ? "" : "s") + " leaked: " + joinList(entries, 3);
        f.goroutineGroups = entries;
        f.snapshots = {sn->id};
        if (const Series* s = c.series().find("goroutines_leaked"))
            f.series = {*s};
        f.numbers = {{"leaked", double(total)},
                     {"leaked_groups", double(ranked.size())},
                     {"runtime_verdict", 1}};
        f.summary = "Go's goroutine leak detector (the goroutineleak profile of " + sn->sourceName +
                    ") found " + num(double(total)) + " goroutine" + (total == 1 ? "" : "s") +
                    " blocked forever on channels or locks that no running goroutine can "
                    "reach, so they can never wake: " +
                    joinList(parts) +
                    ". This is the runtime's own proof, not a trend. Each keeps its stack and "
                    "everything its frames reference. Give them a way to exit (close the "
                    "channel, cancel the context, release the lock) on every path.";
        addCost(c, f, named);
        return f;
    }
    return std::nullopt;
}

std::vector<Finding> GoroutineLeakDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Explained& ex = c.explained();
    // The runtime's verdict first: it ranks above the growth below, and the
    // groups it names are not reported again as a trend.
    std::set<std::string> proven;
    if (auto verdict = runtimeVerdict(c, proven)) {
        ex.goroutinesGrow = true;
        out.push_back(std::move(*verdict));
    }
    if (c.error())
        return out;
    auto dumps = c.snapshots(SnapshotKind::Goroutines);
    for (const Series* s : series.withLabel("goroutines", "group")) {
        Trend t = trendOf(s->points);
        if (!steadyGrowth(t, 50, 2))
            continue;
        const std::string& entry = s->labels.at("group");
        if (proven.count(entry))
            continue;
        // Latest state and creator of the group.
        std::string state, createdBy, role;
        // A goroutine profile (debug=1, profile.proto) has no states ("-"):
        // the state comes from the newest dump that has one.
        bool found = false;
        for (auto d = dumps.rbegin(); d != dumps.rend() && state.empty(); ++d)
            for (const auto& g : c.take(c.store().goroutineGroups(d->id)))
                if (!g.stack.empty() && goroutineEntry(g.stack) == entry) {
                    if (g.state != "-")
                        state = g.state;
                    if (!found) {
                        createdBy = g.createdBy;
                        role = toString(g.role);
                        found = true;
                    }
                    break;
                }
        if (!role.empty() && ex.roles.count(role))
            continue; // part of a connection leak already reported
        ex.goroutinesGrow = true;
        Finding f =
            c.makeFinding(FindingKind::GoroutineLeak,
                          t.last - t.first >= 1000 ? Severity::Critical : Severity::Warning);
        f.title = "Goroutines running " + entry + " grow without bound";
        f.goroutineGroups = {entry};
        f.series = {*s};
        f.snapshots = snapshotsOf(*s);
        f.numbers = {{"first", t.first}, {"last", t.last}, {"per_minute", t.slopePerMinute}};
        Frame creator = parseStackLine(createdBy);
        if (!createdBy.empty())
            f.sites.push_back(
                {creator.function, creator.file, creator.line, 0, "creates these goroutines"});
        f.summary =
            "Goroutines started with " + entry + " grew from " + num(t.first) + " to " +
            num(t.last) + " over " + span(t.spanNs) + " (about " + num(t.slopePerMinute) +
            " a minute)" + (state.empty() ? "" : ", most of them waiting in " + state) +
            (createdBy.empty() ? "" : "; they are created by " + createdBy) +
            ". None of them finish: each holds its stack and everything it references. Give "
            "them a way to exit (a closed channel, a cancelled context, a deadline).";
        addCost(c, f, {entry});
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

std::unique_ptr<Detector> makeGoroutineLeakDetector() {
    return std::make_unique<GoroutineLeakDetector>();
}

} // namespace memscope::detect
