// SPDX-License-Identifier: GPL-3.0-or-later
// The views agree with what they show: a host's line selects that host's row,
// Side by side ranks by the size of a change whichever way it went, the
// window follows a case another process writes, and every import is logged.
#include "analysis/detect/detect.h"
#include "analysis/goroutine_cost/goroutine_cost.h"
#include "export/chart_export.h"
#include "import/import_batch.h"
#include "pages/compare_view.h"
#include "pages/connections_view.h"
#include "pages/goroutines_view.h"
#include "pages/heap_page.h"
#include "pages/import_log.h"
#include "pages/retention_view.h"
#include "pages/timeline_view.h"
#include "report/chart_layout.h"
#include "report/chart_svg.h"
#include "report/series_style.h"
#include "shell/help_dialogs.h"
#include "shell/main_window.h"
#include "store/case_store.h"
#include "testutil.h"
#include "widgets/series_style.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>
#include <qcustomplot.h>

using namespace memscope;
using namespace memscope::ui;
using namespace memscope::test;

class TestWorkbenchViews : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void clickingAHostLineSelectsThatHostsRow();
    void swapRanksTheBiggestShrinkFirst();
    void goroutinesFollowTheTimeline();
    void stackPaneDropsAFilteredGroup();
    void debug1AndDebug2OfOneMomentAreOneDump();
    void sideBySidePairsLikeWithLike();
    void sideBySideComparesItsDefaultsWhenShown();
    void findingsNeverWaitOnADash();
    void twoProgramsKeepNamesAndReachTheirSnapshots();
    void windowFollowsAnotherWriter();
    void importLogNamesEveryFile();
    void loadingSaysLoading();
    void byteTicksAreRoundIec();
    void linesNotDots();
    void oneColourPerHostEverywhere();
    void oneDisplayNamePerSeries();
    void annotationLabelsNeverOverlap();
    void exportsDrawOneLayout();
    void forecastDrawnPastTheLastCapture();
    void panelsHideAndShow();
    void shortcutsListEveryAction();
    void gettingStartedWalksThrough();
    void cleanupsBesideFinalizers();
    void goroutineCostColumnsSort();
    void pairedGroupsShareTheirCost();
    void itemMenusShowInTheOtherViews();
    void panelsMoveAndStayAligned();

private:
    // demo + the leaking service's final goroutine profile (program "leakyapp"),
    // and the healthy service (program "healthy"): two programs in one case.
    QString twoProgramCase();
    QTemporaryDir m_dir;
    QString m_demo, m_two;
    std::unique_ptr<MainWindow> m_window;
};

namespace {

QCPAxisRect* panelNamed(QCustomPlot* plot, const QString& title) {
    for (auto* rect : plot->axisRects())
        if (rect->axis(QCPAxis::atLeft)->label() == title)
            return rect;
    return nullptr;
}

std::vector<QCPGraph*> graphsOf(QCustomPlot* plot, QCPAxisRect* rect) {
    std::vector<QCPGraph*> out;
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->keyAxis()->axisRect() == rect)
            out.push_back(plot->graph(i));
    return out;
}

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

// The menu's entry whose text starts so, in the menu or a submenu of it.
QAction* entry(const QMenu* menu, const QString& text) {
    for (QAction* a : menu->actions()) {
        if (a->text().startsWith(text))
            return a;
        if (a->menu())
            if (QAction* inner = entry(a->menu(), text))
                return inner;
    }
    return nullptr;
}

// Copies a file under another name: the capture time comes from the name.
QString copyAs(const QString& from, const QString& dir, const QString& name) {
    QString to = dir + "/" + name;
    QFile::remove(to);
    return QFile::copy(from, to) ? to : QString();
}

} // namespace

QString TestWorkbenchViews::twoProgramCase() {
    if (!m_two.isEmpty())
        return m_two;
    QString path = m_dir.filePath("two.memscope");
    auto store = CaseStore::open(path.toStdString());
    if (!store)
        return {};
    std::vector<std::string> files, missing;
    listFiles({MEMSCOPE_SOURCE_DIR "/resources/demo",
               dataPath("pprof/goroutine-final.pb.gz").toStdString()},
              files, missing);
    ImportOptions leaky;
    leaky.targetName = "leakyapp";
    if (importBatch(**store, files, leaky, {}).failed != 0)
        return {};
    files.clear();
    listFiles({dataPath("cases/healthy").toStdString()}, files, missing);
    ImportOptions healthy;
    healthy.targetName = "healthy";
    if (importBatch(**store, files, healthy, {}).failed != 0)
        return {};
    m_two = path;
    return m_two;
}

void TestWorkbenchViews::initTestCase() {
    qputenv("XDG_CONFIG_HOME", m_dir.filePath("config").toUtf8());
    QCoreApplication::setOrganizationName("memscope-test");
    QCoreApplication::setApplicationName("memscope-test-views");
    m_demo = m_dir.filePath("demo.memscope");
    auto store = CaseStore::open(m_demo.toStdString());
    QVERIFY(store.ok());
    std::vector<std::string> files, missing;
    listFiles({MEMSCOPE_SOURCE_DIR "/resources/demo"}, files, missing);
    QCOMPARE(importBatch(**store, files, {}, {}).failed, 0);
    store = Error{};
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1366, 768);
    m_window->show();
    QSignalSpy loaded(m_window.get(), &MainWindow::caseLoaded);
    m_window->openCase(m_demo);
    QVERIFY(loaded.wait(20000));
}

void TestWorkbenchViews::clickingAHostLineSelectsThatHostsRow() {
    auto* view = m_window->findChild<ConnectionsView*>();
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->hosts()->rowCount() == 3, 10000);
    auto* tabs = m_window->findChild<QTabWidget*>();
    tabs->setCurrentWidget(view);
    QCustomPlot* plot = view->plot();
    plot->replot();
    QCOMPARE(plot->graphCount(), 3);
    // The legend is one row and covers no capture's point, the first ones too.
    const QRectF legend = plot->legend->outerRect();
    QVERIFY2(legend.height() < 2.0 * QFontMetrics(plot->legend->font()).height() + 8,
             qPrintable(QString::number(legend.height())));
    for (int g = 0; g < plot->graphCount(); ++g)
        for (int i = 0; i < plot->graph(g)->dataCount(); ++i) {
            auto p = plot->graph(g)->data()->at(i);
            QVERIFY(!legend.contains(plot->graph(g)->coordsToPixels(p->key, p->value)));
        }
    // The rows are sorted by sockets, the lines by host name: a line's index
    // is not its row. Click each line where it is alone under the mouse.
    int clicked = 0;
    for (int g = plot->graphCount() - 1; g >= 0; --g) {
        QCPGraph* graph = plot->graph(g);
        QString host = graph->name().section(' ', 0, 0);
        for (int i = graph->dataCount() - 1; i >= 0; --i) {
            auto p = graph->data()->at(i);
            QPoint at = graph->coordsToPixels(p->key, p->value).toPoint();
            if (plot->plottableAt(at) != graph)
                continue;
            QSignalSpy shown(view, &ConnectionsView::hostShown);
            QTest::mouseClick(plot, Qt::LeftButton, {}, at);
            QVERIFY(shown.count() >= 1);
            QModelIndex current = view->hostTable()->currentIndex();
            QVERIFY(current.isValid());
            QCOMPARE(current.siblingAtColumn(ConnectionsView::Host).data().toString(), host);
            QVERIFY(view->hostTable()->selectionModel()->isRowSelected(current.row(), {}));
            QVERIFY(view->serving()->toPlainText().startsWith(host + ":"));
            for (int r = 0; r < view->sockets()->rowCount(); ++r)
                QVERIFY(view->sockets()->index(r, 2).data().toString().startsWith(host + ":"));
            ++clicked;
            break;
        }
    }
    QVERIFY(clicked >= 2);
}

