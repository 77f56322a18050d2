// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/what_grew.h"

#include "analysis/series/series.h"
#include "base/format.h"
#include "import/capture_time.h"
#include "report/series_style.h"

#include <algorithm>
#include <cmath>

namespace memscope {

namespace {

// The lines a postmortem asks about first.
bool telling(const Series& s) {
    auto has = [&](const char* k) { return s.labels.count(k) > 0; };
    if (s.metric == "heap_inuse_bytes" || s.metric == "retained_bytes" ||
        s.metric == "finalizers_queued" || s.metric == "fds" ||
        s.metric == "allocated_per_second_bytes")
        return !has("type") && !has("state");
    if (s.metric == "goroutines")
        return !has("state") && !has("group");
    if (s.metric == "tcp_sockets")
        return has("host");
    if (s.metric == "process" && has("name"))
        return s.labels.at("name") == "rss_bytes";
    return false;
}

} // namespace

Result<std::vector<GrowthRow>> whatGrew(CaseStore& store, size_t maxRows) {
    auto series = allSeries(store);
    if (!series)
        return series.error();
    std::vector<std::pair<double, GrowthRow>> ranked;
    for (const auto& s : *series) {
        if (!telling(s) || s.points.size() < 2)
            continue;
        const SeriesPoint& a = s.points.front();
        const SeriesPoint& b = s.points.back();
        if (!(b.value > a.value) || !std::isfinite(a.value) || !std::isfinite(b.value))
            continue;
        GrowthRow row;
        row.key = s.key();
        row.name = seriesDisplayName(s);
        // A site's, host's or root's line says what it counts.
        auto label = [&](const char* k) { return s.labels.count(k) ? s.labels.at(k) : ""; };
        if (s.metric == "heap_inuse_bytes" && s.labels.count("site"))
            row.name = "heap in use at " + label("site");
        else if (s.metric == "tcp_sockets" && s.labels.count("host"))
            row.name = "client sockets to " + label("host");
        else if (s.metric == "retained_bytes" && s.labels.count("root"))
            row.name = "retained by " + label("root");
        else if (s.metric == "allocated_per_second_bytes" && s.labels.count("site"))
            row.name = "allocated per second at " + label("site");
        if (s.labels.count("target") && row.name.find('[') == std::string::npos)
            row.name += " [" + label("target") + "]";
        row.unit = s.unit;
        // Metric points carry their unit in their name (process{name=rss_bytes}).
        if (row.unit.empty() && s.labels.count("name") && label("name").ends_with("_bytes"))
            row.unit = "bytes";
        row.first = a.value;
        row.last = b.value;
        row.firstNs = a.timeNs;
        row.lastNs = b.timeNs;
        // Relative rise; from nothing (or next to nothing) counts as 20x, so a
        // new small line does not outrank the heap growing a hundredfold.
        const double base = std::max(std::fabs(a.value), 1.0);
        const double rise = base < 0.001 * std::fabs(b.value) ? 20.0 : (b.value - a.value) / base;
        ranked.emplace_back(rise, std::move(row));
    }
    // Each program's heap total first, whatever its rise: the line everyone asks about.
    auto pinned = [](const GrowthRow& r) {
        return r.key.rfind("heap_inuse_bytes", 0) == 0 && r.key.find("site=") == std::string::npos;
    };
    std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
        if (pinned(x.second) != pinned(y.second))
            return pinned(x.second);
        return x.first != y.first ? x.first > y.first : x.second.key < y.second.key;
    });
    std::vector<GrowthRow> out;
    for (auto& [rise, row] : ranked) {
        if (out.size() >= maxRows)
            break;
        out.push_back(std::move(row));
    }
    return out;
}

Result<std::optional<SpanFlame>> spanFlame(CaseStore& store) {
    auto heaps = store.snapshots(SnapshotKind::Heap);
    if (!heaps)
        return heaps.error();
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    for (const auto& t : *targets) {
        std::vector<const SnapshotInfo*> mine;
        for (const auto& sn : *heaps)
            if (sn.targetId == t.id)
                mine.push_back(&sn);
        if (mine.size() < 2)
            continue;
        std::stable_sort(
            mine.begin(), mine.end(),
            [](const SnapshotInfo* a, const SnapshotInfo* b) { return a->timeNs < b->timeNs; });
        auto first = store.loadProfile(mine.front()->id);
        if (!first)
            return first.error();
        auto last = store.loadProfile(mine.back()->id);
        if (!last)
            return last.error();
        int fi = first->sampleIndex("inuse_space"), li = last->sampleIndex("inuse_space");
        if (fi < 0 || li < 0)
            continue;
        SpanFlame out;
        out.firstId = mine.front()->id;
        out.lastId = mine.back()->id;
        out.tree = diffCallTrees(buildCallTree(*first, fi, ""), buildCallTree(*last, li, ""));
        out.title = "In-use heap of " + t.name + ", change from " +
                    formatTimeIso(mine.front()->timeNs) + " to " +
                    formatTimeIso(mine.back()->timeNs) + " (red grew, blue shrank)";
        return std::optional<SpanFlame>(std::move(out));
    }
    return std::optional<SpanFlame>();
}

} // namespace memscope
