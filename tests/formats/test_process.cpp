// SPDX-License-Identifier: GPL-3.0-or-later
// /proc readers and the Prometheus text reader, on recorded files of the test
// service (tests/data/capture) and on this test's own process.
#include "analysis/detect/detect.h"
#include "analysis/rss/rss.h"
#include "analysis/series/series.h"
#include "formats/procfs/procfs.h"
#include "formats/prometheus/prometheus.h"
#include "io/input.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>
#include <filesystem>
#include <map>
#include <unistd.h>

using namespace memscope;
using namespace memscope::test;

namespace {

// The fd links of a recorded /proc tree, as "N -> target" lines.
std::string fdLinks(const QString& dir) {
    std::string out;
    std::vector<std::pair<int, std::string>> links;
    for (const auto& e : std::filesystem::directory_iterator(dir.toStdString()))
        links.emplace_back(std::stoi(e.path().filename().string()),
                           std::filesystem::read_symlink(e.path()).string());
    std::sort(links.begin(), links.end());
    for (const auto& [fd, target] : links)
        out += std::to_string(fd) + " -> " + target + "\n";
    return out;
}

std::map<std::string, double> metricsOf(const ProcReading& r) {
    return {r.metrics.begin(), r.metrics.end()};
}

QString procDir() { return dataPath("capture/proc/23384"); }

// What `memscope capture --pid` writes per round, made from a /proc tree.
std::string bundleOf(const QString& dir, int64_t pid) {
    std::string out = std::string(kProcBundleMagic) + " pid=" + std::to_string(pid) +
                      " time_unix_nano=1764176381000000000\n";
    for (const char* f : {"status", "smaps_rollup", "smaps", "limits", "net/tcp", "net/tcp6"})
        out += "== /proc/" + std::to_string(pid) + "/" + f + "\n" +
               readText(dir + "/" + QString::fromLatin1(f));
    out += "== /proc/" + std::to_string(pid) + "/fd\n" + fdLinks(dir + "/fd");
    return out;
}

} // namespace

class TestProcess : public QObject {
    Q_OBJECT
private slots:
    void statusOfTheTestService();
    void smapsRollupAndSmaps();
    void smapsWithGoMappingNames();
    void netTcpJoinedWithFdLinks();
    void bundleImportsAsProcessAndFds();
    void bundleErrorsNameTheLine();
    void ownProcess();
    void prometheusSamples();
    void prometheusErrors_data();
    void prometheusErrors();
    void prometheusImportJoinsSeries();
    void rssGapFindings();
    void memstatsFromTheSourceReadMostOften();
};

void TestProcess::statusOfTheTestService() {
    std::string text = readText(procDir() + "/status");
    QVERIFY(looksLikeProcStatus(text));
    QVERIFY(!looksLikeSmaps(text));
    ProcReading r;
    QVERIFY(readProcStatus(text, r).ok());
    QCOMPARE(r.command, std::string("svc"));
    QCOMPARE(r.pid, int64_t(23384));
    auto m = metricsOf(r);
    QCOMPARE(m.at("process.rss_bytes"), 13868.0 * 1024);
    QCOMPARE(m.at("process.rss_anon_bytes"), 6452.0 * 1024);
    QCOMPARE(m.at("process.rss_file_bytes"), 7416.0 * 1024);
    QCOMPARE(m.at("process.rss_anon_bytes") + m.at("process.rss_file_bytes") +
                 m.at("process.rss_shmem_bytes"),
             m.at("process.rss_bytes"));
    QVERIFY(m.count("process.threads"));
}

void TestProcess::smapsRollupAndSmaps() {
    std::string rollup = readText(procDir() + "/smaps_rollup");
    QVERIFY(looksLikeSmapsRollup(rollup));
    ProcReading r;
    QVERIFY(readSmapsRollup(rollup, r).ok());
    const double rss = metricsOf(r).at("process.rollup_rss_bytes");
    QVERIFY(rss > 1 << 20);

    std::string smaps = readText(procDir() + "/smaps");
    QVERIFY(looksLikeSmaps(smaps));
    QVERIFY(!looksLikeSmapsRollup(smaps));
    ProcReading s;
    QVERIFY(readSmaps(smaps, s).ok());
    // The classes add up to the rollup's Rss: every mapping counted once.
    double sum = 0;
    for (const auto& [name, v] : s.metrics) {
        QVERIFY(name.rfind("process.mapping.", 0) == 0);
        sum += v;
    }
    QCOMPARE(sum, rss);
    auto m = metricsOf(s);
    QVERIFY(m.at("process.mapping.file.rss_bytes") > 0); // the executable
    QVERIFY(m.at("process.mapping.anon.rss_bytes") > 0); // Go's heap, unnamed on this kernel
}

