// SPDX-License-Identifier: GPL-3.0-or-later
// The window as a new user meets it: it fits a small laptop screen on the demo
// case, whatever tab or finding is shown, and the timeline stays usable.
#include "import/import_batch.h"
#include "pages/compare_view.h"
#include "pages/findings_panel.h"
#include "pages/retention_view.h"
#include "pages/timeline_view.h"
#include "shell/main_window.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QScreen>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabWidget>
#include <QToolTip>
#include <QTreeView>
#include <QtTest>
#include <qcustomplot.h>

using namespace memscope;
using namespace memscope::ui;
using namespace memscope::test;

class TestWindowLayout : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void fitsASmallLaptopScreen();
    void savedGeometryIsClampedToTheScreen();
    void timelineSplitterNeverCollapses();
    void timelinePanelsShareTheTimeAxis();
    void everyPanelAnswersTheMouse();
    void sideBySideUnchangedRowsAreNotNew();
    void retentionScrollsToTopOnAnotherList();

private:
    QTemporaryDir m_dir;
    QString m_demo;
    std::unique_ptr<MainWindow> m_window;
};

namespace {

QSplitter* timelineSplitter(MainWindow* w) { return qobject_cast<QSplitter*>(w->centralWidget()); }

QTabWidget* pageTabs(MainWindow* w) {
    return qobject_cast<QTabWidget*>(timelineSplitter(w)->widget(1));
}

// The least size a window manager lets the user shrink the window to.
QSize leastSize(QWidget* w) { return w->minimumSizeHint().expandedTo(w->minimumSize()); }

} // namespace

void TestWindowLayout::initTestCase() {
    // Settings of their own: the window saves and restores its geometry.
    qputenv("XDG_CONFIG_HOME", m_dir.filePath("config").toUtf8());
    QCoreApplication::setOrganizationName("memscope-test");
    QCoreApplication::setApplicationName("memscope-test-layout");
    m_demo = m_dir.filePath("demo.memscope");
    auto store = CaseStore::open(m_demo.toStdString());
    QVERIFY(store.ok());
    std::vector<std::string> files, missing;
    listFiles({MEMSCOPE_SOURCE_DIR "/resources/demo"}, files, missing);
    QCOMPARE(importBatch(**store, files, {}, {}).failed, 0);
    store = Error{};
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1000, 620);
    m_window->show();
    QSignalSpy loaded(m_window.get(), &MainWindow::caseLoaded);
    m_window->openCase(m_demo);
    QVERIFY(loaded.wait(20000));
}

void TestWindowLayout::fitsASmallLaptopScreen() {
    // 1024x640 leaves room for a panel and the title bar on a 1366x768 laptop.
    const QSize limit(1024, 640);
    QSize size = m_window->size();
    auto check = [&](const QString& where) {
        QSize least = leastSize(m_window.get());
        QVERIFY2(
            least.width() <= limit.width() && least.height() <= limit.height(),
            qPrintable(
                QString("%1: least size %2x%3").arg(where).arg(least.width()).arg(least.height())));
        QCOMPARE(m_window->size(), size); // nothing grows the window
    };
    check("opened");
    // Both halves have room on a short window: the tabs are not squeezed out.
    QSplitter* split = timelineSplitter(m_window.get());
    QVERIFY(split->sizes()[1] >= split->widget(1)->minimumSizeHint().height());
    QVERIFY(split->sizes()[0] >= TimelineView::kMinimumHeight);
    QTabWidget* tabs = pageTabs(m_window.get());
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QTest::qWait(200); // the pages fill in the background
        check(tabs->tabText(i));
    }
    // A finding whose evidence the timeline does not draw adds a panel: the
    // timeline scrolls its panels instead of asking for more height.
    auto* findings = m_window->findChild<FindingsPanel*>();
    QVERIFY(findings && findings->findings().size() == 3);
    auto* timeline = m_window->findChild<TimelineView*>();
    bool evidence = false;
    for (int row = 0; row < int(findings->findings().size()); ++row) {
        findings->list()->setCurrentRow(row);
        QApplication::processEvents();
        evidence = evidence || timeline->panelTitles().contains("evidence");
        check(QString("finding %1").arg(row));
    }
    QVERIFY(evidence);
    // Short as it gets, the timeline still shows its heap chart.
    QVERIFY(leastSize(timeline).height() >= TimelineView::kMinimumHeight);
}

