// SPDX-License-Identifier: GPL-3.0-or-later
// Case files as untrusted input: a small real case is built from tests/data,
// then tampered with through SQLite directly (a trigger, a view, a foreign
// table, out-of-range ids, a WAL-only payload, a damaged dominator tree, a
// stack trie with a cycle, a huge annotation, a blob claiming a huge graph).
// Opening and reading must end in an error naming the table and row, or the
// foreign object: never a crash, a hang, or SQL from the file running.
#include "formats/heapdump/heapdump.h"
#include "io/input.h"
#include "store/case_store.h"
#include "store/case_validate.h"
#include "store/db.h"
#include "testutil.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <cstring>
#include <sqlite3.h>

using namespace memscope;
using namespace memscope::test;

namespace {

using Run = CliRun;
CliRun memscopeRun(const QStringList& args, int timeoutMs = 60000) {
    return runMemscope(args, timeoutMs);
}

// A plain SQLite connection, as anyone crafting a case would use: none of
// memscope's hardening.
class RawDb {
public:
    explicit RawDb(const QString& path) {
        if (sqlite3_open(path.toUtf8().constData(), &m_db) != SQLITE_OK)
            qFatal("cannot open %s", qPrintable(path));
    }
    ~RawDb() { sqlite3_close(m_db); }
    bool exec(const QString& sql) {
        char* msg = nullptr;
        int rc = sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &msg);
        if (rc != SQLITE_OK)
            qWarning("sqlite: %s in %s", msg ? msg : "?", qPrintable(sql.left(200)));
        sqlite3_free(msg);
        return rc == SQLITE_OK;
    }
    int64_t scalar(const QString& sql) {
        sqlite3_stmt* st = nullptr;
        int64_t v = -1;
        if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    }
    bool setBlob(const QString& sql, const std::string& blob) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &st, nullptr) != SQLITE_OK)
            return false;
        sqlite3_bind_blob64(st, 1, blob.data(), blob.size(), SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        return rc == SQLITE_DONE;
    }
    std::string blob(const QString& sql) {
        sqlite3_stmt* st = nullptr;
        std::string out;
        if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &st, nullptr) == SQLITE_OK)
            while (sqlite3_step(st) == SQLITE_ROW)
                out.append(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                           size_t(sqlite3_column_bytes(st, 0)));
        sqlite3_finalize(st);
        return out;
    }

private:
    sqlite3* m_db = nullptr;
};

// Where the dominator array sits in a decoded heap graph blob (the layout
// encodeHeapGraph writes).
size_t idomOffset(const std::string& raw) {
    size_t pos = 8;
    auto vec = [&](size_t elem) {
        uint64_t n = 0;
        std::memcpy(&n, raw.data() + pos, 8);
        pos += 8 + n * elem;
    };
    vec(8); // addr
    vec(4); // size
    vec(8); // huge sizes
    vec(4); // edgeStart
    vec(4); // edges
    uint64_t roots = 0;
    std::memcpy(&roots, raw.data() + pos, 8);
    pos += 8;
    for (uint64_t r = 0; r < roots; ++r) {
        pos += 1;
        for (int s = 0; s < 2; ++s) {
            uint32_t len = 0;
            std::memcpy(&len, raw.data() + pos, 4);
            pos += 4 + len;
        }
        pos += 8;
    }
    vec(4);         // rootEdgeStart
    vec(4);         // rootEdges
    return pos + 8; // idom's elements
}

std::string decoded(const QString& rel) {
    auto z = zstdDecompress(readText(dataPath(rel)), uint64_t(1) << 30);
    return z.ok() ? *z : std::string();
}

QByteArray sha(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestCaseFiles : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanCaseOpensAndReads();
    void foreignSchemaObjectsAreRefused_data();
    void foreignSchemaObjectsAreRefused();
    void triggerNeverRunsOnAnnotate();
    void recursiveViewNeverRuns();
    void outOfRangeRowsAreErrors_data();
    void outOfRangeRowsAreErrors();
    void walOnlyPayloadIsSeen();
    void snapshotOfNoProgram();
    void damagedDominatorTree_data();
    void damagedDominatorTree();
    void blobClaimingAHugeGraph();
    void rowClaimingAHugeGraph();
    void stackTrieCycle();
    void hugeAnnotation();
    void readCommandsDoNotWrite();
    void missingAndEmptyFiles();
    void readOnlyFolder();

private:
    // A fresh copy of the base case to tamper with.
    QString copyCase(const QString& name);
    QTemporaryDir m_dir;
    QString m_base;
    SnapshotId m_dump, m_profile;
};

