// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/case_store.h"

#include <functional>
#include <string>
#include <vector>

namespace memscope {

// Files under the given paths: folders recursed in name order, links to
// folders not followed. Paths that do not exist land in `missing`.
void listFiles(const std::vector<std::string>& paths, std::vector<std::string>& files,
               std::vector<std::string>& missing);

// What the progress line says while another process holds the case's write
// lock: the batch waits for it, file by file, instead of giving up.
inline constexpr const char* kWaitingForCase = "waiting, another process is writing the case";

struct BatchSummary {
    int imported = 0, duplicate = 0, skipped = 0, failed = 0;
    bool cancelled = false;
    int stoppedEarly = 0; // files not tried because the case could not be written
    std::vector<ImportOutcome> outcomes;
};

// Imports each file in its own transaction; a failure leaves the others in.
// Progress is reported in bytes over the whole batch. `skipPath` (the case
// itself, when it lies inside an imported folder) is passed over.
BatchSummary importBatch(CaseStore& store, const std::vector<std::string>& files,
                         const ImportOptions& opts, const Progress& progress,
                         const std::function<void(const ImportOutcome&)>& onOutcome = {});

} // namespace memscope