void TestWorkbenchViews::swapRanksTheBiggestShrinkFirst() {
    auto* view = m_window->findChild<CompareView*>();
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    auto heaps = must((*store)->snapshots(SnapshotKind::Heap));
    QSignalSpy done(view, &CompareView::compared);
    view->compare(heaps.front().id, heaps.back().id);
    QVERIFY(done.wait(20000));
    QString grew = view->table()->model()->index(0, 0).data().toString();
    QVERIFY(view->table()->model()->index(0, 4).data().toString().startsWith("+"));
    // Swap: what grew the most is now what shrank the most, and ranks first.
    auto* swap = [&]() -> QPushButton* {
        for (auto* b : view->findChildren<QPushButton*>())
            if (b->text() == QObject::tr("Swap"))
                return b;
        return nullptr;
    }();
    QVERIFY(swap);
    done.clear();
    swap->click();
    QVERIFY(done.wait(20000));
    QCOMPARE(view->table()->model()->index(0, 0).data().toString(), grew);
    QVERIFY(view->table()->model()->index(0, 4).data().toString().startsWith("-"));
    // Sorting the column again keeps the ranking by size, both ways.
    view->table()->sortByColumn(4, Qt::DescendingOrder);
    QCOMPARE(view->table()->model()->index(0, 0).data().toString(), grew);
    int rows = view->table()->model()->rowCount();
    auto size = [&](int r) {
        return view->table()->model()->index(r, 4).data(Qt::UserRole + 1).toLongLong();
    };
    for (int r = 1; r < rows; ++r)
        QVERIFY(size(r) <= size(r - 1));
}

void TestWorkbenchViews::goroutinesFollowTheTimeline() {
    auto* tl = m_window->findChild<TimelineView*>();
    auto* view = m_window->findChild<GoroutinesView*>();
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    auto heaps = must((*store)->snapshots(SnapshotKind::Heap));
    auto dumps = must((*store)->snapshots(SnapshotKind::Goroutines));
    QCOMPARE(dumps.size(), size_t(12));
    // The window opened on the last capture: the last dump.
    QTRY_COMPARE_WITH_TIMEOUT(view->snapshotId(), dumps.back().id, 10000);
    // A click on the first heap point shows the dump taken with it.
    QTest::mouseClick(tl->plot(), Qt::LeftButton, {}, tl->pointPosition(0));
    QTRY_COMPARE_WITH_TIMEOUT(view->snapshotId(), dumps.front().id, 10000);
    QVERIFY(std::llabs(dumps.front().timeNs - heaps.front().timeNs) < 1000000000LL);
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 10000);
    // And back to the last.
    QTest::mouseClick(tl->plot(), Qt::LeftButton, {}, tl->pointPosition(tl->pointCount() - 1));
    QTRY_COMPARE_WITH_TIMEOUT(view->snapshotId(), dumps.back().id, 10000);
}

void TestWorkbenchViews::stackPaneDropsAFilteredGroup() {
    auto* view = m_window->findChild<GoroutinesView*>();
    QTRY_VERIFY_WITH_TIMEOUT(view->table()->model()->rowCount() > 1, 10000);
    QAbstractItemModel* rows = view->table()->model();
    view->table()->setCurrentIndex(rows->index(0, 0));
    QVERIFY(!view->stackView()->toPlainText().isEmpty());
    QString picked = rows->index(0, GoroutinesView::State).data().toString();
    // A state filter that keeps other groups but not the picked one.
    QString other;
    for (int r = 1; r < rows->rowCount() && other.isEmpty(); ++r)
        if (QString st = rows->index(r, GoroutinesView::State).data().toString(); st != picked)
            other = st;
    QVERIFY(!other.isEmpty());
    QString removed = view->stackView()->toPlainText().section('\n', 0, 0);
    view->filter()->setState(other);
    QVERIFY(view->table()->model()->rowCount() > 0);
    // The pane shows no group, or the one the table now has current: never
    // the group the filter took away.
    QString shown = view->stackView()->toPlainText();
    QModelIndex current = view->table()->currentIndex();
    QVERIFY2(!shown.startsWith(removed), qPrintable(shown.left(200)));
    if (!shown.isEmpty()) {
        QVERIFY(current.isValid());
        QVERIFY(shown.startsWith(
            QString("%1 goroutines, %2")
                .arg(current.siblingAtColumn(GoroutinesView::Count).data().toString(), other)));
    }
    view->filter()->setState(QString());
    // A function filter that removes every group leaves no stack either.
    view->table()->setCurrentIndex(rows->index(0, 0));
    QVERIFY(!view->stackView()->toPlainText().isEmpty());
    auto* function = view->findChild<QLineEdit*>();
    QVERIFY(function);
    function->setText("no.such.function");
    QCOMPARE(view->table()->model()->rowCount(), 0);
    QVERIFY(view->stackView()->toPlainText().isEmpty());
    function->clear();
}

void TestWorkbenchViews::debug1AndDebug2OfOneMomentAreOneDump() {
    QTemporaryDir dir;
    QString captures = dir.filePath("captures");
    QDir().mkpath(captures);
    // The same process at the same second, saved both ways (25 goroutines
    // each), and a debug=1 profile of another moment.
    QVERIFY(!copyAs(dataPath("goroutines/goroutine_debug1_go119.txt"), captures,
                    "goroutine-debug1-20261126T170000Z.txt")
                 .isEmpty());
    QVERIFY(!copyAs(dataPath("goroutines/goroutine_debug2_go119.txt"), captures,
                    "goroutine-debug2-20261126T170000Z.txt")
                 .isEmpty());
    QString later = copyAs(dataPath("goroutines/goroutine_debug1_go119.txt"), dir.path(),
                           "goroutine-debug1-20261126T170100Z.txt");
    QString path = dir.filePath("twins.memscope");
    {
        auto store = CaseStore::open(path.toStdString());
        QVERIFY(store.ok());
        // debug=1 first: the full dump wins whatever the order.
        auto one = (*store)->importFile(
            captures.toStdString() + "/goroutine-debug1-20261126T170000Z.txt", {}, {});
        QCOMPARE(int(one.status), int(ImportStatus::Imported));
        auto two = (*store)->importFile(
            captures.toStdString() + "/goroutine-debug2-20261126T170000Z.txt", {}, {});
        QCOMPARE(int(two.status), int(ImportStatus::Imported));
        auto dumps = must((*store)->snapshots(SnapshotKind::Goroutines));
        QCOMPARE(dumps.size(), size_t(1));
        QCOMPARE(dumps[0].format, std::string("goroutine_text"));
        QCOMPARE(dumps[0].id, two.snapshotIds.front());
        // The other form stays a source of the case.
        QCOMPARE(must((*store)->sources()).size(), size_t(2));
        // Another moment is a dump of its own.
        QCOMPARE(int((*store)->importFile(later.toStdString(), {}, {}).status),
                 int(ImportStatus::Imported));
        QCOMPARE(must((*store)->snapshots(SnapshotKind::Goroutines)).size(), size_t(2));
    }
    // The Wait column shows the dump's minutes: [chan receive, 1 minutes].
    GoroutinesView view;
    auto store = CaseStore::open(path.toStdString(), true);
    auto all = must((*store)->snapshots());
    QSignalSpy loaded(&view, &GoroutinesView::loaded);
    view.setCase(path, all);
    view.showSnapshot(must((*store)->snapshots(SnapshotKind::Goroutines)).front().id);
    QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() > 0 && !loaded.isEmpty(), 10000);
    QStringList waits;
    for (int r = 0; r < view.model()->rowCount(); ++r)
        if (QString w = view.model()->index(r, GoroutinesView::Wait).data().toString();
            !w.isEmpty())
            waits << w;
    QVERIFY2(waits.contains("1 min"), qPrintable(waits.join(", ")));
}

