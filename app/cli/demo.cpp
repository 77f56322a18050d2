// SPDX-License-Identifier: GPL-3.0-or-later
// The bundled demo case: built from the shipped captures on first use, and
// printed as a report where there is no display to open it on.
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/common.h"

#include "import/import_batch.h"
#include "io/input.h"
#include "report/report.h"
#include "store/case_store.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#ifndef MEMSCOPE_DATA_DIR
#define MEMSCOPE_DATA_DIR ""
#endif

namespace fs = std::filesystem;

namespace memscope::cli {

bool headless() {
    if (std::getenv("QT_QPA_PLATFORM"))
        return false;
    const char* d = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    return !(d && *d) && !(w && *w);
}

std::string demoCasePath(const std::string& argv0, std::string& error) {
    if (const char* env = std::getenv("MEMSCOPE_DEMO_CASE"))
        return env;
    // The shipped captures, beside the executable (an install, or the build
    // tree, which links them there), else the configured share folder.
    std::vector<fs::path> dataDirs = {fs::path(exeDir(argv0)) / "../share/memscope/demo",
                                      fs::path(MEMSCOPE_DATA_DIR) / "demo"};
    fs::path data;
    std::error_code ec;
    for (const auto& d : dataDirs)
        if (!d.empty() && fs::is_directory(d, ec)) {
            data = fs::canonical(d, ec); // the build tree links to the sources' folder
            if (ec)
                data = d;
            break;
        }
    if (data.empty()) {
        error = "the demo captures are not installed";
        return {};
    }
    fs::path home;
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        home = x;
    else if (const char* h = std::getenv("HOME"); h && *h)
        home = fs::path(h) / ".local/share";
    else
        home = fs::temp_directory_path();
    fs::path dir = home / "memscope";
    fs::create_directories(dir, ec);
    fs::path casePath = dir / "demo.memscope";
    std::vector<std::string> files, missing;
    listFiles({data.string()}, files, missing);
    if (fs::exists(casePath, ec)) {
        // Reuse it while it holds exactly the shipped captures.
        auto store = CaseStore::open(casePath.string());
        auto snaps =
            store ? (*store)->snapshots() : Result<std::vector<SnapshotInfo>>(store.error());
        auto sources = snaps ? (*store)->sources() : Result<std::vector<SourceInfo>>(snaps.error());
        if (sources && !snaps->empty()) {
            std::vector<std::string> have, want;
            for (const auto& src : *sources)
                have.push_back(src.name);
            for (const auto& f : files)
                want.push_back(fs::path(f).filename().string());
            std::sort(have.begin(), have.end());
            std::sort(want.begin(), want.end());
            if (have == want)
                return casePath.string();
        }
        // An unreadable or empty demo case is ours to rebuild.
        store = Error{};
        fs::remove(casePath, ec);
        fs::remove(casePath.string() + "-wal", ec);
        fs::remove(casePath.string() + "-shm", ec);
    }
    fs::path building = dir / "demo.memscope.building";
    fs::remove(building, ec);
    {
        auto store = CaseStore::open(building.string());
        if (!store) {
            error = store.error().toString();
            return {};
        }
        BatchSummary sum = importBatch(**store, files, ImportOptions{}, Progress{});
        for (const auto& o : sum.outcomes)
            if (o.status == ImportStatus::Failed) {
                error = o.error ? o.error->toString() : o.path;
                return {};
            }
        (void)(*store)->checkpoint();
    }
    fs::rename(building, casePath, ec);
    if (ec) {
        error = casePath.string() + ": " + ec.message();
        return {};
    }
    fs::remove(building.string() + "-wal", ec);
    fs::remove(building.string() + "-shm", ec);
    return casePath.string();
}

int printDemoReport(const std::vector<std::string>& argv) {
    std::string error;
    std::string path = demoCasePath(argv[0], error);
    if (path.empty()) {
        std::cerr << "memscope: demo: " << error << "\n";
        return kInputFailed;
    }
    auto store = CaseStore::open(path);
    if (!store) {
        std::cerr << "memscope: " << store.error().toString() << "\n";
        return kInputFailed;
    }
    auto report = reportMarkdown(**store);
    if (!report)
        return readFailed(report.error());
    std::cout << *report;
    std::cout << "\n---\nNo display found, so this is the demo case's report (" << path
              << ").\nOn a desktop, `memscope --demo` opens the workbench on it; on a server,"
                 " try `xvfb-run memscope --demo` or `memscope report --format json "
              << path << "`.\n";
    return kOk;
}

} // namespace memscope::cli
