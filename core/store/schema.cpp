// SPDX-License-Identifier: GPL-3.0-or-later
// The case's schema: the version 1 tables, the migrations after it, the
// check that a case holds only what memscope made, and creating or
// migrating a case when it opens.
// Over 600 lines because the version 1 tables and every migration are kept
// as written, in order.
#include "store/case_store.h"
#include "store/case_validate.h"
#include "store/db.h"
#include "store/store_internal.h"

#include <algorithm>
#include <cctype>
#include <sqlite3.h>
#include <string>

namespace memscope {

using store_internal::nowNs;

namespace {

// The imported files, as version 1 made the table and as migration 9 makes it
// again with a checksum that is no longer UNIQUE: one column list for both.
std::string sourcesTable(const std::string& name, const std::string& sha256) {
    return "CREATE TABLE " + name + R"SQL((
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 )SQL" +
           sha256 +
           R"SQL(,
  format TEXT NOT NULL,
  compression TEXT NOT NULL,
  mtime_ns INTEGER NOT NULL,
  imported_at_ns INTEGER NOT NULL,
  decoded_size INTEGER NOT NULL);)SQL";
}

const std::string kSchemaV1 = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)SQL" + sourcesTable("sources", "TEXT NOT NULL UNIQUE") +
                              R"SQL(
-- The decoded file, zstd-compressed in chunks, so a case is self-contained.
CREATE TABLE source_chunks(
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(source_id, seq)) WITHOUT ROWID;
CREATE TABLE targets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  host TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  go_version TEXT NOT NULL DEFAULT '');
CREATE TABLE snapshots(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  kind TEXT NOT NULL,
  time_ns INTEGER NOT NULL,
  time_source TEXT NOT NULL,
  duration_ns INTEGER NOT NULL DEFAULT 0);
CREATE INDEX snapshots_by_kind_time ON snapshots(kind, time_ns);
-- Interned rows shared by every kind of capture.
CREATE TABLE strings(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
CREATE TABLE functions(
  id INTEGER PRIMARY KEY,
  name_id INTEGER NOT NULL,
  system_name_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  start_line INTEGER NOT NULL,
  UNIQUE(name_id, system_name_id, file_id, start_line));
-- inlined = 1 when this frame was inlined into its caller (pprof's Line
-- entries before the last of a Location). function_id 0 = unsymbolized.
CREATE TABLE frames(
  id INTEGER PRIMARY KEY,
  function_id INTEGER NOT NULL,
  line INTEGER NOT NULL,
  inlined INTEGER NOT NULL,
  address INTEGER NOT NULL,
  UNIQUE(function_id, line, inlined, address));
-- A trie of call stacks from the outermost caller (parent_id 0) to the leaf;
-- a stack is named by its leaf node.
CREATE TABLE stacks(
  id INTEGER PRIMARY KEY,
  parent_id INTEGER NOT NULL,
  frame_id INTEGER NOT NULL,
  UNIQUE(parent_id, frame_id));
CREATE TABLE profile_meta(
  snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
  period INTEGER NOT NULL,
  period_type TEXT NOT NULL,
  period_unit TEXT NOT NULL,
  default_sample TEXT NOT NULL,
  drop_frames TEXT NOT NULL,
  keep_frames TEXT NOT NULL,
  comments TEXT NOT NULL);
CREATE TABLE sample_types(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  type TEXT NOT NULL,
  unit TEXT NOT NULL,
  total INTEGER NOT NULL,
  PRIMARY KEY(snapshot_id, idx)) WITHOUT ROWID;
CREATE TABLE mappings(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  memory_start INTEGER NOT NULL,
  memory_limit INTEGER NOT NULL,
  file_offset INTEGER NOT NULL,
  file TEXT NOT NULL,
  build_id TEXT NOT NULL,
  has_functions INTEGER NOT NULL,
  PRIMARY KEY(snapshot_id, idx)) WITHOUT ROWID;
-- Samples of every profile.proto kind (heap, allocs, goroutine, cpu...):
-- v0..v3 are the first four sample types, `more` the rest space-separated.
CREATE TABLE samples(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  stack_id INTEGER NOT NULL,
  v0 INTEGER NOT NULL DEFAULT 0,
  v1 INTEGER NOT NULL DEFAULT 0,
  v2 INTEGER NOT NULL DEFAULT 0,
  v3 INTEGER NOT NULL DEFAULT 0,
  more TEXT,
  labels TEXT);
CREATE INDEX samples_by_snapshot ON samples(snapshot_id);
CREATE TABLE annotations(
  id INTEGER PRIMARY KEY,
  target_id INTEGER,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER,
  text TEXT NOT NULL,
  severity TEXT NOT NULL DEFAULT 'info',
  ref TEXT NOT NULL DEFAULT '',
  created_ns INTEGER NOT NULL);
CREATE TABLE findings(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL);
)SQL";

