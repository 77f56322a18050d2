// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines for now: the schema and migrations, the import writer and
// the readers still share this file; they are to move into store/schema.cpp,
// store/import_writer.cpp and store/readers_*.cpp (as readers_series.cpp and
// readers_sockets.cpp already have).
#include "store/case_store.h"

#include "base/sha256.h"
#include "formats/pprof/pprof_reader.h"
#include "import/capture_time.h"
#include "io/chunk_compressor.h"
#include "store/case_validate.h"
#include "store/db.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>
#include <sqlite3.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace memscope {

namespace {

const char* kSchemaV1 = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  compression TEXT NOT NULL,
  mtime_ns INTEGER NOT NULL,
  imported_at_ns INTEGER NOT NULL,
  decoded_size INTEGER NOT NULL);
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
const char* kMigrations[] = {
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
    R"SQL(
CREATE TABLE sources_v9(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  compression TEXT NOT NULL,
  mtime_ns INTEGER NOT NULL,
  imported_at_ns INTEGER NOT NULL,
  decoded_size INTEGER NOT NULL);
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
    if (auto st = mem.exec(kSchemaV1); !st)
        return st.error();
    for (int64_t v = 1; v < version; ++v)
        if (auto st = mem.exec(kMigrations[v - 1]); !st)
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

void putVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += char(v | 0x80);
        v >>= 7;
    }
    out += char(v);
}

bool getVarint(std::string_view& in, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        uint8_t b = uint8_t(in.front());
        in.remove_prefix(1);
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

constexpr size_t kChunk = 4u << 20;

int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string baseName(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Labels packed as key US kind US value US unit, records separated by RS.
std::string packLabels(const std::pmr::vector<Label>& labels) {
    std::string out;
    for (const auto& l : labels) {
        if (!out.empty())
            out += '\x1e';
        out += l.key;
        out += '\x1f';
        out += l.isNum ? 'n' : 's';
        out += '\x1f';
        out += l.isNum ? std::to_string(l.num) : l.str;
        out += '\x1f';
        out += l.numUnit;
    }
    return out;
}

std::vector<Label> unpackLabels(const std::string& s) {
    std::vector<Label> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t end = s.find('\x1e', pos);
        if (end == std::string::npos)
            end = s.size();
        std::string rec = s.substr(pos, end - pos);
        std::vector<std::string> parts;
        size_t p = 0;
        for (;;) {
            size_t q = rec.find('\x1f', p);
            parts.push_back(rec.substr(p, q == std::string::npos ? std::string::npos : q - p));
            if (q == std::string::npos)
                break;
            p = q + 1;
        }
        if (parts.size() == 4) {
            Label l;
            l.key = parts[0];
            l.isNum = parts[1] == "n";
            if (l.isNum)
                l.num = std::strtoll(parts[2].c_str(), nullptr, 10);
            else
                l.str = parts[2];
            l.numUnit = parts[3];
            out.push_back(std::move(l));
        }
        pos = end + 1;
    }
    return out;
}

struct FunctionKey {
    int64_t name, systemName, file, startLine;
    bool operator<(const FunctionKey& o) const {
        return std::tie(name, systemName, file, startLine) <
               std::tie(o.name, o.systemName, o.file, o.startLine);
    }
};

struct FrameKey {
    int64_t function, line, inlined;
    uint64_t address;
    bool operator<(const FrameKey& o) const {
        return std::tie(function, line, inlined, address) <
               std::tie(o.function, o.line, o.inlined, o.address);
    }
};

struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
        return std::hash<int64_t>()(p.first * 1000003 ^ p.second);
    }
};

} // namespace

// ---- Writer: the ImportSink for one file, inside its transaction. ----------

class CaseStore::Writer final : public ImportSink {
public:
    Writer(CaseStore& store, int64_t sourceId, const SourceFile& src, const ImportOptions& opts)
        : m_db(*store.m_db), m_sourceId(sourceId), m_src(src), m_opts(opts) {}

    std::vector<int64_t> snapshotIds;
    std::vector<std::string> warnings;
    std::string timeSource;

    Result<int64_t> addSnapshot(const SnapshotDraft& d) override {
        auto target = targetId(d.target);
        if (!target)
            return target.error();
        int64_t t;
        std::string nameWarning;
        if (d.timeNs && *d.timeNs > 0) {
            t = *d.timeNs;
            timeSource = d.timeSource.empty() ? "data" : d.timeSource;
        } else if (auto fromName = timeFromFileName(m_src.name, &nameWarning)) {
            t = *fromName;
            timeSource = "filename";
        } else {
            t = m_src.file->mtimeNs();
            timeSource = "mtime";
            if (!nameWarning.empty() && snapshotIds.empty())
                warnings.push_back(nameWarning + "; the file's mtime is used");
        }
        Stmt s(m_db, "INSERT INTO snapshots(source_id, target_id, kind, time_ns, time_source, "
                     "duration_ns) VALUES(?,?,?,?,?,?)");
        s.bind(1, m_sourceId)
            .bind(2, *target)
            .bind(3, toString(d.kind))
            .bind(4, t)
            .bind(5, timeSource);
        s.bind(6, d.durationNs);
        if (auto st = s.exec(); !st)
            return st.error();
        int64_t id = m_db.lastInsertId();
        snapshotIds.push_back(id);
        return id;
    }

