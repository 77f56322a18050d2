// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/profile/top.h"
#include "formats/pprof/heap_text.h"
#include "formats/pprof/pprof_reader.h"
#include "io/input.h"
#include "sqlutil.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>

using namespace memscope;
using namespace memscope::test;

namespace {

Result<HeapText> parseText(const std::string& text) {
    auto s = openStream(text);
    return parseHeapText(*s);
}

} // namespace

class TestHeapText : public QObject {
    Q_OBJECT
private slots:
    void valuesMatchGoToolPprof_data();
    void valuesMatchGoToolPprof();
    void agreesWithProtoOfSameMoment_data();
    void agreesWithProtoOfSameMoment();
    void inlinedFramesRecovered();
    void memstatsTrailer();
    void unsymbolizedRecords();
    void brokenInputs_data();
    void brokenInputs();
    void importsWithMemstatsAndMigratesOldCase();
};

void TestHeapText::valuesMatchGoToolPprof_data() {
    QTest::addColumn<QString>("file");
    for (const QString& f : QDir(dataPath("heaptext")).entryList({"*.txt"}, QDir::Files))
        QTest::newRow(qPrintable(f)) << f;
}

void TestHeapText::valuesMatchGoToolPprof() {
    QFETCH(QString, file);
    auto p = readProfileFile(dataPath("heaptext/" + file).toStdString());
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
    std::string got;
    for (const auto& s : p->samples) {
        if (s.values[0] == 0 && s.values[1] == 0 && s.values[2] == 0 && s.values[3] == 0)
            continue; // pprof drops empty records
        got += std::to_string(s.values[0]) + " " + std::to_string(s.values[1]) + " " +
               std::to_string(s.values[2]) + " " + std::to_string(s.values[3]) + "\n";
    }
    QCOMPARE(got, normalizeGolden(readText(dataPath("golden/" + file + ".raw"))));
}

void TestHeapText::agreesWithProtoOfSameMoment_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("proto");
    // Captured back to back with no GC between: the same in-use heap.
    QTest::newRow("round 1") << "heaptext/heap-001-20261126T165901Z.txt"
                             << "heap-001-20261126T165901Z.pb.gz";
    QTest::newRow("round 12") << "heaptext/heap-012-20261126T165941Z.txt"
                              << "heap-012-20261126T165941Z.pb.gz";
}

void TestHeapText::agreesWithProtoOfSameMoment() {
    QFETCH(QString, text);
    QFETCH(QString, proto);
    auto t = readProfileFile(dataPath(text).toStdString());
    auto p = readProfileFile(pprofPath(proto).toStdString());
    QVERIFY(t.ok() && p.ok());
    auto flatCum = [](const TopResult& r) {
        std::string out = "total " + std::to_string(r.total) + "\n";
        for (const auto& row : r.rows)
            if (row.flat || row.cum)
                out += std::to_string(row.flat) + " " + std::to_string(row.cum) + " " +
                       row.function + "\n";
        return out;
    };
    int idx = p->sampleIndex("inuse_space");
    QCOMPARE(flatCum(computeTop(*t, idx)), flatCum(computeTop(*p, idx)));
}

void TestHeapText::inlinedFramesRecovered() {
    // FORMATS.md §2.3: 0x6b7e31 0x6b7e32 is main.mk4k inlined into main.leakyAlloc.
    auto t = readProfileFile(dataPath("heaptext/heap_debug1_go119.txt").toStdString());
    QVERIFY(t.ok());
    const auto& first = t->samples.front();
    const auto& loc = t->locations[first.locations.front()];
    QCOMPARE(loc.lines.size(), size_t(2));
    QCOMPARE(t->functions[loc.lines[0].function].name, std::string("main.mk4k"));
    QCOMPARE(loc.lines[0].line, int64_t(53));
    QCOMPARE(t->functions[loc.lines[1].function].name, std::string("main.leakyAlloc"));
    auto top = computeTop(*t);
    QCOMPARE(top.rows.front().function, std::string("main.mk4k"));
    QCOMPARE(top.rows.front().inlineLabel, std::string("inline"));
    QCOMPARE(t->period, int64_t(524288));
}

void TestHeapText::memstatsTrailer() {
    std::string text = readText(dataPath("heaptext/heap_debug1_go119.txt"));
    auto s = openStream(text);
    auto h = parseHeapText(*s);
    QVERIFY(h.ok());
    QCOMPARE(h->memstats.at("Alloc"), 12045536.0);
    QCOMPARE(h->memstats.at("NumGC"), 8.0);
    QCOMPARE(h->memstats.at("StackInuse"), 524288.0);
    QCOMPARE(h->memstats.at("StackSys"), 524288.0);
    QCOMPARE(h->memstats.at("MaxRSS"), 19279872.0);
    QCOMPARE(h->memstats.at("DebugGC"), 0.0);
    QVERIFY(h->memstats.count("PauseNs") == 0); // an array, not a number
}

