// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/sites_model.h"

#include "base/format.h"

#include <QColor>

namespace memscope::ui {

SitesModel::SitesModel(QObject* parent) : QAbstractTableModel(parent) {}

void SitesModel::setResult(std::shared_ptr<const TopResult> result,
                           std::shared_ptr<const Baseline> previous) {
    beginResetModel();
    m_result = std::move(result);
    m_previous = std::move(previous);
    endResetModel();
}

int SitesModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_result ? 0 : int(m_result->rows.size());
}

int SitesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SitesModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        !m_result)
        return {};
    const TopRow& r = m_result->rows[size_t(index.row())];
    double total = m_result->total ? double(m_result->total) : 1.0;
    int64_t delta = 0;
    if (m_previous) {
        auto it = m_previous->find(r.function);
        delta = r.flat - (it == m_previous->end() ? 0 : it->second);
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Function:
                return QString::fromStdString(r.function) +
                       (r.inlineLabel.empty()
                            ? QString()
                            : QStringLiteral(" (%1)").arg(QString::fromStdString(r.inlineLabel)));
            case Flat: return QString::fromStdString(formatValue(r.flat, m_result->unit));
            case FlatPercent: return QString::fromStdString(formatPercent(double(r.flat) / total));
            case Cum: return QString::fromStdString(formatValue(r.cum, m_result->unit));
            case CumPercent: return QString::fromStdString(formatPercent(double(r.cum) / total));
            case Delta:
                if (!m_previous)
                    return QString();
                return (delta > 0   ? QStringLiteral("+")
                        : delta < 0 ? QStringLiteral("-")
                                    : QString()) +
                       QString::fromStdString(
                           formatValue(delta < 0 ? -delta : delta, m_result->unit));
            case File: return QString::fromStdString(r.file);
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Delta && delta != 0)
        return QColor(delta > 0 ? QColor(198, 40, 40) : QColor(46, 125, 50));
    if (role == SortRole) {
        switch (index.column()) {
            case Function: return QString::fromStdString(r.function);
            case Flat:
            case FlatPercent: return qlonglong(r.flat);
            case Cum:
            case CumPercent: return qlonglong(r.cum);
            case Delta: return qlonglong(delta);
            case File: return QString::fromStdString(r.file);
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != Function && index.column() != File)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return QStringLiteral("%1\n%2\nflat %3 (%4 %5)\ncum %6")
            .arg(QString::fromStdString(r.function), QString::fromStdString(r.file))
            .arg(r.flat)
            .arg(QString::fromStdString(m_result->unit), QString::fromStdString(m_result->sample))
            .arg(r.cum);
    return {};
}

QVariant SitesModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
        case Function: return tr("Function");
        case Flat: return tr("Flat");
        case FlatPercent: return tr("Flat %");
        case Cum: return tr("Cum");
        case CumPercent: return tr("Cum %");
        case Delta: return tr("Δ flat since previous");
        case File: return tr("File");
    }
    return {};
}

} // namespace memscope::ui
