// SPDX-License-Identifier: GPL-3.0-or-later
#include "builtin_importers.h"
#include "importer.h"
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

} // namespace

void registerBuiltinImporters(ImporterRegistry& registry) {
    registry.add(std::make_unique<PprofImporter>());
}

} // namespace memscope
