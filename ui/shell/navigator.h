// SPDX-License-Identifier: GPL-3.0-or-later
// Where the investigation has been and the links between views: the history
// of (tab, heap snapshot and base, selected item) steps that Back and Forward
// walk through as a browser does, and the routing of a link (a site, host,
// goroutine group or heap-dump root named in a finding) to the view that
// shows it, with the item selected.
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>
#include <functional>
#include <optional>
#include <vector>

#include "model/ids.h"

class QAction;
class QModelIndex;
class QTabWidget;

namespace memscope {
struct SnapshotInfo;
}

namespace memscope::ui {

class ConnectionsView;
class FindingsPanel;
class GoroutinesView;
class HeapPage;
class RetentionView;
class TimelineView;

struct NavigationState {
    int tab = -1;
    qint64 snapshotId = 0;
    qint64 baseId = 0;
    QString item;    // the view's selected item: a function, host, finding row
    int detail = -1; // on Allocation sites, its detail tab (HeapPage::DetailView)
    bool operator==(const NavigationState&) const = default;
};

// Steps as a browser keeps them: a new step after going back drops the ones
// ahead; a step equal to the current one is not a step.
class NavigationHistory {
public:
    void clear();
    void push(const NavigationState& state);
    std::optional<NavigationState> back();
    std::optional<NavigationState> forward();
    bool canGoBack() const { return m_at > 0; }
    bool canGoForward() const { return m_at + 1 < int(m_steps.size()); }
    const NavigationState* current() const;
    int size() const { return int(m_steps.size()); }

private:
    static constexpr size_t kMaxSteps = 500;
    std::vector<NavigationState> m_steps;
    int m_at = -1;
};

struct NavigatorPages {
    QTabWidget* tabs = nullptr;
    HeapPage* heap = nullptr;
    FindingsPanel* findings = nullptr;
    GoroutinesView* goroutines = nullptr;
    ConnectionsView* connections = nullptr;
    RetentionView* retention = nullptr;
    TimelineView* timeline = nullptr;
};

class Navigator : public QObject {
    Q_OBJECT
public:
    // `selectSnapshot` opens a heap snapshot the way the window does (the
    // timeline marks it too).
    Navigator(const NavigatorPages& pages, std::function<void(qint64, qint64)> selectSnapshot,
              QObject* parent);
    QAction* backAction() const { return m_back; }
    QAction* forwardAction() const { return m_forward; }
    const NavigationHistory& history() const { return m_history; }

    void setSnapshots(const std::vector<SnapshotInfo>& snapshots);
    // Forgets the steps of the case before.
    void clear();
    // Records the views' state as a step (nothing while a step is restored).
    void record();
    void goBack();
    void goForward();
    // Opens the view a link (widgets/item_links.h) names, with its item
    // selected: one step of the history; false when the link names nothing
    // this case shows.
    bool openLink(const QUrl& link);
    // Whether the view a link names has its item now: a row menu's entry is
    // disabled when it has not.
    bool canOpenLink(const QUrl& link) const;
    // "Allocation sites of this code": the heap profile nearest in time to a
    // goroutine dump, focused on the stacks through a group's functions.
    bool showSitesOfGroup(SnapshotId dumpId, const QStringList& functions);

signals:
    void message(const QString& text);

private:
    NavigationState capture() const;
    void restore(const NavigationState& state);
    void updateActions();
    bool selectGroup(const QString& function);
    bool selectHost(const QString& host);
    bool selectRoot(const QString& root);
    // The rows the links name in the views' tables, invalid when absent.
    QModelIndex groupRow(const QString& function) const;
    QModelIndex groupRowOfHost(const QString& host) const;
    QModelIndex hostRow(const QString& host) const;
    QModelIndex rootRow(const QString& root) const;

    NavigatorPages m_pages;
    std::function<void(qint64, qint64)> m_selectSnapshot;
    std::vector<SnapshotInfo> m_snapshots;
    NavigationHistory m_history;
    QAction* m_back = nullptr;
    QAction* m_forward = nullptr;
    bool m_restoring = false;
};

} // namespace memscope::ui
