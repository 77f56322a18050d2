// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: `info` and the postmortem report in three formats (Markdown,
// HTML, JSON) share their sections here; one writer per format is the next split.
#include "report/report.h"
#include "report/what_grew.h"

#include "analysis/detect/detect.h"
#include "analysis/profile/top.h"
#include "analysis/series/series.h"
#include "base/first_error.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "import/capture_time.h"
#include "report/chart_svg.h"
#include "store/case_validate.h"

#include <algorithm>
#include <cmath>
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
        auto& k = kinds[toString(s.kind)];
        if (k.count == 0 || s.timeNs < k.first)
            k.first = s.timeNs;
        if (k.count == 0 || s.timeNs > k.last)
            k.last = s.timeNs;
        ++k.count;
        ++k.timeSources[s.timeSource];
    }
    return kinds;
}

// The time the captures cover: snapshots timed only by a file's mtime (build
// output, logs copied later) do not stretch it, unless nothing else has a time.
std::pair<int64_t, int64_t> spanOf(const std::vector<SnapshotInfo>& snaps) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int pass = 0; pass < 2 && lo == INT64_MAX; ++pass)
        for (const auto& s : snaps)
            if (pass == 1 || s.timeSource != "mtime") {
                lo = std::min(lo, s.timeNs);
                hi = std::max(hi, s.timeNs);
            }
    if (lo == INT64_MAX)
        return {0, 0};
    return {lo, hi};
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
void writeCounts(JsonWriter& w, FirstError& read, CaseStore& store, const SnapshotInfo& s) {
    auto c = read.take(store.snapshotCounts(s));
    w.key("counts").beginObject();
    if (s.kind == SnapshotKind::Goroutines) {
        w.field("goroutines", c.goroutines);
        w.field("groups", c.groups);
    } else if (s.kind == SnapshotKind::Fds) {
        w.field("fds", c.fds);
        w.field("tcp_sockets", c.tcpSockets);
        w.key("tcp_sockets_per_host").beginObject();
        for (const auto& host : c.clientSocketsPerHost)
            w.field(host.name, host.count);
        w.endObject();
    } else if (s.kind == SnapshotKind::GcTrace) {
        w.field("gc_cycles", c.gcCycles);
    } else if (s.kind == SnapshotKind::Escape) {
        w.field("notes", c.notes);
    } else if (holdsMetrics(s.kind)) {
        w.field("metrics", c.metrics);
    } else {
        w.field("samples", c.samples);
    }
    w.endObject();
}

