// SPDX-License-Identifier: GPL-3.0-or-later
#include "db.h"

#include <sqlite3.h>

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

bool Stmt::step() {
    if (!m_stmt)
        return false;
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc != SQLITE_DONE)
        m_status = m_db->error("step");
    return false;
}

Status Stmt::exec() {
    if (!m_stmt)
        return m_status;
    while (step()) {
    }
    Status s = m_status;
    reset();
    return s;
}

void Stmt::reset() {
    if (m_stmt) {
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

Db::~Db() { close(); }

Status Db::open(const std::string& path, bool readOnly, bool create) {
    close();
    m_path = path;
    int flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !readOnly)
        flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        Error e = error("open");
        close();
        return e;
    }
    sqlite3_extended_result_codes(m_db, 1);
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
const char* const kCannotGrow = " (the case file cannot grow: disk full, quota or file size limit?)";
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

int64_t Db::scalar(const char* sql, int64_t fallback) {
    Stmt s(*this, sql);
    if (s.step())
        return s.i64(0);
    return fallback;
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

Transaction::Transaction(Db& db) : m_db(db) { m_begun = db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!m_done && m_begun.ok())
        (void)m_db.exec("ROLLBACK");
}

Status Transaction::commit() {
    m_done = true;
    return m_db.exec("COMMIT");
}

} // namespace memscope