void TestWorkbenchViews::sideBySidePairsLikeWithLike() {
    QString path = twoProgramCase();
    QVERIFY(!path.isEmpty());
    auto store = CaseStore::open(path.toStdString(), true);
    auto all = must((*store)->snapshots());
    CompareView view;
    view.setCase(path, all);
    auto combos = view.findChildren<QComboBox*>();
    QVERIFY(combos.size() >= 3);
    QComboBox *kind = combos[0], *base = combos[1], *now = combos[2];
    kind->setCurrentText("goroutines");
    QCOMPARE(kind->currentText(), QString("goroutines"));
    auto info = [&](qint64 id) { return *must((*store)->snapshot(SnapshotId(id))); };
    SnapshotInfo a = info(base->currentData().toLongLong()),
                 b = info(now->currentData().toLongLong());
    // Full dumps of one program at both ends; not the goroutine profile that
    // was saved last, which has no states.
    QCOMPARE(a.format, std::string("goroutine_text"));
    QCOMPARE(b.format, std::string("goroutine_text"));
    QCOMPARE(a.targetId, b.targetId);
    QVERIFY(a.timeNs < b.timeNs);
    QSignalSpy done(&view, &CompareView::compared);
    view.compare(a.id, b.id);
    QVERIFY(done.wait(20000));
    // Like with like: most groups are in both dumps, not all added or gone.
    int both = 0;
    for (int r = 0; r < view.model()->rowCount(); ++r)
        both += view.model()->index(r, 2).data(Qt::UserRole + 1).toLongLong() > 0 &&
                view.model()->index(r, 3).data(Qt::UserRole + 1).toLongLong() > 0;
    QVERIFY(both > 0);
}

void TestWorkbenchViews::sideBySideComparesItsDefaultsWhenShown() {
    QString path = twoProgramCase();
    QVERIFY(!path.isEmpty());
    auto all = must(must(CaseStore::open(path.toStdString(), true))->snapshots());
    CompareView view;
    view.setCase(path, all);
    QCOMPARE(view.model()->rowCount(), 0); // hidden: nothing computed yet
    QSignalSpy done(&view, &CompareView::compared);
    view.show();
    QVERIFY(done.wait(20000));
    QVERIFY(view.model()->rowCount() > 0);
    // Shown again, it keeps what it has rather than comparing again.
    view.hide();
    view.show();
    QVERIFY(!done.wait(500));
    QCOMPARE(done.count(), 1);
}

void TestWorkbenchViews::findingsNeverWaitOnADash() {
    QString path = twoProgramCase();
    auto store = CaseStore::open(path.toStdString(), true);
    // The leaking program's last goroutine capture is a profile with no states.
    auto dumps = must((*store)->snapshots(SnapshotKind::Goroutines));
    QVERIFY(std::any_of(dumps.begin(), dumps.end(),
                        [](const SnapshotInfo& s) { return s.format == "pprof"; }));
    auto findings = must(detectFindings(**store));
    bool finalizer = false;
    for (const auto& f : findings) {
        QVERIFY2(f.summary.find("waiting on -") == std::string::npos &&
                     f.summary.find("waiting in -") == std::string::npos,
                 f.summary.c_str());
        if (f.kind == FindingKind::FinalizerBacklog) {
            finalizer = true;
            // Where it waits comes from a dump that says.
            QVERIFY2(f.summary.find(", waiting on ") != std::string::npos, f.summary.c_str());
        }
    }
    QVERIFY(finalizer);
}

void TestWorkbenchViews::twoProgramsKeepNamesAndReachTheirSnapshots() {
    QString path = twoProgramCase();
    MainWindow window;
    window.resize(1366, 768);
    window.show();
    QSignalSpy loaded(&window, &MainWindow::caseLoaded);
    window.openCase(path);
    QVERIFY(loaded.wait(30000));
    auto* tl = window.findChild<TimelineView*>();
    QCustomPlot* plot = tl->plot();
    // Every legend names its series and its program.
    for (int i = 0; i < plot->graphCount(); ++i) {
        QString name = plot->graph(i)->name();
        QVERIFY2(name.endsWith("[leakyapp]") || name.endsWith("[healthy]"), qPrintable(name));
        QVERIFY2(name.section(" [", 0, 0).size() > 0 && name != "[leakyapp]", qPrintable(name));
    }
    QCPAxisRect* goroutines = panelNamed(plot, "goroutines");
    QVERIFY(goroutines);
    QStringList names;
    for (auto* g : graphsOf(plot, goroutines))
        names << g->name();
    QVERIFY2(names.contains("goroutines [leakyapp]") && names.contains("goroutines [healthy]"),
             qPrintable(names.join(" | ")));
    // Both programs' heap snapshots are points to click.
    auto store = CaseStore::open(path.toStdString(), true);
    auto targets = must((*store)->targets());
    TargetId healthyId;
    for (const auto& t : targets)
        if (t.name == "healthy")
            healthyId = t.id;
    QVERIFY(healthyId);
    std::vector<SnapshotInfo> healthyHeaps;
    for (const auto& s : must((*store)->snapshots(SnapshotKind::Heap)))
        if (s.targetId == healthyId)
            healthyHeaps.push_back(s);
    QVERIFY(healthyHeaps.size() >= 2);
    QCPGraph* healthyTotal = nullptr;
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == "heap in use (total) [healthy]")
            healthyTotal = plot->graph(i);
    QVERIFY(healthyTotal);
    QCOMPARE(size_t(healthyTotal->dataCount()), healthyHeaps.size());
    auto pointAt = [&](int i) {
        auto it = healthyTotal->data()->at(i);
        return healthyTotal->coordsToPixels(it->key, it->value).toPoint();
    };
    QSignalSpy clicked(tl, &TimelineView::snapshotClicked);
    QTest::mouseClick(plot, Qt::LeftButton, {}, pointAt(healthyTotal->dataCount() - 1));
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toLongLong(), healthyHeaps.back().id.value);
    // The allocation sites show that snapshot.
    auto* heap = window.findChild<HeapPage*>();
    QTRY_COMPARE_WITH_TIMEOUT(heap->snapshotId(), healthyHeaps.back().id.value, 10000);
}

