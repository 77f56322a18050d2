// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/series/series.h"
#include "import/importer.h"
#include "io/input.h"
#include "ss_parser.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>

using namespace memscope;
using namespace memscope::test;

namespace {

Parsed<FdSnapshot> parseSs(const QString& rel) {
    return parseWith<FdSnapshot>(readText(dataPath(rel)), ss::parse);
}

const FdEntry* byFd(const FdSnapshot& s, const std::string& fd) {
    for (const auto& e : s.fds)
        if (e.fd == fd)
            return &e;
    return nullptr;
}

} // namespace

class TestPlugins : public QObject {
    Q_OBJECT
private slots:
    void ssTanp();
    void ssFilteredWithInfoLines();
    void ssIpv6AndUdp();
    void ssUnix();
    void ssBroken();
    void pluginWithoutManifestOrForAnotherAbiIsNotLoaded();
    void pluginLoadsAndImportsIntoSocketTables();
};

void TestPlugins::ssTanp() {
    auto p = parseSs("ss/ss_tanp_memdemo.txt");
    QVERIFY(p.value.ok());
    QCOMPARE(p.value->pid, int64_t(13942));
    QCOMPARE(p.value->command, std::string("memdemo"));
    const auto* listen = byFd(*p.value, "8");
    QVERIFY(listen);
    QCOMPARE(listen->state, std::string("LISTEN"));
    QCOMPARE(listen->localPort, int64_t(37687));
    QVERIFY(listen->remoteAddr.empty());
    const auto* c = byFd(*p.value, "11");
    QCOMPARE(c->state, std::string("ESTABLISHED")); // ss says ESTAB
    QCOMPARE(c->protocol, std::string("TCP"));
    QCOMPARE(c->remotePort, int64_t(37687));
}

void TestPlugins::ssFilteredWithInfoLines() {
    // `ss -tanpi state established`: no State column, tab-indented info lines.
    auto p = parseSs("ss/ss_established_info.txt");
    QVERIFY2(p.value.ok(), p.value.ok() ? "" : p.value.error().toString().c_str());
    QVERIFY(byFd(*p.value, "11"));
    QCOMPARE(byFd(*p.value, "11")->localPort, int64_t(35398));
    for (const auto& e : p.value->fds)
        QVERIFY(e.name.find("bbr") == std::string::npos);
}

void TestPlugins::ssIpv6AndUdp() {
    auto v6 = parseSs("ss/ss_tanp_fdzoo_ipv6.txt");
    QVERIFY(v6.value.ok());
    const auto* e = byFd(*v6.value, "7");
    QCOMPARE(e->type, std::string("IPv6"));
    QCOMPARE(e->localAddr, std::string("::1"));
    QCOMPARE(e->remotePort, int64_t(39421));
    auto udp = parseSs("ss/ss_uanp_fdzoo.txt");
    QVERIFY(udp.value.ok());
    QCOMPARE(byFd(*udp.value, "3")->protocol, std::string("UDP"));
    QCOMPARE(byFd(*udp.value, "5")->remotePort, int64_t(50857));
}

void TestPlugins::ssUnix() {
    auto p = parseSs("ss/ss_xanp_fdzoo.txt");
    QVERIFY(p.value.ok());
    QCOMPARE(p.value->pid, int64_t(18104));
    const auto* l = byFd(*p.value, "9");
    QVERIFY(l);
    QCOMPARE(l->type, std::string("unix"));
    QCOMPARE(l->name, std::string("/home/dev/srcs/go/fdzoo.sock"));
    QVERIFY(l->protocol.empty());
}

void TestPlugins::ssBroken() {
    std::string text = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\nESTAB x y z\n";
    auto s = openStream(text);
    auto r = ss::parse(*s);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().line.value_or(0), uint64_t(2));
    QVERIFY(!ss::looksLikeSs("COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME\n"));
}

void TestPlugins::pluginWithoutManifestOrForAnotherAbiIsNotLoaded() {
    auto& reg = ImporterRegistry::instance();
    const QString module = QStringLiteral(MEMSCOPE_PLUGIN_BUILD_DIR "/memscope_ss.so");
    QVERIFY(QFile::exists(module));
    QTemporaryDir none, other;
    QVERIFY(QFile::copy(module, none.filePath("memscope_ss.so")));
    QVERIFY(QFile::copy(module, other.filePath("memscope_ss.so")));
    QFile manifest(other.filePath("memscope_ss.json"));
    QVERIFY(manifest.open(QIODevice::WriteOnly));
    manifest.write("{\"name\": \"memscope_ss\", \"abi\": 1}");
    manifest.close();
    auto log = reg.loadPlugins({none.path().toStdString(), other.path().toStdString()});
    QCOMPARE(log.size(), size_t(2));
    QVERIFY2(log[0].find("skipped, no manifest memscope_ss.json") != std::string::npos,
             log[0].c_str());
    QVERIFY2(log[1].find("skipped, built for plugin ABI 1, this memscope loads ABI " +
                         std::to_string(kImporterAbi)) != std::string::npos,
             log[1].c_str());
    std::string sample = readText(dataPath("ss/ss_tanp_memdemo.txt"));
    QVERIFY(!reg.detect(sample) || reg.detect(sample)->format() != "ss");
}

void TestPlugins::pluginLoadsAndImportsIntoSocketTables() {
    auto& reg = ImporterRegistry::instance();
    std::string sample = readText(dataPath("ss/ss_tanp_memdemo.txt"));
    QVERIFY(!reg.detect(sample) || reg.detect(sample)->format() != "ss"); // not built in
    auto log = reg.loadPlugins({MEMSCOPE_PLUGIN_BUILD_DIR});
    QVERIFY2(!log.empty() && log.front().find("loaded importer ss") != std::string::npos,
             log.empty() ? "no plugin found" : log.front().c_str());
    QVERIFY(reg.detect(sample) && reg.detect(sample)->format() == "ss");
    QTemporaryDir dir;
    auto s = CaseStore::open(dir.filePath("ss.memscope").toStdString());
    QVERIFY(s.ok());
    auto o = (*s)->importFile(dataPath("ss/ss_tanp_memdemo.txt").toStdString(), {}, {});
    QCOMPARE(o.status, ImportStatus::Imported);
    QCOMPARE(o.format, std::string("ss"));
    QCOMPARE(must((*s)->targets()).at(0).name, std::string("memdemo"));
    QCOMPARE(must((*s)->targets()).at(0).pid, int64_t(13942));
    bool established = false;
    for (const auto& series : must(fdSeries(**s)))
        if (series.key() == "tcp_sockets{state=ESTABLISHED}")
            established = series.points.at(0).value > 0;
    QVERIFY(established);
}

QTEST_GUILESS_MAIN(TestPlugins)
#include "test_plugins.moc"