void TestProcess::smapsWithGoMappingNames() {
    // Go 1.25+ names its anonymous mappings (PR_SET_VMA_ANON_NAME, kernel 5.17+).
    std::string smaps =
        "c000000000-c004000000 rw-p 00000000 00:00 0      [anon: Go: heap]\n"
        "Size:              65536 kB\nRss:                8192 kB\n"
        "VmFlags: rd wr mr mw me ac sd\n"
        "7f0000000000-7f0000100000 rw-p 00000000 00:00 0  [anon: Go: page alloc index]\n"
        "Size:               1024 kB\nRss:                  64 kB\n"
        "7f0000200000-7f0000300000 rw-p 00000000 00:00 0 \n"
        "Size:               1024 kB\nRss:                 512 kB\n"
        "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0  [stack]\n"
        "Size:                132 kB\nRss:                  16 kB\n";
    ProcReading r;
    QVERIFY(readSmaps(smaps, r).ok());
    auto m = metricsOf(r);
    QCOMPARE(m.at("process.mapping.go_heap.rss_bytes"), 8192.0 * 1024);
    QCOMPARE(m.at("process.mapping.go_page_alloc_index.rss_bytes"), 64.0 * 1024);
    QCOMPARE(m.at("process.mapping.anon.rss_bytes"), 512.0 * 1024);
    QCOMPARE(m.at("process.mapping.main_stack.rss_bytes"), 16.0 * 1024);
    // A field before any mapping, and a line that is neither, name their line.
    ProcReading bad;
    auto st = readSmaps("Rss: 4 kB\n", bad);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().line, std::optional<uint64_t>(1));
    st = readSmaps(smaps.substr(0, 120) + "garbage here\n", bad);
    QVERIFY(!st.ok());
    QVERIFY(st.error().line.has_value());
}

void TestProcess::netTcpJoinedWithFdLinks() {
    std::vector<TcpRow> tcp;
    QVERIFY(readNetTcp(readText(procDir() + "/net/tcp"), false, tcp).ok());
    QCOMPARE(tcp.size(), size_t(9));
    // Row 0 of the recording: 0500007F:B2E7, a listener on 127.0.0.5:45799.
    QCOMPARE(tcp[0].entry.localAddr, std::string("127.0.0.5"));
    QCOMPARE(tcp[0].entry.localPort, int64_t(0xB2E7));
    QCOMPARE(tcp[0].entry.state, std::string("LISTEN"));
    QCOMPARE(tcp[0].entry.remotePort, int64_t(-1));
    QCOMPARE(tcp[0].inode, uint64_t(322495));
    std::vector<TcpRow> tcp6;
    QVERIFY(readNetTcp(
                "  sl  local_address                         remote_address                        "
                "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 "
                "0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0 100 0 0 10 0\n",
                true, tcp6)
                .ok());
    QCOMPARE(tcp6.at(0).entry.localAddr, std::string("::1"));
    QCOMPARE(tcp6.at(0).entry.localPort, int64_t(8080));
    QCOMPARE(tcp6.at(0).entry.type, std::string("IPv6"));

    FdSnapshot snap;
    const std::string links = fdLinks(procDir() + "/fd");
    QVERIFY(readFdLinks(links, tcp, snap).ok());
    QCOMPARE(snap.fds.size(), size_t(std::count(links.begin(), links.end(), '\n')));
    int tcpFds = 0, epoll = 0;
    for (const auto& e : snap.fds) {
        tcpFds += e.protocol == "TCP";
        epoll += e.type == "a_inode" && e.name == "[eventpoll]";
    }
    QCOMPARE(tcpFds, 5); // the sockets of the recording that are in net/tcp
    QCOMPARE(epoll, 1);
    // `ls -l /proc/PID/fd` lines read the same.
    FdSnapshot ls;
    QVERIFY(
        readFdLinks("total 0\nlrwx------ 1 app app 64 Dec  3 16:59 3 -> socket:[322495]\n", tcp, ls)
            .ok());
    QCOMPARE(ls.fds.at(0).fd, std::string("3"));
    QCOMPARE(ls.fds.at(0).state, std::string("LISTEN"));
    QVERIFY(!readFdLinks("3 socket\n", tcp, ls).ok());
}

