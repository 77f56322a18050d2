// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/heap_page.h"

#include "analysis/series/series.h"
#include "base/format.h"
#include "export/chart_export.h"
#include "import/capture_time.h"
#include "models/call_tree_model.h"
#include "models/sites_model.h"
#include "models/sort_proxy.h"
#include "pages/source_view.h"
#include "store/case_store.h"
#include "widgets/flame_graph.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace memscope::ui {

namespace {

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

SnapshotSites loadSites(const QString& path, qint64 snapshotId, const QString& sample,
                        qint64 baseId) {
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
            r.error =
                QString::fromStdString((!timed ? timed.error() : foundBase.error()).toString());
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
                        return QString::fromStdString((v >= 0 ? "+" : "-") +
                                                      formatValue(std::llabs(v), r.top->unit));
                    };
                    r.changed = QObject::tr("since snapshot %1 (%2): %3")
                                    .arg(prev->id)
                                    .arg(QString::fromStdString(formatTimeIso(prev->timeNs)))
                                    .arg(sign(r.top->total - before.total));
                    if (most)
                        r.changed +=
                            QObject::tr("; most changed: %1 %2")
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

HeapPage::HeapPage(QWidget* parent) : QSplitter(Qt::Horizontal, parent) {
    QWidget* sitesPanel = buildSitesPanel();
    QWidget* treePanel = buildTreePanel();
    QWidget* flamePanel = buildFlamePanel();
    m_detailTabs = new QTabWidget(this);
    m_detailTabs->addTab(flamePanel, tr("Flame graph"));
    m_detailTabs->addTab(treePanel, tr("Call tree"));
    m_source = new SourceView(this);
    m_detailSplit = new QSplitter(Qt::Vertical, this);
    m_detailSplit->addWidget(m_detailTabs);
    m_detailSplit->addWidget(m_source);
    m_detailSplit->setSizes({300, 200});

    addWidget(sitesPanel);
    addWidget(m_detailSplit);
    setSizes({640, 760});

    // Site actions (right-click).
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
    siteAction(tr("Annotate This Site…"),
               [this](const QString& f) { emit annotateSiteRequested(f); });
}

HeapPage::~HeapPage() = default;

QWidget* HeapPage::buildSitesPanel() {
    auto* sitesPanel = new QWidget(this);
    auto* sl = new QVBoxLayout(sitesPanel);
    sl->setContentsMargins(4, 4, 4, 4);
    m_sitesTitle =
        new QLabel(tr("Click a point on the timeline to open its allocation sites"), this);
    m_sitesTitle->setTextFormat(Qt::PlainText);
    m_sitesTitle->setWordWrap(true); // a long "what changed" line would set the window's width
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
    m_sitesView->horizontalHeader()->setSectionResizeMode(SitesModel::Function,
                                                          QHeaderView::Interactive);
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

    return sitesPanel;
}

QWidget* HeapPage::buildTreePanel() {
    auto* treePanel = new QWidget(this);
    auto* tl = new QVBoxLayout(treePanel);
    tl->setContentsMargins(4, 4, 4, 4);
    m_treeTitle = new QLabel(tr("Double-click a site to see who calls it"), this);
    m_treeTitle->setTextFormat(Qt::PlainText);
    m_treeTitle->setWordWrap(true);
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

    return treePanel;
}

QWidget* HeapPage::buildFlamePanel() {
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
    m_flameDiff->setToolTip(
        tr("Colour frames by their change: red grew, blue shrank; a frame that shrank keeps its "
           "old width"));
    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("Esc in the flame graph; Backspace zooms out one level"));
    m_flameInfo = new QLabel(this);
    m_flameInfo->setTextFormat(Qt::PlainText);
    m_flameInfo->setWordWrap(true);
    fbar->addWidget(m_flameSearch, 1);
    fbar->addWidget(m_flameDiff);
    fbar->addWidget(reset);
    auto* exportFlame = new QPushButton(tr("Export…"), this);
    exportFlame->setToolTip(tr("Save this flame graph as SVG, PNG or PDF"));
    fbar->addWidget(exportFlame);
    connect(exportFlame, &QPushButton::clicked, this, &HeapPage::exportFlame);
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
    connect(m_flame, &FlameGraphView::functionActivated, this,
            [this](const QString& fn) { showSource(fn); });

    return flamePanel;
}

