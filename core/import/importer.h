// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/progress.h"
#include "base/result.h"
#include "io/input.h"
#include "model/escape.h"
#include "model/fds.h"
#include "model/gc.h"
#include "model/goroutines.h"
#include "model/heap_dump.h"
#include "model/ids.h"
#include "model/profile.h"
#include "model/snapshot_kind.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// One file handed to an importer: its raw bytes (mapped), how they are
// compressed, and a decoded prefix for cheap checks.
struct SourceFile {
    std::string path;
    std::string name; // file name without folders
    std::shared_ptr<const MappedFile> file;
    Compression compression = Compression::None;
    std::string head; // first few KiB of the decoded content
    std::unique_ptr<ByteStream> open() const { return openStream(file->bytes()); }
    // The executable the capture came from, when the user named one.
    std::string binaryPath;
};

// What an importer says about the process a capture came from.
struct TargetHint {
    std::string name; // binary name, "leakyapp"
    std::string host;
    int64_t pid = 0;
    std::string goVersion;
};

// One capture at one time. time from the data when it has one.
struct SnapshotDraft {
    SnapshotKind kind = SnapshotKind::Profile;
    std::optional<int64_t> timeNs;
    std::string timeSource; // when timeNs is set: "data" unless said otherwise
    int64_t durationNs = 0;
    TargetHint target;
};

// Where importers write. The store implements it inside the file's transaction.
class ImportSink {
public:
    virtual ~ImportSink() = default;
    // Returns the new snapshot's id, which the calls below take.
    virtual Result<SnapshotId> addSnapshot(const SnapshotDraft& draft) = 0;
    virtual Status addProfile(SnapshotId snapshotId, const Profile& profile) = 0;
    virtual Status addGoroutines(SnapshotId snapshotId, const GoroutineDump& dump) = 0;
    virtual Status addFds(SnapshotId snapshotId, const FdSnapshot& fds) = 0;
    virtual Status addGcCycles(SnapshotId snapshotId, const std::vector<GcCycle>& cycles) = 0;
    virtual Status addEscapeNotes(SnapshotId snapshotId, const std::vector<EscapeNote>& notes) = 0;
    // Wall-clock ns of the process start from an expvar snapshot already in the
    // case whose NumGC names one of these cycles; 0 when none does.
    virtual int64_t processStartFromExpvar(const std::vector<GcCycle>& cycles) = 0;
    // A named number measured at the snapshot's time (MemStats, runtime/metrics).
    virtual Status addMetric(SnapshotId snapshotId, const std::string& name, double value) = 0;
    // A Go heap dump: its summary rows and the zstd'd graph (encodeHeapGraph).
    virtual Status addHeapDump(SnapshotId snapshotId, const HeapDump& dump,
                               const HeapDumpSummary& summary, std::string_view graphBlob) = 0;
    // Something the user should hear about that does not stop the import.
    virtual void warn(const std::string& message) = 0;
    // A named integer kept exactly (expvar's LastGC is past 2^53). Last in
    // the table, so plugins built before it still find every other entry.
    virtual Status addMetricInteger(SnapshotId snapshotId, const std::string& name,
                                    int64_t value) = 0;
};

class Importer {
public:
    virtual ~Importer() = default;
    // Stable name stored with each source: "pprof", "goroutine_text", ...
    virtual std::string format() const = 0;
    virtual std::string description() const = 0;
    // 0 = not mine, 100 = certainly mine. Judged from content, never the name.
    virtual int sniff(std::string_view decodedHead) const = 0;
    virtual Status import(const SourceFile& src, ImportSink& sink, const Progress& progress) = 0;
};

// Adds an "fds" snapshot for a process's open files (lsof, ss, plugins).
Status importFdSnapshot(ImportSink& sink, const FdSnapshot& snap);

// The built-in importers plus any loaded from plugins.
class ImporterRegistry {
public:
    static ImporterRegistry& instance();
    void add(std::unique_ptr<Importer> importer);
    // The most confident importer for this content, or null.
    Importer* detect(std::string_view decodedHead) const;
    const std::vector<std::unique_ptr<Importer>>& importers() const { return m_importers; }
    // Loads shared-object plugins from these folders; returns what it did, per file.
    std::vector<std::string> loadPlugins(const std::vector<std::string>& folders);

private:
    ImporterRegistry();
    std::vector<std::unique_ptr<Importer>> m_importers;
    std::vector<void*> m_handles;
};

// The ABI a plugin exports: `extern "C" memscope::Importer* memscope_create_importer(int abi)`.
// It returns null when `abi` is not the one it was built for.
constexpr int kImporterAbi = MEMSCOPE_IMPORTER_ABI;
using CreateImporterFn = Importer* (*)(int abi);

} // namespace memscope
