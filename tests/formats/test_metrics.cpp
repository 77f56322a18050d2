// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/series/series.h"
#include "base/json_reader.h"
#include "formats/gctrace/gctrace.h"
#include "io/input.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>
#include <map>

using namespace memscope;
using namespace memscope::test;

class TestMetrics : public QObject {
    Q_OBJECT
private slots:
    void jsonNumbersByPath();
    void jsonErrors_data();
    void jsonErrors();
    void gctraceLines();
    void gctraceOlderAndScavLines();
    void importsAndPlacesGcOnWallTime();
    void gctraceRunsPlacedByTheLogsClock();
    void gctraceRunsWithoutAClock();
};

void TestMetrics::jsonNumbersByPath() {
    std::map<std::string, double> got;
    auto st = visitJsonNumbers(R"({"a":1,"b":{"c":2.5,"d":[1,2],"e":"x","f":true,"g":null}})",
                               [&](const std::string& p, double v) { got[p] = v; });
    QVERIFY(st.ok());
    QCOMPARE(got, (std::map<std::string, double>{{"a", 1}, {"b.c", 2.5}, {"b.f", 1}}));
    // The real expvar sample: memstats and the service's counters.
    std::string text = readText(demoPath("vars-012-20261126T165941Z.json"));
    got.clear();
    QVERIFY(visitJsonNumbers(text, [&](const std::string& p, double v) { got[p] = v; }).ok());
    QCOMPARE(got.at("finalizers.registered"), 1764.0);
    QCOMPARE(got.at("finalizers.run"), 1404.0);
    QCOMPARE(got.at("memstats.NumGC"), 12.0);
    QVERIFY(got.count("memstats.PauseNs.0") == 0); // arrays are not series
}

void TestMetrics::jsonErrors_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("offset");
    QTest::newRow("truncated") << R"({"a": 1, "b": )" << qint64(14);
    QTest::newRow("bad token") << R"({"a": nope})" << qint64(6);
    QTest::newRow("trailing") << R"({"a": 1} x)" << qint64(9);
    QTest::newRow("too deep") << QString(100, '[') << qint64(65);
}

void TestMetrics::jsonErrors() {
    QFETCH(QString, text);
    QFETCH(qint64, offset);
    auto st = visitJsonNumbers(text.toStdString(), [](const std::string&, double) {});
    QVERIFY(!st.ok());
    QCOMPARE(qint64(st.error().offset.value_or(0)), offset);
}

void TestMetrics::gctraceLines() {
    // FORMATS.md §6's test vector.
    std::string line = "gc 5 @0.114s 0%: 0.025+5.9+0.008 ms clock, 0.050+0/0.52/0.24+0.016 ms cpu, "
                       "18->21->11 MB, 18 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)\n";
    auto s = openStream(line);
    auto c = parseGcTrace(*s);
    QVERIFY(c.ok());
    QCOMPARE(c->size(), size_t(1));
    const GcCycle& g = c->front();
    QCOMPARE(g.n, int64_t(5));
    QCOMPARE(g.atSeconds, 0.114);
    QCOMPARE(g.stwSweepMs, 0.025);
    QCOMPARE(g.concurrentMs, 5.9);
    QCOMPARE(g.heapStartMb, 18.0);
    QCOMPARE(g.heapEndMb, 21.0);
    QCOMPARE(g.heapLiveMb, 11.0);
    QCOMPARE(g.goalMb, 18.0);
    QCOMPARE(g.stacksMb, 0.0);
    QCOMPARE(g.procs, int64_t(2));
    QVERIFY(g.forced);
    std::string log = readText(demoPath("gctrace.log"));
    auto s2 = openStream(log);
    auto all = parseGcTrace(*s2);
    QVERIFY(all.ok());
    QCOMPARE(all->size(), size_t(13));
    QCOMPARE(all->back().n, int64_t(13));
}

void TestMetrics::gctraceOlderAndScavLines() {
    // Go <= 1.17 lines end at "goal, N P"; scav lines and program output are skipped.
    std::string text = "starting\n"
                       "gc 1 @0.010s 1%: 0.010+1.2+0.004 ms clock, 0.020+0.1/1.0/2.0+0.008 ms cpu, "
                       "4->4->0 MB, 5 MB goal, 8 P\n"
                       "scav 1 KiB work, 0 KiB total, 99% util\n";
    auto s = openStream(text);
    auto c = parseGcTrace(*s);
    QVERIFY(c.ok());
    QCOMPARE(c->size(), size_t(1));
    QCOMPARE(c->front().stacksMb, -1.0);
    QCOMPARE(c->front().procs, int64_t(8));
    std::string scav = readText(dataPath("gctrace/gctrace_scavtrace_go119.txt"));
    auto s2 = openStream(scav);
    QVERIFY(parseGcTrace(*s2).ok());
    std::string bad = "gc 3 @x";
    auto s3 = openStream(bad);
    auto r = parseGcTrace(*s3);
    QVERIFY(!r.ok());
}

