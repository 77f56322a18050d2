// SPDX-License-Identifier: GPL-3.0-or-later
// What memscope writes out when the captures are crafted to make it
// misbehave: hostile names, impossible times, NaN, millions of records.
#include "analysis/profile/calltree.h"
#include "analysis/series/series.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "crafted_profile.h"
#include "formats/gctrace/gctrace.h"
#include "formats/pprof/pprof_reader.h"
#include "import/capture_time.h"
#include "report/chart_svg.h"
#include "report/report.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>
#include <QtTest>
#include <chrono>
#include <cmath>
#include <limits>

using namespace memscope;
using namespace memscope::test;

namespace {

bool isUtf8(const std::string& s) {
    QStringDecoder dec(QStringDecoder::Utf8);
    QString unused = dec(QByteArrayView(s.data(), qsizetype(s.size())));
    return !dec.hasError();
}

// Markdown outside its code spans (a run of n backticks up to the next run of
// exactly n), where a renderer would act on HTML or markup.
std::string outsideCodeSpans(const std::string& md) {
    std::string out;
    size_t i = 0;
    auto runAt = [&](size_t p) {
        size_t n = 0;
        while (p + n < md.size() && md[p + n] == '`')
            ++n;
        return n;
    };
    while (i < md.size()) {
        if (md[i] != '`' || (i > 0 && md[i - 1] == '\\')) {
            out += md[i++];
            continue;
        }
        size_t n = runAt(i), j = i + n, close = std::string::npos;
        while (j < md.size()) {
            if (md[j] == '`') {
                size_t m = runAt(j);
                if (m == n) {
                    close = j;
                    break;
                }
                j += m;
            } else {
                ++j;
            }
        }
        if (close == std::string::npos) {
            out.append(md, i, n);
            i += n;
        } else {
            i = close + n;
        }
    }
    return out;
}

} // namespace

class TestOutputSafety : public QObject {
    Q_OBJECT
private slots:
    void terminalText_data();
    void terminalText();
    void jsonStringsAreValidUtf8();
    void markdownCarriesNoMarkup();
    void xmlIsWellFormed();
    void spreadsheetCells_data();
    void spreadsheetCells();
    void reportsOfHostileNames();
    void captureTimesOutsideInt64Nanoseconds();
    void gctraceTimesPastAClock();
    void svgHasNoNaN();
    void profileMemoryIsBudgeted();
    void expvarWithTwoMillionKeys();
};

void TestOutputSafety::terminalText_data() {
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("plain") << QByteArray("main.(*T).run") << QByteArray("main.(*T).run");
    QTest::newRow("osc52") << QByteArray("a\x1b]52;c;ZXZpbA==\x07z")
                           << QByteArray("a\\x1b]52;c;ZXZpbA==\\x07z");
    QTest::newRow("newline") << QByteArray("a\nb\tc\rd") << QByteArray("a\\nb\\tc\\rd");
    QTest::newRow("csi c1") << QByteArray("a\xc2\x9b"
                                          "2Jz")
                            << QByteArray("a\\u009b2Jz");
    QTest::newRow("bidi") << QByteArray("a\xe2\x80\xae"
                                        "cba")
                          << QByteArray("a\\u202ecba");
    QTest::newRow("broken") << QByteArray("a\xff\xc0\x80z") << QByteArray("a\\xff\\xc0\\x80z");
    QTest::newRow("utf8 kept") << QByteArray("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80")
                               << QByteArray("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80");
}

void TestOutputSafety::terminalText() {
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    QCOMPARE(QByteArray::fromStdString(terminalSafe(in.toStdString())), out);
}

