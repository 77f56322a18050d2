// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope capture` over loopback: against recorded responses served by
// tests/cli/capture_server.py (runs everywhere Python does), and against the
// test service itself when Go is installed.
#include "analysis/detect/detect.h"
#include "formats/procfs/procfs.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtTest>
#include <csignal>
#include <set>

using namespace memscope;
using namespace memscope::test;

namespace {

// A child process that prints "listening on ADDR" first; killed with the test.
class Server {
public:
    bool start(const QString& program, const QStringList& args) {
        m_p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_p.start(program, args);
        if (!m_p.waitForStarted(10000))
            return false;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            if (!m_p.canReadLine())
                m_p.waitForReadyRead(200);
            while (m_p.canReadLine()) { // whole lines only: a print may come in pieces
                QString line = QString::fromUtf8(m_p.readLine()).trimmed();
                if (line.startsWith("listening on ")) {
                    m_addr = line.mid(13);
                    if (!m_addr.contains(':'))
                        m_addr = "127.0.0.1:" + m_addr;
                    return true;
                }
            }
            if (m_p.state() == QProcess::NotRunning)
                return false;
        }
        return false;
    }
    QString url(const QString& mode = {}) const {
        return "http://" + m_addr + (mode.isEmpty() ? "" : "/" + mode);
    }
    qint64 pid() const { return m_p.processId(); }
    ~Server() {
        m_p.kill();
        m_p.waitForFinished(5000);
    }

private:
    QProcess m_p;
    QString m_addr;
};

QStringList jsonLines(const QString& out) {
    QStringList lines;
    for (const QString& l : out.split('\n', Qt::SkipEmptyParts))
        lines << l;
    return lines;
}

} // namespace

class TestCapture : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void roundsOfRecordedResponses();
    void missingEndpointsAreWarnings();
    void truncatedBodyIsAWarning();
    void hungServiceNeverStallsTheLoop();
    void hugeGoroutineDumpFallsBackToDebug1();
    void slowHeapDumpLandsInALaterRound();
    void slowHeapDumpIsWaitedForAfterTheLastRound();
    void allocsDeltaInALongRound();
    void descriptorsFromLsofOrSs();
    void sigintMidRoundLeavesAWholeCase();
    void usage();
    void rssShowsTheLastPointTheRuntimeExplains();
    void testServiceForReal();

private:
    QString casePath(const char* name) { return m_dir.filePath(QString(name) + ".memscope"); }
    QTemporaryDir m_dir;
    Server m_recorded;
    bool m_haveServer = false;
};

void TestCapture::initTestCase() {
    // The system's Python first: a version manager's shim can take long to start.
    QString python = QStandardPaths::findExecutable("python3", {"/usr/bin"});
    if (python.isEmpty())
        python = QStandardPaths::findExecutable("python3");
    if (python.isEmpty())
        QSKIP("python3 is not installed: the recorded-responses server needs it");
    m_haveServer = m_recorded.start(
        python, {QStringLiteral(MEMSCOPE_SOURCE_DIR "/tests/cli/capture_server.py"),
                 dataPath("capture/responses")});
    QVERIFY2(m_haveServer, "the recorded-responses server did not start");
}

void TestCapture::roundsOfRecordedResponses() {
    const QString c = casePath("ok");
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("ok"), "--every", "500ms",
                          "--count", "3", "--remote", "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 3);
    std::set<QString> times;
    for (const QString& l : lines) {
        QJsonObject o = QJsonDocument::fromJson(l.toUtf8()).object();
        QVERIFY(o["bytes"].toInteger() > 100000);
        // heap, goroutines, expvar, prometheus; the recorded heap profile
        // carries its own time, so the same one served again is no new capture.
        QCOMPARE(o["snapshots"].toInt(), times.empty() ? 4 : 3);
        times.insert(o["time"].toString());
    }
    QCOMPARE(times.size(), size_t(3));
    auto store = must(CaseStore::open(c.toStdString(), true));
    QCOMPARE(must(store->snapshots(SnapshotKind::Heap)).size(), size_t(1));
    for (const char* kind : {"goroutines", "expvar", "prometheus"})
        QCOMPARE(must(store->snapshots(*parseSnapshotKind(kind))).size(), size_t(3));
    // Data without a time of its own gets the round's; each round's snapshots
    // share it, and the fetched bytes are in the case.
    auto goroutines = must(store->snapshots(SnapshotKind::Goroutines));
    auto vars = must(store->snapshots(SnapshotKind::Expvar));
    for (size_t i = 0; i < 3; ++i) {
        QCOMPARE(goroutines[i].timeSource, std::string("capture"));
        QCOMPARE(goroutines[i].timeNs, vars[i].timeNs);
    }
    auto sources = must(store->sources());
    QCOMPARE(sources.size(), size_t(10));
    QVERIFY(!must(store->sourceBytes(sources.front().id)).empty());
    // The breakdown of where RSS goes reads the scrape's numbers.
    auto rss = runMemscope({"rss", c, "--json"});
    QCOMPARE(rss.code, 0);
    QJsonObject doc = QJsonDocument::fromJson(rss.rawOut).object();
    QJsonObject at = doc["targets"].toArray().at(0).toObject()["at"].toObject();
    QCOMPARE(at["rss_bytes"].toDouble(), 1.0141696e+07);
}