void TestProcess::bundleImportsAsProcessAndFds() {
    QTemporaryDir dir;
    const QString bundle = dir.filePath("proc.txt");
    writeBytes(bundle, bundleOf(procDir(), 23384));
    auto store = must(CaseStore::open(dir.filePath("c.memscope").toStdString()));
    auto out = store->importFile(bundle.toStdString(), {}, {});
    QVERIFY2(out.status == ImportStatus::Imported,
             out.error ? out.error->toString().c_str() : "not imported");
    QCOMPARE(out.format, std::string("proc"));
    QCOMPARE(out.snapshotIds.size(), size_t(2));
    auto proc = must(store->snapshots(SnapshotKind::Process));
    QCOMPARE(proc.size(), size_t(1));
    QCOMPARE(proc[0].timeNs, int64_t(1764176381000000000));
    auto m = must(store->metrics(proc[0].id));
    std::map<std::string, double> byName(m.begin(), m.end());
    QCOMPARE(byName.at("process.rss_bytes"), 13868.0 * 1024);
    QVERIFY(byName.count("process.mapping.file.rss_bytes"));
    QVERIFY(byName.at("process.max_open_files") > 0);
    auto fds = must(store->snapshots(SnapshotKind::Fds));
    QCOMPARE(fds.size(), size_t(1));
    auto counts = must(store->fdCounts(fds[0].id));
    QVERIFY(!counts.byType.empty());
    // The series: process{name=rss_bytes}.
    auto series = must(metricSeries(*store));
    bool found = false;
    for (const auto& s : series)
        found = found || s.key() == "process{name=rss_bytes}";
    QVERIFY(found);
}

void TestProcess::bundleErrorsNameTheLine() {
    ProcReading r;
    auto st = readProcBundle(std::string(kProcBundleMagic) + " pid=1\nstray\n", r);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().line, std::optional<uint64_t>(2));
    // An error inside a part counts lines from the bundle's start.
    std::string b = std::string(kProcBundleMagic) + " pid=1\n== /proc/1/net/tcp\n" +
                    "  sl  local_address rem_address   st\n   0: zz\n";
    st = readProcBundle(b, r);
    QVERIFY(!st.ok());
    QCOMPARE(st.error().line, std::optional<uint64_t>(4));
    QVERIFY(st.error().message.find("/proc/1/net/tcp") != std::string::npos);
    // A part the capture could not read is a warning, not an error.
    ProcReading w;
    QVERIFY(readProcBundle(std::string(kProcBundleMagic) +
                               " pid=1\n== /proc/1/smaps_rollup\n# error: Permission denied\n"
                               "== /proc/1/status\n" +
                               readText(procDir() + "/status"),
                           w)
                .ok());
    QCOMPARE(w.warnings.size(), size_t(1));
}

void TestProcess::ownProcess() {
    // This process's own /proc, read the way capture reads it.
    const QString self = QString("/proc/%1").arg(getpid());
    ProcReading r;
    QVERIFY(readProcStatus(readText(self + "/status"), r).ok());
    QCOMPARE(r.pid, int64_t(getpid()));
    QVERIFY(metricsOf(r).at("process.rss_bytes") > 1 << 20);
    ProcReading s;
    QVERIFY(readSmaps(readText(self + "/smaps"), s).ok());
    std::vector<TcpRow> tcp;
    QVERIFY(readNetTcp(readText(self + "/net/tcp"), false, tcp).ok());
    QVERIFY(readNetTcp(readText(self + "/net/tcp6"), true, tcp).ok());
}

void TestProcess::prometheusSamples() {
    std::string text = readText(dataPath("capture/responses/metrics.txt"));
    QVERIFY(looksLikePrometheusText(text));
    QVERIFY(!looksLikePrometheusText("{\"memstats\": {}}"));
    auto stream = openStream(text);
    std::map<std::string, double> byName;
    size_t n = 0;
    QVERIFY(readPrometheusText(*stream, [&](const PromSample& s) {
                ++n;
                std::string key(s.name);
                if (!s.labels.empty())
                    key += "{" + std::string(s.labels) + "}";
                byName[key] = s.value;
            }).ok());
    QVERIFY(n > 100);
    QCOMPARE(byName.at("quotes_total{host=\"127.0.0.5\"}"), 1234.0);
    QCOMPARE(byName.at("quote_seconds_count"), 2.0);
    QVERIFY(std::isinf(byName.at("quote_seconds_bucket{le=\"+Inf\"}")) == false);
    QCOMPARE(goClientSeriesName("go_memstats_heap_inuse_bytes", ""),
             std::string("memstats.HeapInuse"));
    QCOMPARE(goClientSeriesName("go_memory_classes_heap_free_bytes", ""),
             std::string("/memory/classes/heap/free:bytes"));
    QCOMPARE(goClientSeriesName("go_memory_classes_os_stacks_bytes", ""),
             std::string("/memory/classes/os-stacks:bytes"));
    QCOMPARE(goClientSeriesName("go_gc_heap_allocs_bytes_total", ""),
             std::string("/gc/heap/allocs:bytes"));
    QCOMPARE(goClientSeriesName("process_resident_memory_bytes", ""),
             std::string("process.rss_bytes"));
    QCOMPARE(goClientSeriesName("quotes_total", "host=\"a\""), std::string());
}

