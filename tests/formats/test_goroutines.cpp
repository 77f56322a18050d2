// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/series/series.h"
#include "base/text_util.h"
#include "formats/goroutines/goroutine_dump.h"
#include "formats/pprof/pprof_reader.h"
#include "io/input.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

using namespace memscope;
using namespace memscope::test;

namespace {

Parsed<GoroutineDump> parse(std::string text) {
    return parseWith<GoroutineDump>(std::move(text),
                                    [](ByteStream& s) { return parseGoroutineDump(s); });
}

int64_t countRole(const GoroutineDump& d, GoroutineRole r) {
    int64_t n = 0;
    for (const auto& g : d.groups)
        n += g.role == r ? g.count : 0;
    return n;
}

const GoroutineGroup* groupWithFunction(const GoroutineDump& d, const std::string& fn) {
    for (const auto& g : d.groups)
        for (uint32_t f : g.frames)
            if (d.frames[f].function == fn)
                return &g;
    return nullptr;
}

} // namespace

class TestGoroutines : public QObject {
    Q_OBJECT
private slots:
    void debug2Sample();
    void finalizerIdleInSystemDump();
    void fatalErrorPreamble();
    void countsMatchHeaders();
    void truncatedDumpWarns();
    void cutAtTheRuntimeCap();
    void tracebackInALog();
    void newerGoVariants();
    void brokenInputs();
    void debug1MatchesDebug2();
    void storedGroupsAndSeries();
    void profileProtoAsGroups();
    void inPlaceAndStreamedAgree();
    void halvesOnTwoCoresAgreeWithOneParse();
    void dumpsAsTheFieldHandsThemOver();
    void severalDumpsInOneLog();
};

void TestGoroutines::debug1MatchesDebug2() {
    // The same process, dumped both ways: the same goroutines, groups and roles.
    std::string text = readText(dataPath("goroutines/goroutine_debug1_go119.txt"));
    auto s = openStream(text);
    auto d1 = parseGoroutineProfileText(*s);
    QVERIFY(d1.ok());
    auto d2 = parse(readText(dataPath("goroutines/goroutine_debug2_go119.txt")));
    int64_t total = 0;
    for (const auto& g : d1->groups)
        total += g.count;
    QCOMPARE(total, int64_t(d2.value->goroutines.size()));
    QCOMPARE(d1->groups.size(), d2.value->groups.size());
    for (auto role : {GoroutineRole::HttpClientRead, GoroutineRole::HttpClientWrite,
                      GoroutineRole::FinalizerRunning})
        QCOMPARE(countRole(*d1, role), countRole(*d2.value, role));
    QVERIFY(d1->warnings.empty());
    // A header that promises more than the records hold is said, not hidden.
    std::string cut = "goroutine profile: total 9\n2 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/a.go:3\n";
    auto s2 = openStream(cut);
    auto d3 = parseGoroutineProfileText(*s2);
    QVERIFY(d3.ok());
    QCOMPARE(d3->warnings.size(), size_t(1));
    std::string bad = "goroutine profile: total 1\nx @ 0x1\n";
    auto s3 = openStream(bad);
    auto d4 = parseGoroutineProfileText(*s3);
    QVERIFY(!d4.ok() || d4->groups.empty());
    std::string bad2 = "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:zz\n";
    auto s4 = openStream(bad2);
    auto d5 = parseGoroutineProfileText(*s4);
    QVERIFY(!d5.ok());
    QCOMPARE(d5.error().line.value_or(0), uint64_t(3));
}

void TestGoroutines::debug2Sample() {
    auto p = parse(readText(dataPath("goroutines/goroutine_debug2_go119.txt")));
    QVERIFY(p.value.ok());
    const auto& d = *p.value;
    QCOMPARE(d.goroutines.size(), size_t(25));
    QCOMPARE(d.groups.size(), size_t(19));
    QCOMPARE(countRole(d, GoroutineRole::HttpClientRead), int64_t(3));
    QCOMPARE(countRole(d, GoroutineRole::HttpClientWrite), int64_t(3));
    QVERIFY(!d.truncated);
    // The finalizer goroutine stuck in a user finalizer: no `created by`, user code at the bottom.
    const auto* fin = groupWithFunction(d, "main.finalizeResource");
    QVERIFY(fin);
    QCOMPARE(fin->role, GoroutineRole::FinalizerRunning);
    QCOMPARE(fin->state, std::string("chan receive"));
    QCOMPARE(fin->maxWaitMinutes, int64_t(1));
    QCOMPARE(fin->createdBy, -1);
    // `[chan receive, locked to thread]`
    int64_t locked = 0;
    for (const auto& g : d.groups)
        locked += g.lockedToThread;
    QCOMPARE(locked, int64_t(1));
    // Goroutine 1 is main, not a finalizer.
    const auto* mainG = groupWithFunction(d, "main.main");
    QVERIFY(mainG);
    QCOMPARE(mainG->role, GoroutineRole::None);
    // Frames keep file and line; "created by" is its own frame.
    const auto* rl = groupWithFunction(d, "net/http.(*persistConn).readLoop");
    QVERIFY(rl && rl->createdBy >= 0);
    QCOMPARE(d.frames[size_t(rl->createdBy)].function,
             std::string("net/http.(*Transport).dialConn"));
}

