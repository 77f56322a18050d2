// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/calltree.h"
#include "analysis/detect/detect.h"
#include "model/profile.h"
#include "analysis/series/series.h"
#include "analysis/profile/top.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <memory>
#include <unordered_map>
#include <stop_token>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QCheckBox;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTreeView;
class QMenu;
class QTabWidget;
class QUndoStack;

namespace memscope::ui {

class TimelineView;
class SitesModel;
class CallTreeModel;
class FindingsPanel;
class RetentionView;
class CompareView;
class FlameGraphView;
class AnnotationsView;
struct NoteOps;
class GoroutinesView;
class ConnectionsView;
class SourceView;
struct SourceContent;

// What opening a case loads, off the GUI thread.
struct CaseOverview {
    QString path;
    QString error;
    std::vector<Series> series;
    std::vector<SnapshotInfo> snapshots;
    QString summary;
    std::vector<Finding> findings;
    std::vector<Annotation> annotations;
};

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

struct ImportReport {
    int imported = 0, duplicate = 0, skipped = 0, failed = 0;
    bool cancelled = false;
    QStringList problems; // one line per failed or skipped file
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a case (created when missing). Loading runs in the background;
    // caseLoaded() fires when the timeline is filled.
    void openCase(const QString& path);
    void importPaths(const QStringList& paths);
    // Opens a heap snapshot; "what changed" compares it with `baseSnapshotId`
    // (a range's start), else with the capture before it.
    void selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId = 0);
    // Opens the call tree of a site (function name) in the current snapshot.
    // `picked`: the user chose it, so the flame graph zooms to it and the
    // source pane follows.
    void showCallTree(const QString& function, bool picked = true);
    // Opens a function's source lines (values, text under the source root,
    // escape notes) in the source pane.
    void showSource(const QString& function);
    void setSourceRoot(const QString& dir);
    QString sourceRoot() const { return m_sourceRoot; }

    QString casePath() const { return m_casePath; }
    TimelineView* timeline() const { return m_timeline; }
    QTableView* sitesView() const { return m_sitesView; }
    SitesModel* sitesModel() const { return m_sites; }
    QTreeView* callTreeView() const { return m_treeView; }
    CallTreeModel* callTreeModel() const { return m_tree; }
    bool isBusy() const;
    // Adds a note to the open case and redraws; false when there is no case.
    bool addAnnotation(const Annotation& note);
    // Opens the note dialog for a site of the picked snapshot.
    void annotateSite(const QString& function);
    // Edits a note (one undoable step).
    void replaceAnnotation(const Annotation& before, const Annotation& after);
    QUndoStack* undoStack() const { return m_undo; }
    void setDarkTheme(bool dark) { applyTheme(dark); }
    AnnotationsView* annotationsView() const { return m_notes; }
    FindingsPanel* findingsPanel() const { return m_findings; }
    RetentionView* retentionView() const { return m_retention; }
    CompareView* compareView() const { return m_compare; }
    QTabWidget* tabs() const { return m_tabs; }
    FlameGraphView* flameGraph() const { return m_flame; }
    GoroutinesView* goroutinesView() const { return m_goroutines; }
    ConnectionsView* connectionsView() const { return m_connections; }
    SourceView* sourceView() const { return m_source; }
    QCheckBox* flameDiffToggle() const { return m_flameDiff; }

signals:
    void caseLoaded();
    void sitesLoaded();
    void callTreeLoaded();
    void sourceLoaded();
    void importFinished();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildCentral();
    void refreshOverview();
    void recomputeSites();
    void rebuildRecentMenu();
    void addRecent(const QString& path);
    void setBusy(const QString& what, bool cancellable);
    void setIdle(const QString& message);
    bool ensureCase();
    void chooseAndOpenCase();
    void newCase();
    void chooseFilesToImport();
    void chooseFolderToImport();
    void exportReport();
    void exportChart();
    void annotateAt(qint64 timeNs);
    void showFlame();
    void applyTheme(bool dark);
    NoteOps noteOps();
    void refreshAnnotations(CaseStore& store);
    void chooseSourceRoot();

    QString m_casePath;
    TimelineView* m_timeline = nullptr;
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
    QSplitter* m_vsplit = nullptr;
    QTabWidget* m_tabs = nullptr;
    FindingsPanel* m_findings = nullptr;
    RetentionView* m_retention = nullptr;
    CompareView* m_compare = nullptr;
    QSplitter* m_hsplit = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QMenu* m_recentMenu = nullptr;
    FlameGraphView* m_flame = nullptr;
    AnnotationsView* m_notes = nullptr;
    QUndoStack* m_undo = nullptr;
    qint64 m_rangeFromNs = 0, m_rangeToNs = 0;
    bool m_dark = false;
    GoroutinesView* m_goroutines = nullptr;
    ConnectionsView* m_connections = nullptr;
    QLineEdit* m_flameSearch = nullptr;
    QCheckBox* m_flameDiff = nullptr;
    QLabel* m_flameInfo = nullptr;
    QTabWidget* m_detailTabs = nullptr;
    QSplitter* m_detailSplit = nullptr;
    SourceView* m_source = nullptr;
    QString m_sourceRoot;
    std::shared_ptr<const CallTree> m_flameTree, m_flameDiffTree;
    std::shared_ptr<const Profile> m_previousProfile;

    // Background work. A watcher follows only the latest future, so a result
    // that a newer request overtook is dropped.
    QFutureWatcher<CaseOverview> m_overviewWatcher;
    QFutureWatcher<SnapshotSites> m_sitesWatcher;
    QFutureWatcher<std::shared_ptr<const CallTree>> m_treeWatcher;
    QFutureWatcher<ImportReport> m_importWatcher;
    QFutureWatcher<std::shared_ptr<const SourceContent>> m_sourceWatcher;
    std::stop_source m_importStop;

    std::shared_ptr<const Profile> m_profile;
    qint64 m_snapshotId = 0;
    QString m_treeFocus;
    bool m_focusPicked = false;
};

} // namespace memscope::ui
