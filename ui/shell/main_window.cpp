// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the shell still holds the annotation wiring (its undo stack
// belongs to the Edit menu) and the routing of a clicked capture to its page;
// both are the next to move into pages/.
#include "shell/main_window.h"
#include "shell/help_dialogs.h"
#include "shell/navigator.h"
#include "shell/workbench.h"

#include "export/chart_export.h"
#include "export/export_chart_dialog.h"
#include "export/report_export.h"
#include "jobs/case_watch.h"
#include "pages/annotations_view.h"
#include "pages/compare_view.h"
#include "pages/connections_view.h"
#include "pages/findings_panel.h"
#include "pages/goroutines_view.h"
#include "pages/heap_page.h"
#include "pages/import_log.h"
#include "pages/retention_view.h"
#include "pages/timeline_view.h"
#include "report/report.h"
#include "store/case_store.h"
#include "widgets/table_copy.h"
#include "widgets/theme.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QShowEvent>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QUndoStack>
#include <algorithm>
#include <qcustomplot.h>

namespace memscope::ui {

namespace {

constexpr int kMaxRecent = 8;

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("memscope"));
    setAcceptDrops(true);
    m_undo = new QUndoStack(this);
    buildCentral();
    buildMenus();
    buildNavigation();
    if (QSettings().value("view/dark").toBool())
        applyTheme(true);

    connect(m_heap, &HeapPage::sitesLoaded, this, &MainWindow::sitesLoaded);
    connect(m_heap, &HeapPage::callTreeLoaded, this, &MainWindow::callTreeLoaded);
    connect(m_heap, &HeapPage::sourceLoaded, this, &MainWindow::sourceLoaded);

    QSettings settings;
    if (restoreGeometry(settings.value("window/geometry").toByteArray()))
        fitToScreen();
    m_splitRestored = m_vsplit->restoreState(settings.value("window/vsplit").toByteArray());
    showTimeline(); // a state saved before the timeline kept its height
    m_heap->restoreLayout(settings);
    setIdle(tr("Open a case (Ctrl+O) or import captures (Ctrl+I)"));
}

MainWindow::~MainWindow() {
    // The trackers wait for their jobs; an import stops at the next file or chunk.
    m_importStop.request_stop();
}

void MainWindow::showOverview(CaseOverview o) {
    if (o.path != m_casePath)
        return;
    if (!o.error.isEmpty()) {
        setIdle(tr("Could not open the case"));
        QMessageBox::warning(this, tr("Open case"), o.error);
        m_casePath.clear();
        return;
    }
    m_watch->watch(m_casePath); // a new case exists once its first load made it
    m_connections->setCase(m_casePath, o.snapshots, o.series);
    m_timeline->setSeries(std::move(o.series));
    if (m_dark)
        applyTheme(true); // the new panels too
    m_timeline->setAnnotations(o.annotations);
    m_notes->setAnnotations(o.annotations);
    m_tabs->setTabText(m_tabs->indexOf(m_notes),
                       o.annotations.empty() ? tr("Annotations")
                                             : tr("Annotations (%1)").arg(o.annotations.size()));
    bool anyFindings = !o.findings.empty();
    m_findings->setFindings(std::move(o.findings));
    m_tabs->setTabText(0, anyFindings ? tr("Findings (%1)").arg(m_findings->findings().size())
                                      : tr("Findings"));
    // The first look goes to the findings; a reload keeps the user's tab.
    if (anyFindings && !m_loaded)
        m_tabs->setCurrentIndex(0);
    m_loaded = true;
    m_retention->setCase(m_casePath, o.snapshots);
    m_snapshots = o.snapshots;
    m_compare->setCase(m_casePath, o.snapshots);
    m_goroutines->setCase(m_casePath, o.snapshots);
    m_heap->setSnapshots(o.snapshots);
    m_navigator->setSnapshots(o.snapshots);

    setIdle(o.summary);
    // Open the latest heap snapshot, so the tables are never empty.
    qint64 last = 0;
    for (const auto& s : o.snapshots)
        if (s.kind == SnapshotKind::Heap)
            last = s.id.value;
    if (last && !m_heap->snapshotId())
        selectSnapshot(last);
    else if (m_heap->snapshotId())
        m_timeline->markSnapshot(m_heap->snapshotId());
    emit caseLoaded();
}

