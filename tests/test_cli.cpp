// SPDX-License-Identifier: GPL-3.0-or-later
#include "case_store.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QXmlStreamReader>
#include <QtTest>

using namespace memscope::test;

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run memscopeRun(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(MEMSCOPE_BIN), args);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
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
    void usageErrors();
    void leakingServiceEndToEnd();
    void diffTwoFiles();
    void retentionAndPathsOnAKnownHeap();
    void annotationsAndChartExports();

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
    QVERIFY2(r.out.contains("10 imported, 0 duplicate, 1 skipped, 1 failed"), qPrintable(r.out));

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
    QCOMPARE(kinds["heap"].toObject()["count"].toInt(), 7);
    QCOMPARE(kinds["goroutine_profile"].toObject()["count"].toInt(), 2);
    QCOMPARE(kinds["allocs"].toObject()["count"].toInt(), 1);
    // Each goroutine profile is a goroutine snapshot too.
    QCOMPARE(kinds["goroutines"].toObject()["count"].toInt(), 2);
    QCOMPARE(kinds["heap"].toObject()["time_sources"].toObject()["data"].toInt(), 7);
    QVERIFY(doc["snapshots"].toArray().size() == 12);
    for (const auto& v : doc["snapshots"].toArray()) {
        auto sn = v.toObject();
        if (sn["source"].toString() == "heap_go119.pb.gz")
            QCOMPARE(sn["counts"].toObject()["samples"].toInt(), 11);
    }
}

void TestCli::topJsonMatchesGolden_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("sample");
    QTest::newRow("heap-012 inuse_space") << "heap-012-20261126T165941Z.pb.gz" << "inuse_space";
    QTest::newRow("heap-012 alloc_objects") << "heap-012-20261126T165941Z.pb.gz" << "alloc_objects";
    QTest::newRow("healthy inuse_space") << "healthy-heap-008-20261126T170023Z.pb.gz" << "inuse_space";
    QTest::newRow("goroutine") << "goroutine-final.pb.gz" << "goroutine";
}

void TestCli::topJsonMatchesGolden() {
    QFETCH(QString, file);
    QFETCH(QString, sample);
    Run r = memscopeRun({"top", dataPath("pprof/" + file), "--sample", sample, "-n", "0", "--json"});
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
    QCOMPARE(r.code, 0);
    auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(doc["snapshots"].toArray().size(), 12);
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
        hasSite = hasSite || (k.startsWith("heap_inuse_bytes{site=") && k.contains(",target=leakyapp}"));
    QVERIFY(hasSite);
    // -o writes the same to a file.
    QString out = m_dir.filePath("report.json");
    Run w = memscopeRun({"report", caseFile(), "--format", "json", "-o", out});
    QCOMPARE(w.code, 0);
    QCOMPARE(QJsonDocument::fromJson(QByteArray::fromStdString(readText(out)))["series"].toObject().keys(),
             series.keys());
}

void TestCli::reportMarkdown() {
    Run r = memscopeRun({"report", caseFile()});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("# memscope report"));
    QVERIFY(r.out.contains("## Heap in use"));
    QVERIFY(r.out.contains("## Top allocation sites"));
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

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"

