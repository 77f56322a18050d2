// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/import_batch.h"

#include "formats/gctrace/gctrace.h"
#include "io/input.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace memscope {

namespace {

void collect(const fs::path& p, std::vector<std::string>& files, std::vector<std::string>& missing,
             int depth) {
    std::error_code ec;
    auto st = fs::symlink_status(p, ec);
    if (ec || !fs::exists(st)) {
        missing.push_back(p.string());
        return;
    }
    if (fs::is_directory(st)) {
        if (depth > 64)
            return;
        std::vector<fs::path> children;
        for (const auto& e : fs::directory_iterator(p, ec))
            children.push_back(e.path());
        std::sort(children.begin(), children.end());
        for (const auto& c : children)
            collect(c, files, missing, depth + 1);
    } else if (fs::is_regular_file(fs::status(p, ec))) {
        files.push_back(p.string());
    }
}

} // namespace

void listFiles(const std::vector<std::string>& paths, std::vector<std::string>& files,
               std::vector<std::string>& missing) {
    for (const auto& p : paths)
        collect(p, files, missing, 0);
}

namespace {

bool isGcTraceFile(const std::string& path) {
    auto f = MappedFile::open(path);
    return f.ok() && looksLikeGcTrace(peekDecoded((*f)->bytes(), 4096));
}

} // namespace

BatchSummary importBatch(CaseStore& store, const std::vector<std::string>& given,
                         const ImportOptions& opts, const Progress& progress,
                         const std::function<void(const ImportOutcome&)>& onOutcome) {
    BatchSummary sum;
    // GC traces go last: their cycles are placed on wall time from the
    // memstats (LastGC, NumGC) of the same capture set, so those come first.
    std::vector<std::string> files = given;
    std::stable_partition(files.begin(), files.end(),
                          [](const std::string& f) { return !isGcTraceFile(f); });
    std::error_code ec;
    const auto self = fs::weakly_canonical(store.path(), ec);
    std::vector<uint64_t> sizes;
    uint64_t total = 0, done = 0;
    for (const auto& f : files) {
        uint64_t s = fs::file_size(f, ec);
        sizes.push_back(ec ? 0 : s);
        total += sizes.back();
    }
    for (size_t i = 0; i < files.size(); ++i) {
        auto canon = fs::weakly_canonical(files[i], ec);
        if (canon == self || canon.string() == self.string() + "-wal" ||
            canon.string() == self.string() + "-shm")
            continue;
        if (progress.cancelled()) {
            sum.cancelled = true;
            break;
        }
        Progress inner;
        inner.stop = progress.stop;
        inner.report = [&](uint64_t d, uint64_t t, const std::string& what) {
            uint64_t part = t ? sizes[i] * std::min(d, t) / t : 0;
            progress(done + part, total, files[i] + (what.empty() ? "" : ": " + what));
        };
        progress(done, total, files[i]);
        ImportOutcome o = store.importFile(files[i], opts, inner);
        // Another import holds the case's write lock past the busy wait: wait
        // for it, file by file, saying so, until it ends or we are cancelled.
        while (o.status == ImportStatus::Failed && o.error && o.error->code == ErrorCode::Busy &&
               !progress.cancelled()) {
            progress(done, total, files[i] + ": " + kWaitingForCase);
            o = store.importFile(files[i], opts, inner);
        }
        done += sizes[i];
        switch (o.status) {
            case ImportStatus::Imported: ++sum.imported; break;
            case ImportStatus::Duplicate: ++sum.duplicate; break;
            case ImportStatus::Skipped: ++sum.skipped; break;
            case ImportStatus::Failed:
                if (o.error && o.error->code == ErrorCode::Cancelled)
                    sum.cancelled = true;
                else
                    ++sum.failed;
                break;
        }
        // The case itself failing to write (full disk) fails every file after
        // it too: stop, and say so once.
        bool caseBroken =
            o.status == ImportStatus::Failed && o.error && o.error->code == ErrorCode::Database;
        if (onOutcome)
            onOutcome(o);
        sum.outcomes.push_back(std::move(o));
        if (sum.cancelled)
            break;
        if (caseBroken) {
            sum.stoppedEarly = int(files.size() - i - 1);
            break;
        }
    }
    progress(done, total, {});
    return sum;
}

} // namespace memscope
