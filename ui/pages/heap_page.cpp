// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the heap page's four panels (sites, call trees, flame graph,
// source) share one snapshot/base selection and one profile filter, and are
// built and refreshed together; a panel-per-file split is the next step.
#include "pages/heap_page.h"

#include "base/format.h"
#include "export/chart_export.h"
#include "import/capture_time.h"
#include "models/call_tree_model.h"
#include "models/sites_model.h"
#include "models/sort_proxy.h"
#include "pages/source_view.h"
#include "widgets/flame_graph.h"
#include "widgets/profile_filter_bar.h"
#include "widgets/snapshot_picker.h"

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
#include <algorithm>

namespace memscope::ui {

namespace {

// The case settings the filters are saved under.
constexpr const char* kFocusKey = "profile.focus";
constexpr const char* kIgnoreKey = "profile.ignore";
constexpr const char* kHideKey = "profile.hide";

QString functionAt(const QModelIndex& idx) {
    return idx.siblingAtColumn(CallTreeModel::Function).data().toString();
}

} // namespace

HeapPage::HeapPage(QWidget* parent) : QSplitter(Qt::Horizontal, parent) {
    m_sitesPanel = buildSitesPanel();
    QWidget* treePanel = buildTreePanel();
    QWidget* flamePanel = buildFlamePanel();
    m_topDown = new CallTreeModel(this);
    m_bottomUp = new CallTreeModel(this);
    m_topDownView = buildTreeView(m_topDown);
    m_bottomUpView = buildTreeView(m_bottomUp);
    m_topDownView->setToolTip(tr("The whole profile from the outermost callers down; "
                                 "double-click a function to follow it"));
    m_bottomUpView->setToolTip(tr("Where memory is allocated, each site with its callers below; "
                                  "double-click a function to follow it"));
    m_detailTabs = new QTabWidget(this);
    m_detailTabs->addTab(flamePanel, tr("Flame graph"));
    m_detailTabs->addTab(m_topDownView, tr("Top-down"));
    m_detailTabs->addTab(m_bottomUpView, tr("Bottom-up"));
    m_detailTabs->addTab(treePanel, tr("Caller/callee"));
    m_source = new SourceView(this);
    m_detailSplit = new QSplitter(Qt::Vertical, this);
    m_detailSplit->addWidget(m_detailTabs);
    m_detailSplit->addWidget(m_source);
    m_detailSplit->setSizes({300, 200});

    addWidget(m_sitesPanel);
    addWidget(m_detailSplit);
    setSizes({640, 760});

    // Site actions (right-click), then where else the site shows.
    m_sitesMenu = new RowLinkMenu(m_sitesView, [this](const QModelIndex& idx) {
        RowLinks links;
        QModelIndex src = m_sitesProxy->mapToSource(idx);
        auto r = m_sites->result();
        if (!r || !src.isValid() || size_t(src.row()) >= r->rows.size())
            return links;
        links.name = QString::fromStdString(r->rows[size_t(src.row())].function);
        links.links = {
            {tr("Show in Retention"), itemLink("site", links.name, "retention")},
            {tr("Show Goroutine Groups Running It"), itemLink("group", links.name)},
        };
        return links;
    });
    connect(m_sitesMenu, &RowLinkMenu::linkActivated, this, &HeapPage::linkActivated);
    auto siteAction = [this](const QString& text, auto fn) {
        auto* a = new QAction(text, m_sitesView);
        connect(a, &QAction::triggered, this, [this, fn] {
            QModelIndex idx = m_sitesProxy->mapToSource(m_sitesView->currentIndex());
            if (auto r = m_sites->result(); r && idx.isValid())
                fn(QString::fromStdString(r->rows[size_t(idx.row())].function));
        });
        m_sitesView->addAction(a);
    };
    siteAction(tr("Open Callers, Callees and Flame Graph"),
               [this](const QString& f) { showCallTree(f); });
    siteAction(tr("Show Source"), [this](const QString& f) { showSource(f); });
    siteAction(tr("Focus on This Function"), [this](const QString& f) {
        ProfileFilter pf = m_profileFilter;
        pf.focus = focusOnFunctions({f.toStdString()});
        setProfileFilter(pf);
    });
    siteAction(tr("Hide This Function"), [this](const QString& f) {
        ProfileFilter pf = m_profileFilter;
        std::string re = focusOnFunctions({f.toStdString()});
        pf.hide = pf.hide.empty() ? re : pf.hide + "|" + re;
        setProfileFilter(pf);
    });
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
    auto* pickers = new QHBoxLayout;
    m_snapshotPicker = new QComboBox(this);
    m_snapshotPicker->setToolTip(tr("The heap snapshot shown"));
    fitSnapshotPicker(m_snapshotPicker, 8);
    m_basePicker = new QComboBox(this);
    m_basePicker->setToolTip(tr("What it is compared with: the Δ column, the diff flame graph "
                                "and the trees' Δ (new minus base)"));
    fitSnapshotPicker(m_basePicker, 8);
    pickers->addWidget(new QLabel(tr("Snapshot:"), this));
    pickers->addWidget(m_snapshotPicker, 1);
    pickers->addWidget(new QLabel(tr("Base:"), this));
    pickers->addWidget(m_basePicker, 1);
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
    m_sitesView->setObjectName("sites");
    m_sitesView->setModel(m_sitesProxy);
    m_sitesView->setSortingEnabled(true);
    m_sitesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sitesView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_sitesView->verticalHeader()->hide();
    m_sitesView->horizontalHeader()->setStretchLastSection(true);
    m_sitesView->horizontalHeader()->setSectionResizeMode(SitesModel::Function,
                                                          QHeaderView::Interactive);
    m_sitesView->setColumnWidth(SitesModel::Function, 320);
    m_sitesView->setWordWrap(false);
    m_sitesView->setToolTip(tr("Double-click a site to open its callers, callees and flame graph; "
                               "Ctrl+C copies the selected rows"));
    sl->addWidget(m_sitesTitle);
    sl->addLayout(pickers);
    sl->addLayout(bar);
    m_filterBar = new ProfileFilterBar(this);
    connect(m_filterBar, &ProfileFilterBar::applied, this, &HeapPage::setProfileFilter);
    connect(m_filterBar, &ProfileFilterBar::invalid, this, [this](const QString& error) {
        m_sitesTitle->setText(error);
        emit statusMessage(error);
    });
    sl->addWidget(m_filterBar);
    sl->addWidget(m_sitesView, 1);
    connect(m_filter, &QLineEdit::textChanged, m_sitesProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_sampleCombo, &QComboBox::currentIndexChanged, this, [this] { recomputeSites(); });
    connect(m_snapshotPicker, &QComboBox::activated, this, [this](int i) {
        qint64 id = m_snapshotPicker->itemData(i).toLongLong();
        if (id && id != m_snapshotId) {
            selectSnapshot(id, m_baseRequest);
            emit navigated();
        }
    });
    connect(m_basePicker, &QComboBox::activated, this, [this](int i) {
        qint64 base = m_basePicker->itemData(i).toLongLong();
        if (m_snapshotId && base != m_baseRequest)
            selectSnapshot(m_snapshotId, base);
    });
    connect(m_sitesView, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
        QModelIndex src = m_sitesProxy->mapToSource(idx);
        if (auto r = m_sites->result(); r && src.isValid())
            showCallTree(QString::fromStdString(r->rows[size_t(src.row())].function));
    });
    return sitesPanel;
}

