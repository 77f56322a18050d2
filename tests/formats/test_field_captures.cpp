// SPDX-License-Identifier: GPL-3.0-or-later
// Captures as they come from the field (issue 16's causes), each on a minimal
// sample written from the runtime's grammar, and Go 1.26 captures made by
// tests/gen/field/capture.sh (tests/data/field).
#include "analysis/detect/detect.h"
#include "analysis/profile/top.h"
#include "formats/goroutines/goroutine_dump.h"
#include "formats/pprof/count_text.h"
#include "formats/pprof/pprof_reader.h"
#include "io/input.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>
#include <map>

using namespace memscope;
using namespace memscope::test;

namespace {

Parsed<GoroutineDump> parseDump(std::string text) {
    return parseWith<GoroutineDump>(std::move(text),
                                    [](ByteStream& s) { return parseGoroutineDump(s); });
}

using Labels = std::vector<std::pair<std::string, std::string>>;

const std::string kWorker = "main.worker(0x1)\n\t/src/app/main.go:42 +0x1d\n"
                            "created by main.start in goroutine 1\n\t/src/app/main.go:30 +0x65\n";

std::unique_ptr<CaseStore> openCase(const QTemporaryDir& dir) {
    auto s = CaseStore::open(dir.filePath("f.memscope").toStdString());
    if (!s)
        qFatal("%s", s.error().toString().c_str());
    return std::move(*s);
}

} // namespace

class TestFieldCaptures : public QObject {
    Q_OBJECT
private slots:
    void appendedDebug1Profiles();
    void labelsInHeaders();
    void leakProfile();
    void elidedFrameCounts();
    void expvarIntegersStayExact();
    void legacyCountProfiles();
    void cleanupBacklogFromMetricsAlone();
};

