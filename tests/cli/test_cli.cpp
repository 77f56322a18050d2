// SPDX-License-Identifier: GPL-3.0-or-later
#include "crafted_profile.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QXmlStreamReader>
#include <QtTest>
#include <unistd.h>

using namespace memscope::test;

namespace {

using Run = CliRun;
CliRun memscopeRun(const QStringList& args) { return runMemscope(args); }

struct RawRun {
    QProcess::ExitStatus status = QProcess::CrashExit;
    int code = -1;
    QByteArray out, err;
};

// memscope under `sh` with a limit set first (`ulimit -f 80`, `ulimit -v ...`),
// stdout to `stdoutFile` when given: bytes as they were written.
RawRun memscopeLimited(const QString& limit, const QStringList& args,
                       const QString& stdoutFile = {}) {
    QProcess p;
    if (!stdoutFile.isEmpty())
        p.setStandardOutputFile(stdoutFile);
    QStringList shArgs = {"-c", limit + (limit.isEmpty() ? "" : "; ") + "exec \"$0\" \"$@\"",
                          QStringLiteral(MEMSCOPE_BIN)};
    p.start("sh", shArgs + args);
    p.waitForFinished(300000);
    return {p.exitStatus(), p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

bool isUtf8(const QByteArray& b) {
    QStringDecoder dec(QStringDecoder::Utf8);
    QString unused = dec(b);
    return !dec.hasError();
}

// No byte a terminal acts on: C0 controls but the line break, DEL.
bool terminalClean(const QByteArray& b) {
    for (char c : b)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f)
            return false;
    return true;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void importFolderReportsPerFile();
    void infoJson();
    void topJsonMatchesGolden_data();
    void topJsonMatchesGolden();
    void topOnCaseSnapshot();
    void reportJsonHasHeapSeries();
    void reportMarkdown();
    void reportOpensWithWhatGrew();
    void usageErrors();
    void leakingServiceEndToEnd();
    void diffTwoFiles();
    void retentionAndPathsOnAKnownHeap();
    void annotationsAndChartExports();
    void hostileNamesReachNoTerminal();
    void outputsOnAFullDisk();
    void profileUnderAMemoryLimit();
    void demoWithoutADisplayPrintsItsReport();
    void goroutineCostRanksTheKnownGroup();
    void seriesListsTheLeakedLine();

private:
    QTemporaryDir m_dir;
    QString caseFile() { return m_dir.filePath("cli.memscope"); }
};

void TestCli::importFolderReportsPerFile() {
    Run r = memscopeRun({"import", caseFile(), dataPath("pprof"), dataPath("broken"),
                         m_dir.filePath("does-not-exist")});
    QCOMPARE(r.code, 1); // the missing path failed, the rest went in
    QVERIFY2(r.out.contains("imported   " + dataPath("pprof/heap_go119.pb.gz")), qPrintable(r.out));
    QVERIFY(r.out.contains("skipped    " + dataPath("broken/notes.txt")));
    QVERIFY(r.out.contains("no such file or folder"));
    QVERIFY2(r.out.contains("12 imported, 0 duplicate, 1 skipped, 1 failed"), qPrintable(r.out));

    Run again = memscopeRun({"import", caseFile(), dataPath("pprof/heap_go119.pb.gz")});
    QCOMPARE(again.code, 0);
    QVERIFY(again.out.contains("duplicate"));
}

void TestCli::infoJson() {
    Run r = memscopeRun({"info", caseFile(), "--json"});
    QCOMPARE(r.code, 0);
    auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(doc["schema_version"].toInt(), memscope::kSchemaVersion);
    auto kinds = doc["kinds"].toObject();
    QCOMPARE(kinds["heap"].toObject()["count"].toInt(), 8);
    QCOMPARE(kinds["goroutine_profile"].toObject()["count"].toInt(), 2);
    QCOMPARE(kinds["allocs"].toObject()["count"].toInt(), 1);
    QCOMPARE(kinds["allocs_delta"].toObject()["count"].toInt(), 1); // allocs?seconds=2
    // Each goroutine profile is a goroutine snapshot too.
    QCOMPARE(kinds["goroutines"].toObject()["count"].toInt(), 2);
    QCOMPARE(kinds["heap"].toObject()["time_sources"].toObject()["data"].toInt(), 8);
    QVERIFY(doc["snapshots"].toArray().size() == 14);
    for (const auto& v : doc["snapshots"].toArray()) {
        auto sn = v.toObject();
        if (sn["source"].toString() == "heap_go119.pb.gz")
            QCOMPARE(sn["counts"].toObject()["samples"].toInt(), 11);
    }
}

void TestCli::topJsonMatchesGolden_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sample");
    QTest::newRow("heap-012 inuse_space") << "heap-012-20261126T165941Z.pb.gz"
                                          << "inuse_space";
    QTest::newRow("heap-012 alloc_objects") << "heap-012-20261126T165941Z.pb.gz"
                                            << "alloc_objects";
    QTest::newRow("healthy inuse_space") << "healthy-heap-008-20261126T170023Z.pb.gz"
                                         << "inuse_space";
    QTest::newRow("goroutine") << "goroutine-final.pb.gz"
                               << "goroutine";
}

void TestCli::topJsonMatchesGolden() {
    QFETCH(QString, file);
    QFETCH(QString, sample);
    Run r = memscopeRun({"top", pprofPath(file), "--sample", sample, "-n", "0", "--json"});
    QCOMPARE(r.code, 0);
    auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(doc["sample"].toString(), sample);
    std::string got = "total " + std::to_string(qint64(doc["total"].toDouble())) + "\n";
    for (const auto& v : doc["rows"].toArray()) {
        auto row = v.toObject();
        QString inl = row["inline"].toString();
        got += std::to_string(qint64(row["flat"].toDouble())) + " " +
               std::to_string(qint64(row["cum"].toDouble())) + " " +
               (inl.isEmpty() ? "-" : inl.toStdString()) + " " +
               row["function"].toString().toStdString() + "\n";
    }
    QCOMPARE(got, normalizeGolden(readText(dataPath("golden/" + file + "." + sample + ".top"))));
}

void TestCli::topOnCaseSnapshot() {
    Run info = memscopeRun({"info", caseFile(), "--json"});
    int64_t id = 0;
    for (const auto& v : QJsonDocument::fromJson(info.out.toUtf8())["snapshots"].toArray())
        if (v.toObject()["source"].toString() == "heap-012-20261126T165941Z.pb.gz")
            id = v.toObject()["id"].toInteger();
    QVERIFY(id > 0);
    Run r = memscopeRun({"top", caseFile(), "--snapshot", QString::number(id), "-n", "3"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("io.ReadAll"), qPrintable(r.out));
    QVERIFY(r.out.contains("bufio.NewWriterSize (inline)"));
    QVERIFY(r.out.contains("Showing 3 of 28 functions"));
}

void TestCli::reportJsonHasHeapSeries() {
    Run r = memscopeRun({"report", caseFile(), "--format", "json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(doc["snapshots"].toArray().size(), 14);
    auto series = doc["series"].toObject();
    // Two programs in the data (memdemo, leakyapp): series carry a target label.
    auto inuse = series["heap_inuse_bytes{target=leakyapp}"].toArray();
    QCOMPARE(inuse.size(), 4);
    // heap_go119.pb and .pb.gz are one capture: it counts once on the time line.
    QCOMPARE(series["heap_inuse_bytes{target=memdemo}"].toArray().size(), 2);
    double prevT = 0;
    for (const auto& p : inuse) {
        auto pair = p.toArray();
        QCOMPARE(pair.size(), 2);
        QVERIFY(pair[0].toDouble() >= prevT);
        prevT = pair[0].toDouble();
        QVERIFY(pair[1].toDouble() > 0);
    }
    bool hasSite = false;
    for (const auto& k : series.keys())
        hasSite =
            hasSite || (k.startsWith("heap_inuse_bytes{site=") && k.contains(",target=leakyapp}"));
    QVERIFY(hasSite);
    // -o writes the same to a file.
    QString out = m_dir.filePath("report.json");
    Run w = memscopeRun({"report", caseFile(), "--format", "json", "-o", out});
    QCOMPARE(w.code, 0);
    QCOMPARE(QJsonDocument::fromJson(QByteArray::fromStdString(readText(out)))["series"]
                 .toObject()
                 .keys(),
             series.keys());
}

void TestCli::reportMarkdown() {
    Run r = memscopeRun({"report", caseFile()});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("# memscope report"));
    QVERIFY(r.out.contains("## Heap in use"));
    QVERIFY(r.out.contains("## Top allocation sites"));
}

void TestCli::reportOpensWithWhatGrew() {
    QTemporaryDir dir;
    const QString c = dir.filePath("grew.memscope");
    QCOMPARE(memscopeRun({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")}).code,
             0);
    Run md = memscopeRun({"report", c});
    QCOMPARE(md.code, 0);
    const qsizetype grew = md.out.indexOf("## What grew"), findings = md.out.indexOf("## Findings");
    QVERIFY(grew > 0 && grew < findings);
    QVERIFY2(md.out.contains("--chart flame --snapshot"), qPrintable(md.out.left(3000)));
    // The JSON rows: each rose, the largest relative rise first, and the
    // heap total's first and last are its series' ends.
    Run js = memscopeRun({"report", c, "--format", "json"});
    QCOMPARE(js.code, 0);
    auto doc = QJsonDocument::fromJson(js.out.toUtf8()).object();
    auto rows = doc["what_grew"].toArray();
    QVERIFY(rows.size() >= 3);
    double prevRise = 1e300;
    bool heapTotal = false;
    for (const auto& v : rows) {
        auto o = v.toObject();
        const double first = o["first"].toDouble(), last = o["last"].toDouble();
        QVERIFY(last > first);
        const double rise = first >= 1 && first >= 0.001 * last ? (last - first) / first : 20;
        if (o["series"].toString() != "heap_inuse_bytes") { // pinned first
            QVERIFY2(rise <= prevRise + 1e-9, qPrintable(o["series"].toString()));
            prevRise = rise;
        } else {
            QVERIFY(v == rows.first());
            heapTotal = true;
            auto points = doc["series"].toObject()["heap_inuse_bytes"].toArray();
            QCOMPARE(first, points.first().toArray()[1].toDouble());
            QCOMPARE(last, points.last().toArray()[1].toDouble());
        }
    }
    QVERIFY(heapTotal);
    Run html = memscopeRun({"report", c, "--format", "html"});
    QCOMPARE(html.code, 0);
    QVERIFY(html.out.indexOf("<h2>What grew</h2>") < html.out.indexOf("<h2>Findings</h2>"));
    QVERIFY(html.out.contains("change from"));
}

void TestCli::usageErrors() {
    QCOMPARE(memscopeRun({"top"}).code, 2);
    QCOMPARE(memscopeRun({"top", caseFile(), "--bogus"}).code, 2);
    QCOMPARE(memscopeRun({"top", dataPath("pprof/heap_go119.pb.gz"), "--sample", "nope"}).code, 2);
    QCOMPARE(memscopeRun({"report", caseFile(), "--format", "pdf"}).code, 2);
    Run missing = memscopeRun({"info", m_dir.filePath("nope.memscope")});
    QCOMPARE(missing.code, 1);
    QVERIFY(missing.err.contains("no such case file"));
    Run bad = memscopeRun({"top", dataPath("broken/notes.txt")});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.contains(dataPath("broken/notes.txt")), qPrintable(bad.err));
}

// Function names from a crafted profile carry terminal escapes (OSC 52 writes
// the clipboard), a newline and bytes that are not UTF-8: every command's text
// shows them escaped, and --json carries valid UTF-8.
void TestCli::hostileNamesReachNoTerminal() {
    QTemporaryDir dir;
    auto names = hostileNames();
    QStringList files;
    for (int i = 0; i < 4; ++i) {
        std::vector<int64_t> values;
        for (size_t k = 0; k < names.size(); ++k)
            values.push_back(int64_t((k + 1) * (i + 1)) << 20);
        files << dir.filePath(QString("heap-%1.pb").arg(i));
        writeBytes(files.back(),
                   craftedHeapProfile(names, values, 1795798741000000000 + i * 60'000'000'000));
    }
    // A goroutine dump whose frames carry the same.
    std::string dump =
        "goroutine 1 [select]:\nmain.clip\x1b]52;c;ZXZpbA==\x07(...)\n\t/src/main.go:8 +0x66\n"
        "created by main.split\nINJECTED\n\t/src/main.go:7 +0x51\n\n"
        "goroutine 2 [chan receive]:\nmain.main()\n\t/src/main.go:3 +0x10\n";
    QString dumpFile = dir.filePath("goroutine-20261126T165909Z.txt");
    writeBytes(dumpFile, dump);
    QString c = dir.filePath("hostile.memscope");
    RawRun imp = memscopeLimited({}, QStringList{"import", c} + files + QStringList{dumpFile});
    QCOMPARE(imp.code, 0);
    QVERIFY(terminalClean(imp.out));
    QCOMPARE(memscopeLimited({}, {"annotate", c, "--at", "2026-11-26T16:59:21Z", "--text",
                                  "note\x1b]52;c;ZXZpbA==\x07\nINJECTED"})
                 .code,
             0);
    QList<QStringList> commands = {
        {"top", files[3]},     {"top", c},        {"diff", files[0], files[3]},
        {"diff", c, "1", "4"}, {"info", c},       {"findings", c},
        {"annotations", c},    {"goroutines", c}, {"report", c}};
    bool sawGrowth = false;
    for (const auto& cmd : commands) {
        RawRun r = memscopeLimited({}, cmd);
        QVERIFY2(r.code == 0, qPrintable(cmd.join(' ') + ": " + r.err));
        QVERIFY2(terminalClean(r.out), qPrintable(cmd.join(' ') + ":\n" + r.out));
        QVERIFY2(isUtf8(r.out), qPrintable(cmd.join(' ')));
        QVERIFY2(!r.out.contains("\nINJECTED"), qPrintable(cmd.join(' ') + ":\n" + r.out));
        if (cmd[0] != "info" && cmd[0] != "annotations" && cmd[0] != "goroutines")
            QVERIFY2(r.out.contains("main.clip\\x1b]52;c;ZXZpbA==\\x07") ||
                         r.out.contains("main.bad\\xff\\xc0\\x80"),
                     qPrintable(cmd.join(' ') + ":\n" + r.out));
        sawGrowth = sawGrowth || (cmd[0] == "findings" && r.out.contains("heap_growth"));
    }
    QVERIFY(sawGrowth); // the findings text quoted a hostile site
    QVERIFY(memscopeLimited({}, {"goroutines", c}).out.contains("main.clip\\x1b]52"));
    QVERIFY(memscopeLimited({}, {"annotations", c})
                .out.contains("note\\x1b]52;c;ZXZpbA==\\x07\\nINJECTED"));
    // JSON: the same names, valid UTF-8, the broken bytes as U+FFFD.
    for (const auto& cmd : QList<QStringList>{{"top", files[3], "--json"},
                                              {"diff", files[0], files[3], "--json"},
                                              {"findings", c, "--json"},
                                              {"report", c, "--format", "json"}}) {
        RawRun r = memscopeLimited({}, cmd);
        QCOMPARE(r.code, 0);
        QVERIFY2(isUtf8(r.out), qPrintable(cmd.join(' ')));
        QVERIFY(QJsonDocument::fromJson(r.out).isObject());
    }
    QVERIFY(memscopeLimited({}, {"top", files[3], "--json"}).out.contains("main.bad\xef\xbf\xbd"));
}

// A full disk (/dev/full) or a file size limit: every output says why, exits
// 1, and leaves no partial file.
void TestCli::outputsOnAFullDisk() {
    QTemporaryDir dir;
    QString c = dir.filePath("full.memscope");
    QCOMPARE(memscopeRun({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")}).code,
             0);
    auto leftovers = [&] {
        QStringList names =
            QDir(dir.path()).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot);
        names.removeAll("full.memscope");
        names.removeAll("full.memscope-wal");
        names.removeAll("full.memscope-shm");
        return names;
    };
    // Standard output on a full disk.
    RawRun top = memscopeLimited({}, {"top", c}, "/dev/full");
    QCOMPARE(top.code, 1);
    QVERIFY2(top.err.contains("standard output: No space left on device"), top.err.constData());
    // A report to /dev/full, and through a link to it.
    RawRun rep = memscopeLimited({}, {"report", c, "--format", "json", "-o", "/dev/full"});
    QCOMPARE(rep.code, 1);
    QVERIFY2(rep.err.contains("/dev/full: cannot write: No space left on device"),
             rep.err.constData());
    QVERIFY(!rep.err.contains("wrote"));
    QStringList exts = {"svg"};
#ifdef MEMSCOPE_HAVE_GUI
    exts << "png"
         << "pdf";
#endif
    // Charts and reports through a link to /dev/full: an error, the device
    // left alone, and a Markdown report's charts removed with it.
    QList<QStringList> toLink;
    for (const auto& ext : exts)
        for (const char* chart : {"heap", "flame"})
            toLink << QStringList{"export-chart", c, "--chart", chart, "-o", "out." + ext};
    toLink << QStringList{"report", c, "-o", "out.md"}
           << QStringList{"report", c, "--format", "html", "-o", "out.html"};
    for (auto cmd : toLink) {
        QString link = dir.filePath(cmd.last());
        cmd.last() = link;
        QVERIFY(QFile::link("/dev/full", link));
        RawRun r = memscopeLimited({}, cmd);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("No space left on device") && !r.err.contains("wrote"),
                 qPrintable(cmd.join(' ') + ": " + r.err));
        QVERIFY(QFileInfo(link).isSymLink()); // the device is not replaced
        QFile::remove(link);
        QVERIFY2(leftovers().isEmpty(), qPrintable(cmd.join(' ') + ": " + leftovers().join(", ")));
    }
    // Past a file size limit (24 KiB, in sh's 512-byte blocks: the case opens,
    // the outputs are larger; the heap chart's PNG is about 36 KiB):
    // an error naming it, no SIGXFSZ, no file and no temporary left.
    QList<QStringList> large = {{"report", c, "--format", "json", "-o", dir.filePath("post.json")},
                                {"report", c, "--format", "html", "-o", dir.filePath("post.html")}};
#ifdef MEMSCOPE_HAVE_GUI
    large << QStringList{"export-chart", c, "--chart", "heap", "-o", dir.filePath("heap.png")}
          << QStringList{"export-chart", c, "--chart", "flame", "-o", dir.filePath("flame.png")}
          << QStringList{"report", c, "-o", dir.filePath("post.md")}; // its PNG charts are larger
#endif
    for (const auto& cmd : large) {
        RawRun r = memscopeLimited("ulimit -f 48", cmd);
        QCOMPARE(r.status, QProcess::NormalExit);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("File too large") && !r.err.contains("wrote"),
                 qPrintable(cmd.join(' ') + ": " + r.err));
        QVERIFY2(leftovers().isEmpty(), qPrintable(cmd.join(' ') + ": " + leftovers().join(", ")));
    }
    // And with room, the same commands write.
    QCOMPARE(memscopeRun({"report", c, "-o", dir.filePath("post.md")}).code, 0);
    QVERIFY(QFileInfo(dir.filePath("post.md")).size() > 1000);
}

// A small zstd file whose tail decodes into millions of tiny samples, read
// under a 1 GiB address space: refused or read, never an abort.
void TestCli::profileUnderAMemoryLimit() {
#ifdef __SANITIZE_ADDRESS__
    QSKIP("AddressSanitizer's shadow memory does not fit in a 1 GiB address space");
#endif
    QTemporaryDir dir;
    // 10 M one-frame samples: refused by the memory budget before parsing.
    auto tiny = memscope::zstdCompress(tinySamplesProfile(10'000'000), 19);
    QVERIFY(tiny.ok());
    QString tinyFile = dir.filePath("tiny.pb.zst");
    writeBytes(tinyFile, *tiny);
    RawRun r = memscopeLimited("ulimit -v 1048576", {"top", tinyFile});
    QCOMPARE(r.status, QProcess::NormalExit);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("tiny.pb.zst: at byte ") && r.err.contains("refusing"),
             r.err.constData());
    // 3 M four-frame samples with varied values: within the budget (17 times
    // its 40 MiB), past 1 GiB: an error for the memory, not an abort.
    std::string fat = tinySamplesProfile(0);
    std::string frames = pbInt(1, 1) + pbInt(1, 1) + pbInt(1, 1) + pbInt(1, 1);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 3'000'000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        fat += pbBytes(2, frames + pbInt(2, (1 << 14) + x % (1 << 20)));
    }
    auto fatZ = memscope::zstdCompress(fat, 3);
    QVERIFY(fatZ.ok());
    QVERIFY(fatZ->size() * 1024 > fat.size()); // under the decompression cap
    QString fatFile = dir.filePath("fat.pb.zst");
    writeBytes(fatFile, *fatZ);
    r = memscopeLimited("ulimit -v 1048576", {"top", fatFile});
    QCOMPARE(r.status, QProcess::NormalExit);
    QVERIFY2(r.code == 0 || (r.code == 1 && r.err.contains("out of memory")), r.err.constData());
    // Without the limit it is read.
    r = memscopeLimited({}, {"top", fatFile, "-n", "1"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("main.leak"));
}

// The README's first command on a machine without a display: the build tree's
// memscope finds the shipped captures, builds the demo case and prints its report.
void TestCli::demoWithoutADisplayPrintsItsReport() {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* v :
         {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "MEMSCOPE_DEMO_CASE", "XDG_DATA_HOME"})
        env.remove(v);
    env.insert("HOME", m_dir.filePath("demo-home"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(MEMSCOPE_BIN), {"--demo"});
    QVERIFY(p.waitForFinished(180000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QCOMPARE(p.exitCode(), 0);
    QVERIFY2(out.contains("Snapshots: 1 escape, 12 expvar, 12 fds, 1 gctrace, 12 goroutines, 12 "
                          "heap, 2 heapdump"),
             qPrintable(out.left(2000)));
    QVERIFY(out.contains("TCP connections leak to 127.0.0.2, 127.0.0.3 and 127.0.0.4"));
}

// `goroutines --cost` on tests/data/gcost: the group that keeps eight 64 KiB
// buffers and eight sockets comes first, with the pairing and what the
// numbers cannot know.
void TestCli::goroutineCostRanksTheKnownGroup() {
    QString c = m_dir.filePath("gcost.memscope");
    for (const char* f :
         {"gcost/goroutines-20261203T193613Z.txt", "gcost/goroutines-20261203T193616Z.txt",
          "gcost/heapdump-20261203T193616Z.bin.zst", "gcost/proc-20261203T193616Z.txt"})
        QCOMPARE(memscopeRun({"import", c, dataPath(f), "--target", "gcost"}).code, 0);
    Run text = memscopeRun({"goroutines", c, "--cost"});
    QCOMPARE(text.code, 0);
    QVERIFY2(text.out.contains("of the same moment, by goroutine id") &&
                 text.out.contains("What these numbers cannot know:") &&
                 text.out.contains("client: 127.0.0.1 (8)"),
             qPrintable(text.out));
    Run json = memscopeRun({"goroutines", c, "--cost", "--json", "-n", "1"});
    QCOMPARE(json.code, 0);
    auto target =
        QJsonDocument::fromJson(json.out.toUtf8()).object()["targets"].toArray()[0].toObject();
    auto top = target["groups"].toArray()[0].toObject();
    QCOMPARE(top["entry"].toString(), QString("main.hold"));
    QCOMPARE(top["count"].toInt(), 8);
    QCOMPARE(top["sockets"].toInt(), 8);
    QVERIFY(top["retained_bytes"].toInteger() >= 8 * 65536);
    QCOMPARE(top["growth_per_hour"].toDouble(), 4800.0);
    QVERIFY(!target["cannot_know"].toArray().isEmpty());
    QCOMPARE(memscopeRun({"goroutines", c, "--cost", "--snapshot", "1"}).code, 2);
}

// `memscope series`: the leak profile's own line, and a total that only the
// full dump feeds.
void TestCli::seriesListsTheLeakedLine() {
    QString c = m_dir.filePath("leaked.memscope");
    QCOMPARE(memscopeRun({"import", c, dataPath("field/goroutineleak_debug2_go126.txt")}).code, 0);
    Run json = memscopeRun({"series", c, "--json"});
    QCOMPARE(json.code, 0);
    QMap<QString, QJsonArray> points;
    for (const auto& v : QJsonDocument::fromJson(json.out.toUtf8()).object()["series"].toArray())
        points[v.toObject()["key"].toString()] = v.toObject()["points"].toArray();
    QVERIFY2(points.contains("goroutines_leaked") && points.contains("goroutines"),
             qPrintable(json.out));
    QCOMPARE(points["goroutines_leaked"][0].toArray()[1].toDouble(), 3.0);
    QCOMPARE(points["goroutines"][0].toArray()[1].toDouble(), 6.0);
    Run text = memscopeRun({"series", c, "--match", "goroutines_leaked"});
    QCOMPARE(text.code, 0);
    QVERIFY2(text.out.startsWith("goroutines_leaked  1 points") && text.out.count('\n') == 1,
             qPrintable(text.out));
}

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"

// The demo captures through the commands a user runs: findings, annotate,
// report in all three formats.
void TestCli::leakingServiceEndToEnd() {
    QString c = m_dir.filePath("demo.memscope");
    QCOMPARE(memscopeRun({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")}).code,
             0);
    Run f = memscopeRun({"findings", c, "--json"});
    QCOMPARE(f.code, 0);
    auto findings = QJsonDocument::fromJson(f.out.toUtf8()).object()["findings"].toArray();
    QStringList kinds;
    for (const auto& x : findings)
        kinds << x.toObject()["kind"].toString();
    QVERIFY2(kinds.contains("connection_leak") && kinds.contains("finalizer_backlog") &&
                 kinds.contains("global_retention"),
             qPrintable(kinds.join(",")));
    QVERIFY(!kinds.contains("connection_churn"));
    auto first = findings[0].toObject();
    QCOMPARE(first["severity"].toString(), QString("critical"));
    QVERIFY(!first["evidence"].toObject()["series"].toObject().isEmpty());

    QCOMPARE(memscopeRun({"annotate", c, "--at", "2026-11-26T16:59:21Z",
                          "<script>alert(1)</script> & deploy"})
                 .code,
             0);
    QCOMPARE(memscopeRun({"annotate", c, "--at", "2026-11-26T16:59:30Z", "OOM kill"}).code, 0);
    Run html = memscopeRun({"report", c, "--format", "html"});
    QCOMPARE(html.code, 0);
    QVERIFY(html.out.startsWith("<!DOCTYPE html>"));
    QVERIFY(!html.out.contains("<script"));
    QVERIFY(html.out.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; deploy"));
    QVERIFY(html.out.count("<svg") >= 4); // finding evidence and key series, inline
    // Every chart over that time labels both notes, not only the first.
    const int noteLabels = int(html.out.count(">OOM kill</text>"));
    QVERIFY2(noteLabels >= 4, qPrintable(QString::number(noteLabels)));
    QCOMPARE(int(html.out.count(">&lt;script&gt;alert(1)&lt;/script&gt; &amp; deploy</text>")),
             noteLabels);
    QVERIFY(!html.out.contains("src=\"http"));

    QString md = m_dir.filePath("post/mortem.md");
    QDir().mkpath(m_dir.filePath("post"));
    Run r = memscopeRun({"report", c, "-o", md});
    QCOMPARE(r.code, 0);
    QString text = QString::fromStdString(readText(md));
    QVERIFY(text.contains("## Findings"));
    QVERIFY(text.contains("TCP connections leak"));
    QRegularExpression img(R"(!\[[^\]]*\]\((mortem-charts/[^)]+)\))");
    auto it = img.globalMatch(text);
    int images = 0;
    while (it.hasNext()) {
        QString rel = it.next().captured(1);
        std::string bytes = readText(m_dir.filePath("post/" + rel));
        QVERIFY2(bytes.size() > 1000, qPrintable(rel));
        QVERIFY(bytes.rfind("\x89PNG", 0) == 0 || bytes.rfind("<svg", 0) == 0);
        ++images;
    }
    QVERIFY(images >= 4);
}

void TestCli::diffTwoFiles() {
    Run r = memscopeRun({"diff", demoPath("heap-001-20261126T165901Z.pb.gz"),
                         demoPath("heap-012-20261126T165941Z.pb.gz"), "--json", "-n", "3"});
    QCOMPARE(r.code, 0);
    auto types = QJsonDocument::fromJson(r.out.toUtf8()).object()["sample_types"].toArray();
    QCOMPARE(types.size(), 4);
    for (const auto& t : types) {
        auto o = t.toObject();
        if (o["sample"].toString() != "inuse_space")
            continue;
        auto row = o["rows"].toArray()[0].toObject();
        QCOMPARE(row["function"].toString(), QString("io.ReadAll"));
        QCOMPARE(row["delta"].toInteger(), row["new"].toInteger() - row["base"].toInteger());
    }
    // Different kinds are refused with a clear message.
    Run bad = memscopeRun({"diff", demoPath("heap-001-20261126T165901Z.pb.gz"),
                           QStringLiteral(MEMSCOPE_SOURCE_DIR
                                          "/resources/demo/lsof-001-20261126T165901Z.lsofF.zst")});
    QCOMPARE(bad.code, 2);
    QVERIFY(bad.err.contains("diff two of a kind"));
}

void TestCli::retentionAndPathsOnAKnownHeap() {
    QString dump = m_dir.filePath("known/dump.bin");
    QDir().mkpath(m_dir.filePath("known"));
    std::string raw = readText(dataPath("heapdump/heapgraph-dump.bin.zst"));
    auto in = memscope::openStream(raw);
    auto bytes = memscope::readAll(*in);
    QVERIFY(bytes.ok());
    writeBytes(dump, *bytes);
    QString c = m_dir.filePath("known.memscope");
    QCOMPARE(memscopeRun({"import", c, dump}).code, 0);
    Run roots = memscopeRun({"retention", c, "--json", "-n", "3"});
    QCOMPARE(roots.code, 0);
    auto doc = QJsonDocument::fromJson(roots.out.toUtf8()).object();
    QCOMPARE(doc["finalizers_queued"].toInt(), 50);
    auto top = doc["rows"].toArray()[0].toObject();
    QCOMPARE(top["retained_bytes"].toInteger(), qint64(2047 * 64)); // the goroutine's tree
    Run paths = memscopeRun({"paths", c, "--site", "main.buildTree", "-n", "1", "--json"});
    QCOMPARE(paths.code, 0);
    auto obj =
        QJsonDocument::fromJson(paths.out.toUtf8()).object()["objects"].toArray()[0].toObject();
    QCOMPARE(obj["retained_bytes"].toInteger(), qint64(2047 * 64));
    auto steps = obj["paths"].toArray()[0].toArray();
    QCOMPARE(steps.size(), 2);
    QCOMPARE(steps[0].toObject()["root_kind"].toString(), QString("frame"));
    QCOMPARE(memscopeRun({"paths", c, "--object", "0x1"}).code, 1);
}

void TestCli::annotationsAndChartExports() {
    QString c = m_dir.filePath("charts.memscope");
    QCOMPARE(memscopeRun({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")}).code,
             0);
    QCOMPARE(memscopeRun({"annotate", c, "--from", "2026-11-26T16:59:15Z", "--to",
                          "2026-11-26T16:59:25Z", "--text", "canary <v2> & rollback", "--severity",
                          "warning"})
                 .code,
             0);
    QCOMPARE(memscopeRun({"annotate", c, "--at", "yesterday", "--text", "x"}).code, 2);
    Run list = memscopeRun({"annotations", c, "--json"});
    auto notes = QJsonDocument::fromJson(list.out.toUtf8()).object()["annotations"].toArray();
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes[0].toObject()["severity"].toString(), QString("warning"));
    QCOMPARE(notes[0].toObject()["end"].toString(), QString("2026-11-26T16:59:25Z"));
    // The same chart in three formats; the SVG carries the note, escaped.
    for (const char* chart : {"heap", "goroutines", "connections", "finalizers", "fds"}) {
        QString svg = m_dir.filePath(QString("%1.svg").arg(chart));
        QCOMPARE(memscopeRun({"export-chart", c, "--chart", chart, "-o", svg}).code, 0);
        QString text = QString::fromStdString(readText(svg));
        QVERIFY(text.startsWith("<svg"));
        QVERIFY2(text.contains("canary &lt;v2&gt; &amp; rollback"), chart);
        QVERIFY(text.contains("<polyline"));
    }
    QString png = m_dir.filePath("conn.png"), pdf = m_dir.filePath("conn.pdf");
#ifdef MEMSCOPE_HAVE_GUI
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "connections", "-o", png}).code, 0);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "connections", "--from",
                          "2026-11-26T16:59:10Z", "--to", "2026-11-26T16:59:30Z", "-o", pdf})
                 .code,
             0);
    QVERIFY(readText(png).rfind("\x89PNG", 0) == 0);
    std::string p = readText(pdf);
    QVERIFY(p.rfind("%PDF-", 0) == 0);
    QVERIFY(p.find("%%EOF") != std::string::npos);
    QVERIFY(p.find("/Type /Page") != std::string::npos);
    // A chosen size, at twice the pixels: the PNG's header says 2400x800.
    QString sharp = m_dir.filePath("sharp.png");
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "heap", "--size", "1200x400", "--scale",
                          "2", "-o", sharp})
                 .code,
             0);
    std::string header = readText(sharp).substr(16, 8); // IHDR width, height
    auto be32 = [&](size_t at) {
        return (uint32_t(uint8_t(header[at])) << 24) | (uint32_t(uint8_t(header[at + 1])) << 16) |
               (uint32_t(uint8_t(header[at + 2])) << 8) | uint32_t(uint8_t(header[at + 3]));
    };
    QCOMPARE(be32(0), 2400u);
    QCOMPARE(be32(4), 800u);
#endif
    QString wide = m_dir.filePath("wide.svg");
    QCOMPARE(
        memscopeRun({"export-chart", c, "--chart", "heap", "--size", "1200x400", "-o", wide}).code,
        0);
    QVERIFY(readText(wide).find("width=\"1200\"") != std::string::npos);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "heap", "--size", "12x4", "-o", wide}).code,
             2);
    {
        // Without the workbench module (a build without it, or a copy of the
        // executable on its own) PNG and PDF fail with the reason, SVG and
        // the rest of the command line work, and a report's charts are SVG.
        QDir(m_dir.path()).mkpath("alone/bin");
        QString alone = m_dir.filePath("alone/bin/memscope");
        QVERIFY(QFile::copy(QStringLiteral(MEMSCOPE_BIN), alone));
        QVERIFY(QFile::setPermissions(alone, QFile::ReadOwner | QFile::ExeOwner));
        QProcess p;
        p.start(alone,
                {"export-chart", c, "--chart", "connections", "-o", m_dir.filePath("alone.png")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("drawn by the workbench"));
        QVERIFY(!QFile::exists(m_dir.filePath("alone.png")));
        p.start(alone, {"report", c, "-o", m_dir.filePath("alone/report.md")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QString md = QString::fromStdString(readText(m_dir.filePath("alone/report.md")));
        QVERIFY(md.contains("](report-charts/finding-1-1.svg)"));
        QVERIFY(
            QString::fromStdString(readText(m_dir.filePath("alone/report-charts/finding-1-1.svg")))
                .startsWith("<svg"));
    }
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "nope", "-o", png}).code, 2);
    QCOMPARE(
        memscopeRun({"export-chart", c, "--chart", "heap", "-o", m_dir.filePath("x.gif")}).code, 2);

    // Flame graphs: the last heap profile's, and its change since the first.
    Run info = memscopeRun({"info", c, "--json"});
    QList<qint64> heaps;
    for (const auto& v : QJsonDocument::fromJson(info.out.toUtf8()).object()["snapshots"].toArray())
        if (v.toObject()["kind"].toString() == "heap")
            heaps << v.toObject()["id"].toInteger();
    QCOMPARE(heaps.size(), 12);
    QString flame = m_dir.filePath("flame.svg"), diff = m_dir.filePath("flame-diff.svg");
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "-o", flame}).code, 0);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "--base",
                          QString::number(heaps.front()), "-o", diff})
                 .code,
             0);
    for (const QString& f : {flame, diff}) {
        QFile file(f);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        int rects = 0;
        QStringList titles, fills;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("rect")) {
                ++rects;
                fills << xml.attributes().value("fill").toString();
            } else if (xml.name() == QLatin1String("title")) {
                titles << xml.readElementText();
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(rects > 20);
        QVERIFY(std::any_of(titles.begin(), titles.end(),
                            [](const QString& t) { return t.startsWith("io.ReadAll\n"); }));
        // The diff is red where memory grew.
        bool red = std::any_of(fills.begin(), fills.end(), [](const QString& c) {
            return c.startsWith("#ff") && c != "#ffffff";
        });
        if (f == diff)
            QVERIFY(red);
    }
    QCOMPARE(
        memscopeRun({"export-chart", c, "--chart", "flame", "--base", "999999", "-o", flame}).code,
        2);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "heap", "--base", "1", "-o", flame}).code,
             2);
#ifdef MEMSCOPE_HAVE_GUI
    QString flamePng = m_dir.filePath("flame.png"), flamePdf = m_dir.filePath("flame.pdf");
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "-o", flamePng}).code, 0);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "--base",
                          QString::number(heaps.front()), "-o", flamePdf})
                 .code,
             0);
    QVERIFY(readText(flamePng).rfind("\x89PNG", 0) == 0);
    QVERIFY(readText(flamePdf).rfind("%PDF-", 0) == 0);
#endif
}
