// SPDX-License-Identifier: GPL-3.0-or-later
#include "report.h"

#include "capture_time.h"
#include "detect.h"
#include "format.h"
#include "json_writer.h"
#include "series.h"
#include "top.h"

#include <algorithm>
#include <map>

namespace memscope {

namespace {

struct KindSummary {
    size_t count = 0;
    int64_t first = 0, last = 0;
    std::map<std::string, size_t> timeSources;
};

std::map<std::string, KindSummary> summarize(const std::vector<SnapshotInfo>& snaps) {
    std::map<std::string, KindSummary> kinds;
    for (const auto& s : snaps) {
        auto& k = kinds[s.kind];
        if (k.count == 0 || s.timeNs < k.first)
            k.first = s.timeNs;
        if (k.count == 0 || s.timeNs > k.last)
            k.last = s.timeNs;
        ++k.count;
        ++k.timeSources[s.timeSource];
    }
    return kinds;
}

std::string duration(int64_t ns) {
    int64_t s = ns / 1000000000;
    char buf[64];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", (long long)(s / 3600),
                      (long long)(s / 60 % 60), (long long)(s % 60));
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%.1fs", double(ns) / 1e9);
    return buf;
}

// What a snapshot holds, by kind: samples, goroutines, fds and sockets per
// remote host, GC cycles, metrics, notes.
void writeCounts(JsonWriter& w, CaseStore& store, const SnapshotInfo& s) {
    auto one = [&](const char* sql) {
        Stmt q(store.db(), sql);
        q.bind(1, s.id);
        return q.step() ? q.i64(0) : int64_t(0);
    };
    w.key("counts").beginObject();
    if (s.kind == "goroutines") {
        w.field("goroutines", one("SELECT COALESCE(SUM(count),0) FROM goroutine_groups WHERE snapshot_id = ?"));
        w.field("groups", one("SELECT count(*) FROM goroutine_groups WHERE snapshot_id = ?"));
    } else if (s.kind == "fds") {
        w.field("fds", one("SELECT count(*) FROM fds WHERE snapshot_id = ?"));
        w.field("tcp_sockets", one("SELECT count(*) FROM fds WHERE snapshot_id = ? AND protocol = 'TCP'"));
        Stmt q(store.db(), "SELECT remote_addr, count(*) FROM fds WHERE snapshot_id = ?1 AND protocol = 'TCP'"
                           " AND remote_addr <> '' AND local_port NOT IN (SELECT local_port FROM fds"
                           "  WHERE snapshot_id = ?1 AND state = 'LISTEN') GROUP BY remote_addr");
        q.bind(1, s.id);
        w.key("tcp_sockets_per_host").beginObject();
        while (q.step())
            w.field(q.text(0), q.i64(1));
        w.endObject();
    } else if (s.kind == "gctrace") {
        w.field("gc_cycles", one("SELECT count(*) FROM gc_cycles WHERE snapshot_id = ?"));
    } else if (s.kind == "escape") {
        w.field("notes", one("SELECT count(*) FROM escape_notes WHERE snapshot_id = ?"));
    } else if (s.kind == "metrics" || s.kind == "expvar") {
        w.field("metrics", one("SELECT count(*) FROM metric_points WHERE snapshot_id = ?"));
    } else {
        w.field("samples", one("SELECT count(*) FROM samples WHERE snapshot_id = ?"));
    }
    w.endObject();
}

void writeSnapshots(JsonWriter& w, const std::vector<SnapshotInfo>& snaps,
                    const std::vector<TargetInfo>& targets, CaseStore* withCounts = nullptr) {
    std::map<int64_t, std::string> targetName;
    for (const auto& t : targets)
        targetName[t.id] = t.name;
    w.key("snapshots").beginArray();
    for (const auto& s : snaps) {
        w.beginObject();
        w.field("id", s.id).field("kind", s.kind).field("time", formatTimeIso(s.timeNs));
        w.field("unix_seconds", double(s.timeNs) / 1e9).field("time_source", s.timeSource);
        w.field("source", s.sourceName).field("target", targetName[s.targetId]);
        if (withCounts)
            writeCounts(w, *withCounts, s);
        w.endObject();
    }
    w.endArray();
}

void writeTargets(JsonWriter& w, const std::vector<TargetInfo>& targets) {
    w.key("targets").beginArray();
    for (const auto& t : targets) {
        w.beginObject().field("id", t.id).field("name", t.name);
        if (!t.host.empty())
            w.field("host", t.host);
        if (t.pid)
            w.field("pid", t.pid);
        if (!t.goVersion.empty())
            w.field("go_version", t.goVersion);
        w.endObject();
    }
    w.endArray();
}

} // namespace

