// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/profile.h"

namespace memscope {

int Profile::sampleIndex(const std::string& name) const {
    for (size_t i = 0; i < sampleTypes.size(); ++i)
        if (sampleTypes[i].type == name)
            return int(i);
    return -1;
}

int Profile::defaultSampleIndex() const {
    if (!defaultSampleType.empty()) {
        int i = sampleIndex(defaultSampleType);
        if (i >= 0)
            return i;
    }
    return sampleTypes.empty() ? -1 : int(sampleTypes.size() - 1);
}

SnapshotKind Profile::kind() const {
    if (sampleIndex("inuse_space") >= 0 || sampleIndex("alloc_space") >= 0) {
        // net/http/pprof's `heap?seconds=N` and `allocs?seconds=N` subtract
        // a profile taken N seconds before: the runtime's own memory profiles
        // carry no duration, a delta carries its span. Its in-use columns are
        // differences, never a heap size.
        if (durationNanos > 0)
            return SnapshotKind::AllocsDelta;
        return defaultSampleType == "alloc_space" ? SnapshotKind::Allocs : SnapshotKind::Heap;
    }
    if (sampleIndex("goroutine") >= 0 || sampleIndex("goroutineleak") >= 0) // leak: Go 1.26+
        return SnapshotKind::GoroutineProfile;
    if (sampleIndex("cpu") >= 0)
        return SnapshotKind::Cpu;
    if (sampleIndex("contentions") >= 0)
        return SnapshotKind::Contention;
    if (sampleIndex("threadcreate") >= 0)
        return SnapshotKind::ThreadCreate;
    return SnapshotKind::Profile;
}

} // namespace memscope
