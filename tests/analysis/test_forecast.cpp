// SPDX-License-Identifier: GPL-3.0-or-later
// Forecasts: the robust fit on series of known slope and noise, the limits a
// user types or a case captured, and the demo captures forecast from their
// first half and checked against their second.
#include "analysis/detect/detect.h"
#include "analysis/forecast/forecast.h"
#include "import/import_batch.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <random>

using namespace memscope;
using namespace memscope::forecast;
using namespace memscope::test;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'780'000'000 * kSecond;

// value = base + slope * t, sampled every `step` seconds, with uniform noise
// of +-noise.
std::vector<SeriesPoint> generated(int n, double base, double slope, double noise, uint32_t seed,
                                   int64_t step = 10) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-noise, noise);
    std::vector<SeriesPoint> pts;
    for (int i = 0; i < n; ++i) {
        double t = double(i * step);
        pts.push_back({kStart + i * step * kSecond, base + slope * t + (noise ? u(rng) : 0),
                       SnapshotId(i + 1)});
    }
    return pts;
}

Series named(const std::string& metric, const std::string& name, double value) {
    Series s;
    s.metric = metric;
    s.labels["name"] = name;
    s.unit = "bytes";
    s.points = {{kStart, value, SnapshotId(1)}};
    return s;
}

std::unique_ptr<CaseStore> demoCase(const QTemporaryDir& dir) {
    auto store = CaseStore::open(dir.filePath("demo.memscope").toStdString());
    if (!store)
        return nullptr;
    std::vector<std::string> files, missing;
    listFiles({(QStringLiteral(MEMSCOPE_SOURCE_DIR) + "/resources/demo").toStdString()}, files,
              missing);
    auto sum = importBatch(**store, files, {}, Progress{});
    if (sum.failed != 0 || sum.imported == 0)
        return nullptr;
    return std::move(*store);
}

const Series* seriesByKey(const std::vector<Series>& all, const std::string& key) {
    for (const auto& s : all)
        if (s.key() == key)
            return &s;
    return nullptr;
}

} // namespace

class TestForecast : public QObject {
    Q_OBJECT
private slots:
    void knownSlopeWithNoiseAndSpikes() {
        // 50 units/s over 6.5 min, noise +-200, and a spike least squares would follow.
        auto pts = generated(40, 1000, 50, 200, 7);
        pts[20].value += 20000;
        LineFit f = fitLine(pts);
        QVERIFY2(!f.poor, f.quality.c_str());
        QVERIFY2(std::abs(f.slopePerSecond - 50) < 2.5, std::to_string(f.slopePerSecond).c_str());
        // The true line reaches 101000 at t = 2000 s.
        Projection p = projectTo(f, 101000);
        QCOMPARE(int(p.kind), int(Projection::Kind::Reaches));
        int64_t truth = kStart + 2000 * kSecond;
        QVERIFY(p.earliestNs <= truth && truth <= p.latestNs);
        QVERIFY(std::abs(double(p.atNs - truth)) / kSecond < 120);
        // Farther out the band is wider.
        Projection far = projectTo(f, 1001000);
        QVERIFY(far.bandSeconds() > p.bandSeconds());
    }

    // The band is a claim about where the line goes: over many noisy series,
    // the true crossing falls inside it nearly every time.
    void bandHoldsAcrossSeeds() {
        int inside = 0, runs = 200;
        for (int seed = 1; seed <= runs; ++seed) {
            auto pts = generated(20, 5000, 8, 300, uint32_t(seed));
            LineFit f = fitLine(pts);
            if (f.poor)
                continue; // a poor fit gives no time, and so no claim
            Projection p = projectTo(f, 5000 + 8 * 600); // truth: t = 600 s, 3x the span
            int64_t truth = kStart + 600 * kSecond;
            inside +=
                p.kind == Projection::Kind::Reaches && p.earliestNs <= truth && truth <= p.latestNs;
        }
        qInfo("true crossing inside the band: %d of %d", inside, runs);
        QVERIFY2(inside >= runs * 85 / 100, std::to_string(inside).c_str());
    }

