// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/import_batch.h"
#include "models/call_tree_model.h"
#include "models/sites_model.h"
#include "pages/annotations_view.h"
#include "pages/compare_view.h"
#include "pages/connections_view.h"
#include "pages/findings_panel.h"
#include "pages/goroutines_view.h"
#include "pages/heap_page.h"
#include "pages/retention_view.h"
#include "pages/source_view.h"
#include "pages/timeline_view.h"
#include "shell/main_window.h"
#include "sqlutil.h"
#include "store/case_store.h"
#include "testutil.h"
#include "widgets/flame_graph.h"
#include "widgets/table_copy.h"

#include <QListWidget>
#include <QPushButton>
#include <QTabWidget>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTreeView>
#include <QtTest>
#include <qcustomplot.h>

using namespace memscope;
using namespace memscope::ui;
using namespace memscope::test;

class TestWorkbench : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void timelineHasOnePointPerHeapSnapshot();
    void clickingAPointFillsTheSitesTable();
    void doubleClickOpensCallTree();
    void flameGraphZoomsSearchesAndDiffs();
    void sourceRootShowsTheLines();
    void goroutinesViewGroupsFiltersAndCallsOut();
    void connectionsViewPerHost();
    void dragPicksARange();
    void annotationsUndoRedoEditDelete();
    void tablesCopyAndDarkTheme();
    void modelsPassTester();
    void importRunsOffThread();
    void cancelAtAnyMomentIsSafe();
    void findingsListTheThreeTrapsAndShowEvidence();
    void retentionViewShowsDominatorsGraphAndPaths();
    void sideBySideRanksWhatChanged();
    void retentionSinceThePreviousDump();

private:
    QTemporaryDir m_dir;
    QString m_demo;
    std::unique_ptr<MainWindow> m_window;
    size_t m_heaps = 0;
};

void TestWorkbench::initTestCase() {
    // The demo case, built from the captures that ship in resources/demo.
    m_demo = m_dir.filePath("demo.memscope");
    auto store = CaseStore::open(m_demo.toStdString());
    QVERIFY(store.ok());
    std::vector<std::string> files, missing;
    listFiles({MEMSCOPE_SOURCE_DIR "/resources/demo"}, files, missing);
    auto sum = importBatch(**store, files, {}, {});
    QCOMPARE(sum.failed, 0);
    m_heaps = must((*store)->snapshots(SnapshotKind::Heap)).size();
    QCOMPARE(m_heaps, size_t(12));
    store = Error{};

    m_window = std::make_unique<MainWindow>();
    m_window->resize(1200, 800);
    m_window->show();
    QSignalSpy loaded(m_window.get(), &MainWindow::caseLoaded);
    m_window->openCase(m_demo);
    QVERIFY(loaded.wait(20000));
}

void TestWorkbench::timelineHasOnePointPerHeapSnapshot() {
    QCOMPARE(size_t(m_window->timeline()->pointCount()), m_heaps);
    // The total plus the top sites as their own lines, and panels for the
    // goroutine dumps and socket snapshots the demo ships.
    QVERIFY(m_window->timeline()->plot()->graphCount() >= 2);
    QCOMPARE(m_window->timeline()->panelTitles(),
             (QStringList{"GC heap", "goroutines", "sockets", "finalizers", "fin. kept"}));
}

void TestWorkbench::clickingAPointFillsTheSitesTable() {
    auto* tl = m_window->timeline();
    QSignalSpy sites(m_window.get(), &MainWindow::sitesLoaded);
    // The first point; the window opened the last snapshot on its own.
    if (!sites.isEmpty() || m_window->heapPage()->sitesModel()->rowCount() > 0)
        sites.clear();
    QSignalSpy clicked(tl, &TimelineView::snapshotClicked);
    QTest::mouseClick(tl->plot(), Qt::LeftButton, {}, tl->pointPosition(0));
    QCOMPARE(clicked.count(), 1);
    qint64 first = clicked.at(0).at(0).toLongLong();
    QVERIFY(sites.wait(10000) || m_window->heapPage()->sitesModel()->rowCount() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->heapPage()->sitesModel()->result() != nullptr, 10000);
    QVERIFY(m_window->heapPage()->sitesModel()->rowCount() > 0);
    QCOMPARE(m_window->heapPage()->sitesModel()->result()->sample, std::string("inuse_space"));
    // Clicking the last point shows a bigger heap: the demo service leaks.
    int64_t firstTotal = m_window->heapPage()->sitesModel()->result()->total;
    sites.clear();
    QTest::mouseClick(tl->plot(), Qt::LeftButton, {}, tl->pointPosition(tl->pointCount() - 1));
    QVERIFY(sites.wait(10000));
    QVERIFY(clicked.at(1).at(0).toLongLong() != first);
    QVERIFY(m_window->heapPage()->sitesModel()->result()->total > firstTotal);
}