void TestProcess::prometheusErrors_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::newRow("no value") << "# TYPE a gauge\na 1\nb\n" << 3;
    QTest::newRow("bad value") << "a 1\nb one\n" << 2;
    QTest::newRow("open labels") << "a{x=\"1\" 2\n" << 1;
    QTest::newRow("bad timestamp") << "a 1 12.5\n" << 1;
    QTest::newRow("not a name") << "a 1\n9abc 2\n" << 2;
}

void TestProcess::prometheusErrors() {
    QFETCH(QString, text);
    QFETCH(int, line);
    const std::string bytes = text.toStdString();
    auto stream = openStream(bytes);
    auto st = readPrometheusText(*stream, [](const PromSample&) {});
    QVERIFY(!st.ok());
    QCOMPARE(st.error().line, std::optional<uint64_t>(uint64_t(line)));
}

void TestProcess::prometheusImportJoinsSeries() {
    QTemporaryDir dir;
    auto store = must(CaseStore::open(dir.filePath("c.memscope").toStdString()));
    auto out = store->importFile(dataPath("capture/responses/metrics.txt").toStdString(), {}, {});
    QVERIFY2(out.status == ImportStatus::Imported,
             out.error ? out.error->toString().c_str() : "not imported");
    QCOMPARE(out.format, std::string("prometheus"));
    auto series = must(metricSeries(*store));
    std::map<std::string, double> last;
    for (const auto& s : series)
        last[s.key()] = s.points.back().value;
    QCOMPARE(last.at("memstats{name=HeapInuse}"), 5.36576e+06);
    QCOMPARE(last.at("runtime{name=/memory/classes/heap/free:bytes}"), 73728.0);
    QCOMPARE(last.at("process{name=rss_bytes}"), 1.0141696e+07);
    QCOMPARE(last.at("prometheus{name=quotes_total{host=\"127.0.0.6\"}}"), 987.0);
    // The RSS breakdown rests on them: runtime/metrics first.
    auto b = rssBreakdowns(series);
    QCOMPARE(b.size(), size_t(1));
    const RssPoint& p = b[0].points.back();
    QCOMPARE(*p.rss, 1.0141696e+07);
    QCOMPARE(p.slice("heap_free")->bytes, 73728.0);
    QCOMPARE(p.slice("heap_free")->source,
             std::string("runtime{name=/memory/classes/heap/free:bytes}"));
    QVERIFY(p.slice("unexplained")); // RSS without its anon/file split
}