    void poorFits() {
        // Noise only: no slope worth the name.
        QVERIFY(fitLine(generated(30, 1000, 0, 200, 3)).poor);
        // Flat: nothing rises, and nothing is reached.
        LineFit flat = fitLine(generated(10, 1000, 0, 0, 1));
        QVERIFY(flat.poor);
        QCOMPARE(int(projectTo(flat, 2000).kind), int(Projection::Kind::NotGrowing));
        // Too few points, however straight.
        LineFit three = fitLine(generated(3, 0, 10, 0, 1));
        QVERIFY(three.poor);
        QVERIFY(three.quality.find("4 are needed") != std::string::npos);
        // Growth drowned in scatter: 1 unit/s over 90 s against +-500.
        QVERIFY(fitLine(generated(10, 1000, 1, 500, 5)).poor);
        QVERIFY(!fitLine(generated(10, 1000, 100, 50, 5)).poor);
        // A series already past the limit says so.
        LineFit up = fitLine(generated(10, 0, 10, 0, 1));
        QCOMPARE(int(projectTo(up, 50).kind), int(Projection::Kind::AlreadyReached));
        // An empty series fits nothing.
        QVERIFY(fitLine({}).poor);
    }

    void longSeriesStayBounded() {
        auto pts = generated(20000, 0, 3, 10, 9, 1);
        LineFit f = fitLine(pts);
        QVERIFY(!f.poor);
        QVERIFY(std::abs(f.slopePerSecond - 3) < 0.01);
        QCOMPARE(f.n, kMaxFitPoints);
        QCOMPARE(f.lastNs, pts.back().timeNs);
    }

