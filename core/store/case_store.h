// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/progress.h"
#include "base/result.h"
#include "import/importer.h"
#include "model/goroutines.h"
#include "model/ids.h"
#include "model/profile.h"
#include "model/snapshot_kind.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace memscope {

class Db; // the store's own SQLite connection (store/db.h), never seen outside it

constexpr int kSchemaVersion = 10;
// "MSCP": lets `file` and memscope tell a case from any other SQLite file.
constexpr int32_t kApplicationId = 0x4d534350;

struct TargetInfo {
    TargetId id;
    std::string name, host, goVersion;
    int64_t pid = 0;
};

struct SourceInfo {
    SourceId id;
    std::string name, path, sha256, format, compression;
    int64_t size = 0;
    int64_t importedAtNs = 0;
};

struct SnapshotInfo {
    SnapshotId id;
    SourceId sourceId;
    TargetId targetId;
    SnapshotKind kind = SnapshotKind::Profile;
    int64_t timeNs = 0;
    std::string timeSource; // data | filename | mtime | user
    int64_t durationNs = 0;
    std::string sourceName;
    std::string format; // the source's: goroutine_text, goroutine_debug1, pprof, ...
};

struct SampleTypeTotal {
    int index = 0;
    std::string type, unit;
    int64_t total = 0;
};

// A note at a moment, optionally about one series (its key) and one target.
struct Annotation {
    AnnotationId id;
    TargetId targetId; // none: the whole case
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
    std::vector<SnapshotId> snapshotIds;
    std::vector<std::string> warnings;
    std::optional<Error> error; // for Failed, and the reason for Skipped
    std::string timeSource;
};

// A name with a count: a host's sockets, a type's files, a state's sockets.
struct NamedCount {
    std::string name;
    int64_t count = 0;
};

// What one snapshot holds, by its kind; counts of other kinds stay 0.
struct SnapshotCounts {
    int64_t samples = 0;                          // profiles
    int64_t goroutines = 0, groups = 0;           // goroutine dumps
    int64_t fds = 0, tcpSockets = 0;              // lsof, ss
    std::vector<NamedCount> clientSocketsPerHost; // by remote address
    int64_t gcCycles = 0;                         // gctrace
    int64_t notes = 0;                            // escape notes
    int64_t metrics = 0;                          // runtime/metrics, expvar
};

// Open files of an fd snapshot counted every way the time lines show them.
struct FdCounts {
    int64_t total = 0;
    std::vector<NamedCount> byType;        // REG, IPv4, sock, ...
    std::vector<NamedCount> tcpByState;    // TCP sockets with a state
    std::vector<NamedCount> clientsByHost; // client sockets per remote address
};

// A client socket: TCP with a peer, on a local port the process does not
// listen on (a server's accepted connections keep its listening port), so
// the peer is a host the process called.
struct ClientSocket {
    std::string host;
    int64_t localPort = 0, remotePort = 0;
    std::string state;
};

// Goroutines of a dump summed by state and role.
struct GoroutineStateCount {
    std::string state;
    GoroutineRole role = GoroutineRole::None;
    int64_t count = 0;
};

// One GC cycle of a gctrace snapshot, as logged.
struct GcCycleRow {
    double atSeconds = 0; // since process start
    double heapStartMb = 0, heapEndMb = 0, heapLiveMb = 0, goalMb = 0;
    double stwSweepMs = 0, stwMarkMs = 0, concurrentMs = 0, cpuPercent = 0;
};

// A metric point with the snapshot that holds it.
struct MetricPointRow {
    SnapshotKind kind = SnapshotKind::Metrics; // the snapshot's
    std::string name;
    int64_t timeNs = 0;
    SnapshotId snapshotId;
    TargetId targetId;
    double value = 0;
};

struct ImportOptions {
    std::string targetName; // overrides what the data says
    std::string binaryPath; // the executable, to name globals and functions in heap dumps
    // When the data carries no time: this one (a capture round's), before the
    // file's name and mtime. timeSource "capture".
    std::optional<int64_t> captureTimeNs;
};

class CaseStore {
public:
    // Opens (or creates) a case. An older schema is migrated; a newer one, or
    // a SQLite file that is not a case, is refused with a clear message.
    static Result<std::unique_ptr<CaseStore>> open(const std::string& path, bool readOnly = false);
    ~CaseStore();

    const std::string& path() const { return m_path; }
    Result<int> schemaVersion();
    // Changes whenever another connection (another process, or another
    // CaseStore) commits to the case: a window polls it to stay fresh.
    Result<int64_t> dataVersion();