void HeapPage::exportFlame() {
    const CallTree* tree = m_flame->tree();
    if (!tree)
        return;
    QString path = QFileDialog::getSaveFileName(window(), tr("Export Flame Graph"),
                                                QFileInfo(m_casePath).baseName() + "-flame.svg",
                                                tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    QString title = tree->diff ? tr("Change up to snapshot %1").arg(m_snapshotId)
                               : tr("Snapshot %1").arg(m_snapshotId);
    QString err = saveFlameGraph(*tree, title, path);
    if (!err.isEmpty())
        QMessageBox::warning(window(), tr("Export Flame Graph"), err);
    else
        emit statusMessage(tr("Wrote %1").arg(path));
}

void HeapPage::showSites(SnapshotSites r) {
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
    m_sitesView->sortByColumn(r.previous ? SitesModel::Delta : SitesModel::Flat,
                              Qt::DescendingOrder);
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
}

void HeapPage::setCase(const QString& path) {
    m_sourceRoot = QSettings().value("sourceRoot/" + QFileInfo(path).absoluteFilePath()).toString();
    m_casePath = path;
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
}

void HeapPage::selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId) {
    if (m_casePath.isEmpty())
        return;
    m_snapshotId = snapshotId;
    m_sitesTitle->setText(tr("Loading snapshot %1…").arg(snapshotId));
    QString sample = m_sampleCombo->currentText();
    m_sitesJobs.start(
        [path = m_casePath, snapshotId, sample, baseSnapshotId] {
            return loadSites(path, snapshotId, sample, baseSnapshotId);
        },
        [this](SnapshotSites r) { showSites(std::move(r)); });
}

void HeapPage::recomputeSites() {
    if (!m_profile)
        return;
    auto profile = m_profile;
    auto previous = m_previousProfile;
    qint64 id = m_snapshotId;
    int idx = m_sampleCombo->currentIndex();
    m_sitesJobs.start(
        [profile, previous, id, idx] {
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
        },
        [this](SnapshotSites r) { showSites(std::move(r)); });
}

void HeapPage::showCallTree(const QString& function, bool picked) {
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
    m_treeJobs.start(
        [profile, idx, focus, dir] {
            return std::make_shared<const CallTree>(buildCallTree(*profile, idx, focus, dir));
        },
        [this](std::shared_ptr<const CallTree> tree) {
            m_tree->setTree(tree);
            m_treeView->expandToDepth(2);
            m_treeView->resizeColumnToContents(CallTreeModel::Function);
            m_treeTitle->setText(tr("Call tree of %1 — %2 through it")
                                     .arg(m_treeFocus, QString::fromStdString(
                                                           formatValue(tree->total, tree->unit))));
            emit callTreeLoaded();
        });
}

void HeapPage::showFlame() {
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
    m_flameInfo->setText(
        m_flameSearch->text().isEmpty()
            ? (diff ? tr("red grew, blue shrank since the previous capture") : QString())
            : tr("%1 frames match, %2% of the total")
                  .arg(m_flame->matchCount())
                  .arg(share * 100, 0, 'f', 1));
}

void HeapPage::showSource(const QString& function) {
    if (!m_profile || function.isEmpty())
        return;
    m_source->setMessage(tr("Reading the lines of %1…").arg(function));
    m_sourceJobs.start(
        [path = m_casePath, profile = m_profile, idx = m_sampleCombo->currentIndex(), function,
         root = m_sourceRoot] {
            return std::make_shared<const SourceContent>(
                loadSourceContent(path, profile, idx, function, root));
        },
        [this](std::shared_ptr<const SourceContent> content) {
            m_source->setContent(std::move(content));
            emit sourceLoaded();
        });
}

void HeapPage::setSourceRoot(const QString& dir) {
    m_sourceRoot = dir;
    if (!m_casePath.isEmpty())
        QSettings().setValue("sourceRoot/" + QFileInfo(m_casePath).absoluteFilePath(), dir);
    if (const auto* c = m_source->model()->content())
        showSource(QString::fromStdString(c->values.function));
}

void HeapPage::chooseSourceRoot() {
    QString dir = QFileDialog::getExistingDirectory(
        window(), tr("Source root: the module (or GOPATH) the profiled binary was built from"),
        m_sourceRoot);
    if (!dir.isEmpty())
        setSourceRoot(dir);
}

void HeapPage::focusFilter() {
    m_filter->setFocus();
    m_filter->selectAll();
}

void HeapPage::setFilter(const QString& text) { m_filter->setText(text); }

bool HeapPage::isBusy() const {
    return m_sitesJobs.isRunning() || m_treeJobs.isRunning() || m_sourceJobs.isRunning();
}

void HeapPage::restoreLayout(const QSettings& settings) {
    restoreState(settings.value("window/hsplit").toByteArray());
    m_detailSplit->restoreState(settings.value("window/detailsplit").toByteArray());
}

void HeapPage::saveLayout(QSettings& settings) const {
    settings.setValue("window/hsplit", saveState());
    settings.setValue("window/detailsplit", m_detailSplit->saveState());
}

} // namespace memscope::ui
