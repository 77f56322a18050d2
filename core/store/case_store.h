// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/db.h"
#include "import/importer.h"
#include "model/profile.h"
#include "base/progress.h"
#include "base/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace memscope {

// The SQL test for a client socket among the `fds` rows of the snapshot bound
// as ?1: TCP with a peer, on a local port the process does not listen on (a
// server's accepted connections keep its listening port), so the peer is a
// host the process called.
inline const std::string kClientSocketSql =
    "(protocol = 'TCP' AND remote_addr <> '' AND local_port NOT IN"
    " (SELECT local_port FROM fds WHERE snapshot_id = ?1 AND state = 'LISTEN'))";

constexpr int kSchemaVersion = 9;
// "MSCP": lets `file` and memscope tell a case from any other SQLite file.
constexpr int32_t kApplicationId = 0x4d534350;

struct TargetInfo {
    int64_t id = 0;
    std::string name, host, goVersion;
    int64_t pid = 0;
};

struct SourceInfo {
    int64_t id = 0;
    std::string name, path, sha256, format, compression;
    int64_t size = 0;
    int64_t importedAtNs = 0;
};

struct SnapshotInfo {
    int64_t id = 0;
    int64_t sourceId = 0;
    int64_t targetId = 0;
    std::string kind;
    int64_t timeNs = 0;
    std::string timeSource; // data | filename | mtime | user
    int64_t durationNs = 0;
    std::string sourceName;
};

struct SampleTypeTotal {
    int index = 0;
    std::string type, unit;
    int64_t total = 0;
};

// A note at a moment, optionally about one series (its key) and one target.
struct Annotation {
    int64_t id = 0, targetId = 0; // 0: the whole case
    int64_t timeNs = 0;
    std::string series;
    std::string text;
    int64_t endNs = 0;             // a range when set
    std::string severity = "info"; // info, warning, critical
};

enum class ImportStatus { Imported, Duplicate, Skipped, Failed };

struct ImportOutcome {
    std::string path;
    ImportStatus status = ImportStatus::Failed;
    std::string format;
    std::vector<int64_t> snapshotIds;
    std::vector<std::string> warnings;
    std::optional<Error> error; // for Failed, and the reason for Skipped
    std::string timeSource;
};

struct ImportOptions {
    std::string targetName; // overrides what the data says
    std::string binaryPath; // the executable, to name globals and functions in heap dumps
};

class CaseStore {
public:
    // Opens (or creates) a case. An older schema is migrated; a newer one, or
    // a SQLite file that is not a case, is refused with a clear message.
    static Result<std::unique_ptr<CaseStore>> open(const std::string& path, bool readOnly = false);
    ~CaseStore();

    const std::string& path() const { return m_path; }
    int schemaVersion();

    // Imports one file as one transaction: all of it, or nothing.
    ImportOutcome importFile(const std::string& path, const ImportOptions& opts,
                             const Progress& progress);

    std::vector<TargetInfo> targets();
    std::vector<SourceInfo> sources();
    std::vector<SnapshotInfo> snapshots(const std::string& kind = {});
    std::optional<SnapshotInfo> snapshot(int64_t id);
    std::vector<SampleTypeTotal> sampleTypes(int64_t snapshotId);
    // A snapshot's profile: a profile.proto decoded again from its kept
    // bytes, any other format rebuilt from the interned rows.
    Result<Profile> loadProfile(int64_t snapshotId);
    // Always from the interned rows (the stack trie).
    Result<Profile> loadProfileFromRows(int64_t snapshotId);
    // Goroutine groups of a goroutine-dump snapshot, largest first.
    struct GoroutineGroupRow {
        int64_t index = 0, count = 0, locked = 0, minWait = -1, maxWait = -1, exactVariants = 0;
        std::string state, role;
        bool leaked = false; // the runtime said so (goroutineleak profile)
        std::vector<std::string> stack; // "function file:line", innermost first
        std::string createdBy;
    };
    std::vector<GoroutineGroupRow> goroutineGroups(int64_t snapshotId);
    // The goroutines of one group: id, wait minutes (-1 unknown), parent id, locked.
    std::vector<GoroutineRecord> goroutineMembers(int64_t snapshotId, int64_t groupIndex);
    // TCP sockets of an fd snapshot. `client`: its local port is not one the
    // process listens on, so the remote end is a host it called.
    struct SocketRow {
        std::string fd, localAddr, remoteAddr, state;
        int64_t localPort = 0, remotePort = 0;
        bool client = false;
    };
    std::vector<SocketRow> tcpSockets(int64_t snapshotId);
    // ---- annotations
    Result<int64_t> addAnnotation(const Annotation& a);
    Status removeAnnotation(int64_t id);
    std::vector<Annotation> annotations();

