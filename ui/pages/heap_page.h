// SPDX-License-Identifier: GPL-3.0-or-later
// The "Allocation sites" tab: a heap snapshot's sites, compared with a base
// (the capture before it, none, or any snapshot), through pprof's focus,
// ignore and hide filters; and the views of its call tree that follow the
// site picked among them: the flame graph, the whole tree top-down and
// bottom-up, the picked function's callers and callees, and its source lines.
// Every tree is one CallTreeModel over a tree built once per snapshot, base
// and filter (heap_load.h).
#pragma once

#include "analysis/profile/profile_filter.h"
#include "jobs/job_tracker.h"
#include "pages/heap_load.h"
#include "store/case_store.h"
#include "widgets/item_links.h"

#include <QSplitter>
#include <QString>
#include <memory>
#include <string>
#include <vector>

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
class TestNavigation;

namespace memscope::ui {

class CallTreeModel;
class FlameGraphView;
class ProfileFilterBar;
class RowLinkMenu;
class SitesModel;
class SourceView;
struct SourceContent;

class HeapPage : public QSplitter {
    Q_OBJECT
public:
    // The detail tabs, in order.
    enum DetailView { FlameView, TopDownView, BottomUpView, CallerCalleeView };

    explicit HeapPage(QWidget* parent = nullptr);
    ~HeapPage() override;
    DetailView currentDetail() const;

    // Forgets the previous case's snapshot and panes; the source root is the
    // one remembered for this case, the filters the ones saved in it.
    void setCase(const QString& path);
    // The heap snapshots the pickers offer.
    void setSnapshots(const std::vector<SnapshotInfo>& snapshots);
    // Opens a heap snapshot, compared with `baseSnapshotId` (a range's start;
    // kPreviousBase: the capture before it; kNoBase: nothing).
    void selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId = kPreviousBase);
    qint64 snapshotId() const { return m_snapshotId; }
    qint64 baseRequest() const { return m_baseRequest; }
    // Opens the callers and callees of a function in the current snapshot.
    // `picked`: the user chose it, so the flame graph zooms to it and the
    // source pane follows.
    void showCallTree(const QString& function, bool picked = true);
    QString focusedFunction() const { return m_treeFocus; }
    // Whether the snapshot shown has the function in a stack (after the filter).
    bool hasFunction(const QString& function) const;
    // Selects the function's row among the sites; false when it has none.
    bool selectSite(const QString& function);
    // Whether a row menu's link can be followed (the navigator's check).
    void setLinkCheck(const LinkCheck& check);
    // The focused function was the user's pick, not the biggest site's.
    bool focusPicked() const { return m_focusPicked; }
    // Opens a function's source lines (values, text under the source root,
    // escape notes) in the source pane.
    void showSource(const QString& function);
    void setSourceRoot(const QString& dir);
    QString sourceRoot() const { return m_sourceRoot; }
    void chooseSourceRoot();
    // The sites filter: focused (Ctrl+F), or set to a function.
    void focusFilter();
    void setFilter(const QString& text);
    // pprof's -focus/-ignore/-hide for every view; saved in the case.
    void setProfileFilter(const ProfileFilter& filter);
    ProfileFilter profileFilter() const { return m_profileFilter; }
    void showDetail(DetailView view);
    // The detail panes take the page: the sites and source panes fold away.
    void setDetailMaximized(bool on);
    bool isBusy() const;
    // The splitters' sizes, under the window's settings keys.
    void restoreLayout(const QSettings& settings);
    void saveLayout(QSettings& settings) const;

signals:
    void sitesLoaded();
    void callTreeLoaded();
    void sourceLoaded();
    // The user opened a snapshot or a function here: a step of the history.
    void navigated();
    void annotateSiteRequested(const QString& function);
    void statusMessage(const QString& text);
    // A site's row menu asked to show it in another view.
    void linkActivated(const QUrl& link);

private:
    friend class ::TestWorkbench;
    friend class ::TestNavigation;
    QTableView* sitesView() const { return m_sitesView; }
    SitesModel* sitesModel() const { return m_sites; }
    QTreeView* callTreeView() const { return m_treeView; }
    CallTreeModel* callTreeModel() const { return m_tree; }
    CallTreeModel* calleesModel() const { return m_callees; }
    CallTreeModel* topDownModel() const { return m_topDown; }
    CallTreeModel* bottomUpModel() const { return m_bottomUp; }
    QTreeView* topDownView() const { return m_topDownView; }
    FlameGraphView* flameGraph() const { return m_flame; }
    SourceView* sourceView() const { return m_source; }
    QCheckBox* flameDiffToggle() const { return m_flameDiff; }
    QLineEdit* flameSearch() const { return m_flameSearch; }
    QComboBox* snapshotPicker() const { return m_snapshotPicker; }
    QComboBox* basePicker() const { return m_basePicker; }
    QComboBox* sampleCombo() const { return m_sampleCombo; }
    QTabWidget* detailTabs() const { return m_detailTabs; }
    QLabel* sitesTitle() const { return m_sitesTitle; }
    ProfileFilterBar* filterBar() const { return m_filterBar; }

    QWidget* buildSitesPanel();
    QWidget* buildTreePanel();
    QWidget* buildFlamePanel();
    QTreeView* buildTreeView(CallTreeModel* model);
    void showSites(SnapshotSites r);
    void recomputeSites();
    void showFlame();
    void showSearch();
    void showTrees();
    void exportFlame();
    void syncPickers();

    QString m_casePath;
    QString m_sourceRoot;
    SitesModel* m_sites = nullptr;
    QSortFilterProxyModel* m_sitesProxy = nullptr;
    QTableView* m_sitesView = nullptr;
    RowLinkMenu* m_sitesMenu = nullptr;
    std::vector<RowLinkMenu*> m_treeMenus; // one per call tree view
    QWidget* m_sitesPanel = nullptr;
    QComboBox* m_snapshotPicker = nullptr;
    QComboBox* m_basePicker = nullptr;
    QComboBox* m_sampleCombo = nullptr;
    QLineEdit* m_filter = nullptr;
    ProfileFilterBar* m_filterBar = nullptr;
    QLabel* m_sitesTitle = nullptr;
    CallTreeModel* m_tree = nullptr; // the focused function's callers
    CallTreeModel* m_callees = nullptr;
    CallTreeModel* m_topDown = nullptr;
    CallTreeModel* m_bottomUp = nullptr;
    QTreeView* m_treeView = nullptr;
    QTreeView* m_topDownView = nullptr;
    QTreeView* m_bottomUpView = nullptr;
    QTreeView* m_calleesView = nullptr;
    QLabel* m_treeTitle = nullptr;
    QCheckBox* m_invert = nullptr;
    FlameGraphView* m_flame = nullptr;
    QLineEdit* m_flameSearch = nullptr;
    QCheckBox* m_flameDiff = nullptr;
    QLabel* m_flameInfo = nullptr;
    QTabWidget* m_detailTabs = nullptr;
    QSplitter* m_detailSplit = nullptr;
    SourceView* m_source = nullptr;

    // The snapshot shown, as loaded: its profiles before and after the filter.
    std::shared_ptr<const SnapshotSites> m_loaded;
    std::shared_ptr<const CallTree> m_flameTree, m_flameDiffTree;
    qint64 m_snapshotId = 0;
    qint64 m_baseRequest = kPreviousBase;
    ProfileFilter m_profileFilter;
    QString m_treeFocus;
    bool m_focusPicked = false;

    JobTracker m_sitesJobs{this};
    JobTracker m_treeJobs{this};
    JobTracker m_sourceJobs{this};
};

} // namespace memscope::ui
