// SPDX-License-Identifier: GPL-3.0-or-later
// The profile views of the allocation sites page over one tree model: the
// whole tree top-down, its bottom-up inversion, a function's callers and
// callees, a diff, and pprof's focus/ignore/hide, on profiles written as
// folded stacks so every number can be checked by hand.
#include "analysis/profile/calltree.h"
#include "analysis/profile/profile_filter.h"
#include "analysis/profile/top.h"
#include "models/call_tree_model.h"

#include <QAbstractItemModelTester>
#include <QtTest>
#include <map>

using namespace memscope;
using namespace memscope::ui;

namespace {

// "main;handle;io.ReadAll 100" lines: outermost caller first, then the bytes.
Profile folded(const QStringList& lines) {
    Profile p;
    p.sampleTypes = {{"inuse_space", "bytes"}};
    std::map<std::string, uint32_t> fnOf;
    for (const QString& line : lines) {
        QStringList parts = line.split(' ');
        QStringList frames = parts[0].split(';');
        Sample s = p.newSample();
        for (qsizetype i = frames.size(); i-- > 0;) { // leaf first
            std::string name = frames[i].toStdString();
            auto [it, fresh] = fnOf.emplace(name, uint32_t(p.functions.size()));
            if (fresh) {
                p.functions.push_back({name, name, name.substr(0, name.find('.')) + ".go", 1});
                Location loc;
                loc.lines.push_back({it->second, 10});
                p.locations.push_back(loc);
            }
            s.locations.push_back(it->second); // one location per function
        }
        s.values.push_back(parts[1].toLongLong());
        p.samples.push_back(std::move(s));
    }
    return p;
}

const QStringList kStacks = {"main;a;c 10", "main;b;c 20", "main;a 5", "main;b;d 7"};

// "name total/self" of a row and its children, depth first, indented.
QString printed(const CallTreeModel& m, const QModelIndex& parent = {}, int depth = 0) {
    QString out;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        QModelIndex i = m.index(r, 0, parent);
        out +=
            QString(depth * 2, ' ') + i.data().toString() + " " +
            i.siblingAtColumn(CallTreeModel::Value).data(CallTreeModel::SortRole).toString() + "/" +
            i.siblingAtColumn(CallTreeModel::Self).data(CallTreeModel::SortRole).toString() + "\n";
        out += printed(m, i, depth + 1);
    }
    return out;
}

std::shared_ptr<const CallTree> tree(const Profile& p, const std::string& focus,
                                     CallTreeDirection d) {
    return std::make_shared<const CallTree>(buildCallTree(p, 0, focus, d));
}

} // namespace

class TestProfileViews : public QObject {
    Q_OBJECT
private slots:
    void topDownHasSelfAndTotalPerNode();
    void bottomUpInvertsTheTree();
    void callersAndCalleesOfAFunction();
    void diffShowsTheChangePerNode();
    void focusIgnoreHideAsPprof();
    void focusOnFunctionsEscapes();
};

void TestProfileViews::topDownHasSelfAndTotalPerNode() {
    CallTreeModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setTree(tree(folded(kStacks), "", CallTreeDirection::TopDown));
    QCOMPARE(m.tree()->total, int64_t(42));
    QCOMPARE(printed(m), QString("main 42/0\n"
                                 "  b 27/0\n"
                                 "    c 20/20\n"
                                 "    d 7/7\n"
                                 "  a 15/5\n"
                                 "    c 10/10\n"));
    QModelIndex a = m.index(1, 0, m.index(0, 0));
    QCOMPARE(a.siblingAtColumn(CallTreeModel::Percent).data().toString(), QString("35.71%"));
    QCOMPARE(m.indexOfNode(m.nodeOf(a)), a);
    QVERIFY(m.index(0, CallTreeModel::Delta).data().toString().isEmpty()); // not a diff
}

void TestProfileViews::bottomUpInvertsTheTree() {
    CallTreeModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setTree(tree(folded(kStacks), "", CallTreeDirection::BottomUp));
    // Every leaf function first with what ends there, its own (self) cost
    // there; its callers below, which spend nothing of it themselves.
    QCOMPARE(printed(m), QString("c 30/30\n"
                                 "  b 20/0\n"
                                 "    main 20/0\n"
                                 "  a 10/0\n"
                                 "    main 10/0\n"
                                 "d 7/7\n"
                                 "  b 7/0\n"
                                 "    main 7/0\n"
                                 "a 5/5\n"
                                 "  main 5/0\n"));
    // The roots' totals are the flat values pprof -top prints.
    TopResult top = computeTop(folded(kStacks), 0);
    for (int r = 0; r < m.rowCount(); ++r) {
        QModelIndex i = m.index(r, 0);
        auto row = std::find_if(top.rows.begin(), top.rows.end(), [&](const TopRow& t) {
            return QString::fromStdString(t.function) == i.data().toString();
        });
        QVERIFY(row != top.rows.end());
        QCOMPARE(i.siblingAtColumn(CallTreeModel::Value).data(CallTreeModel::SortRole).toLongLong(),
                 qlonglong(row->flat));
    }
}