void TestCaseFiles::initTestCase() {
    m_base = m_dir.filePath("base.memscope");
    writeBytes(m_dir.filePath("heapgraph-dump.bin"), decoded("heapdump/heapgraph-dump.bin.zst"));
    auto s = CaseStore::open(m_base.toStdString());
    QVERIFY(s.ok());
    for (const QString& f : {demoPath("heap-001-20261126T165901Z.pb.gz"),
                             dataPath("goroutines/goroutine_debug2_go119.txt"),
                             m_dir.filePath("heapgraph-dump.bin")}) {
        auto o = (*s)->importFile(f.toStdString(), {}, {});
        QVERIFY2(o.status == ImportStatus::Imported, o.error ? o.error->toString().c_str() : "");
        if (o.format == "heapdump")
            m_dump = o.snapshotIds.at(0);
        if (o.format == "pprof")
            m_profile = o.snapshotIds.at(0);
    }
    QVERIFY(m_dump.value > 0 && m_profile.value > 0);
    // Closing the only connection checkpoints the log into the file.
}

QString TestCaseFiles::copyCase(const QString& name) {
    QString path = m_dir.filePath(name);
    QFile::remove(path);
    QFile::remove(path + "-wal");
    QFile::remove(path + "-shm");
    if (!QFile::copy(m_base, path))
        qFatal("cannot copy the base case");
    QFile(path).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return path;
}

void TestCaseFiles::cleanCaseOpensAndReads() {
    QString path = copyCase("clean.memscope");
    for (bool readOnly : {true, false}) {
        auto s = CaseStore::open(path.toStdString(), readOnly);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        auto g = (*s)->loadHeapGraph(m_dump);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().toString().c_str());
        QVERIFY(g->graph.objects() > 1000);
        QVERIFY(!must((*s)->heapDumpSites(m_dump)).empty());
        QVERIFY(!must((*s)->heapDumpRootSites(m_dump)).empty());
        auto p = (*s)->loadProfile(m_profile);
        QVERIFY(p.ok());
        QVERIFY(!p->samples.empty());
    }
}

void TestCaseFiles::foreignSchemaObjectsAreRefused_data() {
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("named");
    QTest::newRow("trigger")
        << "CREATE TRIGGER wipe AFTER INSERT ON annotations BEGIN DELETE FROM heapdumps; END"
        << "foreign trigger wipe (on annotations)";
    QTest::newRow("import trigger")
        << "CREATE TRIGGER stall BEFORE INSERT ON sources BEGIN"
           " SELECT count(*) FROM stacks a, stacks b, stacks c, stacks d; END"
        << "foreign trigger stall (on sources)";
    QTest::newRow("view") << "CREATE VIEW v AS SELECT * FROM snapshots"
                          << "foreign view v";
    QTest::newRow("table") << "CREATE TABLE extra(x)"
                           << "foreign table extra";
    QTest::newRow("index") << "CREATE INDEX sneaky ON annotations(text)"
                           << "foreign index sneaky (on annotations)";
    QTest::newRow("changed table") << "DROP TABLE findings; CREATE TABLE findings(id INTEGER "
                                      "PRIMARY KEY, kind TEXT, severity TEXT,"
                                      " title TEXT, body TEXT DEFAULT (zeroblob(1000000000)))"
                                   << "table findings is defined differently";
    QTest::newRow("trigger in an older case")
        << "PRAGMA user_version=7; CREATE TRIGGER early AFTER UPDATE ON sources BEGIN DELETE FROM "
           "stacks; END"
        << "foreign trigger early (on sources)";
    QTest::newRow("missing index") << "DROP INDEX snapshots_by_kind_time"
                                   << "index snapshots_by_kind_time is missing";
}

