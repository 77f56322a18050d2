// SPDX-License-Identifier: GPL-3.0-or-later
// Importing files and folders into a case, off the GUI thread.
#pragma once

#include "store/case_store.h"

#include <QStringList>

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace memscope::ui {

// What became of one file, as the import log shows it.
struct ImportedFile {
    QString path;
    QString outcome; // imported, duplicate, skipped, failed, not found
    QString detail;  // format and snapshots, the duplicate's reason, the error, warnings
    bool failed = false, warned = false;
};

struct ImportReport {
    int imported = 0, duplicate = 0, skipped = 0, failed = 0;
    bool cancelled = false;
    QStringList problems;      // one line per failed or skipped file
    QList<ImportedFile> files; // every file, in the order they were read
};

// One outcome as the log words it (the command line's words).
ImportedFile describeOutcome(const ImportOutcome& o);

// Imports `paths` (files and folders, recursively) into the case at
// `casePath` until `stop` is requested. `progress` hears a per-mille value and
// what is being read, at most 25 times a second and only when the value grew,
// as a QFuture's progress was. Always returns a report, cancelled or not.
ImportReport runImport(const QString& casePath, const std::vector<std::string>& paths,
                       std::stop_token stop,
                       const std::function<void(int perMille, const QString& what)>& progress);

} // namespace memscope::ui
