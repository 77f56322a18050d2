// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>

namespace memscope::ui {

// Sorts by the raw values a model keeps under `role` (numbers as numbers,
// text locale-aware), not by the cells' display text.
class RoleSortProxy : public QSortFilterProxyModel {
public:
    RoleSortProxy(int role, QObject* parent) : QSortFilterProxyModel(parent), m_role(role) {}

protected:
    bool lessThan(const QModelIndex& a, const QModelIndex& b) const override {
        QVariant x = a.data(m_role), y = b.data(m_role);
        auto integral = [](const QVariant& v) {
            return v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int;
        };
        if (integral(x) && integral(y))
            return x.toLongLong() < y.toLongLong();
        if (x.typeId() == QMetaType::QString || y.typeId() == QMetaType::QString)
            return QString::localeAwareCompare(x.toString(), y.toString()) < 0;
        return x.toDouble() < y.toDouble();
    }

private:
    int m_role;
};

// The house table: whole rows selected one at a time, no row numbers.
inline void setUpRowTable(QTableView* table) {
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setWordWrap(false);
}

} // namespace memscope::ui
