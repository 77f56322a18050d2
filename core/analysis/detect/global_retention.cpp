// SPDX-License-Identifier: GPL-3.0-or-later
// A package-level variable that dominates a growing share of the heap in
// heap dumps; unsafe.Pointer named only when the build's escape notes show
// it stored on the heap in the same files (pinning through views).
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "analysis/detect/profile_share.h"
#include "model/heap_graph.h"
#include "model/snapshot_kind.h"
#include "store/db.h"

#include <algorithm>
#include <map>
#include <set>

namespace memscope::detect {

namespace {

class GlobalRetentionDetector final : public Detector {
public:
    const char* name() const override { return "global retention"; }
    FindingKind kind() const override { return FindingKind::GlobalRetention; }
    std::vector<Finding> run(DetectContext& c) const override;
};

std::vector<Finding> GlobalRetentionDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Explained& ex = c.explained();
    auto dumps = c.snapshots(SnapshotKind::HeapDump);
    if (dumps.empty())
        return out;
    SnapshotId last = dumps.back().id;
    auto info = c.take(c.store().heapDump(last));
    if (!info)
        return out;
    for (const auto& r : c.take(c.store().heapDumpRoots(last, 10))) {
        if (r.kind != rootKindName(RootKind::Global))
            continue;
        const Series* s = series.find("retained_bytes", "root", r.name);
        Trend t = s ? trendOf(s->points) : Trend{};
        bool grows = s && t.n >= 2 && t.last - t.first >= 1 << 20 && t.last >= 1.5 * t.first &&
                     t.risingSteps >= 0.99;
        bool dominant = dumps.size() == 1 && r.retainedBytes >= (8 << 20) &&
                        double(r.retainedBytes) >= 0.3 * double(info->reachableBytes);
        if (!grows && !dominant)
            continue;
        Finding f = c.makeFinding(FindingKind::GlobalRetention, Severity::Critical);
        bool named = r.name.find('+') == std::string::npos;
        std::string who = named ? "The package-level variable " + r.name
                                : "A package-level variable at " + r.name;
        f.title = "A global holds " + bytes(double(r.retainedBytes)) + (named ? ": " + r.name : "");
        f.snapshots.push_back(last);
        if (s)
            f.series.push_back(*s);
        f.numbers = {{"retained_bytes", double(r.retainedBytes)},
                     {"retained_objects", double(r.retainedObjects)},
                     {"reachable_bytes", double(info->reachableBytes)}};
        std::string body = who + " retains " + bytes(double(r.retainedBytes)) + " in " +
                           num(double(r.retainedObjects)) + " objects, " +
                           num(100.0 * double(r.retainedBytes) /
                               double(std::max<int64_t>(1, info->reachableBytes))) +
                           "% of the reachable heap in the latest dump";
        if (grows)
            body += ", up from " + bytes(t.first) + " " + span(t.spanNs) + " earlier across " +
                    num(double(t.n)) + " heap dumps";
        body += ": nothing else dominates that memory, so it can only be freed by removing entries "
                "from "
                "that variable.";
        // What it holds, by allocation site (sampled objects), and how those sites grow.
        auto sites = c.take(c.store().heapDumpSites(last));
        std::map<int64_t, int64_t> byBucket;
        for (const auto& e : c.take(c.store().heapDumpRootSites(last)))
            if (e.rootIndex == r.index)
                byBucket[e.bucket] += e.retainedBytes;
        std::vector<std::string> siteNames;
        std::set<std::string> files;
        for (const auto& site : sites) {
            if (!byBucket.count(site.bucket))
                continue;
            Frame fr = site.stack.empty() ? Frame{} : parseStackLine(site.stack.front());
            f.sites.push_back({fr.function, fr.file, fr.line, byBucket[site.bucket],
                               "allocated sampled objects this global retains"});
            ex.globalSites.insert(fr.function);
            for (const auto& name : c.profileFunctionsAt(fr.file, fr.line))
                ex.globalSites.insert(name);
            if (siteNames.size() < 3)
                siteNames.push_back(fr.function);
            for (const auto& line : site.stack) {
                Frame u = parseStackLine(line);
                if (isUserCode(u.function))
                    ex.globalFrames.insert({u.file, u.line});
            }
            for (const auto& line : site.stack) {
                Frame u = parseStackLine(line);
                if (isUserCode(u.function) && !u.file.empty()) {
                    files.insert(u.file);
                    f.sites.push_back({u.function, u.file, u.line, byBucket[site.bucket],
                                       "the program's frame that allocated them"});
                    break;
                }
            }
            std::vector<std::string> names = c.profileFunctionsAt(fr.file, fr.line);
            names.push_back(fr.function);
            const Series* hs = nullptr;
            for (const auto& name : names)
                if (!hs)
                    hs = series.find("heap_inuse_bytes", "site", name);
            if (hs) {
                Trend ht = trendOf(hs->points);
                if (ht.last > ht.first && f.series.size() < 4) {
                    f.series.push_back(*hs);
                    body += " In-use memory allocated at " + hs->labels.at("site") + " grew from " +
                            bytes(ht.first) + " to " + bytes(ht.last) + " in the heap profiles.";
                }
            }
        }
        // Heap-profile sites reached through the same lines (the profile
        // resolves inlining that the dump's physical frames hide).
        if (const Profile* p = c.latestHeap(); p && f.series.size() < 2)
            for (const Series* hs : series.withLabel("heap_inuse_bytes", "site")) {
                Trend ht = trendOf(hs->points);
                if (ht.last <= ht.first || f.series.size() >= 3)
                    continue;
                if (shareThroughFrames(*p, hs->labels.at("site"), ex.globalFrames) < 0.5)
                    continue;
                f.series.push_back(*hs);
                body += " In-use memory allocated at " + hs->labels.at("site") + " grew from " +
                        bytes(ht.first) + " to " + bytes(ht.last) + " in the heap profiles.";
            }
        if (!siteNames.empty())
            body += " Sampled objects under it were allocated at " + joinList(siteNames) + ".";
        if (!named)
            body += " Import the dump with --binary (or put the executable beside it) to name the "
                    "variable.";
        // unsafe.Pointer only when the escape notes say so, in the same files.
        for (const auto& note : c.take(c.store().escapeNotesMentioning("unsafe.Pointer"))) {
            const std::string& file = note.file;
            bool same = files.empty();
            for (const auto& uf : files)
                if (file.size() >= uf.size()
                        ? file.compare(file.size() - uf.size(), uf.size(), uf) == 0
                        : uf.compare(uf.size() - file.size(), file.size(), file) == 0)
                    same = true;
            if (!same)
                continue;
            body +=
                " The build's escape analysis shows unsafe.Pointer values stored on the heap at " +
                file + ":" + std::to_string(note.line) + " (\"" + note.message +
                "\"): pointers kept as unsafe.Pointer still keep their whole target alive, and a "
                "view "
                "into a buffer pins all of it.";
            f.sites.push_back({"", file, note.line, 0, "escape analysis: " + note.message});
            break;
        }
        f.summary = body;
        out.push_back(std::move(f));
        break; // the largest such global
    }
    return out;
}

} // namespace

std::unique_ptr<Detector> makeGlobalRetentionDetector() {
    return std::make_unique<GlobalRetentionDetector>();
}

} // namespace memscope::detect