void TestCapture::missingEndpointsAreWarnings() {
    const QString c = casePath("missing");
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("missing"), "--count", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("goroutine?debug=2: HTTP 404"), qPrintable(r.err));
    QVERIFY2(r.err.contains("/debug/vars answers 404"), qPrintable(r.err));
    auto store = must(CaseStore::open(c.toStdString(), true));
    QCOMPARE(must(store->snapshots(SnapshotKind::Heap)).size(), size_t(1));
    QCOMPARE(must(store->snapshots(SnapshotKind::Goroutines)).size(), size_t(0));
}

void TestCapture::truncatedBodyIsAWarning() {
    const QString c = casePath("truncated");
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("truncated"), "--count", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("/debug/pprof/heap: the body ends after"), qPrintable(r.err));
    auto store = must(CaseStore::open(c.toStdString(), true));
    QCOMPARE(must(store->snapshots(SnapshotKind::Heap)).size(), size_t(0));
    QCOMPARE(must(store->snapshots(SnapshotKind::Goroutines)).size(), size_t(1));
}

void TestCapture::hungServiceNeverStallsTheLoop() {
    const QString c = casePath("hung");
    QElapsedTimer t;
    t.start();
    auto r = runMemscope(
        {"capture", c, "--url", m_recorded.url("hung"), "--every", "2s", "--count", "2"});
    // Two rounds of 2 s each, however long the service takes to answer.
    QVERIFY2(t.elapsed() < 9000, qPrintable(QString::number(t.elapsed())));
    QCOMPARE(r.code, 1); // nothing captured at all
    QVERIFY2(r.err.contains("no answer before the deadline"), qPrintable(r.err));
}

void TestCapture::hugeGoroutineDumpFallsBackToDebug1() {
    const QString c = casePath("huge");
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("huge"), "--count", "1",
                          "--max-goroutine-dump", "1000000"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("fetching the grouped debug=1 dump instead"), qPrintable(r.err));
    auto store = must(CaseStore::open(c.toStdString(), true));
    auto g = must(store->snapshots(SnapshotKind::Goroutines));
    QCOMPARE(g.size(), size_t(1));
    auto groups = must(store->goroutineGroups(g[0].id));
    int64_t total = 0;
    for (const auto& grp : groups)
        total += grp.count;
    QCOMPARE(total, int64_t(639)); // "goroutine profile: total 639"
}

void TestCapture::slowHeapDumpLandsInALaterRound() {
    // The heap dump takes 2.5 s, rounds 1 s: it is fetched on while the
    // rounds go on, imported when it arrives as of the round that asked for
    // it, and not asked for again meanwhile.
    const QString c = casePath("slowdump");
    QElapsedTimer t;
    t.start();
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("slowdump"), "--every", "1s",
                          "--count", "4", "--heapdump-every", "2", "--remote", "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QStringList lines = jsonLines(r.out);
    QCOMPARE(lines.size(), 4);
    QVERIFY2(t.elapsed() < 8000, qPrintable(QString::number(t.elapsed())));
    QVERIFY2(r.out.contains("still downloading at the round's end"), qPrintable(r.out));
    QVERIFY2(r.out.contains("asked for in round 1 arrived"), qPrintable(r.out));
    auto store = must(CaseStore::open(c.toStdString(), true));
    auto dumps = must(store->snapshots(SnapshotKind::HeapDump));
    QCOMPARE(dumps.size(), size_t(1));
    auto goroutines = must(store->snapshots(SnapshotKind::Goroutines));
    QCOMPARE(goroutines.size(), size_t(4));
    QCOMPARE(dumps[0].timeNs, goroutines[0].timeNs); // round 1's time
    QCOMPARE(dumps[0].timeSource, std::string("capture"));
}