    // ---- heap dumps
    struct HeapDumpInfo {
        int64_t snapshotId = 0, ptrSize = 8;
        std::string goVersion, recordCounts, symbolsFrom;
        int64_t objects = 0, bytes = 0, edges = 0, reachableObjects = 0, reachableBytes = 0;
        int64_t sampledObjects = 0, sampledBytes = 0, sampledRetainedBytes = 0;
        int64_t finalizersRegistered = 0, finalizersQueued = 0, finalizerRetainedBytes = 0;
        int64_t goroutines = 0, roots = 0;
    };
    std::optional<HeapDumpInfo> heapDump(int64_t snapshotId);
    struct HeapRootRow {
        int64_t index = 0; // root entity (node index - 1)
        std::string kind, name, detail;
        int64_t directObjects = 0, retainedBytes = 0, retainedObjects = 0;
    };
    // Roots that retain anything, largest first; limit 0 = all.
    std::vector<HeapRootRow> heapDumpRoots(int64_t snapshotId, size_t limit = 0);
    struct HeapSiteRow {
        int64_t bucket = 0, stackId = 0, size = 0, allocs = 0, frees = 0;
        int64_t sampledObjects = 0, sampledBytes = 0, retainedBytes = 0;
        std::vector<std::string> stack; // "function file:line", allocation point first
        std::string function;           // the allocating function (first frame)
    };
    // memprof buckets of a dump, by retained bytes of their sampled live objects.
    std::vector<HeapSiteRow> heapDumpSites(int64_t snapshotId);
    struct HeapFinalizerRow {
        std::string function;
        int64_t pc = 0, registered = 0, queued = 0, retainedBytes = 0;
    };
    std::vector<HeapFinalizerRow> heapDumpFinalizers(int64_t snapshotId);
    struct HeapRootSiteRow {
        int64_t rootIndex = -1; // -1: held by several roots
        int64_t bucket = 0, retainedBytes = 0, objects = 0;
    };
    std::vector<HeapRootSiteRow> heapDumpRootSites(int64_t snapshotId);
    Result<StoredHeapGraph> loadHeapGraph(int64_t snapshotId);

    // Escape-analysis notes at a source line; `file` matches by suffix, so
    // "leakyapp/main.go" finds notes of "/src/leakyapp/main.go" too.
    std::vector<EscapeNote> escapeNotes(const std::string& file, int64_t line);
    // Every note of a file (same suffix rule), by line and column.
    std::vector<EscapeNote> escapeNotesOfFile(const std::string& file);
    // Metric points of one snapshot, by name.
    std::vector<std::pair<std::string, double>> metrics(int64_t snapshotId);
    // The decoded bytes of an imported file.
    Result<std::string> sourceBytes(int64_t sourceId);

    Db& db() { return m_db; }

private:
    CaseStore() = default;
    // "function file:line" of a stack, leaf first.
    std::vector<std::string> stackText(int64_t stackId);
    Status initSchema(bool readOnly);
    // The format of a source holding these bytes captured at the time and for
    // the program this file would get: the same capture, imported already.
    std::optional<std::string> sameCapture(const std::string& sha, const SourceFile& src,
                                           const ImportOptions& opts);
    class Writer;
    friend class Writer;

    std::string m_path;
    Db m_db;
};

} // namespace memscope