    void parseLimits_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("value");    // 0: an error
        QTest::addColumn<QString>("message"); // part of the error
        QTest::newRow("GiB") << "heap=2GiB" << 2147483648.0 << "";
        QTest::newRow("MB binary") << "rss=512MB" << 536870912.0 << "";
        QTest::newRow("plain bytes") << "heap=1000" << 1000.0 << "";
        QTest::newRow("fds") << "fds=1024" << 1024.0 << "";
        QTest::newRow("k") << "goroutines=10k" << 10000.0 << "";
        QTest::newRow("fraction") << "heap=1.5GiB" << 1610612736.0 << "";
        QTest::newRow("no =") << "heap" << 0.0 << "NAME=VALUE";
        QTest::newRow("name") << "disk=1GiB" << 0.0 << "heap, rss, fds";
        QTest::newRow("number") << "heap=lots" << 0.0 << "not a positive number";
        QTest::newRow("negative") << "fds=-1" << 0.0 << "not a positive number";
        QTest::newRow("unit") << "heap=2XB" << 0.0 << "the unit is";
        QTest::newRow("count with size") << "fds=1GiB" << 0.0 << "takes no unit";
    }
    void parseLimits() {
        QFETCH(QString, text);
        QFETCH(double, value);
        QFETCH(QString, message);
        auto l = parseLimit(text.toStdString());
        if (value == 0) {
            QVERIFY(!l);
            QVERIFY2(l.error().message.find(message.toStdString()) != std::string::npos,
                     l.error().message.c_str());
            QVERIFY(l.error().message.find(text.toStdString()) != std::string::npos);
            return;
        }
        QVERIFY2(bool(l), l ? "" : l.error().message.c_str());
        QCOMPARE(l->value, value);
        QCOMPARE(l->source, std::string("--limit"));
    }

    void limitsCapturedAndGiven() {
        Series heap;
        heap.metric = "heap_inuse_bytes";
        heap.unit = "bytes";
        Series sockets;
        sockets.metric = "tcp_sockets";
        sockets.labels["host"] = "10.0.0.1";
        Series allocated; // cumulative: no limit applies
        allocated.metric = "heap_alloc_bytes";
        allocated.unit = "bytes";
        QCOMPARE(limitNameOf(heap).value_or(""), std::string("heap"));
        QCOMPARE(limitNameOf(sockets).value_or(""), std::string("fds"));
        QVERIFY(!limitNameOf(allocated));

        // GOMEMLIMIT unset is math.MaxInt64: no limit.
        std::vector<Series> unset = {
            named("runtime", "/gc/gomemlimit:bytes", 9.223372036854776e18)};
        QVERIFY(!limitFor(heap, {}, unset));
        std::vector<Series> set = {named("runtime", "/gc/gomemlimit:bytes", 1 << 30),
                                   named("process", "max_open_files", 4096)};
        auto l = limitFor(heap, {}, set);
        QVERIFY(l);
        QCOMPARE(l->value, double(1 << 30));
        QVERIFY(l->source.find("gomemlimit") != std::string::npos);
        QCOMPARE(limitFor(sockets, {}, set)->value, 4096.0);
        // What the user types wins over what was captured.
        std::vector<Limit> user = {must(parseLimit("heap=2GiB"))};
        QCOMPARE(limitFor(heap, user, set)->value, 2147483648.0);
        QCOMPARE(limitFor(heap, user, set)->source, std::string("--limit"));
        QVERIFY(!limitFor(allocated, user, set));
    }

    void sentences() {
        Series s;
        s.metric = "heap_inuse_bytes";
        s.unit = "bytes";
        s.points = generated(12, 100 << 20, 1 << 20, 0, 1); // +1 MiB/s from 100 MiB
        auto none = forecastSeries(s, {}, {});
        std::string noLimit = forecastSentence(none);
        QVERIFY2(noLimit.find("60.00MB a minute") != std::string::npos, noLimit.c_str());
        QVERIFY(noLimit.find("--limit heap=SIZE") != std::string::npos);
        QVERIFY(!none.timed());

        auto given = forecastSeries(s, {must(parseLimit("heap=1GiB"))}, {});
        QVERIFY(given.timed());
        // 924 MiB to go at 1 MiB/s from 100 MiB at t=0: t = 924 s.
        QCOMPARE(given.projection.atNs, kStart + 924 * kSecond);
        std::string at = forecastSentence(given);
        QVERIFY2(at.find("At this rate") == 0 || at.find("At this rate") != std::string::npos,
                 at.c_str());
        QVERIFY2(at.find(clockText(kStart + 924 * kSecond, s.points.back().timeNs) + " (±") !=
                     std::string::npos,
                 at.c_str());
        auto numbers = forecastNumbers(given);
        bool sawAt = false;
        for (const auto& [k, v] : numbers)
            sawAt = sawAt || (k == "forecast_at_unix" && v == double(kStart / kSecond + 924));
        QVERIFY(sawAt);

        s.points = generated(12, 100 << 20, 1000, 50 << 20, 2); // scatter dwarfs growth
        std::string poor = forecastSentence(forecastSeries(s, {must(parseLimit("heap=1GiB"))}, {}));
        QVERIFY2(poor.find("the fit is poor") != std::string::npos, poor.c_str());
        QVERIFY(poor.find("no time is given") != std::string::npos);
    }

    // The demo captures, forecast from their first half: the time the second
    // half's last value was reached lies inside the stated band, or the fit
    // says it is poor.
    void demoFirstHalfForecastsSecondHalf() {
        QTemporaryDir dir;
        auto store = demoCase(dir);
        QVERIFY(store);
        auto all = must(allSeries(*store));
        int checked = 0;
        for (const char* key :
             {"heap_inuse_bytes", "heap_inuse_bytes{site=io.ReadAll}",
              "heap_inuse_bytes{site=bufio.NewWriterSize}", "tcp_sockets{host=127.0.0.2}",
              "goroutines{group=net/http.(*persistConn).readLoop}"}) {
            const Series* s = seriesByKey(all, key);
            if (!s || s->points.size() < 8)
                continue;
            std::vector<SeriesPoint> half(s->points.begin(),
                                          s->points.begin() + long(s->points.size() / 2));
            LineFit f = fitLine(half);
            if (f.poor)
                continue;
            const SeriesPoint& last = s->points.back();
            Projection p = projectTo(f, last.value);
            QVERIFY2(p.kind == Projection::Kind::Reaches, key);
            // The band widened to whole seconds: the captures' times have whole seconds.
            QVERIFY2(p.earliestNs - kSecond <= last.timeNs && last.timeNs <= p.latestNs + kSecond,
                     (std::string(key) + ": actual " + std::to_string(last.timeNs / kSecond) +
                      " band " + std::to_string(p.earliestNs / kSecond) + ".." +
                      std::to_string(p.latestNs / kSecond))
                         .c_str());
            ++checked;
        }
        QVERIFY(checked >= 3); // the demo grows steadily: most fits are good

        // The findings carry the forecast against what the user gives, and
        // say the growth rate alone without it.
        auto plain = must(detectFindings(*store));
        auto limited = must(detectFindings(
            *store, {must(parseLimit("fds=100000")), must(parseLimit("heap=1GiB"))}));
        bool sawPlain = false, sawLimited = false;
        for (const auto& f : plain)
            sawPlain = sawPlain || f.summary.find("no limit is known") != std::string::npos;
        for (const auto& f : limited)
            for (const auto& [k, v] : f.numbers)
                if (k == "forecast_at_unix") {
                    QVERIFY2(f.summary.find("At this rate") != std::string::npos,
                             f.summary.c_str());
                    sawLimited = true;
                }
        QVERIFY(sawPlain);
        QVERIFY(sawLimited);
    }

    void forecastCommand() {
        QTemporaryDir dir;
        QString c = dir.filePath("c.memscope");
        auto imp =
            runMemscope({"import", c, QStringLiteral(MEMSCOPE_SOURCE_DIR "/resources/demo")});
        QCOMPARE(imp.code, 0);
        auto r = runMemscope({"forecast", c, "--limit", "heap=1GiB", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto rows = QJsonDocument::fromJson(r.rawOut).object()["forecasts"].toArray();
        QVERIFY(!rows.isEmpty());
        bool sawSockets = false;
        for (const auto& v : rows) {
            auto o = v.toObject();
            if (o["series"].toString() != "heap_inuse_bytes{site=io.ReadAll}")
                continue;
            sawSockets = true;
            QCOMPARE(o["limit"].toObject()["value"].toDouble(), 1073741824.0);
            QCOMPARE(o["projection"].toString(), QStringLiteral("reaches"));
            QVERIFY(o["at_unix"].toDouble() > o["first_unix"].toDouble());
            QVERIFY(o["earliest_unix"].toDouble() <= o["at_unix"].toDouble());
            QVERIFY(o["latest_unix"].toDouble() >= o["at_unix"].toDouble());
        }
        QVERIFY(sawSockets);

        auto text = runMemscope({"forecast", c});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.contains("no limit is known"), qPrintable(text.out));

        auto bad = runMemscope({"forecast", c, "--limit", "heap=2XB"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("heap=2XB"), qPrintable(bad.err));
        auto findings =
            runMemscope({"findings", c, "--limit", "fds=100000", "--limit", "heap=1GiB"});
        QCOMPARE(findings.code, 0);
        QVERIFY(findings.out.contains("At this rate"));
        auto report = runMemscope(
            {"report", c, "--format", "json", "--limit", "fds=100000", "--limit", "heap=1GiB"});
        QCOMPARE(report.code, 0);
        QVERIFY(report.out.contains("forecast_at_unix"));
    }
};

QTEST_GUILESS_MAIN(TestForecast)
#include "test_forecast.moc"
