// SPDX-License-Identifier: GPL-3.0-or-later
// Resident memory the Go heap does not explain: most of RSS outside what the
// runtime accounts for (cgo, C libraries, anonymous mmap), or freed heap the
// runtime keeps instead of returning it to the OS.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "analysis/rss/rss.h"

namespace memscope::detect {

namespace {

class RssGapDetector final : public Detector {
public:
    const char* name() const override { return "rss gap"; }
    FindingKind kind() const override { return FindingKind::RssGap; }
    std::vector<Finding> run(DetectContext& c) const override;
};

// Below these the gap is noise for a Go service: the binary's text alone is
// tens of MiB, and the scavenger returns free heap within minutes.
constexpr double kMinGapBytes = 64.0 * 1024 * 1024;
constexpr double kMinShare = 0.5;

const Series* findBySource(const SeriesSet& set, const std::string& source) {
    for (const Series* s : set.all) {
        std::string k = s->metric;
        if (auto it = s->labels.find("name"); it != s->labels.end())
            k += "{name=" + it->second + "}";
        if (k == source)
            return s;
    }
    return nullptr;
}

std::vector<Finding> RssGapDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    std::vector<Series> copy;
    for (const Series* s : c.series().all)
        copy.push_back(*s);
    auto breakdowns = rssBreakdowns(copy);
    if (breakdowns.empty())
        return out;
    const RssBreakdown& b = breakdowns.front();
    const RssPoint& p = b.points.back();
    const double goResident = p.goResident();
    const RssSlice* outside = p.slice("off_heap_anon");
    if (!outside)
        outside = p.slice("unexplained");
    if (p.rss && outside && outside->bytes >= kMinGapBytes &&
        outside->bytes >= kMinShare * *p.rss) {
        Finding f = c.makeFinding(FindingKind::RssGap, Severity::Warning);
        f.title = "Most of RSS is outside what the Go runtime accounts for";
        f.summary = "At the last reading the process had " + bytes(*p.rss) +
                    " resident, of which the Go runtime accounts for " + bytes(goResident) +
                    " (heap, stacks, metadata). " + bytes(outside->bytes) + " (" +
                    num(100.0 * outside->bytes / *p.rss) + "%) is " + outside->label +
                    ", inferred as " + outside->source +
                    ". Look for cgo allocations (C.malloc, C libraries), mmap'd buffers "
                    "and memory a heap profile cannot see.";
        for (const std::string& src : {p.rssSource, std::string("process{name=rss_anon_bytes}")})
            if (const Series* s = findBySource(c.series(), src))
                f.series.push_back(*s);
        f.snapshots = snapshotsOf(f.series.empty() ? Series{} : f.series.front());
        f.numbers = {{"rss_bytes", *p.rss},
                     {"go_resident_bytes", goResident},
                     {"outside_go_bytes", outside->bytes}};
        out.push_back(std::move(f));
    }
    const RssSlice* free = p.slice("heap_free");
    const double whole = p.rss ? *p.rss : goResident;
    if (free && free->bytes >= kMinGapBytes && free->bytes >= kMinShare * whole) {
        Finding f = c.makeFinding(FindingKind::RssGap, Severity::Warning);
        f.title = "Freed heap is not returned to the OS";
        f.summary = bytes(free->bytes) + " of " + bytes(whole) + " " +
                    (p.rss ? "resident" : "held by the Go runtime") +
                    " is free heap the runtime has not released (" + free->source +
                    "). The scavenger returns it gradually; it keeps it when GOMEMLIMIT "
                    "or the heap goal says it may be needed again. A heap that spiked and "
                    "came down shows this way: RSS stays at the peak while the heap profile "
                    "is small.";
        if (p.goMemLimit)
            f.summary += " GOMEMLIMIT is " + bytes(*p.goMemLimit) + ".";
        if (const Series* s = findBySource(c.series(), free->source))
            f.series.push_back(*s);
        f.numbers = {{"heap_free_bytes", free->bytes}, {"whole_bytes", whole}};
        if (p.heapReleased)
            f.numbers.emplace_back("heap_released_bytes", *p.heapReleased);
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

std::unique_ptr<Detector> makeRssGapDetector() { return std::make_unique<RssGapDetector>(); }

} // namespace memscope::detect
