// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/annotations_view.h"
#include "models/sort_proxy.h"
#include "widgets/table_copy.h"
#include "pages/connections_view.h"
#include "widgets/flame_graph.h"
#include "pages/goroutines_view.h"
#include "pages/source_view.h"
#include "shell/main_window.h"
#include "io/output_file.h"
#include "shell/workbench.h"

#include "models/call_tree_model.h"
#include "import/capture_time.h"
#include "export/chart_export.h"
#include "report/report.h"
#include "pages/findings_panel.h"
#include "pages/retention_view.h"
#include "pages/compare_view.h"
#include "store/case_store.h"
#include "base/format.h"
#include "import/import_batch.h"
#include "models/sites_model.h"
#include "pages/timeline_view.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QGuiApplication>
#include <QScrollArea>
#include <QUndoStack>
#include <QFileDialog>
#include <QInputDialog>
#include <QScreen>
#include <qcustomplot.h>
#include <QListWidget>
#include <QTabWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace memscope::ui {

namespace {

constexpr int kMaxRecent = 8;

CaseOverview loadOverview(const QString& path) {
    CaseOverview o;
    o.path = path;
    auto store = CaseStore::open(path.toStdString());
    // A case that cannot be written (a read-only file, folder or mount)
    // still opens, to read.
    if (!store)
        if (auto readOnly = CaseStore::open(path.toStdString(), /*readOnly=*/true))
            store = std::move(readOnly);
    if (!store) {
        o.error = QString::fromStdString(store.error().toString());
        return o;
    }
    // A read that fails is said, not shown as an empty case.
    auto failed = [&](const Error& e) {
        o.error = QString::fromStdString(e.toString());
        return o;
    };
    auto snapshots = (*store)->snapshots();
    if (!snapshots)
        return failed(snapshots.error());
    auto series = allSeries(**store);
    if (!series)
        return failed(series.error());
    auto findings = detectFindings(**store);
    if (!findings)
        return failed(findings.error());
    auto annotations = (*store)->annotations();
    if (!annotations)
        return failed(annotations.error());
    o.snapshots = std::move(*snapshots);
    o.series = std::move(*series);
    o.findings = std::move(*findings);
    o.annotations = std::move(*annotations);
    int heaps = 0;
    for (const auto& s : o.snapshots)
        heaps += s.kind == "heap";
    o.summary = QObject::tr("%1: %2 snapshots, %3 heap profiles")
                    .arg(QFileInfo(path).fileName())
                    .arg(o.snapshots.size())
                    .arg(heaps);
    if ((*store)->readOnly())
        o.summary += QObject::tr(" (read-only: notes cannot be saved)");
    return o;
}

// The flame graph's trees for the chosen sample type: the snapshot's, and its
// diff against the previous capture when that has the same type.
void fillFlames(SnapshotSites& r) {
    if (!r.profile || r.sampleIndex < 0)
        return;
    auto now = std::make_shared<const CallTree>(buildCallTree(*r.profile, r.sampleIndex, ""));
    r.flame = now;
    if (r.previousProfile) {
        int pi = r.previousProfile->sampleIndex(r.profile->sampleTypes[size_t(r.sampleIndex)].type);
        if (pi >= 0)
            r.flameDiff = std::make_shared<const CallTree>(
                diffCallTrees(buildCallTree(*r.previousProfile, pi, ""), *now));
    }
}

SnapshotSites loadSites(const QString& path, qint64 snapshotId, const QString& sample, qint64 baseId) {
    SnapshotSites r;
    r.snapshotId = snapshotId;
    auto store = CaseStore::open(path.toStdString(), /*readOnly=*/true);
    if (!store) {
        r.error = QString::fromStdString(store.error().toString());
        return r;
    }
    auto p = (*store)->loadProfile(snapshotId);
    if (!p) {
        r.error = QString::fromStdString(p.error().toString());
        return r;
    }
    auto profile = std::make_shared<const Profile>(std::move(*p));
    r.sampleIndex = sample.isEmpty() ? -1 : profile->sampleIndex(sample.toStdString());
    if (r.sampleIndex < 0)
        r.sampleIndex = profile->defaultSampleIndex();
    r.top = std::make_shared<const TopResult>(computeTop(*profile, r.sampleIndex));
    // What changed since the previous capture of the same kind and target.
    auto found = (*store)->snapshot(snapshotId);
    if (!found) {
        r.error = QString::fromStdString(found.error().toString());
        return r;
    }
    if (const auto& me = *found) {
        const SnapshotInfo* prev = nullptr;
        auto timed = timeline(**store, me->kind);
        // A picked range compares its ends; a point, with the capture before it.
        auto foundBase = baseId ? (*store)->snapshot(baseId) : std::optional<SnapshotInfo>();
        if (!timed || !foundBase) {
            r.error = QString::fromStdString((!timed ? timed.error() : foundBase.error()).toString());
            return r;
        }
        const auto& line = *timed;
        const auto& base = *foundBase;
        if (base)
            prev = &*base;
        else
            for (const auto& s : line)
                if (s.targetId == me->targetId && s.timeNs < me->timeNs)
                    prev = &s;
        if (prev) {
            if (auto pp = (*store)->loadProfile(prev->id)) {
                std::string type = profile->sampleTypes[size_t(r.sampleIndex)].type;
                int pi = pp->sampleIndex(type);
                if (pi >= 0) {
                    TopResult before = computeTop(*pp, pi);
                    auto base = std::make_shared<std::unordered_map<std::string, int64_t>>();
                    for (const auto& row : before.rows)
                        (*base)[row.function] = row.flat;
                    const TopRow* most = nullptr;
                    int64_t mostDelta = 0;
                    for (const auto& row : r.top->rows) {
                        auto it = base->find(row.function);
                        int64_t d = row.flat - (it == base->end() ? 0 : it->second);
                        if (std::llabs(d) > std::llabs(mostDelta)) {
                            mostDelta = d;
                            most = &row;
                        }
                    }
                    auto sign = [&](int64_t v) {
                        return QString::fromStdString((v >= 0 ? "+" : "-") + formatValue(std::llabs(v), r.top->unit));
                    };
                    r.changed = QObject::tr("since snapshot %1 (%2): %3")
                                    .arg(prev->id)
                                    .arg(QString::fromStdString(formatTimeIso(prev->timeNs)))
                                    .arg(sign(r.top->total - before.total));
                    if (most)
                        r.changed += QObject::tr("; most changed: %1 %2")
                                         .arg(QString::fromStdString(most->function), sign(mostDelta));
                    r.previous = std::move(base);
                    r.previousProfile = std::make_shared<const Profile>(std::move(*pp));
                }
            }
        }
    }
    r.profile = std::move(profile);
    fillFlames(r);
    return r;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("memscope"));
    setAcceptDrops(true);
    m_undo = new QUndoStack(this);
    buildCentral();
    buildMenus();
    if (QSettings().value("view/dark").toBool())
        applyTheme(true);

