// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/call_tree_model.h"

#include "base/format.h"

namespace memscope::ui {

CallTreeModel::CallTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void CallTreeModel::setTree(std::shared_ptr<const CallTree> tree) {
    beginResetModel();
    m_tree = std::move(tree);
    m_row.clear();
    if (m_tree) {
        m_row.assign(m_tree->nodes.size(), 0);
        for (const auto& n : m_tree->nodes)
            for (size_t i = 0; i < n.children.size(); ++i)
                m_row[size_t(n.children[i])] = int32_t(i);
    }
    endResetModel();
}

int32_t CallTreeModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? int32_t(index.internalId()) : 0;
}

QModelIndex CallTreeModel::indexOfNode(int32_t node, int column) const {
    if (!m_tree || node <= 0 || size_t(node) >= m_tree->nodes.size())
        return {};
    return createIndex(m_row[size_t(node)], column, quintptr(node));
}

QModelIndex CallTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (!m_tree || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const auto& p = m_tree->nodes[size_t(nodeOf(parent))];
    if (size_t(row) >= p.children.size())
        return {};
    return createIndex(row, column, quintptr(p.children[size_t(row)]));
}

QModelIndex CallTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || !m_tree)
        return {};
    int32_t parent = m_tree->nodes[size_t(nodeOf(child))].parent;
    if (parent <= 0)
        return {};
    return createIndex(m_row[size_t(parent)], 0, quintptr(parent));
}

int CallTreeModel::rowCount(const QModelIndex& parent) const {
    if (!m_tree || (parent.isValid() && parent.column() != 0))
        return 0;
    return int(m_tree->nodes[size_t(nodeOf(parent))].children.size());
}

int CallTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant CallTreeModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_tree)
        return {};
    const auto& n = m_tree->nodes[size_t(nodeOf(index))];
    double total = m_tree->total ? double(m_tree->total) : 1.0;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Function: return QString::fromStdString(n.function);
            case Value: return QString::fromStdString(formatValue(n.value, m_tree->unit));
            case Percent: return QString::fromStdString(formatPercent(double(n.value) / total));
            case Self: return QString::fromStdString(formatValue(n.self, m_tree->unit));
            case Delta:
                if (!m_tree->diff)
                    return QString();
                return QString::fromStdString((n.value >= n.base ? "+" : "") +
                                              formatValue(n.value - n.base, m_tree->unit));
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
            case Function: return QString::fromStdString(n.function);
            case Value:
            case Percent: return qlonglong(n.value);
            case Self: return qlonglong(n.self);
            case Delta: return qlonglong(m_tree->diff ? n.value - n.base : 0);
        }
    }
    if (role == Qt::ToolTipRole)
        return QString::fromStdString(
            n.function + "\n" + n.file +
            (m_tree->diff ? "\nbase " + formatValue(n.base, m_tree->unit) : std::string()));
    if (role == Qt::TextAlignmentRole && index.column() != Function)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant CallTreeModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case Function: return tr("Function");
        case Value: return tr("Total");
        case Percent: return tr("%");
        case Self: return tr("Self");
        case Delta: return tr("Δ vs base");
    }
    return {};
}

} // namespace memscope::ui