void TestCaseFiles::foreignSchemaObjectsAreRefused() {
    QFETCH(QString, sql);
    QFETCH(QString, named);
    QString path = copyCase("foreign.memscope");
    QVERIFY(RawDb(path).exec(sql));
    for (bool readOnly : {true, false}) {
        auto s = CaseStore::open(path.toStdString(), readOnly);
        QVERIFY(!s.ok());
        QVERIFY2(QString::fromStdString(s.error().message).contains(named),
                 s.error().message.c_str());
        QCOMPARE(s.error().file, path.toStdString());
    }
    // Import refuses too, before its first statement could fire anything.
    QElapsedTimer t;
    t.start();
    Run r = memscopeRun({"import", path, dataPath("pprof/heap_go119.pb.gz")});
    QVERIFY(r.finished);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(named), qPrintable(r.err));
    QVERIFY(t.elapsed() < 30000);
}

void TestCaseFiles::triggerNeverRunsOnAnnotate() {
    QString path = copyCase("trigger.memscope");
    int64_t dumps = 0;
    {
        RawDb raw(path);
        dumps = raw.scalar("SELECT count(*) FROM heapdumps");
        QVERIFY(dumps > 0);
        QVERIFY(
            raw.exec("CREATE TRIGGER wipe AFTER INSERT ON annotations BEGIN DELETE FROM heapdumps;"
                     " INSERT INTO meta VALUES('pwned', 'yes'); END"));
    }
    Run r = memscopeRun({"annotate", path, "--at", "1795712341", "--text", "hello"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("foreign trigger wipe"), qPrintable(r.err));
    // Below CaseStore too: a connection of ours never fires the file's triggers.
    {
        Db db;
        QVERIFY(db.open(path.toStdString(), false, false).ok());
        QVERIFY(
            db.exec("INSERT INTO annotations(start_ns, text, created_ns) VALUES(1, 'x', 1)").ok());
    }
    RawDb raw(path);
    QCOMPARE(raw.scalar("SELECT count(*) FROM heapdumps"), dumps);
    QCOMPARE(raw.scalar("SELECT count(*) FROM meta WHERE key = 'pwned'"), int64_t(0));
}

void TestCaseFiles::recursiveViewNeverRuns() {
    QString path = copyCase("view.memscope");
    QVERIFY(RawDb(path).exec(
        "CREATE VIEW forever AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1"
        " FROM r) SELECT x FROM r"));
    QElapsedTimer t;
    t.start();
    Run r = memscopeRun({"info", path}, 30000);
    QVERIFY(r.finished);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("foreign view forever"), qPrintable(r.err));
    // Views are off in our connections: querying one is an error, not a hang.
    Db db;
    QVERIFY(db.open(path.toStdString(), true, false).ok());
    Stmt s(db, "SELECT count(*) FROM forever");
    QVERIFY(!s.valid() || s.step() == Step::Failed);
    QVERIFY(t.elapsed() < 30000);
}

void TestCaseFiles::outOfRangeRowsAreErrors_data() {
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("detail");
    QString firstSite = "(SELECT min(rowid) FROM heapdump_sites)";
    QString firstEdge = "(SELECT min(rowid) FROM heapdump_root_sites)";
    QTest::newRow("bucket -1") << "UPDATE heapdump_sites SET bucket = -1 WHERE rowid = " + firstSite
                               << "table heapdump_sites, row"
                               << "bucket -1 is not one of the dump's";
    QTest::newRow("bucket 4e12")
        << "UPDATE heapdump_sites SET bucket = 4000000000000 WHERE rowid = " + firstSite
        << "table heapdump_sites, row"
        << "bucket 4000000000000";
    QTest::newRow("bucket text") << "UPDATE heapdump_sites SET bucket = 'x' WHERE rowid = " +
                                        firstSite
                                 << "table heapdump_sites, row"
                                 << "bucket x";
    QTest::newRow("duplicate bucket") << "UPDATE heapdump_sites SET bucket = 0 WHERE rowid = "
                                         "(SELECT max(rowid) FROM heapdump_sites)"
                                      << "table heapdump_sites, row"
                                      << "bucket 0 appears more than once";
    QTest::newRow("root_idx 1e8")
        << "UPDATE heapdump_root_sites SET root_idx = 100000000 WHERE rowid = " + firstEdge
        << "table heapdump_root_sites, row"
        << "root_idx 100000000";
    QTest::newRow("root site bucket")
        << "UPDATE heapdump_root_sites SET bucket = -7 WHERE rowid = " + firstEdge
        << "table heapdump_root_sites, row"
        << "bucket -7";
    QTest::newRow("root idx") << "UPDATE heapdump_roots SET idx = -2 WHERE rowid = (SELECT "
                                 "min(rowid) FROM heapdump_roots)"
                              << "table heapdump_roots, row"
                              << "idx -2";
    QTest::newRow("roots count") << "UPDATE heapdumps SET roots = -1"
                                 << "table heapdumps, row for snapshot"
                                 << "roots -1";
    QTest::newRow("sample types") << "UPDATE sample_types SET idx = idx + 5"
                                  << "table sample_types, rows of snapshot"
                                  << "numbered 5..";
    // Views and readers switch on a snapshot's kind and a group's role: a
    // name memscope does not know is damage, not a new kind to skip.
    QTest::newRow("snapshot kind") << "UPDATE snapshots SET kind = 'heapz' WHERE id = "
                                      "(SELECT min(id) FROM snapshots)"
                                   << "table snapshots, row id"
                                   << "kind 'heapz' is not one memscope knows";
    QTest::newRow("goroutine role") << "UPDATE goroutine_groups SET role = 'http_client_loop'"
                                       " WHERE idx = 0"
                                    << "table goroutine_groups, row of snapshot"
                                    << "role 'http_client_loop' is not one memscope knows";
}