    connect(&m_overviewWatcher, &QFutureWatcher<CaseOverview>::finished, this, [this] {
        CaseOverview o = m_overviewWatcher.result();
        if (o.path != m_casePath)
            return;
        if (!o.error.isEmpty()) {
            setIdle(tr("Could not open the case"));
            QMessageBox::warning(this, tr("Open case"), o.error);
            m_casePath.clear();
            return;
        }
        m_connections->setCase(m_casePath, o.snapshots, o.series);
        m_timeline->setSeries(std::move(o.series));
        if (m_dark)
            applyTheme(true); // the new panels too
        m_timeline->setAnnotations(o.annotations);
        m_notes->setAnnotations(o.annotations);
        m_tabs->setTabText(m_tabs->indexOf(m_notes), o.annotations.empty()
                                                         ? tr("Annotations")
                                                         : tr("Annotations (%1)").arg(o.annotations.size()));
        bool anyFindings = !o.findings.empty();
        m_findings->setFindings(std::move(o.findings));
        m_tabs->setTabText(0, anyFindings ? tr("Findings (%1)").arg(m_findings->findings().size()) : tr("Findings"));
        if (anyFindings)
            m_tabs->setCurrentIndex(0);
        m_retention->setCase(m_casePath, o.snapshots);
        m_compare->setCase(m_casePath, o.snapshots);
        m_goroutines->setCase(m_casePath, o.snapshots);

        setIdle(o.summary);
        // Open the latest heap snapshot, so the tables are never empty.
        qint64 last = 0;
        for (const auto& s : o.snapshots)
            if (s.kind == "heap")
                last = s.id;
        if (last && !m_snapshotId)
            selectSnapshot(last);
        else if (m_snapshotId)
            m_timeline->markSnapshot(m_snapshotId);
        emit caseLoaded();
    });
    connect(&m_sitesWatcher, &QFutureWatcher<SnapshotSites>::finished, this, [this] {
        SnapshotSites r = m_sitesWatcher.result();
        if (r.snapshotId != m_snapshotId)
            return;
        if (!r.error.isEmpty()) {
            m_sitesTitle->setText(r.error);
            return;
        }
        m_profile = r.profile;
        m_previousProfile = r.previousProfile;
        m_flameTree = r.flame;
        m_flameDiffTree = r.flameDiff;
        showFlame();
        {
            QSignalBlocker block(m_sampleCombo);
            m_sampleCombo->clear();
            for (const auto& t : m_profile->sampleTypes)
                m_sampleCombo->addItem(QString::fromStdString(t.type));
            m_sampleCombo->setCurrentIndex(r.sampleIndex);
        }
        m_sites->setResult(r.top, r.previous);
        // With a previous capture, rank by what changed: the drill-down from a spike.
        m_sitesView->sortByColumn(r.previous ? SitesModel::Delta : SitesModel::Flat, Qt::DescendingOrder);
        m_sitesTitle->setText(tr("Snapshot %1 — %2 total %3, %4 functions%5")
                                  .arg(r.snapshotId)
                                  .arg(QString::fromStdString(r.top->sample))
                                  .arg(QString::fromStdString(formatValue(r.top->total, r.top->unit)))
                                  .arg(r.top->rows.size())
                                  .arg(r.changed.isEmpty() ? QString() : "; " + r.changed));
        // Keep the call tree on the site the user picked; else show the biggest site's.
        if (m_treeFocus.isEmpty() && !r.top->rows.empty() && r.top->rows.front().flat > 0) {
            m_treeFocus = QString::fromStdString(r.top->rows.front().function);
            m_focusPicked = false; // ours, not the user's: the flame graph stays whole
        }
        if (!m_treeFocus.isEmpty())
            showCallTree(m_treeFocus, m_focusPicked);
        emit sitesLoaded();
    });
    connect(&m_treeWatcher, &QFutureWatcher<std::shared_ptr<const CallTree>>::finished, this, [this] {
        auto tree = m_treeWatcher.result();
        m_tree->setTree(tree);
        m_treeView->expandToDepth(2);
        m_treeView->resizeColumnToContents(CallTreeModel::Function);
        m_treeTitle->setText(tr("Call tree of %1 — %2 through it")
                                 .arg(m_treeFocus, QString::fromStdString(formatValue(tree->total, tree->unit))));
        emit callTreeLoaded();
    });
    connect(&m_sourceWatcher, &QFutureWatcher<std::shared_ptr<const SourceContent>>::finished, this, [this] {
        m_source->setContent(m_sourceWatcher.result());
        emit sourceLoaded();
    });
    connect(&m_importWatcher, &QFutureWatcher<ImportReport>::progressValueChanged, this,
            [this](int v) { m_progress->setValue(v); });
    connect(&m_importWatcher, &QFutureWatcher<ImportReport>::progressTextChanged, this,
            [this](const QString& t) { m_status->setText(t); });
    connect(&m_importWatcher, &QFutureWatcher<ImportReport>::finished, this, [this] {
        // The job always reports, cancelled or not (Cancel asks it to stop
        // and it stops between files or inside one); a future without a
        // result is still read as a cancelled import, never dereferenced.
        ImportReport r;
        if (m_importWatcher.future().resultCount() > 0)
            r = m_importWatcher.result();
        else
            r.cancelled = true;
        QString msg = tr("Import %1: %2 imported, %3 duplicate, %4 skipped, %5 failed")
                          .arg(r.cancelled ? tr("cancelled") : tr("done"))
                          .arg(r.imported)
                          .arg(r.duplicate)
                          .arg(r.skipped)
                          .arg(r.failed);
        setIdle(msg);
        if (r.failed > 0)
            QMessageBox::warning(this, tr("Import"),
                                 msg + "\n\n" + r.problems.join("\n"));
        refreshOverview();
        emit importFinished();
    });

    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    m_vsplit->restoreState(settings.value("window/vsplit").toByteArray());
    m_hsplit->restoreState(settings.value("window/hsplit").toByteArray());
    m_detailSplit->restoreState(settings.value("window/detailsplit").toByteArray());
    setIdle(tr("Open a case (Ctrl+O) or import captures (Ctrl+I)"));
}

