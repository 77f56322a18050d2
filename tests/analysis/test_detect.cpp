// SPDX-License-Identifier: GPL-3.0-or-later
// Detectors on real captures: the leaking service must show its three traps
// with evidence, the healthy one none; trend maths on known series.
#include "analysis/detect/detect.h"
#include "analysis/detect/detector.h"
#include "analysis/goroutine_cost/goroutine_cost.h"
#include "analysis/series/series.h"
#include "import/import_batch.h"
#include "model/goroutines.h"
#include "model/snapshot_kind.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QTest>
#include <set>

namespace {

// Every value of a name table reads back through parse, names are distinct,
// and text outside the table parses to nothing.
template <typename E, size_t N, typename Parse>
void checkNameTable(const memscope::NameTable<E, N>& table, Parse parse) {
    std::set<std::string> seen;
    for (const auto& [value, name] : table) {
        QCOMPARE(std::string(toString(value)), std::string(name));
        QVERIFY(parse(name).has_value());
        QVERIFY(*parse(name) == value);
        QVERIFY2(seen.insert(name).second, name);
    }
    QVERIFY(!parse("no_such_name").has_value());
}

} // namespace

using namespace memscope;
using namespace memscope::test;

namespace {

std::unique_ptr<CaseStore> importFolder(const QTemporaryDir& dir, const QString& folder,
                                        const QString& alsoFile = {}) {
    auto store = CaseStore::open(dir.filePath("c.memscope").toStdString());
    if (!store)
        return nullptr;
    std::vector<std::string> files, missing;
    listFiles({folder.toStdString()}, files, missing);
    if (!alsoFile.isEmpty())
        files.push_back(alsoFile.toStdString());
    auto sum = importBatch(**store, files, {}, Progress{});
    if (sum.failed != 0 || sum.imported == 0)
        return nullptr;
    return std::move(*store);
}

const Finding* findKind(const std::vector<Finding>& v, const std::string& kind) {
    for (const auto& f : v)
        if (toString(f.kind) == kind)
            return &f;
    return nullptr;
}

std::vector<SeriesPoint> line(std::initializer_list<double> values) {
    std::vector<SeriesPoint> pts;
    int64_t t = 0;
    for (double v : values) {
        pts.push_back({t, v, {}});
        t += 10'000'000'000; // 10 s apart
    }
    return pts;
}

} // namespace

class TestDetect : public QObject {
    Q_OBJECT
private slots:
    void trends() {
        Trend up = trendOf(line({100, 200, 300, 400}));
        QCOMPARE(up.first, 100.0);
        QCOMPARE(up.last, 400.0);
        QVERIFY(std::abs(up.slopePerMinute - 600.0) < 1e-6); // +100 per 10 s
        QVERIFY(up.r2 > 0.999);
        QVERIFY(steadyGrowth(up, 10, 1.5));
        // Flat with noise, a single spike, a fall: not growth.
        QVERIFY(!steadyGrowth(trendOf(line({100, 104, 98, 101, 103})), 10, 1.5));
        QVERIFY(!steadyGrowth(trendOf(line({100, 100, 900, 100, 100})), 10, 1.5));
        QVERIFY(!steadyGrowth(trendOf(line({400, 300, 200, 100})), 10, 1.5));
        // Two points are not a trend.
        QVERIFY(!steadyGrowth(trendOf(line({1, 1000})), 10, 1.5));
    }

