// SPDX-License-Identifier: GPL-3.0-or-later
// The cost of goroutine groups on captures whose numbers are known
// (tests/gen/gcost wrote tests/data/gcost: 8 goroutines each keeping a 64 KiB
// buffer on its stack and one TCP connection, 4 of them at the first dump
// three seconds before), and the socket matching on rows of its own.
#include "analysis/goroutine_cost/goroutine_cost.h"
#include "analysis/goroutine_cost/socket_match.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QTest>

using namespace memscope;
using namespace memscope::test;

namespace {

const char* kFirst = "gcost/goroutines-20261203T193613Z.txt";
const char* kSecond = "gcost/goroutines-20261203T193616Z.txt";
const char* kHeapDump = "gcost/heapdump-20261203T193616Z.bin.zst";
const char* kProc = "gcost/proc-20261203T193616Z.txt";

std::unique_ptr<CaseStore> caseOf(const QTemporaryDir& dir,
                                  std::initializer_list<const char*> files) {
    auto store = must(CaseStore::open(dir.filePath("c.memscope").toStdString()));
    ImportOptions o;
    o.targetName = "gcost";
    for (const char* f : files) {
        auto r = store->importFile(dataPath(f).toStdString(), o, Progress{});
        if (r.status != ImportStatus::Imported)
            qFatal("%s: %s", f, r.error ? r.error->toString().c_str() : "not imported");
    }
    return store;
}

const GoroutineGroupCost* group(const GoroutineCostReport& r, const std::string& entry) {
    for (const auto& g : r.groups)
        if (g.entry == entry)
            return &g;
    return nullptr;
}

CaseStore::GoroutineGroupRow row(const std::string& role, std::vector<std::string> stack = {}) {
    CaseStore::GoroutineGroupRow g;
    g.role = parseGoroutineRole(role).value();
    g.stack = std::move(stack);
    return g;
}

CaseStore::SocketRow socket(const std::string& remote, bool client, const std::string& state) {
    CaseStore::SocketRow s;
    s.localAddr = "10.0.0.1";
    s.localPort = client ? 40000 : 8080;
    s.remoteAddr = remote;
    s.state = state;
    s.client = client;
    return s;
}

} // namespace

class TestGoroutineCost : public QObject {
    Q_OBJECT
private slots:
    // The numbers tests/data/gcost/expected.txt states.
    void knownBytesSocketsAndGrowth() {
        QTemporaryDir dir;
        auto store = caseOf(dir, {kFirst, kSecond, kHeapDump, kProc});
        auto r = must(goroutineCost(*store));
        QCOMPARE(r.target, std::string("gcost"));
        QVERIFY(!r.groups.empty());
        const auto& top = r.groups.front();
        QCOMPARE(top.entry, std::string("main.hold"));
        QCOMPARE(top.count, int64_t(8));
        QCOMPARE(top.firstCount, int64_t(4));
        QCOMPARE(top.dumps, 2);
        // +4 goroutines in the 3 s between the dumps' seconds.
        QVERIFY2(std::abs(top.growthPerHour - 4800) < 1e-6,
                 std::to_string(top.growthPerHour).c_str());
        // Eight 64 KiB buffers, and per goroutine its net.TCPConn and the
        // byte it reads into: never more than a few hundred bytes each.
        QVERIFY2(top.bytes >= 8 * 65536 && top.bytes <= 8 * 65536 + 8 * 512,
                 std::to_string(top.bytes).c_str());
        QCOMPARE(top.heap.size(), size_t(1));
        QCOMPARE(top.heap[0].goroutines, int64_t(8));
        QCOMPARE(top.sockets, int64_t(8));
        QCOMPARE(top.socketKind, std::string("client"));
        QCOMPARE(top.socketsByHost.size(), size_t(1));
        QCOMPARE(top.socketsByHost[0].name, std::string("127.0.0.1"));
        QCOMPARE(top.socketsByHost[0].count, int64_t(8));
        // The idle goroutines hold nothing and serve nothing.
        const auto* idle = group(r, "main.idle");
        QVERIFY(idle);
        QCOMPARE(idle->count, int64_t(5));
        QCOMPARE(idle->growthPerHour, 0.0);
        QCOMPARE(idle->bytes, int64_t(0));
        QCOMPARE(idle->sockets, int64_t(0));
        // The accept loop serves the listener; the accepted ends are held by
        // a global, so no goroutine serves them.
        const auto* accept = group(r, "main.acceptLoop");
        QVERIFY(accept);
        QCOMPARE(accept->sockets, int64_t(1));
        QCOMPARE(accept->socketKind, std::string("listening"));
        // Paired with the dump of the same second, by goroutine id.
        QCOMPARE(r.heapDumps.size(), size_t(1));
        const auto& p = r.heapDumps[0];
        QVERIFY(bool(p.goroutineDumpId));
        QCOMPARE(p.gapNs, int64_t(0));
        QVERIFY(p.how.find("of the same moment, by goroutine id") != std::string::npos);
        QCOMPARE(p.unpaired, p.runtimeOwn); // only the runtime's own are missing from it
        QVERIFY(bool(r.fdSnapshotId));
        QVERIFY(costClause(r, top).find("of heap and 8 sockets") != std::string::npos);
    }

