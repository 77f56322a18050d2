// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope retention` and `memscope paths`: what keeps a heap dump's memory alive.
#include "analysis/heapgraph/paths.h"
#include "base/format.h"
#include "base/json_writer.h"
#include "base/text_util.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/table.h"
#include "formats/heapdump/heapdump.h"
#include "import/capture_time.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <unordered_map>

namespace memscope::cli {

namespace {

std::string bytes(int64_t v) { return formatValue(v, "bytes"); }

std::string hexAddr(uint64_t a) {
    char b[24];
    snprintf(b, sizeof b, "0x%" PRIx64, a);
    return b;
}

// The first frames of a stack, "a <- b <- c".
std::string shortStack(const std::vector<std::string>& stack, size_t n = 3) {
    std::string out;
    for (size_t i = 0; i < stack.size() && i < n; ++i)
        out += (i ? " <- " : "") + stack[i].substr(0, stack[i].find(' '));
    if (stack.size() > n)
        out += " <- ...";
    return out;
}

void headline(const CaseStore::HeapDumpInfo& h, const SnapshotInfo& sn) {
    int64_t unreachableObjects = h.objects - h.reachableObjects,
            unreachableBytes = h.bytes - h.reachableBytes;
    std::cout << "heap dump, snapshot " << sn.id << " (" << terminalSafe(sn.sourceName) << ", "
              << terminalSafe(h.goVersion) << ", " << formatTimeIso(sn.timeNs) << ")\n"
              << "  objects      " << h.objects << " (" << bytes(h.bytes) << ")\n"
              << "  reachable    " << h.reachableObjects << " (" << bytes(h.reachableBytes) << ")\n"
              << "  unreachable  " << unreachableObjects << " (" << bytes(unreachableBytes)
              << "): died after the last GC, or held only by runtime structures the dump omits\n"
              << "  finalizers   " << h.finalizersRegistered << " registered, "
              << h.finalizersQueued << " queued; objects with finalizers retain "
              << bytes(h.finalizerRetainedBytes) << "\n"
              << "  sampled      " << h.sampledObjects << " objects (" << bytes(h.sampledBytes)
              << ", " << formatPercent(h.objects ? double(h.sampledObjects) / double(h.objects) : 0)
              << " of objects) carry an allocation stack; they retain "
              << bytes(h.sampledRetainedBytes) << " ("
              << formatPercent(h.reachableBytes
                                   ? double(h.sampledRetainedBytes) / double(h.reachableBytes)
                                   : 0)
              << " of reachable). Sites below cover sampled objects only.\n";
    if (!h.symbolsFrom.empty())
        std::cout << "  symbols      " << terminalSafe(h.symbolsFrom) << "\n";
    else
        std::cout << "  symbols      none (globals named by segment offset; pass --binary EXE at "
                     "import)\n";
    std::cout << "\n";
}

void headlineJson(JsonWriter& w, const CaseStore::HeapDumpInfo& h, const SnapshotInfo& sn) {
    w.field("snapshot", sn.id)
        .field("source", sn.sourceName)
        .field("time", formatTimeIso(sn.timeNs));
    w.field("go_version", h.goVersion).field("objects", h.objects).field("bytes", h.bytes);
    w.field("reachable_objects", h.reachableObjects).field("reachable_bytes", h.reachableBytes);
    w.field("unreachable_objects", h.objects - h.reachableObjects);
    w.field("unreachable_bytes", h.bytes - h.reachableBytes);
    w.field("finalizers_registered", h.finalizersRegistered)
        .field("finalizers_queued", h.finalizersQueued);
    w.field("finalizer_retained_bytes", h.finalizerRetainedBytes);
    w.field("sampled_objects", h.sampledObjects).field("sampled_bytes", h.sampledBytes);
    w.field("sampled_retained_bytes", h.sampledRetainedBytes).field("symbols_from", h.symbolsFrom);
}

// A dump's allocation sites by memprof bucket.
using SiteIndex = std::unordered_map<int64_t, const CaseStore::HeapSiteRow*>;
SiteIndex indexSites(const std::vector<CaseStore::HeapSiteRow>& sites) {
    SiteIndex index;
    for (const auto& s : sites)
        index.try_emplace(s.bucket, &s);
    return index;
}

// Where a sampled object was allocated, "a <- b"; none for an object without
// an allocation stack.
std::optional<std::string> siteOf(const StoredHeapGraph& sg, uint32_t o, const SiteIndex& sites) {
    if (int32_t b = sg.objectBucket[o]; b >= 0)
        if (auto it = sites.find(b); it != sites.end())
            return shortStack(it->second->stack, 2);
    return std::nullopt;
}

// A dump's graph and its allocation sites: kOk, or the exit code of the read
// that failed, its message printed.
int loadGraphAndSites(CaseStore& store, SnapshotId id, StoredHeapGraph& sg,
                      std::vector<CaseStore::HeapSiteRow>& sites) {
    auto graph = store.loadHeapGraph(id);
    if (!graph) {
        std::cerr << "memscope: " << graph.error().toString() << "\n";
        return kInputFailed;
    }
    auto read = store.heapDumpSites(id);
    if (!read)
        return readFailed(read.error());
    sg = std::move(*graph);
    sites = std::move(*read);
    return kOk;
}

// One step of a path, for people.
std::string describeNode(const StoredHeapGraph& sg, uint32_t node, const SiteIndex& sites) {
    const HeapGraph& g = sg.graph;
    if (node == 0)
        return "(roots)";
    if (!g.isObjectNode(node)) {
        const auto& r = g.roots[node - 1];
        std::string s = std::string(rootKindName(r.kind)) + " " + r.name;
        if (!r.detail.empty())
            s += " (" + r.detail + ")";
        return s;
    }
    uint32_t o = g.nodeObject(node);
    std::string s = "object " + hexAddr(g.addr[o]) + " " + bytes(int64_t(g.objectSize(o))) +
                    ", retains " + bytes(int64_t(sg.dom.retained[node]));
    if (auto site = siteOf(sg, o, sites))
        s += ", allocated at " + *site;
    return s;
}

// The root entity that alone dominates each node (0: several roots, or
// none), found once for all nodes: each idom chain is walked once, so a
// million-deep chain costs a million steps, not a million per object.
std::vector<uint32_t> dominatingRoots(const StoredHeapGraph& sg) {
    const HeapGraph& g = sg.graph;
    const auto& idom = sg.dom.idom;
    constexpr uint32_t kUnknown = UINT32_MAX;
    std::vector<uint32_t> top(g.nodes(), kUnknown), chain;
    top[0] = 0;
    for (uint32_t v = 1; v < g.nodes(); ++v) {
        if (top[v] != kUnknown)
            continue;
        uint32_t u = v;
        chain.clear();
        while (top[u] == kUnknown && idom[u] != UINT32_MAX && idom[u] != 0) {
            chain.push_back(u);
            u = idom[u];
        }
        uint32_t found;
        if (top[u] != kUnknown)
            found = top[u];
        else if (idom[u] == UINT32_MAX)
            found = 0; // unreachable
        else
            found = g.isObjectNode(u) ? 0 : u; // idom[u] == 0
        top[u] = found;
        for (uint32_t x : chain)
            top[x] = found;
    }
    return top;
}

// The first `shown` rows of one --by: JSON objects, or text lines under
// their header and a line saying how many were left out.
template <typename Rows, typename Json, typename Text>
void printRows(const Rows& rows, size_t shown, bool json, const std::string& header,
               const char* what, Json asJson, Text asText) {
    if (!json)
        std::cout << header;
    for (size_t i = 0; i < shown; ++i)
        if (json)
            asJson(rows[i]);
        else
            asText(rows[i]);
    if (!json)
        printMoreRows(rows.size(), shown, what);
}

} // namespace

int cmdRetention(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "-n", "--by"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("retention needs one case file");
    std::string by = a.opt("--by").value_or("root");
    if (by != "root" && by != "site" && by != "object" && by != "finalizer")
        return usageError("--by takes site, root, object or finalizer");
    std::unique_ptr<CaseStore> store;
    SnapshotId id;
    if (int rc = openSnapshot(a, SnapshotKind::HeapDump, "heap dump", store, id); rc != kOk)
        return rc;
    long limit = rowLimit(a, 20);
    auto foundSnapshot = store->snapshot(id);
    if (!foundSnapshot)
        return readFailed(foundSnapshot.error());
    auto foundDump = store->heapDump(id);
    if (!foundDump)
        return readFailed(foundDump.error());
    const auto& sn = *foundSnapshot;
    const auto& h = *foundDump;
    if (!sn || !h) {
        std::cerr << "memscope: snapshot " << id << " has no heap dump rows\n";
        return kInputFailed;
    }
    bool json = a.flag("--json");
    JsonWriter w;
    if (json) {
        w.beginObject();
        headlineJson(w, *h, *sn);
        w.field("by", by).key("rows").beginArray();
    } else {
        headline(*h, *sn);
    }

    if (by == "root") {
        auto read = store->heapDumpRoots(id);
        if (!read)
            return readFailed(read.error());
        printRows(
            *read, shownRows(read->size(), limit), json,
            pad("retained", 12) + pad("objects", 10) + pad("direct", 8) + pad("kind", 18) +
                "root\n",
            "roots",
            [&](const CaseStore::HeapRootRow& r) {
                w.beginObject()
                    .field("kind", r.kind)
                    .field("name", r.name)
                    .field("detail", r.detail);
                w.field("retained_bytes", r.retainedBytes)
                    .field("retained_objects", r.retainedObjects);
                w.field("direct_objects", r.directObjects).endObject();
            },
            [&](const CaseStore::HeapRootRow& r) {
                std::cout << pad(bytes(r.retainedBytes), 12)
                          << pad(std::to_string(r.retainedObjects), 10)
                          << pad(std::to_string(r.directObjects), 8)
                          << pad(terminalSafe(r.kind), 18) << terminalSafe(r.name)
                          << (r.detail.empty() ? "" : "  (" + terminalSafe(r.detail) + ")") << "\n";
            });
    } else if (by == "site") {
        auto read = store->heapDumpSites(id);
        if (!read)
            return readFailed(read.error());
        printRows(
            *read, shownRows(read->size(), limit), json,
            pad("retained", 12) + pad("sampled", 9) + pad("bytes", 10) + pad("allocs", 9) +
                pad("frees", 9) + "allocation site\n",
            "sites",
            [&](const CaseStore::HeapSiteRow& s) {
                w.beginObject()
                    .field("function", s.function)
                    .field("retained_bytes", s.retainedBytes);
                w.field("sampled_objects", s.sampledObjects).field("sampled_bytes", s.sampledBytes);
                w.field("object_size", s.size).field("allocs", s.allocs).field("frees", s.frees);
                w.key("stack").beginArray();
                for (const auto& f : s.stack)
                    w.value(f);
                w.endArray().endObject();
            },
            [&](const CaseStore::HeapSiteRow& s) {
                std::cout << pad(bytes(s.retainedBytes), 12)
                          << pad(std::to_string(s.sampledObjects), 9)
                          << pad(bytes(s.sampledBytes), 10) << pad(std::to_string(s.allocs), 9)
                          << pad(std::to_string(s.frees), 9) << terminalSafe(shortStack(s.stack))
                          << "\n";
            });
    } else if (by == "finalizer") {
        auto read = store->heapDumpFinalizers(id);
        if (!read)
            return readFailed(read.error());
        printRows(
            *read, shownRows(read->size(), limit), json,
            pad("registered", 12) + pad("queued", 8) + pad("retained", 12) + "finalizer\n",
            "finalizers",
            [&](const CaseStore::HeapFinalizerRow& f) {
                w.beginObject()
                    .field("function", f.function)
                    .field("pc", f.pc)
                    .field("registered", f.registered)
                    .field("queued", f.queued)
                    .field("retained_bytes", f.retainedBytes)
                    .endObject();
            },
            [&](const CaseStore::HeapFinalizerRow& f) {
                std::cout << pad(std::to_string(f.registered), 12)
                          << pad(std::to_string(f.queued), 8) << pad(bytes(f.retainedBytes), 12)
                          << terminalSafe(f.function) << "\n";
            });
    } else {
        StoredHeapGraph sg;
        std::vector<CaseStore::HeapSiteRow> sites;
        if (int rc = loadGraphAndSites(*store, id, sg, sites); rc != kOk)
            return rc;
        const HeapGraph& g = sg.graph;
        SiteIndex siteIndex = indexSites(sites);
        std::vector<uint32_t> heldByRoot = dominatingRoots(sg);
        std::vector<uint32_t> objs;
        for (uint32_t o = 0; o < g.objects(); ++o)
            if (sg.dom.idom[g.objectNode(o)] != UINT32_MAX)
                objs.push_back(o);
        size_t shown = shownRows(objs.size(), limit);
        std::partial_sort(
            objs.begin(), objs.begin() + shown, objs.end(), [&](uint32_t x, uint32_t y) {
                return sg.dom.retained[g.objectNode(x)] > sg.dom.retained[g.objectNode(y)];
            });
        // The root entity dominating an object, if a single one does.
        auto heldBy = [&](uint32_t o) {
            uint32_t top = heldByRoot[g.objectNode(o)];
            return top == 0 ? std::string("several roots") : describeNode(sg, top, siteIndex);
        };
        printRows(
            objs, shown, json,
            pad("retained", 12) + pad("shallow", 10) + pad("address", 16) + "held by\n", "objects",
            [&](uint32_t o) {
                std::string site = siteOf(sg, o, siteIndex).value_or("");
                w.beginObject()
                    .field("address", hexAddr(g.addr[o]))
                    .field("shallow_bytes", int64_t(g.objectSize(o)));
                w.field("retained_bytes", int64_t(sg.dom.retained[g.objectNode(o)]))
                    .field("held_by", heldBy(o));
                if (!site.empty())
                    w.field("site", site);
                w.endObject();
            },
            [&](uint32_t o) {
                std::string site = siteOf(sg, o, siteIndex).value_or("");
                std::cout << pad(bytes(int64_t(sg.dom.retained[g.objectNode(o)])), 12)
                          << pad(bytes(int64_t(g.objectSize(o))), 10) << pad(hexAddr(g.addr[o]), 16)
                          << terminalSafe(heldBy(o))
                          << (site.empty() ? "" : "; allocated at " + terminalSafe(site)) << "\n";
            });
    }
    if (json) {
        w.endArray().endObject();
        std::cout << w.str() << "\n";
    }
    return kOk;
}

int cmdPaths(const std::vector<std::string>& argv) {
    Args a = parse(argv, 2, {"--snapshot", "--site", "--object", "-n", "--hops"}, {"--json"});
    if (!a.error.empty())
        return usageError(a.error);
    if (a.positional.size() != 1)
        return usageError("paths needs one case file");
    auto siteArg = a.opt("--site"), objectArg = a.opt("--object");
    if (!siteArg == !objectArg)
        return usageError("paths needs --site FUNCTION or --object ADDR");
    std::unique_ptr<CaseStore> store;
    SnapshotId id;
    if (int rc = openSnapshot(a, SnapshotKind::HeapDump, "heap dump", store, id); rc != kOk)
        return rc;
    long limit = 3;
    if (auto n = a.opt("-n"))
        limit = std::max(1L, std::strtol(n->c_str(), nullptr, 10));
    // A path through a long list is as long as the list: show its ends.
    size_t maxHops = 20;
    if (auto h = a.opt("--hops")) {
        char* end = nullptr;
        long v = std::strtol(h->c_str(), &end, 10);
        if (h->empty() || *end || v < 0)
            return usageError("--hops takes a count of hops to show per path (0 shows all)");
        maxHops = size_t(v);
    }
    StoredHeapGraph sg;
    std::vector<CaseStore::HeapSiteRow> sites;
    if (int rc = loadGraphAndSites(*store, id, sg, sites); rc != kOk)
        return rc;
    const HeapGraph& g = sg.graph;
    SiteIndex siteIndex = indexSites(sites);

    std::vector<uint32_t> targets;
    if (objectArg) {
        char* end = nullptr;
        uint64_t addr = std::strtoull(objectArg->c_str(), &end, 0);
        if (!end || *end)
            return usageError("--object takes an address such as 0xc000123400");
        int64_t o = g.findObject(addr);
        if (o < 0) {
            std::cerr << "memscope: no object in snapshot " << id << " contains " << *objectArg
                      << "\n";
            return kInputFailed;
        }
        targets.push_back(uint32_t(o));
    } else {
        // Sites whose allocating function matches; else any frame of the stack.
        std::vector<int64_t> buckets;
        for (int pass = 0; pass < 2 && buckets.empty(); ++pass)
            for (const auto& s : sites) {
                bool hit = pass == 0 ? s.function == *siteArg
                                     : std::any_of(s.stack.begin(), s.stack.end(),
                                                   [&](const std::string& f) {
                                                       return f.find(*siteArg) != std::string::npos;
                                                   });
                if (hit)
                    buckets.push_back(s.bucket);
            }
        for (uint32_t o = 0; o < g.objects(); ++o)
            if (sg.objectBucket[o] >= 0 &&
                std::find(buckets.begin(), buckets.end(), sg.objectBucket[o]) != buckets.end())
                targets.push_back(o);
        if (targets.empty()) {
            std::cerr << "memscope: no sampled live object was allocated at " << *siteArg
                      << " in snapshot " << id << " (only sampled objects carry a stack)\n";
            return kInputFailed;
        }
        std::sort(targets.begin(), targets.end(), [&](uint32_t x, uint32_t y) {
            return sg.dom.retained[g.objectNode(x)] > sg.dom.retained[g.objectNode(y)];
        });
        if (targets.size() > size_t(limit))
            targets.resize(size_t(limit));
    }

    JsonWriter w;
    bool json = a.flag("--json");
    if (json)
        w.beginObject().field("snapshot", id).key("objects").beginArray();
    for (uint32_t o : targets) {
        auto paths = pathsToRoots(g, o, size_t(limit));
        if (json) {
            w.beginObject()
                .field("address", hexAddr(g.addr[o]))
                .field("shallow_bytes", int64_t(g.objectSize(o)));
            w.field("retained_bytes", int64_t(sg.dom.retained[g.objectNode(o)]));
            w.field("reachable", !paths.empty()).key("paths").beginArray();
            for (const auto& p : paths) {
                // Hop objects, with one {"elided_hops": K} standing for the
                // middle of a path longer than --hops.
                PathElision cut = elidePath(p.size(), maxHops);
                w.beginArray();
                for (size_t i = 0; i < p.size(); ++i) {
                    if (i == cut.head && cut.elided) {
                        w.beginObject().field("elided_hops", int64_t(cut.elided));
                        w.field("text", "... " + std::to_string(cut.elided) + " hops elided ...")
                            .endObject();
                        i += cut.elided - 1;
                        continue;
                    }
                    uint32_t v = p[i];
                    w.beginObject();
                    if (g.isObjectNode(v)) {
                        uint32_t x = g.nodeObject(v);
                        w.field("object", hexAddr(g.addr[x]))
                            .field("shallow_bytes", int64_t(g.objectSize(x)));
                        w.field("retained_bytes", int64_t(sg.dom.retained[v]));
                    } else {
                        const auto& r = g.roots[v - 1];
                        w.field("root_kind", rootKindName(r.kind))
                            .field("root", r.name)
                            .field("detail", r.detail);
                    }
                    w.field("text", describeNode(sg, v, siteIndex)).endObject();
                }
                w.endArray();
            }
            w.endArray().endObject();
            continue;
        }
        std::cout << terminalSafe(describeNode(sg, g.objectNode(o), siteIndex)) << "\n";
        if (paths.empty()) {
            std::cout << "  unreachable from every dumped root (floating garbage, or held by "
                         "runtime internals)\n\n";
            continue;
        }
        // One hop per line at one indent: the output grows with the hops
        // shown, never with the square of the path.
        for (size_t k = 0; k < paths.size(); ++k) {
            const auto& p = paths[k];
            PathElision cut = elidePath(p.size(), maxHops);
            std::cout << "  path " << k + 1 << " (" << p.size() << " steps";
            if (cut.elided)
                std::cout << ", " << cut.elided << " hops elided; --hops 0 shows all";
            std::cout << "):\n";
            for (size_t i = 0; i < p.size(); ++i) {
                if (i == cut.head && cut.elided) {
                    std::cout << "       ... " << cut.elided << " hops elided ...\n";
                    i += cut.elided - 1;
                    continue;
                }
                std::cout << "    " << (i ? "-> " : "")
                          << terminalSafe(describeNode(sg, p[i], siteIndex)) << "\n";
            }
        }
        std::cout << "\n";
    }
    if (json) {
        w.endArray().endObject();
        std::cout << w.str() << "\n";
    }
    return kOk;
}

} // namespace memscope::cli
