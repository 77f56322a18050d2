// SPDX-License-Identifier: GPL-3.0-or-later
// Opening the case a command names, read-only unless the command writes, and
// picking a snapshot in it; each failure said on stderr.
#include "cli/common.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;

namespace memscope::cli {

bool isCaseFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    char head[16] = {};
    f.read(head, 16);
    return f.gcount() == 16 && std::string(head, 16) == std::string("SQLite format 3\0", 16);
}

std::unique_ptr<CaseStore> openCaseFor(const std::string& path, bool forWriting) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        std::cerr << "memscope: " << path << ": no such case file\n";
        return nullptr;
    }
    // Reading never writes: no schema into an empty file, no -wal left
    // behind, and a case in a read-only folder still reads. Only a case of an
    // older schema is opened writable, once, to migrate it.
    auto store = CaseStore::open(path, !forWriting);
    if (!store && !forWriting && store.error().code == ErrorCode::Unsupported &&
        store.error().message.find("needs an upgrade") != std::string::npos)
        store = CaseStore::open(path, false);
    if (!store) {
        std::cerr << "memscope: " << store.error().toString() << "\n";
        return nullptr;
    }
    return std::move(*store);
}

int openSnapshot(const Args& a, SnapshotKind kind, const std::string& what,
                 std::unique_ptr<CaseStore>& store, SnapshotId& id) {
    store = openCaseFor(a.positional.at(0));
    if (!store)
        return kInputFailed;
    return pickSnapshot(*store, a, kind, what, id);
}

int pickSnapshot(CaseStore& store, const Args& a, SnapshotKind kind, const std::string& what,
                 SnapshotId& id) {
    if (auto s = a.opt("--snapshot")) {
        char* end = nullptr;
        id = SnapshotId(std::strtoll(s->c_str(), &end, 10));
        auto found = end && *end == 0 ? store.snapshot(id) : std::optional<SnapshotInfo>();
        if (!found) {
            readFailed(found.error());
            return kInputFailed;
        }
        const auto& sn = *found;
        if (!sn || sn->kind != kind) {
            usageError("snapshot " + *s + " is not a " + what);
            return kUsage;
        }
        return kOk;
    }
    auto list = store.snapshots(kind);
    if (!list) {
        readFailed(list.error());
        return kInputFailed;
    }
    if (list->empty()) {
        std::cerr << "memscope: " << store.path() << ": no " << what << "s in the case\n";
        return kInputFailed;
    }
    id = list->back().id;
    return kOk;
}

} // namespace memscope::cli