std::string caseInfoText(CaseStore& store) {
    std::string out;
    auto targets = store.targets();
    auto snaps = store.snapshots();
    auto sources = store.sources();
    out += "case: " + store.path() + " (schema " + std::to_string(store.schemaVersion()) + ")\n";
    out += "sources: " + std::to_string(sources.size()) + " files\n";
    out += "targets:\n";
    for (const auto& t : targets) {
        out += "  " + t.name;
        if (!t.host.empty())
            out += " host=" + t.host;
        if (t.pid)
            out += " pid=" + std::to_string(t.pid);
        if (!t.goVersion.empty())
            out += " " + t.goVersion;
        out += "\n";
    }
    out += "snapshots:\n";
    for (const auto& [kind, k] : summarize(snaps)) {
        out += "  " + kind + ": " + std::to_string(k.count) + ", " + formatTimeIso(k.first) +
               " .. " + formatTimeIso(k.last) + " (time from ";
        bool first = true;
        for (const auto& [src, n] : k.timeSources) {
            out += (first ? "" : ", ") + src + " " + std::to_string(n);
            first = false;
        }
        out += ")\n";
    }
    if (!snaps.empty()) {
        out += "time span: " + formatTimeIso(snaps.front().timeNs) + " .. " +
               formatTimeIso(snaps.back().timeNs) + " (" +
               duration(snaps.back().timeNs - snaps.front().timeNs) + ")\n";
    }
    return out;
}

std::string caseInfoJson(CaseStore& store) {
    JsonWriter w;
    auto targets = store.targets();
    auto snaps = store.snapshots();
    w.beginObject();
    w.field("case", store.path()).field("schema_version", store.schemaVersion());
    w.field("sources", int64_t(store.sources().size()));
    writeTargets(w, targets);
    w.key("kinds").beginObject();
    for (const auto& [kind, k] : summarize(snaps)) {
        w.key(kind).beginObject();
        w.field("count", int64_t(k.count)).field("first", formatTimeIso(k.first));
        w.field("last", formatTimeIso(k.last));
        w.key("time_sources").beginObject();
        for (const auto& [src, n] : k.timeSources)
            w.field(src, int64_t(n));
        w.endObject().endObject();
    }
    w.endObject();
    if (!snaps.empty()) {
        w.key("time_span").beginObject();
        w.field("start", formatTimeIso(snaps.front().timeNs));
        w.field("end", formatTimeIso(snaps.back().timeNs));
        w.field("seconds", double(snaps.back().timeNs - snaps.front().timeNs) / 1e9);
        w.endObject();
    }
    writeSnapshots(w, snaps, targets, &store);
    w.endObject();
    return w.str() + "\n";
}

void writeFindings(JsonWriter& w, const std::vector<Finding>& findings) {
    w.key("findings").beginArray();
    for (const auto& f : findings) {
        w.beginObject().field("kind", f.kind).field("severity", f.severity).field("target", f.target);
        w.field("title", f.title).field("summary", f.summary);
        w.key("evidence").beginObject();
        w.key("numbers").beginObject();
        for (const auto& [k, v] : f.numbers)
            w.field(k, v);
        w.endObject();
        w.key("snapshots").beginArray();
        for (auto id : f.snapshots)
            w.value(id);
        w.endArray();
        w.key("series").beginObject();
        for (const auto& s : f.series) {
            w.key(s.key()).beginArray();
            for (const auto& p : s.points)
                w.beginArray().value(double(p.timeNs) / 1e9).value(p.value).endArray();
            w.endArray();
        }
        w.endObject().endObject();
        w.key("sites").beginArray();
        for (const auto& site : f.sites) {
            w.beginObject().field("function", site.function).field("file", site.file).field("line", site.line);
            if (site.bytes)
                w.field("bytes", site.bytes);
            w.field("note", site.note).endObject();
        }
        w.endArray();
        w.key("hosts").beginArray();
        for (const auto& h : f.hosts)
            w.value(h);
        w.endArray();
        w.key("goroutine_groups").beginArray();
        for (const auto& g : f.goroutineGroups)
            w.value(g);
        w.endArray();
        w.endObject();
    }
    w.endArray();
}

