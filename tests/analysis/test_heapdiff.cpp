// SPDX-License-Identifier: GPL-3.0-or-later
// The object diff of two heap dumps: on two dumps of tests/gen/heapdiff,
// whose own objects between the dumps are known exactly (and on a fresh run
// of it when Go is installed), and on graphs built by hand for the edges:
// reused addresses, huge objects, empty dumps, graphs out of address order,
// cases without pointer shapes, two processes.
#include "analysis/heapdiff/heapdiff.h"
#include "analysis/heapgraph/dominators.h"
#include "formats/heapdump/heapdump.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <sstream>

using namespace memscope;
using namespace memscope::test;

namespace {

struct Obj {
    uint64_t addr, size;
    uint32_t shape;
    int32_t bucket;
    std::vector<uint32_t> to; // object indices
};

// A graph of objects and roots (each root: the objects it points to), with
// its dominators computed as the importer does.
StoredHeapGraph build(const std::vector<Obj>& objs, const std::vector<std::vector<uint32_t>>& roots,
                      bool shapes = true) {
    StoredHeapGraph s;
    HeapGraph& g = s.graph;
    g.edgeStart.push_back(0);
    for (size_t i = 0; i < objs.size(); ++i) {
        const Obj& o = objs[i];
        g.addr.push_back(o.addr);
        if (o.size >= UINT32_MAX) {
            g.size.push_back(UINT32_MAX);
            g.hugeSize[uint32_t(i)] = o.size;
        } else {
            g.size.push_back(uint32_t(o.size));
        }
        if (shapes)
            g.shape.push_back(o.shape);
        for (uint32_t t : o.to)
            g.edges.push_back(t);
        g.edgeStart.push_back(uint32_t(g.edges.size()));
        s.objectBucket.push_back(o.bucket);
    }
    g.rootEdgeStart.push_back(0);
    for (size_t r = 0; r < roots.size(); ++r) {
        g.roots.push_back({RootKind::Global, "main.g" + std::to_string(r), {}, -1});
        for (uint32_t t : roots[r])
            g.rootEdges.push_back(t);
        g.rootEdgeStart.push_back(uint32_t(g.rootEdges.size()));
    }
    s.dom = computeDominators(g);
    return s;
}

HeapDiffSide side(const StoredHeapGraph& g, std::vector<int32_t> keys = {0, 1, 2, 3}) {
    HeapDiffSide s;
    s.graph = &g;
    s.siteKey = keys;
    for (int32_t k : keys)
        s.siteName.push_back("main.site" + std::to_string(k) + " (x.go:1)");
    return s;
}

const HeapDiffGroup* find(const std::vector<HeapDiffGroup>& rows, const std::string& prefix) {
    for (const auto& r : rows)
        if (r.name.rfind(prefix, 0) == 0)
            return &r;
    return nullptr;
}

// Imports two dumps with the given capture times (seconds) and targets.
std::pair<SnapshotId, SnapshotId> importPair(CaseStore& store, const std::string& a,
                                             const std::string& b, int64_t timeA = 100,
                                             int64_t timeB = 200, const std::string& targetA = "p",
                                             const std::string& targetB = "p") {
    ImportOptions oa, ob;
    oa.captureTimeNs = timeA * 1000000000;
    ob.captureTimeNs = timeB * 1000000000;
    oa.targetName = targetA;
    ob.targetName = targetB;
    auto x = store.importFile(a, oa, Progress{});
    auto y = store.importFile(b, ob, Progress{});
    if (x.status != ImportStatus::Imported || y.status != ImportStatus::Imported)
        return {};
    return {x.snapshotIds.at(0), y.snapshotIds.at(0)};
}

} // namespace

class TestHeapDiff : public QObject {
    Q_OBJECT
private slots:
    void goProgramDumps();
    void goProgramFreshRun();
    void reusedAddresses();
    void shapesOrSizeAndPointers();
    void sitesWhenSampled();
    void hugeObjects();
    void emptyDumps();
    void outOfAddressOrder();
    void whatTheGrowthIsMadeOf();
    void twoProcessesRefused();
    void graphsStoredBeforeShapes();
    void commandLine();

private:
    // Checks a diff of the program's two dumps against what it printed.
    void checkAgainstExpected(const QString& dumpA, const QString& dumpB, const std::string& exp);
};

