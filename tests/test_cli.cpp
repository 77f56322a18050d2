// SPDX-License-Identifier: GPL-3.0-or-later
#include "case_store.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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
    QCOMPARE(kinds["heap"].toObject()["time_sources"].toObject()["data"].toInt(), 7);
    QVERIFY(doc["snapshots"].toArray().size() == 10);
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
    QCOMPARE(doc["snapshots"].toArray().size(), 10);
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