void TestWindowLayout::savedGeometryIsClampedToTheScreen() {
    QRect avail = m_window->screen()->availableGeometry();
    {
        MainWindow big;
        big.setGeometry(avail.left() + 200, avail.top() + 100, avail.width() + 900,
                        avail.height() + 700);
        big.close(); // saves its geometry
    }
    QVERIFY(QSettings().contains("window/geometry"));
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QRect g = w.frameGeometry();
    QVERIFY2(avail.contains(g), qPrintable(QString("%1,%2 %3x%4 on %5x%6")
                                               .arg(g.x())
                                               .arg(g.y())
                                               .arg(g.width())
                                               .arg(g.height())
                                               .arg(avail.width())
                                               .arg(avail.height())));
}

void TestWindowLayout::timelineSplitterNeverCollapses() {
    QSplitter* split = timelineSplitter(m_window.get());
    auto* timeline = m_window->findChild<TimelineView*>();
    QCOMPARE(split->widget(0), timeline);
    QVERIFY(!split->isCollapsible(0));
    // Dragged all the way up, the timeline stops at its least height, not at
    // the height of all its panels, and not at nothing.
    int total = split->sizes()[0] + split->sizes()[1];
    split->setSizes({0, total});
    QVERIFY(split->sizes()[0] >= TimelineView::kMinimumHeight);
    QVERIFY(split->sizes()[0] < TimelineView::kMinimumHeight + 40);
    QVERIFY(timeline->plot()->height() > split->sizes()[0]); // its panels scroll
    // Dragged down, the timeline takes all but the tabs' least height.
    split->setSizes({total, 0});
    QVERIFY(split->sizes()[1] > 0);
    QVERIFY(split->sizes()[1] <= split->widget(1)->minimumSizeHint().height() + 2);
    // A state saved collapsed (by an earlier build) comes back with a timeline.
    QSplitter old(Qt::Vertical);
    old.addWidget(new QWidget);
    old.addWidget(new QWidget);
    old.setSizes({0, 700});
    QCOMPARE(old.sizes()[0], 0);
    QSettings().setValue("window/vsplit", old.saveState());
    QSettings().remove("window/geometry");
    MainWindow w;
    w.resize(1000, 620);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(timelineSplitter(&w)->sizes()[0] >= TimelineView::kMinimumHeight);
}

void TestWindowLayout::timelinePanelsShareTheTimeAxis() {
    auto* timeline = m_window->findChild<TimelineView*>();
    QCustomPlot* plot = timeline->plot();
    QVERIFY(plot->axisRectCount() >= 5);
    // A time sits at the same pixel on the heap chart and on every panel.
    plot->replot();
    QCPAxisRect* heap = plot->axisRect(0);
    for (int i = 1; i < plot->axisRectCount(); ++i) {
        QCPAxisRect* panel = plot->axisRect(i);
        QCOMPARE(panel->left(), heap->left());
        QCOMPARE(panel->right(), heap->right());
    }
    // Reset zoom (Ctrl+0) shows what every panel holds, from the first
    // capture of any kind to the last.
    double first = std::numeric_limits<double>::max(), last = std::numeric_limits<double>::lowest();
    for (int i = 0; i < plot->graphCount(); ++i) {
        bool ok = false;
        QCPRange r = plot->graph(i)->getKeyRange(ok);
        if (ok) {
            first = std::min(first, r.lower);
            last = std::max(last, r.upper);
        }
    }
    QVERIFY(first < last);
    plot->xAxis->setRange(last - 5, last - 2);
    timeline->resetZoom();
    for (int i = 0; i < plot->axisRectCount(); ++i) {
        QCPRange shown = plot->axisRect(i)->axis(QCPAxis::atBottom)->range();
        QVERIFY2(shown.lower <= first && shown.upper >= last,
                 qPrintable(QString("panel %1 shows %2..%3 of %4..%5")
                                .arg(i)
                                .arg(shown.lower, 0, 'f', 1)
                                .arg(shown.upper, 0, 'f', 1)
                                .arg(first, 0, 'f', 1)
                                .arg(last, 0, 'f', 1)));
        QVERIFY(shown.size() < (last - first) * 1.2); // and not much more
    }
}

