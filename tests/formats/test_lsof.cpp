// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/series/series.h"
#include "formats/fds/lsof.h"
#include "io/input.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>
#include <map>
#include <set>
#include <sstream>

using namespace memscope;
using namespace memscope::test;

namespace {

Parsed<FdSnapshot> parseFile(const QString& rel, bool fields) {
    return parseWith<FdSnapshot>(readText(dataPath(rel)), fields ? parseLsofFields : parseLsofText);
}

const FdEntry* byFd(const FdSnapshot& s, const std::string& fd) {
    for (const auto& e : s.fds)
        if (e.fd == fd)
            return &e;
    return nullptr;
}

std::map<std::string, int> clientSocketsPerHost(const FdSnapshot& s) {
    std::set<int64_t> listening;
    for (const auto& e : s.fds)
        if (e.state == "LISTEN")
            listening.insert(e.localPort);
    std::map<std::string, int> out;
    for (const auto& e : s.fds)
        if (e.protocol == "TCP" && !e.remoteAddr.empty() && !listening.count(e.localPort))
            ++out[e.remoteAddr];
    return out;
}

} // namespace

class TestLsof : public QObject {
    Q_OBJECT
private slots:
    void columnsOutOfLine();
    void textSample();
    void fdZooText();
    void fieldsMatchText_data();
    void fieldsMatchText();
    void countsMatchIndependentCount();
    void queueSizesInState();
    void brokenInputs();
    void socketsPerHostSeries();
};

void TestLsof::textSample() {
    auto p = parseFile("lsof/lsof_p_go119.txt", false);
    QVERIFY(p.value.ok());
    QCOMPARE(p.value->pid, int64_t(13942));
    QCOMPARE(p.value->command, std::string("memdemo"));
    const auto* listen = byFd(*p.value, "8u");
    QVERIFY(listen);
    QCOMPARE(listen->state, std::string("LISTEN"));
    QCOMPARE(listen->localPort, int64_t(37687));
    const auto* conn = byFd(*p.value, "11u");
    QVERIFY(conn);
    QCOMPARE(conn->protocol, std::string("TCP"));
    QCOMPARE(conn->localAddr, std::string("127.0.0.1"));
    QCOMPARE(conn->localPort, int64_t(35398));
    QCOMPARE(conn->remoteAddr, std::string("127.0.0.1"));
    QCOMPARE(conn->remotePort, int64_t(37687));
    QCOMPARE(conn->state, std::string("ESTABLISHED"));
    QCOMPARE(byFd(*p.value, "4r")->type, std::string("FIFO"));
}

void TestLsof::fdZooText() {
    auto p = parseFile("lsof/lsof_fdzoo.txt", false);
    QVERIFY(p.value.ok());
    const auto* udp = byFd(*p.value, "3u");
    QCOMPARE(udp->protocol, std::string("UDP"));
    QCOMPARE(udp->localPort, int64_t(50857));
    QVERIFY(udp->remoteAddr.empty());
    const auto* v6 = byFd(*p.value, "7u");
    QCOMPARE(v6->localAddr, std::string("::1"));
    QCOMPARE(v6->remotePort, int64_t(39421));
    QCOMPARE(v6->state, std::string("ESTABLISHED"));
    const auto* unixSock = byFd(*p.value, "9u");
    QCOMPARE(unixSock->type, std::string("unix"));
    QCOMPARE(unixSock->name, std::string("/home/dev/srcs/go/fdzoo.sock type=STREAM (LISTEN)"));
    QCOMPARE(byFd(*p.value, "15w")->name,
             std::string("/home/dev/srcs/go/deleted-log.txt (deleted)"));
}

void TestLsof::fieldsMatchText_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("fields");
    QTest::newRow("fdzoo") << "lsof/lsof_fdzoo.txt"
                           << "lsof/lsof_fdzoo_F.txt";
    QTest::newRow("fdzoo -F0") << "lsof/lsof_fdzoo.txt"
                               << "lsof/lsof_fdzoo_F0.bin";
}

void TestLsof::fieldsMatchText() {
    QFETCH(QString, text);
    QFETCH(QString, fields);
    auto t = parseFile(text, false);
    auto f = parseFile(fields, true);
    QVERIFY(t.value.ok());
    QVERIFY2(f.value.ok(), f.value.ok() ? "" : f.value.error().toString().c_str());
    QCOMPARE(f.value->pid, t.value->pid);
    // Same sockets, same endpoints and states, whichever way lsof printed them.
    std::map<std::string, std::string> a, b;
    for (const auto& e : t.value->fds)
        if (!e.protocol.empty())
            a[e.fd] = e.protocol + " " + e.localAddr + ":" + std::to_string(e.localPort) + " " +
                      e.remoteAddr + ":" + std::to_string(e.remotePort) + " " + e.state;
    for (const auto& e : f.value->fds)
        if (!e.protocol.empty())
            b[e.fd] = e.protocol + " " + e.localAddr + ":" + std::to_string(e.localPort) + " " +
                      e.remoteAddr + ":" + std::to_string(e.remotePort) + " " + e.state;
    QVERIFY(!a.empty());
    QCOMPARE(b, a);
    QCOMPARE(clientSocketsPerHost(*f.value), clientSocketsPerHost(*t.value));
}

