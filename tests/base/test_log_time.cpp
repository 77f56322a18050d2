// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/log_time.h"

#include <QtTest>

using namespace memscope;

namespace {

// 2026-02-26T12:52:23Z
constexpr int64_t kFeb26 = 1772110343LL * 1000000000;

} // namespace

class TestLogTime : public QObject {
    Q_OBJECT
private slots:
    void prefixes_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<int>("end");
        QTest::newRow("rfc3339") << "2026-02-26T12:52:23.767Z gc 93 @3074.095s"
                                 << qint64(kFeb26 + 767000000) << 24;
        QTest::newRow("container runtime, nanoseconds")
            << "2026-02-26T12:52:23.767891234Z stderr F gc 1" << qint64(kFeb26 + 767891234) << 30;
        QTest::newRow("zone +01:00") << "2026-02-26T13:52:23+01:00 x" << qint64(kFeb26) << 25;
        QTest::newRow("space, comma, zone +0100")
            << "2026-02-26 13:52:23,500 +0100 x" << qint64(kFeb26 + 500000000) << 29;
        QTest::newRow("no zone is UTC") << "2026-02-26 12:52:23 x" << qint64(kFeb26) << 19;
        QTest::newRow("Go log package")
            << "2026/02/26 12:52:23.000123 x" << qint64(kFeb26 + 123000) << 26;
        QTest::newRow("bracketed") << "[2026-02-26T12:52:23Z] x" << qint64(kFeb26) << 21;
        QTest::newRow("syslog, no year")
            << "Feb 26 12:52:23.767 gc 93" << qint64(kFeb26 + 767000000) << 19;
        QTest::newRow("syslog, day padded")
            << "Feb  6 12:52:23 host x" << qint64(kFeb26 - 20LL * 86400 * 1000000000) << 15;
        QTest::newRow("glog") << "I0226 12:52:23.767123 58684 x.go:1] gc"
                              << qint64(kFeb26 + 767123000) << 21;
    }
    void prefixes() {
        QFETCH(QString, line);
        QFETCH(qint64, ns);
        QFETCH(int, end);
        const std::string text = line.toStdString();
        auto t = logLineTime(text, 2026);
        QVERIFY(t);
        QCOMPARE(qint64(t->ns), ns);
        QCOMPARE(int(t->end), end);
    }

    void notATime_data() {
        QTest::addColumn<QString>("line");
        QTest::newRow("gc line itself") << "gc 1 @0.124s 16%: 0.040+242+0.002 ms clock";
        QTest::newRow("month 13") << "2026-13-26T12:52:23Z";
        QTest::newRow("hour 24") << "2026-02-26T24:52:23Z";
        QTest::newRow("date without clock") << "2026-02-26 x";
        QTest::newRow("not a month") << "Fob 26 12:52:23";
        QTest::newRow("glog without clock") << "I0226 x";
        QTest::newRow("year 1969") << "1969-12-31T23:59:59Z";
        QTest::newRow("year 9999") << "9999-12-31T23:59:59Z";
        QTest::newRow("empty") << "";
        QTest::newRow("cut") << "2026-02-26T12:5";
    }
    void notATime() {
        QFETCH(QString, line);
        const std::string text = line.toStdString();
        QVERIFY(!logLineTime(text, 2026));
    }

    // A log without years read in January: December's lines are last year's.
    void yearBeforeWhenInTheFuture() {
        const int64_t jan2 = 1767312000LL * 1000000000; // 2026-01-02T00:00:00Z
        auto t = logLineTime("Dec 30 23:00:00 x", yearOf(jan2), jan2);
        QVERIFY(t);
        QCOMPARE(yearOf(t->ns), 2025);
        auto same = logLineTime("Jan  1 23:00:00 x", yearOf(jan2), jan2);
        QVERIFY(same);
        QCOMPARE(yearOf(same->ns), 2026);
    }

    void yearOfEdges() {
        QCOMPARE(yearOf(0), 1970);
        QCOMPARE(yearOf(kFeb26), 2026);
        QCOMPARE(yearOf(1767225599LL * 1000000000), 2025); // 2025-12-31T23:59:59Z
        QCOMPARE(yearOf(1767225600LL * 1000000000), 2026);
    }
};

QTEST_GUILESS_MAIN(TestLogTime)
#include "test_log_time.moc"
