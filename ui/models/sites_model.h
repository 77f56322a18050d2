// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/top.h"

#include <QAbstractTableModel>
#include <memory>
#include <unordered_map>

namespace memscope::ui {

// Allocation sites of one snapshot (functions by flat and cum), over an
// immutable TopResult. Sorting and filtering live in a proxy.
class SitesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Function, Flat, FlatPercent, Cum, CumPercent, Delta, File, ColumnCount };
    // Flat per function at the previous snapshot, for the Delta column.
    using Baseline = std::unordered_map<std::string, int64_t>;
    // The raw number behind a cell, for sorting.
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit SitesModel(QObject* parent = nullptr);
    void setResult(std::shared_ptr<const TopResult> result,
                   std::shared_ptr<const Baseline> previous = nullptr);
    std::shared_ptr<const TopResult> result() const { return m_result; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::shared_ptr<const TopResult> m_result;
    std::shared_ptr<const Baseline> m_previous;
};

} // namespace memscope::ui