void TestLsof::countsMatchIndependentCount() {
    // The corpus's text and -F captures are two lsof runs a moment apart (the
    // leak adds sockets in between), so each is checked on its own.
    auto t = parseFile("lsof/lsof-004-20261126T165909Z.txt", false);
    auto f = parseFile("lsof/lsof-004-20261126T165909Z.lsofF", true);
    QVERIFY(t.value.ok() && f.value.ok());
    auto countLines = [](const std::string& text, const std::string& needle, bool prefix) {
        int n = 0;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
            n += prefix ? line.rfind(needle, 0) == 0 : line.find(needle) != std::string::npos;
        return n;
    };
    auto tcp = [](const FdSnapshot& s) {
        int n = 0;
        for (const auto& e : s.fds)
            n += e.protocol == "TCP";
        return n;
    };
    QCOMPARE(tcp(*t.value), countLines(t.text, " TCP ", false));
    QCOMPARE(tcp(*f.value), countLines(f.text, "PTCP", true));
    QCOMPARE(int(f.value->fds.size()), countLines(f.text, "f", true));
    QCOMPARE(int(t.value->fds.size()), countLines(t.text, "leakyapp ", true));
}

void TestLsof::queueSizesInState() {
    auto p = parseFile("lsof/lsof_p_Tqs.txt", false);
    QVERIFY(p.value.ok());
    int established = 0;
    for (const auto& e : p.value->fds)
        established += e.state == "ESTABLISHED";
    QVERIFY(established > 0); // "(ESTABLISHED QR=0 QS=0)" reads as ESTABLISHED
}

void TestLsof::brokenInputs() {
    std::string bad = "COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME\nshort\n";
    auto s = openStream(bad);
    auto r = parseLsofText(*s);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().line.value_or(0), uint64_t(2));
    std::string noProc = "x\ny\n";
    auto s2 = openStream(noProc);
    QVERIFY(!parseLsofFields(*s2).ok());
    QVERIFY(!looksLikeLsofFields("pxyz\n"));
    QVERIFY(looksLikeLsofFields("p13942\ncmemdemo\n"));
}

void TestLsof::socketsPerHostSeries() {
    QTemporaryDir dir;
    auto s = CaseStore::open(dir.filePath("l.memscope").toStdString());
    QVERIFY(s.ok());
    auto o =
        (*s)->importFile(dataPath("lsof/lsof-004-20261126T165909Z.lsofF").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.format, std::string("lsof_fields"));
    QCOMPARE(must((*s)->targets()).at(0).name, std::string("leakyapp"));
    auto f = parseFile("lsof/lsof-004-20261126T165909Z.lsofF", true);
    auto expected = clientSocketsPerHost(*f.value);
    QCOMPARE(expected.size(), size_t(3)); // three backends
    int found = 0;
    for (const auto& series : must(fdSeries(**s)))
        if (series.metric == "tcp_sockets" && series.labels.count("host")) {
            ++found;
            QCOMPARE(int(series.points.at(0).value), expected.at(series.labels.at("host")));
        }
    QCOMPARE(found, 3);
}

// Rows that do not line up with the header (edited by hand, a long DEVICE or
// NODE): read by content, TCP sockets kept, and a warning for each kind of
// doubt instead of rows lost in silence.
void TestLsof::columnsOutOfLine() {
    std::string text =
        "COMMAND   PID USER   FD      TYPE DEVICE SIZE/OFF     NODE NAME\n"
        "memdemo 13942 root  cwd       DIR  254,0     4096 10953411 /home/dev/srcs/go/memdemo\n"
        "memdemo 13942 root    8u     IPv4  78768      0t0      TCP 127.0.0.1:37687 (LISTEN)\n"
        // NAME pushed right by a long DEVICE, and pulled left by trimmed spaces
        "memdemo 13942 root   11u     IPv4  0xffff8f3c4a2b1c00      0t0      TCP "
        "127.0.0.1:35398->127.0.0.2:37687 (ESTABLISHED)\n"
        "memdemo 13942 root 12u IPv6 78790 0t0 TCP [::1]:40100->[::1]:8080 (CLOSE_WAIT)\n"
        "memdemo 13942 root 13r REG 254,0 52 10953974 /tmp/out.txt\n"
        "memdemo 13942\n";
    auto s = openStream(text);
    auto r = parseLsofText(*s);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
    QCOMPARE(r->fds.size(), size_t(5));
    std::map<std::string, const FdEntry*> byFd;
    for (const auto& e : r->fds)
        byFd[e.fd] = &e;
    QCOMPARE(byFd["11u"]->protocol, std::string("TCP"));
    QCOMPARE(byFd["11u"]->remoteAddr, std::string("127.0.0.2"));
    QCOMPARE(byFd["11u"]->remotePort, int64_t(37687));
    QCOMPARE(byFd["11u"]->state, std::string("ESTABLISHED"));
    QCOMPARE(byFd["12u"]->protocol, std::string("TCP"));
    QCOMPARE(byFd["12u"]->localPort, int64_t(40100));
    QCOMPARE(byFd["12u"]->state, std::string("CLOSE_WAIT"));
    QCOMPARE(byFd["8u"]->state, std::string("LISTEN"));
    QCOMPARE(byFd["13r"]->name, std::string("/tmp/out.txt"));
    QCOMPARE(byFd["cwd"]->name, std::string("/home/dev/srcs/go/memdemo"));
    QCOMPARE(r->warnings.size(), size_t(2));
    QVERIFY(QString::fromStdString(r->warnings[0]).contains("1 rows with fewer columns"));
    QVERIFY(QString::fromStdString(r->warnings[1]).contains("line 6"));
}

QTEST_GUILESS_MAIN(TestLsof)
#include "test_lsof.moc"
