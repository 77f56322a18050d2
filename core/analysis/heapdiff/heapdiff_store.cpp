// SPDX-License-Identifier: GPL-3.0-or-later
// The object diff of two heap dumps read from a case: both graphs, the sites
// named as the retention views name them, and the check that the two dumps
// are of one process, without which matching addresses would mean nothing.
#include "analysis/heapdiff/heapdiff.h"

#include "store/case_store.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace memscope {

namespace {

// "function file:line" -> "function (file:line)", the file without its folders.
std::string siteLabel(const CaseStore::HeapSiteRow& s) {
    if (s.stack.empty())
        return "?";
    const std::string& f = s.stack.front();
    auto sp = f.find(' ');
    std::string where = sp == std::string::npos ? "" : f.substr(sp + 1);
    if (auto slash = where.find_last_of('/'); slash != std::string::npos)
        where = where.substr(slash + 1);
    return f.substr(0, sp) + (where.empty() ? "" : " (" + where + ")");
}

Error twoProcesses(SnapshotId a, SnapshotId b, const std::string& why) {
    return makeError(ErrorCode::Usage, "snapshots " + std::to_string(a.value) + " and " +
                                           std::to_string(b.value) +
                                           " are heap dumps of two processes (" + why +
                                           "): objects can only be matched within one process");
}

// The counters one process only ever adds to: within one process, the dump
// that has seen more collections has allocated more too, and when both times
// come from the captures themselves it is the later one. A restart or another
// replica breaks that order sooner or later.
Status checkOneProcess(CaseStore& store, const SnapshotInfo& a, const SnapshotInfo& b) {
    if (a.targetId != b.targetId)
        return twoProcesses(a.id, b.id, "the case files them under two programs");
    const char* names[] = {"memstats.NumGC", "memstats.TotalAlloc", "memstats.Mallocs"};
    int order = 0; // -1: a is earlier, 1: b is
    std::string firstWhy;
    auto reliable = [](const SnapshotInfo& s) {
        return s.timeSource == "data" || s.timeSource == "capture" || s.timeSource == "user";
    };
    if (reliable(a) && reliable(b) && a.timeNs != b.timeNs) {
        order = a.timeNs < b.timeNs ? -1 : 1;
        firstWhy = "snapshot " + std::to_string((order < 0 ? a.id : b.id).value) +
                   " was taken before " + std::to_string((order < 0 ? b.id : a.id).value);
    }
    for (const char* name : names) {
        auto x = store.metricInteger(a.id, name), y = store.metricInteger(b.id, name);
        if (!x)
            return x.error();
        if (!y)
            return y.error();
        if (!*x || !*y || **x == **y)
            continue;
        int says = **x < **y ? -1 : 1;
        std::string why = std::string(name + 9) + " " + std::to_string(**x) + " in snapshot " +
                          std::to_string(a.id.value) + " and " + std::to_string(**y) +
                          " in snapshot " + std::to_string(b.id.value);
        if (order == 0) {
            order = says;
            firstWhy = why;
        } else if (says != order) {
            return twoProcesses(a.id, b.id, firstWhy + ", but " + why);
        }
    }
    return {};
}

std::string hexAddress(uint64_t a) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(a));
    return b;
}

// Sorted by address at import; an older case's graph may not be, so the
// ends are searched.
Status checkHeapsOverlap(const HeapGraph& a, const HeapGraph& b, SnapshotId ida, SnapshotId idb) {
    if (a.objects() == 0 || b.objects() == 0)
        return {};
    auto span = [](const HeapGraph& g) {
        auto [lo, hi] = std::minmax_element(g.addr.begin(), g.addr.end());
        return std::pair<uint64_t, uint64_t>(*lo,
                                             *hi + g.objectSize(uint32_t(hi - g.addr.begin())));
    };
    auto [loA, hiA] = span(a);
    auto [loB, hiB] = span(b);
    if (hiA <= loB || hiB <= loA)
        return twoProcesses(ida, idb,
                            "their heaps do not overlap: " + hexAddress(loA) + " to " +
                                hexAddress(hiA) + " in snapshot " + std::to_string(ida.value) +
                                ", " + hexAddress(loB) + " to " + hexAddress(hiB) +
                                " in snapshot " + std::to_string(idb.value));
    return {};
}

} // namespace