    Status addProfile(int64_t snapshotId, const Profile& p) override {
        std::string comments;
        for (const auto& c : p.comments)
            comments += (comments.empty() ? "" : "\n") + c;
        Stmt meta(m_db, "INSERT INTO profile_meta VALUES(?,?,?,?,?,?,?,?)");
        meta.bind(1, snapshotId).bind(2, p.period).bind(3, p.periodType.type);
        meta.bind(4, p.periodType.unit).bind(5, p.defaultSampleType).bind(6, p.dropFrames);
        meta.bind(7, p.keepFrames).bind(8, comments);
        if (auto st = meta.exec(); !st)
            return st;

        std::vector<int64_t> totals(p.sampleTypes.size(), 0);
        for (const auto& s : p.samples)
            for (size_t i = 0; i < totals.size() && i < s.values.size(); ++i)
                totals[i] += s.values[i] < 0 ? -s.values[i] : s.values[i];
        Stmt types(m_db, "INSERT INTO sample_types VALUES(?,?,?,?,?)");
        for (size_t i = 0; i < p.sampleTypes.size(); ++i) {
            types.bind(1, snapshotId).bind(2, int64_t(i)).bind(3, p.sampleTypes[i].type);
            types.bind(4, p.sampleTypes[i].unit).bind(5, totals[i]);
            if (auto st = types.exec(); !st)
                return st;
        }
        Stmt maps(m_db, "INSERT INTO mappings VALUES(?,?,?,?,?,?,?,?)");
        for (size_t i = 0; i < p.mappings.size(); ++i) {
            const auto& m = p.mappings[i];
            maps.bind(1, snapshotId).bind(2, int64_t(i)).bind(3, int64_t(m.memoryStart));
            maps.bind(4, int64_t(m.memoryLimit)).bind(5, int64_t(m.fileOffset)).bind(6, m.file);
            maps.bind(7, m.buildId).bind(8, int64_t(m.hasFunctions));
            if (auto st = maps.exec(); !st)
                return st;
        }

        // Intern functions and frames of every location once.
        std::vector<int64_t> functionIds(p.functions.size(), -1);
        for (size_t i = 0; i < p.functions.size(); ++i) {
            auto id = internFunction(p.functions[i]);
            if (!id)
                return id.error();
            functionIds[i] = *id;
        }
        std::vector<std::vector<int64_t>> locationFrames(p.locations.size());
        for (size_t i = 0; i < p.locations.size(); ++i) {
            const auto& loc = p.locations[i];
            auto& frames = locationFrames[i];
            if (loc.lines.empty()) {
                auto id = internFrame({0, 0, 0, loc.address});
                if (!id)
                    return id.error();
                frames.push_back(*id);
            }
            for (size_t k = 0; k < loc.lines.size(); ++k) {
                FrameKey key{functionIds[loc.lines[k].function], loc.lines[k].line,
                             k + 1 < loc.lines.size() ? 1 : 0, 0};
                auto id = internFrame(key);
                if (!id)
                    return id.error();
                frames.push_back(*id);
            }
        }

        Stmt ins(m_db, "INSERT INTO samples VALUES(?,?,?,?,?,?,?,?)");
        std::vector<int64_t> path;
        for (const auto& s : p.samples) {
            // Walk root -> leaf through the trie.
            int64_t node = 0;
            for (size_t li = s.locations.size(); li-- > 0;) {
                const auto& frames = locationFrames[s.locations[li]];
                for (size_t fi = frames.size(); fi-- > 0;) {
                    auto id = internStack(node, frames[fi]);
                    if (!id)
                        return id.error();
                    node = *id;
                }
            }
            ins.bind(1, snapshotId).bind(2, node);
            for (size_t i = 0; i < 4; ++i)
                ins.bind(int(3 + i), i < s.values.size() ? s.values[i] : int64_t(0));
            if (s.values.size() > 4) {
                std::string more;
                for (size_t i = 4; i < s.values.size(); ++i)
                    more += (i > 4 ? " " : "") + std::to_string(s.values[i]);
                ins.bind(7, more);
            } else {
                ins.bindNull(7);
            }
            if (!s.labels.empty())
                ins.bind(8, packLabels(s.labels));
            else
                ins.bindNull(8);
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    Status addGoroutines(int64_t snapshotId, const GoroutineDump& dump) override {
        std::vector<int64_t> frameIds(dump.frames.size());
        for (size_t i = 0; i < dump.frames.size(); ++i) {
            const GoFrame& f = dump.frames[i];
            auto fn = internFunction(Function{f.function, f.function, f.file, 0});
            if (!fn)
                return fn.error();
            auto fr = internFrame({*fn, f.line, 0, 0});
            if (!fr)
                return fr.error();
            frameIds[i] = *fr;
        }
        // Members per group, ids ascending, delta-encoded.
        std::vector<std::vector<const GoroutineRecord*>> members(dump.groups.size());
        for (const auto& g : dump.goroutines)
            members[g.group].push_back(&g);
        Stmt grp(m_db, "INSERT INTO goroutine_groups VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        std::string packed;
        for (size_t g = 0; g < dump.groups.size(); ++g) {
            const GoroutineGroup& gr = dump.groups[g];
            int64_t node = 0;
            for (size_t k = gr.frames.size(); k-- > 0;) {
                auto id = internStack(node, frameIds[gr.frames[k]]);
                if (!id)
                    return id.error();
                node = *id;
            }
            grp.bind(1, snapshotId).bind(2, int64_t(g)).bind(3, node);
            grp.bind(4, gr.createdBy >= 0 ? frameIds[size_t(gr.createdBy)] : int64_t(0));
            grp.bind(5, gr.state).bind(6, toString(gr.role)).bind(7, gr.count);
            grp.bind(8, gr.lockedToThread).bind(9, gr.minWaitMinutes).bind(10, gr.maxWaitMinutes);
            grp.bind(11, gr.exactVariants).bind(12, int64_t(gr.framesElided));
            auto& m = members[g];
            std::sort(m.begin(), m.end(), [](auto* a, auto* b) { return a->id < b->id; });
            packed.clear();
            int64_t prev = 0;
            for (const auto* r : m) {
                putVarint(packed, uint64_t(r->id - prev));
                putVarint(packed, uint64_t(r->waitMinutes + 1));
                putVarint(packed, uint64_t(r->parentId));
                putVarint(packed, r->locked ? 1 : 0);
                prev = r->id;
            }
            grp.bindBlob(13, packed);
            grp.bind(14, int64_t(gr.leaked));
            std::string labels;
            for (const auto& [k, v] : gr.labels) {
                if (!labels.empty())
                    labels += '\x1e';
                labels += k;
                labels += '\x1f';
                labels += v;
            }
            grp.bind(15, labels).bind(16, gr.elidedFrames).bind(17, int64_t(gr.elidedAt));
            if (auto st = grp.exec(); !st)
                return st;
        }
        return {};
    }

    Status addFds(int64_t snapshotId, const FdSnapshot& snap) override {
        Stmt ins(m_db, "INSERT INTO fds VALUES(?,?,?,?,?,?,?,?,?,?)");
        for (const auto& e : snap.fds) {
            ins.bind(1, snapshotId).bind(2, e.fd).bind(3, e.type).bind(4, e.protocol);
            ins.bind(5, e.localAddr).bind(6, e.localPort).bind(7, e.remoteAddr);
            ins.bind(8, e.remotePort).bind(9, e.state).bind(10, e.name);
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    Status addGcCycles(int64_t snapshotId, const std::vector<GcCycle>& cycles) override {
        Stmt ins(m_db, "INSERT INTO gc_cycles VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& c : cycles) {
            ins.bind(1, snapshotId).bind(2, c.n).bind(3, c.atSeconds).bind(4, c.cpuPercent);
            ins.bind(5, c.stwSweepMs).bind(6, c.concurrentMs).bind(7, c.stwMarkMs);
            ins.bind(8, c.heapStartMb).bind(9, c.heapEndMb).bind(10, c.heapLiveMb);
            ins.bind(11, c.goalMb).bind(12, c.stacksMb).bind(13, c.globalsMb);
            ins.bind(14, c.procs).bind(15, int64_t(c.forced));
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    int64_t processStartFromExpvar(const std::vector<GcCycle>& cycles) override {
        Stmt q(m_db, "SELECT a.value, b.value FROM metric_points a JOIN metric_points b"
                     " ON b.snapshot_id = a.snapshot_id AND b.name = 'memstats.LastGC'"
                     " JOIN snapshots sn ON sn.id = a.snapshot_id AND sn.kind = 'expvar'"
                     " WHERE a.name = 'memstats.NumGC' ORDER BY sn.time_ns DESC");
        Step step;
        while ((step = q.step()) == Step::Row) {
            double numGcValue = q.f64(0), lastGc = q.f64(1);
            if (q.isInteger(1) && q.i64(1) > 0) { // exact: nanoseconds past 2^53
                int64_t exact = q.i64(1);
                for (const auto& c : cycles)
                    if (q.isInteger(0) && c.n == q.i64(0))
                        return exact - int64_t(std::llround(c.atSeconds * 1e9));
            }
            if (!(numGcValue >= 0 && numGcValue < 9.2e18)) // a count past int64 is no count
                continue;
            int64_t numGc = int64_t(numGcValue);
            for (const auto& c : cycles)
                if (c.n == numGc && lastGc > 0 && lastGc < 9.2e18) // within int64 nanoseconds
                    return int64_t(lastGc - c.atSeconds * 1e9);
        }
        // The interface has no error here: the log stays on its mtime, and says why.
        if (step == Step::Failed)
            warnings.push_back("the process start could not be read from expvar: " +
                               q.status().error().message);
        return 0;
    }

    Status addEscapeNotes(int64_t snapshotId, const std::vector<EscapeNote>& notes) override {
        Stmt ins(m_db, "INSERT INTO escape_notes VALUES(?,?,?,?,?,?,?)");
        for (const auto& n : notes) {
            ins.bind(1, snapshotId).bind(2, n.file).bind(3, n.line).bind(4, n.column);
            ins.bind(5, n.kind).bind(6, n.message).bind(7, n.detail);
            if (auto st = ins.exec(); !st)
                return st;
        }
        return {};
    }

    Status addHeapDump(int64_t snapshotId, const HeapDump& d, const HeapDumpSummary& sum,
                       std::string_view graphBlob) override {
        std::string counts = "{";
        for (int t = 0; t < kHeapDumpTags; ++t)
            if (d.recordCounts[t])
                counts += std::string(counts.size() > 1 ? "," : "") + "\"" + heapDumpTagName(t) +
                          "\":" + std::to_string(d.recordCounts[t]);
        counts += "}";
        Stmt h(m_db, "INSERT INTO heapdumps VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        h.bind(1, snapshotId).bind(2, d.goVersion).bind(3, int64_t(d.ptrSize));
        h.bind(4, int64_t(sum.objects)).bind(5, int64_t(sum.bytes)).bind(6, int64_t(sum.edges));
        h.bind(7, int64_t(sum.reachableObjects)).bind(8, int64_t(sum.reachableBytes));
        h.bind(9, int64_t(sum.sampledObjects)).bind(10, int64_t(sum.sampledBytes));
        h.bind(11, int64_t(sum.sampledRetainedBytes)).bind(12, int64_t(sum.finalizersRegistered));
        h.bind(13, int64_t(sum.finalizersQueued)).bind(14, int64_t(sum.finalizerRetainedBytes));
        h.bind(15, int64_t(sum.goroutines)).bind(16, int64_t(d.graph.roots.size()));
        h.bind(17, counts).bind(18, d.symbolsFrom);
        if (auto st = h.exec(); !st)
            return st;
        constexpr size_t kPart = 64u << 20;
        Stmt part(m_db, "INSERT INTO heapdump_graph VALUES(?,?,?)");
        for (size_t off = 0, seq = 0; off < graphBlob.size() || seq == 0; off += kPart, ++seq) {
            part.bind(1, snapshotId)
                .bind(2, int64_t(seq))
                .bindBlob(3, graphBlob.substr(off, kPart));
            if (auto st = part.exec(); !st)
                return st;
        }
        Stmt roots(m_db, "INSERT INTO heapdump_roots VALUES(?,?,?,?,?,?,?,?)");
        for (const auto& r : sum.roots) {
            roots.bind(1, snapshotId).bind(2, int64_t(r.index)).bind(3, rootKindName(r.kind));
            roots.bind(4, r.name).bind(5, r.detail).bind(6, int64_t(r.directObjects));
            roots.bind(7, int64_t(r.retainedBytes)).bind(8, int64_t(r.retainedObjects));
            if (auto st = roots.exec(); !st)
                return st;
        }
        std::vector<const HeapDumpSummary::SiteRow*> rowOf(d.buckets.size(), nullptr);
        for (const auto& r : sum.sites)
            rowOf[r.bucket] = &r;
        Stmt sites(m_db, "INSERT INTO heapdump_sites VALUES(?,?,?,?,?,?,?,?,?)");
        for (size_t b = 0; b < d.buckets.size(); ++b) {
            const auto& bk = d.buckets[b];
            int64_t node = 0;
            for (size_t i = bk.frames.size(); i-- > 0;) {
                const auto& f = bk.frames[i];
                auto fn = internFunction(Function{f.function, f.function, f.file, 0});
                if (!fn)
                    return fn.error();
                auto fr = internFrame({*fn, f.line, 0, 0});
                if (!fr)
                    return fr.error();
                auto st = internStack(node, *fr);
                if (!st)
                    return st.error();
                node = *st;
            }
            const auto* r = rowOf[b];
            sites.bind(1, snapshotId).bind(2, int64_t(b)).bind(3, node).bind(4, int64_t(bk.size));
            sites.bind(5, int64_t(bk.allocs)).bind(6, int64_t(bk.frees));
            sites.bind(7, int64_t(r ? r->sampledObjects : 0))
                .bind(8, int64_t(r ? r->sampledBytes : 0));
            sites.bind(9, int64_t(r ? r->retainedBytes : 0));
            if (auto st = sites.exec(); !st)
                return st;
        }
        Stmt rs(m_db, "INSERT INTO heapdump_root_sites VALUES(?,?,?,?,?)");
        for (const auto& e : sum.rootSites) {
            rs.bind(1, snapshotId).bind(2, int64_t(e.root) - 1).bind(3, int64_t(e.bucket));
            rs.bind(4, int64_t(e.retainedBytes)).bind(5, int64_t(e.objects));
            if (auto st = rs.exec(); !st)
                return st;
        }
        // A finalizer named in one dump (its function was on a stack) names it
        // in the others too: same PC, same program.
        Stmt known(
            m_db,
            "SELECT function FROM heapdump_finalizers WHERE pc = ? AND function NOT LIKE 'fn 0x%'"
            " LIMIT 1");
        Stmt renameFin(
            m_db, "UPDATE heapdump_finalizers SET function = ?1 WHERE pc = ?2 AND function = ?3");
        Stmt renameRoot(m_db, "UPDATE heapdump_roots SET name = ?1 WHERE name = ?2 AND kind IN"
                              " ('finalizer', 'queued_finalizer')");
        std::map<std::string, std::string> renamed;
        for (const auto& f : sum.finalizers) {
            std::string anon = unnamedFunction(f.pc);
            if (f.function == anon) {
                known.bind(1, int64_t(f.pc));
                auto row = known.next();
                if (!row)
                    return row.error();
                if (*row)
                    renamed[anon] = known.text(0);
                known.reset();
            } else {
                for (Stmt* st : {&renameFin, &renameRoot}) {
                    st->bind(1, f.function);
                    if (st == &renameFin)
                        st->bind(2, int64_t(f.pc)).bind(3, anon);
                    else
                        st->bind(2, anon);
                    if (auto r = st->exec(); !r)
                        return r;
                }
            }
        }
        if (!renamed.empty()) {
            Stmt fix(m_db,
                     "UPDATE heapdump_roots SET name = ?1 WHERE snapshot_id = ?2 AND name = ?3");
            for (const auto& [from, to] : renamed)
                if (auto r = fix.bind(1, to).bind(2, snapshotId).bind(3, from).exec(); !r)
                    return r;
        }
        Stmt fin(m_db, "INSERT INTO heapdump_finalizers VALUES(?,?,?,?,?,?)");
        for (const auto& f : sum.finalizers) {
            auto alias = renamed.find(f.function);
            fin.bind(1, snapshotId).bind(2, alias == renamed.end() ? f.function : alias->second);
            fin.bind(3, int64_t(f.pc));
            fin.bind(4, int64_t(f.registered))
                .bind(5, int64_t(f.queued))
                .bind(6, int64_t(f.retainedBytes));
            if (auto st = fin.exec(); !st)
                return st;
        }
        return {};
    }

    Status addMetric(int64_t snapshotId, const std::string& name, double value) override {
        if (!m_addMetric.valid())
            m_addMetric = m_db.prepare("INSERT OR REPLACE INTO metric_points VALUES(?,?,?)");
        return m_addMetric.bind(1, snapshotId).bind(2, name).bind(3, value).exec();
    }
    Status addMetricInteger(int64_t snapshotId, const std::string& name, int64_t value) override {
        if (!m_addMetric.valid())
            m_addMetric = m_db.prepare("INSERT OR REPLACE INTO metric_points VALUES(?,?,?)");
        return m_addMetric.bind(1, snapshotId).bind(2, name).bind(3, value).exec();
    }

    void warn(const std::string& message) override { warnings.push_back(message); }

private:
    Result<int64_t> targetId(const TargetHint& hint) {
        std::string name = !m_opts.targetName.empty() ? m_opts.targetName : hint.name;
        if (name.empty()) {
            // A capture that does not name its program joins the case's only
            // program, when there is exactly one.
            Stmt only(m_db, "SELECT name FROM targets WHERE name <> 'default' LIMIT 2");
            std::vector<std::string> names;
            if (auto st = only.each([&] { names.push_back(only.text(0)); }); !st)
                return st.error();
            name = names.size() == 1 ? names.front() : "default";
        }
        Stmt find(m_db, "SELECT id FROM targets WHERE name = ?");
        find.bind(1, name);
        auto found = find.next();
        if (!found)
            return found.error();
        if (*found) {
            int64_t id = find.i64(0);
            if (!hint.host.empty() || hint.pid || !hint.goVersion.empty()) {
                Stmt upd(m_db, "UPDATE targets SET host = CASE WHEN ?2 <> '' THEN ?2 ELSE host END,"
                               " pid = CASE WHEN ?3 <> 0 THEN ?3 ELSE pid END,"
                               " go_version = CASE WHEN ?4 <> '' THEN ?4 ELSE go_version END"
                               " WHERE id = ?1");
                upd.bind(1, id).bind(2, hint.host).bind(3, hint.pid).bind(4, hint.goVersion);
                if (auto st = upd.exec(); !st)
                    return st.error();
            }
            return id;
        }
        if (name != "default") {
            // Captures that did not name their program went to "default"; when
            // it is the only target, it was this program all along.
            Stmt all(m_db, "SELECT id, name FROM targets LIMIT 2");
            std::vector<std::pair<int64_t, std::string>> have;
            if (auto st = all.each([&] { have.emplace_back(all.i64(0), all.text(1)); }); !st)
                return st.error();
            if (have.size() == 1 && have[0].second == "default") {
                Stmt ren(m_db, "UPDATE targets SET name = ? WHERE id = ?");
                if (auto st = ren.bind(1, name).bind(2, have[0].first).exec(); !st)
                    return st.error();
                return have[0].first;
            }
        }
        Stmt ins(m_db, "INSERT INTO targets(name, host, pid, go_version) VALUES(?,?,?,?)");
        ins.bind(1, name).bind(2, hint.host).bind(3, hint.pid).bind(4, hint.goVersion);
        if (auto st = ins.exec(); !st)
            return st.error();
        return m_db.lastInsertId();
    }

    Result<int64_t> internString(const std::string& s) {
        if (auto it = m_strings.find(s); it != m_strings.end())
            return it->second;
        if (!m_findString.valid()) {
            m_findString = m_db.prepare("SELECT id FROM strings WHERE value = ?");
            m_addString = m_db.prepare("INSERT INTO strings(value) VALUES(?)");
        }
        m_findString.bind(1, s);
        int64_t id;
        auto found = m_findString.next();
        if (!found)
            return found.error();
        if (*found) {
            id = m_findString.i64(0);
            m_findString.reset();
        } else {
            m_findString.reset();
            if (auto st = m_addString.bind(1, s).exec(); !st)
                return st.error();
            id = m_db.lastInsertId();
        }
        m_strings.emplace(s, id);
        return id;
    }

    Result<int64_t> internFunction(const Function& f) {
        auto n = internString(f.name);
        auto sn = internString(f.systemName);
        auto fl = internString(f.file);
        if (!n || !sn || !fl)
            return !n ? n.error() : !sn ? sn.error() : fl.error();
        FunctionKey key{*n, *sn, *fl, f.startLine};
        if (auto it = m_functions.find(key); it != m_functions.end())
            return it->second;
        if (!m_findFunction.valid()) {
            m_findFunction = m_db.prepare("SELECT id FROM functions WHERE name_id = ? AND "
                                          "system_name_id = ? AND file_id = ? AND start_line = ?");
            m_addFunction = m_db.prepare("INSERT INTO functions(name_id, system_name_id, file_id, "
                                         "start_line) VALUES(?,?,?,?)");
        }
        int64_t id;
        m_findFunction.bind(1, key.name)
            .bind(2, key.systemName)
            .bind(3, key.file)
            .bind(4, key.startLine);
        auto found = m_findFunction.next();
        if (!found)
            return found.error();
        if (*found) {
            id = m_findFunction.i64(0);
            m_findFunction.reset();
        } else {
            m_findFunction.reset();
            m_addFunction.bind(1, key.name).bind(2, key.systemName).bind(3, key.file);
            m_addFunction.bind(4, key.startLine);
            if (auto st = m_addFunction.exec(); !st)
                return st.error();
            id = m_db.lastInsertId();
        }
        m_functions.emplace(key, id);
        return id;
    }

    Result<int64_t> internFrame(const FrameKey& key) {
        if (auto it = m_frames.find(key); it != m_frames.end())
            return it->second;
        if (!m_findFrame.valid()) {
            m_findFrame = m_db.prepare("SELECT id FROM frames WHERE function_id = ? AND line = ? "
                                       "AND inlined = ? AND address = ?");
            m_addFrame = m_db.prepare(
                "INSERT INTO frames(function_id, line, inlined, address) VALUES(?,?,?,?)");
        }
        int64_t id;
        m_findFrame.bind(1, key.function).bind(2, key.line).bind(3, key.inlined);
        m_findFrame.bind(4, int64_t(key.address));
        auto found = m_findFrame.next();
        if (!found)
            return found.error();
        if (*found) {
            id = m_findFrame.i64(0);
            m_findFrame.reset();
        } else {
            m_findFrame.reset();
            m_addFrame.bind(1, key.function).bind(2, key.line).bind(3, key.inlined);
            m_addFrame.bind(4, int64_t(key.address));
            if (auto st = m_addFrame.exec(); !st)
                return st.error();
            id = m_db.lastInsertId();
        }
        m_frames.emplace(key, id);
        return id;
    }

    Result<int64_t> internStack(int64_t parent, int64_t frame) {
        auto key = std::make_pair(parent, frame);
        if (auto it = m_stacks.find(key); it != m_stacks.end())
            return it->second;
        if (!m_findStack.valid()) {
            m_findStack =
                m_db.prepare("SELECT id FROM stacks WHERE parent_id = ? AND frame_id = ?");
            m_addStack = m_db.prepare("INSERT INTO stacks(parent_id, frame_id) VALUES(?,?)");
        }
        if (m_firstNewStack < 0) {
            auto first = m_db.scalar("SELECT COALESCE(max(id), 0) + 1 FROM stacks");
            if (!first)
                return first.error();
            m_firstNewStack = *first;
        }
        // A node this import made has no children in the case but those it
        // made too, which the cache holds: no lookup needed below it.
        int64_t id;
        bool found = false;
        if (parent < m_firstNewStack) {
            auto row = m_findStack.bind(1, parent).bind(2, frame).next();
            if (!row)
                return row.error();
            found = *row;
        }
        if (found) {
            id = m_findStack.i64(0);
            m_findStack.reset();
        } else {
            m_findStack.reset();
            if (auto st = m_addStack.bind(1, parent).bind(2, frame).exec(); !st)
                return st.error();
            id = m_db.lastInsertId();
        }
        m_stacks.emplace(key, id);
        return id;
    }

    Db& m_db;
    int64_t m_sourceId;
    const SourceFile& m_src;
    const ImportOptions& m_opts;
    std::unordered_map<std::string, int64_t> m_strings;
    std::map<FunctionKey, int64_t> m_functions;
    std::map<FrameKey, int64_t> m_frames;
    std::unordered_map<std::pair<int64_t, int64_t>, int64_t, PairHash> m_stacks;
    int64_t m_firstNewStack = -1; // stack ids from here on were made by this import
    Stmt m_addMetric;
    Stmt m_findString, m_addString, m_findFunction, m_addFunction, m_findFrame, m_addFrame,
        m_findStack, m_addStack;
};

// ---- CaseStore ---------------------------------------------------------------

Result<std::unique_ptr<CaseStore>> CaseStore::open(const std::string& path, bool readOnly) {
    std::unique_ptr<CaseStore> store(new CaseStore);
    store->m_path = path;
    if (auto st = store->m_db->open(path, readOnly, !readOnly); !st)
        return st.error();
    if (auto st = store->initSchema(readOnly); !st)
        return st.error();
    return store;
}

CaseStore::CaseStore() : m_db(std::make_unique<Db>()) {}

CaseStore::~CaseStore() = default;

bool CaseStore::readOnly() const { return m_db->readOnly(); }

Status CaseStore::checkpoint() { return m_db->exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

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
        if (auto st = m_db->exec(kSchemaV1); !st)
            return st;
        for (const char* step : kMigrations)
            if (auto st = m_db->exec(step); !st)
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
                if (auto st = m_db->exec(kMigrations[v - 1]); !st)
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

namespace {
constexpr size_t kDeferShaBytes = 8u << 20;

// The capture time a file would get when its data has none.
std::optional<int64_t> fallbackTime(const std::string& timeSource, const std::string& name,
                                    int64_t mtimeNs) {
    if (timeSource == "filename")
        return timeFromFileName(name);
    if (timeSource == "mtime")
        return mtimeNs;
    return std::nullopt;
}
} // namespace

Result<std::optional<std::string>>
CaseStore::sameCapture(const std::string& sha, const SourceFile& src, const ImportOptions& opts) {
    // Per earlier source with these bytes: does every snapshot's time come out
    // the same for this file, for the same program?
    Stmt q(*m_db,
           "SELECT so.id, so.format, so.name, so.mtime_ns, sn.time_source, t.name FROM sources so"
           " JOIN snapshots sn ON sn.source_id = so.id JOIN targets t ON t.id = sn.target_id"
           " WHERE so.sha256 = ? ORDER BY so.id");
    q.bind(1, sha);
    int64_t current = 0;
    bool same = false;
    std::string format;
    auto verdict = [&]() -> bool { return current != 0 && same; };
    Step step;
    while ((step = q.step()) == Step::Row) {
        if (q.i64(0) != current) {
            if (verdict())
                return std::optional<std::string>(format);
            current = q.i64(0);
            format = q.text(1);
            same = true;
        }
        std::string timeSource = q.text(4);
        if (timeSource == "filename" || timeSource == "mtime")
            same = same && fallbackTime(timeSource, q.text(2), q.i64(3)) ==
                               fallbackTime(timeSource, src.name, src.file->mtimeNs());
        if (!opts.targetName.empty() && q.text(5) != opts.targetName)
            same = false;
    }
    if (step == Step::Failed)
        return q.status().error();
    if (verdict())
        return std::optional<std::string>(format);
    return std::optional<std::string>();
}

Result<int> CaseStore::schemaVersion() {
    auto v = m_db->scalar("PRAGMA user_version");
    if (!v)
        return v.error();
    return int(*v);
}

ImportOutcome CaseStore::importFile(const std::string& path, const ImportOptions& opts,
                                    const Progress& progress) {
    ImportOutcome out;
    out.path = path;
    auto fail = [&](Error e) {
        out.status = ImportStatus::Failed;
        out.error = e.withFile(path);
        return out;
    };
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return fail(mapped.error());
    SourceFile src;
    src.path = path;
    src.name = baseName(path);
    src.binaryPath = opts.binaryPath;
    src.file = *mapped;
    std::string_view raw = src.file->bytes();
    src.compression = detectCompression(raw.substr(0, 4));
    src.head = peekDecoded(raw, 64 << 10);

    // A large file's checksum is taken on the compressor's core while this one
    // parses, and the duplicate check waits until then; unless a file of the
    // same size is already in the case: a likely duplicate, checked first.
    bool deferSha = false;
    if (raw.size() >= kDeferShaBytes) {
        Stmt same(*m_db, "SELECT 1 FROM sources WHERE size = ?");
        same.bind(1, int64_t(raw.size()));
        auto row = same.next();
        if (!row)
            return fail(row.error());
        deferSha = !*row;
    }
    std::string sha = deferSha ? std::string() : Sha256::hex(raw);
    // Identical bytes are the same capture only at the same time for the same
    // program: a quiet service's lsof output saved twice is two time points.
    // Where an earlier copy's time came from its name or mtime, compare those
    // without parsing; otherwise the snapshots are compared after parsing.
    if (!deferSha) {
        auto dup = sameCapture(sha, src, opts);
        if (!dup)
            return fail(dup.error());
        if (*dup) {
            out.status = ImportStatus::Duplicate;
            out.format = **dup;
            return out;
        }
    }
    if (raw.empty()) {
        out.status = ImportStatus::Skipped;
        out.error = Error{ErrorCode::Format, "empty file", path, {}, {}};
        return out;
    }
    Importer* importer = ImporterRegistry::instance().detect(src.head);
    if (!importer) {
        out.status = ImportStatus::Skipped;
        out.error =
            Error{ErrorCode::Unsupported, "not a capture format memscope reads", path, 0, {}};
        return out;
    }
    out.format = importer->format();
    if (progress.cancelled())
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));

    Transaction tx(*m_db);
    if (!tx.begun())
        return fail(tx.begun().error());
    Stmt ins(*m_db, "INSERT INTO sources(name, path, size, sha256, format, compression, mtime_ns, "
                    "imported_at_ns, decoded_size) VALUES(?,?,?,?,?,?,?,?,0)");
    // Until its checksum is known, a row's sha256 is a unique placeholder.
    ins.bind(1, src.name).bind(2, path).bind(3, int64_t(raw.size()));
    ins.bind(4, deferSha ? "pending:" + std::to_string(nowNs()) + ":" + path : sha);
    ins.bind(5, out.format).bind(6, compressionName(src.compression));
    ins.bind(7, src.file->mtimeNs()).bind(8, nowNs());
    if (auto st = ins.exec(); !st)
        return fail(st.error());
    int64_t sourceId = m_db->lastInsertId();

    // Keep the decoded bytes, so the case stands on its own: compressed on
    // another core while the importer parses, and on both once it is done.
    // Bytes the case holds already are not kept again; a large file's
    // checksum is taken first on the other core.
    bool bytesKnown = false;
    if (!deferSha) {
        Stmt have(*m_db, "SELECT 1 FROM sources WHERE sha256 = ? AND id <> ?");
        auto row = have.bind(1, sha).bind(2, sourceId).next();
        if (!row)
            return fail(row.error());
        bytesKnown = *row;
    }
    auto stream = src.open();
    std::string_view plain;
    if (auto whole = stream->inPlace())
        plain = *whole;
    ChunkCompressor compressor(plain, plain.empty() ? std::move(stream) : nullptr, kChunk);
    std::thread helper([&] {
        if (deferSha)
            sha = Sha256::hex(raw);
        if (!bytesKnown)
            compressor.work();
    });
    struct Joiner {
        std::thread& t;
        ChunkCompressor& c;
        ~Joiner() {
            c.stop();
            if (t.joinable())
                t.join();
        }
    } joiner{helper, compressor};

    Writer writer(*this, sourceId, src, opts);
    // Importers report errors as values; an exception escaping one (a bug, or
    // memory running out) still fails only this file, and the transaction
    // rolls back.
    Status imported = [&]() -> Status {
        try {
            return importer->import(src, writer, progress);
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::Limit, "out of memory while reading the file");
        } catch (const std::exception& ex) {
            return makeError(ErrorCode::Format,
                             std::string("internal error while reading the file: ") + ex.what());
        }
    }();
    if (auto st = imported; !st) {
        Error e = st.error();
        if (src.compression != Compression::None && e.offset && e.file.empty())
            e.message += std::string(" (offset in the ") + compressionName(src.compression) +
                         "-decoded data)";
        return fail(e);
    }
    if (writer.snapshotIds.empty())
        return fail(makeError(ErrorCode::Format, "no snapshot found in the file"));
    if (!bytesKnown)
        compressor.work();
    helper.join();
    if (deferSha) {
        Stmt set(*m_db, "UPDATE sources SET sha256 = ? WHERE id = ?");
        if (auto st = set.bind(1, sha).bind(2, sourceId).exec(); !st)
            return fail(st.error());
    }
    // The same bytes already in the case: the same capture when every
    // snapshot matches one of theirs in kind, time and program (the
    // transaction rolls back); else a new time point sharing their bytes.
    bool bytesKept = false;
    {
        Stmt earlier(*m_db,
                     "SELECT id, format FROM sources WHERE sha256 = ?1 AND id <> ?2 ORDER BY id");
        earlier.bind(1, sha).bind(2, sourceId);
        Stmt unmatched(*m_db, R"SQL(
SELECT (SELECT count(*) FROM snapshots a WHERE a.source_id = ?1 AND NOT EXISTS
          (SELECT 1 FROM snapshots b WHERE b.source_id = ?2 AND b.kind = a.kind
             AND b.time_ns = a.time_ns AND b.target_id = a.target_id))
     + (SELECT count(*) FROM snapshots b WHERE b.source_id = ?2 AND NOT EXISTS
          (SELECT 1 FROM snapshots a WHERE a.source_id = ?1 AND b.kind = a.kind
             AND b.time_ns = a.time_ns AND b.target_id = a.target_id)))SQL");
        Step step;
        while ((step = earlier.step()) == Step::Row) {
            bytesKept = true;
            unmatched.bind(1, sourceId).bind(2, earlier.i64(0));
            if (unmatched.step() != Step::Row)
                return fail(unmatched.status() ? m_db->error("comparing snapshots")
                                               : unmatched.status().error());
            if (unmatched.i64(0) == 0) {
                out.status = ImportStatus::Duplicate;
                out.format = earlier.text(1);
                return out;
            }
            unmatched.reset();
        }
        if (step == Step::Failed)
            return fail(earlier.status().error());
    }
    int64_t decoded = 0;
    if (!bytesKept) {
        if (bytesKnown) // the same bytes, gone from the case since the check above
            compressor.work();
        auto chunks = compressor.take();
        if (!chunks)
            return fail(chunks.error());
        Stmt blob(*m_db, "INSERT INTO source_chunks VALUES(?,?,?)");
        for (size_t seq = 0; seq < chunks->size(); ++seq)
            if (auto st =
                    blob.bind(1, sourceId).bind(2, int64_t(seq)).bindBlob(3, (*chunks)[seq]).exec();
                !st)
                return fail(st.error());
        decoded = compressor.decodedBytes();
    } else {
        Stmt size(
            *m_db,
            "SELECT decoded_size FROM sources WHERE sha256 = ? AND id <> ? ORDER BY id LIMIT 1");
        auto row = size.bind(1, sha).bind(2, sourceId).next();
        if (!row)
            return fail(row.error());
        if (*row)
            decoded = size.i64(0);
    }
    Stmt size(*m_db, "UPDATE sources SET decoded_size = ? WHERE id = ?");
    if (auto st = size.bind(1, decoded).bind(2, sourceId).exec(); !st)
        return fail(st.error());
    if (progress.cancelled())
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));
    if (auto st = tx.commit(); !st)
        return fail(st.error());
    out.status = ImportStatus::Imported;
    out.snapshotIds = writer.snapshotIds;
    out.warnings = writer.warnings;
    out.timeSource = writer.timeSource;
    return out;
}

Result<std::vector<TargetInfo>> CaseStore::targets() {
    std::vector<TargetInfo> out;
    Stmt s(*m_db, "SELECT id, name, host, pid, go_version FROM targets ORDER BY id");
    while (s.step() == Step::Row)
        out.push_back({s.i64(0), s.text(1), s.text(2), s.text(4), s.i64(3)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<SourceInfo>> CaseStore::sources() {
    std::vector<SourceInfo> out;
    Stmt s(*m_db, "SELECT id, name, path, sha256, format, compression, size, imported_at_ns "
                  "FROM sources ORDER BY id");
    while (s.step() == Step::Row)
        out.push_back(
            {s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.i64(6), s.i64(7)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<SnapshotInfo>> CaseStore::snapshots(const std::string& kind) {
    std::vector<SnapshotInfo> out;
    Stmt s(*m_db,
           "SELECT sn.id, sn.source_id, sn.target_id, sn.kind, sn.time_ns, sn.time_source,"
           " sn.duration_ns, so.name FROM snapshots sn JOIN sources so ON so.id = sn.source_id"
           " WHERE ?1 = '' OR sn.kind = ?1 ORDER BY sn.time_ns, sn.id");
    s.bind(1, kind);
    while (s.step() == Step::Row)
        out.push_back(
            {s.i64(0), s.i64(1), s.i64(2), s.text(3), s.i64(4), s.text(5), s.i64(6), s.text(7)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::optional<SnapshotInfo>> CaseStore::snapshot(int64_t id) {
    Stmt s(*m_db,
           "SELECT sn.id, sn.source_id, sn.target_id, sn.kind, sn.time_ns, sn.time_source,"
           " sn.duration_ns, so.name FROM snapshots sn JOIN sources so ON so.id = sn.source_id"
           " WHERE sn.id = ?");
    s.bind(1, id);
    auto row = s.next();
    if (!row)
        return row.error();
    if (!*row)
        return std::optional<SnapshotInfo>();
    return std::optional<SnapshotInfo>(SnapshotInfo{s.i64(0), s.i64(1), s.i64(2), s.text(3),
                                                    s.i64(4), s.text(5), s.i64(6), s.text(7)});
}

Result<std::vector<SampleTypeTotal>> CaseStore::sampleTypes(int64_t snapshotId) {
    std::vector<SampleTypeTotal> out;
    Stmt s(*m_db,
           "SELECT idx, type, unit, total FROM sample_types WHERE snapshot_id = ? ORDER BY idx");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.push_back({int(s.i64(0)), s.text(1), s.text(2), s.i64(3)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<Profile> CaseStore::loadProfile(int64_t snapshotId) {
    // A profile.proto is kept whole with its source: decoding it again is
    // cheaper than rebuilding it from the shared stack trie, and gives the
    // same profile. Other profile formats are rebuilt from the rows.
    auto found = snapshot(snapshotId);
    if (!found)
        return found.error();
    if (const auto& sn = *found) {
        Stmt f(*m_db, "SELECT format FROM sources WHERE id = ?");
        f.bind(1, sn->sourceId);
        auto format = f.next();
        if (!format)
            return format.error();
        bool pprof = *format && f.text(0) == "pprof";
        Stmt meta(*m_db, "SELECT 1 FROM profile_meta WHERE snapshot_id = ?");
        meta.bind(1, snapshotId);
        auto hasMeta = pprof ? meta.next() : Result<bool>(false);
        if (!hasMeta)
            return hasMeta.error();
        if (*hasMeta) {
            auto bytes = sourceBytes(sn->sourceId);
            if (!bytes)
                return bytes.error();
            auto p = parsePprof(*bytes);
            if (!p)
                return p.error().withFile(m_path + " (source " + std::to_string(sn->sourceId) +
                                          ", " + sn->sourceName + ")");
            p->timeNanos = sn->timeNs;
            p->durationNanos = sn->durationNs;
            return p;
        }
    }
    return loadProfileFromRows(snapshotId);
}

Result<Profile> CaseStore::loadProfileFromRows(int64_t snapshotId) {
    Profile p;
    {
        Stmt m(*m_db, "SELECT period, period_type, period_unit, default_sample, drop_frames, "
                      "keep_frames, comments FROM profile_meta WHERE snapshot_id = ?");
        m.bind(1, snapshotId);
        auto row = m.next();
        if (!row)
            return row.error();
        if (!*row)
            return Error{ErrorCode::Usage,
                         "snapshot " + std::to_string(snapshotId) + " has no profile",
                         m_path,
                         {},
                         {}};
        p.period = m.i64(0);
        p.periodType = {m.text(1), m.text(2)};
        p.defaultSampleType = m.text(3);
        p.dropFrames = m.text(4);
        p.keepFrames = m.text(5);
        std::string comments = m.text(6);
        size_t pos = 0;
        while (!comments.empty() && pos <= comments.size()) {
            size_t nl = comments.find('\n', pos);
            p.comments.push_back(comments.substr(pos, nl == std::string::npos ? nl : nl - pos));
            if (nl == std::string::npos)
                break;
            pos = nl + 1;
        }
    }
    auto sn = snapshot(snapshotId);
    if (!sn)
        return sn.error();
    if (*sn) {
        p.timeNanos = (*sn)->timeNs;
        p.durationNanos = (*sn)->durationNs;
    }
    auto types = sampleTypes(snapshotId);
    if (!types)
        return types.error();
    for (const auto& t : *types)
        p.sampleTypes.push_back({t.type, t.unit});
    {
        Stmt m(*m_db,
               "SELECT memory_start, memory_limit, file_offset, file, build_id, has_functions"
               " FROM mappings WHERE snapshot_id = ? ORDER BY idx");
        m.bind(1, snapshotId);
        while (m.step() == Step::Row)
            p.mappings.push_back({uint64_t(m.i64(0)), uint64_t(m.i64(1)), uint64_t(m.i64(2)),
                                  m.text(3), m.text(4), m.i64(5) != 0});
        if (!m.status())
            return m.status().error();
    }

    // Stack nodes, frames and functions of this snapshot, resolved once each.
    // The nodes are the leaves its samples name and all their ancestors. The
    // case's stack trie is shared by its profiles: when it is not much larger
    // than the leaves, one scan of it is cheaper than a lookup per node.
    struct Node {
        int64_t parent, frameId;
        uint32_t frame = 0;    // index into `frames`
        int8_t run = -1;       // the run starting here: -1 not yet resolved, 0 inlined
                               // frames up to the root (no location), 1 closed
        uint32_t location = 0; // of a closed run
        Node* above = nullptr; // the node above a closed run, if any
    };
    std::unordered_map<int64_t, Node> nodes;
    {
        std::vector<int64_t> leaves;
        Stmt l(*m_db, "SELECT DISTINCT stack_id FROM samples WHERE snapshot_id = ?");
        l.bind(1, snapshotId);
        while (l.step() == Step::Row)
            leaves.push_back(l.i64(0));
        if (!l.status())
            return l.status().error();
        auto maxRow = m_db->scalar("SELECT COALESCE(max(id), 0) FROM stacks");
        if (!maxRow)
            return maxRow.error();
        int64_t maxId = *maxRow;
        struct Link {
            int64_t parent, frameId;
        };
        // Walks up from each leaf until a node already gathered or the root.
        // A parent's id is smaller than its child's (stacks are interned
        // parent first): a case where it is not would make a walk loop.
        std::optional<Error> damaged;
        auto gather = [&](auto lookup) {
            nodes.reserve(leaves.size() * 4);
            for (int64_t n : leaves)
                while (n != 0 && !nodes.count(n)) {
                    std::optional<Link> link = lookup(n);
                    if (!link)
                        break;
                    if (link->parent < 0 || link->parent >= n) {
                        damaged = Error{ErrorCode::Format,
                                        "damaged case: table stacks, row id " + std::to_string(n) +
                                            ": parent_id " + std::to_string(link->parent) +
                                            " does not come before the node",
                                        m_path,
                                        {},
                                        {}};
                        return;
                    }
                    nodes.emplace(n, Node{link->parent, link->frameId});
                    n = link->parent;
                }
        };
        if (maxId >= 0 && uint64_t(maxId) <= 16 * leaves.size() + 4096) {
            std::vector<Link> all(size_t(maxId) + 1, Link{-1, -1});
            Stmt scan(*m_db, "SELECT id, parent_id, frame_id FROM stacks");
            while (scan.step() == Step::Row)
                if (int64_t id = scan.i64(0); id >= 0 && id <= maxId)
                    all[size_t(id)] = Link{scan.i64(1), scan.i64(2)};
            if (!scan.status())
                return scan.status().error();
            gather([&](int64_t id) -> std::optional<Link> {
                if (id < 0 || id > maxId || all[size_t(id)].parent < 0)
                    return std::nullopt;
                return all[size_t(id)];
            });
        } else {
            Stmt one(*m_db, "SELECT parent_id, frame_id FROM stacks WHERE id = ?");
            gather([&](int64_t id) -> std::optional<Link> {
                one.bind(1, id);
                std::optional<Link> n;
                if (auto row = one.next(); !row)
                    damaged = row.error();
                else if (*row)
                    n = Link{one.i64(0), one.i64(1)};
                one.reset();
                return n;
            });
        }
        if (damaged)
            return *damaged;
    }
    struct FrameRow {
        int64_t function, line;
        bool inlined;
        uint64_t address;
    };
    std::vector<FrameRow> frames;
    {
        std::unordered_map<int64_t, uint32_t> frameIndex, functionIndex;
        Stmt f(*m_db, "SELECT function_id, line, inlined, address FROM frames WHERE id = ?");
        Stmt fn(*m_db,
                "SELECT n.value, sn.value, fl.value, fu.start_line FROM functions fu"
                " JOIN strings n ON n.id = fu.name_id JOIN strings sn ON sn.id = fu.system_name_id"
                " JOIN strings fl ON fl.id = fu.file_id WHERE fu.id = ?");
        for (auto& [id, node] : nodes) {
            if (auto it = frameIndex.find(node.frameId); it != frameIndex.end()) {
                node.frame = it->second;
                continue;
            }
            f.bind(1, node.frameId);
            auto frameRow = f.next();
            if (!frameRow)
                return frameRow.error();
            if (!*frameRow)
                return Error{ErrorCode::Database,
                             "case is inconsistent: missing frame " + std::to_string(node.frameId),
                             m_path,
                             {},
                             {}};
            FrameRow row{f.i64(0), f.i64(1), f.i64(2) != 0, uint64_t(f.i64(3))};
            f.reset();
            if (row.function != 0) {
                auto [fit, fresh] =
                    functionIndex.emplace(row.function, uint32_t(p.functions.size()));
                if (fresh) {
                    fn.bind(1, row.function);
                    auto fnRow = fn.next();
                    if (!fnRow)
                        return fnRow.error();
                    if (!*fnRow)
                        return Error{ErrorCode::Database,
                                     "case is inconsistent: missing function " +
                                         std::to_string(row.function),
                                     m_path,
                                     {},
                                     {}};
                    p.functions.push_back({fn.text(0), fn.text(1), fn.text(2), fn.i64(3)});
                    fn.reset();
                }
                row.function = fit->second; // now an index into p.functions
            } else {
                row.function = -1;
            }
            node.frame = uint32_t(frames.size());
            frameIndex.emplace(node.frameId, node.frame);
            frames.push_back(row);
        }
    }

    // Rebuild locations: a run of inlined frames closed by a physical one.
    // From a given stack node the run upwards is always the same, so each is
    // resolved once, and a stack is a walk from run to run.
    struct VecHash {
        size_t operator()(const std::vector<uint32_t>& v) const {
            uint64_t h = 0x9e3779b97f4a7c15ull ^ v.size();
            for (uint32_t x : v)
                h = (h ^ x) * 0xff51afd7ed558ccdull, h ^= h >> 32;
            return size_t(h);
        }
    };
    std::vector<int64_t> frameLocation(frames.size(), -1); // runs of one frame, the usual case
    std::unordered_map<std::vector<uint32_t>, uint32_t, VecHash> runLocation;
    std::vector<uint32_t> run;
    auto locationOf = [&]() -> uint32_t {
        int64_t* single = run.size() == 1 ? &frameLocation[run[0]] : nullptr;
        if (single && *single >= 0)
            return uint32_t(*single);
        if (!single)
            if (auto it = runLocation.find(run); it != runLocation.end())
                return it->second;
        Location loc;
        for (uint32_t fi : run) {
            loc.address = frames[fi].address;
            if (frames[fi].function >= 0)
                loc.lines.push_back({uint32_t(frames[fi].function), frames[fi].line});
        }
        uint32_t id = uint32_t(p.locations.size());
        p.locations.push_back(std::move(loc));
        if (single)
            *single = id;
        else
            runLocation.emplace(run, id);
        return id;
    };
    auto resolve = [&](Node& start) {
        if (start.run >= 0)
            return;
        run.clear();
        start.run = 0;
        for (Node* n = &start;;) {
            run.push_back(n->frame);
            if (!frames[n->frame].inlined) {
                start.run = 1;
                start.location = locationOf();
                if (n->parent != 0)
                    if (auto it = nodes.find(n->parent); it != nodes.end())
                        start.above = &it->second;
                return;
            }
            auto it = n->parent != 0 ? nodes.find(n->parent) : nodes.end();
            if (it == nodes.end())
                return;
            n = &it->second;
        }
    };

    Stmt s(*m_db, "SELECT stack_id, v0, v1, v2, v3, more, labels FROM samples WHERE snapshot_id = ?"
                  " ORDER BY rowid");
    s.bind(1, snapshotId);
    size_t nTypes = p.sampleTypes.size();
    // What the samples' stacks may add up to before the profile is refused as
    // larger than any capture (a crafted case could name one deep stack from
    // millions of rows).
    uint64_t locationBudget = uint64_t(64) << 20;
    while (s.step() == Step::Row) {
        Sample smp = p.newSample();
        auto leaf = nodes.find(s.i64(0));
        for (Node* n = leaf == nodes.end() ? nullptr : &leaf->second; n; n = n->above) {
            resolve(*n);
            if (n->run != 1)
                break;
            if (smp.locations.size() >= kMaxStackDepth)
                return Error{ErrorCode::Limit,
                             "damaged case: table samples, stack_id " + std::to_string(s.i64(0)) +
                                 " of snapshot " + std::to_string(snapshotId) +
                                 ": a stack deeper than " + std::to_string(kMaxStackDepth) +
                                 " frames",
                             m_path,
                             {},
                             {}};
            if (locationBudget-- == 0)
                return Error{ErrorCode::Limit,
                             "damaged case: table samples of snapshot " +
                                 std::to_string(snapshotId) +
                                 ": more stack frames than any profile holds",
                             m_path,
                             {},
                             {}};
            smp.locations.push_back(n->location);
        }
        for (size_t i = 0; i < nTypes && i < 4; ++i)
            smp.values.push_back(s.i64(int(1 + i)));
        if (nTypes > 4) {
            std::string more = s.text(5);
            const char* c = more.c_str();
            char* end;
            for (size_t i = 4; i < nTypes; ++i) {
                smp.values.push_back(std::strtoll(c, &end, 10));
                c = end;
            }
        }
        if (!s.isNull(6))
            for (auto& l : unpackLabels(s.text(6)))
                smp.labels.push_back(std::move(l));
        p.samples.push_back(std::move(smp));
    }
    if (!s.status())
        return s.status().error();
    return p;
}

Result<int64_t> CaseStore::addAnnotation(const Annotation& a) {
    if (a.text.empty())
        return makeError(ErrorCode::Usage, "an annotation needs text");
    if (a.text.size() > kMaxAnnotationBytes)
        return makeError(ErrorCode::Limit, "an annotation holds at most " +
                                               std::to_string(kMaxAnnotationBytes >> 10) +
                                               " KiB of text; this one has " +
                                               std::to_string(a.text.size()) + " bytes");
    if (a.series.size() > kMaxNameBytes || a.severity.size() > kMaxNameBytes)
        return makeError(ErrorCode::Limit, "an annotation's series and severity hold at most " +
                                               std::to_string(kMaxNameBytes) + " bytes");
    if (m_db->readOnly())
        return Error{
            ErrorCode::Usage, "the case is open read-only: notes cannot be saved", m_path, {}, {}};
    Stmt s(*m_db,
           "INSERT INTO annotations(target_id, start_ns, ref, text, created_ns, end_ns, severity)"
           " VALUES(?,?,?,?,?,?,?)");
    if (a.targetId)
        s.bind(1, a.targetId);
    else
        s.bindNull(1);
    s.bind(2, a.timeNs).bind(3, a.series).bind(4, a.text).bind(5, nowNs());
    if (a.endNs)
        s.bind(6, a.endNs);
    else
        s.bindNull(6);
    s.bind(7, a.severity.empty() ? std::string("info") : a.severity);
    if (auto st = s.exec(); !st)
        return st.error();
    return m_db->lastInsertId();
}

Status CaseStore::removeAnnotation(int64_t id) {
    Stmt s(*m_db, "DELETE FROM annotations WHERE id = ?");
    return s.bind(1, id).exec();
}

Result<std::vector<Annotation>> CaseStore::annotations() {
    std::vector<Annotation> out;
    // Text over the cap (from a case written before it, or crafted) is cut:
    // SQLite hands over a bounded prefix, never the whole value.
    Stmt s(*m_db,
           "SELECT id, COALESCE(target_id, 0), start_ns, substr(ref, 1, ?1), substr(text, 1, ?2),"
           " COALESCE(end_ns, 0), substr(severity, 1, ?1) FROM annotations ORDER BY start_ns, id");
    s.bind(1, int64_t(kMaxNameBytes)).bind(2, int64_t(kMaxAnnotationBytes));
    while (s.step() == Step::Row)
        out.push_back({s.i64(0), s.i64(1), s.i64(2), truncateUtf8(s.text(3), kMaxNameBytes),
                       truncateUtf8(s.text(4), kMaxAnnotationBytes), s.i64(5),
                       truncateUtf8(s.text(6), kMaxNameBytes)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<std::string>> CaseStore::stackText(int64_t stackId) {
    std::vector<std::string> out;
    Stmt node(*m_db,
              "SELECT st.parent_id, n.value, fl.value, f.line FROM stacks st"
              " JOIN frames f ON f.id = st.frame_id JOIN functions fu ON fu.id = f.function_id"
              " JOIN strings n ON n.id = fu.name_id JOIN strings fl ON fl.id = fu.file_id"
              " WHERE st.id = ?");
    // Parents come before their children (checked when the case opens), so
    // each step goes to a smaller id and the walk ends.
    for (int64_t id = stackId; id > 0 && out.size() < kMaxStackDepth;) {
        node.bind(1, id);
        auto row = node.next();
        if (!row)
            return row.error();
        if (!*row)
            break;
        out.push_back(truncateUtf8(node.text(1), kMaxNameBytes) + " " +
                      truncateUtf8(node.text(2), kMaxNameBytes) + ":" +
                      std::to_string(node.i64(3)));
        int64_t parent = node.i64(0);
        node.reset();
        if (parent >= id)
            break;
        id = parent;
    }
    return out;
}

Result<std::optional<CaseStore::HeapDumpInfo>> CaseStore::heapDump(int64_t snapshotId) {
    Stmt s(*m_db,
           "SELECT go_version, ptr_size, objects, bytes, edges, reachable_objects, reachable_bytes,"
           " sampled_objects, sampled_bytes, sampled_retained_bytes, finalizers_registered,"
           " finalizers_queued, finalizer_retained_bytes, goroutines, roots, record_counts,"
           " symbols_from FROM heapdumps WHERE snapshot_id = ?");
    s.bind(1, snapshotId);
    auto row = s.next();
    if (!row)
        return row.error();
    if (!*row)
        return std::optional<HeapDumpInfo>();
    HeapDumpInfo h;
    h.snapshotId = snapshotId;
    h.goVersion = s.text(0);
    h.ptrSize = s.i64(1);
    h.objects = s.i64(2);
    h.bytes = s.i64(3);
    h.edges = s.i64(4);
    h.reachableObjects = s.i64(5);
    h.reachableBytes = s.i64(6);
    h.sampledObjects = s.i64(7);
    h.sampledBytes = s.i64(8);
    h.sampledRetainedBytes = s.i64(9);
    h.finalizersRegistered = s.i64(10);
    h.finalizersQueued = s.i64(11);
    h.finalizerRetainedBytes = s.i64(12);
    h.goroutines = s.i64(13);
    h.roots = s.i64(14);
    h.recordCounts = s.text(15);
    h.symbolsFrom = s.text(16);
    return std::optional<HeapDumpInfo>(std::move(h));
}

Result<std::vector<CaseStore::HeapRootRow>> CaseStore::heapDumpRoots(int64_t snapshotId,
                                                                     size_t limit) {
    std::vector<HeapRootRow> out;
    Stmt s(*m_db,
           "SELECT idx, kind, name, detail, direct_objects, retained_bytes, retained_objects"
           " FROM heapdump_roots WHERE snapshot_id = ? ORDER BY retained_bytes DESC, idx LIMIT ?");
    s.bind(1, snapshotId).bind(2, limit ? int64_t(limit) : int64_t(-1));
    while (s.step() == Step::Row)
        out.push_back({s.i64(0), s.text(1), s.text(2), s.text(3), s.i64(4), s.i64(5), s.i64(6)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<CaseStore::HeapSiteRow>> CaseStore::heapDumpSites(int64_t snapshotId) {
    std::vector<HeapSiteRow> out;
    Stmt s(*m_db, "SELECT bucket, stack_id, size, allocs, frees, sampled_objects, sampled_bytes,"
                  " retained_bytes FROM heapdump_sites WHERE snapshot_id = ?"
                  " ORDER BY retained_bytes DESC, sampled_bytes DESC, bucket");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row) {
        HeapSiteRow r{s.i64(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4),
                      s.i64(5), s.i64(6), s.i64(7), {},       {}};
        out.push_back(std::move(r));
    }
    if (!s.status())
        return s.status().error();
    for (auto& r : out) {
        auto stack = stackText(r.stackId);
        if (!stack)
            return stack.error();
        r.stack = std::move(*stack);
        if (!r.stack.empty())
            r.function = r.stack.front().substr(0, r.stack.front().find(' '));
    }
    return out;
}

Result<std::vector<CaseStore::HeapFinalizerRow>> CaseStore::heapDumpFinalizers(int64_t snapshotId) {
    std::vector<HeapFinalizerRow> out;
    Stmt s(*m_db, "SELECT function, pc, registered, queued, retained_bytes FROM heapdump_finalizers"
                  " WHERE snapshot_id = ? ORDER BY registered + queued DESC, function");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<CaseStore::HeapRootSiteRow>> CaseStore::heapDumpRootSites(int64_t snapshotId) {
    std::vector<HeapRootSiteRow> out;
    Stmt s(*m_db, "SELECT root_idx, bucket, retained_bytes, objects FROM heapdump_root_sites"
                  " WHERE snapshot_id = ? ORDER BY retained_bytes DESC");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.push_back({s.i64(0), s.i64(1), s.i64(2), s.i64(3)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<StoredHeapGraph> CaseStore::loadHeapGraph(int64_t snapshotId) {
    // The counts the graph must have come from its heapdumps row; they bound
    // what the blob may decode to before a byte of it is allocated.
    HeapGraphBounds bounds;
    bounds.snapshotId = snapshotId;
    {
        Stmt h(*m_db, "SELECT objects, edges, roots, (SELECT count(*) FROM heapdump_sites WHERE "
                      "snapshot_id = ?1)"
                      " FROM heapdumps WHERE snapshot_id = ?1");
        h.bind(1, snapshotId);
        auto row = h.next();
        if (!row)
            return row.error();
        if (!*row) {
            return makeError(ErrorCode::Usage,
                             "snapshot " + std::to_string(snapshotId) + " is not a heap dump");
        }
        // Ranges checked when the case opened.
        bounds.objects = uint64_t(h.i64(0));
        bounds.edges = uint64_t(h.i64(1));
        bounds.roots = uint64_t(h.i64(2));
        bounds.sites = uint64_t(h.i64(3));
    }
    const uint64_t maxBytes = maxStoredHeapGraphBytes(bounds);
    std::string where = "table heapdump_graph, snapshot " + std::to_string(snapshotId);
    if (long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE); pages > 0 && page > 0) {
        // The arrays alone, held twice while they decode.
        uint64_t need = 2 * storedHeapGraphArrayBytes(bounds);
        if (need > uint64_t(pages) * uint64_t(page))
            return Error{ErrorCode::Limit,
                         where + ": a graph of " + std::to_string(bounds.objects) +
                             " objects and " + std::to_string(bounds.edges) +
                             " edges needs more memory than this machine has",
                         m_path,
                         {},
                         {}};
    }
    Stmt s(*m_db, "SELECT data FROM heapdump_graph WHERE snapshot_id = ? ORDER BY seq");
    s.bind(1, snapshotId);
    std::string blob;
    bool any = false;
    while (s.step() == Step::Row) {
        any = true;
        auto b = s.blob(0);
        if (blob.size() + b.size() > maxBytes)
            return Error{ErrorCode::Format,
                         "damaged case: " + where + ": larger than its heapdumps row allows",
                         m_path,
                         {},
                         {}};
        blob.append(b.data(), b.size());
    }
    if (!s.status())
        return s.status().error();
    if (!any)
        return makeError(ErrorCode::Usage,
                         "snapshot " + std::to_string(snapshotId) + " is not a heap dump");
    // Real graphs shrink 5 to 8 times under zstd; a blob that would grow
    // hundreds of times is a decompression bomb, whatever its row says.
    constexpr uint64_t kMaxRatio = 256;
    const uint64_t decodeCap =
        std::min(maxBytes, uint64_t(blob.size()) * kMaxRatio + (uint64_t(1) << 20));
    try {
        auto g = decodeHeapGraph(blob, decodeCap);
        if (!g)
            return Error{g.error().code,
                         "damaged case: " + where + ": " + g.error().message,
                         m_path,
                         {},
                         {}};
        if (auto st = validateStoredHeapGraph(*g, bounds); !st)
            return st.error().withFile(m_path);
        return g;
    } catch (const std::bad_alloc&) {
        return Error{
            ErrorCode::Limit, where + ": not enough memory to load the graph", m_path, {}, {}};
    }
}

Result<std::vector<CaseStore::GoroutineGroupRow>> CaseStore::goroutineGroups(int64_t snapshotId) {
    std::vector<GoroutineGroupRow> out;
    Stmt s(*m_db, "SELECT idx, count, locked, min_wait_minutes, max_wait_minutes, exact_variants,"
                  " state, role, stack_id, created_by_frame, leaked, labels, elided_frames,"
                  " elided_at FROM goroutine_groups"
                  " WHERE snapshot_id = ? ORDER BY count DESC, idx");
    Stmt frame(*m_db,
               "SELECT n.value, fl.value, f.line FROM frames f"
               " JOIN functions fu ON fu.id = f.function_id JOIN strings n ON n.id = fu.name_id"
               " JOIN strings fl ON fl.id = fu.file_id WHERE f.id = ?");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row) {
        GoroutineGroupRow r;
        r.index = s.i64(0);
        r.count = s.i64(1);
        r.locked = s.i64(2);
        r.minWait = s.i64(3);
        r.maxWait = s.i64(4);
        r.exactVariants = s.i64(5);
        r.state = s.text(6);
        r.role = s.text(7);
        auto stack = stackText(s.i64(8));
        if (!stack)
            return stack.error();
        r.stack = std::move(*stack);
        r.leaked = s.i64(10) != 0;
        const std::string packed = s.text(11);
        for (size_t pos = 0; pos < packed.size();) {
            size_t end = std::min(packed.find('\x1e', pos), packed.size());
            size_t us = packed.find('\x1f', pos);
            if (us < end)
                r.labels.emplace_back(packed.substr(pos, us - pos),
                                      packed.substr(us + 1, end - us - 1));
            pos = end + 1;
        }
        if (int64_t n = s.i64(12); n != 0) {
            size_t at = size_t(std::clamp<int64_t>(s.i64(13), 0, int64_t(r.stack.size())));
            r.stack.insert(r.stack.begin() + ptrdiff_t(at),
                           n > 0 ? "..." + std::to_string(n) + " frames elided..."
                                 : std::string("...additional frames elided..."));
        }
        if (int64_t cf = s.i64(9)) {
            frame.bind(1, cf);
            auto row = frame.next();
            if (!row)
                return row.error();
            if (*row)
                r.createdBy =
                    frame.text(0) + " " + frame.text(1) + ":" + std::to_string(frame.i64(2));
            frame.reset();
        }
        out.push_back(std::move(r));
    }
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<GoroutineRecord>> CaseStore::goroutineMembers(int64_t snapshotId,
                                                                 int64_t groupIndex) {
    std::vector<GoroutineRecord> out;
    Stmt s(*m_db, "SELECT members FROM goroutine_groups WHERE snapshot_id = ? AND idx = ?");
    s.bind(1, snapshotId).bind(2, groupIndex);
    auto row = s.next();
    if (!row)
        return row.error();
    if (*row) {
        std::string_view in = s.blob(0);
        int64_t id = 0;
        uint64_t d, wait, parent, locked;
        while (!in.empty() && getVarint(in, d) && getVarint(in, wait) && getVarint(in, parent) &&
               getVarint(in, locked)) {
            id += int64_t(d);
            out.push_back(
                {id, uint32_t(groupIndex), int64_t(wait) - 1, int64_t(parent), locked != 0});
        }
    }
    if (out.empty()) {
        // Cases written before schema 7 keep a row per goroutine.
        Stmt rows(*m_db, "SELECT goid, wait_minutes, parent_goid, locked FROM goroutines"
                         " WHERE snapshot_id = ? AND group_idx = ? ORDER BY goid");
        rows.bind(1, snapshotId).bind(2, groupIndex);
        while (rows.step() == Step::Row)
            out.push_back(
                {rows.i64(0), uint32_t(groupIndex), rows.i64(1), rows.i64(2), rows.i64(3) != 0});
        if (!rows.status())
            return rows.status().error();
    }
    return out;
}

namespace {

// Either path may carry more leading folders than the other.
bool sameSourceFile(const std::string& f, const std::string& file) {
    return f == file ||
           (f.size() > file.size() && f.compare(f.size() - file.size(), file.size(), file) == 0 &&
            f[f.size() - file.size() - 1] == '/') ||
           (file.size() > f.size() && file.compare(file.size() - f.size(), f.size(), f) == 0 &&
            file[file.size() - f.size() - 1] == '/');
}

} // namespace

Result<std::vector<EscapeNote>> CaseStore::escapeNotes(const std::string& file, int64_t line) {
    std::vector<EscapeNote> out;
    Stmt s(*m_db, "SELECT file, line, col, kind, message, detail FROM escape_notes WHERE line = ?"
                  " ORDER BY col");
    s.bind(1, line);
    while (s.step() == Step::Row)
        if (std::string f = s.text(0); sameSourceFile(f, file))
            out.push_back({f, s.i64(1), s.i64(2), s.text(3), s.text(4), s.text(5)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::vector<EscapeNote>> CaseStore::escapeNotesOfFile(const std::string& file) {
    std::vector<EscapeNote> out;
    if (file.empty())
        return out;
    // The base name narrows the scan; the suffix rule decides.
    std::string base =
        file.substr(file.find_last_of('/') == std::string::npos ? 0 : file.find_last_of('/') + 1);
    Stmt s(*m_db, "SELECT file, line, col, kind, message, detail FROM escape_notes"
                  " WHERE file = ? OR file LIKE ? ESCAPE '\\' ORDER BY line, col");
    std::string pattern;
    for (char c : base) {
        if (c == '%' || c == '_' || c == '\\')
            pattern += '\\';
        pattern += c;
    }
    s.bind(1, base);
    s.bind(2, "%/" + pattern);
    while (s.step() == Step::Row)
        if (std::string f = s.text(0); sameSourceFile(f, file))
            out.push_back({f, s.i64(1), s.i64(2), s.text(3), s.text(4), s.text(5)});
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::optional<int64_t>> CaseStore::metricInteger(int64_t snapshotId,
                                                        const std::string& name) {
    Stmt s(*m_db, "SELECT value FROM metric_points WHERE snapshot_id = ? AND name = ?");
    s.bind(1, snapshotId).bind(2, name);
    auto row = s.next();
    if (!row)
        return row.error();
    if (!*row || !s.isInteger(0))
        return std::optional<int64_t>{};
    return std::optional<int64_t>(s.i64(0));
}

Result<std::vector<std::pair<std::string, double>>> CaseStore::metrics(int64_t snapshotId) {
    std::vector<std::pair<std::string, double>> out;
    Stmt s(*m_db, "SELECT name, value FROM metric_points WHERE snapshot_id = ? ORDER BY name");
    s.bind(1, snapshotId);
    while (s.step() == Step::Row)
        out.emplace_back(s.text(0), s.f64(1));
    if (!s.status())
        return s.status().error();
    return out;
}

Result<std::string> CaseStore::sourceBytes(int64_t sourceId) {
    std::string out;
    // Identical bytes are kept once, by the first source that has them.
    Stmt s(*m_db,
           "SELECT data FROM source_chunks WHERE source_id = (SELECT min(o.id) FROM sources o"
           " JOIN sources me ON me.id = ?1 AND o.sha256 = me.sha256"
           " WHERE EXISTS (SELECT 1 FROM source_chunks c WHERE c.source_id = o.id)) ORDER BY seq");
    s.bind(1, sourceId);
    while (s.step() == Step::Row) {
        auto part = zstdDecompress(s.blob(0), kChunk);
        if (!part)
            return part.error();
        out += *part;
    }
    if (!s.status())
        return s.status().error();
    return out;
}

} // namespace memscope
