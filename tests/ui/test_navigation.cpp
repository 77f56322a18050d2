// SPDX-License-Identifier: GPL-3.0-or-later
// The allocation sites page's pickers, profile views, filters and flame
// graph, the links from findings and goroutine groups, and Back/Forward, on
// the demo case in a real window (offscreen).
#include "import/import_batch.h"
#include "models/call_tree_model.h"
#include "models/sites_model.h"
#include "pages/compare_view.h"
#include "pages/connections_view.h"
#include "pages/findings_panel.h"
#include "pages/goroutines_view.h"
#include "pages/heap_page.h"
#include "pages/retention_view.h"
#include "pages/timeline_view.h"
#include "shell/main_window.h"
#include "shell/navigator.h"
#include "store/case_store.h"
#include "testutil.h"
#include "widgets/flame_graph.h"
#include "widgets/item_links.h"
#include "widgets/profile_filter_bar.h"
#include "widgets/table_copy.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTreeView>
#include <QtTest>
#include <qcustomplot.h>

using namespace memscope;
using namespace memscope::ui;
using namespace memscope::test;

namespace {

// A row's menu as a right click opens it (the popup shown), or null.
QMenu* openRowMenu(QAbstractItemView* view, const QModelIndex& row) {
    while (QWidget* left = QApplication::activePopupWidget()) // a failed check's
        left->close();
    view->scrollTo(row);
    const QPoint at = view->visualRect(row).center();
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, view->viewport()->mapToGlobal(at));
    QApplication::sendEvent(view->viewport(), &event);
    auto popup = [] { return qobject_cast<QMenu*>(QApplication::activePopupWidget()); };
    return QTest::qWaitFor([&] { return popup() != nullptr; }, 5000) ? popup() : nullptr;
}

// The menu's entry of that text, in the menu or a submenu of it.
QAction* entry(const QMenu* menu, const QString& text) {
    for (QAction* a : menu->actions()) {
        if (a->text() == text)
            return a;
        if (a->menu())
            if (QAction* inner = entry(a->menu(), text))
                return inner;
    }
    return nullptr;
}

QMenu* submenu(const QMenu* menu, const QString& title) {
    for (QAction* a : menu->actions())
        if (a->menu() && a->text() == title)
            return a->menu();
    return nullptr;
}

// Follows an entry as a click on it does, and closes the menu.
void follow(QMenu* menu, QAction* a) {
    a->trigger();
    menu->close();
}

QString currentText(const QAbstractItemView* view, int column, int role = Qt::DisplayRole) {
    return view->currentIndex().siblingAtColumn(column).data(role).toString();
}

} // namespace

class TestNavigation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void snapshotAndBasePickers();
    void topDownBottomUpAndCallerCallee();
    void sitesCopySeveralRows();
    void filtersApplyToEveryViewAndStayWithTheCase();
    void flameGraphResetHighlightAndEsc();
    void maximizeGivesTheViewsTheWindow();
    void backAndForward();
    void findingsLinkToTheirViews();
    void rowMenusShowItemsInTheOtherViews();
    void callTreeRowsLinkToTheOtherViews();
    void flameFramesLinkToTheOtherViews();
    void sideBySideRowsLinkToTheirViews();

private:
    HeapPage* heap() const { return m_window->heapPage(); }
    // Alt+Left in the window, active again once a menu has closed.
    void goBackByKey() {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_Left, Qt::AltModifier);
    }
    // Picks an item of a combo box as the user does (activated).
    static void activate(QComboBox* box, int index) {
        box->setCurrentIndex(index);
        emit box->activated(index);
    }
    QTemporaryDir m_dir;
    QString m_demo;
    std::vector<SnapshotInfo> m_heaps;
    std::unique_ptr<MainWindow> m_window;
};

void TestNavigation::initTestCase() {
    m_demo = m_dir.filePath("demo.memscope");
    auto store = CaseStore::open(m_demo.toStdString());
    QVERIFY(store.ok());
    std::vector<std::string> files, missing;
    listFiles({MEMSCOPE_SOURCE_DIR "/resources/demo"}, files, missing);
    QCOMPARE(importBatch(**store, files, {}, {}).failed, 0);
    m_heaps = must((*store)->snapshots(SnapshotKind::Heap));
    QCOMPARE(m_heaps.size(), size_t(12));
    store = Error{};
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1366, 768);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QSignalSpy loaded(m_window.get(), &MainWindow::caseLoaded);
    QSignalSpy sites(m_window.get(), &MainWindow::sitesLoaded);
    m_window->openCase(m_demo);
    QVERIFY(loaded.wait(20000));
    QVERIFY(sites.count() > 0 || sites.wait(10000));
}

