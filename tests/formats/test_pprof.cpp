// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/profile/calltree.h"
#include "analysis/profile/source_lines.h"
#include "analysis/profile/top.h"
#include "crafted_profile.h"
#include "formats/pprof/legacy_cpu.h"
#include "formats/pprof/pprof_reader.h"
#include "io/input.h"
#include "testutil.h"

#include <QtTest>

#include <map>

using namespace memscope;
using namespace memscope::test;

class TestPprof : public QObject {
    Q_OBJECT
private slots:
    void legacyCpuProfile();
    void parsesHeapProfileFields();
    void allocsDefaultSampleType();
    void allocsDeltaIsAKindOfItsOwn();
    void goroutineProfileLabels();
    void topMatchesGoToolPprof_data();
    void topMatchesGoToolPprof();
    void brokenInputs_data();
    void brokenInputs();
    void truncatedEverywhereNeverCrashes();
    void bitFlipsNeverCrash();
    void decompressionBombRefused();
    void largeProfileParsedInHalves();
    void callTreeOfSite();
    void flameTreeAndItsDiff();
    void functionLinesMatchTop();
    void sourcePathsStayUnderTheRoot();
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
        QCOMPARE(std::string(toString(p->kind())), std::string("heap"));
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
    QCOMPARE(std::string(toString(p->kind())), std::string("allocs"));
}

void TestPprof::allocsDeltaIsAKindOfItsOwn() {
    // net/http/pprof's allocs?seconds=2 from a Go 1.26 service: the merged
    // profile has no default sample type and carries its span.
    auto p = readPprofFile(dataPath("pprof/allocs-delta-go126.pb.gz").toStdString());
    QVERIFY(p.ok());
    QVERIFY(p->defaultSampleType.empty());
    QVERIFY2(p->durationNanos > 1'900'000'000 && p->durationNanos < 2'100'000'000,
             qPrintable(QString::number(p->durationNanos)));
    QCOMPARE(std::string(toString(p->kind())), std::string("allocs_delta"));
    // The runtime's own heap profiles carry no duration.
    auto heap = readPprofFile(dataPath("pprof/heap_go119.pb.gz").toStdString());
    QVERIFY(heap.ok());
    QCOMPARE(heap->durationNanos, int64_t(0));
    QCOMPARE(std::string(toString(heap->kind())), std::string("heap"));
}

void TestPprof::goroutineProfileLabels() {
    auto p = readPprofFile(dataPath("pprof/goroutine_go119.pb.gz").toStdString());
    QVERIFY(p.ok());
    QCOMPARE(p->samples.size(), size_t(19));
    QCOMPARE(std::string(toString(p->kind())), std::string("goroutine_profile"));
    int labelled = 0;
    for (const auto& s : p->samples)
        for (const auto& l : s.labels)
            labelled += l.key == "worker" && l.str == "labeled-1";
    QCOMPARE(labelled, 1);
}

void TestPprof::topMatchesGoToolPprof_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sample");
    QTest::addColumn<QString>("goldenOf"); // the file whose golden this one must match
    QDir golden(dataPath("golden"));
    const auto entries = golden.entryList({"*.top"}, QDir::Files, QDir::Name);
    QVERIFY(entries.size() >= 20);
    // same-as.txt: "FILE OTHER" says FILE holds OTHER's profile (the same
    // bytes uncompressed, or the allocs view of the same moment), so `go tool
    // pprof` prints the same for both and only OTHER's golden is kept.
    std::multimap<QString, QString> sameAs;
    for (const QString& line :
         QString::fromStdString(readText(dataPath("golden/same-as.txt"))).split('\n')) {
        const QStringList f = line.split(' ', Qt::SkipEmptyParts);
        if (f.size() == 2 && !f[0].startsWith('#'))
            sameAs.emplace(f[1], f[0]);
    }
    QVERIFY(sameAs.size() >= 2);
    for (const QString& g : entries) {
        // <file>.<sample>.top
        QString stem = g.chopped(4);
        int dot = stem.lastIndexOf('.');
        const QString file = stem.left(dot), sample = stem.mid(dot + 1);
        QTest::newRow(qPrintable(g)) << file << sample << file;
        auto [from, to] = sameAs.equal_range(file);
        for (auto it = from; it != to; ++it)
            QTest::newRow(qPrintable(it->second + "." + sample + ".top (same as " + file + ")"))
                << it->second << sample << file;
    }
}

