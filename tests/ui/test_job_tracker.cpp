// SPDX-License-Identifier: GPL-3.0-or-later
// The job tracker: results come back on the GUI thread, the latest only, and
// not at all once the context is gone.
#include "jobs/job_tracker.h"

#include <QSemaphore>
#include <QThread>
#include <QtTest>

#include <memory>
#include <vector>

using namespace memscope::ui;

class TestJobTracker : public QObject {
    Q_OBJECT
private slots:
    void resultArrivesOnTheGuiThread();
    void aNewerJobDropsTheOlderResult();
    void progressOfASupersededJobIsDropped();
    void nothingArrivesOnceTheContextIsGone();
};

void TestJobTracker::resultArrivesOnTheGuiThread() {
    QObject context;
    JobTracker jobs(&context);
    QThread* worker = nullptr;
    QThread* delivered = nullptr;
    int value = 0;
    jobs.start(
        [&worker] {
            worker = QThread::currentThread();
            return 42;
        },
        [&](int v) {
            delivered = QThread::currentThread();
            value = v;
        });
    QVERIFY(jobs.isRunning());
    QTRY_COMPARE(value, 42);
    QVERIFY(!jobs.isRunning());
    QVERIFY(worker != QThread::currentThread());
    QCOMPARE(delivered, QThread::currentThread());
}

void TestJobTracker::aNewerJobDropsTheOlderResult() {
    QObject context;
    JobTracker jobs(&context);
    QSemaphore releaseFirst;
    std::vector<int> seen;
    jobs.start(
        [&releaseFirst] {
            releaseFirst.acquire();
            return 1;
        },
        [&](int v) { seen.push_back(v); });
    jobs.start([] { return 2; }, [&](int v) { seen.push_back(v); });
    QTRY_COMPARE(seen.size(), size_t(1));
    releaseFirst.release();
    jobs.waitForFinished();
    QTest::qWait(50);
    QCOMPARE(seen, std::vector<int>{2});
    QVERIFY(!jobs.isRunning());
}

void TestJobTracker::progressOfASupersededJobIsDropped() {
    QObject context;
    JobTracker jobs(&context);
    QSemaphore go, posted;
    std::vector<int> progress;
    jobs.start(
        [&](const JobHandle& job) {
            job.post([&] { progress.push_back(1); });
            posted.release();
            go.acquire();
            job.post([&] { progress.push_back(2); }); // superseded by then
            return job.superseded();
        },
        [](bool) { QFAIL("a superseded job's result arrived"); });
    posted.acquire();
    QTRY_COMPARE(progress.size(), size_t(1));
    bool secondDone = false;
    jobs.start([] { return 0; }, [&](int) { secondDone = true; });
    go.release();
    QTRY_VERIFY(secondDone);
    jobs.waitForFinished();
    QTest::qWait(50);
    QCOMPARE(progress, std::vector<int>{1});
}

void TestJobTracker::nothingArrivesOnceTheContextIsGone() {
    auto arrived = std::make_shared<bool>(false);
    QSemaphore go;
    {
        auto* context = new QObject;
        auto jobs = std::make_unique<JobTracker>(context);
        jobs->start(
            [&go] {
                go.acquire();
                return 1;
            },
            [arrived](int) { *arrived = true; });
        go.release();
        jobs.reset(); // the tracker goes first, waiting for the job: its result is posted
        delete context;
    }
    QTest::qWait(50);
    QVERIFY(!*arrived);
}

QTEST_GUILESS_MAIN(TestJobTracker)
#include "test_job_tracker.moc"