// Cause 4: debug=1 profiles appended to one file are a snapshot each, dated
// by the time line before each; identical records are one group.
void TestFieldCaptures::appendedDebug1Profiles() {
    const std::string rec = "2 @ 0x47e08e 0x4dd51e\n#\t0x4dd51d\tmain.wait+0x1d\t/src/a.go:22\n\n";
    const std::string text =
        "2026-11-26T16:59:01Z\ngoroutine profile: total 4\n" + rec +
        // the same frames at other PCs: one group with the first
        "2 @ 0x47e08e 0x4dd600\n#\t0x4dd5ff\tmain.wait+0x2f\t/src/a.go:22\n\n" +
        "2026-11-26T16:59:31Z\ngoroutine profile: total 3\n" + rec +
        "1 @ 0x47e08e 0x4dd700\n#\t0x4dd6ff\tmain.serve+0x1f\t/src/a.go:40\n";
    QVERIFY(looksLikeGoroutineProfileText(text));
    auto stream = openStream(text);
    auto all = parseGoroutineProfileTexts(*stream);
    QVERIFY2(all.ok(), all.ok() ? "" : all.error().toString().c_str());
    QCOMPARE(all->size(), size_t(2));
    QCOMPARE((*all)[0].dump.groups.size(), size_t(1));
    QCOMPARE((*all)[0].dump.groups[0].count, int64_t(4));
    QCOMPARE((*all)[1].dump.groups.size(), size_t(2));
    QVERIFY((*all)[0].dump.warnings.empty() && (*all)[1].dump.warnings.empty());
    QCOMPARE((*all)[0].timeNs, int64_t(1795712341) * 1000000000);
    QCOMPARE((*all)[1].timeNs - (*all)[0].timeNs, int64_t(30) * 1000000000);

    QTemporaryDir dir;
    writeBytes(dir.filePath("goroutines.txt"), text);
    auto s = openCase(dir);
    auto o = s->importFile(dir.filePath("goroutines.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.snapshotIds.size(), size_t(2));
    auto first = must(s->snapshot(o.snapshotIds[0]));
    QVERIFY(first.has_value());
    QCOMPARE(first->timeNs, int64_t(1795712341) * 1000000000);
    // A total that disagrees with its records is said per profile.
    const std::string cutText = "goroutine profile: total 5\n" + rec;
    auto cut = openStream(cutText);
    auto short1 = parseGoroutineProfileTexts(*cut);
    QVERIFY(short1.ok());
    QCOMPARE(short1->front().dump.warnings.size(), size_t(1));
    // Text before the first header that is not a time is no such profile.
    const std::string junkText = "hello\ngoroutine profile: total 2\n" + rec;
    auto junk = openStream(junkText);
    QVERIFY(!parseGoroutineProfileTexts(*junk).ok());
}

// Cause 7: labels in Go 1.26 (GODEBUG=tracebacklabels=1) and Go 1.27 headers
// and in debug=1 "# labels:" lines: kept per group, groups split by them,
// stored and read back.
void TestFieldCaptures::labelsInHeaders() {
    auto d = parseDump(
        "goroutine 8 [chan receive labels:{\"job\": \"a, b\", \"q\": \"x\\\"y\\u00e9\"}]:\n" +
        kWorker + "\n" + "goroutine 9 [chan receive] {test.name: X, test.iter: 0}:\n" + kWorker +
        "\n" + "goroutine 10 [chan receive] {test.iter: 0, test.name: X}:\n" + kWorker + "\n" +
        "goroutine 11 [chan receive]:\n" + kWorker + "\n");
    QVERIFY(d.value.ok());
    QVERIFY(d.value->warnings.empty());
    QCOMPARE(d.value->groups.size(), size_t(3));
    QCOMPARE(d.value->groups[0].labels, (Labels{{"job", "a, b"}, {"q", "x\"y\xc3\xa9"}}));
    QCOMPARE(d.value->groups[0].state, std::string("chan receive"));
    QCOMPARE(d.value->groups[1].labels, (Labels{{"test.iter", "0"}, {"test.name", "X"}}));
    QCOMPARE(d.value->groups[1].count, int64_t(2));
    QVERIFY(d.value->groups[2].labels.empty());
    QCOMPARE(labelsText(d.value->groups[1].labels), std::string("test.iter=0, test.name=X"));

    // The Go 1.26 captures: the debug=2 header and the debug=1 comment.
    QTemporaryDir dir;
    auto s = openCase(dir);
    for (const char* f :
         {"field/goroutine_labels_debug2_go126.txt", "field/goroutine_labels_debug1_go126.txt"}) {
        auto o = s->importFile(dataPath(f).toStdString(), {}, {});
        QCOMPARE(o.status, ImportStatus::Imported);
        int labelled = 0;
        for (const auto& g : must(s->goroutineGroups(o.snapshotIds.at(0))))
            if (!g.labels.empty()) {
                ++labelled;
                QCOMPARE(g.labels, (Labels{{"job", "sync"}, {"tenant", "a"}}));
                QVERIFY(g.stack.front().rfind("main.waitKept ", 0) == 0);
            }
        QCOMPARE(labelled, 1);
    }
}

// Cause 8: Go 1.26's goroutine leak profile in its three forms; the verdict
// is stored, and annotations never reach the state.
void TestFieldCaptures::leakProfile() {
    const std::string leakText = "goroutineleak profile: total 2\n2 @ 0x1 0x2\n"
                                 "#\t0x4dd51d\tmain.leak.func1+0x1d\t/src/a.go:22\n\n";
    auto text = openStream(leakText);
    QVERIFY(looksLikeGoroutineProfileText("goroutineleak profile: total 2\n"));
    auto p = parseGoroutineProfileTexts(*text);
    QVERIFY(p.ok());
    QVERIFY(p->front().leakProfile && p->front().dump.groups.at(0).leaked);

    auto d = parseDump("goroutine 20 [chan send (leaked) (durable), 3 minutes, synctest bubble "
                       "2]:\n" +
                       kWorker + "\n");
    QVERIFY(d.value.ok());
    QCOMPARE(d.value->groups[0].state, std::string("chan send"));
    QVERIFY(d.value->groups[0].leaked);

    QTemporaryDir dir;
    auto s = openCase(dir);
    std::map<std::string, int64_t> leakedBy;
    for (const char* f :
         {"field/goroutineleak_debug0_go126.txt", "field/goroutineleak_debug1_go126.txt",
          "field/goroutineleak_debug2_go126.txt"}) {
        auto o = s->importFile(dataPath(f).toStdString(), {}, {});
        QVERIFY2(o.status == ImportStatus::Imported, f);
        for (SnapshotId id : o.snapshotIds) {
            auto snap = must(s->snapshot(id));
            if (snap->kind != SnapshotKind::Goroutines)
                continue;
            for (const auto& g : must(s->goroutineGroups(id))) {
                QVERIFY(g.state.find("leaked") == std::string::npos);
                if (g.leaked)
                    leakedBy[f] += g.count;
                else
                    QVERIFY2(g.stack.front().rfind("main.leakSend", 0) != 0, f);
            }
        }
    }
    // tests/gen/field leaks three goroutines on a channel nobody else holds.
    QCOMPARE(leakedBy.size(), size_t(3));
    for (const auto& [f, n] : leakedBy)
        QCOMPARE(n, int64_t(3));
}

// Cause 9: both ways the runtime elides frames keep what they say, and the
// stored stack shows it where it was.
void TestFieldCaptures::elidedFrameCounts() {
    const std::string text =
        "goroutine 30 [running]:\nmain.deep(...)\n\t/a.go:1\n...12 frames elided...\n"
        "main.top()\n\t/a.go:9 +0x1\n\n"
        "goroutine 31 [running]:\nmain.other(...)\n\t/a.go:2\n...additional frames elided...\n\n";
    auto d = parseDump(text);
    QVERIFY(d.value.ok());
    QCOMPARE(d.value->groups[0].elidedFrames, int64_t(12));
    QCOMPARE(d.value->groups[0].elidedAt, uint32_t(1));
    QCOMPARE(d.value->groups[1].elidedFrames, int64_t(-1));
    QTemporaryDir dir;
    writeBytes(dir.filePath("deep.txt"), text);
    auto s = openCase(dir);
    auto o = s->importFile(dir.filePath("deep.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    std::vector<std::vector<std::string>> stacks;
    for (const auto& g : must(s->goroutineGroups(o.snapshotIds.at(0))))
        stacks.push_back(g.stack);
    std::sort(stacks.begin(), stacks.end());
    QCOMPARE(stacks[0], (std::vector<std::string>{"main.deep /a.go:1", "...12 frames elided...",
                                                  "main.top /a.go:9"}));
    QCOMPARE(stacks[1],
             (std::vector<std::string>{"main.other /a.go:2", "...additional frames elided..."}));
}

// Cause 14: integers past 2^53 (expvar's LastGC in nanoseconds) come back
// exactly, and place a gctrace run to the nanosecond.
void TestFieldCaptures::expvarIntegersStayExact() {
    const int64_t lastGc = 1795712341123456789; // odd: a double would round it
    QTemporaryDir dir;
    writeBytes(dir.filePath("vars.json"),
               "{\"cmdline\": [\"x\"], \"memstats\": {\"LastGC\": " + std::to_string(lastGc) +
                   ", \"NumGC\": 2, \"GCCPUFraction\": 0.25}}");
    auto s = openCase(dir);
    auto o = s->importFile(dir.filePath("vars.json").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(must(s->metricInteger(o.snapshotIds.at(0), "memstats.LastGC")),
             std::optional<int64_t>(lastGc));
    QCOMPARE(must(s->metricInteger(o.snapshotIds.at(0), "memstats.GCCPUFraction")),
             std::optional<int64_t>());
    writeBytes(dir.filePath("gc.log"),
               "gc 1 @0.010s 1%: 0.01+1.0+0.01 ms clock, 0.1+0.5/1.0/0+0.1 ms cpu, 4->4->1 MB, "
               "4 MB goal, 0 MB stacks, 0 MB globals, 8 P\n"
               "gc 2 @1.500s 1%: 0.01+1.0+0.01 ms clock, 0.1+0.5/1.0/0+0.1 ms cpu, 4->4->1 MB, "
               "4 MB goal, 0 MB stacks, 0 MB globals, 8 P\n");
    auto g = s->importFile(dir.filePath("gc.log").toStdString(), {}, {});
    QCOMPARE(g.status, ImportStatus::Imported);
    auto run = must(s->snapshot(g.snapshotIds.at(0)));
    QCOMPARE(run->timeNs, lastGc);
}

// Cause 11: the legacy count text pprof reads (threadcreate?debug=1, any
// custom profile's debug=1) is read, with the "#" lines' symbols; totals as
// `go tool pprof -top` gives them.
void TestFieldCaptures::legacyCountProfiles() {
    const std::string text = "requests profile: total 5\n"
                             "3 @ 0x4dd51e 0x4dd600\n"
                             "#\t0x4dd51d\tmain.handle+0x1d\t/src/a.go:22\n"
                             "#\t0x4dd5ff\tmain.serve+0x2f\t/src/a.go:40\n\n"
                             "2 @ 0x4dd700\n";
    QVERIFY(looksLikeCountProfileText(text));
    QVERIFY(!looksLikeCountProfileText("goroutine profile: total 3\n"));
    QVERIFY(looksLikeCountProfileText("goroutine profile: total 3\n", true));
    auto stream = openStream(text);
    auto p = parseCountProfileText(*stream);
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().toString().c_str());
    QCOMPARE(p->sampleTypes.at(0).type, std::string("requests"));
    TopResult top = computeTop(*p, 0);
    QCOMPARE(top.total, int64_t(5));
    std::map<std::string, std::pair<int64_t, int64_t>> byName;
    for (const auto& r : top.rows)
        byName[r.function] = {r.flat, r.cum};
    QCOMPARE(byName["main.handle"], (std::pair<int64_t, int64_t>{3, 3}));
    QCOMPARE(byName["main.serve"], (std::pair<int64_t, int64_t>{0, 3}));
    const std::string bad = "requests profile: total 1\n1 x 0x1\n";
    auto broken = openStream(bad);
    auto e = parseCountProfileText(*broken);
    QVERIFY(!e.ok());
    QCOMPARE(e.error().line, std::optional<uint64_t>(2));

    // The Go 1.26 threadcreate capture imports as a threadcreate snapshot;
    // a goroutine debug=1 file read by `top` totals what pprof does (6).
    QTemporaryDir dir;
    auto s = openCase(dir);
    auto o = s->importFile(dataPath("field/threadcreate_debug1_go126.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.format, std::string("pprof_count_text"));
    QCOMPARE(std::string(toString(must(s->snapshot(o.snapshotIds.at(0)))->kind)),
             std::string("threadcreate"));
    auto g = readProfileFile(dataPath("field/goroutine_labels_debug1_go126.txt").toStdString());
    QVERIFY(g.ok());
    QCOMPARE(computeTop(*g, 0).total, int64_t(6));
}

// Cause 6 and the Go 1.20-1.27 metrics: a cleanup backlog seen in
// runtime/metrics alone (queued minus executed growing), no heap dump or
// goroutine dump in the case, is found and named as cleanups; a finalizer
// queue that keeps up is no finding.
void TestFieldCaptures::cleanupBacklogFromMetricsAlone() {
    for (bool backlog : {true, false}) {
        QTemporaryDir dir;
        auto s = openCase(dir);
        for (int i = 0; i < 6; ++i) {
            const int64_t t = (int64_t(1795712341) + i * 60) * 1000000000;
            const std::string json =
                "{\"time_unix_nano\": " + std::to_string(t) +
                ", \"/gc/cleanups/queued:cleanups\": " + std::to_string(i * 400 + 10) +
                ", \"/gc/cleanups/executed:cleanups\": " +
                std::to_string(backlog ? i * 10 : i * 400 + 10) +
                ", \"/gc/finalizers/queued:finalizers\": " + std::to_string(i * 5) +
                ", \"/gc/finalizers/executed:finalizers\": " + std::to_string(i * 5) + "}";
            QString path = dir.filePath(QString("m%1.json").arg(i));
            writeBytes(path, json);
            QCOMPARE(s->importFile(path.toStdString(), {}, {}).status, ImportStatus::Imported);
        }
        auto findings = must(detectFindings(*s));
        const Finding* f = nullptr;
        for (const auto& x : findings)
            if (x.kind == FindingKind::FinalizerBacklog)
                f = &x;
        QCOMPARE(f != nullptr, backlog);
        if (!f)
            continue;
        QVERIFY2(f->title.rfind("Cleanups pile up", 0) == 0, f->title.c_str());
        QVERIFY(f->summary.find("runtime/metrics") != std::string::npos);
        QVERIFY(f->summary.find("1960") != std::string::npos);
    }
}

QTEST_GUILESS_MAIN(TestFieldCaptures)
#include "test_field_captures.moc"