    // Imports one file as one transaction: all of it, or nothing.
    ImportOutcome importFile(const std::string& path, const ImportOptions& opts,
                             const Progress& progress);
    // Several files as one transaction (a capture round): each file is all
    // or nothing, and one that fails leaves the others in; the outcomes say
    // which. An error is returned only when the round as a whole could not
    // be written (nothing of it is then in the case).
    Result<std::vector<ImportOutcome>> importRound(const std::vector<std::string>& paths,
                                                   const ImportOptions& opts,
                                                   const Progress& progress);

    Result<std::vector<TargetInfo>> targets();
    Result<std::vector<SourceInfo>> sources();
    // In time order. A goroutine profile (debug=1 text or profile.proto) taken
    // at the moment of a full dump (debug=2) of the same program, with the same
    // goroutines, is that dump in another form: only the full dump is listed
    // (its source still is, in sources()).
    Result<std::vector<SnapshotInfo>> snapshots(std::optional<SnapshotKind> kind = {});
    // No value: no such snapshot.
    Result<std::optional<SnapshotInfo>> snapshot(SnapshotId id);
    Result<std::vector<SampleTypeTotal>> sampleTypes(SnapshotId snapshotId);
    // A snapshot's profile: a profile.proto decoded again from its kept
    // bytes, any other format rebuilt from the interned rows.
    Result<Profile> loadProfile(SnapshotId snapshotId);
    // Always from the interned rows (the stack trie).
    Result<Profile> loadProfileFromRows(SnapshotId snapshotId);
    // Goroutine groups of a goroutine-dump snapshot, largest first.
    struct GoroutineGroupRow {
        int64_t index = 0, count = 0, locked = 0, minWait = -1, maxWait = -1, exactVariants = 0;
        std::string state;
        GoroutineRole role = GoroutineRole::None;
        bool leaked = false;            // the runtime said so (goroutineleak profile)
        std::vector<std::string> stack; // "function file:line", innermost first, with
                                        // "...N frames elided..." where the runtime said so
        std::vector<std::pair<std::string, std::string>> labels; // pprof labels, by key
        std::string createdBy;
    };
    Result<std::vector<GoroutineGroupRow>> goroutineGroups(SnapshotId snapshotId);
    // A metric's value exactly as imported when it was an integer (expvar's
    // LastGC is past 2^53, where a double rounds); nothing when it was not.
    Result<std::optional<int64_t>> metricInteger(SnapshotId snapshotId, const std::string& name);
    // The goroutines of one group: id, wait minutes (-1 unknown), parent id, locked.
    Result<std::vector<GoroutineRecord>> goroutineMembers(SnapshotId snapshotId,
                                                          int64_t groupIndex);
    // TCP sockets of an fd snapshot. `client`: its local port is not one the
    // process listens on, so the remote end is a host it called.
    struct SocketRow {
        std::string fd, localAddr, remoteAddr, state;
        int64_t localPort = 0, remotePort = 0;
        bool client = false;
    };
    Result<std::vector<SocketRow>> tcpSockets(SnapshotId snapshotId);
    // ---- annotations
    Result<AnnotationId> addAnnotation(const Annotation& a);
    Status removeAnnotation(AnnotationId id);
    Result<std::vector<Annotation>> annotations();
    // Choices the workbench keeps with the case rather than the machine (the
    // profile filters), so a case sent on opens as it was left. A setting
    // never saved reads as "".
    Result<std::string> caseSetting(const std::string& name);
    Status setCaseSetting(const std::string& name, const std::string& value);

