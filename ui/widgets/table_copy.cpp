// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/table_copy.h"

#include "base/text_util.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QTableView>
#include <QTreeView>
#include <algorithm>

namespace memscope::ui {

QString selectedRowsText(const QAbstractItemView* view) {
    const QAbstractItemModel* m = view->model();
    if (!m || !view->selectionModel())
        return {};
    QModelIndexList rows = view->selectionModel()->selectedRows();
    if (rows.isEmpty() && view->currentIndex().isValid())
        rows << view->currentIndex().siblingAtColumn(0);
    std::sort(rows.begin(), rows.end(), [view](const QModelIndex& a, const QModelIndex& b) {
        return view->visualRect(a).top() < view->visualRect(b).top();
    });
    auto hidden = [view](int c) {
        if (auto* t = qobject_cast<const QTableView*>(view))
            return t->isColumnHidden(c);
        if (auto* t = qobject_cast<const QTreeView*>(view))
            return t->isColumnHidden(c);
        return false;
    };
    // Pasted into a spreadsheet, a cell such as =HYPERLINK(...) from a
    // function name would run as a formula: text cells are marked as text.
    auto cellText = [](const QVariant& v) {
        return QString::fromStdString(spreadsheetCell(v.toString().toStdString()));
    };
    QStringList lines, head;
    for (int c = 0; c < m->columnCount(); ++c)
        if (!hidden(c))
            head << cellText(m->headerData(c, Qt::Horizontal));
    lines << head.join('\t');
    for (const auto& r : rows) {
        QStringList cells;
        for (int c = 0; c < m->columnCount(r.parent()); ++c)
            if (!hidden(c))
                cells << cellText(r.siblingAtColumn(c).data());
        lines << cells.join('\t');
    }
    return lines.join('\n') + '\n';
}

void enableCopy(QAbstractItemView* view) {
    auto* copy = new QAction(QObject::tr("Copy"), view);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QObject::connect(copy, &QAction::triggered, view, [view] {
        QString text = selectedRowsText(view);
        if (!text.isEmpty())
            QApplication::clipboard()->setText(text);
    });
    view->addAction(copy);
    if (view->contextMenuPolicy() == Qt::DefaultContextMenu)
        view->setContextMenuPolicy(Qt::ActionsContextMenu);
}

} // namespace memscope::ui