void TestGoroutines::finalizerIdleInSystemDump() {
    auto p = parse(readText(dataPath("goroutines/finalizer_idle_gotraceback_system_go119.txt")));
    QVERIFY(p.value.ok());
    QCOMPARE(countRole(*p.value, GoroutineRole::FinalizerIdle), int64_t(1));
    QCOMPARE(countRole(*p.value, GoroutineRole::FinalizerRunning), int64_t(0));
}

void TestGoroutines::fatalErrorPreamble() {
    auto p = parse(readText(dataPath("goroutines/fatal_deadlock_go119.txt")));
    QVERIFY(p.value.ok());
    QVERIFY(p.value->preamble.rfind("fatal error: all goroutines are asleep - deadlock!", 0) == 0);
    QVERIFY(!p.value->goroutines.empty());
}

void TestGoroutines::countsMatchHeaders() {
    // An independent count: lines that start a goroutine.
    std::string text = readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt"));
    size_t headers = 0, readLoops = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        headers += line.rfind("goroutine ", 0) == 0 && line.size() > 2 &&
                   line.compare(line.size() - 2, 2, "]:") == 0;
        readLoops += line.rfind("net/http.(*persistConn).readLoop(", 0) == 0;
    }
    auto p = parse(text);
    QVERIFY(p.value.ok());
    QCOMPARE(p.value->goroutines.size(), headers);
    QCOMPARE(countRole(*p.value, GoroutineRole::HttpClientRead), int64_t(readLoops));
    QVERIFY(readLoops > 100); // the leaking service: a pool per request
    QCOMPARE(countRole(*p.value, GoroutineRole::FinalizerRunning), int64_t(1));
}

void TestGoroutines::truncatedDumpWarns() {
    std::string text = readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt"));
    // Cut inside a frame, the way the runtime's 64 MiB cap or a crash cuts.
    size_t cut = text.find("\n\t", text.size() / 2);
    QVERIFY(cut != std::string::npos);
    auto p = parse(text.substr(0, cut));
    QVERIFY(p.value.ok());
    QVERIFY(p.value->truncated);
    QVERIFY(!p.value->warnings.empty());
    QVERIFY(QString::fromStdString(p.value->warnings.front()).contains("ends inside goroutine"));
}

void TestGoroutines::newerGoVariants() {
    // Go 1.21+: "created by ... in goroutine N" and elided frames; Go 1.22+: gp=/m= in headers.
    std::string text = "goroutine 7 gp=0xc000007500 m=nil [chan receive, 3 minutes]:\n"
                       "main.worker[...](0xc000010000?)\n"
                       "\t/src/app/main.go:42 +0x1d\n"
                       "...5 frames elided...\n"
                       "main.start.gowrap1()\n"
                       "\t/src/app/main.go:30 +0x25\n"
                       "created by main.start in goroutine 1\n"
                       "\t/src/app/main.go:30 +0x65\n"
                       "\n"
                       "goroutine 8 [select (no cases)]:\n"
                       "main.idle()\n"
                       "\tC:/src/app with space/main.go:50 +0x10 fp=0xc000 sp=0xc000 pc=0x4a\n"
                       "created by main.start in goroutine 1\n"
                       "\tC:/src/app with space/main.go:31 +0x65\n";
    auto p = parse(text);
    QVERIFY(p.value.ok());
    const auto& d = *p.value;
    QCOMPARE(d.goroutines.size(), size_t(2));
    QCOMPARE(d.goroutines[0].parentId, int64_t(1));
    QCOMPARE(d.goroutines[0].waitMinutes, int64_t(3));
    QCOMPARE(d.groups[0].state, std::string("chan receive"));
    QVERIFY(d.groups[0].framesElided);
    QCOMPARE(d.frames[d.groups[0].frames[0]].function, std::string("main.worker[...]"));
    QCOMPARE(d.frames[d.groups[1].frames[0]].file, std::string("C:/src/app with space/main.go"));
    QCOMPARE(d.frames[d.groups[1].frames[0]].line, int64_t(50));
}

