// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/case_overview.h"

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
    o.snapshots = (*store)->snapshots();
    o.series = allSeries(**store);
    o.findings = detectFindings(**store);
    o.annotations = (*store)->annotations();
    int heaps = 0;
    for (const auto& s : o.snapshots)
        heaps += s.kind == toString(SnapshotKind::Heap);
    o.summary = QObject::tr("%1: %2 snapshots, %3 heap profiles")
                    .arg(QFileInfo(path).fileName())
                    .arg(o.snapshots.size())
                    .arg(heaps);
    if ((*store)->db().readOnly())
        o.summary += QObject::tr(" (read-only: notes cannot be saved)");
    return o;
}

} // namespace memscope::ui