QTreeView* HeapPage::buildTreeView(CallTreeModel* model) {
    auto* view = new QTreeView(this);
    view->setModel(model);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    // A function picked in any tree becomes the page's: its callers and
    // callees, its frame in the flame graph, its source.
    connect(view, &QTreeView::doubleClicked, this, [this](const QModelIndex& idx) {
        QString fn = functionAt(idx);
        if (!fn.isEmpty())
            showCallTree(fn);
    });
    // Where else a frame's function shows, as on a site's row.
    auto* menu = new RowLinkMenu(view, [this](const QModelIndex& idx) {
        RowLinks links;
        links.name = functionAt(idx);
        if (links.name.isEmpty())
            return links;
        links.links = {
            {tr("Show in Flame Graph"), itemLink("site", links.name, "flame")},
            {tr("Show in Retention"), itemLink("site", links.name, "retention")},
            {tr("Show Goroutine Groups Running It"), itemLink("group", links.name)},
        };
        return links;
    });
    connect(menu, &RowLinkMenu::linkActivated, this, &HeapPage::linkActivated);
    m_treeMenus.push_back(menu);
    return view;
}

QWidget* HeapPage::buildTreePanel() {
    auto* treePanel = new QWidget(this);
    auto* tl = new QVBoxLayout(treePanel);
    tl->setContentsMargins(4, 4, 4, 4);
    m_treeTitle = new QLabel(tr("Double-click a site to see who calls it and what it calls"), this);
    m_treeTitle->setTextFormat(Qt::PlainText);
    m_treeTitle->setWordWrap(true);
    m_invert = new QCheckBox(tr("Callers: function first (its callers below it)"), this);
    connect(m_invert, &QCheckBox::toggled, this, [this] {
        if (!m_treeFocus.isEmpty())
            showCallTree(m_treeFocus, false);
    });
    m_tree = new CallTreeModel(this);
    m_callees = new CallTreeModel(this);
    m_treeView = buildTreeView(m_tree);
    m_calleesView = buildTreeView(m_callees);
    m_treeView->setToolTip(tr("Callers: every path from the outermost callers to the function"));
    m_calleesView->setToolTip(tr("Callees: what the function calls, down to where it allocates"));
    // Side by side: stacked, the two trees would set the tab's least height.
    auto* split = new QSplitter(Qt::Horizontal, treePanel);
    auto titled = [split](const QString& title, QTreeView* view) {
        auto* box = new QWidget(split);
        auto* l = new QVBoxLayout(box);
        l->setContentsMargins(0, 0, 0, 0);
        l->setSpacing(2);
        l->addWidget(new QLabel(title, box));
        l->addWidget(view, 1);
        split->addWidget(box);
    };
    titled(tr("Callers"), m_treeView);
    titled(tr("Callees"), m_calleesView);
    split->setChildrenCollapsible(false);
    tl->addWidget(m_treeTitle);
    tl->addWidget(m_invert);
    tl->addWidget(split, 1);
    return treePanel;
}