MainWindow::~MainWindow() {
    m_importStop.request_stop();
    m_importWatcher.waitForFinished();
    m_overviewWatcher.waitForFinished();
    m_sitesWatcher.waitForFinished();
    m_treeWatcher.waitForFinished();
    m_sourceWatcher.waitForFinished();
}

void MainWindow::buildCentral() {
    m_timeline = new TimelineView(this);
    connect(m_timeline, &TimelineView::annotateRequested, this, &MainWindow::annotateAt);
    connect(m_timeline, &TimelineView::snapshotClicked, this, [this](qint64 id) {
        m_rangeFromNs = m_rangeToNs = 0;
        selectSnapshot(id);
        m_tabs->setCurrentIndex(1); // from a spike to its allocation sites
    });
    connect(m_timeline, &TimelineView::rangePicked, this, [this](qint64 first, qint64 last, qint64 fromNs, qint64 toNs) {
        m_rangeFromNs = fromNs;
        m_rangeToNs = toNs;
        selectSnapshot(last, first); // what changed across the range
        m_tabs->setCurrentIndex(1);
    });

    auto* sitesPanel = new QWidget(this);
    auto* sl = new QVBoxLayout(sitesPanel);
    sl->setContentsMargins(4, 4, 4, 4);
    m_sitesTitle = new QLabel(tr("Click a point on the timeline to open its allocation sites"), this);
    m_sitesTitle->setTextFormat(Qt::PlainText);
    auto* bar = new QHBoxLayout;
    m_sampleCombo = new QComboBox(this);
    m_sampleCombo->setToolTip(tr("Sample type"));
    m_sampleCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_sampleCombo->setMinimumContentsLength(13);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter functions (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    bar->addWidget(new QLabel(tr("Sample:"), this));
    bar->addWidget(m_sampleCombo);
    bar->addWidget(m_filter, 1);
    m_sites = new SitesModel(this);
    m_sitesProxy = new RoleSortProxy(SitesModel::SortRole, this);
    m_sitesProxy->setSourceModel(m_sites);
    m_sitesProxy->setFilterKeyColumn(SitesModel::Function);
    m_sitesProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_sitesView = new QTableView(this);
    m_sitesView->setModel(m_sitesProxy);
    m_sitesView->setSortingEnabled(true);
    m_sitesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sitesView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sitesView->verticalHeader()->hide();
    m_sitesView->horizontalHeader()->setStretchLastSection(true);
    m_sitesView->horizontalHeader()->setSectionResizeMode(SitesModel::Function, QHeaderView::Interactive);
    m_sitesView->setColumnWidth(SitesModel::Function, 320);
    m_sitesView->setWordWrap(false);
    m_sitesView->setToolTip(tr("Double-click a site to open its call tree"));
    sl->addWidget(m_sitesTitle);
    sl->addLayout(bar);
    sl->addWidget(m_sitesView, 1);
    connect(m_filter, &QLineEdit::textChanged, m_sitesProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_sampleCombo, &QComboBox::currentIndexChanged, this, [this] { recomputeSites(); });
    connect(m_sitesView, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
        QModelIndex src = m_sitesProxy->mapToSource(idx);
        if (auto r = m_sites->result(); r && src.isValid())
            showCallTree(QString::fromStdString(r->rows[size_t(src.row())].function));
    });

    auto* treePanel = new QWidget(this);
    auto* tl = new QVBoxLayout(treePanel);
    tl->setContentsMargins(4, 4, 4, 4);
    m_treeTitle = new QLabel(tr("Double-click a site to see who calls it"), this);
    m_treeTitle->setTextFormat(Qt::PlainText);
    m_invert = new QCheckBox(tr("Site first (callers below it)"), this);
    connect(m_invert, &QCheckBox::toggled, this, [this] {
        if (!m_treeFocus.isEmpty())
            showCallTree(m_treeFocus);
    });
    m_tree = new CallTreeModel(this);
    m_treeView = new QTreeView(this);
    m_treeView->setModel(m_tree);
    m_treeView->setUniformRowHeights(true);
    m_treeView->setAlternatingRowColors(true);
    tl->addWidget(m_treeTitle);
    tl->addWidget(m_invert);
    tl->addWidget(m_treeView, 1);
    connect(m_treeView, &QTreeView::doubleClicked, this, [this](const QModelIndex& idx) {
        QString fn = idx.siblingAtColumn(CallTreeModel::Function).data().toString();
        if (!fn.isEmpty())
            showSource(fn);
    });

    // The flame graph of the snapshot (or of its change since the previous).
    auto* flamePanel = new QWidget(this);
    auto* fl = new QVBoxLayout(flamePanel);
    fl->setContentsMargins(4, 4, 4, 4);
    auto* fbar = new QHBoxLayout;
    m_flameSearch = new QLineEdit(this);
    m_flameSearch->setPlaceholderText(tr("Highlight functions"));
    m_flameSearch->setClearButtonEnabled(true);
    m_flameSearch->setMinimumWidth(140);
    m_flameDiff = new QCheckBox(tr("Diff vs previous"), this);
    m_flameDiff->setChecked(true);
    m_flameDiff->setToolTip(tr("Colour frames by their change: red grew, blue shrank; a frame that shrank keeps its "
                               "old width"));
    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("Esc in the flame graph; Backspace zooms out one level"));
    m_flameInfo = new QLabel(this);
    m_flameInfo->setTextFormat(Qt::PlainText);
    fbar->addWidget(m_flameSearch, 1);
    fbar->addWidget(m_flameDiff);
    fbar->addWidget(reset);
    auto* exportFlame = new QPushButton(tr("Export…"), this);
    exportFlame->setToolTip(tr("Save this flame graph as SVG, PNG or PDF"));
    fbar->addWidget(exportFlame);
    connect(exportFlame, &QPushButton::clicked, this, [this] {
        const CallTree* tree = m_flame->tree();
        if (!tree)
            return;
        QString path = QFileDialog::getSaveFileName(this, tr("Export Flame Graph"),
                                                    QFileInfo(m_casePath).baseName() + "-flame.svg",
                                                    tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf)"));
        if (path.isEmpty())
            return;
        QString title = tree->diff ? tr("Change up to snapshot %1").arg(m_snapshotId)
                                   : tr("Snapshot %1").arg(m_snapshotId);
        QString err = saveFlameGraph(*tree, title, path);
        if (!err.isEmpty())
            QMessageBox::warning(this, tr("Export Flame Graph"), err);
        else
            m_status->setText(tr("Wrote %1").arg(path));
    });
    m_flame = new FlameGraphView(this);
    m_flame->setToolTip(QString());
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_flame);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    fl->addLayout(fbar);
    fl->addWidget(m_flameInfo);
    fl->addWidget(scroll, 1);
    connect(reset, &QPushButton::clicked, m_flame, &FlameGraphView::resetZoom);
    connect(m_flameDiff, &QCheckBox::toggled, this, [this] { showFlame(); });
    connect(m_flameSearch, &QLineEdit::textChanged, this, [this] { showFlame(); });
    connect(m_flame, &FlameGraphView::functionActivated, this, [this](const QString& fn) { showSource(fn); });

    m_detailTabs = new QTabWidget(this);
    m_detailTabs->addTab(flamePanel, tr("Flame graph"));
    m_detailTabs->addTab(treePanel, tr("Call tree"));
    m_source = new SourceView(this);
    m_detailSplit = new QSplitter(Qt::Vertical, this);
    m_detailSplit->addWidget(m_detailTabs);
    m_detailSplit->addWidget(m_source);
    m_detailSplit->setSizes({300, 200});

    m_hsplit = new QSplitter(Qt::Horizontal, this);
    m_hsplit->addWidget(sitesPanel);
    m_hsplit->addWidget(m_detailSplit);
    m_hsplit->setSizes({640, 760});
    m_findings = new FindingsPanel(this);
    connect(m_findings->list(), &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && size_t(row) < m_findings->findings().size())
            m_timeline->showEvidence(m_findings->findings()[size_t(row)].series);
    });
    m_retention = new RetentionView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_findings, tr("Findings"));
    m_tabs->addTab(m_hsplit, tr("Allocation sites"));
    m_goroutines = new GoroutinesView(this);
    connect(m_goroutines, &GoroutinesView::sitesRequested, this, [this](const QString& fn) {
        m_filter->setText(fn);
        m_tabs->setCurrentWidget(m_hsplit);
    });
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
    // Site actions (right-click), then Copy on every table and tree.
    m_sitesView->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto siteAction = [this](const QString& text, auto fn) {
        auto* a = new QAction(text, m_sitesView);
        connect(a, &QAction::triggered, this, [this, fn] {
            QModelIndex idx = m_sitesProxy->mapToSource(m_sitesView->currentIndex());
            if (auto r = m_sites->result(); r && idx.isValid())
                fn(QString::fromStdString(r->rows[size_t(idx.row())].function));
        });
        m_sitesView->addAction(a);
    };
    siteAction(tr("Open Call Tree and Flame Graph"), [this](const QString& f) { showCallTree(f); });
    siteAction(tr("Show Source"), [this](const QString& f) { showSource(f); });
    siteAction(tr("Annotate This Site…"), [this](const QString& f) { annotateSite(f); });
    for (auto* v : findChildren<QAbstractItemView*>())
        enableCopy(v);

    m_vsplit = new QSplitter(Qt::Vertical, this);
    m_vsplit->addWidget(m_timeline);
    m_vsplit->addWidget(m_tabs);
    m_vsplit->setSizes({620, 380});
    setCentralWidget(m_vsplit);

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
    QRect avail = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry() : QRect();
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
    file->addSeparator();
    file->addAction(tr("Export &Report…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, &MainWindow::exportReport);
    file->addAction(tr("Export &Chart…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                    &MainWindow::exportChart);
    file->addAction(tr("&Annotate…"), QKeySequence(Qt::CTRL | Qt::Key_T), this, [this] {
        annotateAt(0);
    });
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
    view->addAction(tr("Filter Sites"), QKeySequence::Find, this, [this] {
        m_filter->setFocus();
        m_filter->selectAll();
    });
    view->addAction(tr("Reset Timeline Zoom"), QKeySequence(Qt::CTRL | Qt::Key_0), m_timeline,
                    &TimelineView::resetZoom);
    view->addAction(tr("Reload Case"), QKeySequence::Refresh, this, [this] { refreshOverview(); });
    view->addSeparator();
    view->addAction(tr("&Source Root…"), QKeySequence(Qt::CTRL | Qt::Key_R), this, &MainWindow::chooseSourceRoot);
    view->addSeparator();
    // Alt+1.. goes to each tab.
    for (int i = 0; i < m_tabs->count() && i < 9; ++i) {
        QString name = m_tabs->tabText(i).section(" (", 0, 0);
        view->addAction(tr("Go to %1").arg(name), QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)), this,
                        [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addAction(tr("Go to Timeline"), QKeySequence(Qt::ALT | Qt::Key_0), this, [this] { m_timeline->setFocus(); });
    view->addSeparator();
    QAction* dark = view->addAction(tr("&Dark Theme"));
    dark->setCheckable(true);
    dark->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    dark->setChecked(QSettings().value("view/dark").toBool());
    connect(dark, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue("view/dark", on);
        applyTheme(on);
    });
    QMenu* help = menuBar()->addMenu(tr("&Help"));
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
    ops.add = [this](const Annotation& note) -> int64_t {
        auto store = CaseStore::open(m_casePath.toStdString());
        if (!store) {
            QMessageBox::warning(this, tr("Annotate"), QString::fromStdString(store.error().toString()));
            return 0;
        }
        auto id = (*store)->addAnnotation(note);
        if (!id) {
            QMessageBox::warning(this, tr("Annotate"), QString::fromStdString(id.error().toString()));
            return 0;
        }
        refreshAnnotations(**store);
        return *id;
    };
    ops.remove = [this](int64_t id) {
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
    m_timeline->setAnnotations(notes);
    m_notes->setAnnotations(notes);
    m_tabs->setTabText(m_tabs->indexOf(m_notes),
                       notes.empty() ? tr("Annotations") : tr("Annotations (%1)").arg(notes.size()));
}

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
        if (store && m_snapshotId)
            if (auto sn = (*store)->snapshot(m_snapshotId); sn && *sn)
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
    if (m_casePath.isEmpty() || !m_snapshotId)
        return;
    auto store = CaseStore::open(m_casePath.toStdString(), true);
    if (!store)
        return;
    auto sn = (*store)->snapshot(m_snapshotId);
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
    QString path = QFileDialog::getSaveFileName(this, tr("Export Report"), QFileInfo(m_casePath).baseName() + "-report.html",
                                                tr("HTML (*.html);;Markdown with PNG charts (*.md);;JSON (*.json)"));
    if (path.isEmpty())
        return;
    auto store = CaseStore::open(m_casePath.toStdString(), true);
    if (!store) {
        QMessageBox::warning(this, tr("Export Report"), QString::fromStdString(store.error().toString()));
        return;
    }
    Result<std::string> text = std::string();
    if (path.endsWith(".json")) {
        text = reportJson(**store);
    } else if (path.endsWith(".md")) {
        ReportOptions opts;
        QFileInfo info(path);
        QString folder = info.completeBaseName() + "-charts";
        QDir(info.absolutePath()).mkpath(folder);
        opts.chartFile = [&](const ChartSpec& chart, const std::string& stem) -> std::string {
            QString rel = folder + "/" + QString::fromStdString(stem) + ".png";
            return saveChartPng(chart, info.absolutePath() + "/" + rel) ? rel.toStdString() : std::string();
        };
        text = reportMarkdown(**store, opts);
    } else {
        text = reportHtml(**store);
    }
    if (!text) {
        QMessageBox::warning(this, tr("Export Report"), QString::fromStdString(text.error().toString()));
        return;
    }
    // Whole or not at all: a full disk is said, not a cut file behind "Wrote".
    if (auto st = writeOutputFile(path.toStdString(), *text); !st) {
        QMessageBox::warning(this, tr("Export Report"), QString::fromStdString(st.error().toString()));
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
    bool ok = false;
    QString name = QInputDialog::getItem(this, tr("Export Chart"), tr("Chart:"), names, 0, false, &ok);
    if (!ok)
        return;
    QString path = QFileDialog::getSaveFileName(this, tr("Export Chart"), name + ".png",
                                                tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    auto store = CaseStore::open(m_casePath.toStdString(), true);
    if (!store)
        return;
    auto named = namedChart(**store, name.toStdString());
    if (!named) {
        QMessageBox::warning(this, tr("Export Chart"), QString::fromStdString(named.error().toString()));
        return;
    }
    ChartSpec chart = std::move(*named);
    // What the timeline shows now: its zoomed range.
    auto range = m_timeline->plot()->xAxis->range();
    chart.fromNs = qint64(range.lower * 1e9);
    chart.toNs = qint64(range.upper * 1e9);
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
    m_sourceRoot = QSettings().value("sourceRoot/" + QFileInfo(path).absoluteFilePath()).toString();
    m_casePath = path;
    m_undo->clear();
    m_rangeFromNs = m_rangeToNs = 0;
    m_snapshotId = 0;
    m_profile.reset();
    m_previousProfile.reset();
    m_flameTree.reset();
    m_flameDiffTree.reset();
    showFlame();
    m_source->setContent(nullptr);
    m_source->setMessage(tr("Double-click a frame or a site to see its source lines"));
    m_treeFocus.clear();
    m_sites->setResult(nullptr);
    m_tree->setTree(nullptr);
    m_timeline->clear();
    setWindowTitle(tr("%1 — memscope").arg(QFileInfo(path).fileName()));
    addRecent(path);
    refreshOverview();
}

void MainWindow::refreshOverview() {
    if (m_casePath.isEmpty())
        return;
    if (!m_importWatcher.isRunning())
        setBusy(tr("Loading %1…").arg(QFileInfo(m_casePath).fileName()), false);
    m_overviewWatcher.setFuture(QtConcurrent::run(loadOverview, m_casePath));
}

void MainWindow::selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId) {
    if (m_casePath.isEmpty())
        return;
    m_snapshotId = snapshotId;
    m_timeline->markSnapshot(snapshotId);
    m_sitesTitle->setText(tr("Loading snapshot %1…").arg(snapshotId));
    QString sample = m_sampleCombo->currentText();
    m_sitesWatcher.setFuture(QtConcurrent::run(loadSites, m_casePath, snapshotId, sample, baseSnapshotId));
}

void MainWindow::recomputeSites() {
    if (!m_profile)
        return;
    auto profile = m_profile;
    auto previous = m_previousProfile;
    qint64 id = m_snapshotId;
    int idx = m_sampleCombo->currentIndex();
    m_sitesWatcher.setFuture(QtConcurrent::run([profile, previous, id, idx] {
        SnapshotSites r;
        r.snapshotId = id;
        r.profile = profile;
        r.previousProfile = previous;
        r.sampleIndex = idx;
        r.top = std::make_shared<const TopResult>(computeTop(*profile, idx));
        if (previous) {
            int pi = previous->sampleIndex(profile->sampleTypes[size_t(idx)].type);
            if (pi >= 0) {
                auto base = std::make_shared<std::unordered_map<std::string, int64_t>>();
                for (const auto& row : computeTop(*previous, pi).rows)
                    (*base)[row.function] = row.flat;
                r.previous = std::move(base);
            }
        }
        fillFlames(r);
        return r;
    }));
}

void MainWindow::showCallTree(const QString& function, bool picked) {
    m_focusPicked = picked;
    if (!m_profile)
        return;
    m_treeFocus = function;
    auto profile = m_profile;
    int idx = m_sampleCombo->currentIndex();
    auto dir = m_invert->isChecked() ? CallTreeDirection::BottomUp : CallTreeDirection::TopDown;
    std::string focus = function.toStdString();
    m_treeTitle->setText(tr("Building the call tree of %1…").arg(function));
    if (picked) {
        m_flame->focusFunction(function);
        showSource(function);
    }
    m_treeWatcher.setFuture(QtConcurrent::run([profile, idx, focus, dir] {
        return std::make_shared<const CallTree>(buildCallTree(*profile, idx, focus, dir));
    }));
}

void MainWindow::applyTheme(bool dark) {
    QApplication::setStyle("Fusion");
    QPalette p = QApplication::style()->standardPalette();
    if (dark) {
        p.setColor(QPalette::Window, QColor(45, 45, 48));
        p.setColor(QPalette::WindowText, QColor(225, 225, 225));
        p.setColor(QPalette::Base, QColor(30, 30, 32));
        p.setColor(QPalette::AlternateBase, QColor(40, 40, 44));
        p.setColor(QPalette::Text, QColor(225, 225, 225));
        p.setColor(QPalette::Button, QColor(55, 55, 60));
        p.setColor(QPalette::ButtonText, QColor(225, 225, 225));
        p.setColor(QPalette::ToolTipBase, QColor(60, 60, 64));
        p.setColor(QPalette::ToolTipText, QColor(235, 235, 235));
        p.setColor(QPalette::Highlight, QColor(42, 130, 218));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
        p.setColor(QPalette::Mid, QColor(90, 90, 95));
        p.setColor(QPalette::Link, QColor(100, 170, 255));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(130, 130, 130));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(130, 130, 130));
        p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(130, 130, 130));
    }
    QApplication::setPalette(p);
    for (auto* plot : findChildren<QCustomPlot*>())
        stylePlot(plot, p);
    m_dark = dark;
}

bool MainWindow::isBusy() const {
    return m_importWatcher.isRunning() || m_overviewWatcher.isRunning() ||
           m_sitesWatcher.isRunning() || m_treeWatcher.isRunning() || m_sourceWatcher.isRunning();
}

void MainWindow::showFlame() {
    bool diff = m_flameDiff->isChecked() && m_flameDiffTree;
    m_flameDiff->setEnabled(m_flameDiffTree != nullptr);
    auto tree = diff ? m_flameDiffTree : m_flameTree;
    if (!tree) {
        m_flame->clear(tr("Pick a snapshot on the timeline to see its flame graph"));
        m_flameInfo->clear();
        return;
    }
    m_flame->setTree(tree);
    if (m_focusPicked && !m_treeFocus.isEmpty())
        m_flame->focusFunction(m_treeFocus);
    double share = m_flame->setSearch(m_flameSearch->text());
    m_flameInfo->setText(m_flameSearch->text().isEmpty()
                             ? (diff ? tr("red grew, blue shrank since the previous capture") : QString())
                             : tr("%1 frames match, %2% of the total").arg(m_flame->matchCount()).arg(share * 100, 0, 'f', 1));
}

void MainWindow::showSource(const QString& function) {
    if (!m_profile || function.isEmpty())
        return;
    m_source->setMessage(tr("Reading the lines of %1…").arg(function));
    m_sourceWatcher.setFuture(QtConcurrent::run([path = m_casePath, profile = m_profile,
                                                 idx = m_sampleCombo->currentIndex(), function, root = m_sourceRoot] {
        return std::make_shared<const SourceContent>(loadSourceContent(path, profile, idx, function, root));
    }));
}

void MainWindow::setSourceRoot(const QString& dir) {
    m_sourceRoot = dir;
    if (!m_casePath.isEmpty())
        QSettings().setValue("sourceRoot/" + QFileInfo(m_casePath).absoluteFilePath(), dir);
    if (const auto* c = m_source->model()->content())
        showSource(QString::fromStdString(c->values.function));
}

void MainWindow::chooseSourceRoot() {
    QString dir = QFileDialog::getExistingDirectory(
        this, tr("Source root: the module (or GOPATH) the profiled binary was built from"), m_sourceRoot);
    if (!dir.isEmpty())
        setSourceRoot(dir);
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

void MainWindow::importPaths(const QStringList& paths) {
    if (paths.isEmpty() || !ensureCase())
        return;
    if (m_importWatcher.isRunning()) {
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
    m_importWatcher.setFuture(QtConcurrent::run([casePath, list, stop](QPromise<ImportReport>& promise) {
        ImportReport report;
        promise.setProgressRange(0, 1000);
        auto store = CaseStore::open(casePath.toStdString());
        if (!store) {
            report.failed = 1;
            report.problems << QString::fromStdString(store.error().toString());
            promise.addResult(report);
            return;
        }
        std::vector<std::string> files, missing;
        listFiles(list, files, missing);
        for (const auto& m : missing) {
            ++report.failed;
            report.problems << QObject::tr("%1: no such file or folder").arg(QString::fromStdString(m));
        }
        Progress progress;
        progress.stop = stop;
        progress.report = [&promise](uint64_t done, uint64_t total, const std::string& what) {
            int v = total ? int(1000 * double(done) / double(total)) : 0;
            promise.setProgressValueAndText(v, QString::fromStdString(what));
        };
        BatchSummary sum = importBatch(**store, files, ImportOptions{}, progress);
        report.imported = sum.imported;
        report.duplicate = sum.duplicate;
        report.skipped = sum.skipped;
        report.failed += sum.failed;
        report.cancelled = sum.cancelled || stop.stop_requested();
        for (const auto& o : sum.outcomes)
            if (o.status == ImportStatus::Failed && o.error &&
                o.error->code != ErrorCode::Cancelled)
                report.problems << QString::fromStdString(o.error->toString());
        promise.addResult(report);
    }));
}

void MainWindow::setBusy(const QString& what, bool cancellable) {
    m_status->setText(what);
    m_progress->setVisible(true);
    m_progress->setRange(0, cancellable ? 1000 : 0);
    m_progress->setValue(0);
    m_cancel->setVisible(cancellable);
}

void MainWindow::setIdle(const QString& message) {
    m_status->setText(message);
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

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/vsplit", m_vsplit->saveState());
    settings.setValue("window/hsplit", m_hsplit->saveState());
    settings.setValue("window/detailsplit", m_detailSplit->saveState());
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
