// SPDX-License-Identifier: GPL-3.0-or-later
#include "calltree.h"
#include "input.h"
#include "pprof_reader.h"
#include "testutil.h"
#include "top.h"

#include <QtTest>

using namespace memscope;
using namespace memscope::test;

class TestPprof : public QObject {
    Q_OBJECT
private slots:
    void parsesHeapProfileFields();
    void allocsDefaultSampleType();
    void goroutineProfileLabels();
    void topMatchesGoToolPprof_data();
    void topMatchesGoToolPprof();
    void brokenInputs_data();
    void brokenInputs();
    void truncatedEverywhereNeverCrashes();
    void bitFlipsNeverCrash();
    void decompressionBombRefused();
    void callTreeOfSite();
};

void TestPprof::parsesHeapProfileFields() {
    // FORMATS.md §1.8: the decoder's view of heap_go119.
    for (const char* name : {"pprof/heap_go119.pb.gz", "pprof/heap_go119.pb"}) {
        auto p = readPprofFile(dataPath(name).toStdString());
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
        QCOMPARE(p->sampleTypes.size(), size_t(4));
        QCOMPARE(p->sampleTypes[0].type, std::string("alloc_objects"));
        QCOMPARE(p->sampleTypes[3].type, std::string("inuse_space"));
        QCOMPARE(p->sampleTypes[3].unit, std::string("bytes"));
        QCOMPARE(p->periodType.type, std::string("space"));
        QCOMPARE(p->period, int64_t(524288));
        QCOMPARE(p->samples.size(), size_t(11));
        QCOMPARE(p->locations.size(), size_t(23));
        int inlined = 0;
        for (const auto& l : p->locations)
            inlined += l.lines.size() > 1;
        QCOMPARE(inlined, 5);
        QCOMPARE(std::vector<int64_t>(p->samples[0].values.begin(), p->samples[0].values.end()),
                 (std::vector<int64_t>{0, 0, 0, 0}));
        QCOMPARE(std::vector<int64_t>(p->samples[1].values.begin(), p->samples[1].values.end()),
                 (std::vector<int64_t>{5592, 7874884, 0, 0}));
        QCOMPARE(p->samples[1].labels.size(), size_t(1));
        QCOMPARE(p->samples[1].labels[0].key, std::string("bytes"));
        QVERIFY(p->samples[1].labels[0].isNum);
        QCOMPARE(p->samples[1].labels[0].num, int64_t(1408));
        QVERIFY(p->timeNanos > 0);
        QCOMPARE(p->defaultSampleIndex(), 3);
        QCOMPARE(p->kind(), std::string("heap"));
        // Location 10 (index 9): main.mk4k inlined into main.leakyAlloc.
        const auto& loc = p->locations[9];
        QCOMPARE(loc.address, uint64_t(0x6b7e30));
        QCOMPARE(loc.lines.size(), size_t(2));
        QCOMPARE(p->functions[loc.lines[0].function].name, std::string("main.mk4k"));
        QCOMPARE(loc.lines[0].line, int64_t(53));
        QCOMPARE(p->functions[loc.lines[1].function].name, std::string("main.leakyAlloc"));
        QVERIFY(!p->mappings.empty());
        QVERIFY(p->mappings[0].hasFunctions);
    }
}

void TestPprof::allocsDefaultSampleType() {
    auto p = readPprofFile(dataPath("pprof/allocs_go119.pb.gz").toStdString());
    QVERIFY(p.ok());
    QCOMPARE(p->defaultSampleType, std::string("alloc_space"));
    QCOMPARE(p->defaultSampleIndex(), 1);
    QCOMPARE(p->kind(), std::string("allocs"));
}

void TestPprof::goroutineProfileLabels() {
    auto p = readPprofFile(dataPath("pprof/goroutine_go119.pb.gz").toStdString());
    QVERIFY(p.ok());
    QCOMPARE(p->samples.size(), size_t(19));
    QCOMPARE(p->kind(), std::string("goroutine_profile"));
    int labelled = 0;
    for (const auto& s : p->samples)
        for (const auto& l : s.labels)
            labelled += l.key == "worker" && l.str == "labeled-1";
    QCOMPARE(labelled, 1);
}

void TestPprof::topMatchesGoToolPprof_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sample");
    QDir golden(dataPath("golden"));
    const auto entries = golden.entryList({"*.top"}, QDir::Files, QDir::Name);
    QVERIFY(entries.size() >= 30);
    for (const QString& g : entries) {
        // <file>.<sample>.top
        QString stem = g.chopped(4);
        int dot = stem.lastIndexOf('.');
        QTest::newRow(qPrintable(g)) << stem.left(dot) << stem.mid(dot + 1);
    }
}

void TestPprof::topMatchesGoToolPprof() {
    QFETCH(QString, file);
    QFETCH(QString, sample);
    auto p = readPprofFile(dataPath("pprof/" + file).toStdString());
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
    int idx = p->sampleIndex(sample.toStdString());
    QVERIFY(idx >= 0);
    std::string expected =
        normalizeGolden(readText(dataPath("golden/" + file + "." + sample + ".top")));
    QCOMPARE(renderTop(computeTop(*p, idx)), expected);
}

