// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/heap_load.h"

#include "analysis/series/series.h"
#include "base/format.h"
#include "import/capture_time.h"
#include "store/case_store.h"

#include <QObject>
#include <cstdlib>

namespace memscope::ui {

namespace {

QString errorText(const Error& e) { return QString::fromStdString(e.toString()); }

// A tree of `now`, and its diff against `base` when there is one.
std::pair<std::shared_ptr<const CallTree>, std::shared_ptr<const CallTree>>
treeAndDiff(const Profile& now, const Profile* base, int nowIndex, int baseIndex,
            const std::string& focus, CallTreeDirection dir) {
    auto tree = std::make_shared<const CallTree>(buildCallTree(now, nowIndex, focus, dir));
    std::shared_ptr<const CallTree> diff;
    if (base && baseIndex >= 0)
        diff = std::make_shared<const CallTree>(
            diffCallTrees(buildCallTree(*base, baseIndex, focus, dir), *tree));
    return {tree, diff};
}

} // namespace

void deriveSites(SnapshotSites& r) {
    r.error.clear();
    r.profile.reset();
    r.previousProfile.reset();
    r.previous.reset();
    r.changed.clear();
    r.flame = r.flameDiff = r.bottomUp = r.bottomUpDiff = nullptr;
    if (!r.raw)
        return;
    // Without a filter the profile as read is shared, not copied: a large
    // snapshot is then held once.
    auto filtered =
        [&](const std::shared_ptr<const Profile>& p) -> Result<std::shared_ptr<const Profile>> {
        if (r.filter.empty())
            return p;
        auto f = filterProfile(*p, r.filter);
        if (!f)
            return f.error();
        return std::make_shared<const Profile>(std::move(*f));
    };
    auto now = filtered(r.raw);
    if (!now) {
        r.error = errorText(now.error());
        return;
    }
    auto profile = *now;
    if (r.sampleIndex < 0 || size_t(r.sampleIndex) >= profile->sampleTypes.size()) {
        r.sampleIndex = profile->defaultSampleIndex();
        // A delta's in-use columns are differences; what it tells is what
        // was allocated over its span (pprof itself shows inuse_space).
        if (profile->kind() == SnapshotKind::AllocsDelta &&
            profile->sampleIndex("alloc_space") >= 0)
            r.sampleIndex = profile->sampleIndex("alloc_space");
    }
    r.profile = profile;
    r.top = std::make_shared<const TopResult>(computeTop(*profile, r.sampleIndex));
    if (r.sampleIndex < 0)
        return;
    int baseIndex = -1;
    if (r.rawBase) {
        baseIndex = r.rawBase->sampleIndex(profile->sampleTypes[size_t(r.sampleIndex)].type);
        if (baseIndex >= 0) {
            auto base = filtered(r.rawBase);
            if (!base) {
                r.error = errorText(base.error());
                return;
            }
            r.previousProfile = *base;
        }
    }
    const Profile* base = r.previousProfile.get();
    std::tie(r.flame, r.flameDiff) =
        treeAndDiff(*profile, base, r.sampleIndex, baseIndex, "", CallTreeDirection::TopDown);
    std::tie(r.bottomUp, r.bottomUpDiff) =
        treeAndDiff(*profile, base, r.sampleIndex, baseIndex, "", CallTreeDirection::BottomUp);
    if (!base)
        return;
    TopResult before = computeTop(*base, baseIndex);
    auto flat = std::make_shared<std::unordered_map<std::string, int64_t>>();
    for (const auto& row : before.rows)
        (*flat)[row.function] = row.flat;
    const TopRow* most = nullptr;
    int64_t mostDelta = 0;
    for (const auto& row : r.top->rows) {
        auto it = flat->find(row.function);
        int64_t d = row.flat - (it == flat->end() ? 0 : it->second);
        if (std::llabs(d) > std::llabs(mostDelta)) {
            mostDelta = d;
            most = &row;
        }
    }
    auto sign = [&](int64_t v) {
        return QString::fromStdString((v >= 0 ? "+" : "-") +
                                      formatValue(std::llabs(v), r.top->unit));
    };
    r.changed = QObject::tr("since %1: %2").arg(r.baseLabel, sign(r.top->total - before.total));
    if (most)
        r.changed += QObject::tr("; most changed: %1 %2")
                         .arg(QString::fromStdString(most->function), sign(mostDelta));
    r.previous = std::move(flat);
}

SnapshotSites loadSites(const QString& path, qint64 snapshotId, const QString& sample,
                        qint64 baseId, const ProfileFilter& filter) {
    SnapshotSites r;
    r.snapshotId = snapshotId;
    r.baseRequest = baseId;
    r.filter = filter;
    auto store = CaseStore::open(path.toStdString(), /*readOnly=*/true);
    if (!store) {
        r.error = errorText(store.error());
        return r;
    }
    auto p = (*store)->loadProfile(SnapshotId(snapshotId));
    if (!p) {
        r.error = errorText(p.error());
        return r;
    }
    auto raw = std::make_shared<const Profile>(std::move(*p));
    r.sampleIndex = sample.isEmpty() ? -1 : raw->sampleIndex(sample.toStdString());
    r.raw = raw;
    // The base: the capture before it of the same kind and target, or the one asked for.
    auto found = (*store)->snapshot(SnapshotId(snapshotId));
    if (!found) {
        r.error = errorText(found.error());
        return r;
    }
    std::optional<SnapshotInfo> base;
    if (baseId > 0 && baseId != snapshotId) {
        auto picked = (*store)->snapshot(SnapshotId(baseId));
        if (!picked) {
            r.error = errorText(picked.error());
            return r;
        }
        base = *picked;
    } else if (baseId == kPreviousBase && *found) {
        const auto& me = **found;
        auto timed = timeline(**store, me.kind);
        if (!timed) {
            r.error = errorText(timed.error());
            return r;
        }
        for (const auto& s : *timed)
            if (s.targetId == me.targetId && s.timeNs < me.timeNs)
                base = s;
    }
    if (base) {
        auto bp = (*store)->loadProfile(base->id);
        if (!bp) {
            r.error = errorText(bp.error());
            return r;
        }
        r.rawBase = std::make_shared<const Profile>(std::move(*bp));
        r.baseLabel = QObject::tr("snapshot %1 (%2)")
                          .arg(base->id.value)
                          .arg(QString::fromStdString(formatTimeIso(base->timeNs)));
    }
    deriveSites(r);
    return r;
}

FunctionTrees functionTrees(const Profile& profile, const Profile* base, int sampleIndex,
                            const std::string& function, bool siteFirst) {
    FunctionTrees t;
    int baseIndex = -1;
    if (base && sampleIndex >= 0 && size_t(sampleIndex) < profile.sampleTypes.size())
        baseIndex = base->sampleIndex(profile.sampleTypes[size_t(sampleIndex)].type);
    auto pick = [](auto pair) { return pair.second ? pair.second : pair.first; };
    t.callers =
        pick(treeAndDiff(profile, base, sampleIndex, baseIndex, function,
                         siteFirst ? CallTreeDirection::BottomUp : CallTreeDirection::TopDown));
    t.callees = pick(
        treeAndDiff(profile, base, sampleIndex, baseIndex, function, CallTreeDirection::Callees));
    return t;
}

} // namespace memscope::ui