void TestCaseFiles::outOfRangeRowsAreErrors() {
    QFETCH(QString, sql);
    QFETCH(QString, table);
    QFETCH(QString, detail);
    QString path = copyCase("rows.memscope");
    {
        RawDb raw(path);
        QVERIFY(raw.exec(sql));
    }
    for (bool readOnly : {true, false}) {
        auto s = CaseStore::open(path.toStdString(), readOnly);
        QVERIFY(!s.ok());
        QString msg = QString::fromStdString(s.error().message);
        QVERIFY2(msg.contains(table) && msg.contains(detail), qPrintable(msg));
    }
    // Every command that reads heap dumps says so and exits 1.
    for (const QStringList& args :
         {QStringList{"retention", path}, QStringList{"retention", path, "--by", "site"},
          QStringList{"paths", path, "--site", "main.buildTree"}, QStringList{"findings", path},
          QStringList{"info", path}}) {
        Run r = memscopeRun(args);
        QVERIFY(r.finished);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(table), qPrintable(r.err));
    }
}

void TestCaseFiles::walOnlyPayloadIsSeen() {
    // The payload sits only in the -wal beside an innocent main file.
    QString work = copyCase("wal-work.memscope");
    QString path = m_dir.filePath("wal.memscope");
    QString innocent = m_dir.filePath("wal-innocent.memscope");
    for (const QString& f : {path, path + "-wal", path + "-shm", innocent})
        QFile::remove(f);
    {
        RawDb raw(work);
        QVERIFY(raw.exec("PRAGMA wal_autocheckpoint=0"));
        QVERIFY(raw.exec("UPDATE heapdump_root_sites SET root_idx = 100000000"
                         " WHERE rowid = (SELECT min(rowid) FROM heapdump_root_sites)"));
        QVERIFY(QFileInfo(work + "-wal").size() > 0);
        QVERIFY(QFile::copy(work, path));
        QVERIFY(QFile::copy(work + "-wal", path + "-wal"));
        QVERIFY(QFile::copy(work, innocent));
    }
    QVERIFY(CaseStore::open(innocent.toStdString(), true).ok());
    for (bool readOnly : {true, false}) {
        auto s = CaseStore::open(path.toStdString(), readOnly);
        QVERIFY(!s.ok());
        QVERIFY2(
            QString::fromStdString(s.error().message).contains("table heapdump_root_sites, row"),
            s.error().message.c_str());
    }
}

void TestCaseFiles::damagedDominatorTree_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("idom to an unreachable node") << "unreachable"
                                                 << "unreachable";
    // decodeHeapGraph finds a loop itself; validateStoredHeapGraph would too.
    QTest::newRow("idom cycle") << "cycle"
                                << "cycle|loop";
    QTest::newRow("root dominates itself") << "self"
                                           << "root node 1 has dominator 1|loop";
    QTest::newRow("idom past the graph") << "range"
                                         << "stored heap graph is damaged";
}

