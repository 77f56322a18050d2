// SPDX-License-Identifier: GPL-3.0-or-later
// The "Allocation sites" tab: a heap snapshot's sites, and the flame graph,
// call tree and source lines that follow the site picked among them. The page
// is the splitter between the sites and those panes, as the tab has always been:
// the window's minimum size follows the panes' contents the same way.
#pragma once

#include "analysis/profile/calltree.h"
#include "analysis/profile/top.h"
#include "jobs/job_tracker.h"
#include "model/profile.h"

#include <QSplitter>
#include <QString>
#include <memory>
#include <string>
#include <unordered_map>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTreeView;
class TestWorkbench;

namespace memscope::ui {

class CallTreeModel;
class FlameGraphView;
class SitesModel;
class SourceView;
struct SourceContent;

// One snapshot's profile and its sites for the chosen sample type.
struct SnapshotSites {
    qint64 snapshotId = 0;
    QString error;
    std::shared_ptr<const Profile> profile;
    std::shared_ptr<const TopResult> top;
    int sampleIndex = -1;
    // The same sample type at the previous snapshot of the target: what changed.
    std::shared_ptr<const std::unordered_map<std::string, int64_t>> previous;
    QString changed; // one line: "since 16:59:38: +3.2MB; most: io.ReadAll +2.1MB"
    std::shared_ptr<const Profile> previousProfile;
    // The whole top-down tree for the flame graph, and its diff against the
    // previous capture (null without one).
    std::shared_ptr<const CallTree> flame, flameDiff;
};

class HeapPage : public QSplitter {
    Q_OBJECT
public:
    explicit HeapPage(QWidget* parent = nullptr);
    ~HeapPage() override;

    // Forgets the previous case's snapshot and panes; the source root is the
    // one remembered for this case.
    void setCase(const QString& path);
    // Opens a heap snapshot; "what changed" compares it with `baseSnapshotId`
    // (a range's start), else with the capture before it.
    void selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId = 0);
    qint64 snapshotId() const { return m_snapshotId; }
    // Opens the call tree of a site (function name) in the current snapshot.
    // `picked`: the user chose it, so the flame graph zooms to it and the
    // source pane follows.
    void showCallTree(const QString& function, bool picked = true);
    // Opens a function's source lines (values, text under the source root,
    // escape notes) in the source pane.
    void showSource(const QString& function);
    void setSourceRoot(const QString& dir);
    QString sourceRoot() const { return m_sourceRoot; }
    void chooseSourceRoot();
    // The sites filter: focused (Ctrl+F), or set to a function.
    void focusFilter();
    void setFilter(const QString& text);
    bool isBusy() const;
    // The splitters' sizes, under the window's settings keys.
    void restoreLayout(const QSettings& settings);
    void saveLayout(QSettings& settings) const;

signals:
    void sitesLoaded();
    void callTreeLoaded();
    void sourceLoaded();
    void annotateSiteRequested(const QString& function);
    void statusMessage(const QString& text);

private:
    friend class ::TestWorkbench;
    QTableView* sitesView() const { return m_sitesView; }
    SitesModel* sitesModel() const { return m_sites; }
    QTreeView* callTreeView() const { return m_treeView; }
    CallTreeModel* callTreeModel() const { return m_tree; }
    FlameGraphView* flameGraph() const { return m_flame; }
    SourceView* sourceView() const { return m_source; }
    QCheckBox* flameDiffToggle() const { return m_flameDiff; }

    QWidget* buildSitesPanel();
    QWidget* buildTreePanel();
    QWidget* buildFlamePanel();
    void showSites(SnapshotSites r);
    void recomputeSites();
    void showFlame();
    void exportFlame();

    QString m_casePath;
    QString m_sourceRoot;
    SitesModel* m_sites = nullptr;
    QSortFilterProxyModel* m_sitesProxy = nullptr;
    QTableView* m_sitesView = nullptr;
    QComboBox* m_sampleCombo = nullptr;
    QLineEdit* m_filter = nullptr;
    QLabel* m_sitesTitle = nullptr;
    CallTreeModel* m_tree = nullptr;
    QTreeView* m_treeView = nullptr;
    QLabel* m_treeTitle = nullptr;
    QCheckBox* m_invert = nullptr;
    FlameGraphView* m_flame = nullptr;
    QLineEdit* m_flameSearch = nullptr;
    QCheckBox* m_flameDiff = nullptr;
    QLabel* m_flameInfo = nullptr;
    QTabWidget* m_detailTabs = nullptr;
    QSplitter* m_detailSplit = nullptr;
    SourceView* m_source = nullptr;

    std::shared_ptr<const Profile> m_profile, m_previousProfile;
    std::shared_ptr<const CallTree> m_flameTree, m_flameDiffTree;
    qint64 m_snapshotId = 0;
    QString m_treeFocus;
    bool m_focusPicked = false;

    JobTracker m_sitesJobs{this};
    JobTracker m_treeJobs{this};
    JobTracker m_sourceJobs{this};
};

} // namespace memscope::ui
