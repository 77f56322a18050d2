// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "jobs/import_job.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace memscope::ui {

// Every file the window imported this session, with what became of it:
// imported (with its format and any warnings), a duplicate of what the case
// holds, skipped (not a capture), or failed with the error naming where.
// Batches are kept, newest first, until the window closes.
class ImportLog : public QWidget {
    Q_OBJECT
public:
    enum Column { File, Outcome, Detail, ColumnCount };
    explicit ImportLog(QWidget* parent = nullptr);
    void addBatch(const ImportReport& report);
    QTreeWidget* tree() const { return m_tree; }
    // Files logged this session, warnings and failures included.
    int fileCount() const;

private:
    QTreeWidget* m_tree = nullptr;
    QLabel* m_summary = nullptr;
    int m_batches = 0;
};

} // namespace memscope::ui
