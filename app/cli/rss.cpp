// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope rss`: where the resident memory goes, slice by slice, with the
// source each slice rests on.
#include "analysis/rss/rss.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "import/capture_time.h"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace memscope::cli {

namespace {

std::string mib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
    return buf;
}

void writePoint(JsonWriter& w, const RssPoint& p) {
    w.beginObject();
    w.field("time", formatTimeIso(p.timeNs));
    w.field("time_unix_nano", p.timeNs);
    if (p.rss) {
        w.field("rss_bytes", *p.rss);
        w.field("rss_source", p.rssSource);
    }
    w.key("slices").beginArray();
    for (const auto& s : p.slices) {
        w.beginObject();
        w.field("key", s.key);
        w.field("label", s.label);
        w.field("bytes", s.bytes);
        w.field("source", s.source);
        w.field("measured", s.measured);
        w.endObject();
    }
    w.endArray();
    w.field("go_resident_bytes", p.goResident());
    if (p.heapReleased) {
        w.field("heap_released_bytes", *p.heapReleased);
        w.field("heap_released_source", p.heapReleasedSource);
    }
    if (p.profileHeap)
        w.field("heap_profile_inuse_bytes", *p.profileHeap);
    if (p.cgroupLimit)
        w.field("cgroup_memory_max_bytes", *p.cgroupLimit);
    if (p.goMemLimit)
        w.field("gomemlimit_bytes", *p.goMemLimit);
    w.endObject();
}

// The last point with a slice the Go runtime measured; the last point when none has.
size_t lastExplained(const RssBreakdown& b) {
    for (size_t i = b.points.size(); i-- > 0;)
        if (b.points[i].goResident() > 0)
            return i;
    return b.points.size() - 1;
}

// What came after the point shown, when only the RSS was read there.
void printLater(const RssBreakdown& b, size_t shown) {
    if (shown + 1 >= b.points.size())
        return;
    const RssPoint& last = b.points.back();
    std::cout << "  later: " << (b.points.size() - shown - 1)
              << " point(s) with no reading from the Go runtime, to " << formatTimeIso(last.timeNs);
    if (last.rss)
        std::cout << ", where the RSS is " << mib(*last.rss);
    std::cout << " (--all shows them)\n";
}

void printPoint(const RssPoint& p) {
    std::cout << "at " << formatTimeIso(p.timeNs) << "\n";
    if (p.rss)
        std::cout << "  RSS " << mib(*p.rss) << "  (" << terminalSafe(p.rssSource) << ")\n";
    else
        std::cout << "  RSS not captured; the Go runtime holds " << mib(p.goResident()) << "\n";
    const double whole = p.rss ? *p.rss : p.goResident();
    for (const auto& s : p.slices) {
        char line[200];
        std::snprintf(line, sizeof line, "  %12s %6.1f%%  %-17s ", mib(s.bytes).c_str(),
                      whole > 0 ? 100.0 * s.bytes / whole : 0.0, s.key.c_str());
        std::cout << line << terminalSafe(s.label) << "\n"
                  << std::string(40, ' ') << (s.measured ? "measured: " : "inferred: ")
                  << terminalSafe(s.source) << "\n";
    }
    if (p.heapReleased)
        std::cout << "  not resident: " << mib(*p.heapReleased) << " of heap released to the OS ("
                  << terminalSafe(p.heapReleasedSource) << ")\n";
    if (p.profileHeap) {
        std::cout << "  the heap profile samples " << mib(*p.profileHeap) << " in use";
        if (const RssSlice* objects = p.slice("heap_objects"))
            std::cout << " of the runtime's " << mib(objects->bytes) << " of heap objects";
        std::cout << " (heap_inuse_bytes, sampled and scaled)\n";
    }
    if (p.goMemLimit)
        std::cout << "  GOMEMLIMIT " << mib(*p.goMemLimit) << "\n";
    if (p.cgroupLimit)
        std::cout << "  cgroup memory.max " << mib(*p.cgroupLimit) << "\n";
}

} // namespace

int cmdRss(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot"}, {"--json", "--all"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("rss needs one case file");
    std::optional<SnapshotId> snapshotId;
    if (auto v = a.opt("--snapshot")) {
        int64_t id = 0;
        if (!parseWholeInt(*v, id))
            return usageError("--snapshot needs a snapshot id (see memscope info)");
        snapshotId = SnapshotId(id);
    }
    auto store = openCaseFor(a.positional[0]);
    if (!store)
        return kInputFailed;
    std::optional<int64_t> atTime;
    if (snapshotId) {
        auto snap = store->snapshot(*snapshotId);
        if (!snap)
            return readFailed(snap.error());
        if (!*snap)
            return usageError("no snapshot " + std::to_string(snapshotId->value) + " in this case");
        atTime = (*snap)->timeNs;
    }
    auto found = rssBreakdowns(*store);
    if (!found)
        return readFailed(found.error());
    // The point shown: the one nearest the snapshot's time, or else the last
    // at which the Go runtime's own numbers were read: a service that stopped
    // answering its endpoints still has its RSS read from /proc, and a point
    // with the RSS alone explains nothing.
    auto pick = [&](const RssBreakdown& b) -> const RssPoint& {
        if (!atTime)
            return b.points[lastExplained(b)];
        const RssPoint* best = &b.points.front();
        for (const auto& p : b.points)
            if (std::llabs(p.timeNs - *atTime) < std::llabs(best->timeNs - *atTime))
                best = &p;
        return *best;
    };
    if (a.flag("--json")) {
        JsonWriter w;
        w.beginObject();
        w.key("targets").beginArray();
        for (const auto& b : *found) {
            w.beginObject();
            w.field("target", b.target);
            w.key("notes").beginArray();
            for (const auto& n : b.notes)
                w.value(n);
            w.endArray();
            w.key("at");
            writePoint(w, pick(b));
            w.key("points").beginArray();
            for (const auto& p : b.points)
                writePoint(w, p);
            w.endArray();
            w.endObject();
        }
        w.endArray();
        w.endObject();
        std::cout << w.str() << "\n";
        return kOk;
    }
    if (found->empty()) {
        std::cout << "Nothing to break down: this case holds no RSS reading (/proc, "
                     "process_resident_memory_bytes) and no Go runtime reading "
                     "(runtime/metrics, expvar memstats, heap text trailers).\n";
        return kOk;
    }
    for (const auto& b : *found) {
        if (!b.target.empty())
            std::cout << "== " << terminalSafe(b.target) << "\n";
        if (a.flag("--all"))
            for (const auto& p : b.points)
                printPoint(p);
        else {
            const RssPoint& p = pick(b);
            printPoint(p);
            if (!atTime)
                printLater(b, size_t(&p - b.points.data()));
        }
        for (const auto& n : b.notes)
            std::cout << "  note: " << terminalSafe(n) << "\n";
        std::cout << "\n";
    }
    return kOk;
}

} // namespace memscope::cli