void writeSnapshots(JsonWriter& w, const std::vector<SnapshotInfo>& snaps,
                    const std::vector<TargetInfo>& targets, CaseStore* withCounts = nullptr,
                    FirstError* read = nullptr) {
    std::map<TargetId, std::string> targetName;
    for (const auto& t : targets)
        targetName[t.id] = t.name;
    w.key("snapshots").beginArray();
    for (const auto& s : snaps) {
        w.beginObject();
        w.field("id", s.id).field("kind", toString(s.kind)).field("time", formatTimeIso(s.timeNs));
        w.field("unix_seconds", double(s.timeNs) / 1e9).field("time_source", s.timeSource);
        w.field("source", s.sourceName).field("target", targetName[s.targetId]);
        if (withCounts)
            writeCounts(w, *read, *withCounts, s);
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

Result<std::string> caseInfoText(CaseStore& store) {
    FirstError read;
    std::string out;
    auto targets = read.take(store.targets());
    auto snaps = read.take(store.snapshots());
    auto sources = read.take(store.sources());
    // Names and files come from captures: escaped for the terminal that shows them.
    out += "case: " + terminalSafe(store.path()) + " (schema " +
           std::to_string(read.take(store.schemaVersion())) + ")\n";
    out += "sources: " + std::to_string(sources.size()) + " files\n";
    out += "targets:\n";
    for (const auto& t : targets) {
        out += "  " + terminalSafe(t.name);
        if (!t.host.empty())
            out += " host=" + terminalSafe(t.host);
        if (t.pid)
            out += " pid=" + std::to_string(t.pid);
        if (!t.goVersion.empty())
            out += " " + terminalSafe(t.goVersion);
        out += "\n";
    }
    out += "snapshots:\n";
    for (const auto& [kind, k] : summarize(snaps)) {
        out += "  " + terminalSafe(kind) + ": " + std::to_string(k.count) + ", " +
               formatTimeIso(k.first) + " .. " + formatTimeIso(k.last) + " (time from ";
        bool first = true;
        for (const auto& [src, n] : k.timeSources) {
            out += (first ? "" : ", ") + src + " " + std::to_string(n);
            first = false;
        }
        out += ")\n";
    }
    if (!snaps.empty()) {
        out += "time span: " + formatTimeIso(spanOf(snaps).first) + " .. " +
               formatTimeIso(spanOf(snaps).second) + " (" +
               duration(spanOf(snaps).second - spanOf(snaps).first) + ")\n";
    }
    if (read.error())
        return *read.error();
    return out;
}

Result<std::string> caseInfoJson(CaseStore& store) {
    FirstError read;
    JsonWriter w;
    auto targets = read.take(store.targets());
    auto snaps = read.take(store.snapshots());
    w.beginObject();
    w.field("case", store.path()).field("schema_version", read.take(store.schemaVersion()));
    w.field("sources", int64_t(read.take(store.sources()).size()));
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
        w.field("start", formatTimeIso(spanOf(snaps).first));
        w.field("end", formatTimeIso(spanOf(snaps).second));
        w.field("seconds", double(spanOf(snaps).second - spanOf(snaps).first) / 1e9);
        w.endObject();
    }
    writeSnapshots(w, snaps, targets, &store, &read);
    w.endObject();
    if (read.error())
        return *read.error();
    return w.str() + "\n";
}

void writeFindings(JsonWriter& w, const std::vector<Finding>& findings) {
    w.key("findings").beginArray();
    for (const auto& f : findings) {
        w.beginObject()
            .field("kind", toString(f.kind))
            .field("severity", toString(f.severity))
            .field("target", f.target);
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
            w.beginObject()
                .field("function", site.function)
                .field("file", site.file)
                .field("line", site.line);
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

Result<std::string> reportJson(CaseStore& store, const ReportOptions& opts) {
    FirstError read;
    JsonWriter w;
    auto targets = read.take(store.targets());
    auto snaps = read.take(store.snapshots());
    w.beginObject();
    w.field("case", store.path());
    writeTargets(w, targets);
    if (!snaps.empty()) {
        w.key("time_span").beginObject();
        w.field("start", formatTimeIso(spanOf(snaps).first));
        w.field("end", formatTimeIso(spanOf(snaps).second));
        w.endObject();
    }
    writeSnapshots(w, snaps, targets);
    w.key("what_grew").beginArray();
    for (const auto& r : read.take(whatGrew(store))) {
        w.beginObject();
        w.field("series", r.key);
        w.field("first", r.first);
        w.field("last", r.last);
        w.field("first_time", formatTimeIso(r.firstNs));
        w.field("last_time", formatTimeIso(r.lastNs));
        w.endObject();
    }
    w.endArray();
    writeFindings(w, read.take(detectFindings(store, opts.limits)));
    w.key("series").beginObject();
    for (const auto& s : read.take(allSeries(store))) {
        w.key(s.key()).beginArray();
        for (const auto& p : s.points) {
            w.beginArray().value(double(p.timeNs) / 1e9).value(p.value).endArray();
        }
        w.endArray();
    }
    w.endObject();
    w.endObject();
    if (read.error())
        return *read.error();
    return w.str() + "\n";
}

namespace {

// Text from the captures in Markdown: as text (no markup, no HTML, one line)
// or as a code span; `codeCell` for a table cell, whose | GitHub must not split on.
std::string md(const std::string& s) { return markdownText(s); }
std::string code(const std::string& s) { return markdownCode(s); }
std::string codeCell(const std::string& s) { return markdownCode(s, true); }

std::string targetLine(const TargetInfo& t) {
    std::string out = t.name.empty() ? "(unnamed)" : t.name;
    if (!t.host.empty())
        out += " on " + t.host;
    if (t.pid)
        out += ", pid " + std::to_string(t.pid);
    if (!t.goVersion.empty())
        out += ", " + t.goVersion;
    return out;
}

std::string snapshotsLine(const std::vector<SnapshotInfo>& snaps) {
    std::string out;
    bool first = true;
    for (const auto& [kind, k] : summarize(snaps)) {
        out += (first ? "" : ", ") + std::to_string(k.count) + " " + kind;
        first = false;
    }
    return out;
}

// A chart with the case's notes on it: a report's charts label every annotation.
ChartSpec withNotes(ChartSpec chart, const std::vector<Annotation>& notes) {
    for (const auto& a : notes)
        chart.notes.push_back({a.timeNs, annotationLabel(a.text)});
    return chart;
}

// A finding's evidence as charts: its series split by unit.
std::vector<ChartSpec> findingCharts(const Finding& f) {
    std::vector<ChartSpec> out;
    for (const auto& s : f.series) {
        std::string unit = s.unit.empty() ? "count" : s.unit;
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const ChartSpec& c) { return c.unit == unit; });
        if (it == out.end()) {
            ChartSpec c;
            c.title = f.title + (out.empty() ? "" : " (" + unit + ")");
            c.unit = unit;
            out.push_back(std::move(c));
            it = out.end() - 1;
        }
        it->series.push_back(s);
    }
    return out;
}

// The case's key series: heap in use, goroutines, sockets per host, finalizers.
std::vector<ChartSpec> keyCharts(FirstError& read, CaseStore& store) {
    std::vector<ChartSpec> out;
    auto all = read.take(allSeries(store));
    auto pick = [&](const std::string& title, const std::string& unit, auto pred) {
        ChartSpec c;
        c.title = title;
        c.unit = unit;
        for (const auto& s : all)
            if (pred(s) && c.series.size() < 8)
                c.series.push_back(s);
        if (!c.series.empty())
            out.push_back(std::move(c));
    };
    pick("Heap in use (total and top allocation sites)", "bytes",
         [](const Series& s) { return s.metric == "heap_inuse_bytes"; });
    pick("Goroutines", "count", [](const Series& s) {
        return s.metric == "goroutines" && !s.labels.count("state") && !s.labels.count("group");
    });
    pick("Client TCP connections per remote host", "count",
         [](const Series& s) { return s.metric == "tcp_sockets" && s.labels.count("host"); });
    pick("Finalizers", "count", [](const Series& s) {
        return s.metric == "finalizers_registered" || s.metric == "finalizers_queued" ||
               ((s.metric == "expvar" || s.metric == "runtime") && s.labels.count("name") &&
                (s.labels.at("name").find("finaliz") != std::string::npos ||
                 s.labels.at("name").rfind("/gc/cleanups/", 0) == 0));
    });
    pick("Retained by the largest roots (heap dumps)", "bytes",
         [](const Series& s) { return s.metric == "retained_bytes"; });
    return out;
}

std::string numberText(const std::string& name, double v) {
    bool isBytes = name.find("bytes") != std::string::npos;
    if (isBytes)
        return formatValue(int64_t(v), "bytes");
    char b[32];
    snprintf(b, sizeof b, v == std::floor(v) || std::fabs(v) >= 100 ? "%.0f" : "%.2f", v);
    return b;
}

std::string growthValue(double v, const std::string& unit) {
    if (unit == "bytes")
        return formatValue(int64_t(v), "bytes");
    char b[32];
    snprintf(b, sizeof b, "%.0f", v);
    return b;
}

std::string growthChange(const GrowthRow& r) {
    if (r.first <= 0)
        return "from none";
    char b[32];
    snprintf(b, sizeof b, "%.1fx", r.last / r.first);
    return b;
}

} // namespace

Result<std::string> reportMarkdown(CaseStore& store, const ReportOptions& opts) {
    FirstError read;
    std::string out;
    auto targets = read.take(store.targets());
    auto snaps = read.take(store.snapshots());
    out += "# memscope report\n\n";
    out += "Case: " + code(store.path()) + "\n\n";
    for (const auto& t : targets)
        out += "- Target: **" + md(targetLine(t)) + "**\n";
    if (snaps.empty()) {
        out += "\nThe case holds no snapshots yet: `memscope import CASE PATH...` adds captures.\n";
        if (read.error())
            return *read.error();
        return out;
    }
    out += "- Time span: " + formatTimeIso(spanOf(snaps).first) + " .. " +
           formatTimeIso(spanOf(snaps).second) + " (" +
           duration(spanOf(snaps).second - spanOf(snaps).first) + ")\n";
    out += "- Snapshots: " + snapshotsLine(snaps) + "\n";

    // What grew, first: the question a postmortem starts from.
    auto grew = read.take(whatGrew(store));
    if (!grew.empty()) {
        out += "\n## What grew\n\n| series | first | last | change |\n|---|---:|---:|---:|\n";
        for (const auto& r : grew)
            out += "| " + codeCell(r.name) + " | " + growthValue(r.first, r.unit) + " | " +
                   growthValue(r.last, r.unit) + " | " + growthChange(r) + " |\n";
        if (auto flame = read.take(spanFlame(store)))
            out += "\nThe heap's change over the span as a flame graph: `memscope export-chart "
                   "CASE --chart flame --snapshot " +
                   std::to_string(flame->lastId.value) + " --base " +
                   std::to_string(flame->firstId.value) +
                   " -o change.svg` (the HTML report draws it).\n";
    }

    auto findings = read.take(detectFindings(store, opts.limits));
    const auto notes = read.take(store.annotations());
    out += "\n## Findings\n\n";
    if (findings.empty())
        out += "None: no leak pattern memscope knows shows in these captures.\n";
    int n = 0;
    for (const auto& f : findings) {
        ++n;
        out += "### " + std::to_string(n) + ". " + md(f.title) + "\n\n";
        out += code(toString(f.kind)) + " · **" + md(toString(f.severity)) + "**" +
               (targets.size() > 1 ? " · " + md(f.target) : "") + "\n\n";
        out += md(f.summary) + "\n\n";
        int c = 0;
        for (const auto& chart : findingCharts(f)) {
            std::string stem = "finding-" + std::to_string(n) + "-" + std::to_string(++c);
            if (opts.chartFile) {
                std::string file = opts.chartFile(withNotes(chart, notes), stem);
                if (!file.empty())
                    out += "![" + md(chart.title) + "](" + file + ")\n\n";
            }
        }
        if (!f.numbers.empty()) {
            out += "| evidence | value |\n|---|---:|\n";
            for (const auto& [k, v] : f.numbers)
                out += "| " + md(k) + " | " + numberText(k, v) + " |\n";
            out += "\n";
        }
        if (!f.sites.empty()) {
            out += "| site | where | bytes | why |\n|---|---|---:|---|\n";
            for (const auto& s : f.sites)
                out += "| " + codeCell(s.function) + " | " + md(s.file) + ":" +
                       std::to_string(s.line) + " | " +
                       (s.bytes ? formatValue(s.bytes, "bytes") : std::string()) + " | " +
                       md(s.note) + " |\n";
            out += "\n";
        }
        if (!f.hosts.empty()) {
            out += "Hosts:";
            for (const auto& h : f.hosts)
                out += " " + code(h);
            out += "\n\n";
        }
        if (!f.goroutineGroups.empty()) {
            out += "Goroutine groups:";
            for (const auto& g : f.goroutineGroups)
                out += " " + code(g);
            out += "\n\n";
        }
        out += "Evidence series:";
        for (const auto& s : f.series)
            out += " " + code(s.key());
        out += "; snapshots";
        for (auto id : f.snapshots)
            out += " " + std::to_string(id.value);
        out += ".\n\n";
    }
    if (!notes.empty()) {
        out += "## Annotations\n\n| time | series | note |\n|---|---|---|\n";
        for (const auto& a : notes)
            out += "| " + formatTimeIso(a.timeNs) + " | " +
                   (a.series.empty() ? "" : codeCell(a.series)) + " | " + md(a.text) + " |\n";
    }
    if (opts.chartFile) {
        out += "\n## Key series\n\n";
        int k = 0;
        for (auto& chart : keyCharts(read, store)) {
            std::string file =
                opts.chartFile(withNotes(chart, notes), "series-" + std::to_string(++k));
            if (!file.empty())
                out += "![" + md(chart.title) + "](" + file + ")\n\n";
        }
    }

    auto series = read.take(heapSeries(store));
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
               formatValue(int64_t(b.value), "bytes") + " over " + duration(b.timeNs - a.timeNs) +
               " (" + (b.value >= a.value ? "+" : "-") +
               formatValue(int64_t(std::abs(b.value - a.value)), "bytes") + ").\n\n";
        out += "| time | in use |";
        for (const auto* s : sites)
            out += " " + codeCell(s->labels.at("site")) + " |";
        out += "\n|---|---:|";
        for (size_t i = 0; i < sites.size(); ++i)
            out += "---:|";
        out += "\n";
        for (size_t i = 0; i < inuse->points.size(); ++i) {
            const auto& p = inuse->points[i];
            out += "| " + formatTimeIso(p.timeNs) + " | " + formatValue(int64_t(p.value), "bytes") +
                   " |";
            for (const auto* s : sites)
                out += " " +
                       (i < s->points.size() ? formatValue(int64_t(s->points[i].value), "bytes")
                                             : std::string("")) +
                       " |";
            out += "\n";
        }

        // The latest heap snapshot's top allocation sites, with their growth.
        auto heapSnaps = read.take(store.snapshots(SnapshotKind::Heap));
        if (read.error()) // else there are some: the heap series came from them
            return *read.error();
        auto last = store.loadProfile(heapSnaps.back().id);
        auto firstP = store.loadProfile(heapSnaps.front().id);
        for (const auto* p : {&last, &firstP})
            if (!*p)
                read.keep(p->error());
        if (last && firstP) {
            auto top = computeTop(*last, last->sampleIndex("inuse_space"));
            auto base = computeTop(*firstP, firstP->sampleIndex("inuse_space"));
            std::map<std::string, int64_t> before;
            for (const auto& r : base.rows)
                before[r.function] = r.flat;
            out += "\n## Top allocation sites at " + formatTimeIso(heapSnaps.back().timeNs) +
                   " (inuse_space)\n\n";
            out +=
                "| site | flat | flat% | cum | since first snapshot |\n|---|---:|---:|---:|---:|\n";
            int n = 0;
            for (const auto& r : top.rows) {
                if (r.flat == 0 || n++ >= 10)
                    break;
                int64_t delta = r.flat - before[r.function];
                out += "| " + codeCell(r.function) + " | " + formatValue(r.flat, "bytes") + " | " +
                       formatPercent(top.total ? double(r.flat) / double(top.total) : 0) + " | " +
                       formatValue(r.cum, "bytes") + " | " + (delta >= 0 ? "+" : "-") +
                       formatValue(std::abs(delta), "bytes") + " |\n";
            }
        }
    }
    // Goroutines: totals over time, the roles the runtime's functions reveal,
    // and the largest groups of the latest dump.
    auto gs = read.take(goroutineSeries(store));
    if (!gs.empty()) {
        out += "\n## Goroutines\n\n| series | first | last | change |\n|---|---:|---:|---:|\n";
        for (const auto& s : gs) {
            if (s.labels.count("state") || s.points.empty())
                continue;
            double a = s.points.front().value, b = s.points.back().value;
            out += "| " + codeCell(s.key()) + " | " + std::to_string(int64_t(a)) + " | " +
                   std::to_string(int64_t(b)) + " | " + (b >= a ? "+" : "") +
                   std::to_string(int64_t(b - a)) + " |\n";
        }
        auto dumps = read.take(store.snapshots(SnapshotKind::Goroutines));
        if (read.error()) // else there are some: the goroutine series came from them
            return *read.error();
        auto groups = read.take(store.goroutineGroups(dumps.back().id));
        out += "\nLargest groups at " + formatTimeIso(dumps.back().timeNs) + ":\n\n";
        for (size_t i = 0; i < groups.size() && i < 5; ++i) {
            const auto& g = groups[i];
            out += "- **" + std::to_string(g.count) + "** " + code(g.state) +
                   (g.role == GoroutineRole::None ? "" : " (" + md(toString(g.role)) + ")") + ": " +
                   code(g.stack.empty() ? std::string("?")
                                        : g.stack.back().substr(0, g.stack.back().find(' '))) +
                   (g.createdBy.empty()
                        ? ""
                        : ", created by " + code(g.createdBy.substr(0, g.createdBy.find(' ')))) +
                   "\n";
        }
    }
    auto fs = read.take(fdSeries(store));
    if (!fs.empty()) {
        out += "\n## Open files and sockets\n\n| series | first | last | change "
               "|\n|---|---:|---:|---:|\n";
        for (const auto& s : fs) {
            if (s.points.empty() || s.labels.count("type"))
                continue;
            double a = s.points.front().value, b = s.points.back().value;
            out += "| " + codeCell(s.key()) + " | " + std::to_string(int64_t(a)) + " | " +
                   std::to_string(int64_t(b)) + " | " + (b >= a ? "+" : "") +
                   std::to_string(int64_t(b - a)) + " |\n";
        }
        out += "\n`tcp_sockets{host=...}` counts client connections (local port not one the "
               "process listens on) per remote host.\n";
    }
    out += "\n## Snapshots\n\n| id | kind | time | time from | file |\n|---:|---|---|---|---|\n";
    for (const auto& s : snaps)
        out += "| " + std::to_string(s.id.value) + " | " + md(toString(s.kind)) + " | " +
               formatTimeIso(s.timeNs) + " | " + md(s.timeSource) + " | " + md(s.sourceName) +
               " |\n";
    if (read.error())
        return *read.error();
    return out;
}

