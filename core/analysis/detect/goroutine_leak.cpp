// SPDX-License-Identifier: GPL-3.0-or-later
// A goroutine group, by the function it started in, growing without bound.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "analysis/series/series.h"
#include "model/snapshot_kind.h"

namespace memscope::detect {

namespace {

class GoroutineLeakDetector final : public Detector {
public:
    const char* name() const override { return "goroutine leak"; }
    FindingKind kind() const override { return FindingKind::GoroutineLeak; }
    std::vector<Finding> run(DetectContext& c) const override;
};

std::vector<Finding> GoroutineLeakDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Explained& ex = c.explained();
    auto dumps = c.snapshots(toString(SnapshotKind::Goroutines));
    for (const Series* s : series.withLabel("goroutines", "group")) {
        Trend t = trendOf(s->points);
        if (!steadyGrowth(t, 50, 2))
            continue;
        const std::string& entry = s->labels.at("group");
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
                        role = g.role;
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
        Frame c = parseStackLine(createdBy);
        if (!createdBy.empty())
            f.sites.push_back({c.function, c.file, c.line, 0, "creates these goroutines"});
        f.summary =
            "Goroutines started with " + entry + " grew from " + num(t.first) + " to " +
            num(t.last) + " over " + span(t.spanNs) + " (about " + num(t.slopePerMinute) +
            " a minute)" + (state.empty() ? "" : ", most of them waiting in " + state) +
            (createdBy.empty() ? "" : "; they are created by " + createdBy) +
            ". None of them finish: each holds its stack and everything it references. Give "
            "them a way to exit (a closed channel, a cancelled context, a deadline).";
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

std::unique_ptr<Detector> makeGoroutineLeakDetector() {
    return std::make_unique<GoroutineLeakDetector>();
}

} // namespace memscope::detect
