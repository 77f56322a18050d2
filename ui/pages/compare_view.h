// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/case_store.h"
#include "widgets/item_links.h"

#include <QFutureWatcher>
#include <QStandardItemModel>
#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QSortFilterProxyModel;
class QSplitter;

namespace memscope::ui {

class FlameGraphView;

// Side by side: any two snapshots of a kind (heap profiles, goroutine dumps,
// socket snapshots, heap dumps), ranked by what changed between them.
class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);
    void setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots);
    // Picks base and new (of one kind) and computes.
    void compare(SnapshotId base, SnapshotId now);
    QStandardItemModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }
    FlameGraphView* flameGraph() const { return m_flame; }
    QString summaryText() const;
    // Whether a row menu's link can be followed (the navigator's check).
    void setLinkCheck(const LinkCheck& check);
    // A row's menu: the view its item comes from (a site, group, host or root).
    RowLinks rowLinks(const QModelIndex& proxyIndex) const;

signals:
    void compared();
    // A row's menu asked to show its item in the view it came from.
    void linkActivated(const QUrl& link);

protected:
    // Shown for the first time on a case, it compares the pickers' defaults
    // (the first and the last capture of one kind) instead of empty panes.
    void showEvent(QShowEvent* e) override;

private:
    void fillPickers();
    void run();
    QString m_casePath;
    std::vector<SnapshotInfo> m_snapshots;
    QComboBox *m_kind = nullptr, *m_base = nullptr, *m_new = nullptr;
    QLabel* m_summary = nullptr;
    QTableView* m_table = nullptr;
    RowLinkMenu* m_menu = nullptr;
    std::optional<SnapshotKind> m_shownKind; // the kind of snapshot the rows compare
    bool m_ranOnCase = false;                // a comparison started since setCase
    QStandardItemModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    FlameGraphView* m_flame = nullptr;
    QSplitter* m_split = nullptr;
    QFutureWatcher<QList<QList<QStandardItem*>>> m_watcher;
    QStringList m_headers;
};

} // namespace memscope::ui