void TestPprof::topMatchesGoToolPprof() {
    QFETCH(QString, file);
    QFETCH(QString, sample);
    QFETCH(QString, goldenOf);
    auto p = readPprofFile(pprofPath(file).toStdString());
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
    int idx = p->sampleIndex(sample.toStdString());
    QVERIFY(idx >= 0);
    std::string expected =
        normalizeGolden(readText(dataPath("golden/" + goldenOf + "." + sample + ".top")));
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
    QTest::newRow("invalid wire type")
        << QByteArray("\x17\x01", 2) << int(ErrorCode::Format) << "wire type" << qint64(0);
    // A sample that points at location 999.
    std::string bad = good;
    bad += std::string("\x12\x0a\x0a\x02\xe7\x07\x12\x04\x01\x02\x03\x04", 12);
    QTest::newRow("unknown location id")
        << QByteArray(bad.data(), int(bad.size())) << int(ErrorCode::Format)
        << "unknown location id 999" << qint64(good.size());
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

// A profile of some MiB is parsed as two halves on two threads; what comes
// out must be what parsing it whole gives: samples in the first half naming
// functions and strings of the second, fields that occur once wherever they
// are, the last of two when one occurs on both sides, and errors in the
// second half named by their place in the whole.
void TestPprof::largeProfileParsedInHalves() {
    const size_t n = 60000;
    std::vector<std::string> names;
    std::vector<int64_t> values;
    for (size_t i = 0; i < n; ++i) {
        names.push_back("main.handler" + std::to_string(i) + "_padding_to_make_it_long");
        values.push_back(int64_t(i + 1));
    }
    std::string bytes = craftedHeapProfile(names, values, /*timeNanos=*/777);
    QVERIFY(bytes.size() > (3u << 20));

    auto p = parsePprof(bytes);
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
    QCOMPARE(p->samples.size(), n);
    QCOMPARE(p->timeNanos, int64_t(777));
    QCOMPARE(p->sampleTypes.size(), size_t(1));
    QCOMPARE(p->sampleTypes[0].type, std::string("inuse_space"));
    for (size_t i : {size_t(0), n / 2 - 1, n / 2, n / 2 + 1, n - 1}) {
        const Sample& s = p->samples[i];
        QCOMPARE(s.values[0], int64_t(i + 1));
        QCOMPARE(s.locations.size(), size_t(1));
        const Location& loc = p->locations[s.locations[0]];
        QCOMPARE(p->functions[loc.lines[0].function].name, names[i]);
        QCOMPARE(loc.lines[0].line, int64_t(10 + i + 1));
    }
    TopResult top = computeTop(*p);
    QCOMPARE(top.total, int64_t(n) * int64_t(n + 1) / 2);

    // time_nanos at the start and at the end: the last one counts.
    auto twice = parsePprof(pbInt(9, 111) + bytes);
    QVERIFY(twice.ok());
    QCOMPARE(twice->timeNanos, int64_t(777));
    auto atStart = parsePprof(pbInt(9, 111) + craftedHeapProfile(names, values));
    QVERIFY(atStart.ok());
    QCOMPARE(atStart->timeNanos, int64_t(111));

    // An unknown location in the last sample, in the second half.
    std::string last = pbBytes(2, pbInt(1, n + 5) + pbInt(2, 1));
    auto broken = parsePprof(bytes + last);
    QVERIFY(!broken.ok());
    QVERIFY2(broken.error().message.find("sample[" + std::to_string(n) + "]") != std::string::npos,
             broken.error().message.c_str());
    QCOMPARE(*broken.error().offset, uint64_t(bytes.size()));
    // A framing error in the second half, at its byte.
    std::string cutShort = bytes.substr(0, bytes.size() - 5); // into the last string
    auto truncated = parsePprof(cutShort);
    QVERIFY(!truncated.ok());
    QVERIFY(*truncated.error().offset > cutShort.size() / 2);
}

void TestPprof::callTreeOfSite() {
    auto p = readPprofFile(demoPath("heap-012-20261126T165941Z.pb.gz").toStdString());
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

void TestPprof::flameTreeAndItsDiff() {
    auto a = readPprofFile(demoPath("heap-001-20261126T165901Z.pb.gz").toStdString());
    auto b = readPprofFile(demoPath("heap-012-20261126T165941Z.pb.gz").toStdString());
    QVERIFY(a.ok() && b.ok());
    int ia = a->sampleIndex("inuse_space"), ib = b->sampleIndex("inuse_space");
    CallTree ta = buildCallTree(*a, ia, ""), tb = buildCallTree(*b, ib, "");
    QCOMPARE(tb.total, computeTop(*b, ib).total);
    // A flame graph nests: every frame is its own samples plus its callees'.
    for (const auto& n : tb.nodes) {
        int64_t kids = 0;
        for (int32_t c : n.children)
            kids += tb.nodes[size_t(c)].value;
        QCOMPARE(n.value, n.self + kids);
    }
    CallTree d = diffCallTrees(ta, tb);
    QVERIFY(d.diff);
    QCOMPARE(d.nodes[0].value, tb.total);
    QCOMPARE(d.nodes[0].base, ta.total);
    QCOMPARE(d.baseTotal, ta.total);
    // The leaf frames of io.ReadAll add up to its flat value in each profile.
    auto flatOf = [](const Profile& p, int i, const std::string& f) {
        for (const auto& r : computeTop(p, i).rows)
            if (r.function == f)
                return r.flat;
        return int64_t(0);
    };
    int64_t now = 0, base = 0, vanished = 0;
    for (const auto& n : d.nodes) {
        if (n.function == "io.ReadAll" && n.children.empty()) {
            now += n.value;
            base += n.base;
        }
        int64_t kidsNow = 0, kidsBase = 0;
        for (int32_t c : n.children) {
            kidsNow += d.nodes[size_t(c)].value;
            kidsBase += d.nodes[size_t(c)].base;
        }
        QVERIFY(kidsNow <= n.value && kidsBase <= n.base);
    }
    QCOMPARE(now, flatOf(*b, ib, "io.ReadAll"));
    QCOMPARE(base, flatOf(*a, ia, "io.ReadAll"));
    QVERIFY(now > base);
    // Backwards, the paths that the last profile has and the first lacks stay
    // in the tree at zero: a shrinking frame remains visible.
    for (const auto& n : diffCallTrees(tb, ta).nodes)
        vanished += n.value == 0 && n.base > 0;
    QVERIFY(vanished > 0);
}

void TestPprof::functionLinesMatchTop() {
    auto p = readPprofFile(demoPath("heap-012-20261126T165941Z.pb.gz").toStdString());
    QVERIFY(p.ok());
    int idx = p->sampleIndex("inuse_space");
    for (const char* fn : {"main.newRequestState", "main.handleRequest", "io.ReadAll"}) {
        FunctionLines fl = functionLines(*p, idx, fn);
        QVERIFY2(!fl.lines.empty(), fn);
        QVERIFY(fl.file.find(".go") != std::string::npos);
        int64_t flat = 0, cum = 0;
        for (const auto& l : fl.lines) {
            flat += l.flat;
            cum = std::max(cum, l.cum);
        }
        const TopRow* row = nullptr;
        auto top = computeTop(*p, idx);
        for (const auto& r : top.rows)
            if (r.function == fn)
                row = &r;
        QVERIFY(row);
        QCOMPARE(flat, row->flat);
        QVERIFY(cum <= row->cum);
    }
    // The allocation of the request state is one line, as pprof's list shows.
    FunctionLines state = functionLines(*p, idx, "main.newRequestState");
    QCOMPARE(state.lines.size(), size_t(1));
    QCOMPARE(state.lines[0].line, int64_t(95));
}

void TestPprof::sourcePathsStayUnderTheRoot() {
    QTemporaryDir dir, outside;
    QVERIFY(dir.isValid() && outside.isValid());
    QDir root(dir.path());
    QVERIFY(root.mkpath("ordersvc/internal") && root.mkpath("gopath/src/example.com/app"));
    auto touch = [](const QString& path) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("package main\n");
    };
    touch(root.filePath("ordersvc/main.go"));
    touch(root.filePath("gopath/src/example.com/app/x.go"));
    touch(QDir(outside.path()).filePath("secret.go"));
    QVERIFY(QFile::link(QDir(outside.path()).filePath("secret.go"),
                        root.filePath("ordersvc/internal/secret.go")));
    std::string r = QFileInfo(dir.path()).canonicalFilePath().toStdString();
    std::string want = r + "/ordersvc/main.go";
    QCOMPARE(resolveSourcePath(r, "ordersvc/main.go").value_or(""), want);
    QCOMPARE(resolveSourcePath(r, "/home/ci/build/ordersvc/main.go").value_or(""), want);
    QCOMPARE(resolveSourcePath(r, "./ordersvc/main.go").value_or(""), want);
    // GOPATH layout: the root is GOPATH, the path a package path.
    QCOMPARE(resolveSourcePath(r + "/gopath", "example.com/app/x.go").value_or(""),
             r + "/gopath/src/example.com/app/x.go");
    // Never outside the root: no "..", no symbolic link out, no root at all.
    QVERIFY(!resolveSourcePath(r, "../" + QFileInfo(outside.path()).fileName().toStdString() +
                                      "/secret.go"));
    QVERIFY(!resolveSourcePath(r, "ordersvc/internal/secret.go"));
    QVERIFY(!resolveSourcePath("", "ordersvc/main.go"));
    QVERIFY(!resolveSourcePath(r, "nothere/missing.go"));
    auto lines = readSourceLines(want);
    QVERIFY(lines && lines->size() == 1 && lines->front() == "package main");
}

namespace {
// Words of a legacy CPU profile, `size` bytes each, in either byte order.
std::string legacyWords(const std::vector<uint64_t>& words, size_t size, bool big) {
    std::string out;
    for (uint64_t w : words)
        for (size_t b = 0; b < size; ++b)
            out += char(uint8_t(w >> (8 * (big ? size - 1 - b : b))));
    return out;
}
} // namespace

void TestPprof::legacyCpuProfile() {
    // Header (0, 3, 0, 10000 µs, 0), two records, the trailer, then maps.
    std::vector<uint64_t> words = {0,        3, 0, 10000,    0,        2, 3, 0x401000, 0x402005,
                                   0x403009, 1, 2, 0x401010, 0x402005, 0, 1, 0};
    const std::string maps = "00400000-00500000 r-xp 00000000 fc:01 123 /usr/bin/app\n"
                             "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n";
    for (auto [size, big] : {std::pair<size_t, bool>{8, false}, {4, true}}) {
        std::string data = legacyWords(words, size, big) + maps;
        QVERIFY(looksLikeLegacyCpuProfile(data.substr(0, 64)));
        auto p = parseLegacyCpuProfile(data);
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
        QCOMPARE(p->samples.size(), size_t(2));
        QCOMPARE(p->period, int64_t(10000000));
        QCOMPARE(p->sampleTypes[1].type, std::string("cpu"));
        QCOMPARE(p->samples[0].values[1], int64_t(20000000));
        // Return addresses are looked up at the call: one below.
        QCOMPARE(p->locations[p->samples[0].locations[1]].address, uint64_t(0x402004));
        QCOMPARE(p->samples[0].locations[1], p->samples[1].locations[1]);
        QCOMPARE(p->mappings.size(), size_t(1)); // code mappings only
        QCOMPARE(p->mappings[0].file, std::string("/usr/bin/app"));
        auto top = computeTop(*p, 1);
        QCOMPARE(top.total, int64_t(30000000));
        QCOMPARE(top.rows.size(), size_t(1));
        QCOMPARE(top.rows[0].function, std::string("[app]"));
    }
    // Cut before the trailer, or a record longer than the file: errors at
    // the record's offset.
    std::vector<uint64_t> cut(words.begin(), words.end() - 3);
    auto noTrailer = parseLegacyCpuProfile(legacyWords(cut, 8, false));
    QVERIFY(!noTrailer.ok());
    QCOMPARE(noTrailer.error().offset.value_or(0), uint64_t(14 * 8));
    std::vector<uint64_t> longRecord = {0, 3, 0, 10000, 0, 1, 1000, 0x401000};
    auto tooLong = parseLegacyCpuProfile(legacyWords(longRecord, 8, false));
    QVERIFY(!tooLong.ok());
    QCOMPARE(tooLong.error().offset.value_or(0), uint64_t(5 * 8));
    QVERIFY(!looksLikeLegacyCpuProfile(std::string(64, '\0')));
}

QTEST_GUILESS_MAIN(TestPprof)
#include "test_pprof.moc"
