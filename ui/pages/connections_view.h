// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/series/series.h"
#include "store/case_store.h"
#include "widgets/item_links.h"

#include <QFutureWatcher>
#include <QStandardItemModel>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPlainTextEdit;
class QTableView;
class QSortFilterProxyModel;

namespace memscope::ui {

// Connections: client TCP sockets per remote host over time (open sockets,
// and new ones per capture: churn), the hosts of one snapshot by state, and
// for a picked host its sockets and the goroutines that serve client
// connections at that time.
class ConnectionsView : public QWidget {
    Q_OBJECT
public:
    enum Column {
        Host,
        Sockets,
        Established,
        CloseWait,
        TimeWait,
        Other,
        Opened,
        Closed,
        ColumnCount
    };
    static constexpr int kSortRole = Qt::UserRole + 1;

    explicit ConnectionsView(QWidget* parent = nullptr);
    void setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots,
                 const std::vector<Series>& series);
    void showSnapshot(SnapshotId id);
    void showHost(const QString& host);
    // Selects the host's row (the row follows the host, whatever the sort).
    void selectHost(const QString& host);
    QStandardItemModel* hosts() const { return m_hosts; }
    QStandardItemModel* sockets() const { return m_sockets; }
    QTableView* hostTable() const { return m_hostTable; }
    QPlainTextEdit* serving() const { return m_serving; }
    QCustomPlot* plot() const { return m_plot; }
    // Whether a row menu's link can be followed (the navigator's check).
    void setLinkCheck(const LinkCheck& check);

signals:
    void loaded();
    void hostShown();
    // A host's row menu asked to show it in another view.
    void linkActivated(const QUrl& link);

private:
    struct Snapshot {
        SnapshotId id;
        std::vector<CaseStore::SocketRow> sockets, previous;
        QString goroutines; // who serves client connections, from the nearest dump
        QString error;      // the case could not be read
    };
    void drawChart();
    QString m_casePath;
    std::vector<SnapshotInfo> m_snapshots;
    std::vector<Series> m_series; // tcp_sockets{host}, tcp_sockets_new{host}
    std::shared_ptr<const Snapshot> m_current;
    QComboBox* m_snapshot = nullptr;
    QCheckBox* m_churn = nullptr;
    QLabel* m_summary = nullptr;
    QCustomPlot* m_plot = nullptr;
    QStandardItemModel* m_hosts = nullptr;
    QSortFilterProxyModel* m_hostProxy = nullptr;
    QTableView* m_hostTable = nullptr;
    RowLinkMenu* m_hostMenu = nullptr;
    QStandardItemModel* m_sockets = nullptr;
    QTableView* m_socketTable = nullptr;
    QPlainTextEdit* m_serving = nullptr;
    QFutureWatcher<std::shared_ptr<const Snapshot>> m_watcher;
};

} // namespace memscope::ui