void TestNavigation::snapshotAndBasePickers() {
    QComboBox* snaps = heap()->snapshotPicker();
    QComboBox* bases = heap()->basePicker();
    QCOMPARE(snaps->count(), 12);
    QCOMPARE(bases->count(), 14); // previous capture, none, and the twelve
    // The window opened the latest, against the capture before it.
    QCOMPARE(snaps->currentData().toLongLong(), qlonglong(m_heaps.back().id.value));
    QCOMPARE(bases->currentData().toLongLong(), qlonglong(kPreviousBase));
    QSignalSpy sites(m_window.get(), &MainWindow::sitesLoaded);
    // No base: no Δ, no diff.
    activate(bases, bases->findData(qlonglong(kNoBase)));
    QVERIFY(sites.wait(10000));
    QVERIFY(!heap()->m_loaded->previous);
    QVERIFY(!heap()->flameDiffToggle()->isEnabled());
    QVERIFY(!heap()->flameGraph()->tree()->diff);
    QVERIFY(heap()->topDownView()->isColumnHidden(CallTreeModel::Delta));
    // The first capture as the base: the diff is against its total.
    activate(bases, bases->findData(qlonglong(m_heaps.front().id.value)));
    QVERIFY(sites.wait(10000));
    auto store = must(CaseStore::open(m_demo.toStdString(), true));
    Profile first = must(store->loadProfile(m_heaps.front().id));
    int64_t firstTotal = computeTop(first, first.sampleIndex("inuse_space")).total;
    QVERIFY(heap()->flameGraph()->tree()->diff);
    QCOMPARE(heap()->flameGraph()->tree()->baseTotal, firstTotal);
    QVERIFY(heap()->sitesTitle()->text().contains(
        QString("since snapshot %1").arg(m_heaps.front().id.value)));
    QVERIFY(!heap()->topDownView()->isColumnHidden(CallTreeModel::Delta));
    // Another snapshot from the picker, the base kept.
    activate(snaps, snaps->findData(qlonglong(m_heaps[5].id.value)));
    QVERIFY(sites.wait(10000));
    QCOMPARE(heap()->snapshotId(), qint64(m_heaps[5].id.value));
    QCOMPARE(heap()->flameGraph()->tree()->baseTotal, firstTotal);
    // The sample type picker: objects instead of bytes, in every view.
    int objects = heap()->sampleCombo()->findText("inuse_objects");
    QVERIFY(objects >= 0);
    heap()->sampleCombo()->setCurrentIndex(objects);
    QVERIFY(sites.wait(10000));
    QCOMPARE(heap()->sitesModel()->result()->sample, std::string("inuse_objects"));
    QCOMPARE(heap()->topDownModel()->tree()->sample, std::string("inuse_objects"));
    QCOMPARE(heap()->bottomUpModel()->tree()->sample, std::string("inuse_objects"));
    QCOMPARE(heap()->flameGraph()->tree()->sample, std::string("inuse_objects"));
    heap()->sampleCombo()->setCurrentIndex(heap()->sampleCombo()->findText("inuse_space"));
    QVERIFY(sites.wait(10000));
    // Back to the latest against the one before, as the window opened.
    activate(bases, 0);
    QVERIFY(sites.wait(10000));
    activate(snaps, snaps->count() - 1);
    QVERIFY(sites.wait(10000));
    QCOMPARE(heap()->baseRequest(), kPreviousBase);
}