void TestCaseFiles::damagedDominatorTree() {
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    QString path = copyCase("idom.memscope");
    {
        RawDb raw(path);
        QString where = " FROM heapdump_graph WHERE snapshot_id = " + QString::number(m_dump.value);
        QCOMPARE(raw.scalar("SELECT count(*)" + where), int64_t(1));
        auto z = zstdDecompress(raw.blob("SELECT data" + where), uint64_t(1) << 30);
        QVERIFY(z.ok());
        std::string blob = *z;
        size_t at = idomOffset(blob);
        uint64_t nodes = 0;
        std::memcpy(&nodes, blob.data() + at - 8, 8);
        QVERIFY(at + nodes * 4 <= blob.size());
        // The blob's arrays need not be aligned in this copy: read and write through memcpy.
        auto idom = [&](uint32_t v) {
            uint32_t x;
            std::memcpy(&x, blob.data() + at + 4 * v, 4);
            return x;
        };
        auto setIdom = [&](uint32_t v, uint32_t x) {
            std::memcpy(blob.data() + at + 4 * v, &x, 4);
        };
        uint32_t roots = uint32_t(raw.scalar("SELECT roots FROM heapdumps"));
        // Two reachable objects, and an unreachable one.
        std::vector<uint32_t> reachable;
        uint32_t unreachable = 0;
        for (uint32_t v = roots + 1; v < nodes; ++v) {
            if (idom(v) == UINT32_MAX)
                unreachable = unreachable ? unreachable : v;
            else if (reachable.size() < 2)
                reachable.push_back(v);
        }
        QCOMPARE(reachable.size(), size_t(2));
        if (damage == "unreachable") {
            QVERIFY(unreachable != 0);
            setIdom(reachable[0], unreachable);
        } else if (damage == "cycle") {
            setIdom(reachable[0], reachable[1]);
            setIdom(reachable[1], reachable[0]);
        } else if (damage == "self") {
            setIdom(1, 1);
        } else {
            setIdom(reachable[0], uint32_t(nodes + 5));
        }
        auto packed = zstdCompress(blob, 1);
        QVERIFY(packed.ok());
        QVERIFY(raw.setBlob("UPDATE heapdump_graph SET data = ?1 WHERE snapshot_id = " +
                                QString::number(m_dump.value),
                            *packed));
    }
    auto s = CaseStore::open(path.toStdString(), true);
    QVERIFY(s.ok()); // the rows are fine; the blob is checked when loaded
    auto g = (*s)->loadHeapGraph(m_dump);
    QVERIFY(!g.ok());
    QString msg = QString::fromStdString(g.error().message);
    QVERIFY2(msg.contains("heapdump_graph, snapshot " + QString::number(m_dump.value)) &&
                 msg.contains(QRegularExpression(expected)),
             qPrintable(msg));
    QCOMPARE(g.error().file, path.toStdString());
    for (const QStringList& args : {QStringList{"retention", path, "--by", "object", "-n", "0"},
                                    QStringList{"paths", path, "--site", "main.buildTree"}}) {
        Run r = memscopeRun(args, 30000);
        QVERIFY(r.finished);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("heapdump_graph"), qPrintable(r.err));
    }
}

void TestCaseFiles::blobClaimingAHugeGraph() {
    // Concatenated frames of zeros: tiny on disk, 2 GiB decoded, behind a
    // heapdumps row that says the graph is small.
    std::string zeros(32u << 20, '\0');
    std::memcpy(zeros.data(), "MSHG0001", 8);
    auto first = zstdCompress(zeros, 1);
    std::memset(zeros.data(), 0, 8);
    auto rest = zstdCompress(zeros, 1);
    QVERIFY(first.ok() && rest.ok());
    std::string blob = *first;
    for (int i = 0; i < 63; ++i)
        blob += *rest;
    QString path = copyCase("hugeblob.memscope");
    QVERIFY(RawDb(path).setBlob("UPDATE heapdump_graph SET data = ?1 WHERE snapshot_id = " +
                                    QString::number(m_dump.value),
                                blob));
    auto s = CaseStore::open(path.toStdString(), true);
    QVERIFY(s.ok());
    QElapsedTimer t;
    t.start();
    auto g = (*s)->loadHeapGraph(m_dump);
    QVERIFY(!g.ok());
    QVERIFY2(QString::fromStdString(g.error().message).contains("table heapdump_graph, snapshot"),
             g.error().message.c_str());
    QVERIFY(t.elapsed() < 20000);
}

