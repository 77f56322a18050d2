// SPDX-License-Identifier: GPL-3.0-or-later
// Kept apart from importer.cpp: plugins link core statically and must not pull
// in the registry (and with it the generated protobuf code, which may be
// registered only once per process).
#include "import/importer.h"

namespace memscope {

Status importFdSnapshot(ImportSink& sink, const FdSnapshot& snap) {
    for (const auto& w : snap.warnings)
        sink.warn(w);
    SnapshotDraft draft;
    draft.kind = SnapshotKind::Fds;
    draft.target.name = snap.command;
    draft.target.pid = snap.pid;
    auto id = sink.addSnapshot(draft);
    if (!id)
        return id.error();
    return sink.addFds(*id, snap);
}

} // namespace memscope
