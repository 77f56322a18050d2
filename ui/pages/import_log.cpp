// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/import_log.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace memscope::ui {

ImportLog::ImportLog(QWidget* parent) : QWidget(parent) {
    m_summary = new QLabel(tr("Nothing imported yet this session"), this);
    m_summary->setTextFormat(Qt::PlainText);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("File"), tr("Outcome"), tr("Detail")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->header()->setStretchLastSection(true);
    // A few rows at least, and no more: the dock takes the tabs' room, it
    // never makes the window taller than the screen.
    m_tree->setMinimumHeight(m_tree->fontMetrics().height() * 3);
    m_tree->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    auto* clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, this, [this] {
        m_tree->clear();
        m_summary->setText(tr("Cleared"));
    });
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(clear);
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addLayout(bar);
    l->addWidget(m_tree, 1);
}

int ImportLog::fileCount() const {
    int n = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        n += m_tree->topLevelItem(i)->childCount();
    return n;
}

void ImportLog::addBatch(const ImportReport& r) {
    ++m_batches;
    QString head = tr("Import %1 at %2: %3 imported, %4 duplicate, %5 skipped, %6 failed%7")
                       .arg(m_batches)
                       .arg(QDateTime::currentDateTime().toString("HH:mm:ss"))
                       .arg(r.imported)
                       .arg(r.duplicate)
                       .arg(r.skipped)
                       .arg(r.failed)
                       .arg(r.cancelled ? tr(" (cancelled)") : QString());
    auto* batch = new QTreeWidgetItem(QStringList{head});
    batch->setFirstColumnSpanned(true);
    QFont bold = batch->font(File);
    bold.setBold(true);
    batch->setFont(File, bold);
    for (const auto& f : r.files) {
        auto* item = new QTreeWidgetItem(batch, QStringList{f.path, f.outcome, f.detail});
        item->setToolTip(File, f.path);
        item->setToolTip(Detail, f.detail);
        // Failures and warnings stand out in either theme: the text's colour,
        // not a background that the dark palette would fight.
        if (f.failed)
            item->setForeground(Outcome, QColor(211, 47, 47));
        else if (f.warned)
            item->setForeground(Outcome, QColor(230, 140, 0));
    }
    m_tree->insertTopLevelItem(0, batch);
    batch->setExpanded(true);
    m_tree->resizeColumnToContents(Outcome);
    if (m_tree->columnWidth(File) < 200)
        m_tree->setColumnWidth(File, 420);
    m_summary->setText(head);
}

} // namespace memscope::ui
