// SPDX-License-Identifier: GPL-3.0-or-later
// The importers memscope ships with: one small class per capture format, each
// delegating to its parser; registerBuiltinImporters() hands them to the registry.
#include "import/builtin_importers.h"

#include "base/log_time.h"

#include <algorithm>

#include "analysis/heapgraph/dominators.h"
#include "analysis/heapgraph/summary.h"
#include "base/json_reader.h"
#include "formats/escape/escape_notes.h"
#include "formats/fds/lsof.h"
#include "formats/gctrace/gctrace.h"
#include "formats/goroutines/goroutine_dump.h"
#include "formats/heapdump/elf_symbols.h"
#include "formats/heapdump/heapdump.h"
#include "formats/pprof/count_text.h"
#include "formats/pprof/heap_text.h"
#include "formats/pprof/legacy_cpu.h"
#include "formats/pprof/pprof_reader.h"
#include "import/importer.h"

#include <optional>

namespace memscope {

namespace {

std::string baseName(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A snapshot of the profile's own kind holding it: the legacy readers' whole
// import once they have parsed.
Status addProfileSnapshot(ImportSink& sink, const Profile& profile) {
    SnapshotDraft draft;
    draft.kind = profile.kind();
    auto id = sink.addSnapshot(draft);
    if (!id)
        return id.error();
    return sink.addProfile(*id, profile);
}

class PprofImporter final : public Importer {
public:
    std::string format() const override { return "pprof"; }
    std::string description() const override {
        return "pprof profile.proto (heap, allocs, goroutine, goroutineleak, cpu, block, mutex), "
               "gzip'd "
               "or not; tested: Go 1.14, 1.17-1.19, 1.21, 1.26";
    }
    int sniff(std::string_view head) const override {
        return looksLikePprof(head, /*isPrefix=*/true) ? 60 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress& progress) override {
        auto stream = src.open();
        auto data = readAll(*stream);
        if (!data)
            return data.error();
        progress(src.file->bytes().size() / 2, src.file->bytes().size(), "parsing");
        if (progress.cancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto profile = parsePprof(*data);
        if (!profile)
            return profile.error();
        SnapshotDraft draft;
        draft.kind = profile->kind();
        if (profile->timeNanos > 0)
            draft.timeNs = profile->timeNanos;
        draft.durationNs = profile->durationNanos;
        if (!profile->mappings.empty())
            draft.target.name = baseName(profile->mappings.front().file);
        if (profile->period == 0 && profile->samples.empty() && draft.kind == SnapshotKind::Heap)
            sink.warn("heap profiling was disabled in the process (MemProfileRate 0): no samples");
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        if (auto st = sink.addProfile(*id, *profile); !st)
            return st;
        if (draft.kind != SnapshotKind::GoroutineProfile)
            return {};
        // A goroutine profile is a goroutine dump too: its groups go where the
        // text dumps' go, so the goroutine views and series see them.
        GoroutineDump dump = goroutinesFromProfile(*profile);
        if (dump.groups.empty())
            return {};
        draft.kind = SnapshotKind::Goroutines;
        auto gid = sink.addSnapshot(draft);
        if (!gid)
            return gid.error();
        return sink.addGoroutines(*gid, dump);
    }
};

class HeapTextImporter final : public Importer {
public:
    std::string format() const override { return "heap_text"; }
    std::string description() const override {
        return "legacy heap profile text (/debug/pprof/heap?debug=1) with its MemStats trailer; "
               "tested: "
               "Go 1.19, pprof's own fixtures";
    }
    int sniff(std::string_view head) const override { return looksLikeHeapText(head) ? 95 : 0; }
    Status import(const SourceFile& src, ImportSink& sink, const Progress& progress) override {
        auto stream = src.open();
        auto parsed = parseHeapText(*stream);
        if (!parsed)
            return parsed.error();
        if (progress.cancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        SnapshotDraft draft;
        draft.kind = SnapshotKind::Heap;
        if (parsed->profile.period == 0)
            sink.warn("heap profiling was disabled in the process (heap/0): no samples");
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        if (auto st = sink.addProfile(*id, parsed->profile); !st)
            return st;
        for (const auto& [name, value] : parsed->memstats)
            if (auto st = sink.addMetric(*id, "memstats." + name, value); !st)
                return st;
        return {};
    }
};

// debug=2 dumps and tracebacks, or (aggregated) debug=1 profiles.
class GoroutineDumpImporter final : public Importer {
public:
    explicit GoroutineDumpImporter(bool aggregated) : m_aggregated(aggregated) {}
    std::string format() const override {
        return m_aggregated ? "goroutine_debug1" : "goroutine_text";
    }
    std::string description() const override {
        return m_aggregated ? "goroutine profile text (/debug/pprof/goroutine?debug=1, "
                              "goroutineleak?debug=1, appended ones); tested: Go 1.19, 1.26"
                            : "goroutine dump (/debug/pprof/goroutine?debug=2, "
                              "goroutineleak?debug=2, panic, fatal "
                              "error, signals, in logs); tested: Go 1.14-1.15, 1.19, 1.21, 1.23, "
                              "1.25, 1.26; "
                              "Go 1.27 header labels from the runtime's grammar";
    }
    int sniff(std::string_view head) const override {
        return (m_aggregated ? looksLikeGoroutineProfileText(head) : looksLikeGoroutineDump(head))
                   ? 95
                   : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress& progress) override {
        auto stream = src.open();
        if (m_aggregated) {
            // Profiles appended one after another are a snapshot each, at
            // the time a line before each gives, else the file's.
            const int64_t mtime = src.file->mtimeNs();
            auto all = parseGoroutineProfileTexts(*stream, yearOf(mtime), mtime);
            if (!all)
                return all.error();
            for (size_t i = 0; i < all->size(); ++i) {
                auto& p = (*all)[i];
                std::string where =
                    all->size() > 1 ? "profile " + std::to_string(i + 1) + ": " : "";
                if (auto st = store(sink, std::move(p.dump), where, p.timeNs); !st)
                    return st;
            }
            return {};
        }
        // Each dump in the text is a snapshot of its own.
        std::string decoded;
        std::string_view text;
        if (auto whole = stream->inPlace()) {
            text = *whole;
        } else {
            auto all = readAll(*stream);
            if (!all)
                return all.error();
            decoded = std::move(*all);
            text = decoded;
        }
        int n = 0;
        for (uint64_t at = 0; at < text.size();) {
            uint64_t from = at;
            auto dump = parseNextGoroutineDump(text, at, progress);
            if (!dump && n > 0 && dump.error().code == ErrorCode::Format &&
                dump.error().message.find("no goroutine found") != std::string::npos)
                break; // a report's first lines with no goroutines after them
            if (!dump) {
                Error e = dump.error();
                if (e.offset)
                    *e.offset += from;
                if (e.line)
                    *e.line += uint64_t(std::count(text.data(), text.data() + from, '\n'));
                return e;
            }
            ++n;
            bool more = at < text.size();
            std::string where = n > 1 || more ? "dump " + std::to_string(n) + ": " : "";
            if (auto st = store(sink, std::move(dump), where); !st)
                return st;
        }
        return {};
    }

private:
    static Status store(ImportSink& sink, Result<GoroutineDump> dump, const std::string& where,
                        int64_t timeNs = 0) {
        if (!dump)
            return dump.error();
        for (const auto& w : dump->warnings)
            sink.warn(where + w);
        SnapshotDraft draft;
        draft.kind = SnapshotKind::Goroutines;
        if (timeNs > 0) {
            draft.timeNs = timeNs;
            draft.timeSource = "log";
        }
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        return sink.addGoroutines(*id, *dump);
    }

    bool m_aggregated;
};

// lsof text and -F share everything but the parser.
class LsofImporter final : public Importer {
public:
    explicit LsofImporter(bool fields) : m_fields(fields) {}
    std::string format() const override { return m_fields ? "lsof_fields" : "lsof_text"; }
    std::string description() const override {
        return m_fields ? "lsof -F field output (with -T states), -F0 too; tested: lsof 4.95"
                        : "lsof -n -P -p PID; tested: lsof 4.95 and field captures";
    }
    int sniff(std::string_view head) const override {
        return (m_fields ? looksLikeLsofFields(head) : looksLikeLsofText(head)) ? 90 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto snap = m_fields ? parseLsofFields(*stream) : parseLsofText(*stream);
        if (!snap)
            return snap.error();
        return importFdSnapshot(sink, *snap);
    }

private:
    bool m_fields;
};

// runtime/metrics snapshots and /debug/vars: numbers by name, one snapshot each.
class MetricsJsonImporter final : public Importer {
public:
    explicit MetricsJsonImporter(bool expvar) : m_expvar(expvar) {}
    std::string format() const override { return m_expvar ? "expvar" : "runtime_metrics"; }
    std::string description() const override {
        return m_expvar ? "expvar /debug/vars JSON (memstats and the service's own counters); "
                          "tested: Go "
                          "1.19 and field captures"
                        : "runtime/metrics samples as JSON (name: value, time_unix_nano); tested: "
                          "Go 1.19";
    }
    int sniff(std::string_view head) const override {
        size_t i = head.find_first_not_of(" \t\r\n");
        if (i == std::string_view::npos || head[i] != '{')
            return 0;
        bool metrics = head.find("\"/gc/") != std::string_view::npos ||
                       head.find("\"/memory/classes/") != std::string_view::npos ||
                       head.find("\"/sched/") != std::string_view::npos;
        bool vars = head.find("\"memstats\"") != std::string_view::npos ||
                    head.find("\"cmdline\"") != std::string_view::npos;
        if (m_expvar)
            return vars ? 90 : 0;
        return metrics && !vars ? 90 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto text = readAll(*stream);
        if (!text)
            return text.error();
        // Series for what a person can use: every memstats number, and the
        // first kMaxOtherVars other numbers in the document's order (expvar
        // sorts its vars by name, so each capture keeps the same ones). A
        // service exporting millions of counters would otherwise make a case,
        // a report and the workbench each hold millions of lines.
        struct Point {
            std::string name;
            double value;
            std::optional<int64_t> exact; // an integer, kept exactly
        };
        std::vector<Point> points;
        size_t others = 0, leftOut = 0;
        std::optional<double> timeUnixNano;
        auto take = [&](const std::string& path, double v, std::optional<int64_t> exact) {
            if (path == "time_unix_nano") {
                timeUnixNano = v;
                return;
            }
            if (path.rfind("memstats.", 0) != 0 && others++ >= kMaxOtherVars) {
                ++leftOut;
                return;
            }
            points.push_back({path, v, exact});
        };
        auto st = visitJsonNumbers(
            *text, [&](const std::string& path, double v) { take(path, v, std::nullopt); },
            [&](const std::string& path, int64_t v) { take(path, double(v), v); });
        if (!st)
            return st;
        if (leftOut)
            sink.warn(std::to_string(leftOut) + " of " + std::to_string(others) +
                      " numeric variables left out: only the first " +
                      std::to_string(kMaxOtherVars) + " (besides memstats) become series");
        SnapshotDraft draft;
        draft.kind = m_expvar ? SnapshotKind::Expvar : SnapshotKind::Metrics;
        // Nanoseconds within int64 (1970..2262); anything else is no time.
        if (timeUnixNano && *timeUnixNano > 0 && *timeUnixNano < 9.2e18)
            draft.timeNs = int64_t(*timeUnixNano);
        else if (timeUnixNano)
            sink.warn(
                "time_unix_nano is outside 1970..2262, the range of nanosecond times; not used");
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        for (const auto& p : points)
            if (auto s = p.exact ? sink.addMetricInteger(*id, p.name, *p.exact)
                                 : sink.addMetric(*id, p.name, p.value);
                !s)
                return s;
        if (points.empty() && !timeUnixNano)
            sink.warn("no numbers in the document");
        return {};
    }

private:
    static constexpr size_t kMaxOtherVars = 1000;
    bool m_expvar;
};

class GcTraceImporter final : public Importer {
public:
    std::string format() const override { return "gctrace"; }
    std::string description() const override {
        return "GODEBUG=gctrace=1 output (stderr, logs with any prefix); tested: Go 1.19 and field "
               "logs";
    }
    int sniff(std::string_view head) const override { return looksLikeGcTrace(head) ? 80 : 0; }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        const int64_t mtime = src.file->mtimeNs();
        auto runs = parseGcTraceRuns(*stream, yearOf(mtime), mtime);
        if (!runs)
            return runs.error();
        // Each run of the process is a snapshot of its own. Its times count from
        // process start: placed by the log's own clock when its lines carry one,
        // else from an expvar snapshot of the same process, else from the file's
        // mtime (about when the last line was written) for the last run, and
        // for an earlier run from the start of the run after it.
        int64_t nextStart = 0;
        std::vector<std::pair<SnapshotDraft, int64_t>> placed(runs->size());
        for (size_t i = runs->size(); i-- > 0;) {
            const GcRun& run = (*runs)[i];
            SnapshotDraft& draft = placed[i].first;
            int64_t& start = placed[i].second;
            draft.kind = SnapshotKind::GcTrace;
            const int64_t span = int64_t(run.cycles.back().atSeconds * 1e9);
            if (run.processStartNs > 0) {
                start = run.processStartNs;
                draft.timeSource = "log";
            } else if ((start = sink.processStartFromExpvar(run.cycles)) > 0) {
                draft.timeSource = "expvar";
            } else if (i + 1 == runs->size()) {
                start = mtime - span;
                draft.timeSource = "mtime";
                sink.warn(
                    "GC times placed from the file's mtime; import the same run's /debug/vars "
                    "first to place them exactly");
            } else {
                start = nextStart - span;
                draft.timeSource = "mtime";
                sink.warn(
                    "line " + std::to_string(run.firstLine) +
                    ": an earlier run of the process (gc 1 again) placed just before the next "
                    "run started; its lines carry no clock");
            }
            draft.timeNs = start + span;
            nextStart = start;
        }
        for (size_t i = 0; i < runs->size(); ++i) {
            auto id = sink.addSnapshot(placed[i].first);
            if (!id)
                return id.error();
            if (auto st = sink.addMetric(*id, "process_start_ns", double(placed[i].second)); !st)
                return st;
            if (auto st = sink.addGcCycles(*id, (*runs)[i].cycles); !st)
                return st;
        }
        return {};
    }
};

class EscapeNotesImporter final : public Importer {
public:
    std::string format() const override { return "escape"; }
    std::string description() const override {
        return "escape analysis: go build -gcflags=-m / -m=2 output; tested: Go 1.19";
    }
    int sniff(std::string_view head) const override { return looksLikeEscapeNotes(head) ? 80 : 0; }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto notes = parseEscapeNotes(*stream);
        if (!notes)
            return notes.error();
        SnapshotDraft draft;
        draft.kind = SnapshotKind::Escape;
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        return sink.addEscapeNotes(*id, *notes);
    }
};

} // namespace

// runtime/debug.WriteHeapDump files: graph, dominators and what retains, named
// from the executable when it is given or lies beside the dump.
class HeapDumpImporter final : public Importer {
public:
    std::string format() const override { return "heapdump"; }
    std::string description() const override {
        return "Go heap dump (runtime/debug.WriteHeapDump), raw, gzip'd or zstd'd; tested: Go 1.19";
    }
    int sniff(std::string_view head) const override { return looksLikeHeapDump(head) ? 100 : 0; }
    Status import(const SourceFile& src, ImportSink& sink, const Progress& progress) override {
        auto stream = src.open();
        auto dump = readHeapDump(*stream, progress, src.file->bytes().size());
        if (!dump)
            return dump.error();
        std::string binary = src.binaryPath;
        if (binary.empty()) {
            auto slash = src.path.find_last_of('/');
            binary =
                findBinaryFor(*dump, slash == std::string::npos ? "." : src.path.substr(0, slash));
        }
        if (!binary.empty()) {
            auto syms = ElfSymbols::read(binary);
            if (!syms)
                sink.warn("globals are named by segment offset: " + syms.error().toString());
            else
                applySymbols(*dump, *syms);
        }
        if (progress.cancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        progress(0, 0, "computing dominators");
        Dominators dom = computeDominators(dump->graph);
        HeapDumpSummary sum = summarizeHeapDump(*dump, dom);
        if (progress.cancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        auto blob = encodeHeapGraph(*dump, dom);
        if (!blob)
            return blob.error();
        if (sum.sampledObjects == 0)
            sink.warn(
                "no allocation samples in the dump: retention by site needs MemProfileRate > 0");
        SnapshotDraft draft;
        draft.kind = SnapshotKind::HeapDump;
        draft.target.goVersion = dump->goVersion;
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        if (auto st = sink.addHeapDump(*id, *dump, sum, *blob); !st)
            return st;
        static const char* kMemStats[24] = {
            "Alloc",       "TotalAlloc", "Sys",        "Lookups",   "Mallocs",      "Frees",
            "HeapAlloc",   "HeapSys",    "HeapIdle",   "HeapInuse", "HeapReleased", "HeapObjects",
            "StackInuse",  "StackSys",   "MSpanInuse", "MSpanSys",  "MCacheInuse",  "MCacheSys",
            "BuckHashSys", "GCSys",      "OtherSys",   "NextGC",    "LastGC",       "PauseTotalNs"};
        if (dump->hasMemStats) {
            for (int i = 0; i < 24; ++i)
                if (auto st = sink.addMetric(*id, std::string("memstats.") + kMemStats[i],
                                             double(dump->memstats[i]));
                    !st)
                    return st;
            if (auto st = sink.addMetric(*id, "memstats.NumGC", double(dump->numGC)); !st)
                return st;
        }
        return {};
    }
};

// The legacy binary CPU profile, read the way go tool pprof reads it.
class LegacyCpuImporter final : public Importer {
public:
    std::string format() const override { return "pprof_legacy_cpu"; }
    std::string description() const override {
        return "legacy binary CPU profile (Go before 1.9, gperftools), unsymbolized; tested: "
               "pprof's "
               "own fixtures";
    }
    int sniff(std::string_view head) const override {
        return looksLikeLegacyCpuProfile(head) ? 55 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto data = readAll(*stream);
        if (!data)
            return data.error();
        auto profile = parseLegacyCpuProfile(*data);
        if (!profile)
            return profile.error();
        return addProfileSnapshot(sink, *profile);
    }
};

// threadcreate?debug=1 and any other "<name> profile: total N" text.
class CountTextImporter final : public Importer {
public:
    std::string format() const override { return "pprof_count_text"; }
    std::string description() const override {
        return "legacy count profile text (/debug/pprof/threadcreate?debug=1, any "
               "pprof.NewProfile's debug=1), symbolized from its '#' lines; tested: Go 1.26";
    }
    int sniff(std::string_view head) const override {
        return looksLikeCountProfileText(head) ? 90 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto profile = parseCountProfileText(*stream);
        if (!profile)
            return profile.error();
        return addProfileSnapshot(sink, *profile);
    }
};

void registerBuiltinImporters(ImporterRegistry& registry) {
    registry.add(std::make_unique<HeapDumpImporter>());
    registry.add(std::make_unique<PprofImporter>());
    registry.add(std::make_unique<LegacyCpuImporter>());
    registry.add(std::make_unique<CountTextImporter>());
    registry.add(std::make_unique<HeapTextImporter>());
    registry.add(std::make_unique<GoroutineDumpImporter>(false));
    registry.add(std::make_unique<GoroutineDumpImporter>(true));
    registry.add(std::make_unique<LsofImporter>(false));
    registry.add(std::make_unique<LsofImporter>(true));
    registry.add(std::make_unique<MetricsJsonImporter>(false));
    registry.add(std::make_unique<MetricsJsonImporter>(true));
    registry.add(std::make_unique<GcTraceImporter>());
    registry.add(std::make_unique<EscapeNotesImporter>());
    registerProcessImporters(registry);
}

} // namespace memscope
