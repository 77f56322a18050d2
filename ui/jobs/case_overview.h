// SPDX-License-Identifier: GPL-3.0-or-later
// What opening a case loads, off the GUI thread.
#pragma once

#include "analysis/detect/detect.h"
#include "analysis/series/series.h"
#include "store/case_store.h"

#include <QString>
#include <vector>

namespace memscope::ui {

struct CaseOverview {
    QString path;
    QString error;
    std::vector<Series> series;
    std::vector<SnapshotInfo> snapshots;
    QString summary;
    std::vector<Finding> findings;
    std::vector<Annotation> annotations;
};

// Opens the case (read-only when it cannot be written) and reads its
// snapshots, series, findings and notes; `error` says why it could not.
CaseOverview loadOverview(const QString& path);

} // namespace memscope::ui