// The demo captures through the commands a user runs: findings, annotate,
// report in all three formats.
void TestCli::leakingServiceEndToEnd() {
    QString c = m_dir.filePath("demo.memscope");
    QCOMPARE(memscopeRun({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")}).code, 0);
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

    QCOMPARE(memscopeRun({"annotate", c, "--at", "2026-11-26T16:59:21Z", "<script>alert(1)</script> & deploy"}).code, 0);
    Run html = memscopeRun({"report", c, "--format", "html"});
    QCOMPARE(html.code, 0);
    QVERIFY(html.out.startsWith("<!DOCTYPE html>"));
    QVERIFY(!html.out.contains("<script"));
    QVERIFY(html.out.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; deploy"));
    QVERIFY(html.out.count("<svg") >= 4); // finding evidence and key series, inline
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
    Run r = memscopeRun({"diff", dataPath("pprof/heap-001-20261126T165901Z.pb.gz"),
                         dataPath("pprof/heap-012-20261126T165941Z.pb.gz"), "--json", "-n", "3"});
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
    Run bad = memscopeRun({"diff", dataPath("pprof/heap-001-20261126T165901Z.pb.gz"),
                           QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo/lsof-001-20261126T165901Z.lsofF.zst")});
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
    auto obj = QJsonDocument::fromJson(paths.out.toUtf8()).object()["objects"].toArray()[0].toObject();
    QCOMPARE(obj["retained_bytes"].toInteger(), qint64(2047 * 64));
    auto steps = obj["paths"].toArray()[0].toArray();
    QCOMPARE(steps.size(), 2);
    QCOMPARE(steps[0].toObject()["root_kind"].toString(), QString("frame"));
    QCOMPARE(memscopeRun({"paths", c, "--object", "0x1"}).code, 1);
}

void TestCli::annotationsAndChartExports() {
    QString c = m_dir.filePath("charts.memscope");
    QCOMPARE(memscopeRun({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")}).code, 0);
    QCOMPARE(memscopeRun({"annotate", c, "--from", "2026-11-26T16:59:15Z", "--to", "2026-11-26T16:59:25Z",
                          "--text", "canary <v2> & rollback", "--severity", "warning"})
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
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "connections", "--from", "2026-11-26T16:59:10Z", "--to",
                          "2026-11-26T16:59:30Z", "-o", pdf})
                 .code,
             0);
    QVERIFY(readText(png).rfind("\x89PNG", 0) == 0);
    std::string p = readText(pdf);
    QVERIFY(p.rfind("%PDF-", 0) == 0);
    QVERIFY(p.find("%%EOF") != std::string::npos);
    QVERIFY(p.find("/Type /Page") != std::string::npos);
#endif
    {
        // Without the workbench module (a build without it, or a copy of the
        // executable on its own) PNG and PDF fail with the reason, SVG and
        // the rest of the command line work, and a report's charts are SVG.
        QDir(m_dir.path()).mkpath("alone/bin");
        QString alone = m_dir.filePath("alone/bin/memscope");
        QVERIFY(QFile::copy(QStringLiteral(MEMSCOPE_BIN), alone));
        QVERIFY(QFile::setPermissions(alone, QFile::ReadOwner | QFile::ExeOwner));
        QProcess p;
        p.start(alone, {"export-chart", c, "--chart", "connections", "-o", m_dir.filePath("alone.png")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("drawn by the workbench"));
        QVERIFY(!QFile::exists(m_dir.filePath("alone.png")));
        p.start(alone, {"report", c, "-o", m_dir.filePath("alone/report.md")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QString md = QString::fromStdString(readText(m_dir.filePath("alone/report.md")));
        QVERIFY(md.contains("](report-charts/finding-1-1.svg)"));
        QVERIFY(QString::fromStdString(readText(m_dir.filePath("alone/report-charts/finding-1-1.svg"))).startsWith("<svg"));
    }
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "nope", "-o", png}).code, 2);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "heap", "-o", m_dir.filePath("x.gif")}).code, 2);

    // Flame graphs: the last heap profile's, and its change since the first.
    Run info = memscopeRun({"info", c, "--json"});
    QList<qint64> heaps;
    for (const auto& v : QJsonDocument::fromJson(info.out.toUtf8()).object()["snapshots"].toArray())
        if (v.toObject()["kind"].toString() == "heap")
            heaps << v.toObject()["id"].toInteger();
    QCOMPARE(heaps.size(), 12);
    QString flame = m_dir.filePath("flame.svg"), diff = m_dir.filePath("flame-diff.svg");
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "-o", flame}).code, 0);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "--base", QString::number(heaps.front()), "-o", diff})
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
        QVERIFY(std::any_of(titles.begin(), titles.end(), [](const QString& t) { return t.startsWith("io.ReadAll\n"); }));
        // The diff is red where memory grew.
        bool red = std::any_of(fills.begin(), fills.end(), [](const QString& c) { return c.startsWith("#ff") && c != "#ffffff"; });
        if (f == diff)
            QVERIFY(red);
    }
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "--base", "999999", "-o", flame}).code, 2);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "heap", "--base", "1", "-o", flame}).code, 2);
#ifdef MEMSCOPE_HAVE_GUI
    QString flamePng = m_dir.filePath("flame.png"), flamePdf = m_dir.filePath("flame.pdf");
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "-o", flamePng}).code, 0);
    QCOMPARE(memscopeRun({"export-chart", c, "--chart", "flame", "--base", QString::number(heaps.front()), "-o", flamePdf})
                 .code,
             0);
    QVERIFY(readText(flamePng).rfind("\x89PNG", 0) == 0);
    QVERIFY(readText(flamePdf).rfind("%PDF-", 0) == 0);
#endif
}