void TestHeapDiff::checkAgainstExpected(const QString& dumpA, const QString& dumpB,
                                        const std::string& expected) {
    auto store = must(CaseStore::open(":memory:"));
    auto [a, b] = importPair(*store, dumpA.toStdString(), dumpB.toStdString());
    QVERIFY(a && b);
    auto d = must(diffHeapDumpObjects(*store, a, b));
    QVERIFY(d.shapesCompared);
    std::istringstream in(expected);
    std::string line;
    size_t sites = 0;
    uint64_t reusedExpected = 0;
    std::vector<std::pair<uint64_t, std::string>> reused;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string what;
        f >> what;
        if (what == "site") {
            std::string name, fate;
            uint64_t objects = 0, bytes = 0;
            f >> name >> fate >> objects >> bytes;
            const HeapDiffGroup* row = find(d.sites, name + " (");
            QVERIFY2(row, name.c_str());
            // Exactly these objects, and none of the other fates.
            const ObjectCounts want{objects, bytes}, none{};
            auto same = [](const ObjectCounts& x, const ObjectCounts& y) {
                return x.objects == y.objects && x.bytes == y.bytes;
            };
            QVERIFY2(same(row->survivors, fate == "survivors" ? want : none), line.c_str());
            QVERIFY2(same(row->added, fate == "new" ? want : none), line.c_str());
            QVERIFY2(same(row->freed, fate == "freed" ? want : none), line.c_str());
            ++sites;
        } else if (what == "reused_same_size" || what == "reused_other_size") {
            uint64_t n = 0;
            f >> n;
            reusedExpected += n;
        } else if (what == "reused") {
            std::string addr, kind;
            f >> addr >> kind;
            reused.emplace_back(std::stoull(addr, nullptr, 16), kind);
        }
    }
    QCOMPARE(sites, size_t(8));
    QCOMPARE(uint64_t(reused.size()), reusedExpected);
    QVERIFY(reusedExpected > 0);
    // The runtime reuses addresses of its own too; the program's are among them.
    QVERIFY(d.reused >= reusedExpected);
    auto ga = must(store->loadHeapGraph(a)), gb = must(store->loadHeapGraph(b));
    // The importer keeps objects in address order: the diff is one merge.
    QVERIFY(std::is_sorted(ga.graph.addr.begin(), ga.graph.addr.end()));
    QVERIFY(std::is_sorted(gb.graph.addr.begin(), gb.graph.addr.end()));
    for (const auto& [addr, kind] : reused) {
        int64_t oa = ga.graph.findObject(addr), ob = gb.graph.findObject(addr);
        QVERIFY(oa >= 0 && ob >= 0);
        QCOMPARE(ga.graph.addr[size_t(oa)], addr);
        QCOMPARE(gb.graph.addr[size_t(ob)], addr);
        QCOMPARE(d.survivorNow[size_t(ob)], uint8_t(0));
        if (kind == "64") { // same size, another pointer shape
            QCOMPARE(ga.graph.objectSize(uint32_t(oa)), gb.graph.objectSize(uint32_t(ob)));
            QVERIFY(ga.graph.shape[size_t(oa)] != gb.graph.shape[size_t(ob)]);
        } else {
            QVERIFY(ga.graph.objectSize(uint32_t(oa)) != gb.graph.objectSize(uint32_t(ob)));
        }
    }
    // Totals add up: every object of the later dump is a survivor or new,
    // every one of the earlier a survivor or freed.
    auto infoA = must(store->heapDump(a)), infoB = must(store->heapDump(b));
    QCOMPARE(int64_t(d.survivors.objects + d.added.objects), infoB->objects);
    QCOMPARE(int64_t(d.survivors.objects + d.freed.objects), infoA->objects);
    QCOMPARE(int64_t(d.survivors.bytes + d.added.bytes), infoB->bytes);
    // What the later dump retains splits into survivors and new.
    QCOMPARE(d.survivorRetained.size(), gb.graph.nodes());
    QVERIFY(d.survivorRetained[0] <= gb.dom.retained[0]);
    uint64_t reachableSurvivors = 0;
    for (uint32_t o = 0; o < gb.graph.objects(); ++o)
        if (d.survivorNow[o] && gb.dom.idom[gb.graph.objectNode(o)] != UINT32_MAX)
            reachableSurvivors += gb.graph.objectSize(o);
    QCOMPARE(d.survivorRetained[0], reachableSurvivors);
}

