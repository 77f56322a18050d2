// SPDX-License-Identifier: GPL-3.0-or-later
// The shell of the workbench: menus and actions, the timeline above the tabs,
// settings, opening a case and importing into it, the status bar. Each tab is
// a page of its own (pages/).
#pragma once

#include "jobs/capture_job.h"
#include "jobs/case_overview.h"
#include "jobs/import_job.h"
#include "jobs/job_tracker.h"

#include <QMainWindow>
#include <stop_token>

class QAction;
class QDockWidget;
class QLabel;
class QProgressBar;
class QPushButton;
class QSplitter;
class QMenu;
class QTabWidget;
class QUndoStack;
class TestWorkbench;
class TestNavigation;

namespace memscope::ui {

class TimelineView;
class FindingsPanel;
class RetentionView;
class CompareView;
class AnnotationsView;
struct NoteOps;
class GoroutinesView;
class ConnectionsView;
class HeapPage;
class Navigator;
class ImportLog;
class CaseWatch;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a case (created when missing). Loading runs in the background;
    // caseLoaded() fires when the timeline is filled.
    void openCase(const QString& path);
    void importPaths(const QStringList& paths);
    // Opens a heap snapshot on the timeline and in the allocation sites;
    // "what changed" compares it with `baseSnapshotId` (a range's start),
    // else with the capture before it.
    void selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId = 0);

    QString casePath() const { return m_casePath; }
    bool isBusy() const;
    // Adds a note to the open case and redraws; false when there is no case.
    bool addAnnotation(const Annotation& note);
    // Opens the note dialog for a site of the picked snapshot.
    void annotateSite(const QString& function);
    // Edits a note (one undoable step).
    void replaceAnnotation(const Annotation& before, const Annotation& after);
    void setDarkTheme(bool dark) { applyTheme(dark); }

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
    void showEvent(QShowEvent* event) override;

private:
    // The tests look at the pages as the user would.
    friend class ::TestWorkbench;
    friend class ::TestNavigation;
    TimelineView* timeline() const { return m_timeline; }
    HeapPage* heapPage() const { return m_heap; }
    QUndoStack* undoStack() const { return m_undo; }
    AnnotationsView* annotationsView() const { return m_notes; }
    FindingsPanel* findingsPanel() const { return m_findings; }
    RetentionView* retentionView() const { return m_retention; }
    CompareView* compareView() const { return m_compare; }
    QTabWidget* tabs() const { return m_tabs; }
    GoroutinesView* goroutinesView() const { return m_goroutines; }
    ConnectionsView* connectionsView() const { return m_connections; }

    void buildMenus();
    // Back/Forward, links between views, the maximized view (main_window_navigation.cpp).
    void buildNavigation();
    void setViewMaximized(bool on);
    void buildCentral();
    void refreshOverview();
    void showOverview(CaseOverview o);
    void showImportReport(const ImportReport& r);
    void rebuildRecentMenu();
    void addRecent(const QString& path);
    void setBusy(const QString& what, bool cancellable);
    void setIdle(const QString& message);
    bool ensureCase();
    void chooseAndOpenCase();
    void newCase();
    void chooseFilesToImport();
    void chooseFolderToImport();
    void captureFromService();
    void exportReport();
    void exportChart();
    void annotateAt(qint64 timeNs);
    void applyTheme(bool dark);
    // Opens a capture a timeline panel's point came from on the tab it belongs to.
    void openCapture(qint64 snapshotId);
    // Keeps the window on its screen: no bigger than its available area, and inside it.
    void fitToScreen();
    // Gives the timeline back its room when the splitter left it too short.
    void showTimeline();
    NoteOps noteOps();
    void refreshAnnotations(CaseStore& store);
    // Help: every shortcut of the window's actions, and a first walk through.
    void showShortcuts();
    void showGettingStarted();

    QString m_casePath;
    TimelineView* m_timeline = nullptr;
    HeapPage* m_heap = nullptr;
    Navigator* m_navigator = nullptr;
    QAction* m_maximize = nullptr;
    QSplitter* m_vsplit = nullptr;
    QTabWidget* m_tabs = nullptr;
    FindingsPanel* m_findings = nullptr;
    RetentionView* m_retention = nullptr;
    CompareView* m_compare = nullptr;
    GoroutinesView* m_goroutines = nullptr;
    ConnectionsView* m_connections = nullptr;
    AnnotationsView* m_notes = nullptr;
    ImportLog* m_importLog = nullptr;
    QDockWidget* m_importDock = nullptr;
    CaseWatch* m_watch = nullptr; // another process writing the case
    bool m_loaded = false;        // the open case has been shown once
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QUndoStack* m_undo = nullptr;
    qint64 m_rangeFromNs = 0, m_rangeToNs = 0;
    bool m_dark = false;
    std::vector<SnapshotInfo> m_snapshots; // the open case's, for the timeline's clicks
    bool m_splitRestored = false;          // the timeline/tabs split came from the settings

    // Background work: a result that a newer request overtook is dropped.
    JobTracker m_overviewJobs{this};
    JobTracker m_importJobs{this};
    JobTracker m_captureJobs{this}; // File > Capture from Service, stopped by Cancel
    bool m_capturing = false;       // a reload after a round keeps Cancel in sight
    std::stop_source m_importStop;
};

} // namespace memscope::ui