void TestCapture::slowHeapDumpIsWaitedForAfterTheLastRound() {
    const QString c = casePath("slowlast");
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("slowdump"), "--every", "2s",
                          "--count", "1", "--heapdump-every", "1", "--remote", "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("\"after_last_round\":true"), qPrintable(r.out));
    auto store = must(CaseStore::open(c.toStdString(), true));
    QCOMPARE(must(store->snapshots(SnapshotKind::HeapDump)).size(), size_t(1));
}

void TestCapture::allocsDeltaInALongRound() {
    const QString c = casePath("allocs");
    auto r = runMemscope({"capture", c, "--url", m_recorded.url("ok"), "--every", "3s", "--count",
                          "1", "--allocs-seconds", "1", "--remote"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto store = must(CaseStore::open(c.toStdString(), true));
    QCOMPARE(must(store->snapshots(SnapshotKind::AllocsDelta)).size(), size_t(1));
    QCOMPARE(must(store->snapshots(SnapshotKind::Heap)).size(), size_t(1));
    // Short rounds do not ask: a delta would not end inside them.
    const QString c2 = casePath("allocs-short");
    r = runMemscope({"capture", c2, "--url", m_recorded.url("ok"), "--every", "1s", "--count", "1",
                     "--remote"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto store2 = must(CaseStore::open(c2.toStdString(), true));
    QCOMPARE(must(store2->snapshots(SnapshotKind::AllocsDelta)).size(), size_t(0));
}

void TestCapture::descriptorsFromLsofOrSs() {
    // The recorded-responses server is a process on this machine with a
    // listening socket: each tool reads it, instead of /proc's fd links.
    const QString pid = QString::number(m_recorded.pid());
    for (const char* tool : {"proc", "lsof", "ss"}) {
        const bool proc = std::string(tool) == "proc";
        if (!proc && QStandardPaths::findExecutable(tool).isEmpty()) {
            qWarning("%s is not installed: its reading is not tested", tool);
            continue;
        }
        const QString c = casePath(tool);
        auto r = runMemscope({"capture", c, "--url", m_recorded.url("ok"), "--pid", pid, "--fds",
                              tool, "--count", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto store = must(CaseStore::open(c.toStdString(), true));
        auto fds = must(store->snapshots(SnapshotKind::Fds));
        QCOMPARE(fds.size(), size_t(1));
        QCOMPARE(fds[0].sourceName, proc ? std::string("proc.txt") : tool + std::string(".txt"));
        // /proc's other readings come in either way.
        QCOMPARE(must(store->snapshots(SnapshotKind::Process)).size(), size_t(1));
    }
    QCOMPARE(runMemscope({"capture", casePath("x"), "--url", m_recorded.url("ok"), "--fds", "lsof",
                          "--remote"})
                 .code,
             2);
}

void TestCapture::sigintMidRoundLeavesAWholeCase() {
    const QString c = casePath("sigint");
    QProcess p;
    p.start(QStringLiteral(MEMSCOPE_BIN),
            {"capture", c, "--url", m_recorded.url("slow"), "--every", "60s", "--count", "5"});
    QVERIFY(p.waitForStarted());
    QTest::qWait(1500); // the heap is in; the goroutine dump takes 30 s
    ::kill(pid_t(p.processId()), SIGINT);
    QElapsedTimer t;
    t.start();
    QVERIFY(p.waitForFinished(10000));
    QVERIFY(t.elapsed() < 5000);
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("(stopped)"), qPrintable(err));
    auto store = must(CaseStore::open(c.toStdString(), true));
    QCOMPARE(must(store->snapshots(SnapshotKind::Heap)).size(), size_t(1));
    QCOMPARE(must(store->snapshots(SnapshotKind::Goroutines)).size(), size_t(0));
    auto check = runMemscope({"info", c});
    QCOMPARE(check.code, 0);
}

void TestCapture::usage() {
    QCOMPARE(runMemscope({"capture", casePath("u")}).code, 2);
    QCOMPARE(runMemscope({"capture", casePath("u"), "--url", "https://x:1"}).code, 2);
    QCOMPARE(runMemscope({"capture", casePath("u"), "--url", "http://x:1", "--every", "soon"}).code,
             2);
    QCOMPARE(
        runMemscope({"capture", casePath("u"), "--url", "http://x:1", "--pid", "1", "--remote"})
            .code,
        2);
    QVERIFY(!QFile::exists(casePath("u")));
}

// A service that stopped answering its endpoints still has its RSS read from
// /proc: `rss` shows the last point the Go runtime's numbers explain, and says
// what came after.
void TestCapture::rssShowsTheLastPointTheRuntimeExplains() {
    const QString c = casePath("rss-later");
    {
        auto store = must(CaseStore::open(c.toStdString()));
        for (int round = 0; round < 3; ++round) {
            const int64_t t = 1764176381000000000 + round * 5000000000LL;
            const int64_t rssKiB = 100 * 1024 + round * 50 * 1024;
            std::string bundle =
                std::string(kProcBundleMagic) + " pid=77 time_unix_nano=" + std::to_string(t) +
                "\n== /proc/77/status\nName:\tsvc\nVmRSS:\t" + std::to_string(rssKiB) +
                " kB\nRssAnon:\t" + std::to_string(rssKiB - 1024) +
                " kB\nRssFile:\t1024 kB\nRssShmem:\t0 kB\n";
            std::vector<std::string> files;
            const QString b = m_dir.filePath(QString("rss-proc-%1.txt").arg(round));
            writeBytes(b, bundle);
            files.push_back(b.toStdString());
            if (round == 0) { // the runtime answers the first round only
                const QString p = m_dir.filePath("rss-metrics.txt");
                writeBytes(p, "# TYPE go_memstats_heap_alloc_bytes gauge\n"
                              "go_memstats_heap_alloc_bytes 52428800\n"
                              "# TYPE go_memstats_heap_inuse_bytes gauge\n"
                              "go_memstats_heap_inuse_bytes 62914560\n"
                              "# TYPE go_memstats_stack_sys_bytes gauge\n"
                              "go_memstats_stack_sys_bytes 1048576\n");
                files.push_back(p.toStdString());
            }
            ImportOptions o;
            o.targetName = "svc";
            o.captureTimeNs = t;
            auto outs = must(store->importRound(files, o, {}));
            for (const auto& out : outs)
                QVERIFY2(out.status == ImportStatus::Imported,
                         qPrintable(QString::fromStdString(out.path + ": " +
                                                           (out.error ? out.error->message : ""))));
        }
    }
    auto r = runMemscope({"rss", c});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("RSS 100.0 MiB"), qPrintable(r.out));
    QVERIFY2(r.out.contains("heap_objects"), qPrintable(r.out));
    QVERIFY2(r.out.contains("later: 2 point(s) with no reading from the Go runtime"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("where the RSS is 200.0 MiB"), qPrintable(r.out));
    // --all shows every point, the last one with the RSS alone.
    auto all = runMemscope({"rss", c, "--all"});
    QVERIFY(all.out.contains("RSS 200.0 MiB"));
    QVERIFY(!all.out.contains("later:"));
}

void TestCapture::testServiceForReal() {
    if (qEnvironmentVariableIsSet("MEMSCOPE_TEST_NO_GO"))
        QSKIP("MEMSCOPE_TEST_NO_GO: the test service runs in the normal build's tests");
    const QString go = QStandardPaths::findExecutable("go", {"/usr/local/go/bin", "/usr/bin"});
    if (go.isEmpty())
        QSKIP("Go is not installed: the test service cannot be built");
    const QString bin = m_dir.filePath("services");
    QProcess build;
    build.setWorkingDirectory(QStringLiteral(MEMSCOPE_SOURCE_DIR "/tests/gen/services"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GOTOOLCHAIN", "local");
    env.insert("GOFLAGS", "-mod=mod");
    build.setProcessEnvironment(env);
    build.start(go, {"build", "-o", bin, "."});
    QVERIFY(build.waitForFinished(300000));
    QVERIFY2(build.exitCode() == 0, build.readAllStandardError().constData());
    Server svc;
    QVERIFY(svc.start(bin, {"-serve", "127.0.0.1:0", "-mode", "transport"}));
    const QString c = casePath("service");
    auto r = runMemscope({"capture", c, "--url", svc.url(), "--pid", QString::number(svc.pid()),
                          "--every", "1s", "--count", "8", "--target", "services"},
                         120000);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto store = must(CaseStore::open(c.toStdString(), true));
    for (const char* kind : {"heap", "goroutines", "expvar", "process", "fds"})
        QCOMPARE(must(store->snapshots(*parseSnapshotKind(kind))).size(), size_t(8));
    auto findings = must(detectFindings(*store));
    std::set<std::string> kinds;
    for (const auto& f : findings)
        kinds.insert(toString(f.kind));
    QVERIFY2(kinds.count("connection_leak"), "no connection_leak finding");
    auto rss = runMemscope({"rss", c});
    QCOMPARE(rss.code, 0);
    QVERIFY2(rss.out.contains("process{name=rss_bytes}"), qPrintable(rss.out));
}

QTEST_GUILESS_MAIN(TestCapture)
#include "test_capture.moc"