void TestHeapDiff::goProgramDumps() {
    checkAgainstExpected(dataPath("heapdump/heapdiff-a.bin.zst"),
                         dataPath("heapdump/heapdiff-b.bin.zst"),
                         readText(dataPath("heapdump/heapdiff-expected.txt")));
}

void TestHeapDiff::goProgramFreshRun() {
    if (qEnvironmentVariableIsSet("MEMSCOPE_TEST_NO_GO"))
        QSKIP("MEMSCOPE_TEST_NO_GO: the dumps in tests/data are checked instead");
    const QString go = QStandardPaths::findExecutable("go", {"/usr/local/go/bin", "/usr/bin"});
    if (go.isEmpty())
        QSKIP("Go is not installed: the program cannot be built (its committed dumps are checked)");
    QTemporaryDir dir;
    const QString bin = dir.filePath("heapdiff");
    QProcess build;
    build.setWorkingDirectory(QStringLiteral(MEMSCOPE_SOURCE_DIR "/tests/gen/heapdiff"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GOTOOLCHAIN", "local");
    env.insert("GOFLAGS", "-mod=mod");
    build.setProcessEnvironment(env);
    build.start(go, {"build", "-trimpath", "-o", bin, "."});
    QVERIFY(build.waitForFinished(300000));
    QVERIFY2(build.exitCode() == 0, build.readAllStandardError().constData());
    QProcess run;
    run.setProcessEnvironment(QProcessEnvironment());
    run.start(bin, {dir.filePath("a.bin"), dir.filePath("b.bin")});
    QVERIFY(run.waitForFinished(60000));
    QCOMPARE(run.exitCode(), 0);
    checkAgainstExpected(dir.filePath("a.bin"), dir.filePath("b.bin"),
                         run.readAllStandardOutput().toStdString());
    // This run against the committed one: another process, whose heap Go
    // 1.26 placed elsewhere (its counters alone may not tell).
    auto store = must(CaseStore::open(":memory:"));
    auto [x, y] = importPair(*store, dataPath("heapdump/heapdiff-a.bin.zst").toStdString(),
                             dir.filePath("b.bin").toStdString());
    auto gx = must(store->loadHeapGraph(x)), gy = must(store->loadHeapGraph(y));
    bool apart = gx.graph.addr.back() < gy.graph.addr.front() ||
                 gy.graph.addr.back() < gx.graph.addr.front();
    if (!apart)
        QSKIP("this run's heap landed where the committed run's did");
    auto d = diffHeapDumpObjects(*store, x, y);
    QVERIFY(!d.ok());
    QVERIFY2(QString::fromStdString(d.error().message).contains("two processes"),
             d.error().message.c_str());
}

void TestHeapDiff::reusedAddresses() {
    // 0x1000 lives on; 0x1010 holds another 16-byte object of another shape;
    // 0x1020 a 48-byte object where a 32-byte one was; 0x1100 is gone, 0x3000 new.
    auto a = build({{0x1000, 16, 1, -1, {}},
                    {0x1010, 16, 1, -1, {}},
                    {0x1020, 32, 2, -1, {}},
                    {0x1100, 64, 3, -1, {}}},
                   {{0, 1, 2, 3}});
    auto b = build({{0x1000, 16, 1, -1, {}},
                    {0x1010, 16, 7, -1, {}},
                    {0x1020, 48, 2, -1, {}},
                    {0x3000, 8, 1, -1, {}}},
                   {{0, 1, 2, 3}});
    auto d = diffHeapObjects(side(a), side(b));
    QCOMPARE(d.survivors.objects, uint64_t(1));
    QCOMPARE(d.survivors.bytes, uint64_t(16));
    QCOMPARE(d.freed.objects, uint64_t(3));
    QCOMPARE(d.freed.bytes, uint64_t(16 + 32 + 64));
    QCOMPARE(d.added.objects, uint64_t(3));
    QCOMPARE(d.added.bytes, uint64_t(16 + 48 + 8));
    QCOMPARE(d.reused, uint64_t(2));
    QCOMPARE(d.survivorNow, (std::vector<uint8_t>{1, 0, 0, 0}));
    // Per size class: the 16-byte class kept one, lost one, gained one.
    const HeapDiffGroup* c16 = find(d.sizeClasses, "16B");
    QVERIFY(c16);
    QCOMPARE(c16->survivors.objects, uint64_t(1));
    QCOMPARE(c16->added.objects, uint64_t(1));
    QCOMPARE(c16->freed.objects, uint64_t(1));
}

void TestHeapDiff::shapesOrSizeAndPointers() {
    // Same size, another shape, the same number of pointers: the shape tells
    // them apart; a case without shapes cannot, and says it compared less.
    auto a = build({{0x1000, 16, 1, -1, {1}}, {0x1010, 16, 1, -1, {}}}, {{0}});
    auto b = build({{0x1000, 16, 2, -1, {1}}, {0x1010, 16, 1, -1, {}}}, {{0}});
    auto d = diffHeapObjects(side(a), side(b));
    QVERIFY(d.shapesCompared);
    QCOMPARE(d.reused, uint64_t(1));
    QCOMPARE(d.survivors.objects, uint64_t(1));
    auto a0 = build({{0x1000, 16, 1, -1, {1}}, {0x1010, 16, 1, -1, {}}}, {{0}}, false);
    auto b0 = build({{0x1000, 16, 2, -1, {1}}, {0x1010, 16, 1, -1, {0}}}, {{0}}, false);
    auto d0 = diffHeapObjects(side(a0), side(b0));
    QVERIFY(!d0.shapesCompared);
    // 0x1000: one pointer in both, so a survivor; 0x1010: none, then one.
    QCOMPARE(d0.survivorNow, (std::vector<uint8_t>{1, 0}));
    QCOMPARE(d0.reused, uint64_t(1));
    // One side with shapes and one without: the weaker test for both.
    QVERIFY(!diffHeapObjects(side(a), side(b0)).shapesCompared);
}

void TestHeapDiff::sitesWhenSampled() {
    // Same address, size and shape: another site is another object; an
    // unsampled side cannot say, so the object counts as a survivor.
    auto a = build({{0x1000, 16, 1, 0, {}}, {0x1010, 16, 1, 0, {}}, {0x1020, 16, 1, -1, {}}},
                   {{0, 1, 2}});
    auto b = build({{0x1000, 16, 1, 0, {}}, {0x1010, 16, 1, 1, {}}, {0x1020, 16, 1, 1, {}}},
                   {{0, 1, 2}});
    auto d = diffHeapObjects(side(a), side(b));
    QCOMPARE(d.survivorNow, (std::vector<uint8_t>{1, 0, 1}));
    const HeapDiffGroup* s0 = find(d.sites, "main.site0");
    const HeapDiffGroup* s1 = find(d.sites, "main.site1");
    QVERIFY(s0 && s1);
    QCOMPARE(s0->survivors.objects, uint64_t(1));
    QCOMPARE(s0->freed.objects, uint64_t(1));
    QCOMPARE(s1->added.objects, uint64_t(1));
    QCOMPARE(s1->survivors.objects, uint64_t(1));
    // Site keys, not bucket numbers, match: bucket 0 of one dump is bucket 2 of the other.
    auto bRenumbered = build(
        {{0x1000, 16, 1, 2, {}}, {0x1010, 16, 1, 2, {}}, {0x1020, 16, 1, -1, {}}}, {{0, 1, 2}});
    auto d3 = diffHeapObjects(side(a, {5}), side(bRenumbered, {9, 9, 5}));
    QCOMPARE(d3.survivors.objects, uint64_t(3));
}

void TestHeapDiff::hugeObjects() {
    // Objects past 4 GiB keep their size in hugeSize; bytes add up in 64 bits.
    const uint64_t huge = (uint64_t(5) << 30) + 8192, other = uint64_t(6) << 30;
    auto a = build({{0x10000000, huge, 0, -1, {}}, {0x200000000, huge, 0, -1, {}}}, {{0, 1}});
    auto b = build({{0x10000000, huge, 0, -1, {}}, {0x200000000, other, 0, -1, {}}}, {{0, 1}});
    auto d = diffHeapObjects(side(a), side(b));
    QCOMPARE(d.survivors.bytes, huge);
    QCOMPARE(d.freed.bytes, huge);
    QCOMPARE(d.added.bytes, other);
    QCOMPARE(d.reused, uint64_t(1));
    QCOMPARE(d.survivorRetained[0], huge);
    const HeapDiffGroup* large = find(d.sizeClasses, "large, 4.00GB");
    QVERIFY2(large, d.sizeClasses.front().name.c_str());
    QCOMPARE(large->survivors.objects + large->freed.objects + large->added.objects, uint64_t(3));
}

void TestHeapDiff::emptyDumps() {
    auto empty = build({}, {});
    auto one = build({{0x1000, 16, 1, -1, {}}}, {{0}});
    auto d = diffHeapObjects(side(empty), side(empty));
    QCOMPARE(d.survivors.objects + d.added.objects + d.freed.objects, uint64_t(0));
    QVERIFY(d.sizeClasses.empty());
    auto grown = diffHeapObjects(side(empty), side(one));
    QCOMPARE(grown.added.objects, uint64_t(1));
    QCOMPARE(grown.survivorRetained[0], uint64_t(0));
    auto gone = diffHeapObjects(side(one), side(empty));
    QCOMPARE(gone.freed.objects, uint64_t(1));
    QCOMPARE(gone.freed.bytes, uint64_t(16));
    const HeapDiffGroup* root = find(gone.roots, "main.g0");
    QVERIFY(root);
    QCOMPARE(root->freed.objects, uint64_t(1));
    QCOMPARE(root->retainedBase, uint64_t(16));
}

void TestHeapDiff::outOfAddressOrder() {
    // Dumps list objects span by span, not always by address: the same
    // objects in another order diff the same.
    std::vector<Obj> sorted = {{0x1000, 16, 1, -1, {}},
                               {0x2000, 32, 1, -1, {}},
                               {0x3000, 48, 1, -1, {}},
                               {0x4000, 64, 1, -1, {}}};
    std::vector<Obj> shuffled = {sorted[2], sorted[0], sorted[3], sorted[1]};
    auto a = build({sorted[0], sorted[1], {0x5000, 8, 1, -1, {}}}, {{0, 1, 2}});
    auto b1 = build(sorted, {{0, 1, 2, 3}});
    auto b2 = build(shuffled, {{0, 1, 2, 3}});
    auto d1 = diffHeapObjects(side(a), side(b1)), d2 = diffHeapObjects(side(a), side(b2));
    QCOMPARE(d1.survivors.objects, uint64_t(2));
    QCOMPARE(d2.survivors.objects, uint64_t(2));
    QCOMPARE(d2.added.bytes, d1.added.bytes);
    QCOMPARE(d2.freed.bytes, uint64_t(8));
    QCOMPARE(d2.survivorNow, (std::vector<uint8_t>{0, 1, 0, 1}));
}

void TestHeapDiff::whatTheGrowthIsMadeOf() {
    // g0 -> a -> b; g1 -> c; g0 and g1 -> d (shared). a and d survive; b, c are new.
    auto base = build({{0x1000, 100, 1, 0, {}}, {0x4000, 7, 1, 3, {}}}, {{0}, {1}});
    auto now = build({{0x1000, 100, 1, 0, {1}},
                      {0x2000, 1000, 1, 1, {}},
                      {0x3000, 10, 1, 2, {}},
                      {0x4000, 7, 1, 3, {}},
                      {0x5000, 20, 1, 1, {}}},
                     {{0, 3, 4}, {2, 3}});
    auto d = diffHeapObjects(side(base), side(now));
    const HeapDiffGroup* g0 = find(d.roots, "main.g0");
    const HeapDiffGroup* g1 = find(d.roots, "main.g1");
    const HeapDiffGroup* shared = find(d.roots, kSharedRootName);
    QVERIFY(g0 && g1 && shared);
    QCOMPARE(g0->retainedBase, uint64_t(100));
    QCOMPARE(g0->retainedNow, uint64_t(1120));
    QCOMPARE(g0->retainedSurvivors, uint64_t(100));
    QCOMPARE(g0->retainedNew(), uint64_t(1020));
    QCOMPARE(g0->exampleNew, uint64_t(0x2000)); // the new object retaining most
    QCOMPARE(g1->retainedBase, uint64_t(7));
    QCOMPARE(g1->retainedNow, uint64_t(10));
    QCOMPARE(g1->retainedSurvivors, uint64_t(0));
    QCOMPARE(shared->retainedNow, uint64_t(7));
    QCOMPARE(shared->retainedSurvivors, uint64_t(7));
    // Largest change of retained bytes first.
    QCOMPARE(d.roots.front().name, std::string("main.g0"));
    QCOMPARE(d.survivorRetained[0], uint64_t(107));
    // Sites: site 1 (b and the 20-byte object) is all new data.
    const HeapDiffGroup* s1 = find(d.sites, "main.site1");
    QVERIFY(s1);
    QCOMPARE(s1->retainedNow, uint64_t(1020));
    QCOMPARE(s1->retainedSurvivors, uint64_t(0));
    const HeapDiffGroup* s0 = find(d.sites, "main.site0");
    QCOMPARE(s0->retainedNow, uint64_t(1100));
    QCOMPARE(s0->retainedSurvivors, uint64_t(100));
}

void TestHeapDiff::twoProcessesRefused() {
    const std::string a = dataPath("heapdump/heapdiff-a.bin.zst").toStdString();
    const std::string b = dataPath("heapdump/heapdiff-b.bin.zst").toStdString();
    {
        // The later dump by its capture time has seen fewer collections.
        auto store = must(CaseStore::open(":memory:"));
        auto [x, y] = importPair(*store, a, b, 200, 100);
        auto d = diffHeapDumpObjects(*store, x, y);
        QVERIFY(!d.ok());
        QCOMPARE(d.error().code, ErrorCode::Usage);
        QVERIFY2(QString::fromStdString(d.error().message).contains("two processes"),
                 d.error().message.c_str());
        QVERIFY2(QString::fromStdString(d.error().message).contains("NumGC"),
                 d.error().message.c_str());
    }
    {
        auto store = must(CaseStore::open(":memory:"));
        auto [x, y] = importPair(*store, a, b, 100, 200, "api", "worker");
        auto d = diffHeapDumpObjects(*store, x, y);
        QVERIFY(!d.ok());
        QVERIFY2(QString::fromStdString(d.error().message).contains("two programs"),
                 d.error().message.c_str());
    }
    {
        // In either order the pair is one process: B before A diffs too.
        auto store = must(CaseStore::open(":memory:"));
        auto [x, y] = importPair(*store, a, b);
        auto d = must(diffHeapDumpObjects(*store, y, x));
        QVERIFY(d.survivors.objects > 1000);
    }
    {
        // The CLI says why and fails.
        QTemporaryDir dir;
        const QString c = dir.filePath("two.memscope");
        std::pair<SnapshotId, SnapshotId> ids;
        {
            auto store = must(CaseStore::open(c.toStdString()));
            ids = importPair(*store, a, b, 200, 100);
        }
        auto r = runMemscope(
            {"diff", c, QString::number(ids.first.value), QString::number(ids.second.value)});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("two processes"), qPrintable(r.err));
    }
}

void TestHeapDiff::graphsStoredBeforeShapes() {
    // A layout 1 blob (cases imported before shapes were kept) reads back
    // without them, and the diff says it matched on less.
    HeapDump dump;
    dump.graph = build({{0x1000, 16, 1, -1, {}}, {0x1010, 32, 2, -1, {}}}, {{0, 1}}).graph;
    Dominators dom = computeDominators(dump.graph);
    auto blob = must(encodeHeapGraph(dump, dom));
    auto v2 = must(decodeHeapGraph(blob));
    QCOMPARE(v2.graph.shape, (std::vector<uint32_t>{1, 2}));
    std::string raw = must(zstdDecompress(blob, 1 << 20));
    QCOMPARE(raw.substr(0, 8), std::string("MSHG0002"));
    // Layout 1: the same bytes without the trailing shape vector.
    std::string v1 = "MSHG0001" + raw.substr(8, raw.size() - 8 - (8 + 2 * 4));
    auto old = must(decodeHeapGraph(must(zstdCompress(v1, 1))));
    QVERIFY(old.graph.shape.empty());
    QCOMPARE(old.graph.addr, v2.graph.addr);
    auto d = diffHeapObjects(side(old), side(v2));
    QVERIFY(!d.shapesCompared);
    QCOMPARE(d.survivors.objects, uint64_t(2));
    // A shape vector of the wrong length is damage.
    std::string bad = raw;
    bad.replace(bad.size() - 16, 8, std::string("\x01\0\0\0\0\0\0\0", 8));
    QVERIFY(!decodeHeapGraph(must(zstdCompress(bad.substr(0, bad.size() - 4), 1))).ok());
}

void TestHeapDiff::commandLine() {
    QTemporaryDir dir;
    const QString c = dir.filePath("pair.memscope");
    std::pair<SnapshotId, SnapshotId> ids;
    HeapObjectDiff expected;
    {
        auto store = must(CaseStore::open(c.toStdString()));
        ids = importPair(*store, dataPath("heapdump/heapdiff-a.bin.zst").toStdString(),
                         dataPath("heapdump/heapdiff-b.bin.zst").toStdString());
        expected = must(diffHeapDumpObjects(*store, ids.first, ids.second));
    }
    const QString a = QString::number(ids.first.value), b = QString::number(ids.second.value);
    auto text = runMemscope({"diff", c, a, b});
    QCOMPARE(text.code, 0);
    QVERIFY2(
        text.out.contains(QString("objects     survivors %1 (").arg(expected.survivors.objects)),
        qPrintable(text.out));
    QVERIFY(text.out.contains(QString("%1 addresses of snapshot").arg(expected.reused)));
    QVERIFY(text.out.contains("what the growth is made of"));
    QVERIFY(text.out.contains("looks like a survivor"));
    // A new object to follow, and `memscope paths` follows it.
    int at = text.out.indexOf("memscope paths ");
    QVERIFY(at >= 0);
    QString line = text.out.mid(at, text.out.indexOf('\n', at) - at);
    QStringList args = line.split(' ').mid(1);
    QVERIFY(args.contains("--object"));
    auto paths = runMemscope(args);
    QCOMPARE(paths.code, 0);
    QVERIFY2(paths.out.contains("global") || paths.out.contains("frame"), qPrintable(paths.out));

    auto json = runMemscope({"diff", c, a, b, "--json", "-n", "0"});
    QCOMPARE(json.code, 0);
    QJsonObject o = QJsonDocument::fromJson(json.rawOut).object().value("objects").toObject();
    QCOMPARE(o.value("survivors").toObject().value("objects").toInteger(),
             qint64(expected.survivors.objects));
    QCOMPARE(o.value("freed").toObject().value("bytes").toInteger(), qint64(expected.freed.bytes));
    QCOMPARE(o.value("reused_addresses").toInteger(), qint64(expected.reused));
    QCOMPARE(o.value("shapes_compared").toBool(), true);
    QCOMPARE(o.value("sites").toArray().size(), qsizetype(expected.sites.size()));
    bool sawBig = false;
    for (const auto& v : o.value("sites").toArray()) {
        QJsonObject s = v.toObject();
        if (s.value("name").toString().startsWith("main.allocBig ")) {
            sawBig = true;
            QCOMPARE(s.value("new").toObject().value("objects").toInteger(), qint64(600));
            QCOMPARE(s.value("retained_new_bytes").toInteger(), qint64(600 * 128));
        }
    }
    QVERIFY(sawBig);
    QVERIFY(o.value("cannot_know").toString().contains("survivor"));
}

QTEST_GUILESS_MAIN(TestHeapDiff)
#include "test_heapdiff.moc"
