// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/detector.h"

#include <algorithm>

namespace memscope::detect {

const Series* SeriesSet::find(const std::string& metric, const std::string& label,
                              const std::string& value) const {
    for (const auto* s : all)
        if (s->metric == metric &&
            (label.empty()
                 ? s->labels.empty() || (s->labels.size() == 1 && s->labels.count("target"))
                 : s->labels.count(label) && s->labels.at(label) == value))
            return s;
    return nullptr;
}

std::vector<const Series*> SeriesSet::withLabel(const std::string& metric,
                                                const std::string& label) const {
    std::vector<const Series*> out;
    for (const auto* s : all)
        if (s->metric == metric && s->labels.count(label))
            out.push_back(s);
    return out;
}

std::vector<SnapshotInfo> DetectContext::snapshots(SnapshotKind kind) {
    std::vector<SnapshotInfo> out;
    if (error())
        return out; // no more reads once one failed
    for (auto& sn : take(timeline(m_store, kind)))
        if (sn.targetId == m_target.id)
            out.push_back(std::move(sn));
    return out;
}

const Profile* DetectContext::latestHeap() {
    if (!m_heapLoaded) {
        m_heapLoaded = true;
        auto list = snapshots(SnapshotKind::Heap);
        if (!list.empty()) {
            auto p = m_store.loadProfile(list.back().id);
            if (p) {
                m_heap = std::move(*p);
                m_heapId = list.back().id;
                m_haveHeap = true;
            } else {
                keep(p.error());
            }
        }
    }
    return m_haveHeap ? &m_heap : nullptr;
}

std::vector<std::string> DetectContext::profileFunctionsAt(const std::string& file, int64_t line) {
    std::vector<std::string> out;
    const Profile* p = latestHeap();
    if (!p || file.empty())
        return out;
    for (const auto& loc : p->locations)
        for (const auto& ln : loc.lines) {
            const auto& fn = p->functions[ln.function];
            if (ln.line == line && fn.file == file &&
                std::find(out.begin(), out.end(), fn.name) == out.end())
                out.push_back(fn.name);
        }
    return out;
}

Finding DetectContext::makeFinding(FindingKind kind, Severity severity) const {
    Finding f;
    f.kind = kind;
    f.severity = severity;
    f.target = m_target.name;
    return f;
}

std::vector<SnapshotId> snapshotsOf(const Series& s) {
    std::vector<SnapshotId> ids;
    for (const auto& p : s.points)
        ids.push_back(p.snapshotId);
    return ids;
}

const std::vector<std::unique_ptr<Detector>>& detectors() {
    static const std::vector<std::unique_ptr<Detector>> all = [] {
        std::vector<std::unique_ptr<Detector>> v;
        v.push_back(makeConnectionChurnDetector());
        v.push_back(makeConnectionLeakDetector());
        v.push_back(makeFinalizerBacklogDetector());
        v.push_back(makeGlobalRetentionDetector());
        v.push_back(makeGoroutineLeakDetector());
        v.push_back(makeHeapGrowthDetector());
        v.push_back(makeRssGapDetector());
        return v;
    }();
    return all;
}

} // namespace memscope::detect