// Each step takes a case from version i+1 to i+2 (index 0: 1 -> 2).
const std::string kMigrations[] = {
    // 2: numbers measured with a snapshot (MemStats trailers, runtime/metrics, expvar).
    R"SQL(
CREATE TABLE metric_points(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY(snapshot_id, name)) WITHOUT ROWID;
CREATE INDEX metric_points_by_name ON metric_points(name);
)SQL",
    // 3: goroutine dumps, grouped; stacks in the shared trie.
    R"SQL(
CREATE TABLE goroutine_groups(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  stack_id INTEGER NOT NULL,
  created_by_frame INTEGER NOT NULL,
  state TEXT NOT NULL,
  role TEXT NOT NULL,
  count INTEGER NOT NULL,
  locked INTEGER NOT NULL,
  min_wait_minutes INTEGER NOT NULL,
  max_wait_minutes INTEGER NOT NULL,
  exact_variants INTEGER NOT NULL,
  elided INTEGER NOT NULL,
  PRIMARY KEY(snapshot_id, idx)) WITHOUT ROWID;
CREATE TABLE goroutines(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  goid INTEGER NOT NULL,
  group_idx INTEGER NOT NULL,
  wait_minutes INTEGER NOT NULL,
  parent_goid INTEGER NOT NULL,
  locked INTEGER NOT NULL);
CREATE INDEX goroutines_by_snapshot ON goroutines(snapshot_id);
)SQL",
    // 4: open files and sockets (lsof, ss); remote host and state are columns,
    // so "sockets per remote host over time" is one query.
    R"SQL(
CREATE TABLE fds(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  fd TEXT NOT NULL,
  type TEXT NOT NULL,
  protocol TEXT NOT NULL,
  local_addr TEXT NOT NULL,
  local_port INTEGER NOT NULL,
  remote_addr TEXT NOT NULL,
  remote_port INTEGER NOT NULL,
  state TEXT NOT NULL,
  name TEXT NOT NULL);
CREATE INDEX fds_by_snapshot ON fds(snapshot_id);
CREATE INDEX fds_by_remote ON fds(remote_addr, snapshot_id);
)SQL",
    // 5: GC cycles from gctrace; at_s is seconds since process start.
    R"SQL(
CREATE TABLE gc_cycles(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  at_s REAL NOT NULL,
  cpu_percent INTEGER NOT NULL,
  stw_sweep_ms REAL NOT NULL,
  concurrent_ms REAL NOT NULL,
  stw_mark_ms REAL NOT NULL,
  heap_start_mb REAL NOT NULL,
  heap_end_mb REAL NOT NULL,
  heap_live_mb REAL NOT NULL,
  goal_mb REAL NOT NULL,
  stacks_mb REAL NOT NULL,
  globals_mb REAL NOT NULL,
  procs INTEGER NOT NULL,
  forced INTEGER NOT NULL);
CREATE INDEX gc_cycles_by_snapshot ON gc_cycles(snapshot_id);
)SQL",
    // 6: escape-analysis notes by file:line.
    R"SQL(
CREATE TABLE escape_notes(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX escape_notes_by_line ON escape_notes(line, file);
)SQL",
    // 7: a group's goroutines packed into one blob (varints: id delta, wait+1,
    // parent, locked), instead of a row each; older cases keep their rows.
    R"SQL(
ALTER TABLE goroutine_groups ADD COLUMN members BLOB NOT NULL DEFAULT x'';
)SQL",
    // 8: Go heap dumps: a summary row, the graph and dominators as zstd
    // chunks, and what retains: roots, allocation sites, finalizers.
    R"SQL(
CREATE TABLE heapdumps(
  snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
  go_version TEXT NOT NULL,
  ptr_size INTEGER NOT NULL,
  objects INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  edges INTEGER NOT NULL,
  reachable_objects INTEGER NOT NULL,
  reachable_bytes INTEGER NOT NULL,
  sampled_objects INTEGER NOT NULL,
  sampled_bytes INTEGER NOT NULL,
  sampled_retained_bytes INTEGER NOT NULL,
  finalizers_registered INTEGER NOT NULL,
  finalizers_queued INTEGER NOT NULL,
  finalizer_retained_bytes INTEGER NOT NULL,
  goroutines INTEGER NOT NULL,
  roots INTEGER NOT NULL,
  record_counts TEXT NOT NULL,
  symbols_from TEXT NOT NULL);