void TestWorkbenchViews::windowFollowsAnotherWriter() {
    QTemporaryDir dir;
    QString path = dir.filePath("growing.memscope");
    QStringList heaps = QDir(MEMSCOPE_SOURCE_DIR "/resources/demo")
                            .entryList({"heap-*.pb.gz"}, QDir::Files, QDir::Name);
    QVERIFY(heaps.size() >= 5);
    auto demoFile = [](const QString& name) {
        return std::string(MEMSCOPE_SOURCE_DIR "/resources/demo/") + name.toStdString();
    };
    {
        auto store = CaseStore::open(path.toStdString());
        QVERIFY(store.ok());
        QCOMPARE(importBatch(**store, {demoFile(heaps[0]), demoFile(heaps[1])}, {}, {}).imported,
                 2);
    }
    MainWindow window;
    window.show();
    QSignalSpy loaded(&window, &MainWindow::caseLoaded);
    window.openCase(path);
    QVERIFY(loaded.wait(20000));
    auto* tl = window.findChild<TimelineView*>();
    QCOMPARE(tl->pointCount(), 2);
    // Another writer (the command line, another window) adds three captures.
    {
        auto writer = CaseStore::open(path.toStdString());
        QVERIFY(writer.ok());
        QCOMPARE(importBatch(**writer, {demoFile(heaps[2]), demoFile(heaps[3]), demoFile(heaps[4])},
                             {}, {})
                     .imported,
                 3);
    }
    QTRY_COMPARE_WITH_TIMEOUT(tl->pointCount(), 5, 15000);
    // Nothing more happens while nobody writes.
    loaded.clear();
    QTest::qWait(2500);
    QCOMPARE(loaded.count(), 0);
}

void TestWorkbenchViews::importLogNamesEveryFile() {
    QTemporaryDir dir;
    QString path = dir.filePath("logged.memscope");
    QString heap = QDir(MEMSCOPE_SOURCE_DIR "/resources/demo")
                       .absoluteFilePath(QDir(MEMSCOPE_SOURCE_DIR "/resources/demo")
                                             .entryList({"heap-*.pb.gz"}, QDir::Files)
                                             .front());
    // A cut gzip: a failure with its reason.
    QFile whole(heap);
    QVERIFY(whole.open(QIODevice::ReadOnly));
    QByteArray cut = whole.read(300);
    QString broken = dir.filePath("heap-cut.pb.gz");
    writeBytes(broken, cut.toStdString());
    MainWindow window;
    window.resize(1000, 620);
    window.show();
    QSignalSpy loaded(&window, &MainWindow::caseLoaded);
    window.openCase(path);
    QVERIFY(loaded.wait(20000));
    const QSize before = window.size();
    auto* log = window.findChild<ImportLog*>();
    QVERIFY(log);
    QSignalSpy done(&window, &MainWindow::importFinished);
    window.importPaths({heap, dataPath("broken/notes.txt"), broken});
    QVERIFY(done.wait(30000));
    QCOMPARE(log->fileCount(), 3);
    // Again: the first is now a duplicate; the log keeps both batches.
    window.importPaths({heap});
    QVERIFY(done.wait(30000));
    QCOMPARE(log->fileCount(), 4);
    QTreeWidget* tree = log->tree();
    QCOMPARE(tree->topLevelItemCount(), 2);
    QMap<QString, QString> outcome;
    QTreeWidgetItem* first = tree->topLevelItem(1); // newest first
    for (int i = 0; i < first->childCount(); ++i)
        outcome[QFileInfo(first->child(i)->text(ImportLog::File)).fileName()] =
            first->child(i)->text(ImportLog::Outcome) + " | " +
            first->child(i)->text(ImportLog::Detail);
    QVERIFY2(outcome[QFileInfo(heap).fileName()].startsWith("imported | pprof"),
             qPrintable(outcome[QFileInfo(heap).fileName()]));
    QVERIFY2(outcome["notes.txt"].startsWith("skipped"), qPrintable(outcome["notes.txt"]));
    QVERIFY2(outcome["heap-cut.pb.gz"].startsWith("failed") &&
                 outcome["heap-cut.pb.gz"].contains("heap-cut.pb.gz"),
             qPrintable(outcome["heap-cut.pb.gz"]));
    QCOMPARE(tree->topLevelItem(0)->child(0)->text(ImportLog::Outcome), QString("duplicate"));
    // A batch with a failure opens the log; View ▸ Import Log toggles it.
    auto* dock = window.findChild<QDockWidget*>("importLog");
    QVERIFY(dock && dock->isVisible());
    // The dock takes room from the tabs; the window does not grow.
    QCoreApplication::processEvents();
    QCOMPARE(window.size(), before);
    dock->toggleViewAction()->trigger();
    QVERIFY(!dock->isVisible());
}

void TestWorkbenchViews::loadingSaysLoading() {
    MainWindow window;
    window.show();
    auto* tl = window.findChild<TimelineView*>();
    QSignalSpy loaded(&window, &MainWindow::caseLoaded);
    window.openCase(m_demo);
    QVERIFY2(tl->placeholderText().startsWith("Loading"), qPrintable(tl->placeholderText()));
    QVERIFY(!tl->placeholderText().contains("No heap profiles"));
    QVERIFY(loaded.wait(20000));
    QVERIFY(tl->placeholderText().isEmpty());
}

void TestWorkbenchViews::byteTicksAreRoundIec() {
    double unit = 0;
    QCOMPARE(iecTickStep(10.0 * 1024 * 1024, 5, &unit), 2.0 * 1024 * 1024);
    QCOMPARE(unit, 1024.0 * 1024);
    QCOMPARE(iecTickLabel(4.0 * 1024 * 1024, unit), std::string("4 MiB"));
    QCOMPARE(iecTickStep(19.0 * 1024 * 1024, 5, &unit), 4.0 * 1024 * 1024);
    QCOMPARE(iecTickLabel(0, unit), std::string("0"));
    QCOMPARE(iecTickStep(1500.0 * 1024, 5, &unit), 400.0 * 1024);
    QCOMPARE(iecTickLabel(800.0 * 1024, unit), std::string("800 KiB"));
    // Not 1000 KiB: 1 MiB.
    QCOMPARE(iecTickStep(2900.0 * 1024, 3, &unit), 1024.0 * 1024);
    QCOMPARE(iecTickLabel(2.0 * 1024 * 1024, unit), std::string("2 MiB"));
    // On the timeline: every byte axis reads round IEC values.
    auto* tl = m_window->findChild<TimelineView*>();
    tl->resetZoom();
    tl->plot()->replot();
    QRegularExpression round("^(0|[0-9]+ (B|KiB|MiB|GiB))$");
    int axes = 0;
    for (auto* rect : tl->plot()->axisRects()) {
        QCPAxis* y = rect->axis(QCPAxis::atLeft);
        if (!qSharedPointerDynamicCast<IecByteTicker>(y->ticker()))
            continue;
        ++axes;
        QVERIFY(!y->tickVectorLabels().isEmpty());
        for (const QString& label : y->tickVectorLabels())
            QVERIFY2(round.match(label).hasMatch(), qPrintable(y->label() + ": " + label));
    }
    QVERIFY(axes >= 3); // heap, GC heap, finalizers' kept bytes
}

void TestWorkbenchViews::linesNotDots() {
    QCustomPlot* plot = m_window->findChild<TimelineView*>()->plot();
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        QCOMPARE(g->lineStyle(), QCPGraph::lsLine);
        QVERIFY2(g->pen().widthF() >= 2, qPrintable(g->name()));
        QVERIFY(g->scatterStyle().size() <= 6);
    }
}

