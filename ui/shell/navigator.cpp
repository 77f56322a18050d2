// SPDX-License-Identifier: GPL-3.0-or-later
#include "shell/navigator.h"

#include "analysis/detect/detect.h"
#include "analysis/profile/profile_filter.h"
#include "pages/connections_view.h"
#include "pages/findings_panel.h"
#include "pages/goroutines_view.h"
#include "pages/heap_page.h"
#include "pages/retention_view.h"
#include "pages/timeline_view.h"
#include "store/case_store.h"
#include "widgets/item_links.h"

#include <QAction>
#include <QApplication>
#include <QListWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QUrlQuery>
#include <cstdlib>
#include <limits>

namespace memscope::ui {

void NavigationHistory::clear() {
    m_steps.clear();
    m_at = -1;
}

void NavigationHistory::push(const NavigationState& state) {
    if (const NavigationState* now = current(); now && *now == state)
        return;
    m_steps.resize(size_t(m_at + 1));
    m_steps.push_back(state);
    if (m_steps.size() > kMaxSteps)
        m_steps.erase(m_steps.begin());
    m_at = int(m_steps.size()) - 1;
}

std::optional<NavigationState> NavigationHistory::back() {
    if (!canGoBack())
        return std::nullopt;
    return m_steps[size_t(--m_at)];
}

std::optional<NavigationState> NavigationHistory::forward() {
    if (!canGoForward())
        return std::nullopt;
    return m_steps[size_t(++m_at)];
}

const NavigationState* NavigationHistory::current() const {
    return m_at >= 0 ? &m_steps[size_t(m_at)] : nullptr;
}

Navigator::Navigator(const NavigatorPages& pages,
                     std::function<void(qint64, qint64)> selectSnapshot, QObject* parent)
    : QObject(parent), m_pages(pages), m_selectSnapshot(std::move(selectSnapshot)) {
    QStyle* style = QApplication::style();
    m_back = new QAction(style->standardIcon(QStyle::SP_ArrowBack), tr("&Back"), this);
    m_back->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_back->setToolTip(tr("Back to the previous view, snapshot and item (Alt+Left)"));
    m_forward = new QAction(style->standardIcon(QStyle::SP_ArrowForward), tr("&Forward"), this);
    m_forward->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_forward->setToolTip(tr("Forward again (Alt+Right)"));
    connect(m_back, &QAction::triggered, this, &Navigator::goBack);
    connect(m_forward, &QAction::triggered, this, &Navigator::goForward);
    updateActions();

    connect(m_pages.tabs, &QTabWidget::currentChanged, this, &Navigator::record);
    connect(m_pages.heap, &HeapPage::navigated, this, &Navigator::record);
    connect(m_pages.findings->list(), &QListWidget::currentRowChanged, this, &Navigator::record);
    connect(m_pages.findings, &FindingsPanel::linkActivated, this, &Navigator::openLink);
    connect(m_pages.goroutines->table(), &QTableView::clicked, this, &Navigator::record);
    connect(m_pages.connections->hostTable(), &QTableView::clicked, this, &Navigator::record);
}

void Navigator::setSnapshots(const std::vector<SnapshotInfo>& snapshots) {
    m_snapshots = snapshots;
}

void Navigator::clear() {
    m_history.clear();
    updateActions();
}

NavigationState Navigator::capture() const {
    NavigationState s;
    QWidget* page = m_pages.tabs->currentWidget();
    s.tab = m_pages.tabs->currentIndex();
    s.snapshotId = m_pages.heap->snapshotId();
    s.baseId = m_pages.heap->baseRequest();
    auto current = [](QAbstractItemView* v, int column) {
        QModelIndex i = v->currentIndex();
        return i.isValid() ? i.siblingAtColumn(column).data().toString() : QString();
    };
    if (page == m_pages.heap)
        s.detail = int(m_pages.heap->currentDetail());
    if (page == m_pages.heap && m_pages.heap->focusPicked())
        s.item = m_pages.heap->focusedFunction();
    else if (page == m_pages.findings)
        s.item = QString::number(m_pages.findings->list()->currentRow());
    else if (page == m_pages.goroutines)
        s.item = current(m_pages.goroutines->table(), GoroutinesView::Function);
    else if (page == m_pages.connections)
        s.item = current(m_pages.connections->hostTable(), ConnectionsView::Host);
    return s;
}

void Navigator::record() {
    if (m_restoring || m_pages.tabs->currentIndex() < 0)
        return;
    m_history.push(capture());
    updateActions();
}

void Navigator::restore(const NavigationState& s) {
    m_restoring = true;
    if (s.snapshotId &&
        (s.snapshotId != m_pages.heap->snapshotId() || s.baseId != m_pages.heap->baseRequest()))
        m_selectSnapshot(s.snapshotId, s.baseId);
    m_pages.tabs->setCurrentIndex(s.tab);
    QWidget* page = m_pages.tabs->currentWidget();
    if (page == m_pages.heap && s.detail >= 0)
        m_pages.heap->showDetail(HeapPage::DetailView(s.detail));
    if (!s.item.isEmpty()) {
        if (page == m_pages.heap && s.item != m_pages.heap->focusedFunction())
            m_pages.heap->showCallTree(s.item);
        else if (page == m_pages.findings)
            m_pages.findings->list()->setCurrentRow(s.item.toInt());
        else if (page == m_pages.goroutines)
            selectGroup(s.item);
        else if (page == m_pages.connections)
            selectHost(s.item);
    }
    m_restoring = false;
    updateActions();
}

void Navigator::goBack() {
    if (auto s = m_history.back())
        restore(*s);
}

void Navigator::goForward() {
    if (auto s = m_history.forward())
        restore(*s);
}

void Navigator::updateActions() {
    m_back->setEnabled(m_history.canGoBack());
    m_forward->setEnabled(m_history.canGoForward());
}

namespace {

// The first row (of the top level) whose column holds `text` in `role`.
QModelIndex findRow(const QAbstractItemView* view, int column, const QString& text, int role,
                    Qt::MatchFlags how) {
    QAbstractItemModel* m = view->model();
    if (!m || m->rowCount() == 0)
        return {};
    QModelIndexList hits = m->match(m->index(0, column), role, text, 1, how);
    return hits.isEmpty() ? QModelIndex() : hits.front();
}

bool selectRow(QAbstractItemView* view, const QModelIndex& row) {
    if (!row.isValid())
        return false;
    view->setCurrentIndex(row.siblingAtColumn(0));
    view->scrollTo(row);
    return true;
}

constexpr Qt::MatchFlags kExactly = Qt::MatchFixedString | Qt::MatchCaseSensitive;
constexpr Qt::MatchFlags kWithin = Qt::MatchContains | Qt::MatchCaseSensitive;

// The sub-views of Allocation sites a site link may name.
std::optional<HeapPage::DetailView> detailView(const QString& view) {
    if (view == QLatin1String("flame"))
        return HeapPage::FlameView;
    if (view == QLatin1String("topdown"))
        return HeapPage::TopDownView;
    if (view == QLatin1String("bottomup"))
        return HeapPage::BottomUpView;
    if (view == QLatin1String("callers"))
        return HeapPage::CallerCalleeView;
    return std::nullopt;
}

} // namespace

QModelIndex Navigator::groupRow(const QString& function) const {
    // The group by its own function, else the first whose stack runs through it.
    const QTableView* t = m_pages.goroutines->table();
    QModelIndex own = findRow(t, GoroutinesView::Function, function, Qt::DisplayRole, kExactly);
    return own.isValid() ? own
                         : findRow(t, GoroutinesView::Function, function,
                                   GoroutinesView::kStackRole, kWithin);
}

QModelIndex Navigator::groupRowOfHost(const QString& host) const {
    // The first (the largest, as sorted) group whose sockets go to the host.
    const QAbstractItemModel* m = m_pages.goroutines->table()->model();
    for (int r = 0; m && r < m->rowCount(); ++r) {
        QModelIndex fn = m->index(r, GoroutinesView::Function);
        if (fn.data(GoroutinesView::kHostsRole).toStringList().contains(host))
            return fn;
    }
    return {};
}

QModelIndex Navigator::hostRow(const QString& host) const {
    return findRow(m_pages.connections->hostTable(), ConnectionsView::Host, host, Qt::DisplayRole,
                   kExactly);
}

QModelIndex Navigator::rootRow(const QString& root) const {
    const QTreeView* t = m_pages.retention->tree();
    QModelIndex exact = findRow(t, 0, root, Qt::DisplayRole, kExactly);
    return exact.isValid() ? exact : findRow(t, 0, root, Qt::DisplayRole, kWithin);
}

bool Navigator::selectGroup(const QString& function) {
    return selectRow(m_pages.goroutines->table(), groupRow(function));
}

bool Navigator::selectHost(const QString& host) {
    return selectRow(m_pages.connections->hostTable(), hostRow(host));
}

bool Navigator::selectRoot(const QString& root) {
    return selectRow(m_pages.retention->tree(), rootRow(root));
}

bool Navigator::canOpenLink(const QUrl& link) const {
    const auto l = parseItemLink(link);
    if (!l)
        return false;
    if (l->kind == "site")
        return l->view == "retention" ? m_pages.retention->hasSite(l->name)
                                      : m_pages.heap->hasFunction(l->name);
    if (l->kind == "host") {
        if (l->view == "goroutines")
            return groupRowOfHost(l->name).isValid();
        if (l->view == "timeline")
            return m_pages.timeline && m_pages.timeline->hasHostLine(l->name);
        return hostRow(l->name).isValid();
    }
    if (l->kind == "group")
        return groupRow(l->name).isValid();
    if (l->kind == "root")
        return rootRow(l->name).isValid();
    return false;
}

bool Navigator::openLink(const QUrl& link) {
    const auto l = parseItemLink(link);
    if (!l)
        return false;
    // Where the jump starts (the row a menu was opened on) is a step, and the
    // jump is one more: its tab switch and pick are not steps of their own.
    record();
    m_restoring = true;
    const QString& name = l->name;
    bool found = false;
    if (l->kind == "site" && l->view == "retention") {
        m_pages.tabs->setCurrentWidget(m_pages.retention);
        found = m_pages.retention->selectSite(name);
    } else if (l->kind == "site") {
        m_pages.tabs->setCurrentWidget(m_pages.heap);
        if (auto detail = detailView(l->view))
            m_pages.heap->showDetail(*detail);
        m_pages.heap->showCallTree(name);
        m_pages.heap->selectSite(name);
        found = m_pages.heap->snapshotId() != 0;
    } else if (l->kind == "host" && l->view == "timeline") {
        found = m_pages.timeline && m_pages.timeline->showHostLine(name);
    } else if (l->kind == "host" && l->view == "goroutines") {
        m_pages.tabs->setCurrentWidget(m_pages.goroutines);
        found = selectRow(m_pages.goroutines->table(), groupRowOfHost(name));
    } else if (l->kind == "host") {
        m_pages.tabs->setCurrentWidget(m_pages.connections);
        found = selectHost(name);
    } else if (l->kind == "group") {
        m_pages.tabs->setCurrentWidget(m_pages.goroutines);
        found = selectGroup(name);
    } else if (l->kind == "root") {
        m_pages.tabs->setCurrentWidget(m_pages.retention);
        found = selectRoot(name);
    }
    m_restoring = false;
    if (!found)
        emit message(tr("%1 is not in the view this case shows now").arg(name));
    record();
    return found;
}

bool Navigator::showSitesOfGroup(SnapshotId dumpId, const QStringList& functions) {
    // The heap profile nearest in time to the dump, of the same program.
    const SnapshotInfo* dump = nullptr;
    for (const auto& s : m_snapshots)
        if (s.id == dumpId)
            dump = &s;
    const SnapshotInfo* nearest = nullptr;
    int64_t best = std::numeric_limits<int64_t>::max();
    for (const auto& s : m_snapshots) {
        if (s.kind != SnapshotKind::Heap || (dump && s.targetId != dump->targetId))
            continue;
        int64_t gap = dump ? std::llabs(s.timeNs - dump->timeNs) : 0;
        if (!nearest || gap < best) {
            nearest = &s;
            best = gap;
        }
    }
    std::vector<std::string> names;
    for (const auto& f : functions)
        names.push_back(f.toStdString());
    if (!nearest || names.empty()) {
        emit message(nearest ? tr("This group has no function to focus on")
                             : tr("No heap profile of this program to show"));
        return false;
    }
    ProfileFilter filter = m_pages.heap->profileFilter();
    filter.focus = focusOnFunctions(names);
    m_pages.heap->setProfileFilter(filter);
    m_selectSnapshot(nearest->id.value, kPreviousBase);
    m_pages.tabs->setCurrentWidget(m_pages.heap);
    record();
    return true;
}

} // namespace memscope::ui
