// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "import/capture_time.h"
#include "store/case_store.h"

#include <QComboBox>

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace memscope::ui {

// A snapshot picker as wide as a few dozen characters, whatever the file names
// it lists: sized to its contents, a long name would widen the whole window.
inline void fitSnapshotPicker(QComboBox* picker, int chars = 24) {
    picker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    picker->setMinimumContentsLength(chars);
}

// Fills a picker with the snapshots of one kind ("id  time  file", the id as
// item data), oldest first.
inline void fillSnapshotPicker(QComboBox* picker, const std::vector<SnapshotInfo>& snapshots,
                               SnapshotKind kind) {
    picker->clear();
    for (const auto& s : snapshots)
        if (s.kind == kind)
            picker->addItem(QStringLiteral("%1  %2  %3")
                                .arg(s.id.value)
                                .arg(QString::fromStdString(formatTimeIso(s.timeNs)),
                                     QString::fromStdString(s.sourceName)),
                            qlonglong(s.id.value));
}

// The snapshots of several kinds, in time order; those of a kind after the
// first say their kind.
inline void fillSnapshotPicker(QComboBox* picker, const std::vector<SnapshotInfo>& snapshots,
                               std::initializer_list<SnapshotKind> kinds) {
    picker->clear();
    for (const auto& s : snapshots) {
        auto k = std::find(kinds.begin(), kinds.end(), s.kind);
        if (k == kinds.end())
            continue;
        QString label = QStringLiteral("%1  %2  %3")
                            .arg(s.id.value)
                            .arg(QString::fromStdString(formatTimeIso(s.timeNs)),
                                 QString::fromStdString(s.sourceName));
        if (k != kinds.begin())
            label += QStringLiteral("  (%1)").arg(QLatin1String(toString(s.kind)));
        picker->addItem(label, qlonglong(s.id.value));
    }
}

// Calls `show` with the id of each snapshot picked, by the user or by a fill.
template <typename Show>
void onSnapshotPicked(QComboBox* picker, QObject* context, Show show) {
    QObject::connect(picker, &QComboBox::currentIndexChanged, context, [picker, show](int i) {
        if (i >= 0)
            show(SnapshotId(picker->itemData(i).toLongLong()));
    });
}

} // namespace memscope::ui