void TestCaseFiles::rowClaimingAHugeGraph() {
    QString path = copyCase("hugerow.memscope");
    // Counts within range but beyond any machine's memory: refused before
    // the blob is read.
    QVERIFY(RawDb(path).exec("UPDATE heapdumps SET objects = 4000000000, edges = 4000000000"));
    auto s = CaseStore::open(path.toStdString(), true);
    QVERIFY(s.ok());
    auto g = (*s)->loadHeapGraph(m_dump);
    QVERIFY(!g.ok());
    QVERIFY2(
        QString::fromStdString(g.error().message).contains("more memory than this machine has"),
        g.error().message.c_str());
    // Counts that match no graph of 32-bit node ids are refused on open.
    QVERIFY(RawDb(path).exec("UPDATE heapdumps SET objects = 5000000000"));
    auto t = CaseStore::open(path.toStdString(), true);
    QVERIFY(!t.ok());
    QVERIFY2(
        QString::fromStdString(t.error().message).contains("table heapdumps, row for snapshot"),
        t.error().message.c_str());
    // The counts disagree with the blob: named too.
    QVERIFY(RawDb(path).exec("UPDATE heapdumps SET objects = 12, edges = 3"));
    auto u = CaseStore::open(path.toStdString(), true);
    QVERIFY(u.ok());
    auto h = (*u)->loadHeapGraph(m_dump);
    QVERIFY(!h.ok());
    QVERIFY2(QString::fromStdString(h.error().message).contains("its heapdumps row says 12, 3"),
             h.error().message.c_str());
}

void TestCaseFiles::stackTrieCycle() {
    QString path = copyCase("stacks.memscope");
    {
        RawDb raw(path);
        // The first node's parent becomes the deepest node of the trie: a loop.
        QVERIFY(raw.exec("UPDATE stacks SET parent_id = (SELECT max(id) FROM stacks)"
                         " WHERE id = (SELECT min(id) FROM stacks)"));
    }
    // The trie is checked before the first walk up a stack, not when the case
    // opens: every reader that walks it refuses the case, naming the row.
    auto s = CaseStore::open(path.toStdString(), true);
    QVERIFY(s.ok());
    auto sites = (*s)->heapDumpSites(m_dump);
    QVERIFY(!sites.ok());
    QVERIFY2(QString::fromStdString(sites.error().message).contains("table stacks, row id"),
             sites.error().message.c_str());
    auto rows = (*s)->loadProfileFromRows(m_profile);
    QVERIFY(!rows.ok());
    QVERIFY2(QString::fromStdString(rows.error().message).contains("table stacks, row id"),
             rows.error().message.c_str());
    // A profile decoded from the bytes kept with its source never reads the trie.
    QVERIFY((*s)->loadProfile(m_profile).ok());
    Run r = memscopeRun(
        {"retention", path, "--by", "site", "--snapshot", QString::number(m_dump.value)}, 30000);
    QVERIFY(r.finished);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("table stacks, row id"), qPrintable(r.err));
}

void TestCaseFiles::hugeAnnotation() {
    QString path = copyCase("note.memscope");
    {
        RawDb raw(path);
        QVERIFY(raw.exec("INSERT INTO annotations(start_ns, text, created_ns)"
                         " VALUES(1795712341000000000, 'é' || hex(zeroblob(50000000)), 1)"));
        QVERIFY(raw.scalar("SELECT length(text) FROM annotations") > 100000000);
    }
    {
        auto s = CaseStore::open(path.toStdString(), true);
        QVERIFY(s.ok());
        auto notes = must((*s)->annotations());
        QCOMPARE(notes.size(), size_t(1));
        QVERIFY(notes[0].text.size() <= kMaxAnnotationBytes);
        QVERIFY(notes[0].text.size() > kMaxAnnotationBytes - 4);
        QVERIFY(notes[0].text.rfind("é", 0) == 0);
    }
    {
        auto s = CaseStore::open(path.toStdString(), false);
        QVERIFY(s.ok());
        Annotation a;
        a.timeNs = 1;
        a.text = std::string(kMaxAnnotationBytes + 1, 'x');
        auto added = (*s)->addAnnotation(a);
        QVERIFY(!added.ok());
        QVERIFY(QString::fromStdString(added.error().message).contains("at most 64 KiB"));
    }
    Run over = memscopeRun({"annotate", path, "--at", "1795712341", "--text", QString(70000, 'y')});
    QCOMPARE(over.code, 1);
    QVERIFY2(over.err.contains("at most 64 KiB"), qPrintable(over.err));
    Run list = memscopeRun({"annotations", path});
    QCOMPARE(list.code, 0);
    QVERIFY(list.out.size() < 200000);
    Run svg =
        memscopeRun({"export-chart", path, "--chart", "heap", "-o", m_dir.filePath("note.svg")});
    QCOMPARE(svg.code, 0);
#ifdef MEMSCOPE_HAVE_GUI
    Run png =
        memscopeRun({"export-chart", path, "--chart", "heap", "-o", m_dir.filePath("note.png")});
    QVERIFY2(png.code == 0, qPrintable(png.err));
#endif
}