void TestOutputSafety::jsonStringsAreValidUtf8() {
    // Overlong forms, surrogates, past U+10FFFF, cut sequences: strict parsers
    // refuse all of them, so each becomes U+FFFD.
    for (std::string bad : {"\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                            "\xf5\x80\x80\x80", "\xe2\x82", "\xff", "\x80"}) {
        std::string q = JsonWriter::quote("x" + bad + "y");
        QVERIFY2(isUtf8(q), qPrintable(QByteArray::fromStdString(q).toHex()));
        QVERIFY(q.find("\xEF\xBF\xBD") != std::string::npos);
    }
    QCOMPARE(JsonWriter::quote("\xf0\x9f\x98\x80\x1b"), std::string("\"\xf0\x9f\x98\x80\\u001b\""));
}

void TestOutputSafety::markdownCarriesNoMarkup() {
    QCOMPARE(markdownText("<svg onload=x>"), std::string("&lt;svg onload=x&gt;"));
    QCOMPARE(markdownText("[a](b) *c* `d` |e"), std::string("\\[a\\](b) \\*c\\* \\`d\\` \\|e"));
    QCOMPARE(markdownText("# head"), std::string("\\# head"));
    QCOMPARE(markdownText("x\ny"), std::string("x\\\\ny")); // shown as x\ny
    // A code span fenced past any backtick run inside, pipes escaped in tables.
    QCOMPARE(markdownCode("a`b``c"), std::string("```a`b``c```"));
    QCOMPARE(markdownCode("`x"), std::string("`` `x ``"));
    QCOMPARE(markdownCode("a|b", true), std::string("`a\\|b`"));
    QCOMPARE(markdownCode("a\nb"), std::string("`a\\nb`"));
}

void TestOutputSafety::xmlIsWellFormed() {
    std::string x = xmlEscape("<img src=x>&\"'\x01\xff\xc2\x9b");
    QCOMPARE(x, std::string("&lt;img src=x&gt;&amp;&quot;&#39; \xEF\xBF\xBD "));
}

void TestOutputSafety::spreadsheetCells_data() {
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    QTest::newRow("formula") << "=HYPERLINK(\"http://x\",\"y\")"
                             << "'=HYPERLINK(\"http://x\",\"y\")";
    QTest::newRow("plus") << "+cmd|' /C calc'!A0"
                          << "'+cmd|' /C calc'!A0";
    QTest::newRow("minus formula") << "-2+3"
                                   << "'-2+3";
    QTest::newRow("at") << "@SUM(A1)"
                        << "'@SUM(A1)";
    QTest::newRow("tab") << "\t=1"
                         << "' =1";
    QTest::newRow("cr") << "\r=1"
                        << "' =1";
    QTest::newRow("negative bytes") << "-1.50MB"
                                    << "-1.50MB";
    QTest::newRow("negative percent") << "-12.5%"
                                      << "-12.5%";
    QTest::newRow("negative count") << "-3"
                                    << "-3";
    QTest::newRow("positive delta") << "+4.00kB"
                                    << "+4.00kB";
    QTest::newRow("function") << "main.handle"
                              << "main.handle";
    QTest::newRow("inner breaks") << "a\tb\nc"
                                  << "a b c";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("minus alone") << "-"
                                 << "'-";
}

void TestOutputSafety::spreadsheetCells() {
    QFETCH(QString, in);
    QFETCH(QString, out);
    QCOMPARE(QString::fromStdString(spreadsheetCell(in.toStdString())), out);
}

// Hostile function names imported into a case: the Markdown, HTML and JSON
// reports and `info` carry them as text, never as markup or escapes.
void TestOutputSafety::reportsOfHostileNames() {
    QTemporaryDir dir;
    auto names = hostileNames();
    const int64_t t0 = 1795798741000000000; // 2026-11-26
    {
        auto store = CaseStore::open(dir.filePath("hostile.memscope").toStdString());
        QVERIFY(store.ok());
        for (int i = 0; i < 4; ++i) {
            std::vector<int64_t> values;
            for (size_t k = 0; k < names.size(); ++k)
                values.push_back(int64_t((k + 1) * (i + 1)) << 20);
            QString path = dir.filePath(QString("heap-%1.pb").arg(i));
            writeBytes(path, craftedHeapProfile(names, values, t0 + i * 60'000'000'000));
            auto out = (*store)->importFile(path.toStdString(), {}, {});
            QVERIFY2(out.status == ImportStatus::Imported,
                     out.error ? out.error->toString().c_str() : "");
        }
        std::string md = must(reportMarkdown(**store)), html = must(reportHtml(**store)),
                    json = must(reportJson(**store));
        std::string info = must(caseInfoText(**store));
        for (const std::string* doc : {&md, &html, &json, &info}) {
            QVERIFY(isUtf8(*doc));
            QVERIFY(doc->find('\x1b') == std::string::npos);
            QVERIFY(doc->find('\x07') == std::string::npos);
        }
        auto around = [](const std::string& doc, size_t at) {
            return at == std::string::npos ? std::string()
                                           : doc.substr(at < 200 ? 0 : at - 200, 400);
        };
        // In Markdown a code span shows its text as is; outside them, nothing
        // a renderer would turn into HTML.
        std::string mdText = outsideCodeSpans(md);
        for (const std::string* doc : {&mdText, &html}) {
            QVERIFY2(doc->find("<svg onload") == std::string::npos,
                     around(*doc, doc->find("<svg onload")).c_str());
            QVERIFY2(doc->find("<img") == std::string::npos,
                     around(*doc, doc->find("<img")).c_str());
        }
        // The names are there, as text: in a code span (Markdown) or escaped.
        QVERIFY2(md.find("`<svg onload=alert(1)>`") != std::string::npos, md.c_str());
        QVERIFY(md.find("main.clip\\x1b]52") != std::string::npos);
        QVERIFY(md.find("\\x1b]52") != std::string::npos);
        QVERIFY(md.find("``main.`tick`\\|pipe*em*[link](http://x.invalid)``") != std::string::npos);
        QVERIFY(html.find("&lt;svg onload=alert(1)&gt;") != std::string::npos);
        // The newline in a name starts no line of its own.
        for (const std::string* doc : {&md, &info})
            QVERIFY(doc->find("\nINJECTED") == std::string::npos);
        QVERIFY(html.find("\nINJECTED") == std::string::npos ||
                html.find("\nINJECTED line</") == std::string::npos);
        // Every table row of the top sites is one line with its five cells.
        size_t at = md.find("| site | flat |");
        QVERIFY(at != std::string::npos);
        size_t end = md.find("\n\n", at);
        QStringList rows = QString::fromStdString(md.substr(at, end - at)).split('\n');
        QCOMPARE(rows.size(), 2 + int(names.size()));
        for (const auto& r : rows)
            QVERIFY2(r.startsWith("|") && r.endsWith("|"), qPrintable(r));
        auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json));
        QVERIFY(doc.isObject());
    }
}

void TestOutputSafety::captureTimesOutsideInt64Nanoseconds() {
    std::string why;
    QVERIFY(!timeFromFileName("heap-99991231T235959Z.pb.gz", &why));
    QVERIFY2(why.find("9999") != std::string::npos && why.find("1970..2262") != std::string::npos,
             why.c_str());
    QVERIFY(!timeFromFileName("heap-22620411T234717Z", nullptr));
    auto last = timeFromFileName("heap-22620411T234716Z");
    QVERIFY(last);
    QCOMPARE(formatTimeIso(*last), std::string("2262-04-11T23:47:16Z"));
    why.clear();
    QVERIFY(!timeFromFileName("heap-9999999999.pb", &why)); // epoch seconds in 2286
    QVERIFY(!why.empty());
    QCOMPARE(*timeFromFileName("heap-1795798741.pb"), int64_t(1795798741) * 1000000000);
    QVERIFY(!parseTimeArg("99999999999"));
    QVERIFY(!parseTimeArg("9999-12-31T23:59:59Z"));
    QVERIFY(parseTimeArg("2026-11-26T16:59:21Z"));

    // Imported, the far-future name is a warning and the mtime places it.
    QTemporaryDir dir;
    QString path = dir.filePath("heap-99991231T235959Z.pb");
    writeBytes(path, craftedHeapProfile({"main.f"}, {1024}));
    auto store = CaseStore::open(dir.filePath("t.memscope").toStdString());
    QVERIFY(store.ok());
    auto out = (*store)->importFile(path.toStdString(), {}, {});
    QCOMPARE(int(out.status), int(ImportStatus::Imported));
    QCOMPARE(out.timeSource, std::string("mtime"));
    QCOMPARE(out.warnings.size(), size_t(1));
    QVERIFY(out.warnings[0].find("outside 1970..2262") != std::string::npos);
    auto sn = must((*store)->snapshot(out.snapshotIds.at(0)));
    int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    QVERIFY(sn && std::llabs(sn->timeNs - now) < 3600'000'000'000LL);
}

void TestOutputSafety::gctraceTimesPastAClock() {
    const std::string good =
        "gc 1 @1.411s 0%: 0.12+1.7+0.005 ms clock, 0.25+0.36/1.5/0.78+0.011 ms cpu, "
        "3->3->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n";
    std::string far =
        "gc 2 @" + std::string(400, '9') +
        "s 0%: 0.023+1.5+0.003 ms clock, 0.046+0.22/0.55/1.1+0.007 ms cpu, 3->3->2 MB, 4 MB goal, "
        "0 MB stacks, 0 MB globals, 2 P\n";
    auto p =
        parseWith<std::vector<GcCycle>>(good + far, [](ByteStream& s) { return parseGcTrace(s); });
    QVERIFY(!p.value);
    QCOMPARE(p.value.error().line.value_or(0), uint64_t(2));
    QVERIFY2(p.value.error().message.find("292 years") != std::string::npos,
             p.value.error().message.c_str());
    // 300 years of uptime is past it too; 30 years is a (long) process life.
    std::string years300 = far, years30 = far;
    years300.replace(6, 400, "9467280000");
    years30.replace(6, 400, "946728000");
    QVERIFY(!parseWith<std::vector<GcCycle>>(good + years300, [](ByteStream& s) {
                 return parseGcTrace(s);
             }).value);
    auto ok = parseWith<std::vector<GcCycle>>(good + years30,
                                              [](ByteStream& s) { return parseGcTrace(s); });
    QVERIFY(ok.value);
    QCOMPARE(ok.value->size(), size_t(2));
}

void TestOutputSafety::svgHasNoNaN() {
    const double inf = std::numeric_limits<double>::infinity(),
                 nan = std::numeric_limits<double>::quiet_NaN();
    const int64_t t = 1795798741000000000;
    for (auto values : std::vector<std::vector<double>>{{1, nan, 3},
                                                        {1, inf, -inf},
                                                        {1e308, -1e308, 0},
                                                        {1e17, 1e17 + 16, 1e17 + 32},
                                                        {nan, nan, nan}}) {
        ChartSpec c;
        c.title = "t";
        c.unit = values[0] > 1e300 ? "bytes" : "count";
        Series s;
        s.metric = "expvar";
        for (size_t i = 0; i < values.size(); ++i)
            s.points.push_back({t + int64_t(i) * 1'000'000'000, values[i], {}});
        c.series.push_back(s);
        std::string svg = renderChartSvg(c);
        QVERIFY2(svg.find("nan") == std::string::npos && svg.find("inf") == std::string::npos,
                 svg.c_str());
        QVERIFY(svg.size() < 200000); // ticks are counted, not stepped forever
    }
    // Times from 1970 to 2262 on one axis: no overflow into NaN or wrap.
    ChartSpec wide;
    Series s;
    s.points = {{1, 1, {}}, {INT64_MAX - 1, 2, {}}};
    wide.series.push_back(s);
    std::string svg = renderChartSvg(wide);
    QVERIFY(svg.find("nan") == std::string::npos && svg.find("-nan") == std::string::npos);
    QVERIFY(svg.find("1677") == std::string::npos);
    // A flame graph of a profile whose values are all zero or extreme.
    for (int64_t v : {int64_t(0), INT64_MAX / 4}) {
        std::string bytes = craftedHeapProfile({"main.a", "main.b"}, {v, v});
        auto p = parsePprof(bytes);
        QVERIFY(p.ok());
        std::string flame = renderFlameSvg(buildCallTree(*p, 0, ""), "t");
        QVERIFY(flame.find("nan") == std::string::npos && flame.find("inf\"") == std::string::npos);
    }
}

// A profile whose few bytes stand for millions of objects is refused before
// it is built, with the offset where the budget runs out.
void TestOutputSafety::profileMemoryIsBudgeted() {
    auto small = parsePprof(tinySamplesProfile(1000));
    QVERIFY(small.ok());
    QCOMPARE(small->samples.size(), size_t(1000));

    std::string bomb = tinySamplesProfile(10'000'000); // 60 MB: ~200 bytes of memory per 6
    auto p = parsePprof(bomb);
    QVERIFY(!p);
    QCOMPARE(int(p.error().code), int(ErrorCode::Limit));
    QVERIFY(p.error().offset && *p.error().offset > 0 && *p.error().offset < bomb.size());
    QVERIFY2(p.error().message.find("sample[") != std::string::npos &&
                 p.error().message.find("24 times") != std::string::npos,
             p.error().message.c_str());

    // A megabyte string named by 2,000 functions: 2 GB of copies from 2 MB.
    std::string big(1 << 20, 'x');
    std::string str = pbBytes(1, pbInt(1, 1) + pbInt(2, 2));
    for (int i = 1; i <= 2000; ++i)
        str += pbBytes(5, pbInt(1, uint64_t(i)) + pbInt(2, 3) + pbInt(3, 3) + pbInt(4, 3));
    for (const std::string& s :
         {std::string(), std::string("inuse_space"), std::string("bytes"), big})
        str += pbBytes(6, s);
    auto q = parsePprof(str);
    QVERIFY(!q);
    QVERIFY2(q.error().message.find("function[") != std::string::npos, q.error().message.c_str());

    // Real profiles are well within it.
    std::string real = readText(dataPath("pprof/heap_go119.pb.gz"));
    auto stream = openStream(real);
    auto decoded = readAll(*stream);
    QVERIFY(decoded.ok());
    QVERIFY(parsePprof(*decoded).ok());
}

// 2 M numeric vars: series for memstats and the first 1,000 others, and the
// import says how many it left out.
void TestOutputSafety::expvarWithTwoMillionKeys() {
    QTemporaryDir dir;
    std::string json =
        "{\n\"cmdline\": [\"/srv/app\"],\n\"memstats\": {\"HeapAlloc\": 1000, \"NumGC\": 3, "
        "\"LastGC\": 1795798741000000000},\n\"counters\": {";
    json.reserve(40 << 20);
    for (int i = 0; i < 2'000'000; ++i) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%s\"k%07d\": %d", i ? ", " : "", i, i);
        json += buf;
    }
    json += "}\n}\n";
    QString path = dir.filePath("vars-20261126T165941Z.json");
    writeBytes(path, json);
    auto store = CaseStore::open(dir.filePath("vars.memscope").toStdString());
    QVERIFY(store.ok());
    auto out = (*store)->importFile(path.toStdString(), {}, {});
    QCOMPARE(int(out.status), int(ImportStatus::Imported));
    QCOMPARE(out.warnings.size(), size_t(1));
    QVERIFY2(out.warnings[0].find("1999000 of 2000000 numeric variables left out") !=
                 std::string::npos,
             out.warnings[0].c_str());
    auto series = must(metricSeries(**store));
    size_t memstats = 0, others = 0;
    for (const auto& s : series)
        (s.labels.at("name").rfind("memstats.", 0) == 0 ? memstats : others)++;
    QCOMPARE(memstats, size_t(3));
    QCOMPARE(others, size_t(1000));
    bool first = false, last = false;
    for (const auto& s : series) {
        first = first || s.labels.at("name") == "counters.k0000000";
        last = last || s.labels.at("name") == "counters.k0000999";
    }
    QVERIFY(first && last);
    std::string report = must(reportJson(**store));
    QVERIFY2(report.size() < (4 << 20), std::to_string(report.size()).c_str());
}

QTEST_GUILESS_MAIN(TestOutputSafety)
#include "test_output_safety.moc"
