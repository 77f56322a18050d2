// SPDX-License-Identifier: GPL-3.0-or-later
// A case that cannot be read is an error, never an empty result: locked by
// another process past the busy wait, or damaged on disk. Every read command
// exits 1 naming the case, and the store's typed queries return the Error.
#include "analysis/detect/detect.h"
#include "analysis/series/series.h"
#include "store/case_store.h"
#include "testutil.h"

#include <QtTest>
#include <sqlite3.h>

#include <algorithm>
#include <future>
#include <vector>

using namespace memscope;
using namespace memscope::test;

namespace {

// The read commands the CLI offers, each on the case at `path`.
std::vector<QStringList> readCommands(const QString& path) {
    return {{"info", path},
            {"top", path},
            {"goroutines", path},
            {"diff", path, "2", "3"}, // two goroutine dumps
            {"findings", path, "--json"},
            {"report", path, "--format", "json"},
            {"retention", path},
            {"annotations", path}};
}

// Runs every command at once: each waits out the busy timeout on its own.
std::vector<CliRun> runAll(const std::vector<QStringList>& commands) {
    std::vector<std::future<CliRun>> running;
    for (const auto& args : commands)
        running.push_back(
            std::async(std::launch::async, [args] { return runMemscope(args, 120000); }));
    std::vector<CliRun> out;
    for (auto& r : running)
        out.push_back(r.get());
    return out;
}

// Every read command on the case at `path` ends with exit 1, an error naming
// `caseName` that holds one of `anyOf` (when given), and nothing on stdout.
void verifyEveryReadCommandFails(const QString& path, const QString& caseName,
                                 const QStringList& anyOf = {}) {
    auto commands = readCommands(path);
    auto runs = runAll(commands);
    for (size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i];
        QString what = commands[i].join(' ') + ": " + r.err;
        QVERIFY2(r.finished, qPrintable(what));
        QVERIFY2(r.code == 1, qPrintable(what));
        QVERIFY2(r.err.contains(caseName), qPrintable(what));
        QVERIFY2(anyOf.isEmpty() ||
                     std::any_of(anyOf.begin(), anyOf.end(),
                                 [&](const QString& w) { return r.err.contains(w); }),
                 qPrintable(what));
        QVERIFY2(r.rawOut.isEmpty(), qPrintable(what));
    }
}

bool sqlExecOn(const QString& path, const char* sql) {
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK &&
              sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

// The first leaf page of a table, 1-based (SQLite's dbstat), or 0.
qint64 leafPageOf(const QString& path, const char* table) {
    sqlite3* db = nullptr;
    qint64 page = 0;
    if (sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(
                db,
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                -1, &st, nullptr) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                page = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return page;
}

// Another process's write transaction, held with the case locked exclusively
// so no reader gets in until it ends.
class CaseLock {
public:
    explicit CaseLock(const QString& path) {
        if (sqlite3_open(path.toUtf8().constData(), &m_db) != SQLITE_OK)
            return;
        m_held = sqlite3_exec(m_db,
                              "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;"
                              " INSERT INTO meta VALUES('held', '1');",
                              nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    ~CaseLock() {
        (void)sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(m_db);
    }
    bool held() const { return m_held; }

private:
    sqlite3* m_db = nullptr;
    bool m_held = false;
};

} // namespace

class TestStoreErrors : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void lockedCaseIsAnErrorForEveryReadCommand();
    void lockedCaseIsAnErrorFromTypedQueries();
    void damagedPageIsAnErrorForEveryReadCommand();

private:
    QString copyCase(const QString& name);
    QTemporaryDir m_dir;
    QString m_case;
};

void TestStoreErrors::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_case = m_dir.filePath("case.memscope");
    CliRun r = runMemscope({"import", m_case, dataPath("cases/healthy")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
}

QString TestStoreErrors::copyCase(const QString& name) {
    QString path = m_dir.filePath(name);
    QFile::remove(path);
    if (!QFile::copy(m_case, path))
        return {};
    return path;
}

void TestStoreErrors::lockedCaseIsAnErrorForEveryReadCommand() {
    QString path = copyCase("locked.memscope");
    QVERIFY(!path.isEmpty());
    CaseLock lock(path);
    QVERIFY(lock.held());
    verifyEveryReadCommandFails(path, "locked.memscope", {"locked", "busy"});
}

void TestStoreErrors::lockedCaseIsAnErrorFromTypedQueries() {
    QString path = copyCase("locked-open.memscope");
    QVERIFY(!path.isEmpty());
    // A reader of a WAL case keeps a shared lock while it is open, so no one
    // can lock it out afterwards; in rollback-journal mode a reader locks only
    // while it reads. An empty -wal beside it keeps the read-only store from
    // opening the file as immutable (unlocked): it reads with locks.
    QVERIFY(sqlExecOn(path, "PRAGMA journal_mode=DELETE"));
    QFile wal(path + "-wal");
    QVERIFY(wal.open(QIODevice::WriteOnly));
    wal.close();
    // Opened before the lock is taken: the reads after it wait, then fail.
    auto store = CaseStore::open(path.toStdString(), /*readOnly=*/true);
    QVERIFY(store.ok());
    auto snapshots = must((*store)->snapshots());
    QVERIFY(!snapshots.empty());
    CaseLock lock(path);
    QVERIFY(lock.held());
    auto isBusy = [&](const Error& e) {
        return e.code == ErrorCode::Busy && e.file == path.toStdString() &&
               e.message.find("locked") != std::string::npos;
    };
    auto snaps = (*store)->snapshots();
    QVERIFY(!snaps.ok());
    QVERIFY2(isBusy(snaps.error()), snaps.error().toString().c_str());
    auto counts = (*store)->snapshotCounts(snapshots.front());
    QVERIFY(!counts.ok());
    QVERIFY2(isBusy(counts.error()), counts.error().toString().c_str());
    // And through the analysis on top: an error, not an empty list.
    auto findings = detectFindings(**store);
    QVERIFY(!findings.ok());
    QVERIFY2(isBusy(findings.error()), findings.error().toString().c_str());
}

void TestStoreErrors::damagedPageIsAnErrorForEveryReadCommand() {
    QString path = copyCase("damaged.memscope");
    QVERIFY(!path.isEmpty());
    // The snapshots table's page, inside the file: every read command goes
    // through it (a page of kept capture bytes would be read by none).
    qint64 page = leafPageOf(path, "snapshots");
    QVERIFY(page > 1);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        constexpr qint64 kPage = 4096;
        QVERIFY(f.size() / kPage > page);
        // All but its first bytes: a b-tree page whose cells no longer make sense.
        QVERIFY(f.seek((page - 1) * kPage + 8));
        QByteArray junk(int(kPage - 16), char(0xa5));
        QCOMPARE(f.write(junk), qint64(junk.size()));
    }
    verifyEveryReadCommandFails(path, "damaged.memscope");
}

QTEST_GUILESS_MAIN(TestStoreErrors)
#include "test_store_errors.moc"