// Two readings a minute apart of a process whose RSS is mostly outside the Go
// runtime (cgo), then of one whose freed heap stays resident.
void TestProcess::rssGapFindings() {
    auto caseWith = [](QTemporaryDir& dir, double rssMiB, double anonMiB, double heapFreeMiB) {
        auto store = must(CaseStore::open(dir.filePath("c.memscope").toStdString()));
        const double MiB = 1024 * 1024;
        for (int round = 0; round < 2; ++round) {
            const int64_t t = 1764176381000000000 + round * 60000000000LL;
            std::string status =
                "Name:\tsvc\nPid:\t77\nVmRSS:\t" + std::to_string(int64_t(rssMiB * 1024)) +
                " kB\nRssAnon:\t" + std::to_string(int64_t(anonMiB * 1024)) + " kB\nRssFile:\t" +
                std::to_string(int64_t((rssMiB - anonMiB) * 1024)) + " kB\nRssShmem:\t0 kB\n";
            std::string bundle = std::string(kProcBundleMagic) +
                                 " pid=77 time_unix_nano=" + std::to_string(t) +
                                 "\n== /proc/77/status\n" + status;
            std::string prom = "# TYPE go_memstats_heap_alloc_bytes gauge\n";
            auto line = [&](const char* n, double v) {
                prom += std::string(n) + " " + std::to_string(int64_t(v)) + "\n";
            };
            line("go_memstats_heap_alloc_bytes", 20 * MiB);
            line("go_memstats_heap_inuse_bytes", 24 * MiB);
            line("go_memstats_heap_idle_bytes", heapFreeMiB * MiB + 4 * MiB);
            line("go_memstats_heap_released_bytes", 4 * MiB);
            line("go_memstats_stack_sys_bytes", 2 * MiB);
            for (const char* n : {"go_memstats_mspan_sys_bytes", "go_memstats_mcache_sys_bytes",
                                  "go_memstats_gc_sys_bytes", "go_memstats_buck_hash_sys_bytes",
                                  "go_memstats_other_sys_bytes"})
                line(n, 1 * MiB);
            const QString b = dir.filePath(QString("proc-%1.txt").arg(round));
            const QString p = dir.filePath(QString("metrics-%1.txt").arg(round));
            writeBytes(b, bundle);
            writeBytes(p, prom);
            ImportOptions o;
            o.targetName = "svc";
            o.captureTimeNs = t;
            auto outs = must(store->importRound({b.toStdString(), p.toStdString()}, o, {}));
            for (const auto& out : outs)
                if (out.status != ImportStatus::Imported)
                    qFatal("%s", out.error ? out.error->toString().c_str() : "not imported");
        }
        return store;
    };
    {
        QTemporaryDir dir;
        auto store = caseWith(dir, 600, 580, 1);
        auto b = must(rssBreakdowns(*store));
        QCOMPARE(b.size(), size_t(1));
        const RssPoint& p = b[0].points.back();
        // Go holds 20 + 4 + 1 + 2 + 5 = 32 MiB; anon 580 MiB: 548 MiB outside it.
        QCOMPARE(p.goResident(), 32.0 * 1024 * 1024);
        QCOMPARE(p.slice("off_heap_anon")->bytes, 548.0 * 1024 * 1024);
        QCOMPARE(p.slice("off_heap_anon")->measured, false);
        QCOMPARE(p.slice("file_backed")->bytes, 20.0 * 1024 * 1024);
        QCOMPARE(p.slice("heap_objects")->source, std::string("memstats{name=HeapAlloc}"));
        // The timeline's RSS panel draws the same slices, one line each.
        auto lines = rssSliceSeries(b);
        QCOMPARE(lines.size(), p.slices.size());
        double sum = 0;
        for (const auto& l : lines) {
            QCOMPARE(l.metric, std::string("rss_slice"));
            QCOMPARE(l.points.size(), b[0].points.size());
            sum += l.points.back().value;
        }
        QCOMPARE(sum, *p.rss);
        auto findings = must(detectFindings(*store));
        int gaps = 0;
        for (const auto& f : findings)
            if (f.kind == FindingKind::RssGap) {
                ++gaps;
                QCOMPARE(f.title,
                         std::string("Most of RSS is outside what the Go runtime accounts for"));
                QVERIFY(!f.series.empty());
            }
        QCOMPARE(gaps, 1);
    }
    {
        QTemporaryDir dir;
        auto store = caseWith(dir, 400, 380, 300);
        auto findings = must(detectFindings(*store));
        std::vector<std::string> titles;
        for (const auto& f : findings)
            if (f.kind == FindingKind::RssGap)
                titles.push_back(f.title);
        QCOMPARE(titles, std::vector<std::string>{"Freed heap is not returned to the OS"});
    }
    {
        // A healthy process: Go accounts for nearly all of it.
        QTemporaryDir dir;
        auto store = caseWith(dir, 60, 40, 1);
        for (const auto& f : must(detectFindings(*store)))
            QVERIFY(f.kind != FindingKind::RssGap);
    }
}

// A capture's expvar every round and one heap dump's MemStats trailer: every
// reading gets the runtime's slices, from expvar.
void TestProcess::memstatsFromTheSourceReadMostOften() {
    auto series = [](const char* metric, const std::string& name, std::vector<int64_t> times) {
        Series s;
        s.metric = metric;
        s.labels["name"] = name;
        for (int64_t t : times)
            s.points.push_back({t * 1000000000LL, 100.0 * 1024 * 1024, {}});
        return s;
    };
    std::vector<Series> all;
    all.push_back(series("process", "rss_bytes", {10, 20, 30}));
    for (const char* f : {"HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "StackSys",
                          "MSpanSys", "MCacheSys", "GCSys", "BuckHashSys", "OtherSys"}) {
        all.push_back(series("memstats", f, {10}));
        all.push_back(series("expvar", std::string("memstats.") + f, {10, 20, 30}));
    }
    auto b = rssBreakdowns(all);
    QCOMPARE(b.size(), size_t(1));
    QCOMPARE(b[0].points.size(), size_t(3));
    for (const auto& p : b[0].points) {
        QVERIFY(p.slice("heap_objects"));
        QCOMPARE(p.slice("heap_objects")->source, std::string("expvar{name=memstats.HeapAlloc}"));
    }
}

QTEST_GUILESS_MAIN(TestProcess)
#include "test_process.moc"
