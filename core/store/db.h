// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "model/ids.h"

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace memscope {

class Db;

// What one step of a statement gave: a row, the end, or a failure (its Error
// in Stmt::status()). A failure is never the end: a locked or damaged case
// must not read as an empty one.
enum class Step { Row, Done, Failed };

// A prepared statement. Bind by 1-based index; step() until it says done.
class Stmt {
public:
    Stmt() = default;
    Stmt(Db& db, const char* sql);
    Stmt(Db& db, const std::string& sql) : Stmt(db, sql.c_str()) {}
    ~Stmt();
    Stmt(Stmt&& o) noexcept;
    Stmt& operator=(Stmt&& o) noexcept;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    bool valid() const { return m_stmt != nullptr; }
    Stmt& bind(int i, int64_t v);
    Stmt& bind(int i, int v) { return bind(i, int64_t(v)); }
    template <typename Tag>
    Stmt& bind(int i, TypedId<Tag> id) {
        return bind(i, id.value);
    }
    Stmt& bind(int i, double v);
    Stmt& bind(int i, std::string_view text);
    Stmt& bind(int i, const char* text) { return bind(i, std::string_view(text)); }
    Stmt& bind(int i, const std::string& text) { return bind(i, std::string_view(text)); }
    Stmt& bindBlob(int i, std::string_view blob);
    Stmt& bindNull(int i);

    // A statement that failed to prepare fails at its first step.
    [[nodiscard]] Step step();
    // Calls onRow for every row left; the first failure is the result.
    template <typename F>
    Status each(F&& onRow) {
        Step s;
        while ((s = step()) == Step::Row)
            onRow();
        return s == Step::Failed ? m_status : Status{};
    }
    // One step: true for a row, false at the end, or the failure.
    Result<bool> next() {
        Step s = step();
        if (s == Step::Failed)
            return m_status.error();
        return s == Step::Row;
    }
    // Runs to completion, for statements without rows.
    Status exec();
    void reset();

    int64_t i64(int col) const;
    // A column that holds a row id, typed as the id it is.
    template <typename Id>
    Id id(int col) const {
        return Id(i64(col));
    }
    double f64(int col) const;
    std::string text(int col) const;
    std::string_view blob(int col) const;
    bool isNull(int col) const;
    bool isInteger(int col) const; // stored as an integer, so i64() is exact

    const Status& status() const { return m_status; }

private:
    Db* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
    Status m_status;
};

class Db {
public:
    Db() = default;
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // Opens hardened for untrusted files (no extensions, triggers, views or
    // schema-borne functions). readOnly never writes or creates a file: a
    // missing file is "no such file", an empty one is not a case.
    Status open(const std::string& path, bool readOnly, bool create);
    void close();
    bool isOpen() const { return m_db != nullptr; }
    Status exec(const char* sql);
    Stmt prepare(const char* sql) { return Stmt(*this, sql); }
    int64_t lastInsertId() const;
    // The first column of the first row; a statement without rows gives 0.
    Result<int64_t> scalar(const char* sql);
    Error error(const std::string& context) const;
    sqlite3* handle() const { return m_db; }
    const std::string& path() const { return m_path; }
    bool readOnly() const { return m_readOnly; }

private:
    sqlite3* m_db = nullptr;
    bool m_readOnly = false;
    std::string m_path;
};

// Begin on construction, roll back on destruction unless committed.
// BEGIN IMMEDIATE .. COMMIT; inside another transaction, a savepoint, so a
// part can roll back alone (a capture round keeps the files that read).
class Transaction {
public:
    explicit Transaction(Db& db);
    ~Transaction();
    Status commit();
    const Status& begun() const { return m_begun; }

private:
    Db& m_db;
    Status m_begun;
    bool m_done = false;
    bool m_nested = false;
};

} // namespace memscope