CREATE TABLE heapdump_graph(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY(snapshot_id, seq));
CREATE TABLE heapdump_roots(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  detail TEXT NOT NULL,
  direct_objects INTEGER NOT NULL,
  retained_bytes INTEGER NOT NULL,
  retained_objects INTEGER NOT NULL);
CREATE INDEX heapdump_roots_by_snapshot ON heapdump_roots(snapshot_id);
CREATE TABLE heapdump_sites(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  bucket INTEGER NOT NULL,
  stack_id INTEGER NOT NULL,
  size INTEGER NOT NULL,
  allocs INTEGER NOT NULL,
  frees INTEGER NOT NULL,
  sampled_objects INTEGER NOT NULL,
  sampled_bytes INTEGER NOT NULL,
  retained_bytes INTEGER NOT NULL);
CREATE INDEX heapdump_sites_by_snapshot ON heapdump_sites(snapshot_id);
CREATE TABLE heapdump_root_sites(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  root_idx INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  retained_bytes INTEGER NOT NULL,
  objects INTEGER NOT NULL);
CREATE INDEX heapdump_root_sites_by_snapshot ON heapdump_root_sites(snapshot_id);
CREATE TABLE heapdump_finalizers(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  function TEXT NOT NULL,
  pc INTEGER NOT NULL,
  registered INTEGER NOT NULL,
  queued INTEGER NOT NULL,
  retained_bytes INTEGER NOT NULL);
CREATE INDEX heapdump_finalizers_by_snapshot ON heapdump_finalizers(snapshot_id);
)SQL",
    // 9: identical bytes captured at another time are a capture of their own,
    // so a checksum no longer names one source: sources lose their UNIQUE
    // sha256 (the bytes are kept once, by the first source that has them).
    // Goroutine groups keep the runtime's leak verdict (Go 1.26+).
    "\n" + sourcesTable("sources_v9", "TEXT NOT NULL") + R"SQL(
INSERT INTO sources_v9 SELECT id, name, path, size, sha256, format, compression, mtime_ns,
  imported_at_ns, decoded_size FROM sources;
DROP TABLE sources;
ALTER TABLE sources_v9 RENAME TO sources;
CREATE INDEX sources_by_sha256 ON sources(sha256);
ALTER TABLE goroutine_groups ADD COLUMN leaked INTEGER NOT NULL DEFAULT 0;
)SQL",
    // 10: metric values keep integers exact (NUMERIC: expvar's LastGC is past
    // 2^53); goroutine groups keep their pprof labels (key US value, records
    // separated by RS) and how many frames the runtime elided, and where.
    R"SQL(
CREATE TABLE metric_points_v10(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value NUMERIC NOT NULL,
  PRIMARY KEY(snapshot_id, name)) WITHOUT ROWID;
INSERT INTO metric_points_v10 SELECT snapshot_id, name, value FROM metric_points;
DROP TABLE metric_points;
ALTER TABLE metric_points_v10 RENAME TO metric_points;
CREATE INDEX metric_points_by_name ON metric_points(name);
ALTER TABLE goroutine_groups ADD COLUMN labels TEXT NOT NULL DEFAULT '';
ALTER TABLE goroutine_groups ADD COLUMN elided_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE goroutine_groups ADD COLUMN elided_at INTEGER NOT NULL DEFAULT 0;
)SQL",
};

// One object of a schema as sqlite_master lists it.
struct SchemaObject {
    std::string type, name, table, sql;
    bool operator==(const SchemaObject&) const = default;
};

// A definition as SQLite reads it, token by token: comments dropped, quotes
// around identifiers dropped, case folded outside string literals, and
// whitespace kept only between two words. Two definitions that normalize
// alike define the same thing however they were typed.
std::string normalizeSql(std::string_view sql) {
    std::string out;
    bool pendingSpace = false;
    auto isWord = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80);
    };
    auto emit = [&](char c) {
        if (pendingSpace && !out.empty() && isWord(out.back()) && isWord(c))
            out += ' ';
        pendingSpace = false;
        out += c;
    };
    for (size_t i = 0; i < sql.size();) {
        char c = sql[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            pendingSpace = true;
            ++i;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            while (i < sql.size() && sql[i] != '\n')
                ++i;
            pendingSpace = true;
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
            pendingSpace = true;
        } else if (c == '\'') { // a literal, verbatim ('' escapes a quote)
            size_t j = i + 1;
            while (j < sql.size() &&
                   !(sql[j] == '\'' && (j + 1 >= sql.size() || sql[j + 1] != '\'')))
                j += sql[j] == '\'' ? 2 : 1;
            emit('\'');
            out.append(sql.substr(i + 1, std::min(j, sql.size()) - i - 1));
            out += '\'';
            i = j + 1;
        } else if (c == '"' || c == '`' || c == '[') { // a quoted identifier
            char close = c == '[' ? ']' : c;
            size_t j = sql.find(close, i + 1);
            if (j == std::string_view::npos)
                j = sql.size();
            for (size_t k = i + 1; k < j; ++k)
                emit(char(std::tolower(static_cast<unsigned char>(sql[k]))));
            i = j + 1;
        } else {
            emit(char(std::tolower(static_cast<unsigned char>(c))));
            ++i;
        }
    }
    return out;
}

