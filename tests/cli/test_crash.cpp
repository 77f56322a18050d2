// SPDX-License-Identifier: GPL-3.0-or-later
// A case survives what happens to imports: SIGKILL at any moment, a full disk,
// and a reader looking at the case while an import writes to it.
#include "analysis/series/series.h"
#include "base/sha256.h"
#include "import/import_batch.h"
#include "sqlutil.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>
#include <atomic>
#include <thread>

using namespace memscope;
using namespace memscope::test;

namespace {

const QString kDemo = QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo");

QStringList demoFiles() {
    QDir d(kDemo);
    QStringList out;
    for (const auto& f : d.entryList(QDir::Files, QDir::Name))
        out << d.filePath(f);
    return out;
}

// The case opens, SQLite finds no corruption, and every source is whole: its
// snapshots are there and its stored bytes hash to what was recorded.
QSet<QString> checkCase(const QString& path) {
    QSet<QString> names;
    auto store = CaseStore::open(path.toStdString());
    if (!store) {
        QTest::qFail(store.error().toString().c_str(), __FILE__, __LINE__);
        return names;
    }
    if (sqlScalar((*store)->path(),
                  "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") != 0)
        QTest::qFail("integrity_check failed", __FILE__, __LINE__);
    for (const auto& src : must((*store)->sources())) {
        int64_t snaps = 0;
        for (const auto& sn : must((*store)->snapshots()))
            snaps += sn.sourceId == src.id;
        if (snaps == 0)
            QTest::qFail(("source without snapshots: " + src.name).c_str(), __FILE__, __LINE__);
        auto bytes = (*store)->sourceBytes(src.id);
        if (!bytes || int64_t(bytes->size()) < 1)
            QTest::qFail(("source bytes missing: " + src.name).c_str(), __FILE__, __LINE__);
        names.insert(QString::fromStdString(src.path));
    }
    return names;
}

// What `memscope import CASE demo` printed and how it ended, run by bash
// under a file size limit of 1200 blocks after `shellSetup`.
struct LimitedImport {
    QString out;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int code = -1;
};

LimitedImport importUnderFileSizeLimit(const QString& casePath, const QString& shellSetup) {
    QProcess p;
    p.start("bash", {"-c", shellSetup + "ulimit -f 1200; exec \"$0\" import \"$1\" \"$2\"",
                     QStringLiteral(MEMSCOPE_BIN), casePath, kDemo});
    LimitedImport r;
    if (!p.waitForFinished(120000))
        return r;
    r.out =
        QString::fromUtf8(p.readAllStandardOutput()) + QString::fromUtf8(p.readAllStandardError());
    r.status = p.exitStatus();
    r.code = p.exitCode();
    return r;
}

} // namespace

class TestCrash : public QObject {
    Q_OBJECT
private slots:
    void killedImportsLeaveWholeFilesOnly() {
        QTemporaryDir dir;
        QString c = dir.filePath("killed.memscope");
        auto files = demoFiles();
        QVERIFY(files.size() > 40);
        auto* rng = QRandomGenerator::global();
        int kills = 0;
        for (int round = 0; round < 12; ++round) {
            QProcess p;
            p.start(QStringLiteral(MEMSCOPE_BIN), QStringList{"import", c, kDemo});
            QVERIFY(p.waitForStarted());
            QThread::msleep(20 + rng->bounded(600));
            if (p.state() == QProcess::Running) {
                p.kill(); // SIGKILL
                ++kills;
            }
            p.waitForFinished();
            // What the process said it committed is in the case; at most one
            // more file (committed, killed before it could say so).
            QSet<QString> said;
            for (const auto& line : QString::fromUtf8(p.readAllStandardOutput()).split('\n'))
                if (line.startsWith("imported   "))
                    said.insert(line.mid(11).section(" (", 0, 0));
            QSet<QString> inCase = checkCase(c);
            for (const auto& s : said)
                QVERIFY2(inCase.contains(s), qPrintable(s));
        }
        QVERIFY(kills >= 3);
        // A clean run afterwards completes the case: nothing half-imported blocks it.
        QProcess p;
        p.start(QStringLiteral(MEMSCOPE_BIN), QStringList{"import", c, kDemo});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(checkCase(c).size(), files.size());
    }

    void aFullDiskIsAClearErrorAndTheCaseStaysIntact() {
        QTemporaryDir dir;
        QString c = dir.filePath("full.memscope");
        // A file size limit stands in for a full disk: writes past it fail
        // with EFBIG (SIGXFSZ ignored, as a shell's `trap '' XFSZ` does).
        auto [out, status, code] = importUnderFileSizeLimit(c, "trap '' XFSZ; ");
        QCOMPARE(status, QProcess::NormalExit);
        QVERIFY2(code != 0, qPrintable(out));
        QVERIFY2(out.contains("cannot grow: disk full"), qPrintable(out.right(600)));
        QVERIFY(out.contains("stopped: the case could not be written"));
        QSet<QString> inCase = checkCase(c);
        QVERIFY(inCase.size() < demoFiles().size());
    }

    // The same limit without a shell that ignores SIGXFSZ: memscope ignores
    // it itself, so the import says what happened instead of dying silently.
    void aFileSizeLimitIsAClearErrorWithoutATrap() {
        QTemporaryDir dir;
        QString c = dir.filePath("limited.memscope");
        auto [out, status, code] = importUnderFileSizeLimit(c, "");
        QCOMPARE(status, QProcess::NormalExit);
        QCOMPARE(code, 1);
        QVERIFY2(out.contains("cannot grow: disk full"), qPrintable(out.right(600)));
        QVERIFY(out.contains("stopped: the case could not be written"));
        QSet<QString> inCase = checkCase(c);
        QVERIFY(!inCase.isEmpty() && inCase.size() < demoFiles().size());
    }

    void readersSeeConsistentDataWhileAnImportWrites() {
        QTemporaryDir dir;
        std::string c = dir.filePath("busy.memscope").toStdString();
        {
            auto s = CaseStore::open(c);
            QVERIFY(s.ok());
        }
        std::atomic<bool> done{false};
        std::atomic<int> writerFailed{0};
        std::thread writer([&] {
            auto s = CaseStore::open(c);
            if (!s) {
                writerFailed = 1;
                done = true;
                return;
            }
            std::vector<std::string> files, missing;
            listFiles({kDemo.toStdString()}, files, missing);
            auto sum = importBatch(**s, files, {}, Progress{});
            writerFailed = sum.failed;
            done = true;
        });
        int reads = 0;
        size_t lastSnapshots = 0;
        while (!done || reads < 3) {
            auto r = CaseStore::open(c, /*readOnly=*/true);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            auto snaps = must((*r)->snapshots());
            // Never fewer than before: committed imports stay visible.
            QVERIFY(snaps.size() >= lastSnapshots);
            lastSnapshots = snaps.size();
            // Every snapshot a reader sees is complete.
            for (const auto& sn : snaps)
                if (sn.kind == SnapshotKind::Heap)
                    QVERIFY(!must((*r)->sampleTypes(sn.id)).empty());
            (void)must(allSeries(**r));
            ++reads;
        }
        writer.join();
        QCOMPARE(writerFailed.load(), 0);
        QVERIFY(reads >= 3);
        QCOMPARE(checkCase(QString::fromStdString(c)).size(), demoFiles().size());
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "test_crash.moc"
