// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/case_overview.h"

#include "analysis/rss/rss.h"

#include <QFileInfo>
#include <QObject>

namespace memscope::ui {

CaseOverview loadOverview(const QString& path) {
    CaseOverview o;
    o.path = path;
    auto store = CaseStore::open(path.toStdString());
    // A case that cannot be written (a read-only file, folder or mount)
    // still opens, to read.
    if (!store)
        if (auto readOnly = CaseStore::open(path.toStdString(), /*readOnly=*/true))
            store = std::move(readOnly);
    if (!store) {
        o.error = QString::fromStdString(store.error().toString());
        return o;
    }
    // A read that fails is said, not shown as an empty case.
    auto failed = [&](const Error& e) {
        o.error = QString::fromStdString(e.toString());
        return o;
    };
    auto snapshots = (*store)->snapshots();
    if (!snapshots)
        return failed(snapshots.error());
    auto series = allSeries(**store);
    if (!series)
        return failed(series.error());
    auto findings = detectFindings(**store);
    if (!findings)
        return failed(findings.error());
    auto annotations = (*store)->annotations();
    if (!annotations)
        return failed(annotations.error());
    o.snapshots = std::move(*snapshots);
    // Where the RSS goes, slice by slice, for the timeline's process panel.
    for (auto& slice : rssSliceSeries(rssBreakdowns(*series)))
        series->push_back(std::move(slice));
    o.series = std::move(*series);
    o.findings = std::move(*findings);
    o.annotations = std::move(*annotations);
    int heaps = 0;
    for (const auto& s : o.snapshots)
        heaps += s.kind == SnapshotKind::Heap;
    o.summary = QObject::tr("%1: %2 snapshots, %3 heap profiles")
                    .arg(QFileInfo(path).fileName())
                    .arg(o.snapshots.size())
                    .arg(heaps);
    if ((*store)->readOnly())
        o.summary += QObject::tr(" (read-only: notes cannot be saved)");
    return o;
}

} // namespace memscope::ui