void TestWorkbenchViews::oneColourPerHostEverywhere() {
    QCustomPlot* timeline = m_window->findChild<TimelineView*>()->plot();
    QCustomPlot* connections = m_window->findChild<ConnectionsView*>()->plot();
    QCPAxisRect* sockets = panelNamed(timeline, "sockets");
    QVERIFY(sockets);
    QMap<QString, QColor> onTimeline;
    for (auto* g : graphsOf(timeline, sockets))
        onTimeline[g->name()] = g->pen().color();
    QCOMPARE(onTimeline.size(), 3);
    QSet<QRgb> distinct;
    for (int i = 0; i < connections->graphCount(); ++i) {
        QCPGraph* g = connections->graph(i);
        QString host = g->name().section(' ', 0, 0);
        QVERIFY2(onTimeline.contains(host), qPrintable(host));
        QCOMPARE(g->pen().color().rgb(), onTimeline[host].rgb());
        distinct.insert(g->pen().color().rgb());
    }
    QCOMPARE(distinct.size(), 3);
    // The report's SVG charts colour the hosts the same way.
    auto store = CaseStore::open(m_demo.toStdString(), true);
    auto named = namedChart(**store, "connections");
    QVERIFY(named.ok());
    std::string svg = renderChartSvg(*named, 900, 320);
    for (auto it = onTimeline.begin(); it != onTimeline.end(); ++it)
        QVERIFY2(svg.find(it.value().name().toStdString()) != std::string::npos,
                 qPrintable(it.key() + " " + it.value().name()));
    // The dark theme lightens them, still one per host.
    m_window->setDarkTheme(true);
    QSet<QRgb> dark;
    for (auto* g : graphsOf(timeline, sockets)) {
        QVERIFY(g->pen().color().lightness() > onTimeline[g->name()].lightness());
        dark.insert(g->pen().color().rgb());
    }
    QCOMPARE(dark.size(), 3);
    m_window->setDarkTheme(false);
}

void TestWorkbenchViews::oneDisplayNamePerSeries() {
    QCustomPlot* plot = m_window->findChild<TimelineView*>()->plot();
    QCPAxisRect* finalizers = panelNamed(plot, "finalizers");
    QVERIFY(finalizers);
    QStringList names;
    for (auto* g : graphsOf(plot, finalizers))
        names << g->name();
    // The service's counter and the heap dumps' count, in one style.
    QVERIFY2(names.contains("finalizers registered (expvar)") &&
                 names.contains("finalizers registered (heap dumps)"),
             qPrintable(names.join(" | ")));
    for (const QString& n : names)
        QVERIFY2(!n.contains('_') && !n.contains("finalizers."), qPrintable(n));
}

void TestWorkbenchViews::annotationLabelsNeverOverlap() {
    auto* tl = m_window->findChild<TimelineView*>();
    QCustomPlot* plot = tl->plot();
    tl->resetZoom();
    // Four notes a second apart: at this zoom their labels would overprint.
    int64_t t0 = int64_t(plot->xAxis->range().center() * 1e9);
    std::vector<Annotation> notes;
    for (int i = 0; i < 4; ++i) {
        Annotation n;
        n.timeNs = t0 + i * 1000000000LL;
        n.text = "deploy of build " + std::to_string(i) + " with a long description";
        n.severity = i % 2 ? "warning" : "info";
        notes.push_back(n);
    }
    tl->setAnnotations(notes);
    plot->replot();
    QList<QRectF> rects = tl->annotationLabelRects();
    QCOMPARE(rects.size(), 4);
    QRectF legend = plot->legend->outerRect();
    for (int i = 0; i < rects.size(); ++i) {
        QVERIFY(plot->axisRect()->rect().contains(rects[i].toRect().topLeft()));
        QVERIFY(!rects[i].intersects(legend));
        for (int j = i + 1; j < rects.size(); ++j)
            QVERIFY2(!rects[i].intersects(rects[j]),
                     qPrintable(QString("%1 and %2").arg(i).arg(j)));
    }
    // Dark: the labels are light on the dark chart.
    m_window->setDarkTheme(true);
    tl->setAnnotations(notes);
    QColor base = QApplication::palette().color(QPalette::Base);
    for (auto* item : plot->findChildren<QCPItemText*>())
        QVERIFY(item->color().lightness() - base.lightness() > 100);
    m_window->setDarkTheme(false);
    tl->setAnnotations({});
}