std::string lower(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Result<std::vector<SchemaObject>> schemaObjects(Db& db) {
    std::vector<SchemaObject> out;
    Stmt s(db,
           "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name");
    if (auto st = s.each([&] {
            out.push_back({s.text(0), lower(s.text(1)), lower(s.text(2)), normalizeSql(s.text(3))});
        });
        !st)
        return st.error();
    return out;
}

// The schema a fresh case of `version` has, built in memory from the same
// statements that build and migrate a case.
Result<std::vector<SchemaObject>> expectedSchema(int64_t version) {
    Db mem;
    if (auto st = mem.open(":memory:", false, true); !st)
        return st.error();
    if (auto st = mem.exec(kSchemaV1.c_str()); !st)
        return st.error();
    for (int64_t v = 1; v < version; ++v)
        if (auto st = mem.exec(kMigrations[v - 1].c_str()); !st)
            return st.error();
    return schemaObjects(mem);
}

// A case holds exactly the tables and indexes memscope made, with the same
// definitions: a trigger, a view or a table it did not create could run SQL
// or change what a query reads. Names each object that differs. A case of
// an older version may already hold what a later version defines (it is
// checked exactly once migrated); one of the current version must match it
// object for object.
Status checkSchemaIsOurs(Db& db, int64_t version) {
    const bool exact = version == kSchemaVersion;
    std::vector<std::vector<SchemaObject>> wanted;
    for (int64_t v = version; v <= (exact ? version : kSchemaVersion); ++v) {
        auto want = expectedSchema(v);
        if (!want)
            return want.error();
        wanted.push_back(std::move(*want));
    }
    auto have = schemaObjects(db);
    if (!have)
        return Error{ErrorCode::Database,
                     "cannot read the case's schema: " + have.error().message,
                     db.path(),
                     {},
                     {}};
    auto sameName = [](const SchemaObject& a, const SchemaObject& b) {
        return a.type == b.type && a.name == b.name;
    };
    std::vector<std::string> problems;
    for (const auto& h : *have) {
        bool named = false, same = false;
        for (const auto& want : wanted)
            for (const auto& w : want)
                if (sameName(w, h)) {
                    named = true;
                    same = same || w == h;
                }
        if (!named)
            problems.push_back("foreign " + h.type + " " + h.name +
                               (h.table != h.name ? " (on " + h.table + ")" : std::string()));
        else if (!same)
            problems.push_back(h.type + " " + h.name + " is defined differently");
    }
    if (exact)
        for (const auto& w : wanted.front())
            if (std::none_of(have->begin(), have->end(),
                             [&](const SchemaObject& h) { return sameName(w, h); }))
                problems.push_back(w.type + " " + w.name + " is missing");
    if (problems.empty())
        return {};
    std::string list;
    for (size_t i = 0; i < problems.size() && i < 20; ++i)
        list += (i ? "; " : "") + problems[i];
    if (problems.size() > 20)
        list += "; and " + std::to_string(problems.size() - 20) + " more";
    return Error{ErrorCode::Format,
                 "the case's schema is not the one memscope writes for version " +
                     std::to_string(version) + ", refusing to open it: " + list,
                 db.path(),
                 {},
                 {}};
}

} // namespace