    void leakingServiceShowsItsThreeTraps() {
        QTemporaryDir dir;
        auto store = importFolder(dir, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo"));
        QVERIFY(store);
        auto findings = must(detectFindings(*store));
        std::set<std::string> kinds;
        for (const auto& f : findings)
            kinds.insert(toString(f.kind));

        const Finding* leak = findKind(findings, "connection_leak");
        QVERIFY(leak);
        QCOMPARE(std::string(toString(leak->severity)), std::string("critical"));
        QCOMPARE(leak->hosts, (std::vector<std::string>{"127.0.0.2", "127.0.0.3", "127.0.0.4"}));
        QVERIFY(leak->series.size() >= 3); // one per host, plus the persistConn loops
        QVERIFY(std::count(leak->goroutineGroups.begin(), leak->goroutineGroups.end(),
                           "net/http.(*persistConn).readLoop") == 1);
        QVERIFY(!leak->sites.empty());
        QCOMPARE(leak->sites[0].function, std::string("main.handleRequest"));
        QVERIFY(leak->summary.find("http.Transport") != std::string::npos);

        const Finding* fin = findKind(findings, "finalizer_backlog");
        QVERIFY(fin);
        QVERIFY(fin->title.find("main.releaseRequestState") != std::string::npos);
        bool finSite = false;
        for (const auto& s : fin->sites)
            finSite |= s.function == "main.releaseRequestState" && s.file == "leakyapp/main.go" &&
                       s.line > 0;
        QVERIFY(finSite);
        double queuedLast = -1;
        for (const auto& [k, v] : fin->numbers)
            if (k == "queued_last")
                queuedLast = v;
        QCOMPARE(queuedLast, 225.0);

        const Finding* global = findKind(findings, "global_retention");
        QVERIFY(global);
        QVERIFY(global->summary.find("unsafe.Pointer") != std::string::npos);
        QVERIFY(global->summary.find("bss+0x270") != std::string::npos);
        bool readAll = false;
        for (const auto& s : global->sites)
            readAll |= s.function == "io.ReadAll";
        QVERIFY(readAll);

        // Its sockets live on: no churn. The persistConn goroutines belong to
        // the connection leak, not a finding of their own.
        QVERIFY(!kinds.count("connection_churn"));
        QVERIFY(!kinds.count("goroutine_leak"));
        // Every finding carries evidence enough to redraw it.
        for (const auto& f : findings) {
            QVERIFY(!f.series.empty());
            QVERIFY(!f.snapshots.empty());
            QVERIFY(f.summary.size() > 100);
        }
    }

    // Services written for these tests (tests/gen/services): different code and
    // names from the corpus, one trap each, and a healthy one under load.
    void eachTrapAloneIsFoundAndNothingElse_data() {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("transport per call") << "transport" << QStringList{"connection_leak"};
        QTest::newRow("keep-alives off") << "churn" << QStringList{"connection_churn"};
        QTest::newRow("slow finalizer") << "finalizer" << QStringList{"finalizer_backlog"};
        QTest::newRow("unsafe views in a global") << "global" << QStringList{"global_retention"};
        QTest::newRow("blocked watchers") << "goroutine" << QStringList{"goroutine_leak"};
        QTest::newRow("healthy under load") << "healthy" << QStringList{};
    }
    void eachTrapAloneIsFoundAndNothingElse() {
        QFETCH(QString, folder);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        // Every service is the same program: its escape notes are kept once.
        auto store = importFolder(dir, dataPath("services/" + folder),
                                  dataPath("services/build-gcflags-m.txt.zst"));
        QVERIFY(store);
        QStringList kinds;
        for (const auto& f : must(detectFindings(*store)))
            kinds << QString::fromStdString(toString(f.kind));
        QCOMPARE(kinds, expected);
    }

    void nameTables() {
        checkNameTable(kSnapshotKindNames, parseSnapshotKind);
        checkNameTable(kGoroutineRoleNames, parseGoroutineRole);
        checkNameTable(kSeverityNames, parseSeverity);
        checkNameTable(kFindingKindNames, parseFindingKind);
        // The text the case file and the outputs have always used.
        QCOMPARE(std::string(toString(SnapshotKind::Goroutines)), std::string("goroutines"));
        QCOMPARE(std::string(toString(SnapshotKind::HeapDump)), std::string("heapdump"));
        QCOMPARE(std::string(toString(GoroutineRole::None)), std::string(""));
        QCOMPARE(std::string(toString(GoroutineRole::HttpClientRead)),
                 std::string("http_client_readloop"));
        QCOMPARE(std::string(toString(Severity::Critical)), std::string("critical"));
        QCOMPARE(std::string(toString(FindingKind::GlobalRetention)),
                 std::string("global_retention"));
        QCOMPARE(severityRank(Severity::Critical), 0);
        QCOMPARE(severityRank(Severity::Warning), 1);
        QCOMPARE(severityRank(Severity::Info), 2);
    }

    // One detector per kind, in the order findings of equal severity keep.
    void detectorOrder() {
        QStringList kinds;
        for (const auto& d : detect::detectors())
            kinds << toString(d->kind());
        QCOMPARE(kinds,
                 QStringList({"connection_churn", "connection_leak", "finalizer_backlog",
                              "global_retention", "goroutine_leak", "heap_growth", "rss_gap"}));
    }

    void healthyServiceIsQuiet() {
        QTemporaryDir dir;
        auto store = importFolder(dir, dataPath("cases/healthy"));
        QVERIFY(store);
        QVERIFY(must((*store).snapshots(SnapshotKind::HeapDump)).size() == 2);
        auto findings = must(detectFindings(*store));
        for (const auto& f : findings)
            QVERIFY2(false, (std::string(toString(f.kind)) + ": " + f.title).c_str());
    }

    // The connection leak says what its loops hold, with the numbers the
    // cost ranking has for them; a goroutine leak with neither a heap dump
    // nor sockets to its name says nothing of a cost.
    void leaksCarryTheirCost() {
        QTemporaryDir dir;
        auto store = importFolder(dir, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo"));
        QVERIFY(store);
        auto findings = must(detectFindings(*store));
        const Finding* leak = findKind(findings, "connection_leak");
        QVERIFY(leak);
        auto number = [](const Finding& f, const std::string& name) {
            for (const auto& [n, value] : f.numbers)
                if (n == name)
                    return value;
            return -1.0;
        };
        GoroutineCostOptions o;
        o.allHeapDumps = false;
        auto cost = must(goroutineCost(*store, o));
        const GoroutineGroupCost* loops = nullptr;
        for (const auto& g : cost.groups)
            if (g.entry == kHttpClientLoops)
                loops = &g;
        QVERIFY(loops);
        QVERIFY(loops->bytes > 1 << 20 && loops->sockets > 100);
        QCOMPARE(number(*leak, "loops_retained_bytes"), double(loops->bytes));
        QCOMPARE(number(*leak, "loops_sockets"), double(loops->sockets));
        QVERIFY(number(*leak, "loops_sockets") <= number(*leak, "sockets_last"));
        const std::string clause = "read and write loops of goroutine dump " +
                                   std::to_string(cost.latestDumpId.value) + " hold " +
                                   costClause(cost, *loops) + " (heap dump ";
        QVERIFY2(leak->summary.find(clause) != std::string::npos, leak->summary.c_str());

        QTemporaryDir plain;
        auto watchers = importFolder(plain, dataPath("services/goroutine"));
        QVERIFY(watchers);
        const auto found = must(detectFindings(*watchers));
        const Finding* grows = findKind(found, "goroutine_leak");
        QVERIFY(grows);
        QVERIFY2(grows->summary.find(" hold ") == std::string::npos, grows->summary.c_str());
        QCOMPARE(number(*grows, "retained_bytes"), -1.0);
    }

    // The runtime's verdict carries the cost of the goroutines it names, from
    // the full dump, heap dump and /proc bundle of tests/data/gcost: a leak
    // profile written here names the group that holds eight 64 KiB buffers
    // and eight sockets.
    void verdictCarriesItsCost() {
        QTemporaryDir dir;
        auto store = must(CaseStore::open(dir.filePath("c.memscope").toStdString()));
        ImportOptions o;
        o.targetName = "gcost";
        for (const char* f :
             {"gcost/goroutines-20261203T193613Z.txt", "gcost/goroutines-20261203T193616Z.txt",
              "gcost/heapdump-20261203T193616Z.bin.zst", "gcost/proc-20261203T193616Z.txt"})
            QCOMPARE(int(store->importFile(dataPath(f).toStdString(), o, {}).status),
                     int(ImportStatus::Imported));
        const QString leak = dir.filePath("goroutineleak.txt");
        writeBytes(leak, "goroutineleak profile: total 8\n"
                         "8 @ 0x47e08e 0x4dd51e 0x4845c1\n"
                         "#\t0x4dd51d\tmain.hold+0x1d\tgcost/main.go:61\n\n");
        o.captureTimeNs = must(store->snapshots(SnapshotKind::Goroutines)).back().timeNs;
        QCOMPARE(int(store->importFile(leak.toStdString(), o, {}).status),
                 int(ImportStatus::Imported));
        auto findings = must(detectFindings(*store));
        const Finding* v = findKind(findings, "goroutine_leak");
        QVERIFY(v);
        double bytes = -1, sockets = -1;
        for (const auto& [n, value] : v->numbers) {
            if (n == "retained_bytes")
                bytes = value;
            if (n == "sockets")
                sockets = value;
        }
        QVERIFY2(bytes >= 8 * 65536 && bytes <= 8 * 65536 + 8 * 512, v->summary.c_str());
        QCOMPARE(sockets, 8.0);
        QVERIFY2(v->summary.find("the 8 goroutines started in main.hold hold ") !=
                         std::string::npos &&
                     v->summary.find(" of heap and 8 sockets (heap dump ") != std::string::npos,
                 v->summary.c_str());
    }

    // Go 1.26's goroutine leak profile: the runtime proved these goroutines
    // leaked, and the finding says so, names them and their number, and comes
    // before any growth the same detector sees. Without it (the blocked
    // watchers above) the finding is the trend, as before.
    void runtimeLeakVerdictRanksFirst() {
        QTemporaryDir dir;
        auto store = importFolder(dir, dataPath("services/goroutine"));
        QVERIFY(store);
        // The leak profile as a capture round takes it, with the last dump.
        auto dumps = must(store->snapshots(SnapshotKind::Goroutines));
        QVERIFY(!dumps.empty());
        ImportOptions o;
        o.targetName = must(store->targets()).front().name;
        o.captureTimeNs = dumps.back().timeNs;
        auto in = store->importFile(dataPath("field/goroutineleak_debug1_go126.txt").toStdString(),
                                    o, Progress{});
        QVERIFY(in.status == ImportStatus::Imported);
        auto findings = must(detectFindings(*store));
        std::vector<const Finding*> leaks;
        for (const auto& f : findings)
            if (f.kind == FindingKind::GoroutineLeak)
                leaks.push_back(&f);
        QVERIFY(leaks.size() >= 2); // the verdict, then the service's growing watchers
        const Finding& v = *leaks.front();
        QCOMPARE(std::string(toString(v.severity)), std::string("critical"));
        QVERIFY2(v.title.find("The runtime proved 3 goroutines leaked") == 0, v.title.c_str());
        QCOMPARE(v.goroutineGroups, (std::vector<std::string>{"main.leakSend.func1"}));
        QVERIFY2(v.summary.find("can never wake: 3 in main.leakSend.func1.") != std::string::npos,
                 v.summary.c_str());
        QVERIFY(v.summary.find("runtime's own proof") != std::string::npos);
        QVERIFY(v.summary.find("At this rate") == std::string::npos); // no forecast of a proof
        auto number = [](const Finding& f, const std::string& name) {
            for (const auto& [n, value] : f.numbers)
                if (n == name)
                    return value;
            return -1.0;
        };
        QCOMPARE(number(v, "leaked"), 3.0);
        QCOMPARE(number(v, "runtime_verdict"), 1.0);
        for (size_t i = 1; i < leaks.size(); ++i)
            QCOMPARE(number(*leaks[i], "runtime_verdict"), -1.0);
        // The service alone: no verdict.
        QTemporaryDir plain;
        auto without = importFolder(plain, dataPath("services/goroutine"));
        QVERIFY(without);
        for (const auto& f : must(detectFindings(*without)))
            QCOMPARE(number(f, "runtime_verdict"), -1.0);
    }

    // A leak profile lists only the leaked goroutines: it never feeds the
    // `goroutines` total, even taken in the same round as a dump; it has a
    // line of its own, `goroutines_leaked`, as does a debug=2 dump's verdict.
    void leakProfilesHaveTheirOwnSeries() {
        QTemporaryDir dir;
        auto store = must(CaseStore::open(dir.filePath("c.memscope").toStdString()));
        const int64_t t0 = 1'790'000'000'000'000'000;
        auto at = [&](const QString& file, int64_t t) {
            ImportOptions o;
            o.targetName = "field";
            o.captureTimeNs = t;
            auto r = store->importFile(dataPath(file).toStdString(), o, Progress{});
            QVERIFY2(r.status == ImportStatus::Imported,
                     r.error ? r.error->toString().c_str() : r.path.c_str());
        };
        at("field/goroutineleak_debug2_go126.txt", t0);
        at("field/goroutineleak_debug1_go126.txt", t0);
        at("field/goroutineleak_debug1_go126.txt", t0 + 60'000'000'000);
        auto series = must(goroutineSeries(*store));
        const Series *total = nullptr, *leaked = nullptr;
        for (const auto& s : series) {
            if (s.metric == "goroutines" && s.labels.empty())
                total = &s;
            if (s.metric == "goroutines_leaked")
                leaked = &s;
        }
        QVERIFY(total && leaked);
        QCOMPARE(total->points.size(), size_t(1)); // the debug=2 dump alone
        QCOMPARE(total->points[0].value, 6.0);
        QCOMPARE(leaked->points.size(), size_t(2)); // one per instant
        QCOMPARE(leaked->points[0].timeNs, t0);
        QCOMPARE(leaked->points[0].value, 3.0);
        QCOMPARE(leaked->points[1].timeNs, t0 + 60'000'000'000);
        QCOMPARE(leaked->points[1].value, 3.0);
    }
};

QTEST_GUILESS_MAIN(TestDetect)
#include "test_detect.moc"