void TestPprof::brokenInputs_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("messagePart");
    QTest::addColumn<qint64>("offset"); // -1: any

    std::string good = readText(dataPath("pprof/heap_go119.pb"));
    QTest::newRow("empty") << QByteArray() << int(ErrorCode::Format) << "empty" << qint64(0);
    QTest::newRow("cut inside first location")
        << QByteArray(good.data(), 40) << int(ErrorCode::Truncated) << "claims" << qint64(-1);
    // Field 2 (sample) with an invalid wire type 7 at byte 0.
    QTest::newRow("invalid wire type") << QByteArray("\x17\x01", 2) << int(ErrorCode::Format)
                                       << "wire type" << qint64(0);
    // A sample that points at location 999.
    std::string bad = good;
    bad += std::string("\x12\x0a\x0a\x02\xe7\x07\x12\x04\x01\x02\x03\x04", 12);
    QTest::newRow("unknown location id")
        << QByteArray(bad.data(), int(bad.size())) << int(ErrorCode::Format) << "unknown location id 999"
        << qint64(good.size());
    // A string index past the string table.
    std::string badStr = good + std::string("\x70\xff\x01", 3); // default_sample_type = 255
    QTest::newRow("string index out of range")
        << QByteArray(badStr.data(), int(badStr.size())) << int(ErrorCode::Format)
        << "string index 255 out of range" << qint64(good.size());
    QTest::newRow("not a profile: text") << QByteArray("heap profile: 1: 2 [3: 4] @ heap/1048576\n")
                                         << int(ErrorCode::Format) << "" << qint64(-1);
}

void TestPprof::brokenInputs() {
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QFETCH(QString, messagePart);
    QFETCH(qint64, offset);
    auto p = parsePprof(std::string_view(bytes.constData(), size_t(bytes.size())));
    QVERIFY(!p.ok());
    QCOMPARE(int(p.error().code), code);
    QVERIFY2(QString::fromStdString(p.error().message).contains(messagePart),
             p.error().message.c_str());
    QVERIFY(p.error().offset.has_value());
    if (offset >= 0)
        QCOMPARE(qint64(*p.error().offset), offset);
}

void TestPprof::truncatedEverywhereNeverCrashes() {
    std::string good = readText(dataPath("pprof/heap_go119.pb"));
    int errors = 0;
    for (size_t n = 0; n < good.size(); n += 7) {
        auto p = parsePprof(std::string_view(good.data(), n));
        if (!p.ok()) {
            ++errors;
            QVERIFY(p.error().offset.has_value());
            QVERIFY(*p.error().offset <= n);
        }
    }
    QVERIFY(errors > int(good.size() / 7) / 2);
    // Truncated gzip: an error from the decoder, with the compressed offset.
    std::string gz = readText(dataPath("pprof/heap_go119.pb.gz"));
    auto stream = openStream(std::string_view(gz.data(), gz.size() / 2));
    auto all = readAll(*stream);
    QVERIFY(!all.ok());
    QCOMPARE(all.error().code, ErrorCode::Truncated);
}

void TestPprof::bitFlipsNeverCrash() {
    std::string good = readText(dataPath("pprof/heap_go119.pb"));
    uint32_t seed = 12345;
    int failures = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string b = good;
        seed = seed * 1664525 + 1013904223;
        size_t pos = seed % b.size();
        b[pos] = char(b[pos] ^ (1 << (seed >> 29)));
        auto p = parsePprof(b);
        if (!p.ok())
            ++failures;
        else
            (void)computeTop(*p); // must hold together whatever the values
    }
    QVERIFY(failures > 0);
}

void TestPprof::decompressionBombRefused() {
    // 64 MiB of zeros gzip to ~64 KiB; with a 1 MiB limit the reader must stop.
    std::string gz = readText(dataPath("pprof/heap_go119.pb.gz"));
    DecodeLimits lim;
    lim.maxDecoded = 1000;
    auto s = openStream(gz, lim);
    auto all = readAll(*s);
    QVERIFY(!all.ok());
    QCOMPARE(all.error().code, ErrorCode::Limit);
    QCOMPARE(DecodeLimits{}.effective(1024), DecodeLimits::kFloor);
    QCOMPARE(DecodeLimits{}.effective(uint64_t(1) << 40), DecodeLimits::kCeiling);
}

void TestPprof::callTreeOfSite() {
    auto p = readPprofFile(dataPath("pprof/heap-012-20261126T165941Z.pb.gz").toStdString());
    QVERIFY(p.ok());
    int idx = p->sampleIndex("inuse_space");
    auto tree = buildCallTree(*p, idx, "io.ReadAll");
    // Every path ends at the site; the total is the site's cum (pprof: 10045302).
    QCOMPARE(tree.total, int64_t(10045302));
    auto folded = foldedStacks(tree);
    QVERIFY(!folded.empty());
    for (const auto& line : folded) {
        QVERIFY2(line.find("io.ReadAll ") != std::string::npos, line.c_str());
        QVERIFY2(line.rfind("net/http.(*conn).serve;", 0) == 0 || line.rfind("main.", 0) == 0,
                 line.c_str());
    }
    auto up = buildCallTree(*p, idx, "io.ReadAll", CallTreeDirection::BottomUp);
    QCOMPARE(up.nodes[size_t(up.nodes[0].children[0])].function, std::string("io.ReadAll"));
    QCOMPARE(up.nodes[size_t(up.nodes[0].children[0])].value, int64_t(10045302));
}

QTEST_GUILESS_MAIN(TestPprof)
#include "test_pprof.moc"