Result<std::string> reportHtml(CaseStore& store, const ReportOptions& opts) {
    FirstError read;
    auto targets = read.take(store.targets());
    auto snaps = read.take(store.snapshots());
    auto findings = read.take(detectFindings(store, opts.limits));
    const auto notes = read.take(store.annotations());
    std::string h =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<title>memscope report</title>\n<style>\n"
        "body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222;line-height:1.45}\n"
        "h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}\n"
        ".finding{border:1px solid #ddd;border-left:6px solid #999;padding:.6em 1em;margin:1.2em "
        "0}\n"
        ".critical{border-left-color:#c62828}.warning{border-left-color:#ef6c00}.info{border-left-"
        "color:#1565c0}\n"
        ".sev{font-weight:bold;text-transform:uppercase;font-size:.8em}\n"
        "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.2em "
        ".6em;"
        "text-align:left;font-size:.9em}td.num{text-align:right}\ncode{background:#f4f4f4;padding:"
        "0 .2em}\n"
        "</style></head><body>\n<h1>memscope report</h1>\n<p>Case: <code>" +
        xmlEscape(store.path()) + "</code></p>\n<ul>\n";
    for (const auto& t : targets)
        h += "<li>Target: <b>" + xmlEscape(targetLine(t)) + "</b></li>\n";
    if (!snaps.empty()) {
        h += "<li>Time span: " + xmlEscape(formatTimeIso(spanOf(snaps).first)) + " .. " +
             xmlEscape(formatTimeIso(spanOf(snaps).second)) + " (" +
             xmlEscape(duration(spanOf(snaps).second - spanOf(snaps).first)) + ")</li>\n";
        h += "<li>Snapshots: " + xmlEscape(snapshotsLine(snaps)) + "</li>\n";
    }
    h += "</ul>\n";
    auto grew = read.take(whatGrew(store));
    if (!grew.empty()) {
        h += "<h2>What grew</h2>\n<table><tr><th>series</th><th>first</th><th>last</th>"
             "<th>change</th></tr>\n";
        for (const auto& r : grew)
            h += "<tr><td><code>" + xmlEscape(r.name) + "</code></td><td class=\"num\">" +
                 xmlEscape(growthValue(r.first, r.unit)) + "</td><td class=\"num\">" +
                 xmlEscape(growthValue(r.last, r.unit)) + "</td><td class=\"num\">" +
                 xmlEscape(growthChange(r)) + "</td></tr>\n";
        h += "</table>\n";
        if (auto flame = read.take(spanFlame(store)))
            h += renderFlameSvg(flame->tree, flame->title, 960) + "\n";
    }
    h += "<h2>Findings</h2>\n";
    if (findings.empty())
        h += "<p>None: no leak pattern memscope knows shows in these captures.</p>\n";
    for (const auto& f : findings) {
        h += "<div class=\"finding " + xmlEscape(toString(f.severity)) +
             "\">\n<p><span class=\"sev\">" + xmlEscape(toString(f.severity)) + "</span> · <code>" +
             xmlEscape(toString(f.kind)) + "</code>" +
             (targets.size() > 1 ? " · " + xmlEscape(f.target) : "") + "</p>\n<h3>" +
             xmlEscape(f.title) + "</h3>\n<p>" + xmlEscape(f.summary) + "</p>\n";
        for (const auto& chart : findingCharts(f))
            h += renderChartSvg(withNotes(chart, notes));
        if (!f.numbers.empty()) {
            h += "<table><tr><th>evidence</th><th>value</th></tr>\n";
            for (const auto& [k, v] : f.numbers)
                h += "<tr><td>" + xmlEscape(k) + "</td><td class=\"num\">" +
                     xmlEscape(numberText(k, v)) + "</td></tr>\n";
            h += "</table>\n";
        }
        if (!f.sites.empty()) {
            h += "<table><tr><th>site</th><th>where</th><th>bytes</th><th>why</th></tr>\n";
            for (const auto& s : f.sites)
                h += "<tr><td><code>" + xmlEscape(s.function) + "</code></td><td>" +
                     xmlEscape(s.file + ":" + std::to_string(s.line)) + "</td><td class=\"num\">" +
                     (s.bytes ? xmlEscape(formatValue(s.bytes, "bytes")) : std::string()) +
                     "</td><td>" + xmlEscape(s.note) + "</td></tr>\n";
            h += "</table>\n";
        }
        if (!f.hosts.empty() || !f.goroutineGroups.empty()) {
            h += "<p>";
            for (const auto& x : f.hosts)
                h += "host <code>" + xmlEscape(x) + "</code> ";
            for (const auto& g : f.goroutineGroups)
                h += "goroutines <code>" + xmlEscape(g) + "</code> ";
            h += "</p>\n";
        }
        h += "</div>\n";
    }
    if (!notes.empty()) {
        h += "<h2>Annotations</h2>\n<table><tr><th>time</th><th>series</th><th>note</th></tr>\n";
        for (const auto& a : notes)
            h += "<tr><td>" + xmlEscape(formatTimeIso(a.timeNs)) + "</td><td><code>" +
                 xmlEscape(a.series) + "</code></td><td>" + xmlEscape(a.text) + "</td></tr>\n";
        h += "</table>\n";
    }
    auto charts = keyCharts(read, store);
    if (!charts.empty()) {
        h += "<h2>Key series</h2>\n";
        for (const auto& c : charts)
            h += renderChartSvg(withNotes(c, notes)) + "\n";
    }
    h += "<h2>Snapshots</h2>\n<table><tr><th>id</th><th>kind</th><th>time</th><th>time "
         "from</th><th>file</th></tr>\n";
    for (const auto& s : snaps)
        h += "<tr><td class=\"num\">" + std::to_string(s.id.value) + "</td><td>" +
             xmlEscape(toString(s.kind)) + "</td><td>" + xmlEscape(formatTimeIso(s.timeNs)) +
             "</td><td>" + xmlEscape(s.timeSource) + "</td><td>" + xmlEscape(s.sourceName) +
             "</td></tr>\n";
    h += "</table>\n<p style=\"color:#777;font-size:.85em\">Written by "
         "memscope.</p>\n</body></html>\n";
    if (read.error())
        return *read.error();
    return h;
}

} // namespace memscope
