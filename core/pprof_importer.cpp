// SPDX-License-Identifier: GPL-3.0-or-later
#include "builtin_importers.h"
#include "importer.h"
#include "heap_text.h"
#include "pprof_reader.h"

namespace memscope {

namespace {

std::string baseName(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

class PprofImporter final : public Importer {
public:
    std::string format() const override { return "pprof"; }
    std::string description() const override {
        return "pprof profile.proto (heap, allocs, goroutine, cpu, block, mutex), gzip'd or not";
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
        if (profile->period == 0 && profile->samples.empty() && draft.kind == "heap")
            sink.warn("heap profiling was disabled in the process (MemProfileRate 0): no samples");
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        return sink.addProfile(*id, *profile);
    }
};

class HeapTextImporter final : public Importer {
public:
    std::string format() const override { return "heap_text"; }
    std::string description() const override {
        return "legacy heap profile text (/debug/pprof/heap?debug=1) with its MemStats trailer";
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
        draft.kind = "heap";
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

class GoroutineDumpImporter final : public Importer {
public:
    std::string format() const override { return "goroutine_text"; }
    std::string description() const override {
        return "goroutine dump (/debug/pprof/goroutine?debug=2, panic, fatal error, SIGQUIT)";
    }
    int sniff(std::string_view head) const override { return looksLikeGoroutineDump(head) ? 95 : 0; }
    Status import(const SourceFile& src, ImportSink& sink, const Progress& progress) override {
        auto stream = src.open();
        auto dump = parseGoroutineDump(*stream, progress);
        if (!dump)
            return dump.error();
        for (const auto& w : dump->warnings)
            sink.warn(w);
        SnapshotDraft draft;
        draft.kind = "goroutines";
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        return sink.addGoroutines(*id, *dump);
    }
};

// lsof text and -F share everything but the parser.
class LsofImporter final : public Importer {
public:
    explicit LsofImporter(bool fields) : m_fields(fields) {}
    std::string format() const override { return m_fields ? "lsof_fields" : "lsof_text"; }
    std::string description() const override {
        return m_fields ? "lsof -F field output (with -T states), -F0 too" : "lsof -n -P -p PID";
    }
    int sniff(std::string_view head) const override {
        return (m_fields ? looksLikeLsofFields(head) : looksLikeLsofText(head)) ? 90 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto snap = m_fields ? parseLsofFields(*stream) : parseLsofText(*stream);
        if (!snap)
            return snap.error();
        SnapshotDraft draft;
        draft.kind = "fds";
        draft.target.name = snap->command;
        draft.target.pid = snap->pid;
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        return sink.addFds(*id, *snap);
    }

private:
    bool m_fields;
};

} // namespace

void registerBuiltinImporters(ImporterRegistry& registry) {
    registry.add(std::make_unique<PprofImporter>());
    registry.add(std::make_unique<HeapTextImporter>());
    registry.add(std::make_unique<GoroutineDumpImporter>());
    registry.add(std::make_unique<LsofImporter>(false));
    registry.add(std::make_unique<LsofImporter>(true));
}

} // namespace memscope