std::string reportJson(CaseStore& store) {
    JsonWriter w;
    auto targets = store.targets();
    auto snaps = store.snapshots();
    w.beginObject();
    w.field("case", store.path());
    writeTargets(w, targets);
    if (!snaps.empty()) {
        w.key("time_span").beginObject();
        w.field("start", formatTimeIso(snaps.front().timeNs));
        w.field("end", formatTimeIso(snaps.back().timeNs));
        w.endObject();
    }
    writeSnapshots(w, snaps, targets);
    writeFindings(w, detectFindings(store));
    w.key("series").beginObject();
    for (const auto& s : allSeries(store)) {
        w.key(s.key()).beginArray();
        for (const auto& p : s.points) {
            w.beginArray().value(double(p.timeNs) / 1e9).value(p.value).endArray();
        }
        w.endArray();
    }
    w.endObject();
    w.endObject();
    return w.str() + "\n";
}

std::string reportMarkdown(CaseStore& store) {
    std::string out;
    auto targets = store.targets();
    auto snaps = store.snapshots();
    out += "# memscope report\n\n";
    out += "Case: `" + store.path() + "`\n\n";
    for (const auto& t : targets) {
        out += "- Target: **" + t.name + "**";
        if (!t.host.empty())
            out += " on " + t.host;
        if (t.pid)
            out += ", pid " + std::to_string(t.pid);
        out += "\n";
    }
    if (snaps.empty()) {
        out += "\nThe case holds no snapshots yet: `memscope import CASE PATH...` adds captures.\n";
        return out;
    }
    out += "- Time span: " + formatTimeIso(snaps.front().timeNs) + " .. " +
           formatTimeIso(snaps.back().timeNs) + " (" +
           duration(snaps.back().timeNs - snaps.front().timeNs) + ")\n";
    out += "- Snapshots: ";
    bool first = true;
    for (const auto& [kind, k] : summarize(snaps)) {
        out += (first ? "" : ", ") + std::to_string(k.count) + " " + kind;
        first = false;
    }
    out += "\n";

    auto series = heapSeries(store);
    const Series* inuse = nullptr;
    std::vector<const Series*> sites;
    for (const auto& s : series) {
        if (s.metric == "heap_inuse_bytes" && s.labels.count("site"))
            sites.push_back(&s);
        else if (s.metric == "heap_inuse_bytes" && !inuse)
            inuse = &s;
    }
    if (inuse && !inuse->points.empty()) {
        const auto& a = inuse->points.front();
        const auto& b = inuse->points.back();
        out += "\n## Heap in use\n\n";
        out += "From " + formatValue(int64_t(a.value), "bytes") + " to " +
               formatValue(int64_t(b.value), "bytes") + " over " +
               duration(b.timeNs - a.timeNs) + " (" +
               (b.value >= a.value ? "+" : "-") +
               formatValue(int64_t(std::abs(b.value - a.value)), "bytes") + ").\n\n";
        out += "| time | in use |";
        for (const auto* s : sites)
            out += " `" + s->labels.at("site") + "` |";
        out += "\n|---|---:|";
        for (size_t i = 0; i < sites.size(); ++i)
            out += "---:|";
        out += "\n";
        for (size_t i = 0; i < inuse->points.size(); ++i) {
            const auto& p = inuse->points[i];
            out += "| " + formatTimeIso(p.timeNs) + " | " + formatValue(int64_t(p.value), "bytes") +
                   " |";
            for (const auto* s : sites)
                out += " " + (i < s->points.size() ? formatValue(int64_t(s->points[i].value), "bytes")
                                                   : std::string("")) + " |";
            out += "\n";
        }

        // The latest heap snapshot's top allocation sites, with their growth.
        auto heapSnaps = store.snapshots("heap");
        auto last = store.loadProfile(heapSnaps.back().id);
        auto firstP = store.loadProfile(heapSnaps.front().id);
        if (last && firstP) {
            auto top = computeTop(*last, last->sampleIndex("inuse_space"));
            auto base = computeTop(*firstP, firstP->sampleIndex("inuse_space"));
            std::map<std::string, int64_t> before;
            for (const auto& r : base.rows)
                before[r.function] = r.flat;
            out += "\n## Top allocation sites at " + formatTimeIso(heapSnaps.back().timeNs) +
                   " (inuse_space)\n\n";
            out += "| site | flat | flat% | cum | since first snapshot |\n|---|---:|---:|---:|---:|\n";
            int n = 0;
            for (const auto& r : top.rows) {
                if (r.flat == 0 || n++ >= 10)
                    break;
                int64_t delta = r.flat - before[r.function];
                out += "| `" + r.function + "` | " + formatValue(r.flat, "bytes") + " | " +
                       formatPercent(top.total ? double(r.flat) / double(top.total) : 0) + " | " +
                       formatValue(r.cum, "bytes") + " | " + (delta >= 0 ? "+" : "-") +
                       formatValue(std::abs(delta), "bytes") + " |\n";
            }
        }
    }
    // Goroutines: totals over time, the roles the runtime's functions reveal,
    // and the largest groups of the latest dump.
    auto gs = goroutineSeries(store);
    if (!gs.empty()) {
        out += "\n## Goroutines\n\n| series | first | last | change |\n|---|---:|---:|---:|\n";
        for (const auto& s : gs) {
            if (s.labels.count("state") || s.points.empty())
                continue;
            double a = s.points.front().value, b = s.points.back().value;
            out += "| `" + s.key() + "` | " + std::to_string(int64_t(a)) + " | " +
                   std::to_string(int64_t(b)) + " | " + (b >= a ? "+" : "") +
                   std::to_string(int64_t(b - a)) + " |\n";
        }
        auto dumps = store.snapshots("goroutines");
        auto groups = store.goroutineGroups(dumps.back().id);
        out += "\nLargest groups at " + formatTimeIso(dumps.back().timeNs) + ":\n\n";
        for (size_t i = 0; i < groups.size() && i < 5; ++i) {
            const auto& g = groups[i];
            out += "- **" + std::to_string(g.count) + "** `" + g.state + "`" +
                   (g.role.empty() ? "" : " (" + g.role + ")") + ": `" +
                   (g.stack.empty() ? std::string("?") : g.stack.back().substr(0, g.stack.back().find(' '))) +
                   "`" + (g.createdBy.empty() ? "" : ", created by `" + g.createdBy.substr(0, g.createdBy.find(' ')) + "`") +
                   "\n";
        }
    }
    auto fs = fdSeries(store);
    if (!fs.empty()) {
        out += "\n## Open files and sockets\n\n| series | first | last | change |\n|---|---:|---:|---:|\n";
        for (const auto& s : fs) {
            if (s.points.empty() || s.labels.count("type"))
                continue;
            double a = s.points.front().value, b = s.points.back().value;
            out += "| `" + s.key() + "` | " + std::to_string(int64_t(a)) + " | " +
                   std::to_string(int64_t(b)) + " | " + (b >= a ? "+" : "") +
                   std::to_string(int64_t(b - a)) + " |\n";
        }
        out += "\n`tcp_sockets{host=...}` counts client connections (local port not one the "
               "process listens on) per remote host.\n";
    }
    out += "\n## Snapshots\n\n| id | kind | time | time from | file |\n|---:|---|---|---|---|\n";
    for (const auto& s : snaps)
        out += "| " + std::to_string(s.id) + " | " + s.kind + " | " + formatTimeIso(s.timeNs) +
               " | " + s.timeSource + " | " + s.sourceName + " |\n";
    return out;
}

} // namespace memscope