    // ---- heap dumps
    struct HeapDumpInfo {
        SnapshotId snapshotId;
        int64_t ptrSize = 8;
        std::string goVersion, recordCounts, symbolsFrom;
        int64_t objects = 0, bytes = 0, edges = 0, reachableObjects = 0, reachableBytes = 0;
        int64_t sampledObjects = 0, sampledBytes = 0, sampledRetainedBytes = 0;
        int64_t finalizersRegistered = 0, finalizersQueued = 0, finalizerRetainedBytes = 0;
        int64_t goroutines = 0, roots = 0;
    };
    Result<std::optional<HeapDumpInfo>> heapDump(SnapshotId snapshotId);
    struct HeapRootRow {
        int64_t index = 0; // root entity (node index - 1)
        std::string kind, name, detail;
        int64_t directObjects = 0, retainedBytes = 0, retainedObjects = 0;
    };
    // Roots that retain anything, largest first; limit 0 = all.
    Result<std::vector<HeapRootRow>> heapDumpRoots(SnapshotId snapshotId, size_t limit = 0);
    struct HeapSiteRow {
        int64_t bucket = 0;
        StackId stackId;
        int64_t size = 0, allocs = 0, frees = 0;
        int64_t sampledObjects = 0, sampledBytes = 0, retainedBytes = 0;
        std::vector<std::string> stack; // "function file:line", allocation point first
        std::string function;           // the allocating function (first frame)
    };
    // memprof buckets of a dump, by retained bytes of their sampled live objects.
    Result<std::vector<HeapSiteRow>> heapDumpSites(SnapshotId snapshotId);
    struct HeapFinalizerRow {
        std::string function;
        int64_t pc = 0, registered = 0, queued = 0, retainedBytes = 0;
    };
    Result<std::vector<HeapFinalizerRow>> heapDumpFinalizers(SnapshotId snapshotId);
    struct HeapRootSiteRow {
        int64_t rootIndex = -1; // -1: held by several roots
        int64_t bucket = 0, retainedBytes = 0, objects = 0;
    };
    Result<std::vector<HeapRootSiteRow>> heapDumpRootSites(SnapshotId snapshotId);
    Result<StoredHeapGraph> loadHeapGraph(SnapshotId snapshotId);

    // Escape-analysis notes at a source line; `file` matches by suffix, so
    // "leakyapp/main.go" finds notes of "/src/leakyapp/main.go" too.
    Result<std::vector<EscapeNote>> escapeNotes(const std::string& file, int64_t line);
    // Every note of a file (same suffix rule), by line and column.
    Result<std::vector<EscapeNote>> escapeNotesOfFile(const std::string& file);
    // Metric points of one snapshot, by name.
    Result<std::vector<std::pair<std::string, double>>> metrics(SnapshotId snapshotId);
    // The decoded bytes of an imported file.
    Result<std::string> sourceBytes(SourceId sourceId);

    // ---- rows for time lines, diffs, reports and detectors
    // A profile's values in sample column `sampleIndex` (0..3) summed by the
    // function of each sample's leaf frame; another column gives no rows.
    Result<std::vector<NamedCount>> flatByLeafFunction(SnapshotId snapshotId, int sampleIndex);
    Result<std::vector<GoroutineStateCount>> goroutineCountsByState(SnapshotId snapshotId);
    Result<FdCounts> fdCounts(SnapshotId snapshotId);
    Result<std::vector<ClientSocket>> clientSockets(SnapshotId snapshotId);
    // The addresses an fd snapshot's process listens on.
    Result<std::vector<std::string>> listeningAddresses(SnapshotId snapshotId);
    Result<std::vector<GcCycleRow>> gcCycles(SnapshotId snapshotId);
    // Every metric point of the case by kind, name, target and time; a case
    // may hold millions, so they are handed over one at a time.
    Status forEachMetricPoint(const std::function<void(const MetricPointRow&)>& onPoint);
    Result<SnapshotCounts> snapshotCounts(const SnapshotInfo& snapshot);
    // Escape notes whose message holds `text` (ASCII case aside), by file and line.
    Result<std::vector<EscapeNote>> escapeNotesMentioning(const std::string& text);

    // Whether the case is open read-only (a read command, a file the user cannot write).
    bool readOnly() const;
    // Folds the write-ahead log into the case file, so a copy of the file alone is whole.
    Status checkpoint();

private:
    CaseStore();
    // "function file:line" of a stack, leaf first.
    Result<std::vector<std::string>> stackText(StackId stackId);
    // The stack trie's order (each parent before its child), checked the
    // first time a reader walks it: a scan of the whole table, which readers
    // that never walk it (a profile decoded from its kept bytes) do not pay.
    Status checkStackTrie();
    Status initSchema(bool readOnly);
    // Drops the goroutine profiles that have a full dump of the same capture.
    Status dropGoroutineTwins(std::vector<SnapshotInfo>& snapshots);
    // The format of a source holding these bytes captured at the time and for
    // the program this file would get: the same capture, imported already.
    Result<std::optional<std::string>> sameCapture(const std::string& sha, const SourceFile& src,
                                                   const ImportOptions& opts);
    // Takes the checksum a large source was imported without, from its kept bytes.
    Status hashKeptBytes(SourceId sourceId);
    // Hands `part` each chunk of the bytes kept for a source, decompressed, in
    // order; false when nothing is kept for it.
    Result<bool> forEachKeptChunk(SourceId sourceId,
                                  const std::function<void(std::string_view)>& part);
    class Writer;
    friend class Writer;

    std::string m_path;
    std::unique_ptr<Db> m_db;
    std::optional<Status> m_stackTrieChecked;
};

} // namespace memscope
