// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/escape/escape_notes.h"
#include "io/input.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>

using namespace memscope;
using namespace memscope::test;

namespace {

Parsed<std::vector<EscapeNote>> parse(std::string text) {
    return parseWith<std::vector<EscapeNote>>(std::move(text), parseEscapeNotes);
}

const EscapeNote* find(const std::vector<EscapeNote>& v, const std::string& file, int64_t line,
                       const std::string& kind) {
    for (const auto& n : v)
        if (n.file == file && n.line == line && n.kind == kind)
            return &n;
    return nullptr;
}

} // namespace

class TestEscape : public QObject {
    Q_OBJECT
private slots:
    void levelOne();
    void levelTwoGroupsExplanations();
    void positionsInsideMessagesAndWindowsPaths();
    void joinsWithProfileSites();
};

void TestEscape::levelOne() {
    auto p = parse(readText(dataPath("escape/escape_m1_go119.txt")));
    QVERIFY(p.value.ok());
    // ./esc.go under "# escape" becomes escape/esc.go, like profile paths built with -trimpath.
    QVERIFY(find(*p.value, "escape/esc.go", 9, "inline"));
    size_t heap = 0;
    for (const auto& n : *p.value)
        heap += n.kind == "moved_to_heap";
    QVERIFY(heap >= 1);
}

void TestEscape::levelTwoGroupsExplanations() {
    auto p = parse(readText(dataPath("escape/escape_m2_go119.txt")));
    QVERIFY(p.value.ok());
    // "p escapes to heap:" heads a block of flow lines at the same position.
    bool withDetail = false;
    for (const auto& n : *p.value)
        if (n.kind == "escapes" && n.detail.find("flow:") != std::string::npos)
            withDetail = true;
    QVERIFY(withDetail);
    for (const auto& n : *p.value)
        QVERIFY2(n.message.rfind("  ", 0) != 0, n.message.c_str()); // no stray explanation notes
}

void TestEscape::positionsInsideMessagesAndWindowsPaths() {
    auto p = parse("# app\n"
                   "C:\\src\\app\\x.go:10:2: moved to heap: p\n"
                   "./esc.go:11:9: &p escapes to heap at ./esc.go:11:2\n");
    QVERIFY(p.value.ok());
    QCOMPARE((*p.value)[0].file, std::string("C:\\src\\app\\x.go"));
    QCOMPARE((*p.value)[0].line, int64_t(10));
    QCOMPARE((*p.value)[1].file, std::string("app/esc.go"));
    QCOMPARE((*p.value)[1].column, int64_t(9));
    QCOMPARE((*p.value)[1].message, std::string("&p escapes to heap at ./esc.go:11:2"));
    auto none = parse("hello\n");
    QVERIFY(!none.value.ok());
    QVERIFY(!looksLikeEscapeNotes("heap profile: 1: 2 [3: 4] @ heap/1048576\n"));
}

void TestEscape::joinsWithProfileSites() {
    QTemporaryDir dir;
    auto s = CaseStore::open(dir.filePath("e.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(demoPath("build-gcflags-m.txt").toStdString(), {}, {});
    QCOMPARE(o.format, std::string("escape"));
    // The leaking service builds an http.Client per request at main.go:135.
    auto notes = must((*s)->escapeNotes("leakyapp/main.go", 135));
    bool client = false;
    for (const auto& n : notes)
        client =
            client || (n.kind == "escapes" && n.message.find("http.Client") != std::string::npos);
    QVERIFY(client);
    // A longer or shorter path finds the same notes.
    QCOMPARE(must((*s)->escapeNotes("/home/dev/leakyapp/main.go", 135)).size(), notes.size());
    QCOMPARE(must((*s)->escapeNotes("main.go", 135)).size(), notes.size());
    QVERIFY(must((*s)->escapeNotes("other/main.go", 135)).empty());
}

QTEST_GUILESS_MAIN(TestEscape)
#include "test_escape.moc"