void TestProfileViews::callersAndCalleesOfAFunction() {
    Profile p = folded(kStacks + QStringList{"main;r;r;x 4"});
    CallTreeModel callers, callees;
    QAbstractItemModelTester t1(&callers, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&callees, QAbstractItemModelTester::FailureReportingMode::QtTest);
    callers.setTree(tree(p, "c", CallTreeDirection::BottomUp));
    QCOMPARE(printed(callers), QString("c 30/30\n"
                                       "  b 20/0\n"
                                       "    main 20/0\n"
                                       "  a 10/0\n"
                                       "    main 10/0\n"));
    // Callers of a function that calls on: none of it is its own.
    callers.setTree(tree(p, "b", CallTreeDirection::BottomUp));
    QCOMPARE(printed(callers), QString("b 27/0\n"
                                       "  main 27/0\n"));
    callees.setTree(tree(p, "b", CallTreeDirection::Callees));
    QCOMPARE(printed(callees), QString("b 27/0\n"
                                       "  c 20/20\n"
                                       "  d 7/7\n"));
    // A: 15 through it, 5 of its own.
    callees.setTree(tree(p, "a", CallTreeDirection::Callees));
    QCOMPARE(printed(callees), QString("a 15/5\n"
                                       "  c 10/10\n"));
    // Recursion counts once, from the outermost call.
    callees.setTree(tree(p, "r", CallTreeDirection::Callees));
    QCOMPARE(printed(callees), QString("r 4/0\n"
                                       "  r 4/0\n"
                                       "    x 4/4\n"));
    // A function no sample runs through: an empty tree, not an error.
    callees.setTree(tree(p, "nowhere", CallTreeDirection::Callees));
    QCOMPARE(callees.rowCount(), 0);
}

void TestProfileViews::diffShowsTheChangePerNode() {
    Profile before = folded({"main;a;c 10", "main;b;c 5", "main;e 3"});
    Profile after = folded(kStacks);
    auto d = std::make_shared<const CallTree>(
        diffCallTrees(buildCallTree(before, 0, ""), buildCallTree(after, 0, "")));
    CallTreeModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setTree(d);
    QModelIndex main = m.index(0, 0);
    QCOMPARE(main.data().toString(), QString("main"));
    QCOMPARE(main.siblingAtColumn(CallTreeModel::Delta).data(CallTreeModel::SortRole).toLongLong(),
             42 - 18);
    std::map<QString, qlonglong> delta;
    for (int r = 0; r < m.rowCount(main); ++r) {
        QModelIndex i = m.index(r, CallTreeModel::Delta, main);
        delta[i.siblingAtColumn(0).data().toString()] =
            i.data(CallTreeModel::SortRole).toLongLong();
    }
    // b grew by 22, a by 5; e is gone (-3) and stays in the tree.
    QCOMPARE(delta, (std::map<QString, qlonglong>{{"a", 5}, {"b", 22}, {"e", -3}}));
    QModelIndex e = m.index(2, CallTreeModel::Delta, main);
    QCOMPARE(e.siblingAtColumn(0).data().toString(), QString("e"));
    QCOMPARE(e.data().toString(), QString("-3B"));
}

void TestProfileViews::focusIgnoreHideAsPprof() {
    Profile p = folded(kStacks);
    auto total = [](const Profile& f) { return buildCallTree(f, 0, "").total; };
    // focus: the samples through b.
    auto focused = filterProfile(p, {"^b$", "", ""});
    QVERIFY(focused.ok());
    QCOMPARE(total(*focused), int64_t(27));
    // The file matches too, as pprof's: every function of a.go is "a".
    QCOMPARE(total(*filterProfile(p, {"a\\.go", "", ""})), int64_t(15));
    // ignore: without the samples through d.
    QCOMPARE(total(*filterProfile(p, {"", "^d$", ""})), int64_t(35));
    // focus and ignore together.
    QCOMPARE(total(*filterProfile(p, {"^b$", "^d$", ""})), int64_t(20));
    // hide: main leaves every stack, the samples stay.
    auto hidden = filterProfile(p, {"", "", "^main$"});
    QVERIFY(hidden.ok());
    CallTreeModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.setTree(std::make_shared<const CallTree>(buildCallTree(*hidden, 0, "")));
    QCOMPARE(printed(m), QString("b 27/0\n"
                                 "  c 20/20\n"
                                 "  d 7/7\n"
                                 "a 15/5\n"
                                 "  c 10/10\n"));
    // Hiding a leaf moves its samples to its caller.
    auto leafless = filterProfile(p, {"", "", "^c$"});
    QCOMPARE(computeTop(*leafless, 0).rows.front().function, std::string("b"));
    QCOMPARE(computeTop(*leafless, 0).rows.front().flat, int64_t(20));
    // A broken expression is an error that names it.
    auto bad = filterProfile(p, {"", "(", ""});
    QVERIFY(!bad.ok());
    QVERIFY(QString::fromStdString(bad.error().message).contains("ignore expression \"(\""));
    // No filter: the same profile.
    QCOMPARE(total(*filterProfile(p, {})), int64_t(42));
}

void TestProfileViews::focusOnFunctionsEscapes() {
    std::string re = focusOnFunctions({"net/http.(*persistConn).readLoop", "main.run"});
    QCOMPARE(re, std::string("^net/http\\.\\(\\*persistConn\\)\\.readLoop$|^main\\.run$"));
    Profile p =
        folded({"main.run;net/http.(*persistConn).readLoop 8", "main.other 3", "x.main.runner 1"});
    QCOMPARE(buildCallTree(*filterProfile(p, {re, "", ""}), 0, "").total, int64_t(8));
}

QTEST_GUILESS_MAIN(TestProfileViews)
#include "test_profile_views.moc"