void TestWorkbench::doubleClickOpensCallTree() {
    QTableView* view = m_window->heapPage()->sitesView();
    QTRY_VERIFY(view->model()->rowCount() > 0);
    // After a click on the spike, rows rank by what grew since the previous
    // capture: the first is the site that grew the most.
    QModelIndex top = view->model()->index(0, SitesModel::Function);
    QString grown = top.data().toString().section(" (", 0, 0); // without "(inline)"
    QVERIFY(view->model()->index(0, SitesModel::Delta).data().toString().startsWith("+"));
    for (int row = 1; row < view->model()->rowCount(); ++row)
        QVERIFY(
            view->model()->index(row, SitesModel::Delta).data(SitesModel::SortRole).toLongLong() <=
            view->model()->index(0, SitesModel::Delta).data(SitesModel::SortRole).toLongLong());
    QSignalSpy tree(m_window.get(), &MainWindow::callTreeLoaded);
    QSignalSpy source(m_window.get(), &MainWindow::sourceLoaded);
    QRect r = view->visualRect(top);
    // A double click is a press/release followed by the double-click press.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, r.center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, r.center());
    QVERIFY(tree.wait(10000));
    auto* model = m_window->heapPage()->callTreeModel();
    QVERIFY(model->rowCount() > 0);
    // Follow the biggest child down: the path ends at the site.
    QModelIndex idx = model->index(0, 0);
    while (model->rowCount(idx) > 0)
        idx = model->index(0, 0, idx);
    QCOMPARE(idx.data().toString(), grown);
    // The flame graph zooms to the site's widest frame...
    FlameGraphView* flame = m_window->heapPage()->flameGraph();
    QVERIFY(flame->tree());
    QVERIFY(flame->zoomedNode() > 0);
    QCOMPARE(QString::fromStdString(flame->tree()->nodes[size_t(flame->zoomedNode())].function),
             grown);
    // ...and the source pane opens on its hottest line, with the escape note
    // the build printed for it when there is one.
    QVERIFY(source.wait(10000) || m_window->heapPage()->sourceView()->model()->content());
    const SourceContent* c = m_window->heapPage()->sourceView()->model()->content();
    QVERIFY(c);
    QCOMPARE(QString::fromStdString(c->values.function), grown);
    QVERIFY(c->hottest > 0);
    QCOMPARE(m_window->heapPage()->sourceView()->currentLine(), c->hottest);
    QVERIFY(!c->problem.isEmpty()); // no source root set: said so, lines still listed
    QAbstractItemModelTester tester(m_window->heapPage()->sourceView()->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestWorkbench::flameGraphZoomsSearchesAndDiffs() {
    FlameGraphView* flame = m_window->heapPage()->flameGraph();
    QVERIFY(flame->tree());
    // The demo's last capture has a previous one: the diff tree is shown.
    QVERIFY(m_window->heapPage()->flameDiffToggle()->isEnabled());
    QVERIFY(flame->tree()->diff);
    QVERIFY(flame->tree()->baseTotal > 0);
    flame->resetZoom();
    QCOMPARE(flame->zoomedNode(), 0);
    // A click on a frame zooms to it: it then spans the whole width.
    const auto& nodes = flame->tree()->nodes;
    int child = nodes[0].children.front();
    QRectF before = flame->nodeRect(child);
    QVERIFY(!before.isEmpty());
    QCOMPARE(flame->nodeAt(before.center().toPoint()), child);
    QTest::mouseClick(flame, Qt::LeftButton, {}, before.center().toPoint());
    QCOMPARE(flame->zoomedNode(), child);
    QCOMPARE(flame->nodeRect(child).width(), double(flame->width()));
    QTest::keyClick(flame, Qt::Key_Escape);
    QCOMPARE(flame->zoomedNode(), 0);
    // Search: the highlighted share is what the frames hold, counted once.
    double share = flame->setSearch("io.ReadAll");
    QVERIFY(flame->matchCount() > 0);
    QVERIFY(share > 0.1 && share < 1.0);
    flame->setSearch(QString());
    QCOMPARE(flame->matchCount(), 0);
    // Without the diff, the plain tree of the snapshot.
    m_window->heapPage()->flameDiffToggle()->setChecked(false);
    QVERIFY(!m_window->heapPage()->flameGraph()->tree()->diff);
    m_window->heapPage()->flameDiffToggle()->setChecked(true);
    QVERIFY(m_window->heapPage()->flameGraph()->tree()->diff);
}

void TestWorkbench::sourceRootShowsTheLines() {
    // A service of our own whose source is in the tree: with the source root
    // set, the site's lines come with their text and escape notes.
    QString path = m_dir.filePath("global.memscope");
    {
        auto store = CaseStore::open(path.toStdString());
        QVERIFY(store.ok());
        std::vector<std::string> files, missing;
        listFiles({MEMSCOPE_TEST_DATA "/services/global"}, files, missing);
        files.push_back(MEMSCOPE_TEST_DATA "/services/build-gcflags-m.txt.zst");
        QCOMPARE(importBatch(**store, files, {}, {}).failed, 0);
    }
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::caseLoaded);
    w.openCase(path);
    QVERIFY(loaded.wait(20000));
    QTRY_VERIFY_WITH_TIMEOUT(w.heapPage()->sitesModel()->result() != nullptr, 10000);
    w.heapPage()->setSourceRoot(MEMSCOPE_SOURCE_DIR "/tests/gen/services");
    QSignalSpy source(&w, &MainWindow::sourceLoaded);
    w.heapPage()->showCallTree("main.remember");
    QVERIFY(source.wait(10000));
    const SourceContent* c = w.heapPage()->sourceView()->model()->content();
    QVERIFY(c);
    QVERIFY2(c->problem.isEmpty(), qPrintable(c->problem));
    QVERIFY(c->resolvedPath.endsWith("tests/gen/services/main.go"));
    // `big := make([]byte, 64<<10)` is the line that holds the memory.
    QCOMPARE(c->hottest, int64_t(98));
    int row = w.heapPage()->sourceView()->model()->rowOfLine(98);
    QVERIFY(row >= 0);
    auto* m = w.heapPage()->sourceView()->model();
    QVERIFY(
        m->index(row, SourceLinesModel::Text).data().toString().contains("make([]byte, 64<<10)"));
    QVERIFY(m->index(row, SourceLinesModel::Flat).data(Qt::UserRole).toLongLong() > 100 << 20);
    QVERIFY(m->index(row, SourceLinesModel::Notes).data().toString().contains("escapes to heap"));
    QCOMPARE(w.heapPage()->sourceView()->currentLine(), int64_t(98));
    // Lines around the function come too, with their text.
    QVERIFY(m->rowCount() >= 5);
    QVERIFY(w.heapPage()->flameGraph()->focusFunction("main.remember"));
}

void TestWorkbench::modelsPassTester() {
    QAbstractItemModelTester sites(m_window->heapPage()->sitesModel(),
                                   QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester tree(m_window->heapPage()->callTreeModel(),
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxy(m_window->heapPage()->sitesView()->model(),
                                   QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_window->heapPage()->sitesView()->sortByColumn(SitesModel::Cum, Qt::AscendingOrder);
    m_window->heapPage()->sitesView()->sortByColumn(SitesModel::Flat, Qt::DescendingOrder);
}

void TestWorkbench::importRunsOffThread() {
    QString fresh = m_dir.filePath("fresh.memscope");
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::caseLoaded);
    w.openCase(fresh);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(w.timeline()->pointCount(), 0);
    QSignalSpy done(&w, &MainWindow::importFinished);
    QDir pprof(dataPath("pprof"));
    QStringList heaps;
    for (const QString& f : pprof.entryList({"heap-0*.pb.gz"}))
        heaps << pprof.filePath(f);
    QCOMPARE(heaps.size(), 3);
    w.importPaths(heaps);
    QVERIFY(w.isBusy());
    QVERIFY(done.wait(30000));
    QVERIFY(loaded.wait(10000));
    QCOMPARE(w.timeline()->pointCount(), 3);
}

void TestWorkbench::cancelAtAnyMomentIsSafe() {
    // A large import cancelled at ten moments, from at once to near its end:
    // the window reports it, stays usable, and the case is whole.
    std::string one = readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt"));
    std::string big;
    while (big.size() < (24u << 20))
        big += one + "\n";
    QStringList files;
    for (int i = 0; i < 2; ++i) {
        files << m_dir.filePath(QString("cancel-%1.txt").arg(i));
        writeBytes(files.back(), big + std::string(size_t(i + 1), '\n'));
    }
    for (int point = 0; point < 10; ++point) {
        QString path = m_dir.filePath(QString("cancel-%1.memscope").arg(point));
        MainWindow w;
        QSignalSpy loaded(&w, &MainWindow::caseLoaded);
        w.openCase(path);
        QVERIFY(loaded.wait(10000));
        QSignalSpy done(&w, &MainWindow::importFinished);
        QPushButton* cancel = nullptr;
        for (auto* b : w.findChildren<QPushButton*>())
            if (b->text() == "Cancel")
                cancel = b;
        QVERIFY(cancel);
        w.importPaths(files);
        QTest::qWait(point * 40);
        cancel->click();
        QVERIFY(done.count() == 1 || done.wait(60000));
        QTest::qWait(200); // what follows the report (the overview reload) runs too
        QVERIFY(!w.isBusy());
        auto store = CaseStore::open(path.toStdString(), true);
        QVERIFY(store.ok());
        QCOMPARE(
            sqlScalar((*store)->path(),
                      "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
            int64_t(0));
        QVERIFY(must((*store)->snapshots()).size() <= size_t(files.size()));
    }
}

void TestWorkbench::findingsListTheThreeTrapsAndShowEvidence() {
    auto* panel = m_window->findingsPanel();
    QCOMPARE(panel->findings().size(), size_t(3));
    QCOMPARE(m_window->tabs()->tabText(0), QString("Findings (3)"));
    QStringList kinds;
    for (const auto& f : panel->findings())
        kinds << QString::fromStdString(toString(f.kind));
    QCOMPARE(kinds, (QStringList{"connection_leak", "finalizer_backlog", "global_retention"}));
    // The global's evidence (retained bytes per root) is not on the timeline
    // until selected: then an evidence panel draws it.
    panel->list()->setCurrentRow(2);
    QVERIFY(panel->detailText().contains("unsafe.Pointer"));
    QVERIFY(m_window->timeline()->panelTitles().contains("evidence"));
    panel->list()->setCurrentRow(0);
    QVERIFY(!m_window->timeline()->panelTitles().contains(
        "evidence")); // all of its series are drawn already
    QVERIFY(panel->detailText().contains("127.0.0.2"));
}

void TestWorkbench::retentionViewShowsDominatorsGraphAndPaths() {
    auto* view = m_window->retentionView();
    QSignalSpy loaded(view, &RetentionView::loaded);
    m_window->tabs()->setCurrentWidget(view);
    if (view->model()->rowCount() == 0)
        QVERIFY(loaded.wait(20000));
    QAbstractItemModelTester tester(view->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The top of the dominator tree: the global map, about 12 MB.
    QModelIndex top = view->tree()->model()->index(0, DominatorModel::Name);
    QVERIFY(top.data().toString().startsWith("global bss+0x270"));
    QVERIFY(
        view->tree()->model()->index(0, DominatorModel::Retained).data().toString().contains("MB"));
    QVERIFY(view->graph()->rootCount() >= 1);
    QVERIFY(view->graph()->siteCount() >= 1);
    // Every box lies inside the graph, however low it is: clicking down the
    // site column from top to bottom reaches every site, the smallest too.
    {
        RetentionGraph* graph = view->graph();
        const QSize was = graph->size();
        graph->resize(graph->width(), graph->minimumHeight());
        (void)graph->grab(); // lays the boxes out at that size
        QSignalSpy clicked(graph, &RetentionGraph::siteClicked);
        for (int y = 0; y < graph->height(); y += 3)
            QTest::mouseClick(graph, Qt::LeftButton, {}, QPoint(graph->width() - 15, y));
        QSet<qint64> seen;
        for (const auto& args : clicked)
            seen.insert(args.at(0).toLongLong());
        QCOMPARE(int(seen.size()), graph->siteCount());
        graph->resize(was);
    }
    // Expanding is lazy; selecting an object shows its path from the root.
    QModelIndex child = view->tree()->model()->index(0, 0, top);
    QVERIFY(child.isValid());
    view->tree()->setCurrentIndex(child);
    QVERIFY(view->pathText().contains("global bss+0x270"));
    QVERIFY(view->pathText().contains("Path 1"));
    // A note on the timeline, stored in the case.
    Annotation note;
    note.timeNs = 1795712360000000000;
    note.text = "<b>not markup</b>";
    QVERIFY(m_window->addAnnotation(note));
    QCOMPARE(m_window->timeline()->annotationCount(), 2); // its line and its label
    if (qEnvironmentVariableIsSet("MEMSCOPE_SHOT"))
        m_window->grab().save(qEnvironmentVariable("MEMSCOPE_SHOT"));
}

void TestWorkbench::sideBySideRanksWhatChanged() {
    auto* view = m_window->compareView();
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    for (const char* kind : {"heap", "goroutines", "fds", "heapdump"}) {
        auto snaps = must((*store)->snapshots(*parseSnapshotKind(kind)));
        QVERIFY(snaps.size() >= 2);
        QSignalSpy done(view, &CompareView::compared);
        view->compare(snaps.front().id, snaps.back().id);
        QVERIFY(done.wait(20000));
        QAbstractItemModelTester tester(view->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY2(view->model()->rowCount() > 0, kind);
        QString first = view->table()->model()->index(0, 0).data().toString();
        if (QString(kind) == "heap") {
            QCOMPARE(first,
                     QString("io.ReadAll")); // grew the most between the first and last capture
            // The diff flame graph follows the table's row.
            FlameGraphView* flame = view->flameGraph();
            QVERIFY(flame->tree() && flame->tree()->diff);
            view->table()->setCurrentIndex(view->table()->model()->index(0, 0));
            QVERIFY(flame->zoomedNode() > 0);
            QCOMPARE(flame->tree()->nodes[size_t(flame->zoomedNode())].function,
                     std::string("io.ReadAll"));
        } else {
            QVERIFY(!view->flameGraph()->tree());
        }
        if (QString(kind) == "goroutines")
            QVERIFY(first.startsWith("net/http.(*persistConn)"));
        if (QString(kind) == "heapdump") {
            // The two demo dumps object by object, as `memscope diff` counts them.
            QVERIFY2(view->summaryText().contains("27923 (11.86MB) survivors, 75435 (40.23MB) "
                                                  "new, 5458 (3.82MB) freed"),
                     qPrintable(view->summaryText()));
            QCOMPARE(first, QString("bss+0x270"));
            QCOMPARE(view->table()->model()->index(0, 5).data().toString(), QString("8.20MB"));
        }
    }
}

void TestWorkbench::retentionSinceThePreviousDump() {
    auto* view = m_window->retentionView();
    m_window->tabs()->setCurrentWidget(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(view->summaryText().contains("Since heapdump-004"), 20000);
    QAbstractItemModelTester tester(view->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(!view->tree()->isColumnHidden(DominatorModel::Since));
    // The global map of views: 3.91 MB of what it retains was there at the
    // earlier dump, 8.20 MB is new since.
    DominatorModel* m = view->model();
    QModelIndex top;
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, DominatorModel::Name).data().toString().startsWith("global bss+0x270"))
            top = m->index(r, DominatorModel::Since);
    QVERIFY(top.isValid());
    QCOMPARE(top.data().toString(), QString("3.91MB / 8.20MB"));
    uint32_t node = m->nodeOf(top);
    QCOMPARE(top.data(Qt::UserRole).toULongLong() + m->survivorBytes(node),
             m->index(top.row(), DominatorModel::Retained).data(Qt::UserRole).toULongLong());
    // An object row says which it is.
    QModelIndex child = m->index(0, DominatorModel::Since, m->index(top.row(), 0));
    QVERIFY(child.data().toString().startsWith("kept") ||
            child.data().toString().startsWith("new"));
    // Coloured on demand, blue where most is kept, orange where most is new.
    QVERIFY(!top.data(Qt::BackgroundRole).isValid());
    view->colourByAgeBox()->setChecked(true);
    QColor tint = top.data(Qt::BackgroundRole).value<QColor>();
    QVERIFY(tint.isValid() && tint.red() > tint.blue()); // two thirds new
    view->colourByAgeBox()->setChecked(false);
    // No comparison: the column goes.
    QSignalSpy loaded(view, &RetentionView::loaded);
    view->setBaseDump(kNoDump);
    QVERIFY(loaded.wait(20000));
    QVERIFY(view->tree()->isColumnHidden(DominatorModel::Since));
    QVERIFY(!view->summaryText().contains("Since"));
    view->setBaseDump(kPreviousDump);
    QVERIFY(loaded.wait(20000));
}

void TestWorkbench::goroutinesViewGroupsFiltersAndCallsOut() {
    GoroutinesView* view = m_window->goroutinesView();
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 10000);
    QAbstractItemModelTester tester(view->filter(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The last demo dump: 3509 goroutines, the leaked connection loops first.
    int64_t total = 0;
    for (int r = 0; r < view->model()->rowCount(); ++r)
        total += view->model()
                     ->index(r, GoroutinesView::Count)
                     .data(GoroutinesView::kSortRole)
                     .toLongLong();
    QCOMPARE(total, int64_t(3509));
    QCOMPARE(view->table()->model()->index(0, GoroutinesView::Count).data().toString(),
             QString("1752"));
    QVERIFY(view->callout().contains("finalizer goroutine, running user code"));
    QVERIFY(view->callout().contains("3504 net/http client connection goroutines"));
    // Filters: by state, by a function anywhere in the stack, by wait.
    view->filter()->setState("select");
    QCOMPARE(view->table()->model()->rowCount(), 1);
    view->filter()->setState(QString());
    view->filter()->setFunction("releaseRequestState");
    QCOMPARE(view->table()->model()->rowCount(), 1);
    QVERIFY(view->table()
                ->model()
                ->index(0, GoroutinesView::Role)
                .data()
                .toString()
                .startsWith("finalizer goroutine"));
    // The stack of the picked group, and its link to the allocation sites.
    view->table()->setCurrentIndex(view->table()->model()->index(0, 0));
    QVERIFY(view->stackView()->toPlainText().contains("main.releaseRequestState"));
    QSignalSpy sites(view, &GoroutinesView::sitesRequested);
    QSignalSpy sitesLoaded(m_window.get(), &MainWindow::sitesLoaded);
    view->findChild<QPushButton*>()->click();
    QCOMPARE(sites.count(), 1);
    QCOMPARE(sites.at(0).at(0).toString(), QString("main.releaseRequestState"));
    QCOMPARE(m_window->tabs()->currentIndex(), 1);
    // The heap profile nearest in time to the dump, focused on the stacks
    // through the group's own functions.
    HeapPage* heap = m_window->heapPage();
    QVERIFY(QString::fromStdString(heap->profileFilter().focus)
                .split('|')
                .contains("^main\\.releaseRequestState$"));
    QVERIFY(sitesLoaded.wait(10000));
    {
        auto store = must(CaseStore::open(m_demo.toStdString(), true));
        int64_t dumpNs = must(store->snapshot(view->snapshotId()))->timeNs, best = -1;
        qint64 nearest = 0;
        for (const auto& s : must(store->snapshots(SnapshotKind::Heap)))
            if (best < 0 || std::llabs(s.timeNs - dumpNs) < best) {
                best = std::llabs(s.timeNs - dumpNs);
                nearest = s.id.value;
            }
        QCOMPARE(heap->snapshotId(), nearest);
    }
    int64_t focused = heap->sitesModel()->result()->total;
    QVERIFY(heap->sitesTitle()->text().contains("(filtered)"));
    heap->setProfileFilter({});
    QVERIFY(sitesLoaded.wait(10000));
    QVERIFY(heap->sitesModel()->result()->total > focused);
    view->filter()->setFunction(QString());
    view->filter()->setMinWait(1);
    QCOMPARE(view->table()->model()->rowCount(), 0); // the demo ran 40 s: nobody waited a minute
    view->filter()->setMinWait(0);
}

void TestWorkbench::connectionsViewPerHost() {
    ConnectionsView* view = m_window->connectionsView();
    QTRY_VERIFY_WITH_TIMEOUT(view->hosts()->rowCount() > 0, 10000);
    QAbstractItemModelTester tester(view->hosts(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Three hosts, 1760 client sockets at the last capture, all established.
    QCOMPARE(view->hosts()->rowCount(), 3);
    int64_t total = 0, est = 0;
    for (int r = 0; r < 3; ++r) {
        total += view->hosts()
                     ->index(r, ConnectionsView::Sockets)
                     .data(ConnectionsView::kSortRole)
                     .toLongLong();
        est += view->hosts()
                   ->index(r, ConnectionsView::Established)
                   .data(ConnectionsView::kSortRole)
                   .toLongLong();
        QVERIFY(view->hosts()
                    ->index(r, ConnectionsView::Opened)
                    .data(ConnectionsView::kSortRole)
                    .toLongLong() > 0);
    }
    QCOMPARE(total, int64_t(1760));
    QCOMPARE(est, total);
    QCOMPARE(view->plot()->graphCount(), 3); // one line per host over time
    QCOMPARE(view->plot()->graph(0)->dataCount(), 12);
    QSignalSpy shown(view, &ConnectionsView::hostShown);
    view->hostTable()->setCurrentIndex(view->hostTable()->model()->index(0, 0));
    QCOMPARE(shown.count(), 1);
    QString host = view->hostTable()->model()->index(0, 0).data().toString();
    int64_t n = view->hostTable()
                    ->model()
                    ->index(0, ConnectionsView::Sockets)
                    .data(ConnectionsView::kSortRole)
                    .toLongLong();
    QCOMPARE(int64_t(view->sockets()->rowCount()), n);
    QVERIFY(view->serving()->toPlainText().contains("1752 net/http client read loops"));
    for (int r = 0; r < view->sockets()->rowCount(); ++r)
        QVERIFY(view->sockets()->index(r, 2).data().toString().startsWith(host + ":"));
}

void TestWorkbench::dragPicksARange() {
    auto* tl = m_window->timeline();
    QSignalSpy range(tl, &TimelineView::rangePicked);
    QSignalSpy sites(m_window.get(), &MainWindow::sitesLoaded);
    // Drag from the second point to the fifth: a range of four captures.
    QPoint a = tl->pointPosition(1), b = tl->pointPosition(4);
    QTest::mousePress(tl->plot(), Qt::LeftButton, {}, a);
    for (int step = 1; step <= 4; ++step) {
        QPoint p = a + (b - a) * step / 4;
        QMouseEvent move(QEvent::MouseMove, p, tl->plot()->mapToGlobal(p), Qt::NoButton,
                         Qt::LeftButton, {});
        QCoreApplication::sendEvent(tl->plot(), &move);
    }
    QTest::mouseRelease(tl->plot(), Qt::LeftButton, {}, b);
    QCOMPARE(range.count(), 1);
    qint64 first = range.at(0).at(0).toLongLong(), last = range.at(0).at(1).toLongLong();
    QVERIFY(first != last);
    QVERIFY(sites.wait(10000));
    // What changed is measured across the range: the diff flame graph's base
    // is the range's first capture.
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    auto base = (*store)->loadProfile(SnapshotId(first));
    QVERIFY(base.ok());
    QCOMPARE(m_window->heapPage()->flameGraph()->tree()->baseTotal,
             computeTop(*base, base->sampleIndex("inuse_space")).total);
    QCOMPARE(m_window->heapPage()->sitesModel()->result()->total,
             computeTop(*(*store)->loadProfile(SnapshotId(last)), base->sampleIndex("inuse_space"))
                 .total);
    // A range with one capture in it picks nothing.
    QPoint p = tl->pointPosition(2);
    QVERIFY(!tl->pickRange(int64_t(tl->plot()->xAxis->pixelToCoord(p.x() - 1) * 1e9),
                           int64_t(tl->plot()->xAxis->pixelToCoord(p.x() + 1) * 1e9)));
}

void TestWorkbench::annotationsUndoRedoEditDelete() {
    auto* notes = m_window->annotationsView();
    auto* undo = m_window->undoStack();
    auto stored = [this] {
        auto store = CaseStore::open(m_demo.toStdString(), true);
        return store ? must((*store)->annotations()) : std::vector<Annotation>{};
    };
    size_t before = stored().size();
    QCOMPARE(size_t(notes->model()->rowCount()), before);
    Annotation note;
    note.timeNs = 1795712360000000000;
    note.endNs = note.timeNs + 5000000000;
    note.text = "deploy <b>v2</b>";
    note.severity = "warning";
    QVERIFY(m_window->addAnnotation(note));
    QCOMPARE(stored().size(), before + 1);
    QCOMPARE(size_t(notes->model()->rowCount()), before + 1);
    int timelineItems = m_window->timeline()->annotationCount();
    undo->undo();
    QCOMPARE(stored().size(), before);
    QVERIFY(m_window->timeline()->annotationCount() < timelineItems);
    undo->redo();
    QCOMPARE(stored().size(), before + 1);
    // Edit: the text changes, and undo brings the old text back.
    Annotation live;
    for (const auto& n : stored())
        if (n.text == note.text)
            live = n;
    QVERIFY(live.id.value > 0);
    Annotation edited = live;
    edited.text = "deploy v2 (rolled back)";
    m_window->replaceAnnotation(live, edited);
    auto texts = [&] {
        QStringList t;
        for (const auto& n : stored())
            t << QString::fromStdString(n.text);
        return t;
    };
    QVERIFY(texts().contains("deploy v2 (rolled back)") && !texts().contains("deploy <b>v2</b>"));
    undo->undo();
    QVERIFY(!texts().contains("deploy v2 (rolled back)") && texts().contains("deploy <b>v2</b>"));
    // Delete through the view's signal, then undo it: the note is back whole.
    notes->setAnnotations(stored());
    int row = -1;
    for (int r = 0; r < notes->model()->rowCount(); ++r)
        if (notes->model()->index(r, AnnotationsView::Text).data().toString() == "deploy <b>v2</b>")
            row = r;
    QVERIFY(row >= 0);
    QCOMPARE(notes->model()->index(row, AnnotationsView::Severity).data().toString(),
             QString("warning"));
    QVERIFY(!notes->model()->index(row, AnnotationsView::Until).data().toString().isEmpty());
    notes->table()->selectRow(row);
    QVERIFY(notes->current());
    emit notes->deleteRequested(*notes->current());
    QVERIFY(!texts().contains("deploy <b>v2</b>"));
    undo->undo();
    QVERIFY(texts().contains("deploy <b>v2</b>"));
    auto back = stored();
    auto it = std::find_if(back.begin(), back.end(),
                           [](const Annotation& n) { return n.text == "deploy <b>v2</b>"; });
    QVERIFY(it != back.end());
    QCOMPARE(it->endNs, note.endNs);
    QCOMPARE(it->severity, std::string("warning"));
    // Leave the case as it was.
    while (undo->canUndo())
        undo->undo();
    QCOMPARE(stored().size(), before);
}

void TestWorkbench::tablesCopyAndDarkTheme() {
    QTableView* view = m_window->heapPage()->sitesView();
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 10000);
    view->selectRow(0);
    QString text = selectedRowsText(view);
    QStringList lines = text.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY(lines[0].startsWith("Function\tFlat"));
    QCOMPARE(lines[1].section('\t', 0, 0), view->model()->index(0, 0).data().toString());
    {
        // A function named like a formula is copied as text; numbers stay numbers.
        QStandardItemModel formulas(1, 3);
        formulas.setItem(0, 0, new QStandardItem("=HYPERLINK(\"http://x.invalid\",\"y\")"));
        formulas.setItem(0, 1, new QStandardItem("-1.50MB"));
        auto* number = new QStandardItem;
        number->setData(-3, Qt::DisplayRole);
        formulas.setItem(0, 2, number);
        QTableView table;
        table.setModel(&formulas);
        table.selectRow(0);
        QCOMPARE(selectedRowsText(&table).section('\n', 1, 1),
                 QString("'=HYPERLINK(\"http://x.invalid\",\"y\")\t-1.50MB\t-3"));
    }
    // Every table and tree of the window has Copy.
    for (auto* v : m_window->findChildren<QAbstractItemView*>()) {
        bool has = false;
        for (auto* a : v->actions())
            has = has || a->shortcut() == QKeySequence(QKeySequence::Copy);
        QVERIFY2(has, qPrintable(v->objectName() + " " + v->metaObject()->className()));
    }
    // The links of the finding shown take the theme's link colour (the HTML
    // is laid out again: a document keeps the colour it was set with).
    auto* detail = m_window->findingsPanel()->findChild<QTextBrowser*>();
    QVERIFY(detail);
    auto linkColour = [detail]() -> QColor {
        for (QTextBlock b = detail->document()->begin(); b.isValid(); b = b.next())
            for (auto it = b.begin(); !it.atEnd(); ++it)
                if (it.fragment().charFormat().isAnchor())
                    return it.fragment().charFormat().foreground().color();
        return {};
    };
    QVERIFY(linkColour().isValid());
    QCOMPARE(linkColour(), qApp->palette().color(QPalette::Link));
    m_window->setDarkTheme(true);
    QVERIFY(m_window->timeline()->plot()->axisRect()->backgroundBrush().color().lightness() < 80);
    QVERIFY(qApp->palette().color(QPalette::Base).lightness() < 80);
    QCOMPARE(linkColour(), qApp->palette().color(QPalette::Link));
    QVERIFY(linkColour().lightness() > 120);
    m_window->setDarkTheme(false);
    QVERIFY(qApp->palette().color(QPalette::Base).lightness() > 200);
    QCOMPARE(linkColour(), qApp->palette().color(QPalette::Link));
}

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
