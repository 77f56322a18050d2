// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/db.h"

#include <sqlite3.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace memscope {

Stmt::Stmt(Db& db, const char* sql) : m_db(&db) {
    if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) !=
        SQLITE_OK) {
        m_status = db.error(std::string("prepare: ") + sql);
        m_stmt = nullptr;
    }
}

Stmt::~Stmt() {
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

Stmt::Stmt(Stmt&& o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt), m_status(std::move(o.m_status)) {
    o.m_stmt = nullptr;
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
    if (this != &o) {
        if (m_stmt)
            sqlite3_finalize(m_stmt);
        m_db = o.m_db;
        m_stmt = o.m_stmt;
        m_status = std::move(o.m_status);
        o.m_stmt = nullptr;
    }
    return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
    if (m_stmt)
        sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}
Stmt& Stmt::bind(int i, double v) {
    if (m_stmt)
        sqlite3_bind_double(m_stmt, i, v);
    return *this;
}
Stmt& Stmt::bind(int i, std::string_view t) {
    if (m_stmt)
        sqlite3_bind_text64(m_stmt, i, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}
Stmt& Stmt::bindBlob(int i, std::string_view b) {
    if (m_stmt)
        sqlite3_bind_blob64(m_stmt, i, b.data(), b.size(), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bindNull(int i) {
    if (m_stmt)
        sqlite3_bind_null(m_stmt, i);
    return *this;
}

Step Stmt::step() {
    if (!m_stmt) {
        if (m_status.ok())
            m_status = makeError(ErrorCode::Database, "no statement");
        return Step::Failed;
    }
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return Step::Row;
    if (rc == SQLITE_DONE)
        return Step::Done;
    m_status = m_db->error("step");
    return Step::Failed;
}

Status Stmt::exec() {
    Status s = each([] {});
    reset();
    return s;
}

void Stmt::reset() {
    if (m_stmt) {
        m_status = {};
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
}

int64_t Stmt::i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
double Stmt::f64(int c) const { return sqlite3_column_double(m_stmt, c); }
std::string Stmt::text(int c) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, c));
    return p ? std::string(p, size_t(sqlite3_column_bytes(m_stmt, c))) : std::string();
}
std::string_view Stmt::blob(int c) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(m_stmt, c));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(m_stmt, c))) : std::string_view();
}
bool Stmt::isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
bool Stmt::isInteger(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_INTEGER; }

Db::~Db() { close(); }

namespace {

// "file:" URI for a path: every byte outside the unreserved set is %-escaped,
// so a name with '?', '#' or '%' stays a name.
std::string fileUri(const std::string& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out = "file:";
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
            out += char(c);
        else
            out += '%', out += hex[c >> 4], out += hex[c & 15];
    }
    return out;
}

} // namespace

Status Db::open(const std::string& path, bool readOnly, bool create) {
    // SQLite counts every allocation under one global lock unless told not
    // to, before it first initializes; memscope never asks for the count.
    static const bool configured = [] {
        return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    }();
    (void)configured;
    close();
    m_path = path;
    m_readOnly = readOnly;
    int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !readOnly)
        flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    std::string name = path;
    bool inMemory = path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
    if (!inMemory) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT && !(create && !readOnly))
                return Error{ErrorCode::Io, "no such file", path, {}, {}};
            if (errno != ENOENT)
                return Error{ErrorCode::Io,
                             std::string("cannot read it: ") + std::strerror(errno),
                             path,
                             {},
                             {}};
        } else if (S_ISDIR(st.st_mode)) {
            return Error{ErrorCode::Io, "a folder, not a memscope case", path, {}, {}};
        } else if (st.st_size == 0 && readOnly) {
            return Error{ErrorCode::Format, "empty file, not a memscope case", path, {}, {}};
        }
        // A reader of a WAL case creates -wal and -shm beside it and, unable
        // to checkpoint, leaves them behind; in a read-only folder it cannot
        // open at all. Without a -wal no writer is active and every commit is
        // in the main file, so a reader opens it as immutable: no lock, no
        // file created, nothing written. With a -wal it reads through it.
        struct stat wal {};
        if (readOnly && ::stat((path + "-wal").c_str(), &wal) != 0) {
            name = fileUri(path) + "?immutable=1";
            flags |= SQLITE_OPEN_URI;
        }
    }
    if (sqlite3_open_v2(name.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        Error e = error("open");
        close();
        return e;
    }
    sqlite3_extended_result_codes(m_db, 1);
    // SQLite opens a write-protected file read-only without a word.
    if (!readOnly && sqlite3_db_readonly(m_db, "main") == 1)
        m_readOnly = true;
    // A case file may come from anyone: the SQL it carries must not run. No
    // extensions, no triggers or views, no functions with side effects from
    // the schema, no writes to sqlite_master, and page cells checked.
    int off = 0, on = 1;
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &off);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &off);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, &off);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_TRIGGER_EQP, 0, &off);
    sqlite3_db_config(m_db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &off);
    if (auto st = exec("PRAGMA trusted_schema=OFF; PRAGMA cell_size_check=ON;"); !st) {
        close();
        return st;
    }
    // A reader waits for a writer's commit instead of failing.
    sqlite3_busy_timeout(m_db, 10000);
    return {};
}

void Db::close() {
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

namespace {
const char* const kCannotGrow =
    " (the case file cannot grow: disk full, quota or file size limit?)";
}

Status Db::exec(const char* sql) {
    char* msg = nullptr;
    if (int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &msg); rc != SQLITE_OK) {
        std::string m = msg ? msg : "unknown error";
        sqlite3_free(msg);
        if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR)
            m += kCannotGrow;
        bool busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
        return Error{busy ? ErrorCode::Busy : ErrorCode::Database, m, m_path, {}, {}};
    }
    return {};
}

int64_t Db::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

Result<int64_t> Db::scalar(const char* sql) {
    Stmt s(*this, sql);
    auto row = s.next();
    if (!row)
        return row.error();
    return *row ? s.i64(0) : int64_t(0);
}

Error Db::error(const std::string& context) const {
    std::string msg = m_db ? sqlite3_errmsg(m_db) : "cannot open database";
    ErrorCode kind = ErrorCode::Database;
    if (m_db) {
        int code = sqlite3_errcode(m_db) & 0xff;
        if (code == SQLITE_FULL || code == SQLITE_IOERR)
            msg += kCannotGrow;
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            kind = ErrorCode::Busy;
    }
    return Error{kind, context + ": " + msg, m_path, {}, {}};
}

Transaction::Transaction(Db& db) : m_db(db) {
    m_nested = sqlite3_get_autocommit(db.handle()) == 0;
    m_begun = db.exec(m_nested ? "SAVEPOINT part" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (m_done || !m_begun.ok())
        return;
    if (m_nested) {
        (void)m_db.exec("ROLLBACK TO part");
        (void)m_db.exec("RELEASE part");
    } else {
        (void)m_db.exec("ROLLBACK");
    }
}

Status Transaction::commit() {
    m_done = true;
    return m_db.exec(m_nested ? "RELEASE part" : "COMMIT");
}

} // namespace memscope