void TestHeapText::unsymbolizedRecords() {
    // Old captures: addresses, no '#' lines. Values still count; names are unknown.
    std::string text = "heap profile: 2: 2048 [4: 4096] @ heap/1048576\n"
                       "2: 2048 [4: 4096] @ 0x401000 0x402000 0x403000\n\n";
    auto h = parseText(text);
    QVERIFY(h.ok());
    QCOMPARE(h->profile.samples.size(), size_t(1));
    QCOMPARE(h->profile.samples[0].locations.size(), size_t(3));
    int64_t c, b;
    scaleHeapSample(2, 2048, 524288, c, b);
    QCOMPARE(h->profile.samples[0].values[2], c);
    QCOMPARE(h->profile.samples[0].values[3], b);
    QVERIFY(b > 2048); // sampling makes the estimate larger than what was seen
    auto top = computeTop(h->profile);
    QCOMPARE(top.rows.front().function, std::string("<unknown>"));
    QCOMPARE(top.total, b);
}

void TestHeapText::brokenInputs_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    QTest::newRow("no header") << "hello\n" << 1 << "no 'heap profile:' header";
    QTest::newRow("bad header") << "heap profile: x: 1 [2: 3] @ heap/1\n" << 1 << "header";
    QTest::newRow("bad record") << "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n1: 2 [3 4] @ 0x1\n"
                                << 3 << "malformed record";
    QTest::newRow("negative count")
        << "heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [-3: 4] @ 0x1\n"
        << 2 << "negative count";
    QTest::newRow("bad frame")
        << "heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1\n#\tzz\n"
        << 3 << "malformed frame";
}

void TestHeapText::brokenInputs() {
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, message);
    auto h = parseText(text.toStdString());
    QVERIFY(!h.ok());
    QCOMPARE(int(h.error().line.value_or(0)), line);
    QVERIFY2(QString::fromStdString(h.error().message).contains(message),
             h.error().message.c_str());
}

void TestHeapText::importsWithMemstatsAndMigratesOldCase() {
    QTemporaryDir dir;
    QString path = dir.filePath("old.memscope");
    {
        auto s = CaseStore::open(path.toStdString());
        QVERIFY(s.ok());
        auto o =
            (*s)->importFile(demoPath("heap-001-20261126T165901Z.pb.gz").toStdString(), {}, {});
        QCOMPARE(o.status, ImportStatus::Imported);
        // Make it look like a case written by schema 1.
        QVERIFY(sqlExec((*s)->path(),
                        "DROP TABLE metric_points; DROP TABLE goroutines; "
                        "DROP TABLE goroutine_groups; DROP TABLE fds; DROP TABLE gc_cycles; "
                        "DROP TABLE escape_notes; DROP TABLE heapdumps; "
                        "DROP TABLE heapdump_graph; DROP TABLE heapdump_roots; "
                        "DROP TABLE heapdump_sites; DROP TABLE heapdump_root_sites; "
                        "DROP TABLE heapdump_finalizers; "
                        "PRAGMA user_version=1"));
    }
    auto s = CaseStore::open(path.toStdString());
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
    QCOMPARE(must((*s)->schemaVersion()), kSchemaVersion);
    QCOMPARE(must((*s)->snapshots()).size(), size_t(1)); // data kept across the migration
    auto o =
        (*s)->importFile(dataPath("heaptext/heap-012-20261126T165941Z.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.format, std::string("heap_text"));
    QCOMPARE(o.timeSource, std::string("filename"));
    auto sn = must((*s)->snapshot(o.snapshotIds.at(0)));
    QCOMPARE(std::string(toString(sn->kind)), std::string("heap"));
    QCOMPARE(sn->timeNs, int64_t(1795712381) * 1000000000);
    // It joins the case's one program, which the text does not name.
    QCOMPARE(must((*s)->targets()).size(), size_t(1));
    bool numGc = false;
    for (const auto& [name, value] : must((*s)->metrics(sn->id)))
        numGc = numGc || (name == "memstats.NumGC" && value > 0);
    QVERIFY(numGc);
}

QTEST_GUILESS_MAIN(TestHeapText)
#include "test_heaptext.moc"
