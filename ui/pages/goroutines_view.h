// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/goroutine_cost/goroutine_cost.h"
#include "models/sort_proxy.h"
#include "store/case_store.h"
#include "widgets/item_links.h"

#include <QFutureWatcher>
#include <QStandardItemModel>
#include <QWidget>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableView;

namespace memscope::ui {

// Goroutine groups of a dump, filtered by state, a function anywhere in the
// stack and a minimum wait.
class GoroutineFilter : public RoleSortProxy {
    Q_OBJECT
public:
    using RoleSortProxy::RoleSortProxy;
    void setState(const QString& state);
    void setFunction(const QString& text);
    void setMinWait(int minutes);

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    QString m_state, m_function;
    int m_minWait = 0;
};

// Goroutines: the groups of one dump (count, state, wait, creator) with the
// stack of the picked one. The finalizer goroutine and net/http connection
// loops are called out; a group's user frames link to its allocation sites.
class GoroutinesView : public QWidget {
    Q_OBJECT
public:
    enum Column {
        Count,
        Retained, // heap the group's frames alone keep alive, in the nearest heap dump
        Sockets,  // sockets its goroutines serve, in the nearest fd snapshot
        Growth,   // goroutines per hour up to this dump
        State,
        Wait,
        Role,
        Function,
        CreatedBy,
        Labels,
        ColumnCount
    };
    static constexpr int kStackRole = Qt::UserRole + 2;
    // The remote hosts the group's sockets go to (on the Function cell).
    static constexpr int kHostsRole = Qt::UserRole + 4;
    static constexpr int kSortRole = Qt::UserRole + 1;

    explicit GoroutinesView(QWidget* parent = nullptr);
    void setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots);
    void showSnapshot(SnapshotId id);
    // Follows the timeline: the dump nearest in time to a picked moment, a
    // full dump (debug=2) before a goroutine profile of the same time.
    void showNearest(qint64 timeNs);
    QStandardItemModel* model() const { return m_model; }
    GoroutineFilter* filter() const { return m_filter; }
    QTableView* table() const { return m_table; }
    QPlainTextEdit* stackView() const { return m_stack; }
    QString callout() const;
    // Where the cost columns come from (the heap dump and its pairing, the
    // fd snapshot), or why they are empty.
    QString costNote() const { return m_costNote; }
    // The dump shown (0 for none).
    SnapshotId snapshotId() const;
    // Whether a row menu's link can be followed (the navigator's check).
    void setLinkCheck(const LinkCheck& check);
    // A group's menu: its sockets, its sites and its stack's functions.
    RowLinks rowLinks(const QModelIndex& proxyIndex) const;

signals:
    void loaded();
    // The user asked for the allocation sites under this function.
    void sitesRequested(const QString& function);
    // A group's row menu asked to show it in another view.
    void linkActivated(const QUrl& link);

private:
    void showGroup(const QModelIndex& proxyIndex);
    // The stack pane shows a group only while the filter lets it through.
    void dropFilteredGroup();
    QString m_casePath;
    std::vector<SnapshotInfo> m_dumps;
    qint64 m_shownGroup = -1; // the group index the stack pane shows
    QComboBox* m_snapshot = nullptr;
    QComboBox* m_state = nullptr;
    QLineEdit* m_function = nullptr;
    QSpinBox* m_minWait = nullptr;
    QLabel* m_summary = nullptr;
    QTableView* m_table = nullptr;
    RowLinkMenu* m_menu = nullptr;
    QPlainTextEdit* m_stack = nullptr;
    QStandardItemModel* m_model = nullptr;
    GoroutineFilter* m_filter = nullptr;
    QString m_userFrame; // of the picked group, for "sites"
    QString m_costNote;
    struct Groups {
        std::vector<CaseStore::GoroutineGroupRow> rows;
        QString error; // the case could not be read
        // What each group costs as of this dump; costError when it could
        // not be computed (the groups still show).
        std::optional<GoroutineCostReport> cost;
        QString costError;
    };
    static QString costNoteOf(const Groups& result);
    QFutureWatcher<Groups> m_watcher;
};

} // namespace memscope::ui