    // Without a socket snapshot the sockets are unknown, not zero; without a
    // heap dump the bytes; without a goroutine dump the heap dump's own
    // records group the goroutines.
    void saysWhatItLacks() {
        QTemporaryDir noFds;
        auto r = must(goroutineCost(*caseOf(noFds, {kFirst, kSecond, kHeapDump})));
        QCOMPARE(r.fdSnapshotId.value, int64_t(0));
        QCOMPARE(costClause(r, r.groups.front()).find("socket"), std::string::npos);
        QVERIFY(r.cannotKnow.back().find("sockets are not known") != std::string::npos);

        QTemporaryDir noHeap;
        r = must(goroutineCost(*caseOf(noHeap, {kFirst, kSecond, kProc})));
        QVERIFY(r.heapDumps.empty());
        QCOMPARE(r.groups.front().entry, std::string("main.hold"));
        QCOMPARE(costClause(r, r.groups.front()), std::string("8 sockets"));

        QTemporaryDir heapOnly;
        r = must(goroutineCost(*caseOf(heapOnly, {kHeapDump})));
        QCOMPARE(r.heapDumps.size(), size_t(1));
        QCOMPARE(r.heapDumps[0].goroutineDumpId.value, int64_t(0));
        QVERIFY(r.heapDumps[0].how.find("own goroutine records") != std::string::npos);
        const auto* hold = group(r, "main.hold");
        QVERIFY(hold);
        QVERIFY(hold->fromHeapDump);
        QVERIFY(hold->bytes >= 8 * 65536 && hold->bytes <= 8 * 65536 + 8 * 512);
    }

    // A connection's read and write loops are one bucket by default and its
    // socket counts once; hosts are shared as the pool holds them.
    void socketsMatchByNumber() {
        std::vector<CaseStore::GoroutineGroupRow> groups{
            row("http_client_readloop"), row("http_client_writeloop"), row("http_server_conn"),
            row("", {"net.(*netFD).Read net/fd_posix.go:55", "main.pump main.go:10"}),
            row("", {"net.(*netFD).accept net/fd_unix.go:172", "main.serve main.go:20"})};
        std::vector<int64_t> counts{6, 6, 2, 3, 1};
        std::vector<SocketDemand> demand;
        for (size_t i = 0; i < groups.size(); ++i)
            demand.push_back({goroutineGroupKey(groups[i]), counts[i], socketUse(groups[i])});
        QCOMPARE(demand[0].key, demand[1].key);
        // The server's background read sits in the same read as a client's.
        QCOMPARE(int(socketUse(row("", {"net.(*netFD).Read net/fd_posix.go:55",
                                        "net/http.(*connReader).backgroundRead server.go:674"}))),
                 int(SocketUse::ServerConn));
        std::vector<CaseStore::SocketRow> rows;
        for (int i = 0; i < 4; ++i)
            rows.push_back(socket("10.0.0.2", true, "ESTABLISHED"));
        for (int i = 0; i < 4; ++i)
            rows.push_back(socket("10.0.0.3", true, "ESTABLISHED"));
        rows.push_back(socket("10.0.0.9", false, "ESTABLISHED"));
        rows.push_back(socket("", false, "LISTEN"));
        std::map<std::string, int64_t> got;
        std::map<std::string, std::vector<NamedCount>> hosts;
        for (const auto& m : matchSockets(demand, rows)) {
            got[m.key + "/" + m.kind] += m.sockets;
            hosts[m.key + "/" + m.kind] = m.byHost;
        }
        const std::string loops = demand[0].key + "/client";
        QCOMPARE(got[loops], int64_t(6)); // 6 connections, not 12
        QCOMPARE(hosts[loops].size(), size_t(2));
        QCOMPARE(hosts[loops][0].count + hosts[loops][1].count, int64_t(6));
        // Two client sockets left for the three readers, then the server's
        // one accepted socket goes to its connection goroutines first.
        QCOMPARE(got[demand[3].key + "/client"], int64_t(2));
        QCOMPARE(got[demand[2].key + "/server"], int64_t(1));
        QCOMPARE(got.count(demand[3].key + "/server"), size_t(0));
        QCOMPARE(got[demand[4].key + "/listening"], int64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestGoroutineCost)
#include "test_goroutine_cost.moc"
