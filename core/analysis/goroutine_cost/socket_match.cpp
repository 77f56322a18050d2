// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/goroutine_cost/socket_match.h"

#include "model/goroutines.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace memscope {

SocketUse socketUse(const CaseStore::GoroutineGroupRow& g) {
    if (g.role == GoroutineRole::HttpClientRead)
        return SocketUse::ClientRead;
    if (g.role == GoroutineRole::HttpClientWrite)
        return SocketUse::ClientWrite;
    if (g.role == GoroutineRole::HttpServerConn)
        return SocketUse::ServerConn;
    SocketUse use = SocketUse::None;
    for (const auto& frame : g.stack) {
        std::string_view fn = std::string_view(frame).substr(0, frame.find(' '));
        // The server's background read of a connection it accepted, below
        // the read it is blocked in.
        if (fn.starts_with("net/http.(*connReader).") || fn.starts_with("net/http.(*conn)."))
            return SocketUse::ServerConn;
        if (use != SocketUse::None)
            continue;
        if (fn == "net.(*netFD).accept")
            use = SocketUse::Accept;
        else if (fn == "net.(*netFD).Read" || fn == "net.(*netFD).Write")
            use = SocketUse::ConnIo;
    }
    return use;
}

namespace {

// `total` shared in proportion to `weights`, by largest remainder.
std::vector<int64_t> share(int64_t total, const std::vector<int64_t>& weights) {
    std::vector<int64_t> out(weights.size(), 0);
    int64_t sum = std::accumulate(weights.begin(), weights.end(), int64_t(0));
    if (sum <= 0 || total <= 0)
        return out;
    std::vector<std::pair<double, size_t>> rest;
    int64_t given = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
        double exact = double(total) * double(weights[i]) / double(sum);
        out[i] = int64_t(exact);
        given += out[i];
        rest.push_back({exact - double(out[i]), i});
    }
    std::stable_sort(rest.begin(), rest.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t k = 0; given < total && k < rest.size(); ++k, ++given)
        ++out[rest[k].second];
    return out;
}

struct Pool {
    std::string kind;
    std::vector<NamedCount> hosts;
    int64_t total = 0, left = 0;

    void add(const std::string& host) {
        auto it = std::find_if(hosts.begin(), hosts.end(),
                               [&](const NamedCount& c) { return c.name == host; });
        if (it == hosts.end())
            hosts.push_back({host, 1});
        else
            ++it->count;
        ++total;
        ++left;
    }
};

} // namespace

std::vector<SocketMatch> matchSockets(const std::vector<SocketDemand>& demand,
                                      const std::vector<CaseStore::SocketRow>& sockets) {
    Pool client{"client", {}, 0, 0}, server{"server", {}, 0, 0}, listening{"listening", {}, 0, 0};
    for (const auto& s : sockets) {
        if (s.state == "LISTEN")
            listening.add(s.localAddr + ":" + std::to_string(s.localPort));
        else if (s.client)
            client.add(s.remoteAddr);
        else if (!s.remoteAddr.empty())
            server.add(s.remoteAddr);
    }
    std::vector<SocketMatch> out;
    // A write loop's connection is its read loop's: where both are in one
    // bucket, the read loops' claim counts it once.
    std::set<std::string> reads;
    for (const auto& d : demand)
        if (d.use == SocketUse::ClientRead)
            reads.insert(d.key);
    std::vector<int64_t> wanted(demand.size());
    for (size_t i = 0; i < demand.size(); ++i)
        wanted[i] = demand[i].use == SocketUse::ClientWrite && reads.count(demand[i].key)
                        ? 0
                        : demand[i].goroutines;
    // One claim: the demands of `use` take what they can of the pool.
    auto claim = [&](Pool& pool, SocketUse use, bool consume) {
        std::vector<size_t> who;
        std::vector<int64_t> weights;
        for (size_t i = 0; i < demand.size(); ++i)
            if (demand[i].use == use && wanted[i] > 0) {
                who.push_back(i);
                weights.push_back(wanted[i]);
            }
        int64_t want = std::accumulate(weights.begin(), weights.end(), int64_t(0));
        int64_t take = std::min(want, consume ? pool.left : pool.total);
        std::vector<int64_t> got = share(take, weights);
        if (consume)
            pool.left -= take;
        std::vector<int64_t> hostWeights;
        for (const auto& h : pool.hosts)
            hostWeights.push_back(h.count);
        for (size_t k = 0; k < who.size(); ++k) {
            if (got[k] == 0)
                continue;
            wanted[who[k]] -= got[k];
            SocketMatch m{demand[who[k]].key, got[k], pool.kind, {}};
            std::vector<int64_t> perHost = share(got[k], hostWeights);
            for (size_t h = 0; h < pool.hosts.size(); ++h)
                if (perHost[h] > 0)
                    m.byHost.push_back({pool.hosts[h].name, perHost[h]});
            std::stable_sort(m.byHost.begin(), m.byHost.end(),
                             [](const auto& a, const auto& b) { return a.count > b.count; });
            out.push_back(std::move(m));
        }
    };
    claim(client, SocketUse::ClientWrite, false);
    claim(client, SocketUse::ClientRead, true);
    claim(client, SocketUse::ConnIo, true);
    claim(server, SocketUse::ServerConn, true);
    claim(server, SocketUse::ConnIo, true);
    claim(listening, SocketUse::Accept, true);
    return out;
}

} // namespace memscope