void TestCaseFiles::readCommandsDoNotWrite() {
    QString path = copyCase("ro.memscope");
    QByteArray before = sha(path);
    QDateTime mtime = QFileInfo(path).lastModified();
    qint64 size = QFileInfo(path).size();
    QString id = QString::number(m_dump.value);
    QList<QStringList> commands = {
        {"info", path},
        {"info", path, "--json"},
        {"findings", path},
        {"top", path},
        {"goroutines", path},
        {"retention", path, "--by", "object"},
        {"paths", path, "--site", "main.buildTree"},
        {"annotations", path},
        {"report", path, "--format", "json"},
        {"export-chart", path, "--chart", "heap", "-o", m_dir.filePath("ro.svg")},
    };
    for (const auto& args : commands) {
        Run r = memscopeRun(args);
        QVERIFY2(r.code == 0, qPrintable(args.join(' ') + ": " + r.err));
        QVERIFY2(!QFile::exists(path + "-wal") && !QFile::exists(path + "-shm"),
                 qPrintable(args.join(' ')));
    }
    QCOMPARE(sha(path), before);
    QCOMPARE(QFileInfo(path).lastModified(), mtime);
    QCOMPARE(QFileInfo(path).size(), size);
}

void TestCaseFiles::missingAndEmptyFiles() {
    QString missing = m_dir.filePath("missing.memscope");
    auto m = CaseStore::open(missing.toStdString(), true);
    QVERIFY(!m.ok());
    QCOMPARE(QString::fromStdString(m.error().message), QStringLiteral("no such file"));
    QVERIFY(!QFile::exists(missing));

    QString empty = m_dir.filePath("empty.memscope");
    writeBytes(empty, "");
    Run r = memscopeRun({"info", empty});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("empty file, not a memscope case"), qPrintable(r.err));
    QCOMPARE(QFileInfo(empty).size(), qint64(0)); // no schema written into it
    QVERIFY(!QFile::exists(empty + "-wal"));
}

void TestCaseFiles::readOnlyFolder() {
    // chmod does not stop root: a read-only bind mount in a private mount
    // namespace does, where the system allows one.
    QString folder = m_dir.filePath("rofolder");
    QDir().mkpath(folder);
    QVERIFY(QFile::copy(m_base, folder + "/c.memscope"));
    QProcess p;
    p.start("unshare", {"-m", "sh", "-c",
                        "mount --bind -o ro \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && "
                        "! touch \"$1/probe\" 2>/dev/null && \"$2\" info \"$1/c.memscope\" && "
                        "\"$2\" retention \"$1/c.memscope\" --by site",
                        "sh", folder, QStringLiteral(MEMSCOPE_BIN)});
    p.waitForFinished(60000);
    QString err = QString::fromUtf8(p.readAllStandardError());
    if (p.exitCode() != 0 && (err.contains("unshare") || err.contains("mount")))
        QSKIP(qPrintable("no read-only bind mount here: " + err.trimmed()));
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    QVERIFY(QString::fromUtf8(p.readAllStandardOutput()).contains("heap dump"));
}

// Found by fuzz_casefile: a snapshot whose target_id names no program made
// the series' name lookup throw.
void TestCaseFiles::snapshotOfNoProgram() {
    QString path = copyCase("orphan.memscope");
    {
        RawDb raw(path);
        QVERIFY(raw.exec(
            "UPDATE snapshots SET target_id = 999 WHERE id = (SELECT min(id) FROM snapshots)"));
    }
    auto s = CaseStore::open(path.toStdString(), true);
    QVERIFY(!s.ok());
    QVERIFY2(QString::fromStdString(s.error().message).contains("snapshots"),
             s.error().message.c_str());
    QVERIFY(QString::fromStdString(s.error().message).contains("target_id 999"));
}

QTEST_GUILESS_MAIN(TestCaseFiles)
#include "test_case_files.moc"
