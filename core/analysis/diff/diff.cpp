// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/diff/diff.h"

#include "analysis/profile/top.h"
#include "analysis/series/series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace memscope {

double HeapDiffRow::deltaPercent() const {
    if (base == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return 100.0 * double(now - base) / std::fabs(double(base));
}

std::vector<HeapDiff> diffProfiles(const Profile& base, const Profile& now,
                                   const std::string& sample) {
    std::vector<HeapDiff> out;
    for (size_t i = 0; i < now.sampleTypes.size(); ++i) {
        int bi = base.sampleIndex(now.sampleTypes[i].type);
        if (bi < 0 || (!sample.empty() && now.sampleTypes[i].type != sample))
            continue;
        // The two sides are independent: count them at once.
        TopResult tb;
        std::thread side([&] { tb = computeTop(base, bi); });
        TopResult tn = computeTop(now, int(i));
        side.join();
        HeapDiff d;
        d.sample = now.sampleTypes[i].type;
        d.unit = now.sampleTypes[i].unit;
        d.baseTotal = tb.total;
        d.nowTotal = tn.total;
        std::unordered_map<std::string, size_t> index;
        index.reserve(tn.rows.size() + tb.rows.size());
        for (auto& r : tn.rows) {
            index.emplace(r.function, d.rows.size());
            d.rows.push_back({std::move(r.function), 0, r.flat, 0, r.cum});
        }
        for (auto& r : tb.rows) {
            auto [it, fresh] = index.emplace(r.function, d.rows.size());
            if (fresh)
                d.rows.push_back({std::move(r.function), r.flat, 0, r.cum, 0});
            else {
                d.rows[it->second].base = r.flat;
                d.rows[it->second].baseCum = r.cum;
            }
        }
        std::sort(d.rows.begin(), d.rows.end(), [](const HeapDiffRow& a, const HeapDiffRow& b) {
            int64_t da = std::llabs(a.delta()), db = std::llabs(b.delta());
            if (da != db)
                return da > db;
            int64_t ca = std::llabs(a.nowCum - a.baseCum), cb = std::llabs(b.nowCum - b.baseCum);
            if (ca != cb)
                return ca > cb;
            return a.function < b.function;
        });
        out.push_back(std::move(d));
    }
    return out;
}

Result<std::vector<GroupDiffRow>> diffGoroutines(CaseStore& store, SnapshotId base,
                                                 SnapshotId now) {
    std::map<std::tuple<std::string, std::string>, GroupDiffRow> rows;
    for (int side = 0; side < 2; ++side) {
        auto groups = store.goroutineGroups(side == 0 ? base : now);
        if (!groups)
            return groups.error();
        for (const auto& g : *groups) {
            std::string entry = goroutineEntry(g.stack);
            auto& r = rows[{entry, g.state}];
            r.entry = entry;
            r.state = g.state;
            if (r.role.empty())
                r.role = toString(g.role);
            if (r.createdBy.empty())
                r.createdBy = g.createdBy;
            (side == 0 ? r.base : r.now) += g.count;
        }
    }
    std::vector<GroupDiffRow> out;
    for (auto& [k, r] : rows) {
        r.status = r.base == 0      ? "added"
                   : r.now == 0     ? "gone"
                   : r.now > r.base ? "grown"
                   : r.now < r.base ? "shrunk"
                                    : "same";
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const GroupDiffRow& a, const GroupDiffRow& b) {
        int64_t da = std::llabs(a.now - a.base), db = std::llabs(b.now - b.base);
        if (da != db)
            return da > db;
        return std::tie(a.entry, a.state) < std::tie(b.entry, b.state);
    });
    return out;
}

Result<std::vector<SocketDiffRow>> diffSockets(CaseStore& store, SnapshotId base, SnapshotId now) {
    using Conn =
        std::tuple<std::string, int64_t, int64_t, std::string>; // host, lport, rport, state
    std::set<Conn> a, b;
    for (auto [id, into] : {std::pair{base, &a}, std::pair{now, &b}}) {
        auto sockets = store.clientSockets(id);
        if (!sockets)
            return sockets.error();
        for (const auto& c : *sockets)
            into->insert({c.host, c.localPort, c.remotePort, c.state});
    }
    std::map<std::pair<std::string, std::string>, SocketDiffRow> rows;
    auto row = [&](const std::string& host, const std::string& state) -> SocketDiffRow& {
        auto& r = rows[{host, state}];
        r.host = host;
        r.state = state;
        return r;
    };
    auto sameConn = [](const Conn& c) {
        return std::make_tuple(std::get<0>(c), std::get<1>(c), std::get<2>(c));
    };
    std::set<std::tuple<std::string, int64_t, int64_t>> ka, kb;
    for (const auto& c : a)
        ka.insert(sameConn(c));
    for (const auto& c : b)
        kb.insert(sameConn(c));
    for (const auto& c : a) {
        row(std::get<0>(c), "").base++;
        row(std::get<0>(c), std::get<3>(c)).base++;
        if (!kb.count(sameConn(c)))
            row(std::get<0>(c), "").closed++;
    }
    for (const auto& c : b) {
        row(std::get<0>(c), "").now++;
        row(std::get<0>(c), std::get<3>(c)).now++;
        if (!ka.count(sameConn(c)))
            row(std::get<0>(c), "").opened++;
    }
    std::vector<SocketDiffRow> out;
    for (auto& [k, r] : rows)
        out.push_back(std::move(r));
    return out;
}

Result<HeapDumpDiff> diffHeapDumps(CaseStore& store, SnapshotId base, SnapshotId now) {
    HeapDumpDiff d;
    std::map<std::pair<std::string, std::string>, RetainedDiffRow> roots, sites;
    for (int side = 0; side < 2; ++side) {
        SnapshotId id = side == 0 ? base : now;
        auto dump = store.heapDump(id);
        if (!dump)
            return dump.error();
        if (const auto& h = *dump) {
            d.finalizersRegistered[side] = h->finalizersRegistered;
            d.finalizersQueued[side] = h->finalizersQueued;
            d.reachableBytes[side] = h->reachableBytes;
            d.objects[side] = h->objects;
        }
        auto rootRows = store.heapDumpRoots(id);
        if (!rootRows)
            return rootRows.error();
        auto siteRows = store.heapDumpSites(id);
        if (!siteRows)
            return siteRows.error();
        for (const auto& r : *rootRows) {
            auto& row = roots[{r.kind, r.name}];
            row.kind = r.kind;
            row.name = r.name;
            (side == 0 ? row.base : row.now) += r.retainedBytes;
        }
        for (const auto& s : *siteRows) {
            if (s.retainedBytes == 0)
                continue;
            auto& row = sites[{"site", s.function}];
            row.kind = "site";
            row.name = s.function;
            (side == 0 ? row.base : row.now) += s.retainedBytes;
        }
    }
    auto flatten = [](std::map<std::pair<std::string, std::string>, RetainedDiffRow>& m) {
        std::vector<RetainedDiffRow> v;
        for (auto& [k, r] : m)
            v.push_back(std::move(r));
        std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
            int64_t da = std::llabs(a.now - a.base), db = std::llabs(b.now - b.base);
            return da != db ? da > db : a.name < b.name;
        });
        return v;
    };
    d.roots = flatten(roots);
    d.sites = flatten(sites);
    return d;
}

} // namespace memscope