void TestMetrics::importsAndPlacesGcOnWallTime() {
    QTemporaryDir dir;
    auto s = CaseStore::open(dir.filePath("m.memscope").toStdString());
    QVERIFY(s.ok());
    auto vars = (*s)->importFile(demoPath("vars-012-20261126T165941Z.json").toStdString(), {}, {});
    QCOMPARE(vars.format, std::string("expvar"));
    auto metrics = (*s)->importFile(
        dataPath("metrics/metrics-012-20261126T165941Z.json").toStdString(), {}, {});
    QCOMPARE(metrics.format, std::string("runtime_metrics"));
    QCOMPARE(metrics.timeSource, std::string("data"));
    auto gc = (*s)->importFile(demoPath("gctrace.log").toStdString(), {}, {});
    QCOMPARE(gc.status, ImportStatus::Imported);
    QCOMPARE(gc.timeSource, std::string("expvar"));
    // expvar's LastGC is when cycle NumGC (12) ended: that cycle lands there.
    double lastGc = 0;
    for (const auto& [n, v] : must((*s)->metrics(vars.snapshotIds.at(0))))
        if (n == "memstats.LastGC")
            lastGc = v;
    bool found = false;
    for (const auto& series : must(gcSeries(**s)))
        if (series.metric == "gc_heap_live_bytes") {
            found = true;
            QCOMPARE(series.points.size(), size_t(13));
            QVERIFY(std::abs(double(series.points[11].timeNs) - lastGc) < 1e6);
        }
    QVERIFY(found);
    bool registered = false;
    for (const auto& series : must(metricSeries(**s)))
        registered = registered || series.key() == "expvar{name=finalizers.registered}";
    QVERIFY(registered);
}

// journald lines: a syslog time in front of each gc line, and the service
// restarted in between (gc 1 again).
void TestMetrics::gctraceRunsPlacedByTheLogsClock() {
    const std::string text = readText(dataPath("gctrace/gctrace_journald_two_runs.txt"));
    auto in = openStream(text);
    auto runs = parseGcTraceRuns(*in, 2026);
    QVERIFY2(runs.ok(), runs.ok() ? "" : runs.error().toString().c_str());
    QCOMPARE(runs->size(), size_t(2));
    QCOMPARE((*runs)[0].cycles.size(), size_t(3));
    QCOMPARE((*runs)[1].cycles.size(), size_t(2));
    QCOMPARE((*runs)[1].firstLine, uint64_t(9));
    const int64_t feb26 = 1772109011LL * 1000000000; // 2026-02-26T12:30:11Z
    // 12:50:12.100 printed cycle 1 at 1.100s: the process started at 12:50:11.
    QCOMPARE((*runs)[0].processStartNs, feb26 + 1200LL * 1000000000);
    QCOMPARE((*runs)[1].processStartNs, feb26 + 1216LL * 1000000000 + 500000000);

    QTemporaryDir dir;
    auto s = CaseStore::open(dir.filePath("g.memscope").toStdString());
    QVERIFY(s.ok());
    auto o =
        (*s)->importFile(dataPath("gctrace/gctrace_journald_two_runs.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.snapshotIds.size(), size_t(2));
    QCOMPARE(o.timeSource, std::string("log"));
    // Both runs on one line per metric, in time order.
    int live = 0;
    for (const auto& series : must(gcSeries(**s)))
        if (series.metric == "gc_heap_live_bytes") {
            ++live;
            QCOMPARE(series.points.size(), size_t(5));
            // To the microsecond: the process start is kept as a double.
            QVERIFY(std::llabs(series.points[0].timeNs - (feb26 + 1201100LL * 1000000)) < 1000);
            QVERIFY(std::llabs(series.points[3].timeNs - (feb26 + 1217250LL * 1000000)) < 1000);
            for (size_t i = 1; i < series.points.size(); ++i)
                QVERIFY(series.points[i - 1].timeNs < series.points[i].timeNs);
        }
    QCOMPARE(live, 1);
}

// Two runs and no clock: the last run ends at the file's mtime, the first
// just before the second began; both reach the series.
void TestMetrics::gctraceRunsWithoutAClock() {
    QTemporaryDir dir;
    const QString log = dir.filePath("gc.log");
    QVERIFY(QFile::copy(dataPath("gctrace/gctrace_two_runs_no_clock.txt"), log));
    const int64_t mtime = 1772110343LL * 1000000000; // 2026-02-26T12:52:23Z
    {
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(QDateTime::fromSecsSinceEpoch(mtime / 1000000000, Qt::UTC),
                              QFileDevice::FileModificationTime));
    }
    auto s = CaseStore::open(dir.filePath("g.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(log.toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.snapshotIds.size(), size_t(2));
    bool earlier = false;
    for (const auto& w : o.warnings)
        earlier = earlier || w.find("line 1: an earlier run") != std::string::npos;
    QVERIFY(earlier);
    for (const auto& series : must(gcSeries(**s)))
        if (series.metric == "gc_heap_live_bytes") {
            QCOMPARE(series.points.size(), size_t(5));
            auto near = [](int64_t a, int64_t b) { return std::llabs(a - b) < 1000; };
            QVERIFY(near(series.points[4].timeNs, mtime)); // the last line at the mtime
            QVERIFY(near(series.points[2].timeNs,
                         mtime - 4940000000)); // the second run's start + 0.060s
            QVERIFY(near(series.points[1].timeNs,
                         mtime - 5000000000)); // the first ends where it starts
        }
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"