void TestWorkbenchViews::exportsDrawOneLayout() {
    // The heap chart with seven notes, six of them a second apart: more than
    // three rows of text can hold.
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    auto named = namedChart(**store, "heap");
    QVERIFY(named.ok());
    ChartSpec chart = *named;
    chart.notes.clear();
    int64_t first = INT64_MAX, last = 0;
    for (const auto& s : chart.series)
        for (const auto& p : s.points) {
            first = std::min(first, p.timeNs);
            last = std::max(last, p.timeNs);
        }
    QVERIFY(last > first + 20'000'000'000LL);
    const int64_t mid = first + (last - first) / 2;
    chart.notes.push_back({first + 2'000'000'000LL, "canary started"});
    for (int i = 0; i < 6; ++i)
        chart.notes.push_back({mid + i * 1'000'000'000LL, "deploy of build " + std::to_string(i) +
                                                              " with a long description"});
    const ChartLayout l = layoutChart(chart, kExportChartWidth, kExportChartHeight);
    // Every note labelled, no two labels on each other, all inside the plot.
    QCOMPARE(l.notes.size(), size_t(7));
    int numbered = 0;
    for (size_t i = 0; i < l.notes.size(); ++i) {
        const auto& n = l.notes[i];
        QVERIFY(!n.label.empty());
        numbered += n.label.front() == '[';
        QRectF box(n.boxX, n.boxY, n.boxW, n.boxH);
        QVERIFY(QRectF(l.left, l.top, l.plotW, l.plotH).contains(box));
        for (size_t j = i + 1; j < l.notes.size(); ++j)
            QVERIFY2(!box.intersects(QRectF(l.notes[j].boxX, l.notes[j].boxY, l.notes[j].boxW,
                                            l.notes[j].boxH)),
                     qPrintable(QString("%1 and %2").arg(i).arg(j)));
    }
    // The notes without room for their text carry a number, and their text is
    // listed under the legend.
    QVERIFY(numbered > 0);
    QCOMPARE(l.noteKey.size(), size_t(numbered));
    QVERIFY(l.noteKey.front().text.find("deploy of build") != std::string::npos);
    // The SVG is that layout: its tick labels, legend and note labels.
    const std::string svg = renderChartSvg(chart, kExportChartWidth, kExportChartHeight);
    for (const auto& t : l.valueTicks)
        QVERIFY2(svg.find(">" + t.label + "</text>") != std::string::npos, t.label.c_str());
    for (const auto& n : l.notes)
        QVERIFY2(svg.find(">" + xmlEscape(n.label) + "</text>") != std::string::npos,
                 n.label.c_str());
    for (const auto& k : l.noteKey)
        QVERIFY(svg.find(xmlEscape(k.text)) != std::string::npos);
    // The PNG is that layout too, at twice the pixels: the heap total's last
    // point (far above the sites' lines) in its colour where the layout put it.
    QTemporaryDir dir;
    chart.pixelRatio = 2;
    const QString png = dir.filePath("heap.png");
    QCOMPARE(saveChart(chart, png), QString());
    QImage image(png);
    QCOMPARE(image.size(), QSize(kExportChartWidth * 2, kExportChartHeight * 2));
    {
        const auto& line = l.lines.front();
        const auto& p = line.points.back();
        const QColor got = image.pixelColor(int(std::lround(p.x * 2)), int(std::lround(p.y * 2)));
        const QColor want(line.colour.r, line.colour.g, line.colour.b);
        QVERIFY2(std::abs(got.red() - want.red()) + std::abs(got.green() - want.green()) +
                         std::abs(got.blue() - want.blue()) <
                     60,
                 qPrintable(got.name() + " " + want.name()));
    }
}

void TestWorkbenchViews::shortcutsListEveryAction() {
    QList<ShortcutRow> rows = windowShortcuts(m_window.get());
    QMap<QString, QString> byWhere;
    for (const auto& r : rows)
        byWhere[r.where] = r.keys;
    auto native = [](const QKeySequence& k) { return k.toString(QKeySequence::NativeText); };
    QCOMPARE(byWhere.value("File ▸ Open Case…"), native(QKeySequence::Open));
    QCOMPARE(byWhere.value("File ▸ Import Files…"), native(QKeySequence(Qt::CTRL | Qt::Key_I)));
    QCOMPARE(byWhere.value("View ▸ Import Log"), native(QKeySequence(Qt::CTRL | Qt::Key_L)));
    QCOMPARE(byWhere.value("Help ▸ Keyboard Shortcuts"),
             native(QKeySequence(Qt::CTRL | Qt::Key_Slash)));
    QVERIFY(byWhere.value("tables and trees ▸ Copy") == native(QKeySequence::Copy));
    // Every action with a shortcut in the menus is listed, generated, not typed.
    int inMenus = 0;
    std::function<void(QMenu*)> count = [&](QMenu* m) {
        for (QAction* a : m->actions())
            if (a->menu())
                count(a->menu());
            else if (!a->isSeparator() && !a->shortcuts().isEmpty())
                ++inMenus;
    };
    for (QAction* a : m_window->menuBar()->actions())
        if (a->menu())
            count(a->menu());
    int listedInMenus = 0;
    for (const auto& r : rows)
        listedInMenus += !r.where.startsWith("tables and trees");
    QVERIFY(inMenus >= 15);
    QVERIFY(listedInMenus >= inMenus);
    for (int i = 1; i <= 7; ++i)
        QVERIFY(std::any_of(rows.begin(), rows.end(), [&](const ShortcutRow& r) {
            return r.keys == native(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_0 + i)));
        }));
}

void TestWorkbenchViews::gettingStartedWalksThrough() {
    QString html = gettingStartedHtml();
    for (const char* must : {"memscope --demo", "Allocation sites", "flame graph", "source",
                             "Goroutines", "Connections", "Retention", "Side by side"})
        QVERIFY2(html.contains(QString::fromUtf8(must)), must);
    QStringList help;
    for (QAction* a : m_window->menuBar()->actions())
        if (a->menu() && a->text().remove('&') == "Help")
            for (QAction* item : a->menu()->actions())
                help << item->text().remove('&');
    QVERIFY2(help.contains("Getting Started") && help.contains("Keyboard Shortcuts"),
             qPrintable(help.join(", ")));
}

// runtime.AddCleanup's cleanups share the finalizer panel: their queue, what
// ran and the runCleanups goroutines, each with a legend name of its own;
// the leak profile's line joins the goroutines panel.
void TestWorkbenchViews::cleanupsBesideFinalizers() {
    auto line = [](std::string metric, std::map<std::string, std::string> labels,
                   std::initializer_list<double> values) {
        Series s;
        s.metric = std::move(metric);
        s.labels = std::move(labels);
        int64_t t = 1'790'000'000'000'000'000;
        for (double v : values) {
            s.points.push_back({t, v, {}});
            t += 10'000'000'000;
        }
        return s;
    };
    TimelineView view;
    view.resize(1200, 900);
    view.setSeries({line("heap_inuse_bytes", {}, {1e6, 2e6, 3e6}),
                    line("runtime", {{"name", "/gc/finalizers/queued:finalizers"}}, {1, 2, 3}),
                    line("runtime", {{"name", "/gc/cleanups/queued:cleanups"}}, {10, 40, 90}),
                    line("runtime", {{"name", "/gc/cleanups/executed:cleanups"}}, {5, 9, 12}),
                    line("goroutines", {{"role", "cleanup_running"}}, {1, 1, 1}),
                    line("goroutines", {}, {20, 30, 40}),
                    line("goroutines_leaked", {}, {0, 3, 3})});
    QCustomPlot* plot = view.plot();
    QStringList fin, gor;
    for (auto* g : graphsOf(plot, panelNamed(plot, "finalizers")))
        fin << g->name();
    for (auto* g : graphsOf(plot, panelNamed(plot, "goroutines")))
        gor << g->name();
    fin.sort();
    gor.sort();
    QCOMPARE(fin, (QStringList{"/gc/cleanups/executed:cleanups (runtime)",
                               "/gc/cleanups/queued:cleanups (runtime)",
                               "/gc/finalizers/queued:finalizers (runtime)",
                               "goroutines cleanup running"}));
    QCOMPARE(gor, (QStringList{"goroutines", "goroutines leaked"}));
}

// The Goroutines view's cost columns on tests/data/gcost: sorted by retained
// bytes, the group with eight 64 KiB buffers comes first with its 8 sockets
// and its growth; the summary says where the numbers come from.
void TestWorkbenchViews::goroutineCostColumnsSort() {
    QTemporaryDir dir;
    QString path = dir.filePath("gcost.memscope");
    {
        auto store = must(CaseStore::open(path.toStdString()));
        ImportOptions o;
        o.targetName = "gcost";
        for (const char* f :
             {"gcost/goroutines-20261203T193613Z.txt", "gcost/goroutines-20261203T193616Z.txt",
              "gcost/heapdump-20261203T193616Z.bin.zst", "gcost/proc-20261203T193616Z.txt"})
            QCOMPARE(int(store->importFile(dataPath(f).toStdString(), o, {}).status),
                     int(ImportStatus::Imported));
    }
    GoroutinesView view;
    auto store = must(CaseStore::open(path.toStdString(), true));
    QSignalSpy loaded(&view, &GoroutinesView::loaded);
    view.setCase(path, must(store->snapshots()));
    QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() > 0 && !loaded.isEmpty(), 10000);
    QVERIFY2(view.costNote().contains("heap dump") && view.costNote().contains("fd snapshot"),
             qPrintable(view.costNote()));
    auto* rows = view.table()->model();
    for (int column : {int(GoroutinesView::Retained), int(GoroutinesView::Sockets),
                       int(GoroutinesView::Growth)}) {
        view.table()->sortByColumn(column, Qt::DescendingOrder);
        QCOMPARE(rows->index(0, GoroutinesView::Function).data().toString(), QString("main.hold"));
    }
    QVERIFY(rows->index(0, GoroutinesView::Retained).data(GoroutinesView::kSortRole).toLongLong() >=
            8 * 65536);
    QCOMPARE(rows->index(0, GoroutinesView::Sockets).data().toString(), QString("8"));
    QCOMPARE(rows->index(0, GoroutinesView::Growth).data().toString(),
             "+" + QLocale().toString(4800.0, 'f', 0));
    QVERIFY(rows->index(0, GoroutinesView::Sockets)
                .data(Qt::ToolTipRole)
                .toString()
                .contains("client: 127.0.0.1 (8)"));
    // The idle goroutines: nothing held, nothing served.
    view.table()->sortByColumn(GoroutinesView::Retained, Qt::AscendingOrder);
    bool idle = false;
    for (int r = 0; r < rows->rowCount(); ++r)
        if (rows->index(r, GoroutinesView::Function).data().toString() == "main.idle") {
            idle = true;
            QCOMPARE(rows->index(r, GoroutinesView::Retained).data().toString(), QString("0B"));
            QCOMPARE(rows->index(r, GoroutinesView::Sockets).data().toString(), QString("0"));
        }
    QVERIFY(idle);
}