Result<HeapObjectDiff> diffHeapDumpObjects(CaseStore& store, SnapshotId base, SnapshotId now,
                                           const StoredHeapGraph* nowGraph) {
    SnapshotInfo info[2];
    CaseStore::HeapDumpInfo dump[2];
    for (int side = 0; side < 2; ++side) {
        SnapshotId id = side == 0 ? base : now;
        auto s = store.snapshot(id);
        if (!s)
            return s.error();
        auto h = store.heapDump(id);
        if (!h)
            return h.error();
        if (!*s || !*h)
            return makeError(ErrorCode::Usage,
                             "snapshot " + std::to_string(id.value) + " is not a heap dump");
        info[side] = **s;
        dump[side] = **h;
    }
    if (dump[0].ptrSize != dump[1].ptrSize || dump[0].goVersion != dump[1].goVersion)
        return twoProcesses(base, now,
                            "one is " + dump[0].goVersion + " with " +
                                std::to_string(dump[0].ptrSize) + "-byte pointers, the other " +
                                dump[1].goVersion + " with " + std::to_string(dump[1].ptrSize));
    if (auto st = checkOneProcess(store, info[0], info[1]); !st)
        return st.error();

    // One after the other: the store's connection is not shared between threads.
    Result<StoredHeapGraph> graphs[2] = {store.loadHeapGraph(base),
                                         makeError(ErrorCode::Usage, "")};
    if (!graphs[0])
        return graphs[0].error();
    if (!nowGraph) {
        graphs[1] = store.loadHeapGraph(now);
        if (!graphs[1])
            return graphs[1].error();
    }

    // Go 1.26 places each process's heap at a random base: heaps of one
    // process overlap; two that share no address range are two processes.
    {
        const HeapGraph& ga = graphs[0]->graph;
        const HeapGraph& gb = nowGraph ? nowGraph->graph : graphs[1]->graph;
        if (auto st = checkHeapsOverlap(ga, gb, base, now); !st)
            return st.error();
    }

    // Roots by the names the case's root rows give them (a finalizer named
    // from a stack after its graph was stored), so both dumps agree.
    for (int side = 0; side < 2; ++side) {
        if (side == 1 && nowGraph)
            continue;
        auto rows = store.heapDumpRoots(side == 0 ? base : now);
        if (!rows)
            return rows.error();
        auto& roots = graphs[side]->graph.roots;
        for (const auto& r : *rows)
            if (r.index >= 0 && size_t(r.index) < roots.size())
                roots[size_t(r.index)].name = r.name;
    }

    // Sites match across the dumps by their allocation point (function, file, line).
    std::unordered_map<std::string, int32_t> keys;
    HeapDiffSide sides[2];
    for (int side = 0; side < 2; ++side) {
        auto rows = store.heapDumpSites(side == 0 ? base : now);
        if (!rows)
            return rows.error();
        HeapDiffSide& s = sides[side];
        s.graph = side == 1 && nowGraph ? nowGraph : &*graphs[side];
        s.siteKey.assign(rows->size(), -1);
        s.siteName.assign(rows->size(), "?");
        for (const auto& r : *rows) {
            if (r.bucket < 0 || size_t(r.bucket) >= rows->size())
                continue;
            std::string point = r.stack.empty() ? "?" : r.stack.front();
            auto [it, fresh] = keys.try_emplace(point, int32_t(keys.size()));
            s.siteKey[size_t(r.bucket)] = it->second;
            s.siteName[size_t(r.bucket)] = siteLabel(r);
        }
    }
    return diffHeapObjects(sides[0], sides[1]);
}

} // namespace memscope
