// SPDX-License-Identifier: GPL-3.0-or-later
// Steady in-use growth at an allocation site that none of the detectors
// before it explains.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "analysis/detect/profile_share.h"

#include <map>
#include <tuple>

namespace memscope::detect {

namespace {

class HeapGrowthDetector final : public Detector {
public:
    const char* name() const override { return "heap growth"; }
    FindingKind kind() const override { return FindingKind::HeapGrowth; }
    std::vector<Finding> run(DetectContext& c) const override;
};

std::vector<Finding> HeapGrowthDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Explained& ex = c.explained();
    const Profile* p = c.latestHeap();
    bool connectionLeak = !ex.leakingHosts.empty();
    for (const Series* s : series.withLabel("heap_inuse_bytes", "site")) {
        Trend t = trendOf(s->points);
        if (!steadyGrowth(t, 1 << 20, 1.5))
            continue;
        const std::string& site = s->labels.at("site");
        if (ex.globalSites.count(site) || ex.finalizerSites.count(site))
            continue;
        if (p && !ex.globalFrames.empty() && shareThroughFrames(*p, site, ex.globalFrames) >= 0.5)
            continue; // reached through the same code as what the global retains
        if (connectionLeak && p && shareThrough(*p, site, isHttpClientMachinery) >= 0.5)
            continue;
        if (connectionLeak && ex.serverSideHere && p &&
            shareThrough(*p, site, isHttpServerConn) >= 0.5)
            continue;
        // Goroutine stacks and descriptors grow with any goroutine growth already reported.
        if (ex.goroutinesGrow && (site == "runtime.malg" || site == "runtime.allgadd"))
            continue;
        Finding f = c.makeFinding(FindingKind::HeapGrowth, Severity::Warning);
        f.title = "In-use memory grows at " + site;
        f.series = {*s};
        f.snapshots = snapshotsOf(*s);
        f.numbers = {{"first_bytes", t.first},
                     {"last_bytes", t.last},
                     {"bytes_per_minute", t.slopePerMinute}};
        std::string callers;
        if (p) {
            std::vector<std::string> names;
            // The user frames under this site, by bytes.
            int idx = p->sampleIndex("inuse_space");
            std::map<std::tuple<std::string, std::string, int64_t>, int64_t> users;
            for (const auto& smp : p->samples) {
                if (idx < 0 || smp.locations.empty())
                    continue;
                const auto& l0 = p->locations[smp.locations[0]];
                if (l0.lines.empty() || p->functions[l0.lines[0].function].name != site)
                    continue;
                for (uint32_t loc : smp.locations) {
                    bool done = false;
                    for (const auto& ln : p->locations[loc].lines)
                        if (isUserCode(p->functions[ln.function].name)) {
                            const auto& fn = p->functions[ln.function];
                            users[{fn.name, fn.file, ln.line}] += smp.values[size_t(idx)];
                            done = true;
                            break;
                        }
                    if (done)
                        break;
                }
            }
            for (const auto& [k, v] : users) {
                f.sites.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), v,
                                   "the program's frame above the growing site"});
                names.push_back(std::get<0>(k) + " (" + std::get<1>(k) + ":" +
                                std::to_string(std::get<2>(k)) + ")");
            }
            if (!names.empty())
                callers = " It is reached from " + joinList(names, 3) + ".";
        }
        f.summary =
            "In-use heap allocated at " + site + " grew steadily from " + bytes(t.first) + " to " +
            bytes(t.last) + " over " + span(t.spanNs) + " (about " + bytes(t.slopePerMinute) +
            " a minute) without a global, the finalizer queue or leaked connections explaining "
            "it." +
            callers +
            " Look for caches or collections that only grow, or goroutines "
            "holding on to what they allocated.";
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

std::unique_ptr<Detector> makeHeapGrowthDetector() {
    return std::make_unique<HeapGrowthDetector>();
}

} // namespace memscope::detect