void MainWindow::showImportReport(const ImportReport& r) {
    // The job always reports, cancelled or not: Cancel asks it to stop, and
    // it stops between files or inside one.
    QString msg = tr("Import %1: %2 imported, %3 duplicate, %4 skipped, %5 failed")
                      .arg(r.cancelled ? tr("cancelled") : tr("done"))
                      .arg(r.imported)
                      .arg(r.duplicate)
                      .arg(r.skipped)
                      .arg(r.failed);
    setIdle(msg);
    m_importLog->addBatch(r);
    // The log names each file; it opens by itself when one needs a look.
    bool notable =
        r.failed > 0 || r.skipped > 0 ||
        std::any_of(r.files.begin(), r.files.end(), [](const ImportedFile& f) { return f.warned; });
    // Failures are shown there, each with its reason, rather than in a box
    // that has to be dismissed before the case can be looked at.
    if (notable) {
        m_importDock->show();
        m_importDock->raise();
    }
    refreshOverview();
    emit importFinished();
}

void MainWindow::buildCentral() {
    m_timeline = new TimelineView(this);
    connect(m_timeline, &TimelineView::annotateRequested, this, &MainWindow::annotateAt);
    connect(m_timeline, &TimelineView::snapshotClicked, this, [this](qint64 id) {
        m_rangeFromNs = m_rangeToNs = 0;
        selectSnapshot(id);
        m_tabs->setCurrentIndex(1); // from a spike to its allocation sites
    });
    connect(m_timeline, &TimelineView::captureClicked, this, &MainWindow::openCapture);
    connect(m_timeline, &TimelineView::rangePicked, this,
            [this](qint64 first, qint64 last, qint64 fromNs, qint64 toNs) {
                m_rangeFromNs = fromNs;
                m_rangeToNs = toNs;
                selectSnapshot(last, first); // what changed across the range
                m_tabs->setCurrentIndex(1);
            });

    m_heap = new HeapPage(this);
    connect(m_heap, &HeapPage::annotateSiteRequested, this, &MainWindow::annotateSite);
    connect(m_heap, &HeapPage::statusMessage, this,
            [this](const QString& text) { m_status->setText(text); });
    m_findings = new FindingsPanel(this);
    connect(m_findings->list(), &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && size_t(row) < m_findings->findings().size()) {
            const Finding& f = m_findings->findings()[size_t(row)];
            // A connection leak forecasts the open files, not the hosts' lines drawn.
            m_timeline->showEvidence(f.series, f.kind == FindingKind::ConnectionLeak
                                                   ? std::vector<std::pair<std::string, double>>{}
                                                   : f.numbers);
        }
    });
    m_retention = new RetentionView(this);
    m_tabs = new QTabWidget(this);
    // The pages' own least heights (a chart over two tables) add up past what
    // a 1280x720 screen leaves once the import log is docked: the tabs take
    // this much at least, and a page shorter than its liking scrolls or squeezes.
    m_tabs->setMinimumHeight(240);
    m_tabs->addTab(m_findings, tr("Findings"));
    m_tabs->addTab(m_heap, tr("Allocation sites"));
    m_goroutines = new GoroutinesView(this);
    m_tabs->addTab(m_goroutines, tr("Goroutines"));
    m_connections = new ConnectionsView(this);
    m_tabs->addTab(m_connections, tr("Connections"));
    m_tabs->addTab(m_retention, tr("Retention (heap dumps)"));
    m_notes = new AnnotationsView(this);
    connect(m_notes, &AnnotationsView::addRequested, this, [this] { annotateAt(0); });
    connect(m_notes, &AnnotationsView::editRequested, this, [this](const Annotation& before) {
        Annotation after = before;
        if (editNoteDialog(this, tr("Edit note"), after))
            replaceAnnotation(before, after);
    });
    connect(m_notes, &AnnotationsView::deleteRequested, this, [this](const Annotation& note) {
        m_undo->push(new NoteCommand(noteOps(), note, std::nullopt));
    });
    m_compare = new CompareView(this);
    m_tabs->addTab(m_compare, tr("Side by side"));
    m_tabs->addTab(m_notes, tr("Annotations"));
    m_tabs->setCurrentIndex(1);
    // Copy on every table and tree, after the pages' own actions.
    for (auto* v : findChildren<QAbstractItemView*>())
        enableCopy(v);

    m_vsplit = new QSplitter(Qt::Vertical, this);
    m_vsplit->addWidget(m_timeline);
    m_vsplit->addWidget(m_tabs);
    // Neither half collapses: per widget, as a saved state restores only the
    // splitter's default. On a short window the timeline's panels scroll.
    m_vsplit->setCollapsible(0, false);
    m_vsplit->setCollapsible(1, false);
    setCentralWidget(m_vsplit);

    m_importLog = new ImportLog(this);
    m_importDock = new QDockWidget(tr("Import Log"), this);
    m_importDock->setObjectName("importLog");
    m_importDock->setWidget(m_importLog);
    for (auto* v : m_importLog->findChildren<QAbstractItemView*>())
        enableCopy(v);
    addDockWidget(Qt::BottomDockWidgetArea, m_importDock);
    m_importDock->hide();

    m_watch = new CaseWatch(this);
    connect(m_watch, &CaseWatch::changed, this, [this] {
        // An import of our own reloads when it ends; a load under way is redone.
        if (!m_importJobs.isRunning())
            refreshOverview();
    });

    m_status = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(240);
    m_cancel = new QPushButton(tr("Cancel"), this);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        // Only the stop token: cancelling the future itself would drop the
        // job's report, which the finished handler reads.
        m_importStop.request_stop();
        m_status->setText(tr("Cancelling…"));
    });
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    // Most of the screen: the timeline's panels and the tabs both need room.
    QRect avail = QGuiApplication::primaryScreen()
                      ? QGuiApplication::primaryScreen()->availableGeometry()
                      : QRect();
    resize(avail.isValid() ? std::min(1500, avail.width() * 9 / 10) : 1280,
           avail.isValid() ? std::min(1050, avail.height() * 9 / 10) : 860);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New Case…"), QKeySequence::New, this, &MainWindow::newCase);
    file->addAction(tr("&Open Case…"), QKeySequence::Open, this, &MainWindow::chooseAndOpenCase);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(tr("&Import Files…"), QKeySequence(Qt::CTRL | Qt::Key_I), this,
                    &MainWindow::chooseFilesToImport);
    file->addAction(tr("Import &Folder…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I), this,
                    &MainWindow::chooseFolderToImport);
    file->addAction(tr("&Capture from Service…"), this, &MainWindow::captureFromService);
    file->addSeparator();
    file->addAction(tr("Export &Report…"), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                    &MainWindow::exportReport);
    file->addAction(tr("Export &Chart…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                    &MainWindow::exportChart);
    file->addAction(tr("&Annotate…"), QKeySequence(Qt::CTRL | Qt::Key_T), this,
                    [this] { annotateAt(0); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Filter Sites"), QKeySequence::Find, this,
                    [this] { m_heap->focusFilter(); });
    view->addAction(tr("Reset Timeline Zoom"), QKeySequence(Qt::CTRL | Qt::Key_0), m_timeline,
                    &TimelineView::resetZoom);
    view->addAction(tr("Reload Case"), QKeySequence::Refresh, this, [this] { refreshOverview(); });
    // The panels this case has, each shown or hidden.
    QMenu* panels = view->addMenu(tr("Timeline &Panels"));
    connect(panels, &QMenu::aboutToShow, this, [this, panels] {
        panels->clear();
        const QStringList titles = m_timeline->availablePanels();
        if (titles.isEmpty())
            panels->addAction(tr("(none in this case)"))->setEnabled(false);
        // A submenu per panel, top to bottom: shown, Move Up, Move Down.
        for (const QString& title : titles)
            m_timeline->addPanelActions(panels->addMenu(m_timeline->panelHidden(title)
                                                            ? tr("%1 (hidden)").arg(title)
                                                            : title),
                                        title);
    });
    view->addSeparator();
    view->addAction(tr("&Source Root…"), QKeySequence(Qt::CTRL | Qt::Key_R), m_heap,
                    &HeapPage::chooseSourceRoot);
    view->addSeparator();
    // Alt+1.. goes to each tab.
    for (int i = 0; i < m_tabs->count() && i < 9; ++i) {
        QString name = m_tabs->tabText(i).section(" (", 0, 0);
        view->addAction(tr("Go to %1").arg(name), QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)),
                        this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addAction(tr("Go to Timeline"), QKeySequence(Qt::ALT | Qt::Key_0), this, [this] {
        showTimeline();
        m_timeline->setFocus();
    });
    view->addSeparator();
    QAction* log = m_importDock->toggleViewAction();
    log->setText(tr("Import &Log"));
    log->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    view->addAction(log);
    QAction* dark = view->addAction(tr("&Dark Theme"));
    dark->setCheckable(true);
    dark->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    dark->setChecked(QSettings().value("view/dark").toBool());
    connect(dark, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue("view/dark", on);
        applyTheme(on);
    });
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Getting Started"), QKeySequence::HelpContents, this,
                    &MainWindow::showGettingStarted);
    help->addAction(tr("&Keyboard Shortcuts"), QKeySequence(Qt::CTRL | Qt::Key_Slash), this,
                    &MainWindow::showShortcuts);
    help->addSeparator();
    help->addAction(tr("&About memscope"), this, [this] {
        QMessageBox::about(this, tr("About memscope"),
                           tr("<b>memscope %1</b><p>Memory forensics for Go services: heap "
                              "profiles over time, from a spike to its allocation site.</p>")
                               .arg(QStringLiteral(MEMSCOPE_VERSION)));
    });
    rebuildRecentMenu();
}

NoteOps MainWindow::noteOps() {
    NoteOps ops;
    ops.add = [this](const Annotation& note) -> AnnotationId {
        auto store = CaseStore::open(m_casePath.toStdString());
        if (!store) {
            QMessageBox::warning(this, tr("Annotate"),
                                 QString::fromStdString(store.error().toString()));
            return AnnotationId();
        }
        auto id = (*store)->addAnnotation(note);
        if (!id) {
            QMessageBox::warning(this, tr("Annotate"),
                                 QString::fromStdString(id.error().toString()));
            return AnnotationId();
        }
        refreshAnnotations(**store);
        return *id;
    };
    ops.remove = [this](AnnotationId id) {
        auto store = CaseStore::open(m_casePath.toStdString());
        if (!store)
            return false;
        bool ok = (*store)->removeAnnotation(id).ok();
        refreshAnnotations(**store);
        return ok;
    };
    return ops;
}

void MainWindow::refreshAnnotations(CaseStore& store) {
    auto read = store.annotations();
    if (!read) {
        setIdle(QString::fromStdString(read.error().toString()));
        return;
    }
    const auto& notes = *read;
    m_watch->sync(); // our own note is no news
    m_timeline->setAnnotations(notes);
    m_notes->setAnnotations(notes);
    m_tabs->setTabText(m_tabs->indexOf(m_notes), notes.empty()
                                                     ? tr("Annotations")
                                                     : tr("Annotations (%1)").arg(notes.size()));
}

void MainWindow::showShortcuts() { showShortcutsDialog(this); }

void MainWindow::showGettingStarted() { showGettingStartedDialog(this); }

bool MainWindow::addAnnotation(const Annotation& note) {
    if (m_casePath.isEmpty())
        return false;
    auto* cmd = new NoteCommand(noteOps(), std::nullopt, note);
    m_undo->push(cmd);
    if (cmd->failed()) {
        m_undo->undo();
        return false;
    }
    return true;
}

void MainWindow::annotateAt(qint64 timeNs) {
    if (m_casePath.isEmpty())
        return;
    Annotation note;
    if (timeNs == 0 && m_rangeToNs > m_rangeFromNs) {
        // From the menu with a range picked: a note on the range.
        note.timeNs = m_rangeFromNs;
        note.endNs = m_rangeToNs;
    } else if (timeNs == 0) {
        // From the menu: at the picked snapshot.
        auto store = CaseStore::open(m_casePath.toStdString(), true);
        if (store && m_heap->snapshotId())
            if (auto sn = (*store)->snapshot(SnapshotId(m_heap->snapshotId())); sn && *sn)
                note.timeNs = (*sn)->timeNs;
        if (note.timeNs == 0)
            return;
    } else {
        note.timeNs = timeNs;
    }
    if (editNoteDialog(this, tr("Annotate"), note))
        addAnnotation(note);
}

void MainWindow::replaceAnnotation(const Annotation& before, const Annotation& after) {
    if (!m_casePath.isEmpty())
        m_undo->push(new NoteCommand(noteOps(), before, after));
}

void MainWindow::annotateSite(const QString& function) {
    if (m_casePath.isEmpty() || !m_heap->snapshotId())
        return;
    auto store = CaseStore::open(m_casePath.toStdString(), true);
    if (!store)
        return;
    auto sn = (*store)->snapshot(SnapshotId(m_heap->snapshotId()));
    if (!sn) {
        setIdle(QString::fromStdString(sn.error().toString()));
        return;
    }
    if (!*sn)
        return;
    Annotation note;
    note.timeNs = (*sn)->timeNs;
    note.series = "heap_inuse_bytes{site=" + function.toStdString() + "}";
    if (editNoteDialog(this, tr("Annotate a site"), note))
        addAnnotation(note);
}

void MainWindow::exportReport() {
    if (m_casePath.isEmpty())
        return;
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export Report"), QFileInfo(m_casePath).baseName() + "-report.html",
        tr("HTML (*.html);;Markdown with PNG charts (*.md);;JSON (*.json)"));
    if (path.isEmpty())
        return;
    if (QString err = writeReport(m_casePath, path); !err.isEmpty()) {
        QMessageBox::warning(this, tr("Export Report"), err);
        return;
    }
    setIdle(tr("Wrote %1").arg(path));
}