void TestNavigation::topDownBottomUpAndCallerCallee() {
    const auto& top = *heap()->sitesModel()->result();
    auto* td = heap()->topDownModel();
    auto* bu = heap()->bottomUpModel();
    QAbstractItemModelTester t1(td, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(bu, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The same samples as the sites table: top-down roots and bottom-up roots
    // both add up to the total.
    auto sumOfRoots = [](CallTreeModel* m) {
        qlonglong sum = 0;
        for (int r = 0; r < m->rowCount(); ++r)
            sum += m->index(r, CallTreeModel::Value).data(CallTreeModel::SortRole).toLongLong();
        return sum;
    };
    QCOMPARE(sumOfRoots(td), qlonglong(top.total));
    QCOMPARE(sumOfRoots(bu), qlonglong(top.total));
    // A bottom-up root holds what its function allocates itself: its flat.
    const TopRow& biggest = top.rows.front();
    QModelIndexList hit = bu->match(bu->index(0, 0), Qt::DisplayRole,
                                    QString::fromStdString(biggest.function), 1, Qt::MatchExactly);
    QCOMPARE(hit.size(), 1);
    QCOMPARE(hit.front().siblingAtColumn(CallTreeModel::Value).data(CallTreeModel::SortRole),
             QVariant(qlonglong(biggest.flat)));
    // Double-click in the bottom-up tree: the function's callers and callees.
    QSignalSpy trees(m_window.get(), &MainWindow::callTreeLoaded);
    heap()->showDetail(HeapPage::BottomUpView);
    QTreeView* view = heap()->m_bottomUpView;
    QRect r = view->visualRect(hit.front());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, r.center());
    QVERIFY(trees.wait(10000));
    QCOMPARE(heap()->focusedFunction(), QString::fromStdString(biggest.function));
    auto* callers = heap()->callTreeModel();
    auto* callees = heap()->calleesModel();
    QAbstractItemModelTester t3(callers, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(callees, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Callees start at the function, with its cum; callers end at it.
    QCOMPARE(callees->rowCount(), 1);
    QCOMPARE(callees->index(0, 0).data().toString(), QString::fromStdString(biggest.function));
    QCOMPARE(callees->index(0, CallTreeModel::Value).data(CallTreeModel::SortRole),
             QVariant(qlonglong(biggest.cum)));
    QCOMPARE(callers->tree()->total, biggest.cum);
}

void TestNavigation::sitesCopySeveralRows() {
    QTableView* view = heap()->sitesView();
    QCOMPARE(view->selectionMode(), QAbstractItemView::ExtendedSelection);
    view->clearSelection();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(view->model()->index(0, 0)).center());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ShiftModifier,
                      view->visualRect(view->model()->index(2, 0)).center());
    QCOMPARE(view->selectionModel()->selectedRows().size(), 3);
    QStringList lines = selectedRowsText(view).trimmed().split('\n');
    QCOMPARE(lines.size(), 4); // the header and three rows
    for (int row = 0; row < 3; ++row)
        QCOMPARE(lines[row + 1].section('\t', 0, 0),
                 view->model()->index(row, 0).data().toString());
}

void TestNavigation::filtersApplyToEveryViewAndStayWithTheCase() {
    QSignalSpy sites(m_window.get(), &MainWindow::sitesLoaded);
    int64_t total = heap()->sitesModel()->result()->total;
    std::string biggest = heap()->sitesModel()->result()->rows.front().function;
    int64_t biggestFlat = heap()->sitesModel()->result()->rows.front().flat;
    // Ignore the biggest site, typed as a user would.
    ProfileFilterBar* bar = heap()->filterBar();
    QString re = "^" + QRegularExpression::escape(QString::fromStdString(biggest)) + "$";
    bar->ignoreEdit()->setFocus();
    QTest::keyClicks(bar->ignoreEdit(), re);
    QTest::keyClick(bar->ignoreEdit(), Qt::Key_Return);
    QVERIFY(sites.wait(10000));
    const auto& now = *heap()->sitesModel()->result();
    QVERIFY(now.total <= total - biggestFlat);
    for (const auto& row : now.rows)
        QVERIFY(row.function != biggest);
    QCOMPARE(heap()->flameGraph()->tree()->nodes[0].value, now.total);
    QCOMPARE(heap()->topDownModel()->tree()->total, now.total);
    QCOMPARE(heap()->bottomUpModel()->tree()->total, now.total);
    QVERIFY(heap()->sitesTitle()->text().contains("(filtered)"));
    // A broken expression is named and changes nothing.
    QTest::keyClicks(bar->focusEdit(), "(");
    QTest::keyClick(bar->focusEdit(), Qt::Key_Return);
    QVERIFY(heap()->sitesTitle()->text().contains("focus expression \"(\""));
    QCOMPARE(heap()->profileFilter().focus, std::string());
    QVERIFY(!sites.wait(300));
    bar->focusEdit()->clear();
    // Remembered by the case: another window on it opens with the filter.
    {
        MainWindow other;
        QSignalSpy loaded(&other, &MainWindow::sitesLoaded);
        other.openCase(m_demo);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(other.heapPage()->profileFilter().ignore, re.toStdString());
        QCOMPARE(other.heapPage()->filterBar()->ignoreEdit()->text(), re);
        QCOMPARE(other.heapPage()->sitesModel()->result()->total, now.total);
    }
    // Cleared with its button: everything again, and saved so.
    bar->ignoreEdit()->clear();
    QVERIFY(sites.wait(10000));
    QCOMPARE(heap()->sitesModel()->result()->total, total);
    auto store = must(CaseStore::open(m_demo.toStdString(), true));
    QCOMPARE(must(store->caseSetting("profile.ignore")), std::string());
}

void TestNavigation::flameGraphResetHighlightAndEsc() {
    heap()->showDetail(HeapPage::FlameView);
    FlameGraphView* flame = heap()->flameGraph();
    QTRY_VERIFY(flame->tree());
    // A site picked: the graph zooms to it.
    std::string site = heap()->sitesModel()->result()->rows.front().function;
    heap()->showCallTree(QString::fromStdString(site));
    QVERIFY(flame->zoomedNode() > 0);
    // Reset zoom, then a highlight typed: the graph stays whole.
    QPushButton* reset = nullptr;
    for (auto* b : heap()->findChildren<QPushButton*>())
        if (b->text() == "Reset zoom")
            reset = b;
    QVERIFY(reset);
    reset->click();
    QCOMPARE(flame->zoomedNode(), 0);
    QTest::keyClicks(heap()->flameSearch(), "main");
    QCOMPARE(flame->zoomedNode(), 0);
    QVERIFY(flame->matchCount() > 0);
    heap()->flameSearch()->clear();
    QCOMPARE(flame->zoomedNode(), 0);
    // Esc goes one level up, not to the root.
    const auto& nodes = flame->tree()->nodes;
    int deep = 0;
    for (size_t i = 1; i < nodes.size() && !deep; ++i)
        if (nodes[i].parent > 0 && nodes[size_t(nodes[i].parent)].parent > 0)
            deep = int(i);
    QVERIFY(deep > 0);
    flame->zoomTo(deep);
    flame->setFocus();
    QTest::keyClick(flame, Qt::Key_Escape);
    QCOMPARE(flame->zoomedNode(), int(nodes[size_t(deep)].parent));
    QTest::keyClick(flame, Qt::Key_Escape);
    QCOMPARE(flame->zoomedNode(), int(nodes[size_t(nodes[size_t(deep)].parent)].parent));
    reset->click();
}

void TestNavigation::maximizeGivesTheViewsTheWindow() {
    heap()->showDetail(HeapPage::FlameView);
    m_window->tabs()->setCurrentWidget(heap());
    QTest::qWait(50);
    int before = heap()->detailTabs()->height();
    QVERIFY(m_window->timeline()->isVisible());
    m_window->m_maximize->trigger();
    QTest::qWait(50);
    QVERIFY(!m_window->timeline()->isVisible());
    QVERIFY(!heap()->sitesView()->isVisible());
    QVERIFY(heap()->detailTabs()->height() > before + 150);
    QVERIFY(heap()->detailTabs()->width() > m_window->width() * 9 / 10);
    // The same key brings everything back.
    QCOMPARE(m_window->m_maximize->shortcut(), QKeySequence(Qt::Key_F11));
    m_window->m_maximize->trigger();
    QTest::qWait(50);
    QVERIFY(m_window->timeline()->isVisible());
    QVERIFY(heap()->sitesView()->isVisible());
    QCOMPARE(heap()->detailTabs()->height(), before);
}

void TestNavigation::backAndForward() {
    auto* tl = m_window->timeline();
    QSignalSpy sites(m_window.get(), &MainWindow::sitesLoaded);
    QSignalSpy clicked(tl, &TimelineView::snapshotClicked);
    m_window->tabs()->setCurrentIndex(0);
    QTest::mouseClick(tl->plot(), Qt::LeftButton, {}, tl->pointPosition(0));
    QVERIFY(sites.wait(10000));
    qint64 a = clicked.at(0).at(0).toLongLong();
    QTest::mouseClick(tl->plot(), Qt::LeftButton, {}, tl->pointPosition(6));
    QVERIFY(sites.wait(10000));
    qint64 b = clicked.at(1).at(0).toLongLong();
    QVERIFY(a != b);
    QString site = QString::fromStdString(heap()->sitesModel()->result()->rows.back().function);
    heap()->showCallTree(site); // a function picked: a step too
    m_window->tabs()->setCurrentWidget(m_window->goroutinesView());

    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    auto key = [this](Qt::Key k) { QTest::keyClick(m_window.get(), k, Qt::AltModifier); };
    key(Qt::Key_Left); // back to the site in snapshot b
    QCOMPARE(m_window->tabs()->currentWidget(), heap());
    QCOMPARE(heap()->snapshotId(), b);
    QCOMPARE(heap()->focusedFunction(), site);
    key(Qt::Key_Left); // snapshot b before the site was picked
    QCOMPARE(heap()->snapshotId(), b);
    key(Qt::Key_Left); // snapshot a
    QCOMPARE(heap()->snapshotId(), a);
    QCOMPARE(m_window->tabs()->currentWidget(), heap());
    QVERIFY(sites.wait(10000));
    QCOMPARE(
        heap()->sitesModel()->result()->total,
        computeTop(
            must(must(CaseStore::open(m_demo.toStdString(), true))->loadProfile(SnapshotId(a))), -1)
            .total);
    key(Qt::Key_Left); // the Findings tab where this began
    QTRY_COMPARE(m_window->tabs()->currentIndex(), 0);
    key(Qt::Key_Right);
    key(Qt::Key_Right);
    key(Qt::Key_Right);
    QCOMPARE(heap()->snapshotId(), b);
    QCOMPARE(heap()->focusedFunction(), site);
    key(Qt::Key_Right);
    QCOMPARE(m_window->tabs()->currentWidget(), m_window->goroutinesView());
    QVERIFY(!m_window->m_navigator->forwardAction()->isEnabled());
    // A new step after going back drops the steps ahead.
    key(Qt::Key_Left);
    m_window->tabs()->setCurrentWidget(m_window->connectionsView());
    QVERIFY(!m_window->m_navigator->forwardAction()->isEnabled());
    key(Qt::Key_Left);
    QCOMPARE(m_window->tabs()->currentWidget(), heap());
    QVERIFY(sites.count() > 0 || sites.wait(10000));
}

void TestNavigation::findingsLinkToTheirViews() {
    FindingsPanel* panel = m_window->findingsPanel();
    auto* browser = panel->findChild<QTextBrowser*>();
    QVERIFY(browser);
    // Each finding's links, as its text shows them.
    auto linksOf = [&](int row) {
        panel->list()->setCurrentRow(row);
        QList<QUrl> urls;
        QRegularExpression href("href=\"(memscope://[^\"]+)\"");
        for (auto it = href.globalMatch(browser->toHtml()); it.hasNext();)
            urls << QUrl(it.next().captured(1));
        return urls;
    };
    auto follow = [&](const QUrl& url) { emit browser->anchorClicked(url); };
    auto nameOf = [](const QUrl& url) {
        return QUrlQuery(url).queryItemValue("name", QUrl::FullyDecoded);
    };
    std::map<QString, QUrl> byKind;
    for (int row = 0; row < panel->list()->count(); ++row)
        for (const QUrl& u : linksOf(row))
            if (!byKind.count(u.host()))
                byKind[u.host()] = u;
    QCOMPARE(byKind.size(), size_t(4)); // site, host, group and root
    // A host: its row in Connections.
    follow(byKind["host"]);
    QCOMPARE(m_window->tabs()->currentWidget(), m_window->connectionsView());
    // The snapshot's hosts load off the GUI thread; the row is picked when they are in.
    QTRY_COMPARE(m_window->connectionsView()
                     ->hostTable()
                     ->currentIndex()
                     .siblingAtColumn(ConnectionsView::Host)
                     .data()
                     .toString(),
                 nameOf(byKind["host"]));
    // A goroutine group: its row in Goroutines, the stack through the function.
    follow(byKind["group"]);
    QCOMPARE(m_window->tabs()->currentWidget(), m_window->goroutinesView());
    QVERIFY(
        m_window->goroutinesView()->stackView()->toPlainText().contains(nameOf(byKind["group"])));
    // A site: its callers, callees and flame graph frame.
    QSignalSpy trees(m_window.get(), &MainWindow::callTreeLoaded);
    follow(byKind["site"]);
    QCOMPARE(m_window->tabs()->currentWidget(), heap());
    QCOMPARE(heap()->focusedFunction(), nameOf(byKind["site"]));
    QVERIFY(trees.wait(10000));
    // A root of a heap dump: its row in Retention.
    RetentionView* ret = m_window->retentionView();
    follow(byKind["root"]);
    QCOMPARE(m_window->tabs()->currentWidget(), ret);
    QTRY_VERIFY_WITH_TIMEOUT(
        ret->tree()->currentIndex().isValid() || (follow(byKind["root"]), false), 15000);
    QVERIFY(ret->tree()->currentIndex().data().toString().contains(nameOf(byKind["root"])));
    // And Back returns along the links.
    m_window->m_navigator->goBack();
    QCOMPARE(m_window->tabs()->currentWidget(), heap());
}

void TestNavigation::callTreeRowsLinkToTheOtherViews() {
    m_window->tabs()->setCurrentWidget(heap());
    heap()->showDetail(HeapPage::TopDownView);
    QTreeView* tree = heap()->topDownView();
    QTRY_VERIFY_WITH_TIMEOUT(tree->model() && tree->model()->rowCount() > 0, 20000);
    // A frame below the top: a function the profile has, not the root.
    QModelIndex row;
    for (int r = 0; r < tree->model()->rowCount() && !row.isValid(); ++r) {
        QModelIndex top = tree->model()->index(r, 0);
        tree->expand(top);
        for (int c = 0; c < tree->model()->rowCount(top) && !row.isValid(); ++c)
            if (QModelIndex child = tree->model()->index(c, 0, top);
                heap()->hasFunction(child.data().toString()))
                row = child;
    }
    QVERIFY(row.isValid());
    const QString function = row.data().toString();
    QMenu* menu = openRowMenu(tree, row);
    QVERIFY(menu);
    QAction* flame = entry(menu, tr("Show in Flame Graph"));
    QVERIFY(flame && flame->isEnabled());
    QVERIFY(entry(menu, tr("Copy Name")));
    flame->trigger();
    menu->close();
    // The flame graph shows, zoomed to that function's frame.
    FlameGraphView* graph = heap()->flameGraph();
    QTRY_COMPARE(heap()->detailTabs()->currentWidget()->isAncestorOf(graph) ||
                     heap()->detailTabs()->currentWidget() == graph,
                 true);
    QTRY_VERIFY(graph->zoomedNode() > 0);
    QCOMPARE(QString::fromStdString(graph->tree()->nodes[size_t(graph->zoomedNode())].function),
             function);
    // One step back: the top-down tree again.
    goBackByKey();
    QTRY_VERIFY(heap()->detailTabs()->currentWidget()->isAncestorOf(tree) ||
                heap()->detailTabs()->currentWidget() == tree);
}

void TestNavigation::flameFramesLinkToTheOtherViews() {
    m_window->tabs()->setCurrentWidget(heap());
    heap()->showDetail(HeapPage::FlameView);
    FlameGraphView* graph = heap()->flameGraph();
    QTRY_VERIFY_WITH_TIMEOUT(graph->tree() && graph->tree()->nodes.size() > 2, 20000);
    graph->resetZoom();
    // A frame below the root whose function the profile has.
    int node = -1;
    for (size_t i = 1; i < graph->tree()->nodes.size() && node < 0; ++i)
        if (heap()->hasFunction(QString::fromStdString(graph->tree()->nodes[i].function)))
            node = int(i);
    QVERIFY(node > 0);
    const QString function = QString::fromStdString(graph->tree()->nodes[size_t(node)].function);
    std::unique_ptr<QMenu> menu(graph->menuFor(node, nullptr));
    QAction* zoomIn = entry(menu.get(), tr("Zoom In"));
    QVERIFY(zoomIn && zoomIn->isEnabled());
    QAction* zoomOut = entry(menu.get(), tr("Zoom Out"));
    QVERIFY(zoomOut && !zoomOut->isEnabled()); // at the root already
    QVERIFY(entry(menu.get(), tr("Show in Retention")));
    QVERIFY(entry(menu.get(), tr("Show Goroutine Groups Running It")));
    QAction* copy = entry(menu.get(), tr("Copy Name"));
    QVERIFY(copy && copy->isEnabled());
    copy->trigger();
    QCOMPARE(QApplication::clipboard()->text(), function);
    zoomIn->trigger();
    QCOMPARE(graph->zoomedNode(), node);
    // Its callers and callees: the caller/callee tree, focused on it.
    menu.reset(graph->menuFor(node, nullptr));
    QAction* callers = entry(menu.get(), tr("Show Callers and Callees"));
    QVERIFY(callers && callers->isEnabled());
    callers->trigger();
    QTRY_COMPARE(heap()->currentDetail(), HeapPage::CallerCalleeView);
    QCOMPARE(heap()->focusedFunction(), function);
    // Back: the flame graph again.
    goBackByKey();
    QTRY_COMPARE(heap()->currentDetail(), HeapPage::FlameView);
}

void TestNavigation::rowMenusShowItemsInTheOtherViews() {
    GoroutinesView* goroutines = m_window->goroutinesView();
    ConnectionsView* connections = m_window->connectionsView();
    QTabWidget* tabs = m_window->tabs();
    auto back = [this] { goBackByKey(); };
    QTRY_VERIFY_WITH_TIMEOUT(heap()->sitesModel()->result() != nullptr, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(goroutines->model()->rowCount() > 0, 20000);

    // A goroutine group: a function of its stack, in Allocation sites. The
    // latest dump's groups wait in the runtime and net/http only: an earlier
    // dump has a request under way.
    tabs->setCurrentWidget(goroutines);
    QTableView* groups = goroutines->table();
    QModelIndex groupRow;
    QString function;
    auto store = must(CaseStore::open(m_demo.toStdString(), true));
    for (const auto& dump : must(store->snapshots(SnapshotKind::Goroutines))) {
        QSignalSpy loaded(goroutines, &GoroutinesView::loaded);
        goroutines->showSnapshot(dump.id);
        QVERIFY(loaded.wait(20000));
        for (int r = 0; r < groups->model()->rowCount() && function.isEmpty(); ++r) {
            QModelIndex fn = groups->model()->index(r, GoroutinesView::Function);
            QStringList lines = fn.data(GoroutinesView::kStackRole).toString().split('\n');
            lines.removeLast(); // the creator
            for (const QString& line : lines)
                if (QString f = line.section(' ', 0, 0); heap()->hasFunction(f)) {
                    groupRow = fn;
                    function = f;
                    break;
                }
        }
        if (!function.isEmpty())
            break;
    }
    QVERIFY2(!function.isEmpty(), "a group runs a function the heap profile has");
    const QString group = groupRow.data().toString();
    QMenu* menu = openRowMenu(groups, groupRow);
    QVERIFY(menu);
    QMenu* stack = submenu(menu, tr("Stack Functions"));
    QVERIFY(stack);
    // Each function is offered where the heap profile has it, and only there.
    int enabled = 0, disabled = 0;
    for (QAction* a : stack->actions()) {
        QCOMPARE(a->isEnabled(), heap()->hasFunction(a->text()));
        ++(a->isEnabled() ? enabled : disabled);
    }
    QVERIFY(enabled >= 1);
    QVERIFY(disabled >= 1); // the runtime's frames: no allocation there
    QVERIFY(entry(menu, tr("Copy Name"))->isEnabled());
    follow(menu, entry(stack, function));
    QCOMPARE(tabs->currentWidget(), heap());
    QCOMPARE(heap()->focusedFunction(), function);
    QCOMPARE(currentText(heap()->sitesView(), SitesModel::Function), function);
    back();
    QCOMPARE(tabs->currentWidget(), goroutines);
    QCOMPARE(currentText(groups, GoroutinesView::Function), group);

    // A host: the goroutine groups whose sockets go to it.
    tabs->setCurrentWidget(connections);
    QTRY_VERIFY_WITH_TIMEOUT(connections->hosts()->rowCount() > 0, 20000);
    QTableView* hosts = connections->hostTable();
    QModelIndex hostRow;
    for (int r = 0; r < hosts->model()->rowCount() && !hostRow.isValid(); ++r) {
        const QString host = hosts->model()->index(r, ConnectionsView::Host).data().toString();
        for (int g = 0; g < groups->model()->rowCount(); ++g)
            if (groups->model()
                    ->index(g, GoroutinesView::Function)
                    .data(GoroutinesView::kHostsRole)
                    .toStringList()
                    .contains(host))
                hostRow = hosts->model()->index(r, ConnectionsView::Host);
    }
    QVERIFY2(hostRow.isValid(), "a group's sockets go to a host of the snapshot");
    const QString host = hostRow.data().toString();
    menu = openRowMenu(hosts, hostRow);
    QVERIFY(menu);
    QAction* serving = entry(menu, tr("Show Goroutines Using Its Sockets"));
    QVERIFY(serving && serving->isEnabled());
    follow(menu, serving);
    QCOMPARE(tabs->currentWidget(), goroutines);
    QVERIFY(groups->currentIndex()
                .siblingAtColumn(GoroutinesView::Function)
                .data(GoroutinesView::kHostsRole)
                .toStringList()
                .contains(host));
    // And the group's own menu goes back to the host's sockets.
    menu = openRowMenu(groups, groups->currentIndex());
    QVERIFY(menu);
    QAction* sockets = entry(menu, tr("Show Sockets to %1 in Connections").arg(host));
    QVERIFY(sockets && sockets->isEnabled());
    follow(menu, sockets);
    QCOMPARE(tabs->currentWidget(), connections);
    QCOMPARE(currentText(hosts, ConnectionsView::Host), host);
    back();
    QCOMPARE(tabs->currentWidget(), goroutines);
    back();
    QCOMPARE(tabs->currentWidget(), connections);
    QCOMPARE(currentText(hosts, ConnectionsView::Host), host);

    // A site: the goroutine groups running it, and its objects in Retention.
    tabs->setCurrentWidget(heap());
    QTableView* sites = heap()->sitesView();
    RetentionView* retention = m_window->retentionView();
    QTRY_VERIFY_WITH_TIMEOUT(retention->model()->rowCount() > 0, 30000);
    QModelIndex runs, kept;
    for (int r = 0; r < sites->model()->rowCount(); ++r) {
        QModelIndex idx = sites->model()->index(r, SitesModel::Function);
        const QUrl group = itemLink("group", idx.data().toString());
        if (!runs.isValid() && m_window->m_navigator->canOpenLink(group))
            runs = idx;
        if (!kept.isValid() && retention->hasSite(idx.data().toString()))
            kept = idx;
    }
    QVERIFY(runs.isValid());
    QVERIFY(kept.isValid());
    const QString running = runs.data().toString();
    menu = openRowMenu(sites, runs);
    QVERIFY(menu);
    QVERIFY(entry(menu, tr("Focus on This Function"))); // the page's own actions stay
    follow(menu, entry(menu, tr("Show Goroutine Groups Running It")));
    QCOMPARE(tabs->currentWidget(), goroutines);
    QVERIFY(currentText(groups, GoroutinesView::Function, GoroutinesView::kStackRole)
                .contains(running + " "));
    back();
    QCOMPARE(tabs->currentWidget(), heap());
    const QString site = kept.data().toString();
    menu = openRowMenu(sites, kept);
    QVERIFY(menu);
    QAction* inRetention = entry(menu, tr("Show in Retention"));
    QVERIFY(inRetention && inRetention->isEnabled());
    follow(menu, inRetention);
    QCOMPARE(tabs->currentWidget(), retention);
    QVERIFY(currentText(retention->tree(), DominatorModel::Site).startsWith(site + " ("));
    back();
    QCOMPARE(tabs->currentWidget(), heap());
}

void TestNavigation::sideBySideRowsLinkToTheirViews() {
    CompareView* compare = m_window->compareView();
    QTabWidget* tabs = m_window->tabs();
    auto store = must(CaseStore::open(m_demo.toStdString(), true));
    QSignalSpy compared(compare, &CompareView::compared);
    auto back = [this] { goBackByKey(); };
    // Each kind's first row opens the view it came from, with that item picked.
    struct Kind {
        SnapshotKind kind;
        QString entry;
        QWidget* view;
        std::function<QString()> picked;
    };
    const std::vector<Kind> kinds{
        {SnapshotKind::Heap, tr("Show in Allocation Sites"), heap(),
         [this] { return heap()->focusedFunction(); }},
        {SnapshotKind::Goroutines, tr("Show in Goroutines"), m_window->goroutinesView(),
         [this] {
             return currentText(m_window->goroutinesView()->table(), GoroutinesView::Function,
                                GoroutinesView::kStackRole);
         }},
        {SnapshotKind::Fds, tr("Show in Connections"), m_window->connectionsView(),
         [this] {
             return currentText(m_window->connectionsView()->hostTable(), ConnectionsView::Host);
         }},
    };
    for (const Kind& k : kinds) {
        auto snaps = must(store->snapshots(k.kind));
        QVERIFY(snaps.size() >= 2);
        tabs->setCurrentWidget(compare);
        compare->compare(snaps.front().id, snaps.back().id);
        QVERIFY(compared.wait(20000));
        QTableView* table = compare->table();
        QVERIFY(table->model()->rowCount() > 0);
        const QModelIndex first = table->model()->index(0, 0);
        const QString name = first.data().toString().section(" (", 0, 0);
        QMenu* menu = openRowMenu(table, first);
        QVERIFY(menu);
        QAction* a = entry(menu, k.entry);
        QVERIFY2(a, qPrintable(k.entry));
        QVERIFY2(a->isEnabled(), qPrintable(name));
        follow(menu, a);
        QCOMPARE(tabs->currentWidget(), k.view);
        QVERIFY2(k.picked().contains(name), qPrintable(k.picked() + " / " + name));
        back();
        QCOMPARE(tabs->currentWidget(), compare);
    }
}

QTEST_MAIN(TestNavigation)
#include "test_navigation.moc"
