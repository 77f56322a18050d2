// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/calltree.h"

#include <QAbstractItemModel>
#include <memory>

namespace memscope::ui {

// A CallTree as a tree model: function, value, share of the tree's total.
class CallTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Function, Value, Percent, Self, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit CallTreeModel(QObject* parent = nullptr);
    void setTree(std::shared_ptr<const CallTree> tree);
    std::shared_ptr<const CallTree> tree() const { return m_tree; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    int32_t nodeOf(const QModelIndex& index) const;
    std::shared_ptr<const CallTree> m_tree;
    std::vector<int32_t> m_row; // node -> its row under its parent
};

} // namespace memscope::ui