Status CaseStore::initSchema(bool readOnly) {
    Stmt probe(*m_db, "SELECT count(*) FROM sqlite_master");
    if (!probe.valid() || probe.step() != Step::Row) {
        Status st = probe.valid() ? probe.status() : Status(m_db->error("read"));
        std::string why = st ? "unreadable" : st.error().message;
        int code = sqlite3_errcode(m_db->handle()) & 0xff;
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            return Error{ErrorCode::Busy, "cannot read the case (" + why + ")", m_path, {}, {}};
        if (code == SQLITE_NOTADB)
            return Error{
                ErrorCode::Database, "not a memscope case (not a SQLite database)", m_path, {}, {}};
        if (code == SQLITE_CORRUPT)
            return Error{ErrorCode::Database, "damaged case (" + why + ")", m_path, {}, {}};
        if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
            why += "; its -wal log needs a -shm file beside it: copy the case to a writable folder";
        return Error{ErrorCode::Database, "cannot read the case (" + why + ")", m_path, {}, {}};
    }
    int64_t objects = probe.i64(0);
    probe.reset();
    auto appIdRow = m_db->scalar("PRAGMA application_id");
    if (!appIdRow)
        return appIdRow.error();
    auto versionRow = m_db->scalar("PRAGMA user_version");
    if (!versionRow)
        return versionRow.error();
    int64_t appId = *appIdRow, version = *versionRow;
    if (objects == 0) {
        if (readOnly)
            return Error{ErrorCode::Database, "empty file, not a memscope case", m_path, {}, {}};
        // WAL with NORMAL sync: commits append to the log without waiting on
        // the disk; checkpoints sync. Set first, so the schema commits so too.
        (void)m_db->exec("PRAGMA synchronous=NORMAL");
        if (auto st = m_db->exec("PRAGMA journal_mode=WAL"); !st)
            return st;
        Transaction tx(*m_db);
        if (!tx.begun())
            return tx.begun();
        if (auto st = m_db->exec(kSchemaV1.c_str()); !st)
            return st;
        for (const auto& step : kMigrations)
            if (auto st = m_db->exec(step.c_str()); !st)
                return st;
        std::string pragmas = "PRAGMA application_id=" + std::to_string(kApplicationId) +
                              "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";";
        if (auto st = m_db->exec(pragmas.c_str()); !st)
            return st;
        Stmt meta(*m_db, "INSERT INTO meta VALUES('created_ns', ?)");
        if (auto st = meta.bind(1, std::to_string(nowNs())).exec(); !st)
            return st;
        if (auto st = tx.commit(); !st)
            return st;
    } else {
        if (appId != kApplicationId)
            return Error{ErrorCode::Database,
                         "a SQLite database, but not a memscope case (application_id " +
                             std::to_string(appId) + ")",
                         m_path,
                         {},
                         {}};
        if (version > kSchemaVersion)
            return Error{ErrorCode::Unsupported,
                         "case schema version " + std::to_string(version) +
                             " is newer than this memscope reads (" +
                             std::to_string(kSchemaVersion) + "); upgrade memscope",
                         m_path,
                         {},
                         {}};
        if (version < 1)
            return Error{ErrorCode::Unsupported,
                         "case schema version " + std::to_string(version) + " is not supported",
                         m_path,
                         {},
                         {}};
        // Before anything is written or read: the schema must be ours.
        if (auto st = checkSchemaIsOurs(*m_db, version); !st)
            return st;
        if (!readOnly) {
            (void)m_db->exec("PRAGMA synchronous=NORMAL");
            (void)m_db->exec("PRAGMA journal_mode=WAL");
        }
        if (version < kSchemaVersion) {
            if (readOnly)
                return Error{ErrorCode::Unsupported,
                             "case schema version " + std::to_string(version) +
                                 " needs an upgrade; open it writable once",
                             m_path,
                             {},
                             {}};
            Transaction tx(*m_db);
            if (!tx.begun())
                return tx.begun();
            for (int64_t v = version; v < kSchemaVersion; ++v)
                if (auto st = m_db->exec(kMigrations[v - 1].c_str()); !st)
                    return Error{ErrorCode::Database,
                                 "migrating the case to schema " + std::to_string(v + 1) + ": " +
                                     st.error().message,
                                 m_path,
                                 {},
                                 {}};
            std::string pragma = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
            if (auto st = m_db->exec(pragma.c_str()); !st)
                return st;
            if (auto st = tx.commit(); !st)
                return st;
            if (auto st = checkSchemaIsOurs(*m_db, kSchemaVersion); !st)
                return st;
        }
        if (auto st = checkCaseRows(*m_db); !st)
            return st;
    }
    (void)m_db->exec(readOnly ? "PRAGMA cache_size=-65536; PRAGMA query_only=ON;"
                              : "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;");
    return {};
}

Result<int> CaseStore::schemaVersion() {
    auto v = m_db->scalar("PRAGMA user_version");
    if (!v)
        return v.error();
    return int(*v);
}

Result<int64_t> CaseStore::dataVersion() { return m_db->scalar("PRAGMA data_version"); }

} // namespace memscope
