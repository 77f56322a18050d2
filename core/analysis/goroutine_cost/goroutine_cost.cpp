// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/goroutine_cost/goroutine_cost.h"

#include "analysis/goroutine_cost/socket_match.h"
#include "analysis/heapgraph/dominators.h"
#include "analysis/series/series.h"
#include "base/format.h"
#include "model/goroutines.h"
#include "model/snapshot_kind.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

namespace memscope {

std::string goroutineGroupKey(const CaseStore::GoroutineGroupRow& g) {
    // A pooled connection's two loops both hold its persistConn, buffers and
    // socket: costed apart, each would keep none of it.
    if (g.role == GoroutineRole::HttpClientRead || g.role == GoroutineRole::HttpClientWrite)
        return std::string(kHttpClientLoops) + '\x1f';
    return goroutineEntry(g.stack) + '\x1f' + g.createdBy;
}

namespace {

// A goroutine leak profile lists only the leaked goroutines: its counts are
// not the process's.
bool leakProfile(const std::vector<CaseStore::GoroutineGroupRow>& groups) {
    return !groups.empty() &&
           std::all_of(groups.begin(), groups.end(), [](const auto& g) { return g.leaked; });
}

struct Dump {
    SnapshotInfo info;
    std::vector<CaseStore::GoroutineGroupRow> groups;
};

// Least squares through (time, count): goroutines per hour.
double slopePerHour(const std::vector<std::pair<int64_t, double>>& pts) {
    if (pts.size() < 2)
        return 0;
    double n = double(pts.size()), mt = 0, mv = 0;
    for (const auto& [t, v] : pts) {
        mt += double(t - pts.front().first) / 1e9;
        mv += v;
    }
    mt /= n;
    mv /= n;
    double num = 0, den = 0;
    for (const auto& [t, v] : pts) {
        double x = double(t - pts.front().first) / 1e9 - mt;
        num += x * (v - mv);
        den += x * x;
    }
    return den > 0 ? num / den * 3600 : 0;
}

// What a bucket is, from its largest group; the net/http loops' bucket by
// its own name, as it holds two groups.
void describe(GoroutineGroupCost& cost, const CaseStore::GoroutineGroupRow& g) {
    bool loops = cost.key.rfind(kHttpClientLoops, 0) == 0;
    cost.entry = loops ? kHttpClientLoops : goroutineEntry(g.stack);
    cost.createdBy = loops ? std::string() : g.createdBy;
    cost.state = loops ? std::string() : g.state;
    cost.role = loops ? std::string() : std::string(toString(g.role));
}

template <typename T>
const T* closestInTime(const std::vector<T>& v, int64_t timeNs, int64_t T::*field) {
    const T* best = nullptr;
    for (const auto& x : v)
        if (!best || std::llabs(x.*field - timeNs) < std::llabs(best->*field - timeNs))
            best = &x;
    return best;
}

// The bytes each set of goroutines alone keeps alive in one heap dump: the
// frame (and goroutine) roots of a set's goroutines become one root, and the
// dominators are computed again, so what the set's frames share among
// themselves counts for the set, and what anything else also reaches (a
// global, another set's frames, a finalizer) counts for none. `setOf` gives
// a goroutine id's set, -1 for none.
struct SetBytes {
    std::vector<uint64_t> bytes;
    std::vector<std::set<int64_t>> goids;
};
SetBytes retainedBySets(StoredHeapGraph& sg, size_t sets,
                        const std::function<int(int64_t goid)>& setOf) {
    HeapGraph& g = sg.graph;
    std::vector<RootEntity> roots;
    std::vector<std::vector<uint32_t>> targets(sets);
    std::vector<uint32_t> start{0}, edges;
    SetBytes out;
    out.bytes.assign(sets, 0);
    out.goids.resize(sets);
    std::vector<std::vector<uint32_t>> kept;
    for (uint32_t r = 0; r < g.roots.size(); ++r) {
        const RootEntity& e = g.roots[r];
        int set = (e.kind == RootKind::Frame || e.kind == RootKind::Goroutine) && e.goid >= 0
                      ? setOf(e.goid)
                      : -1;
        std::vector<uint32_t>& to = set >= 0 ? targets[size_t(set)] : kept.emplace_back();
        for (uint32_t k = g.rootEdgeStart[r]; k < g.rootEdgeStart[r + 1]; ++k)
            to.push_back(g.rootEdges[k]);
        if (set >= 0)
            out.goids[size_t(set)].insert(e.goid);
        else
            roots.push_back(e);
    }
    // The sets first: root entity i is node 1 + i.
    std::vector<RootEntity> all;
    for (size_t s = 0; s < sets; ++s) {
        all.push_back({RootKind::Goroutine, "set " + std::to_string(s), {}, -1});
        edges.insert(edges.end(), targets[s].begin(), targets[s].end());
        start.push_back(uint32_t(edges.size()));
    }
    for (size_t i = 0; i < roots.size(); ++i) {
        all.push_back(std::move(roots[i]));
        edges.insert(edges.end(), kept[i].begin(), kept[i].end());
        start.push_back(uint32_t(edges.size()));
    }
    g.roots = std::move(all);
    g.rootEdgeStart = std::move(start);
    g.rootEdges = std::move(edges);
    Dominators dom = computeDominators(g);
    for (size_t s = 0; s < sets; ++s)
        out.bytes[s] = dom.retained[1 + s];
    return out;
}

} // namespace

Result<GoroutineCostReport> goroutineCost(CaseStore& store, const GoroutineCostOptions& opts,
                                          const Progress& progress) {
    GoroutineCostReport rep;
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    if (targets->empty())
        return rep;
    const TargetInfo* target = &targets->front();
    for (const auto& t : *targets)
        if (t.id == opts.targetId)
            target = &t;
    rep.target = target->name;
    auto bucketOf = opts.bucket ? opts.bucket : goroutineGroupKey;

    // Goroutine dumps of the target, one per instant, leak profiles aside.
    std::vector<Dump> dumps;
    {
        auto timed = timeline(store, SnapshotKind::Goroutines);
        if (!timed)
            return timed.error();
        for (auto& sn : *timed) {
            if (sn.targetId != target->id)
                continue;
            auto groups = store.goroutineGroups(sn.id);
            if (!groups)
                return groups.error();
            if (!leakProfile(*groups))
                dumps.push_back({std::move(sn), std::move(*groups)});
        }
        // A profile (debug=1, proto) has no creators or states: its groups
        // are other groups than a full dump's. With full dumps, they count,
        // unless the cost is asked as of a profile.
        auto full = [](const Dump& d) { return d.info.format == "goroutine_text"; };
        auto at = std::find_if(dumps.begin(), dumps.end(),
                               [&](const Dump& d) { return d.info.id == opts.atDumpId; });
        bool wantFull =
            at != dumps.end() ? full(*at) : std::any_of(dumps.begin(), dumps.end(), full);
        if (at != dumps.end())
            dumps.erase(at + 1, dumps.end());
        std::erase_if(dumps, [&](const Dump& d) { return full(d) != wantFull; });
    }
    std::map<std::string, GoroutineGroupCost> byKey;
    auto costOf = [&](const std::string& key) -> GoroutineGroupCost& {
        auto [it, fresh] = byKey.try_emplace(key);
        if (fresh)
            it->second.key = key;
        return it->second;
    };
    // Counts over time; what the group is from its largest group in the latest dump.
    std::map<std::string, std::vector<std::pair<int64_t, double>>> counts;
    for (size_t d = 0; d < dumps.size(); ++d) {
        std::map<std::string, int64_t> n;
        for (const auto& g : dumps[d].groups)
            n[bucketOf(g)] += g.count;
        for (const auto& [key, c] : n)
            costOf(key);
        for (auto& [key, cost] : byKey) {
            auto it = n.find(key);
            counts[key].push_back({dumps[d].info.timeNs, it == n.end() ? 0.0 : double(it->second)});
        }
    }
    for (auto& [key, cost] : byKey) {
        auto& pts = counts[key];
        // Dumps before the group's first sighting count as zero too: it
        // did not exist yet.
        while (pts.size() < dumps.size())
            pts.insert(pts.begin(), {dumps[dumps.size() - pts.size() - 1].info.timeNs, 0.0});
        cost.firstCount = int64_t(pts.front().second);
        cost.count = int64_t(pts.back().second);
        cost.dumps = int(pts.size());
        cost.growthPerHour = slopePerHour(pts);
    }
    if (!dumps.empty()) {
        const Dump& latest = dumps.back();
        rep.latestDumpId = latest.info.id;
        rep.latestDumpTimeNs = latest.info.timeNs;
        std::set<std::string> described;
        for (const auto& g : latest.groups) { // largest first
            std::string key = bucketOf(g);
            if (!described.insert(key).second)
                continue;
            auto& cost = costOf(key);
            describe(cost, g);
            cost.leaked = g.leaked;
        }
        // Groups gone by the latest dump keep what their last dump said.
        for (auto d = dumps.rbegin(); d != dumps.rend(); ++d)
            for (const auto& g : d->groups)
                if (auto& cost = costOf(bucketOf(g)); cost.entry.empty())
                    describe(cost, g);
    }

    // Heap dumps: the bytes each bucket's frames alone keep alive.
    auto heapDumps = timeline(store, SnapshotKind::HeapDump);
    if (!heapDumps)
        return heapDumps.error();
    std::vector<SnapshotInfo> hds;
    for (auto& sn : *heapDumps)
        if (sn.targetId == target->id)
            hds.push_back(std::move(sn));
    if (opts.atDumpId && !dumps.empty() && !hds.empty()) {
        const SnapshotInfo* near =
            closestInTime(hds, dumps.back().info.timeNs, &SnapshotInfo::timeNs);
        hds = {*near};
    }
    if (!opts.allHeapDumps && hds.size() > 1)
        hds.erase(hds.begin(), hds.end() - 1);
    std::vector<const Dump*> full; // with goroutine ids
    for (const auto& d : dumps)
        if (d.info.format == "goroutine_text")
            full.push_back(&d);
    for (size_t h = 0; h < hds.size(); ++h) {
        const SnapshotInfo& hd = hds[h];
        progress(h, hds.size(), "goroutine cost: heap dump " + std::to_string(hd.id.value));
        if (progress.cancelled())
            return makeError(ErrorCode::Cancelled, "cancelled");
        HeapDumpPairing pairing;
        pairing.heapDumpId = hd.id;
        pairing.heapDumpTimeNs = hd.timeNs;
        const Dump* paired = nullptr;
        for (const Dump* d : full)
            if (!paired || std::llabs(d->info.timeNs - hd.timeNs) <
                               std::llabs(paired->info.timeNs - hd.timeNs))
                paired = d;
        std::vector<std::string> setKeys;
        std::map<std::string, int> setIndex;
        auto setFor = [&](const std::string& key) {
            auto [it, fresh] = setIndex.try_emplace(key, int(setKeys.size()));
            if (fresh)
                setKeys.push_back(key);
            return it->second;
        };
        std::unordered_map<int64_t, int> goidSet;
        if (paired) {
            pairing.goroutineDumpId = paired->info.id;
            pairing.gapNs = paired->info.timeNs - hd.timeNs;
            for (const auto& g : paired->groups) {
                auto members = store.goroutineMembers(paired->info.id, g.index);
                if (!members)
                    return members.error();
                int set = setFor(bucketOf(g));
                for (const auto& m : *members)
                    goidSet[m.id] = set;
            }
        }
        auto sg = store.loadHeapGraph(hd.id);
        if (!sg)
            return sg.error();
        // Without a paired dump, or for goroutines it lacks: the heap
        // dump's own records, by the outermost frame that points into the
        // heap (its frames are written innermost first).
        std::map<int64_t, std::string> outermost;
        for (const auto& r : sg->graph.roots)
            if (r.kind == RootKind::Frame && r.goid >= 0)
                outermost[r.goid] = r.name;
        std::set<int64_t> inDump;
        for (const auto& r : sg->graph.roots)
            if ((r.kind == RootKind::Frame || r.kind == RootKind::Goroutine) && r.goid >= 0)
                inDump.insert(r.goid);
        pairing.goroutines = int64_t(inDump.size());
        int unpairedSet = -1;
        for (int64_t goid : inDump) {
            if (goidSet.count(goid))
                continue;
            ++pairing.unpaired;
            // Goroutine dumps leave the runtime's own goroutines out (GC
            // workers, the scavenger): their outermost frame says so.
            if (auto it = outermost.find(goid);
                it != outermost.end() && it->second.rfind("runtime.", 0) == 0)
                ++pairing.runtimeOwn;
            if (paired) {
                if (unpairedSet < 0)
                    unpairedSet = setFor("\x1e unpaired");
                goidSet[goid] = unpairedSet;
            } else {
                auto it = outermost.find(goid);
                std::string entry = it == outermost.end() ? "goroutine" : it->second;
                goidSet[goid] = setFor(entry + '\x1f' + "\x1e heap dump");
            }
        }
        SetBytes bytes = retainedBySets(*sg, setKeys.size(), [&](int64_t goid) {
            auto it = goidSet.find(goid);
            return it == goidSet.end() ? -1 : it->second;
        });
        for (size_t s = 0; s < setKeys.size(); ++s) {
            if (int(s) == unpairedSet) {
                pairing.unpairedBytes = int64_t(bytes.bytes[s]);
                continue;
            }
            auto& cost = costOf(setKeys[s]);
            if (!paired) {
                cost.fromHeapDump = true;
                cost.entry = setKeys[s].substr(0, setKeys[s].find('\x1f'));
            }
            cost.heap.push_back({hd.id, int64_t(bytes.bytes[s]), int64_t(bytes.goids[s].size())});
        }
        auto when = [](int64_t ns) { return formatDuration(std::fabs(double(ns)) / 1e9); };
        if (paired)
            pairing.how =
                "goroutine dump " + std::to_string(paired->info.id.value) +
                (pairing.gapNs == 0 ? " of the same moment"
                                    : std::string(" taken ") + when(pairing.gapNs) +
                                          (pairing.gapNs < 0 ? " before" : " after")) +
                ", by goroutine id" +
                (pairing.unpaired
                     ? "; " + std::to_string(pairing.unpaired) +
                           " goroutines with heap frames are not in that dump (" +
                           std::to_string(pairing.runtimeOwn) +
                           " of them the runtime's own, which goroutine dumps leave out), "
                           "keeping " +
                           formatValue(pairing.unpairedBytes, "bytes")
                     : "");
        else
            pairing.how = "no goroutine dump with goroutine ids: the heap dump's own goroutine "
                          "records, grouped by the outermost frame that points into the heap";
        rep.heapDumps.push_back(std::move(pairing));
    }
    // Every group gets a row per heap dump, 0 where its frames hold nothing.
    for (auto& [key, cost] : byKey) {
        std::vector<GroupHeapBytes> row;
        for (const auto& p : rep.heapDumps) {
            auto it = std::find_if(cost.heap.begin(), cost.heap.end(),
                                   [&](const auto& b) { return b.heapDumpId == p.heapDumpId; });
            row.push_back(it == cost.heap.end() ? GroupHeapBytes{p.heapDumpId, 0, 0} : *it);
        }
        cost.heap = std::move(row);
        cost.bytes = cost.heap.empty() ? 0 : cost.heap.back().bytes;
    }

    // Sockets: the fd snapshot closest to the latest goroutine dump.
    if (!dumps.empty()) {
        auto fds = timeline(store, SnapshotKind::Fds);
        if (!fds)
            return fds.error();
        std::vector<SnapshotInfo> mine;
        for (auto& sn : *fds)
            if (sn.targetId == target->id)
                mine.push_back(std::move(sn));
        if (const SnapshotInfo* fd =
                closestInTime(mine, rep.latestDumpTimeNs, &SnapshotInfo::timeNs)) {
            rep.fdSnapshotId = fd->id;
            rep.fdGapNs = fd->timeNs - rep.latestDumpTimeNs;
            auto sockets = store.tcpSockets(fd->id);
            if (!sockets)
                return sockets.error();
            std::vector<SocketDemand> demand;
            for (const auto& g : dumps.back().groups)
                demand.push_back({bucketOf(g), g.count, socketUse(g)});
            for (auto& m : matchSockets(demand, *sockets)) {
                auto& cost = costOf(m.key);
                cost.sockets += m.sockets;
                cost.socketKind = m.kind;
                for (const auto& h : m.byHost) {
                    auto it = std::find_if(cost.socketsByHost.begin(), cost.socketsByHost.end(),
                                           [&](const NamedCount& c) { return c.name == h.name; });
                    if (it == cost.socketsByHost.end())
                        cost.socketsByHost.push_back(h);
                    else
                        it->count += h.count;
                }
            }
        }
    }

    // The rank: each column's share of its largest value, added.
    double maxBytes = 0, maxSockets = 0, maxGrowth = 0;
    for (const auto& [key, c] : byKey) {
        maxBytes = std::max(maxBytes, double(c.bytes));
        maxSockets = std::max(maxSockets, double(c.sockets));
        maxGrowth = std::max(maxGrowth, c.growthPerHour);
    }
    for (auto& [key, c] : byKey) {
        c.score = (maxBytes > 0 ? double(c.bytes) / maxBytes : 0) +
                  (maxSockets > 0 ? double(c.sockets) / maxSockets : 0) +
                  (maxGrowth > 0 ? std::max(0.0, c.growthPerHour) / maxGrowth : 0);
        rep.groups.push_back(std::move(c));
    }
    std::stable_sort(rep.groups.begin(), rep.groups.end(), [](const auto& a, const auto& b) {
        if (a.score != b.score)
            return a.score > b.score;
        return a.count > b.count;
    });

    if (rep.heapDumps.empty())
        rep.cannotKnow.push_back("no heap dump: the bytes a group keeps alive are not known");
    else
        rep.cannotKnow.push_back(
            "bytes are what a group's frames alone keep alive, as the dominator tree counts "
            "them: what a global, a finalizer or another group also reaches counts for none; "
            "the goroutines' stacks themselves are not in the dump's objects");
    for (const auto& p : rep.heapDumps)
        if (p.goroutineDumpId && p.gapNs != 0)
            rep.cannotKnow.push_back(
                "heap dump " + std::to_string(p.heapDumpId.value) +
                " is paired with a goroutine dump of another moment: goroutines started or "
                "ended between the two are missing or counted as unpaired");
    if (dumps.empty())
        rep.cannotKnow.push_back("no goroutine dump: counts and growth are not known");
    else if (!rep.fdSnapshotId)
        rep.cannotKnow.push_back("no lsof, ss or /proc snapshot: the sockets are not known");
    else
        rep.cannotKnow.push_back(
            "a goroutine dump does not say which socket a goroutine serves: sockets are matched "
            "by number (a net/http read or write loop serves one client connection, a server "
            "connection goroutine one accepted connection, a goroutine reading a net.Conn one "
            "of either), and their hosts are those of the snapshot's sockets");
    return rep;
}

std::string costClause(const GoroutineCostReport& report, const GoroutineGroupCost& cost) {
    std::vector<std::string> parts;
    if (!report.heapDumps.empty())
        parts.push_back(formatValue(cost.bytes, "bytes") + " of heap");
    if (report.fdSnapshotId && cost.sockets > 0)
        parts.push_back(std::to_string(cost.sockets) + " socket" + (cost.sockets == 1 ? "" : "s"));
    if (parts.empty())
        return {};
    return parts.size() == 1 ? parts[0] : parts[0] + " and " + parts[1];
}

std::string costSources(const GoroutineCostReport& report) {
    std::vector<std::string> parts;
    if (!report.heapDumps.empty()) {
        const auto& p = report.heapDumps.back();
        std::string s = "heap dump " + std::to_string(p.heapDumpId.value);
        if (p.goroutineDumpId)
            s += ", its goroutines paired by id with goroutine dump " +
                 std::to_string(p.goroutineDumpId.value) +
                 (p.gapNs == 0 ? " of the same moment"
                               : " " + formatDuration(std::fabs(double(p.gapNs)) / 1e9) +
                                     (p.gapNs < 0 ? " before it" : " after it"));
        else
            s += ", its own goroutine records";
        parts.push_back(s);
    }
    if (report.fdSnapshotId)
        parts.push_back("sockets from fd snapshot " + std::to_string(report.fdSnapshotId.value));
    if (parts.empty())
        return ".";
    return " (" + (parts.size() == 1 ? parts[0] : parts[0] + "; " + parts[1]) + ").";
}

} // namespace memscope