QWidget* HeapPage::buildFlamePanel() {
    // The flame graph of the snapshot (or of its change since the base).
    auto* flamePanel = new QWidget(this);
    auto* fl = new QVBoxLayout(flamePanel);
    fl->setContentsMargins(4, 4, 4, 4);
    auto* fbar = new QHBoxLayout;
    m_flameSearch = new QLineEdit(this);
    m_flameSearch->setPlaceholderText(tr("Highlight functions"));
    m_flameSearch->setClearButtonEnabled(true);
    m_flameSearch->setMinimumWidth(140);
    m_flameDiff = new QCheckBox(tr("Diff vs base"), this);
    m_flameDiff->setChecked(true);
    m_flameDiff->setToolTip(
        tr("Colour frames by their change: red grew, blue shrank; a frame that shrank keeps its "
           "old width"));
    auto* reset = new QPushButton(tr("Reset zoom"), this);
    reset->setToolTip(tr("The whole graph; Esc or Backspace in the flame graph zooms out one "
                         "level"));
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
    connect(reset, &QPushButton::clicked, this, [this] {
        // The whole graph stays whole: neither a highlight nor a new sample
        // type zooms back to the site picked before.
        m_focusPicked = false;
        m_flame->resetZoom();
    });
    connect(m_flameDiff, &QCheckBox::toggled, this, [this] { showFlame(); });
    connect(m_flameSearch, &QLineEdit::textChanged, this, [this] { showSearch(); });
    connect(m_flame, &FlameGraphView::functionActivated, this,
            [this](const QString& fn) { showSource(fn); });
    // A frame's right-click menu: where else its function shows.
    m_flame->setFrameLinks([this](const QString& fn) {
        RowLinks links;
        links.links = {
            {tr("Show Callers and Callees"), itemLink("site", fn, "callers")},
            {tr("Show in Retention"), itemLink("site", fn, "retention")},
            {tr("Show Goroutine Groups Running It"), itemLink("group", fn)},
        };
        return links;
    });
    connect(m_flame, &FlameGraphView::linkActivated, this, &HeapPage::linkActivated);
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
    if (!r.error.isEmpty() && !r.raw) {
        m_sitesTitle->setText(r.error);
        return;
    }
    if (!r.error.isEmpty()) {
        // A filter that does not compile: the views keep what they showed.
        m_sitesTitle->setText(r.error);
        emit statusMessage(r.error);
        return;
    }
    auto loaded = std::make_shared<const SnapshotSites>(std::move(r));
    m_loaded = loaded;
    const SnapshotSites& s = *loaded;
    m_flameTree = s.flame;
    m_flameDiffTree = s.flameDiff;
    showFlame();
    showTrees();
    {
        QSignalBlocker block(m_sampleCombo);
        m_sampleCombo->clear();
        for (const auto& t : s.profile->sampleTypes)
            m_sampleCombo->addItem(QString::fromStdString(t.type));
        m_sampleCombo->setCurrentIndex(s.sampleIndex);
    }
    m_sites->setResult(s.top, s.previous);
    // With a base, rank by what changed: the drill-down from a spike.
    m_sitesView->sortByColumn(s.previous ? SitesModel::Delta : SitesModel::Flat,
                              Qt::DescendingOrder);
    m_sitesTitle->setText(tr("Snapshot %1 — %2 total %3, %4 functions%5%6")
                              .arg(s.snapshotId)
                              .arg(QString::fromStdString(s.top->sample))
                              .arg(QString::fromStdString(formatValue(s.top->total, s.top->unit)))
                              .arg(s.top->rows.size())
                              .arg(s.filter.empty() ? QString() : tr(" (filtered)"))
                              .arg(s.changed.isEmpty() ? QString() : "; " + s.changed));
    // Keep the trees on the site the user picked; else show the biggest site's.
    if (m_treeFocus.isEmpty() && !s.top->rows.empty() && s.top->rows.front().flat > 0) {
        m_treeFocus = QString::fromStdString(s.top->rows.front().function);
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
    m_baseRequest = kPreviousBase;
    m_loaded.reset();
    m_flameTree.reset();
    m_flameDiffTree.reset();
    showFlame();
    m_source->setContent(nullptr);
    m_source->setMessage(tr("Double-click a frame or a site to see its source lines"));
    m_treeFocus.clear();
    m_sites->setResult(nullptr);
    for (auto* m : {m_tree, m_callees, m_topDown, m_bottomUp})
        m->setTree(nullptr);
    m_snapshotPicker->clear();
    m_basePicker->clear();
    // The filters saved in the case. A case not written yet has none.
    m_profileFilter = {};
    if (QFileInfo::exists(path)) {
        auto store = CaseStore::open(path.toStdString(), /*readOnly=*/true);
        auto read = [&](const char* key, std::string& into) {
            auto v = store ? (*store)->caseSetting(key) : Result<std::string>(store.error());
            if (v)
                into = *v;
            else
                emit statusMessage(tr("Profile filters not read: %1")
                                       .arg(QString::fromStdString(v.error().toString())));
        };
        read(kFocusKey, m_profileFilter.focus);
        read(kIgnoreKey, m_profileFilter.ignore);
        read(kHideKey, m_profileFilter.hide);
    }
    m_filterBar->setFilter(m_profileFilter);
}

void HeapPage::setSnapshots(const std::vector<SnapshotInfo>& snapshots) {
    QSignalBlocker b1(m_snapshotPicker), b2(m_basePicker);
    // Heap profiles first; cumulative allocs and deltas (?seconds=N) too.
    const std::initializer_list<SnapshotKind> kinds = {SnapshotKind::Heap, SnapshotKind::Allocs,
                                                       SnapshotKind::AllocsDelta};
    fillSnapshotPicker(m_snapshotPicker, snapshots, kinds);
    fillSnapshotPicker(m_basePicker, snapshots, kinds);
    m_basePicker->insertItem(0, tr("previous capture"), qlonglong(kPreviousBase));
    m_basePicker->insertItem(1, tr("none"), qlonglong(kNoBase));
    syncPickers();
}

void HeapPage::syncPickers() {
    QSignalBlocker b1(m_snapshotPicker), b2(m_basePicker);
    m_snapshotPicker->setCurrentIndex(m_snapshotPicker->findData(qlonglong(m_snapshotId)));
    m_basePicker->setCurrentIndex(m_basePicker->findData(qlonglong(m_baseRequest)));
}

void HeapPage::selectSnapshot(qint64 snapshotId, qint64 baseSnapshotId) {
    if (m_casePath.isEmpty())
        return;
    m_snapshotId = snapshotId;
    m_baseRequest = baseSnapshotId;
    syncPickers();
    m_sitesTitle->setText(tr("Loading snapshot %1…").arg(snapshotId));
    QString sample = m_sampleCombo->currentText();
    m_sitesJobs.start(
        [path = m_casePath, snapshotId, sample, baseSnapshotId, filter = m_profileFilter] {
            return loadSites(path, snapshotId, sample, baseSnapshotId, filter);
        },
        [this](SnapshotSites r) { showSites(std::move(r)); });
}

void HeapPage::recomputeSites() {
    if (!m_loaded)
        return;
    SnapshotSites r;
    r.snapshotId = m_snapshotId;
    r.baseRequest = m_loaded->baseRequest;
    r.raw = m_loaded->raw;
    r.rawBase = m_loaded->rawBase;
    r.baseLabel = m_loaded->baseLabel;
    r.filter = m_profileFilter;
    r.sampleIndex = m_sampleCombo->currentIndex();
    m_sitesTitle->setText(tr("Computing snapshot %1…").arg(m_snapshotId));
    m_sitesJobs.start(
        [r = std::move(r)]() mutable {
            deriveSites(r);
            return std::move(r);
        },
        [this](SnapshotSites r) { showSites(std::move(r)); });
}

void HeapPage::setProfileFilter(const ProfileFilter& filter) {
    // An expression that does not compile is named and kept out: the field turns red.
    QString error;
    bool bad = !m_filterBar->setFilter(filter, &error);
    if (bad)
        m_sitesTitle->setText(error);
    if (bad || filter == m_profileFilter)
        return;
    m_profileFilter = filter;
    if (!m_casePath.isEmpty() && QFileInfo::exists(m_casePath)) {
        auto store = CaseStore::open(m_casePath.toStdString());
        Status saved = store ? (*store)->setCaseSetting(kFocusKey, filter.focus) : store.error();
        if (saved)
            saved = (*store)->setCaseSetting(kIgnoreKey, filter.ignore);
        if (saved)
            saved = (*store)->setCaseSetting(kHideKey, filter.hide);
        if (!saved)
            emit statusMessage(tr("Filters applied, not saved in the case: %1")
                                   .arg(QString::fromStdString(saved.error().toString())));
    }
    recomputeSites();
}

void HeapPage::showTrees() {
    auto pick = [](const auto& plain, const auto& diff) { return diff ? diff : plain; };
    if (!m_loaded) {
        m_topDown->setTree(nullptr);
        m_bottomUp->setTree(nullptr);
        return;
    }
    m_topDown->setTree(pick(m_loaded->flame, m_loaded->flameDiff));
    m_bottomUp->setTree(pick(m_loaded->bottomUp, m_loaded->bottomUpDiff));
    for (auto* v : {m_topDownView, m_bottomUpView, m_treeView, m_calleesView})
        v->setColumnHidden(CallTreeModel::Delta, !m_loaded->previousProfile);
    m_topDownView->expandToDepth(1);
    m_topDownView->resizeColumnToContents(CallTreeModel::Function);
    m_bottomUpView->resizeColumnToContents(CallTreeModel::Function);
}

void HeapPage::showCallTree(const QString& function, bool picked) {
    m_focusPicked = picked;
    if (!m_loaded || !m_loaded->profile)
        return;
    bool moved = m_treeFocus != function;
    m_treeFocus = function;
    if (picked) {
        m_flame->focusFunction(function);
        showSource(function);
        if (moved)
            emit navigated();
    }
    m_treeTitle->setText(tr("Building the callers and callees of %1…").arg(function));
    m_treeJobs.start(
        [loaded = m_loaded, focus = function.toStdString(), siteFirst = m_invert->isChecked()] {
            return functionTrees(*loaded->profile, loaded->previousProfile.get(),
                                 loaded->sampleIndex, focus, siteFirst);
        },
        [this](FunctionTrees trees) {
            m_tree->setTree(trees.callers);
            m_callees->setTree(trees.callees);
            m_treeView->expandToDepth(2);
            m_calleesView->expandToDepth(1);
            m_treeView->resizeColumnToContents(CallTreeModel::Function);
            m_calleesView->resizeColumnToContents(CallTreeModel::Function);
            const CallTree& t = *trees.callers;
            m_treeTitle->setText(
                tr("%1 — %2 through it; who calls it on the left, what it calls on the right")
                    .arg(m_treeFocus, QString::fromStdString(formatValue(t.total, t.unit))));
            emit callTreeLoaded();
        });
}

bool HeapPage::hasFunction(const QString& function) const {
    if (!m_loaded || !m_loaded->top || function.isEmpty())
        return false;
    const std::string f = function.toStdString();
    return std::any_of(m_loaded->top->rows.begin(), m_loaded->top->rows.end(),
                       [&](const TopRow& r) { return r.function == f; });
}

bool HeapPage::selectSite(const QString& function) {
    auto r = m_sites->result();
    if (!r)
        return false;
    const std::string f = function.toStdString();
    for (size_t i = 0; i < r->rows.size(); ++i)
        if (r->rows[i].function == f) {
            QModelIndex row = m_sitesProxy->mapFromSource(m_sites->index(int(i), 0));
            if (!row.isValid()) // the text filter hides it
                return false;
            m_sitesView->setCurrentIndex(row);
            m_sitesView->scrollTo(row);
            return true;
        }
    return false;
}

void HeapPage::setLinkCheck(const LinkCheck& check) {
    m_sitesMenu->setLinkCheck(check);
    for (auto* menu : m_treeMenus)
        menu->setLinkCheck(check);
    m_flame->setLinkCheck(check);
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
    m_flame->setNoSamplesText(m_loaded && !m_loaded->filter.empty()
                                  ? tr("No samples of this type pass the focus, ignore and hide "
                                       "filters in this snapshot")
                                  : tr("No samples of this type in this snapshot"));
    m_flame->setTree(tree);
    if (m_focusPicked && !m_treeFocus.isEmpty())
        m_flame->focusFunction(m_treeFocus);
    showSearch();
}

void HeapPage::showSearch() {
    // Only the highlight: the zoom stays where the user left it.
    const CallTree* tree = m_flame->tree();
    double share = m_flame->setSearch(m_flameSearch->text());
    m_flameInfo->setText(
        m_flameSearch->text().isEmpty()
            ? (tree && tree->diff ? tr("red grew, blue shrank since the base") : QString())
            : tr("%1 frames match, %2% of the total")
                  .arg(m_flame->matchCount())
                  .arg(share * 100, 0, 'f', 1));
}

void HeapPage::showDetail(DetailView view) { m_detailTabs->setCurrentIndex(int(view)); }

HeapPage::DetailView HeapPage::currentDetail() const {
    return DetailView(std::clamp(m_detailTabs->currentIndex(), 0, int(CallerCalleeView)));
}

void HeapPage::setDetailMaximized(bool on) {
    m_sitesPanel->setVisible(!on);
    m_source->setVisible(!on);
}

void HeapPage::showSource(const QString& function) {
    if (!m_loaded || !m_loaded->profile || function.isEmpty())
        return;
    m_source->setMessage(tr("Reading the lines of %1…").arg(function));
    m_sourceJobs.start(
        [path = m_casePath, profile = m_loaded->profile, idx = m_loaded->sampleIndex, function,
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
