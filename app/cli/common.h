// SPDX-License-Identifier: GPL-3.0-or-later
// What the subcommands share: argument parsing, opening a case, picking a snapshot.
#pragma once

#include "analysis/forecast/limits.h"
#include "store/case_store.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace memscope::cli {

constexpr int kOk = 0, kInputFailed = 1, kUsage = 2;

struct Args {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options; // name -> value ("" for flags)
    std::string error;

    bool flag(const std::string& name) const;
    std::optional<std::string> opt(const std::string& name) const;
};

// Options that take a value; everything else starting with '-' is a flag.
Args parse(const std::vector<std::string>& in, size_t from,
           const std::vector<std::string>& withValue, const std::vector<std::string>& flags);

// Every --limit NAME=VALUE given, parsed; false after a usage error was said.
bool limitsFrom(const Args& a, std::vector<forecast::Limit>& out);

// The folder of the running executable (argv0 when /proc cannot say).
std::string exeDir(const std::string& argv0 = {});

// True when the file starts as an SQLite database does: a case, not a capture.
bool isCaseFile(const std::string& path);

// Keeps a large value alive until the process ends, which is next: the
// kernel takes its pages back at exit in one go, faster than its destructor
// would return them one by one (some 50 ms for a 200 MB profile). Only the
// first value kept lives on; a command run again in the same process frees
// its own.
template <typename T>
void keepUntilExit(T&& value) {
    static const auto* kept = new std::decay_t<T>(std::forward<T>(value));
    (void)kept;
}

// Prints msg and the usage on stderr; returns kUsage.
int usageError(const std::string& msg);

// An existing case for a command, or null after saying why on stderr.
// Opens a case for a command, read-only unless it writes (annotate);
// prints the error and returns null when it cannot.
std::unique_ptr<CaseStore> openCaseFor(const std::string& path, bool forWriting = false);

// Says why a read of the case failed (its file and SQLite's words); returns kInputFailed.
int readFailed(const Error& e);

// --snapshot ID (checked to be of `kind`), else the newest of that kind, into
// `id`. kOk, or the exit status: kInputFailed when there is none in the case,
// kUsage when --snapshot names another kind (each said on stderr).
int pickSnapshot(CaseStore& store, const Args& a, SnapshotKind kind, const std::string& what,
                 SnapshotId& id);

// Opens the case named by the first positional argument and picks a snapshot
// of `kind` as pickSnapshot does. kOk to go on, else the exit status (said why).
int openSnapshot(const Args& a, SnapshotKind kind, const std::string& what,
                 std::unique_ptr<CaseStore>& store, SnapshotId& id);

} // namespace memscope::cli
