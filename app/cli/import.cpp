// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope import`: files and folders into a case, a line per file.
#include "cli/commands.h"
#include "cli/common.h"

#include "base/text_util.h"
#include "import/import_batch.h"
#include "io/input.h"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace memscope::cli {

int cmdImport(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--target", "--binary"}, {});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() < 2)
        return usageError("import needs a case file and at least one path");
    auto store = CaseStore::open(a.positional[0]);
    if (!store) {
        std::cerr << "memscope: " << store.error().toString() << "\n";
        return kInputFailed;
    }
    ImportOptions opts;
    opts.targetName = a.opt("--target").value_or("");
    opts.binaryPath = a.opt("--binary").value_or("");
    std::vector<std::string> files, missing;
    listFiles({a.positional.begin() + 1, a.positional.end()}, files, missing);
    for (const auto& m : missing)
        std::cout << "failed     " << terminalSafe(m) << ": no such file or folder\n";
    // On a terminal, a progress line on stderr (overwritten in place).
    Progress progress;
    bool tty = isatty(2);
    if (tty)
        progress.report = [](uint64_t done, uint64_t total, const std::string& what) {
            if (total == 0)
                return;
            std::fprintf(stderr, "\r\033[K%3d%%  %s", int(100 * double(done) / double(total)),
                         terminalSafe(what.substr(0, 100)).c_str());
        };
    else // scripts still hear once per file why nothing moves
        progress.report = [last = std::string()](uint64_t, uint64_t,
                                                 const std::string& what) mutable {
            if (what.ends_with(kWaitingForCase) && what != last)
                std::fprintf(stderr, "memscope: %s\n", what.c_str());
            last = what;
        };
    BatchSummary sum = importBatch(**store, files, opts, progress, [tty](const ImportOutcome& o) {
        if (tty)
            std::fprintf(stderr, "\r\033[K");
        switch (o.status) {
            case ImportStatus::Imported:
                std::cout << "imported   " << terminalSafe(o.path) << " (" << o.format << ", "
                          << o.snapshotIds.size() << " snapshot"
                          << (o.snapshotIds.size() == 1 ? "" : "s") << ", time from "
                          << o.timeSource << ")\n";
                for (const auto& w : o.warnings)
                    std::cout << "  warning: " << terminalSafe(w) << "\n";
                break;
            case ImportStatus::Duplicate:
                std::cout << "duplicate  " << terminalSafe(o.path) << " (already in the case)\n";
                break;
            case ImportStatus::Skipped:
                std::cout << "skipped    " << terminalSafe(o.path) << ": "
                          << terminalSafe(o.error ? o.error->message : "") << "\n";
                break;
            case ImportStatus::Failed:
                std::cout << "failed     " << terminalSafe(o.error ? o.error->toString() : o.path)
                          << "\n";
                break;
        }
        std::cout.flush();
    });
    if (tty)
        std::fprintf(stderr, "\r\033[K");
    int failed = sum.failed + int(missing.size());
    if (sum.stoppedEarly)
        std::cout << "stopped: the case could not be written; " << sum.stoppedEarly
                  << " file(s) not tried (the files imported so far are intact)\n";
    std::cout << sum.imported << " imported, " << sum.duplicate << " duplicate, " << sum.skipped
              << " skipped, " << failed << " failed\n";
    return failed ? kInputFailed : kOk;
}

} // namespace memscope::cli