void TestWindowLayout::everyPanelAnswersTheMouse() {
    auto* timeline = m_window->findChild<TimelineView*>();
    QTabWidget* tabs = pageTabs(m_window.get());
    const QStringList panels = timeline->panelTitles();
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    // A point of each panel: its tooltip names the line, and a click opens the
    // capture it came from on the page where it lives.
    struct Case {
        QString panel;
        QString tab;
        SnapshotKind kind;
    };
    for (const Case& c : {Case{"goroutines", "Goroutines", SnapshotKind::Goroutines},
                          Case{"sockets", "Connections", SnapshotKind::Fds},
                          Case{"fin. kept", "Retention (heap dumps)", SnapshotKind::HeapDump}}) {
        int panel = int(panels.indexOf(c.panel));
        QVERIFY2(panel >= 0, qPrintable(c.panel));
        tabs->setCurrentIndex(0);
        QPoint at = timeline->panelPointPosition(panel, 0, 0);
        QVERIFY2(!at.isNull(), qPrintable(c.panel));
        QMouseEvent move(QEvent::MouseMove, at, timeline->plot()->mapToGlobal(at), Qt::NoButton,
                         Qt::NoButton, {});
        QCoreApplication::sendEvent(timeline->plot(), &move);
        QVERIFY2(QToolTip::isVisible(), qPrintable(c.panel));
        QVERIFY2(QToolTip::text().contains("click to open this capture"),
                 qPrintable(QToolTip::text()));
        QToolTip::hideText();
        QTest::mouseClick(timeline->plot(), Qt::LeftButton, {}, at);
        QCOMPARE(tabs->tabText(tabs->currentIndex()), c.tab);
        // The page shows the first capture of that kind: the point clicked.
        auto* picker = tabs->currentWidget()->findChild<QComboBox*>();
        QVERIFY(picker);
        QCOMPARE(picker->currentData().toLongLong(),
                 qlonglong(must((*store)->snapshots(c.kind)).front().id.value));
    }
    tabs->setCurrentIndex(1);
}

void TestWindowLayout::sideBySideUnchangedRowsAreNotNew() {
    auto* view = m_window->findChild<CompareView*>();
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    auto heaps = must((*store)->snapshots(SnapshotKind::Heap));
    QSignalSpy done(view, &CompareView::compared);
    view->compare(heaps.front().id, heaps.back().id);
    QVERIFY(done.wait(20000));
    // Columns: function, delta %, base flat, new flat, ...
    QAbstractItemModel* m = view->model();
    int unchanged = 0;
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 2).data(Qt::UserRole + 1).toLongLong() != 0 ||
            m->index(r, 3).data(Qt::UserRole + 1).toLongLong() != 0)
            continue;
        if (!m->index(r, 2).data().toString().startsWith("0") ||
            !m->index(r, 3).data().toString().startsWith("0"))
            continue;
        ++unchanged;
        QString pct = m->index(r, 1).data().toString();
        QVERIFY2(pct.isEmpty() || pct == "0%",
                 qPrintable(m->index(r, 0).data().toString() + ": " + pct));
    }
    QVERIFY(unchanged > 0);
}

void TestWindowLayout::retentionScrollsToTopOnAnotherList() {
    auto* view = m_window->findChild<RetentionView*>();
    QTabWidget* tabs = pageTabs(m_window.get());
    tabs->setCurrentWidget(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() > 0, 20000);
    QTreeView* tree = view->tree();
    // Expand the top root so the list is long enough to scroll.
    tree->expandRecursively(tree->model()->index(0, 0), 2);
    QApplication::processEvents();
    QScrollBar* bar = tree->verticalScrollBar();
    if (bar->maximum() == 0)
        QSKIP("the list fits without scrolling at this size");
    bar->setValue(bar->maximum());
    QVERIFY(bar->value() > 0);
    // Filtering reads the new list from its top.
    auto* filter = view->findChild<QLineEdit*>();
    QVERIFY(filter);
    filter->setText("g");
    QApplication::processEvents();
    QCOMPARE(bar->value(), 0);
    filter->clear();
    tree->expandRecursively(tree->model()->index(0, 0), 2);
    QApplication::processEvents();
    bar->setValue(bar->maximum());
    QVERIFY(bar->value() > 0);
    // So does another heap dump.
    auto store = CaseStore::open(m_demo.toStdString(), true);
    QVERIFY(store.ok());
    auto dumps = must((*store)->snapshots(SnapshotKind::HeapDump));
    QVERIFY(dumps.size() >= 2);
    QSignalSpy loaded(view, &RetentionView::loaded);
    view->showSnapshot(dumps.front().id);
    QVERIFY(loaded.wait(20000));
    QApplication::processEvents();
    QCOMPARE(bar->value(), 0);
    tabs->setCurrentIndex(1);
}

QTEST_MAIN(TestWindowLayout)
#include "test_window_layout.moc"