void TestGoroutines::brokenInputs() {
    auto empty = parse("");
    QVERIFY(!empty.value.ok());
    auto prose = parse("no goroutines here\njust text\n");
    QVERIFY(!prose.value.ok());
    QVERIFY(QString::fromStdString(prose.value.error().message).contains("not a goroutine dump"));
    QVERIFY(prose.value.error().line.has_value());
    // Garbage inside a goroutine is skipped and counted, not fatal.
    auto noisy = parse("goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n%%%garbage%%%\n\n");
    QVERIFY(noisy.value.ok());
    QVERIFY(QString::fromStdString(noisy.value->warnings.back()).contains("skipped"));
    QVERIFY(!looksLikeGoroutineDump("hello\ngoroutine 1 [running]:\n"));
    QVERIFY(looksLikeGoroutineDump("panic: boom\n\ngoroutine 1 [running]:\n"));
}

void TestGoroutines::storedGroupsAndSeries() {
    QTemporaryDir dir;
    auto s = CaseStore::open(dir.filePath("g.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(
        dataPath("goroutines/goroutine-004-20261126T165909Z.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.format, std::string("goroutine_text"));
    auto groups = must((*s)->goroutineGroups(o.snapshotIds.at(0)));
    QVERIFY(groups.size() >= 5);
    QVERIFY(groups[0].count >= groups[1].count);
    bool readLoop = false;
    size_t members = 0;
    for (const auto& g : groups) {
        auto m = must((*s)->goroutineMembers(o.snapshotIds.at(0), g.index));
        QCOMPARE(int64_t(m.size()), g.count);
        for (size_t i = 1; i < m.size(); ++i)
            QVERIFY(m[i].id > m[i - 1].id);
        members += m.size();
    }
    for (const auto& g : groups)
        if (g.role == GoroutineRole::HttpClientRead) {
            readLoop = true;
            QVERIFY(g.createdBy.rfind("net/http.(*Transport).dialConn ", 0) == 0);
            QVERIFY(g.stack.back().rfind("net/http.(*persistConn).readLoop ", 0) == 0);
        }
    QVERIFY(readLoop);
    auto parsed = parse(readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt")));
    QCOMPARE(members, parsed.value->goroutines.size());
    bool total = false;
    for (const auto& series : must(goroutineSeries(**s)))
        if (series.key() == "goroutines") {
            total = true;
            QCOMPARE(series.points.size(), size_t(1));
            QCOMPARE(size_t(series.points[0].value), parsed.value->goroutines.size());
        }
    QVERIFY(total);
}

void TestGoroutines::profileProtoAsGroups() {
    // The proto of the same process as the debug=1 text: the same groups.
    auto p = readPprofFile(dataPath("pprof/goroutine_go119.pb.gz").toStdString());
    QVERIFY(p.ok());
    GoroutineDump fromProto = goroutinesFromProfile(*p);
    std::string text = readText(dataPath("goroutines/goroutine_debug1_go119.txt"));
    auto s = openStream(text);
    auto d1 = parseGoroutineProfileText(*s);
    QVERIFY(d1.ok());
    auto total = [](const GoroutineDump& d) {
        int64_t n = 0;
        for (const auto& g : d.groups)
            n += g.count;
        return n;
    };
    QCOMPARE(total(fromProto), total(*d1));
    QCOMPARE(fromProto.groups.size(), d1->groups.size());
    for (auto role : {GoroutineRole::HttpClientRead, GoroutineRole::HttpClientWrite,
                      GoroutineRole::FinalizerRunning})
        QCOMPARE(countRole(fromProto, role), countRole(*d1, role));
    // Imported, a goroutine profile is also a goroutine snapshot.
    QTemporaryDir dir;
    auto store = CaseStore::open(dir.filePath("p.memscope").toStdString());
    QVERIFY(store.ok());
    auto o = (*store)->importFile(dataPath("pprof/goroutine-final.pb.gz").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.snapshotIds.size(), size_t(2));
    auto dumps = must((*store)->snapshots(SnapshotKind::Goroutines));
    QCOMPARE(dumps.size(), size_t(1));
    int64_t sum = 0, readLoops = 0;
    for (const auto& g : must((*store)->goroutineGroups(dumps[0].id))) {
        sum += g.count;
        if (g.role == GoroutineRole::HttpClientRead)
            readLoops += g.count;
    }
    QCOMPARE(sum, int64_t(4725));
    QCOMPARE(readLoops, int64_t(2360));
}

// A plain dump is split in place; a compressed one is decoded into a buffer
// that each line overwrites. Both readings must come out the same.
// Parses `text` in place and zstd'd (streamed) and checks the two dumps
// agree in every group, frame, goroutine and warning; true when they do.
bool inPlaceAndStreamedParseAlike(const std::string& text, size_t minGroups,
                                  GoroutineDump* out = nullptr) {
    auto plainStream = openStream(text);
    QTEST_ASSERT(plainStream->inPlace().has_value());
    auto plain = parseGoroutineDump(*plainStream);
    auto packed = zstdCompress(text);
    QTEST_ASSERT(packed.ok());
    auto zstdStream = openStream(*packed);
    QTEST_ASSERT(!zstdStream->inPlace().has_value());
    auto streamed = parseGoroutineDump(*zstdStream);
    if (!plain.ok() || !streamed.ok())
        return false;
    const GoroutineDump &a = *plain, &b = *streamed;
    bool same = a.groups.size() == b.groups.size() && a.groups.size() >= minGroups &&
                a.frames.size() == b.frames.size() && a.goroutines.size() == b.goroutines.size() &&
                a.warnings == b.warnings && a.truncated == b.truncated && a.preamble == b.preamble;
    for (size_t i = 0; same && i < a.groups.size(); ++i) {
        const auto &x = a.groups[i], &y = b.groups[i];
        same = x.state == y.state && x.frames == y.frames && x.count == y.count &&
               x.exactVariants == y.exactVariants && x.lockedToThread == y.lockedToThread &&
               x.minWaitMinutes == y.minWaitMinutes && x.maxWaitMinutes == y.maxWaitMinutes &&
               x.framesElided == y.framesElided && x.leaked == y.leaked && x.role == y.role &&
               x.createdBy == y.createdBy;
    }
    for (size_t i = 0; same && i < a.frames.size(); ++i)
        same = a.frames[i].function == b.frames[i].function &&
               a.frames[i].file == b.frames[i].file && a.frames[i].line == b.frames[i].line;
    for (size_t i = 0; same && i < a.goroutines.size(); ++i) {
        const auto &x = a.goroutines[i], &y = b.goroutines[i];
        same = x.id == y.id && x.group == y.group && x.waitMinutes == y.waitMinutes &&
               x.parentId == y.parentId && x.locked == y.locked;
    }
    if (same && out)
        *out = *plain;
    return same;
}

void TestGoroutines::inPlaceAndStreamedAgree() {
    std::string corpus = readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt"));
    std::string labelled =
        "goroutine 9 [chan receive, 2 minutes, locked to thread, job=7]:\n"
        "main.worker(0x1)\n\t/src/app/main.go:42 +0x1d\n\n"
        "goroutine 10 [chan receive (scan), job=8]:\n"
        "main.worker(0x2)\n\t/src/app/main.go:42 +0x1d\n"
        "created by main.start\n\t/src/app/main.go:30 +0x65\n\n"
        "goroutine 11 [chan receive, job=7]:\n"
        "main.worker(0x3)\n\t/src/app/main.go:42 +0x1d fp=0xc000 sp=0xc000 pc=0x4a\n";
    for (const std::string& text :
         {corpus, labelled, corpus.substr(0, corpus.find("\n\t", corpus.size() / 3))}) {
        QVERIFY(inPlaceAndStreamedParseAlike(text, 2));
    }
    // The labelled states: joined after the minutes and lock are taken out,
    // "(scan)" dropped only at the end; the fp= line interns with the plain one.
    auto s = openStream(labelled);
    auto d = parseGoroutineDump(*s);
    QVERIFY(d.ok());
    QCOMPARE(d->groups.size(), size_t(2));
    QCOMPARE(d->groups[0].state, std::string("chan receive, job=7"));
    QCOMPARE(d->groups[0].count, int64_t(2));
    QCOMPARE(d->groups[0].exactVariants, int64_t(2));
    QCOMPARE(d->groups[0].minWaitMinutes, int64_t(2));
    QCOMPARE(d->groups[0].lockedToThread, int64_t(1));
    QCOMPARE(d->groups[1].state, std::string("chan receive (scan), job=8"));
    QCOMPARE(d->frames.size(), size_t(2)); // main.worker at main.go:42, and the creator
}

// A dump of 4 MiB or more in memory is parsed in two halves at once and
// merged; the result is what one parse in order gives: frames and groups in
// first-seen order, counts, waits, locks and argument variants summed across
// the halves, groups seen only in the second half, line numbers in warnings.
void TestGoroutines::halvesOnTwoCoresAgreeWithOneParse() {
    std::string corpus = readText(dataPath("goroutines/goroutine-004-20261126T165909Z.txt"));
    std::string other = readText(dataPath("goroutines/goroutine_debug2_go119.txt"));
    std::string waits = "goroutine 9 [chan receive, 2 minutes, locked to thread]:\n"
                        "main.worker(0x1)\n\t/src/app/main.go:42 +0x1d\n\n"
                        "goroutine 10 [chan receive, 7 minutes]:\n"
                        "main.worker(0x2)\n\t/src/app/main.go:42 +0x1d\n"
                        "created by main.start\n\t/src/app/main.go:30 +0x65\n\n";
    std::string onlyLate = "goroutine 77 [select, 9 minutes]:\n"
                           "main.late(...)\n\t/src/app/late.go:5\n"
                           "...additional frames elided...\n\n"
                           "goroutine 78 [running]:\nnot a frame\n\n";
    std::string text;
    while (text.size() < (5u << 20))
        text += corpus + "\n" + waits;
    text += other + "\n" + onlyLate + waits + corpus;
    for (const std::string& input : {text, "SIGQUIT: quit\nPC=0x0 m=0 sigcode=0\n\n" + text}) {
        GoroutineDump a;
        QVERIFY(inPlaceAndStreamedParseAlike(input, 10, &a));
        QVERIFY(!a.warnings.empty()); // the skipped line, counted in the second half
    }
}

// Samples written from the runtime's printing code (traceback.go's
// goroutineheader, printAncestorTraceback; mfinal.go, mcleanup.go) in the
// shapes people paste them: after other text, indented with spaces, with
// the annotations newer runtimes add to the header.
void TestGoroutines::dumpsAsTheFieldHandsThemOver() {
    const std::string worker =
        "main.worker(0x1)\n\t/src/app/main.go:42 +0x1d\n"
        "created by main.start in goroutine 1\n\t/src/app/main.go:30 +0x65\n";
    // Any text before the dump: a program's log, a shell prompt, the
    // terminal's echo of Ctrl+\. It is kept as the preamble.
    for (const std::string& before :
         {std::string("hello\n"),
          std::string(
              "$ ./server\nlistening on :8080\n^\\SIGQUIT: quit\nPC=0x46d3a1 m=0 sigcode=128\n\n"),
          std::string("SIGABRT: abort\nPC=0x46d3a1 m=0 sigcode=0\n\n")}) {
        std::string text = before + "goroutine 7 [chan receive]:\n" + worker + "\n";
        QVERIFY2(looksLikeGoroutineDump(text), before.c_str());
        auto d = parse(text);
        QVERIFY(d.value.ok());
        QCOMPARE(d.value->goroutines.size(), size_t(1));
        QCOMPARE(d.value->groups[0].frames.size(), size_t(1));
        QVERIFY(d.value->preamble.find(before.substr(0, 5)) != std::string::npos);
    }
    // A crash report: the signal line before the first goroutine makes the
    // bottom user frame of a creator-less goroutine no finalizer.
    auto abort = parse("SIGABRT: abort\nPC=0x0 m=0 sigcode=0\n\ngoroutine 5 "
                       "[select]:\nmain.loop()\n\t/a.go:3 +0x1\n\n");
    QVERIFY(abort.value.ok());
    QCOMPARE(int(abort.value->groups[0].role), int(GoroutineRole::None));

    // Frames indented with spaces (journald, a paste): the same frames.
    std::string spaced =
        "goroutine 7 [chan receive]:\nmain.worker(0x1)\n    /src/app/main.go:42 +0x1d\n"
        "created by main.start in goroutine 1\n        /src/app/main.go:30 +0x65\n\n";
    auto sp = parse(spaced);
    auto tab = parse("goroutine 7 [chan receive]:\n" + worker + "\n");
    QVERIFY(sp.value.ok() && tab.value.ok());
    QCOMPARE(sp.value->groups[0].frames.size(), size_t(1));
    QCOMPARE(sp.value->frames[0].file, std::string("/src/app/main.go"));
    QCOMPARE(sp.value->frames[0].line, int64_t(42));
    QCOMPARE(sp.value->groups[0].createdBy, tab.value->groups[0].createdBy);
    QVERIFY(sp.value->warnings.empty());

    // GODEBUG=tracebackancestors: the ancestors' stacks are not this
    // goroutine's frames, and their creator is not its creator.
    auto anc =
        parse("goroutine 9 [chan receive]:\n" + worker +
              "[originating from goroutine 1]:\nmain.main(...)\n\t/src/app/main.go:12 +0x2f\n"
              "created by main.init in goroutine 0\n\t/src/app/init.go:3 +0x1\n\n");
    QVERIFY(anc.value.ok());
    QCOMPARE(anc.value->groups[0].frames.size(), size_t(1));
    QCOMPARE(anc.value->frames[size_t(anc.value->groups[0].createdBy)].function,
             std::string("main.start"));
    QCOMPARE(anc.value->goroutines[0].parentId, int64_t(1));

    // Go 1.25+ runs finalizers in runtime.runFinalizers.
    auto fin = parse(
        "goroutine 3 [finalizer wait]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
        "\t/usr/local/go/src/runtime/proc.go:460 +0xce\nruntime.runFinalizers()\n"
        "\t/usr/local/go/src/runtime/mfinal.go:210 +0x107\ncreated by runtime.createfing in "
        "goroutine 1\n"
        "\t/usr/local/go/src/runtime/mfinal.go:172 +0x3d\n\n"
        "goroutine 4 [sleep]:\ntime.Sleep(0x3b9aca00)\n\t/usr/local/go/src/runtime/time.go:363 "
        "+0x165\n"
        "main.(*conn).Close(0xc000010000)\n\t/src/app/main.go:77 +0x25\nruntime.runFinalizers()\n"
        "\t/usr/local/go/src/runtime/mfinal.go:255 +0x211\ncreated by runtime.createfing in "
        "goroutine 1\n"
        "\t/usr/local/go/src/runtime/mfinal.go:172 +0x3d\n\n");
    QVERIFY(fin.value.ok());
    QCOMPARE(int(fin.value->groups[0].role), int(GoroutineRole::FinalizerIdle));
    QCOMPARE(int(fin.value->groups[1].role), int(GoroutineRole::FinalizerRunning));

    // Go 1.24+ runs runtime.AddCleanup's functions on runtime.runCleanups
    // goroutines, which tracebacks show while they run a cleanup (and, with
    // GOTRACEBACK=system, while they wait).
    auto cleanups =
        parse("goroutine 7 [cleanup wait]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
              "\t/usr/local/go/src/runtime/proc.go:462 +0xce\nruntime.runCleanups()\n"
              "\t/usr/local/go/src/runtime/mcleanup.go:722 +0x8d\ncreated by "
              "runtime.(*cleanupQueue).createGs in goroutine 1\n"
              "\t/usr/local/go/src/runtime/mcleanup.go:672 +0xa5\n\n"
              "goroutine 8 [select, 2 minutes]:\nmain.(*pool).release(0xc000010000)\n"
              "\t/src/app/pool.go:41 +0x25\nruntime.runCleanups()\n"
              "\t/usr/local/go/src/runtime/mcleanup.go:760 +0x1b0\ncreated by "
              "runtime.(*cleanupQueue).createGs in goroutine 1\n"
              "\t/usr/local/go/src/runtime/mcleanup.go:672 +0xa5\n\n");
    QVERIFY(cleanups.value.ok());
    QCOMPARE(int(cleanups.value->groups[0].role), int(GoroutineRole::CleanupIdle));
    QCOMPARE(int(cleanups.value->groups[1].role), int(GoroutineRole::CleanupRunning));
    QCOMPARE(std::string(toString(GoroutineRole::CleanupRunning)), std::string("cleanup_running"));

    // Header annotations: leak verdict, scan, durable, minutes, lock,
    // synctest bubble, and labels inside (Go 1.26 tracebacklabels=1) or after
    // (Go 1.27) the brackets. None of them is part of the state.
    auto ann = parse("goroutine 20 [chan send (leaked), 3 minutes]:\n" + worker +
                     "\n"
                     "goroutine 21 [chan send (leaked) (scan), 5 minutes]:\n" +
                     worker +
                     "\n"
                     "goroutine 22 [chan receive (durable), synctest bubble 4]:\n" +
                     worker +
                     "\n"
                     "goroutine 23 [chan receive, locked to thread labels:{\"job\": \"a, b\", "
                     "\"n\": \"1\"}]:\n" +
                     worker +
                     "\n"
                     "goroutine 24 [chan receive] {test.iter: 0, test.name: X}:\n" +
                     worker +
                     "\n"
                     "goroutine 25 gp=0xc000007a40 m=nil [chan receive, 1 minutes]:\n" +
                     worker + "\n");
    QVERIFY(ann.value.ok());
    QCOMPARE(ann.value->goroutines.size(), size_t(6));
    std::map<std::string, int64_t> byState;
    int64_t leaked = 0;
    for (const auto& g : ann.value->groups) {
        byState[g.state + (g.leaked ? " leaked" : "")] += g.count;
        leaked += g.leaked ? g.count : 0;
    }
    QCOMPARE(leaked, int64_t(2));
    QCOMPARE(byState["chan send leaked"], int64_t(2));
    QCOMPARE(byState["chan receive"], int64_t(4));
    QCOMPARE(ann.value->goroutines[3].locked, true);
    QCOMPARE(ann.value->goroutines[0].waitMinutes, int64_t(3));

    // Elided frames, both ways the runtime says so.
    auto el = parse(
        "goroutine 30 [running]:\nmain.deep(...)\n\t/a.go:1\n...12 frames elided...\n"
        "main.top()\n\t/a.go:9 +0x1\n\n"
        "goroutine 31 [running]:\nmain.deep(...)\n\t/a.go:1\n...additional frames elided...\n\n");
    QVERIFY(el.value.ok());
    QVERIFY(el.value->groups[0].framesElided && el.value->groups[1].framesElided);
    QCOMPARE(el.value->groups[0].frames.size(), size_t(2));
    QVERIFY(el.value->warnings.empty());
}

// Two crashes of two processes in one log, then a SIGQUIT dump: each dump
// its own snapshot; log lines between them belong to no goroutine.
void TestGoroutines::severalDumpsInOneLog() {
    const std::string first =
        "panic: first boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/a/main.go:10 +0x1d\n"
        "exit status 2\n";
    const std::string second =
        "fatal error: all goroutines are asleep - deadlock!\n\n"
        "goroutine 1 [chan receive]:\nmain.main()\n\t/src/b/main.go:20 +0x1d\n\n"
        "goroutine 6 [select]:\nmain.loop()\n\t/src/b/main.go:30 +0x1d\n"
        "created by main.main in goroutine 1\n\t/src/b/main.go:19 +0x2f\n\n";
    const std::string third = "^\\SIGQUIT: quit\nPC=0x46d3a1 m=0 sigcode=128\n\n"
                              "goroutine 9 [IO wait]:\nmain.serve()\n\t/src/c/main.go:5 +0x1d\n\n";
    std::string log = "starting a\n" + first + "restarting\n" + second + "waiting\n" + third;
    std::vector<std::string> starts;
    std::vector<size_t> counts;
    for (uint64_t at = 0; at < log.size();) {
        uint64_t from = at;
        auto d = parseNextGoroutineDump(log, at);
        QVERIFY(d.ok());
        QVERIFY(at > from);
        starts.push_back(log.substr(size_t(from), 12));
        counts.push_back(d->goroutines.size());
    }
    QCOMPARE(counts, (std::vector<size_t>{1, 2, 1}));
    QCOMPARE(starts[1], std::string("fatal error:"));
    QCOMPARE(starts[2], std::string("^\\SIGQUIT: q"));
    // A panic's nested panics and panic() frames are not new dumps.
    std::string nested = "panic: a [recovered]\n\tpanic: b\n\ngoroutine 1 [running]:\n"
                         "panic({0x4a2f40, 0xc0000140a0})\n\t/go/src/runtime/panic.go:770 +0x132\n";
    uint64_t at = 0;
    QVERIFY(parseNextGoroutineDump(nested, at).ok());
    QCOMPARE(at, uint64_t(nested.size()));
    // A large log: the halves parsed at once still end the first dump where
    // the second report starts.
    std::string big;
    while (big.size() < (6u << 20))
        big += "goroutine 5 [select]:\nmain.loop()\n\t/src/a/main.go:3 +0x1\n\n";
    std::string two = big + "panic: second\n\n" + big;
    at = 0;
    auto d1 = parseNextGoroutineDump(two, at);
    QVERIFY(d1.ok());
    QCOMPARE(at, uint64_t(big.size()));
    auto d2 = parseNextGoroutineDump(two, at);
    QVERIFY(d2.ok());
    QCOMPARE(at, uint64_t(two.size()));
    QCOMPARE(d1->goroutines.size(), d2->goroutines.size());

    QTemporaryDir dir;
    QString path = dir.filePath("app.log");
    writeBytes(path, log);
    auto s = CaseStore::open(dir.filePath("g.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(path.toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.snapshotIds.size(), size_t(3));
    std::vector<int64_t> totals;
    for (SnapshotId id : o.snapshotIds) {
        int64_t n = 0;
        for (const auto& g : must((*s)->goroutineGroups(id)))
            n += g.count;
        totals.push_back(n);
    }
    QCOMPARE(totals, (std::vector<int64_t>{1, 2, 1}));
    // The same log compressed: the same three dumps.
    QString packed = dir.filePath("app.log.zst");
    writeBytes(packed, *zstdCompress(log + "\n"));
    auto z = (*s)->importFile(packed.toStdString(), {}, {});
    QCOMPARE(z.status, ImportStatus::Imported);
    QCOMPARE(z.snapshotIds.size(), size_t(3));
}

// The runtime stops a debug=2 dump at 64 MiB, usually mid-line, with no
// newline at the end. Such a dump imports with the cut line dropped and says
// goroutines are missing; a short file merely missing its last newline keeps
// its last line and says it may be cut.
void TestGoroutines::cutAtTheRuntimeCap() {
    std::string block = readText(dataPath("goroutines/goroutine_debug2_go119.txt"));
    if (block.back() != '\n')
        block += '\n';
    block += '\n';
    // Whole goroutines, blank lines (harmless between goroutines) to make
    // the size come out right, and the start of one more goroutine that
    // stops inside the line number of a frame's file line.
    const size_t cap = 64u << 20;
    size_t prefix = block.find(".go:") + 5;
    QVERIFY(prefix > 5);
    size_t whole = (cap - prefix) / block.size();
    std::string dumpText;
    dumpText.reserve(cap);
    for (size_t i = 0; i < whole; ++i)
        dumpText += block;
    dumpText.append(cap - prefix - dumpText.size(), '\n');
    dumpText += block.substr(0, prefix);
    QCOMPARE(dumpText.size(), size_t(cap));
    auto p = parse(dumpText);
    QVERIFY(p.value.ok());
    QVERIFY(p.value->truncated);
    bool capWarning = false;
    for (const auto& w : p.value->warnings)
        capWarning = capWarning || QString::fromStdString(w).contains("exactly 64 MiB");
    QVERIFY(capWarning);
    // Every frame read is one of the block's: none from the cut line.
    auto whole1 = parse(block);
    QVERIFY(whole1.value.ok());
    std::set<std::tuple<std::string, std::string, int64_t>> real;
    for (const auto& f : whole1.value->frames)
        real.insert({f.function, f.file, f.line});
    for (const auto& f : p.value->frames)
        QVERIFY2(real.count({f.function, f.file, f.line}),
                 (f.file + ":" + std::to_string(f.line)).c_str());
    QCOMPARE(p.value->goroutines.size() % whole1.value->goroutines.size(),
             size_t(1)); // the cut one counts

    std::string small = block.substr(0, block.find_last_not_of('\n') + 1); // no final newline
    auto q = parse(small);
    QVERIFY(q.value.ok());
    QVERIFY(!q.value->truncated);
    QVERIFY(QString::fromStdString(q.value->warnings.back()).contains("ends without a newline"));
    auto full = parse(block);
    QCOMPARE(q.value->frames.size(), full.value->frames.size());
}

// Tracebacks often survive only in logs, each line behind a prefix whose
// digits change: container logs (RFC 3339 time, stream, tag) or journald.
// The same traceback reads the same with the prefixes as without them.
void TestGoroutines::tracebackInALog() {
    for (const char* sample :
         {"goroutines/fatal_deadlock_go119.txt", "goroutines/goroutine_debug2_go119.txt"}) {
        std::string plain = readText(dataPath(sample));
        auto want = parse(plain);
        QVERIFY(want.value.ok());
        const bool fatal = plain.rfind("fatal error", 0) == 0;
        auto prefixed = [&](bool container) {
            std::string out;
            for (int i = 0; i < 40; ++i) // the service's own log lines first
                out +=
                    container
                        ? "2026-11-26T16:59:0" + std::to_string(i % 10) + ".5" + std::to_string(i) +
                              "Z stdout F request " + std::to_string(i) + " served\n"
                        : "Nov 26 16:59:0" + std::to_string(i % 10) +
                              " web-1 leakyapp[4242]: request " + std::to_string(i) + " served\n";
            std::istringstream in(plain);
            int n = 0;
            for (std::string line; std::getline(in, line); ++n) {
                std::string digits = std::to_string(1000 + n * 37); // a varying fraction or pid
                out += container ? "2026-11-26T16:59:09." + digits + "Z stderr F " + line + "\n"
                                 : "Nov 26 16:59:" + std::to_string(10 + n % 50) +
                                       " web-1 leakyapp[4242]: " + line + "\n";
            }
            return out;
        };
        for (bool container : {true, false}) {
            std::string text = prefixed(container);
            QVERIFY(looksLikeGoroutineDump(text.substr(0, 65536)));
            auto got = parse(text);
            QVERIFY(got.value.ok());
            const GoroutineDump &a = *want.value, &b = *got.value;
            QCOMPARE(b.goroutines.size(), a.goroutines.size());
            QCOMPARE(b.groups.size(), a.groups.size());
            for (size_t i = 0; i < a.groups.size(); ++i) {
                QCOMPARE(b.groups[i].state, a.groups[i].state);
                QCOMPARE(b.groups[i].frames, a.groups[i].frames);
                QCOMPARE(b.groups[i].count, a.groups[i].count);
                QCOMPARE(int(b.groups[i].role),
                         int(a.groups[i].role)); // a log's lines are no crash report
            }
            QCOMPARE(b.frames.size(), a.frames.size());
            for (size_t i = 0; i < a.frames.size(); ++i) {
                QCOMPARE(b.frames[i].function, a.frames[i].function);
                QCOMPARE(b.frames[i].file, a.frames[i].file);
            }
            // The preamble ends with the fatal error, its prefix gone.
            if (fatal)
                QVERIFY2(QString::fromStdString(b.preamble)
                             .contains("fatal error: all goroutines are asleep"),
                         b.preamble.c_str());
            QVERIFY(b.preamble.find("stderr F") == std::string::npos &&
                    b.preamble.find("leakyapp[") == std::string::npos);
        }
    }
    // A log that merely mentions a goroutine is not a dump.
    QVERIFY(!looksLikeGoroutineDump("Nov 26 16:59:01 web-1 app[1]: goroutine 7 [running]:\n"
                                    "Nov 26 16:59:01 web-1 app[1]: request served\n"));
}

QTEST_GUILESS_MAIN(TestGoroutines)
#include "test_goroutines.moc"
