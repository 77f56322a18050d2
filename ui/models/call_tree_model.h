// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/calltree.h"

#include <QAbstractItemModel>
#include <memory>

namespace memscope::ui {

// Any CallTree as a tree model: the whole profile top-down, its bottom-up
// inversion, a function's callers or callees, of one snapshot or of a diff
// (then Delta is the change against the base). Every profile view of the
// allocation sites page shows one of these over a tree built once.
class CallTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Function, Value, Percent, Self, Delta, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit CallTreeModel(QObject* parent = nullptr);
    void setTree(std::shared_ptr<const CallTree> tree);
    std::shared_ptr<const CallTree> tree() const { return m_tree; }
    // The tree node an index shows (0, the root, for an invalid index), and back.
    int32_t nodeOf(const QModelIndex& index) const;
    QModelIndex indexOfNode(int32_t node, int column = 0) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::shared_ptr<const CallTree> m_tree;
    std::vector<int32_t> m_row; // node -> its row under its parent
};

} // namespace memscope::ui