void MainWindow::exportChart() {
    if (m_casePath.isEmpty())
        return;
    QStringList names;
    for (const auto& n : chartNames())
        names << QString::fromStdString(n);
    ExportChartDialog dialog(names, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString name = dialog.chart();
    QString path = QFileDialog::getSaveFileName(this, tr("Export Chart"), name + ".png",
                                                tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    auto store = CaseStore::open(m_casePath.toStdString(), true);
    if (!store)
        return;
    auto named = namedChart(**store, name.toStdString());
    if (!named) {
        QMessageBox::warning(this, tr("Export Chart"),
                             QString::fromStdString(named.error().toString()));
        return;
    }
    ChartSpec chart = std::move(*named);
    // What the timeline shows now: its zoomed range.
    auto range = m_timeline->plot()->xAxis->range();
    chart.fromNs = qint64(range.lower * 1e9);
    chart.toNs = qint64(range.upper * 1e9);
    chart.width = dialog.chartWidth();
    chart.height = dialog.chartHeight();
    chart.pixelRatio = dialog.pixelRatio();
    QString err = saveChart(chart, path);
    if (!err.isEmpty())
        QMessageBox::warning(this, tr("Export Chart"), err);
    else
        setIdle(tr("Wrote %1").arg(path));
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recentCases").toStringList();
    for (const QString& path : recent)
        m_recentMenu->addAction(path, this, [this, path] { openCase(path); });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::addRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recentCases").toStringList();
    QString abs = QFileInfo(path).absoluteFilePath();
    recent.removeAll(abs);
    recent.prepend(abs);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recentCases", recent);
    rebuildRecentMenu();
}

void MainWindow::openCase(const QString& path) {
    m_casePath = path;
    m_loaded = false;
    m_undo->clear();
    m_navigator->clear();
    m_rangeFromNs = m_rangeToNs = 0;
    m_heap->setCase(path);
    m_timeline->clear();
    m_timeline->showLoading(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    m_watch->watch({});
    setWindowTitle(tr("%1 — memscope").arg(QFileInfo(path).fileName()));
    addRecent(path);
    refreshOverview();
}

void MainWindow::refreshOverview() {
    if (m_casePath.isEmpty())
        return;
    if (!m_importJobs.isRunning())
        setBusy(tr("Loading %1…").arg(QFileInfo(m_casePath).fileName()), false);
    // What is loaded from here on is shown; commits after this are news.
    m_watch->sync();
    m_overviewJobs.start([path = m_casePath] { return loadOverview(path); },
                         [this](CaseOverview o) { showOverview(std::move(o)); });
}

void MainWindow::selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId) {
    if (m_casePath.isEmpty())
        return;
    m_timeline->markSnapshot(snapshotId);
    m_heap->selectSnapshot(snapshotId, baseSnapshotId ? baseSnapshotId : kPreviousBase);
    // The goroutines of that moment follow the timeline.
    for (const auto& s : m_snapshots)
        if (s.id.value == snapshotId)
            m_goroutines->showNearest(s.timeNs);
}

void MainWindow::openCapture(qint64 snapshotNumber) {
    const SnapshotId snapshotId(snapshotNumber);
    auto it = std::find_if(m_snapshots.begin(), m_snapshots.end(),
                           [&](const SnapshotInfo& s) { return s.id == snapshotId; });
    if (it == m_snapshots.end())
        return;
    // Each capture where it lives: a dump in Goroutines, a socket snapshot in
    // Connections, a heap dump in Retention, a heap profile in the allocation sites.
    const SnapshotKind kind = it->kind;
    if (kind == SnapshotKind::Goroutines) {
        m_goroutines->showSnapshot(snapshotId);
        m_tabs->setCurrentWidget(m_goroutines);
    } else if (kind == SnapshotKind::Fds) {
        m_connections->showSnapshot(snapshotId);
        m_tabs->setCurrentWidget(m_connections);
    } else if (kind == SnapshotKind::HeapDump) {
        m_retention->showSnapshot(snapshotId);
        m_tabs->setCurrentWidget(m_retention);
    } else if (kind == SnapshotKind::Heap || kind == SnapshotKind::Allocs ||
               kind == SnapshotKind::AllocsDelta) {
        m_rangeFromNs = m_rangeToNs = 0;
        selectSnapshot(snapshotNumber);
        m_tabs->setCurrentWidget(m_heap);
    } else {
        QString kindName = QLatin1String(toString(it->kind));
        m_status->setText(tr("Snapshot %1 (%2, %3) has no page of its own")
                              .arg(snapshotNumber)
                              .arg(kindName, QString::fromStdString(it->sourceName)));
    }
}

void MainWindow::applyTheme(bool dark) {
    QPalette p = applyPalette(dark);
    for (auto* plot : findChildren<QCustomPlot*>())
        stylePlot(plot, p);
    m_findings->themeChanged();
    m_dark = dark;
}

void MainWindow::fitToScreen() {
    // A geometry saved on a bigger screen (or a window that outgrew this one)
    // would put the status bar and half of each tab off-screen.
    QScreen* s = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!s)
        return;
    if (isMaximized() || isFullScreen())
        return;
    QRect avail = s->availableGeometry();
    QRect frame = frameGeometry(), inner = geometry();
    QMargins decoration(inner.left() - frame.left(), inner.top() - frame.top(),
                        frame.right() - inner.right(), frame.bottom() - inner.bottom());
    if (decoration.isNull()) {
        // Not shown yet: the frame is the window manager's; leave room for a usual one.
        int border = style()->pixelMetric(QStyle::PM_MdiSubWindowFrameWidth);
        int title = style()->pixelMetric(QStyle::PM_TitleBarHeight);
        decoration = QMargins(border, title + border, border, border);
    }
    QRect room = avail - decoration;
    QSize fit = inner.size().boundedTo(room.size()).expandedTo(minimumSizeHint());
    int right = std::max(room.left(), room.right() - fit.width() + 1);
    int bottom = std::max(room.top(), room.bottom() - fit.height() + 1);
    setGeometry(QRect(QPoint(std::clamp(inner.left(), room.left(), right),
                             std::clamp(inner.top(), room.top(), bottom)),
                      fit));
}

void MainWindow::showTimeline() {
    QList<int> sizes = m_vsplit->sizes();
    int least = m_timeline->minimumSizeHint().height();
    if (sizes.size() == 2 && sizes[0] < std::max(least, TimelineView::kMinimumHeight)) {
        int total = sizes[0] + sizes[1];
        int top = std::max(total * 55 / 100, TimelineView::kMinimumHeight);
        m_vsplit->setSizes({top, std::max(0, total - top)});
    }
}

bool MainWindow::isBusy() const {
    return m_importJobs.isRunning() || m_overviewJobs.isRunning() || m_heap->isBusy();
}

bool MainWindow::ensureCase() {
    if (!m_casePath.isEmpty())
        return true;
    newCase();
    return !m_casePath.isEmpty();
}

void MainWindow::newCase() {
    QString path = QFileDialog::getSaveFileName(this, tr("New case"), QString(),
                                                tr("memscope cases (*.memscope)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(".memscope"))
        path += ".memscope";
    openCase(path);
}

void MainWindow::chooseAndOpenCase() {
    QString path = QFileDialog::getOpenFileName(this, tr("Open case"), QString(),
                                                tr("memscope cases (*.memscope);;All files (*)"));
    if (!path.isEmpty())
        openCase(path);
}

void MainWindow::chooseFilesToImport() {
    QStringList files = QFileDialog::getOpenFileNames(this, tr("Import captures"));
    if (!files.isEmpty())
        importPaths(files);
}

void MainWindow::chooseFolderToImport() {
    QString dir = QFileDialog::getExistingDirectory(this, tr("Import a folder of captures"));
    if (!dir.isEmpty())
        importPaths({dir});
}

void MainWindow::captureFromService() {
    if (!ensureCase())
        return;
    if (m_importJobs.isRunning() || m_captureJobs.isRunning()) {
        QMessageBox::information(this, tr("Capture"),
                                 tr("An import or a capture is already running."));
        return;
    }
    CaptureDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const CaptureRequest request = dialog.request();
    m_importStop = std::stop_source();
    std::stop_token stop = m_importStop.get_token();
    const QString casePath = m_casePath;
    setBusy(tr("Capturing from %1…").arg(QString::fromStdString(request.options.url)), true);
    m_capturing = true;
    m_progress->setRange(0, 0);
    // Each round commits on the job's own connection: the case watch sees it
    // and the timeline and findings reload after every round.
    m_captureJobs.start(
        [casePath, request, stop, this](const JobHandle& job) {
            return runCapture(
                casePath, request, stop,
                [&job, this](int round, quint64 bytes, const QString& last) {
                    job.post([this, round, bytes, last] {
                        m_status->setText(
                            tr("Capturing: round %1, %2 MiB%3")
                                .arg(round)
                                .arg(double(bytes) / (1 << 20), 0, 'f', 1)
                                .arg(last.isEmpty()
                                         ? QString()
                                         : tr("; last warning: %1").arg(last.left(120))));
                    });
                });
        },
        [this](const CaptureReport& r) {
            m_capturing = false;
            setIdle(tr("Capture: %1 round(s), %2 snapshot(s)%3")
                        .arg(r.rounds)
                        .arg(r.snapshots)
                        .arg(r.stopped ? tr(", stopped") : QString()));
            if (!r.error.isEmpty())
                QMessageBox::warning(this, tr("Capture"), r.error);
            else if (!r.warnings.isEmpty() && r.snapshots == 0)
                QMessageBox::warning(this, tr("Capture"),
                                     tr("Nothing was captured:\n\n") +
                                         r.warnings.mid(0, 12).join("\n"));
        });
}

void MainWindow::importPaths(const QStringList& paths) {
    if (paths.isEmpty() || !ensureCase())
        return;
    if (m_importJobs.isRunning()) {
        QMessageBox::information(this, tr("Import"), tr("An import is already running."));
        return;
    }
    m_importStop = std::stop_source();
    std::stop_token stop = m_importStop.get_token();
    std::vector<std::string> list;
    for (const auto& p : paths)
        list.push_back(p.toStdString());
    QString casePath = m_casePath;
    setBusy(tr("Importing…"), true);
    // The job only carries `this` to the progress it posts back, which
    // reaches the window on its own thread, while it exists.
    m_importJobs.start(
        [casePath, list, stop, this](const JobHandle& job) {
            return runImport(casePath, list, stop, [&job, this](int perMille, const QString& what) {
                job.post([this, perMille, what] {
                    m_progress->setValue(perMille);
                    m_status->setText(what);
                });
            });
        },
        [this](const ImportReport& r) { showImportReport(r); });
}

void MainWindow::setBusy(const QString& what, bool cancellable) {
    m_status->setText(what);
    m_progress->setVisible(true);
    m_progress->setRange(0, cancellable ? 1000 : 0);
    m_progress->setValue(0);
    m_cancel->setVisible(cancellable || m_capturing); // a load during a capture keeps its Cancel
}

void MainWindow::setIdle(const QString& message) {
    m_status->setText(message);
    if (m_capturing)
        return; // the case reloaded after a round: the capture goes on, and Cancel stops it
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    // A dropped case opens; captures are imported.
    if (paths.size() == 1 && paths.front().endsWith(".memscope")) {
        openCase(paths.front());
    } else {
        importPaths(paths);
    }
    event->acceptProposedAction();
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (m_splitRestored || event->spontaneous())
        return;
    // The first time, most of the height goes to the timeline. Set before the
    // window is shown, the split would follow the halves' size hints instead,
    // and the timeline's scroll area hints little.
    m_splitRestored = true;
    int total = m_vsplit->height() - m_vsplit->handleWidth();
    int tabs = std::max(m_tabs->minimumSizeHint().height(), total * 38 / 100);
    m_vsplit->setSizes({std::max(TimelineView::kMinimumHeight, total - tabs), tabs});
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/vsplit", m_vsplit->saveState());
    m_heap->saveLayout(settings);
    QMainWindow::closeEvent(event);
}

int runWorkbench(int& argc, char** argv, const QString& casePath) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("memscope");
    QApplication::setApplicationName("memscope");
    QApplication::setApplicationVersion(MEMSCOPE_VERSION);
    QApplication::setWindowIcon(QIcon(":/memscope/memscope.png"));
    MainWindow w;
    w.show();
    if (!casePath.isEmpty())
        w.openCase(casePath);
    return app.exec();
}

} // namespace memscope::ui