void TestWorkbenchViews::pairedGroupsShareTheirCost() {
    // The demo's latest dump: 1752 read loops and 1752 write loops, costed
    // together as one bucket. Each row shows its share, so the two add up to
    // the bucket's bytes and growth instead of each showing all of it.
    auto* view = m_window->findChild<GoroutinesView*>();
    QVERIFY(view);
    auto* rows = view->model();
    auto isLoop = [&](int r) {
        return rows->index(r, GoroutinesView::Role)
                   .data()
                   .toString()
                   .contains("client connection loop") &&
               rows->index(r, GoroutinesView::Retained)
                       .data(GoroutinesView::kSortRole)
                       .toLongLong() > 0;
    };
    auto pairRows = [&] {
        int n = 0;
        for (int r = 0; r < rows->rowCount(); ++r)
            n += isLoop(r);
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(pairRows(), 2, 20000);
    auto store = must(CaseStore::open(m_demo.toStdString(), true));
    GoroutineCostOptions o;
    o.atDumpId = view->snapshotId();
    auto sn = must(store->snapshot(view->snapshotId()));
    QVERIFY(sn);
    o.targetId = sn->targetId;
    const auto report = must(goroutineCost(*store, o));
    const GoroutineGroupCost* loops = nullptr;
    for (const auto& c : report.groups)
        if (c.key.rfind(kHttpClientLoops, 0) == 0)
            loops = &c;
    QVERIFY(loops && loops->bytes > 0 && loops->growthPerHour > 0);
    int64_t bytes = 0, sockets = -1;
    double growth = 0;
    int pair = 0;
    for (int r = 0; r < rows->rowCount(); ++r) {
        auto at = [&](int column) { return rows->index(r, column); };
        if (!isLoop(r))
            continue;
        ++pair;
        bytes += at(GoroutinesView::Retained).data(GoroutinesView::kSortRole).toLongLong();
        growth += at(GoroutinesView::Growth).data(GoroutinesView::kSortRole).toDouble();
        // Both loops serve the same sockets, one of each per connection.
        const qlonglong s =
            at(GoroutinesView::Sockets).data(GoroutinesView::kSortRole).toLongLong();
        QVERIFY(sockets < 0 || s == sockets);
        sockets = s;
    }
    QCOMPARE(pair, 2);
    QVERIFY2(std::llabs(bytes - loops->bytes) <= 1,
             qPrintable(QString("%1 vs %2").arg(bytes).arg(loops->bytes)));
    QVERIFY(std::fabs(growth - loops->growthPerHour) < 1);
    QCOMPARE(sockets, qlonglong(loops->sockets));
}

QTEST_MAIN(TestWorkbenchViews)
void TestWorkbenchViews::forecastDrawnPastTheLastCapture() {
    // A heap line growing 1 MiB a minute for ten minutes, and a finding that
    // says 20 MiB is reached at minute 20: the dashed line runs from the last
    // capture to that time, on the fitted line.
    TimelineView view;
    view.resize(900, 500);
    Series total;
    total.metric = "heap_inuse_bytes";
    total.unit = "bytes";
    const int64_t t0 = 1'700'000'000'000'000'000;
    for (int m = 0; m <= 10; ++m)
        total.points.push_back(
            {t0 + int64_t(m) * 60'000'000'000, double(m) * 1048576.0, SnapshotId(m + 1)});
    view.setSeries({total});
    const double minute20 = double(t0) / 1e9 + 1200;
    view.showEvidence({total}, {{"forecast_per_minute", 1048576.0},
                                {"forecast_limit", 20 * 1048576.0},
                                {"forecast_at_unix", minute20}});
    auto line = view.projectionLine();
    QVERIFY(line);
    QCOMPARE(line->first.x(), double(t0) / 1e9 + 600);
    QCOMPARE(line->first.y(), 10 * 1048576.0);
    QCOMPARE(line->second.x(), minute20);
    QCOMPARE(line->second.y(), 20 * 1048576.0);
    // Another finding, or none: the projection goes.
    view.showEvidence({});
    QVERIFY(!view.projectionLine());
    // Two points are a poor fit: said in words, never drawn.
    Series few = total;
    few.points.resize(2);
    view.setSeries({few});
    view.showEvidence({few}, {{"forecast_per_minute", 1048576.0}});
    QVERIFY(!view.projectionLine());
}

void TestWorkbenchViews::panelsHideAndShow() {
    TimelineView view;
    view.resize(900, 500);
    const int64_t t0 = 1'700'000'000'000'000'000;
    Series heap, goroutines, sockets;
    heap.metric = "heap_inuse_bytes";
    heap.unit = "bytes";
    goroutines.metric = "goroutines";
    sockets.metric = "tcp_sockets";
    sockets.labels["host"] = "10.0.0.1";
    for (int i = 0; i < 4; ++i)
        for (Series* s : {&heap, &goroutines, &sockets})
            s->points.push_back(
                {t0 + int64_t(i) * 1'000'000'000, double(i + 1), SnapshotId(i + 1)});
    view.setSeries({heap, goroutines, sockets});
    QCOMPARE(view.panelTitles(), QStringList({"goroutines", "sockets"}));
    view.setPanelHidden("goroutines", true);
    QCOMPARE(view.panelTitles(), QStringList({"sockets"}));
    QCOMPARE(view.availablePanels(), QStringList({"goroutines", "sockets"}));
    // Remembered: a new case's timeline leaves it out too.
    TimelineView other;
    other.setSeries({heap, goroutines, sockets});
    QCOMPARE(other.panelTitles(), QStringList({"sockets"}));
    // A finding's evidence panel shows whatever is hidden.
    Series retained;
    retained.metric = "retained_bytes";
    retained.unit = "bytes";
    retained.points = heap.points;
    view.showEvidence({retained});
    QCOMPARE(view.panelTitles(), QStringList({"sockets", "evidence"}));
    view.setPanelHidden("goroutines", false);
    QCOMPARE(view.panelTitles(), QStringList({"goroutines", "sockets", "evidence"}));
    QCOMPARE(view.pointCount(), 4);
}

void TestWorkbenchViews::itemMenusShowInTheOtherViews() {
    auto* tabs = m_window->findChild<QTabWidget*>();
    auto* heap = m_window->findChild<HeapPage*>();
    auto* retention = m_window->findChild<RetentionView*>();
    auto* goroutines = m_window->findChild<GoroutinesView*>();
    auto* connections = m_window->findChild<ConnectionsView*>();
    auto* timeline = m_window->findChild<TimelineView*>();
    QSignalSpy trees(m_window.get(), &MainWindow::callTreeLoaded);
    QTRY_VERIFY_WITH_TIMEOUT(heap->hasFunction("main.main") || heap->snapshotId() != 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(retention->model()->rowCount() > 0, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(goroutines->model()->rowCount() > 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(connections->hosts()->rowCount() > 0, 20000);

    // Retention: an object's site, in Allocation sites (few objects of a
    // heap dump carry one: the largest of a site the profile has).
    tabs->setCurrentWidget(retention);
    QTreeView* tree = retention->tree();
    QString site;
    auto* sitesTable = heap->findChild<QTableView*>("sites");
    QVERIFY(sitesTable);
    for (int r = 0; r < sitesTable->model()->rowCount() && site.isEmpty(); ++r)
        if (QString f = sitesTable->model()->index(r, 0).data().toString(); retention->hasSite(f))
            site = f;
    QVERIFY2(!site.isEmpty(), "a site of the heap profile has objects in the heap dump");
    QVERIFY(retention->selectSite(site));
    const QModelIndex row = tree->currentIndex();
    QVERIFY(row.isValid());
    QVERIFY(row.siblingAtColumn(DominatorModel::Site).data().toString().startsWith(site));
    QMenu* menu = openRowMenu(tree, row);
    QVERIFY(menu);
    QAction* show = entry(menu, tr("Show Site %1 in Allocation Sites").arg(site));
    QVERIFY(show && show->isEnabled());
    QAction* copy = entry(menu, tr("Copy Name"));
    QVERIFY(copy && copy->isEnabled());
    copy->trigger();
    QCOMPARE(QApplication::clipboard()->text(), row.data().toString());
    show->trigger();
    menu->close();
    QCOMPARE(tabs->currentWidget(), heap);
    QCOMPARE(heap->focusedFunction(), site);
    QVERIFY(trees.count() > 0 || trees.wait(10000));

    // Goroutines: a group without sockets can't show them; one with can.
    tabs->setCurrentWidget(goroutines);
    QTableView* groups = goroutines->table();
    // The client sockets' remote hosts are Connections' rows; a server's
    // peers are not.
    QStringList clientHosts;
    for (int r = 0; r < connections->hosts()->rowCount(); ++r)
        clientHosts << connections->hosts()->index(r, ConnectionsView::Host).data().toString();
    QModelIndex without, with, server;
    QString host;
    for (int r = 0; r < groups->model()->rowCount(); ++r) {
        QModelIndex fn = groups->model()->index(r, GoroutinesView::Function);
        const QStringList hosts = fn.data(GoroutinesView::kHostsRole).toStringList();
        if (hosts.isEmpty())
            without = fn;
        else if (clientHosts.contains(hosts.front()))
            std::tie(with, host) = std::make_pair(fn, hosts.front());
        else
            server = fn;
    }
    QVERIFY(without.isValid() && with.isValid());
    if (server.isValid()) {
        QMenu* menu = openRowMenu(groups, server);
        QVERIFY(menu);
        const QString peer = server.data(GoroutinesView::kHostsRole).toStringList().front();
        QVERIFY(!entry(menu, tr("Show Sockets to %1 in Connections").arg(peer))->isEnabled());
        menu->close();
    }
    menu = openRowMenu(groups, without);
    QVERIFY(menu);
    QVERIFY(!entry(menu, tr("Show Sockets in Connections"))->isEnabled());
    menu->close();
    menu = openRowMenu(groups, with);
    QVERIFY(menu);
    show = entry(menu, tr("Show Sockets to %1 in Connections").arg(host));
    QVERIFY(show && show->isEnabled());
    show->trigger();
    menu->close();
    QCOMPARE(tabs->currentWidget(), connections);
    QCOMPARE(connections->hostTable()
                 ->currentIndex()
                 .siblingAtColumn(ConnectionsView::Host)
                 .data()
                 .toString(),
             host);
    QTRY_VERIFY(connections->serving()->toPlainText().startsWith(host + ":"));

    // Connections: the host's line on the timeline, drawn bold.
    menu = openRowMenu(connections->hostTable(), connections->hostTable()->currentIndex());
    QVERIFY(menu);
    show = entry(menu, tr("Show in Timeline"));
    QVERIFY(show && show->isEnabled());
    show->trigger();
    menu->close();
    QCustomPlot* plot = timeline->plot();
    int bold = 0;
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        if (g->pen().widthF() > g->property("lineWidth").toDouble()) {
            QVERIFY2(g->property("seriesKey").toString().contains(host),
                     qPrintable(g->property("seriesKey").toString()));
            ++bold;
        }
    }
    QCOMPARE(bold, 1);
    timeline->showEvidence({});
}

void TestWorkbenchViews::panelsMoveAndStayAligned() {
    auto* tl = m_window->findChild<TimelineView*>();
    QCustomPlot* plot = tl->plot();
    const QStringList before = tl->panelTitles();
    QVERIFY2(before.size() >= 3, qPrintable(before.join(", ")));
    // Zoomed into the middle, a snapshot picked.
    const QCPRange all = plot->xAxis->range();
    const QCPRange zoom(all.lower + all.size() / 4, all.upper - all.size() / 4);
    plot->xAxis->setRange(zoom);
    QSignalSpy clicked(tl, &TimelineView::snapshotClicked);
    QTest::mouseClick(plot, Qt::LeftButton, {}, tl->pointPosition(tl->pointCount() / 2));
    QCOMPARE(clicked.count(), 1);
    const QCPRange picked = plot->xAxis->range();
    auto cursorAt = [plot]() -> std::optional<double> {
        for (auto* line : plot->findChildren<QCPItemStraightLine*>())
            if (line->visible() && line->pen().color().red() == 200)
                return line->point1->coords().x();
        return std::nullopt;
    };
    const auto cursor = cursorAt();
    QVERIFY(cursor);
    auto aligned = [&] {
        plot->replot();
        const auto rects = plot->axisRects();
        for (auto* rect : rects) {
            QCOMPARE(rect->axis(QCPAxis::atBottom)->range(), picked);
            QCOMPARE(rect->rect().left(), rects.front()->rect().left());
            QCOMPARE(rect->rect().right(), rects.front()->rect().right());
        }
        QCOMPARE(cursorAt(), cursor);
    };

    // View ▸ Timeline Panels ▸ the second panel ▸ Move Up.
    QMenu* panels = nullptr;
    for (QAction* a : m_window->menuBar()->actions())
        if (a->menu())
            for (QAction* b : a->menu()->actions())
                if (b->menu() && b->text() == tr("Timeline &Panels"))
                    panels = b->menu();
    QVERIFY(panels);
    emit panels->aboutToShow();
    QAction* up =
        entry(panels, before[1]) ? entry(entry(panels, before[1])->menu(), tr("Move Up")) : nullptr;
    QVERIFY(up && up->isEnabled());
    QVERIFY(!entry(entry(panels, before[0])->menu(), tr("Move Up"))->isEnabled());
    up->trigger();
    QStringList moved = before;
    moved.swapItemsAt(0, 1);
    QCOMPARE(tl->panelTitles(), moved);
    aligned();
    QCOMPARE(QSettings().value("timeline/panelOrder").toStringList().mid(0, 2), moved.mid(0, 2));

    // A right click on a panel's title: Move Down puts it back.
    QCPAxisRect* top = nullptr;
    for (auto* rect : plot->axisRects())
        if (rect->axis(QCPAxis::atLeft)->label() == moved[0])
            top = rect;
    QVERIFY(top);
    const QPoint title((top->outerRect().left() + top->rect().left()) / 2,
                       top->rect().center().y());
    QTest::mousePress(plot, Qt::RightButton, {}, title);
    QTRY_VERIFY(qobject_cast<QMenu*>(QApplication::activePopupWidget()));
    auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
    QAction* down = entry(menu, tr("Move Down"));
    QVERIFY(down && down->isEnabled());
    down->trigger();
    menu->close();
    QCOMPARE(tl->panelTitles(), before);
    aligned();
    // Moving passes over a hidden panel to the next shown one.
    tl->setPanelHidden(before[1], true);
    aligned();
    tl->movePanel(before[0], false);
    tl->setPanelHidden(before[1], false);
    QStringList again = before;
    again.move(0, 2);
    QCOMPARE(tl->panelTitles(), again);
    aligned();

    // A new window reads the order back.
    {
        MainWindow other;
        other.resize(1366, 768);
        QSignalSpy loaded(&other, &MainWindow::caseLoaded);
        other.openCase(m_demo);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(other.findChild<TimelineView*>()->panelTitles(), again);
    }
    // As it was, for the tests after.
    tl->movePanel(before[0], true);
    tl->movePanel(before[0], true);
    QCOMPARE(tl->panelTitles(), before);
    QSettings().remove("timeline/panelOrder");
}

#include "test_workbench_views.moc"
