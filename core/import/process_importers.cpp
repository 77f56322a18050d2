// SPDX-License-Identifier: GPL-3.0-or-later
// Importers for what `memscope capture` reads besides the pprof endpoints:
// /proc files of the process (alone, as a user copies them, or in the proc
// bundle capture writes per round) and the Prometheus text of /metrics.
#include "import/builtin_importers.h"

#include "formats/procfs/procfs.h"
#include "formats/prometheus/prometheus.h"
#include "import/importer.h"
#include "io/input.h"

#include <cmath>

namespace memscope {

namespace {

class ProcImporter final : public Importer {
public:
    std::string format() const override { return "proc"; }
    std::string description() const override {
        return "Linux /proc/PID files: status, smaps_rollup, smaps, and memscope capture's "
               "proc bundle (those with fd, net/tcp, limits and the cgroup's memory files)";
    }
    int sniff(std::string_view head) const override {
        if (looksLikeProcBundle(head))
            return 100;
        if (looksLikeSmapsRollup(head))
            return 90;
        if (looksLikeProcStatus(head) || looksLikeSmaps(head))
            return 85;
        return 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        auto text = readAll(*stream);
        if (!text)
            return text.error();
        ProcReading r;
        Status st;
        if (looksLikeProcBundle(src.head))
            st = readProcBundle(*text, r);
        else if (looksLikeSmapsRollup(src.head))
            st = readSmapsRollup(*text, r);
        else if (looksLikeSmaps(src.head))
            st = readSmaps(*text, r);
        else
            st = readProcStatus(*text, r);
        if (!st)
            return st;
        for (const auto& w : r.warnings)
            sink.warn(w);
        SnapshotDraft draft;
        draft.kind = SnapshotKind::Process;
        draft.timeNs = r.timeNs;
        draft.target.name = r.command;
        draft.target.pid = r.pid;
        if (!r.metrics.empty()) {
            auto id = sink.addSnapshot(draft);
            if (!id)
                return id.error();
            for (const auto& [name, v] : r.metrics)
                if (auto s = sink.addMetric(*id, name, v); !s)
                    return s;
        }
        if (r.fds) {
            draft.kind = SnapshotKind::Fds;
            auto id = sink.addSnapshot(draft);
            if (!id)
                return id.error();
            if (auto s = sink.addFds(*id, *r.fds); !s)
                return s;
        }
        return {};
    }
};

class PrometheusImporter final : public Importer {
public:
    std::string format() const override { return "prometheus"; }
    std::string description() const override {
        return "Prometheus text exposition (/metrics); the Go client's go_* and process_* "
               "metrics join memscope's own series";
    }
    int sniff(std::string_view head) const override {
        return looksLikePrometheusText(head) ? 75 : 0;
    }
    Status import(const SourceFile& src, ImportSink& sink, const Progress&) override {
        auto stream = src.open();
        std::vector<std::pair<std::string, double>> points;
        size_t others = 0, leftOut = 0, notFinite = 0;
        auto st = readPrometheusText(*stream, [&](const PromSample& s) {
            if (!std::isfinite(s.value)) {
                ++notFinite; // +Inf bucket bounds and NaN quantiles say nothing on a time line
                return;
            }
            std::string name = goClientSeriesName(s.name, s.labels);
            if (name.empty()) {
                if (others++ >= kMaxOtherSamples) {
                    ++leftOut;
                    return;
                }
                name = std::string(s.name);
                if (!s.labels.empty())
                    name += "{" + std::string(s.labels) + "}";
            }
            points.emplace_back(std::move(name), s.value);
        });
        if (!st)
            return st;
        if (leftOut)
            sink.warn(std::to_string(leftOut) + " of " + std::to_string(others) +
                      " samples left out: only the first " + std::to_string(kMaxOtherSamples) +
                      " (besides the Go client's own) become series");
        if (points.empty())
            return makeError(ErrorCode::Format, "no finite samples in the exposition");
        SnapshotDraft draft;
        draft.kind = SnapshotKind::Prometheus;
        auto id = sink.addSnapshot(draft);
        if (!id)
            return id.error();
        for (const auto& [name, v] : points)
            if (auto s = sink.addMetric(*id, name, v); !s)
                return s;
        return {};
    }

private:
    static constexpr size_t kMaxOtherSamples = 1000;
};

} // namespace

void registerProcessImporters(ImporterRegistry& registry) {
    registry.add(std::make_unique<ProcImporter>());
    registry.add(std::make_unique<PrometheusImporter>());
}

} // namespace memscope
