// SPDX-License-Identifier: GPL-3.0-or-later
// Client sockets to a host that only grow, with the net/http loops that
// serve them and the program's calls into the client.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"
#include "analysis/detect/profile_share.h"
#include "analysis/goroutine_cost/goroutine_cost.h"
#include "model/goroutines.h"
#include "model/snapshot_kind.h"
#include "store/db.h"

#include <algorithm>
#include <tuple>

namespace memscope::detect {

namespace {

class ConnectionLeakDetector final : public Detector {
public:
    const char* name() const override { return "connection leak"; }
    FindingKind kind() const override { return FindingKind::ConnectionLeak; }
    std::vector<Finding> run(DetectContext& c) const override;
};

std::vector<Finding> ConnectionLeakDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Explained& ex = c.explained();
    std::vector<std::string> leaking;
    std::vector<const Series*> leakSeries;
    double firstSum = 0, lastSum = 0, rate = 0;
    int64_t spanNs = 0;
    for (const Series* s : series.withLabel("tcp_sockets", "host")) {
        Trend t = trendOf(s->points);
        const std::string& host = s->labels.at("host");
        if (!steadyGrowth(t, 10, 1.5))
            continue;
        leaking.push_back(host);
        leakSeries.push_back(s);
        firstSum += t.first;
        lastSum += t.last;
        rate += t.slopePerMinute;
        spanNs = std::max(spanNs, t.spanNs);
        ex.leakingHosts.insert(host);
    }
    if (leaking.empty())
        return out;
    // When the process itself serves those addresses (a test harness, a
    // sidecar in-process), the server side of each leaked connection is
    // here too: its goroutines and buffers are part of this leak.
    auto fdSnaps = c.snapshots(SnapshotKind::Fds);
    if (!fdSnaps.empty()) {
        for (const auto& addr : c.take(c.store().listeningAddresses(fdSnaps.back().id)))
            if (std::find(leaking.begin(), leaking.end(), addr) != leaking.end())
                ex.serverSideHere = true;
    }
    if (ex.serverSideHere)
        ex.roles.insert(toString(GoroutineRole::HttpServerConn));
    Finding f = c.makeFinding(FindingKind::ConnectionLeak,
                              lastSum - firstSum >= 100 ? Severity::Critical : Severity::Warning);
    f.hosts = leaking;
    for (const auto* s : leakSeries) {
        f.series.push_back(*s);
        for (auto id : snapshotsOf(*s))
            f.snapshots.push_back(id);
    }
    f.title = "TCP connections leak to " + joinList(leaking);
    std::string loops;
    for (GoroutineRole r : {GoroutineRole::HttpClientRead, GoroutineRole::HttpClientWrite}) {
        const char* role = toString(r);
        if (const Series* g = series.find("goroutines", "role", role)) {
            Trend t = trendOf(g->points);
            if (steadyGrowth(t, 10, 1.5)) {
                f.series.push_back(*g);
                f.numbers.push_back({std::string(role) + "_first", t.first});
                f.numbers.push_back({std::string(role) + "_last", t.last});
                if (loops.empty())
                    loops = " The HTTP client's per-connection goroutines grew with them: " +
                            std::string(r == GoroutineRole::HttpClientRead
                                            ? "net/http.(*persistConn).readLoop"
                                            : "net/http.(*persistConn).writeLoop") +
                            " from " + num(t.first) + " to " + num(t.last) + ".";
                f.goroutineGroups.push_back(r == GoroutineRole::HttpClientRead
                                                ? "net/http.(*persistConn).readLoop"
                                                : "net/http.(*persistConn).writeLoop");
                ex.roles.insert(role);
                ex.goroutinesGrow = true;
            }
        }
    }
    // What the connections' loops hold: one group, since a connection's
    // read and write loops both point to its persistConn and buffers.
    std::string cost;
    if (!loops.empty()) {
        GoroutineCostOptions o;
        o.targetId = c.target().id;
        o.allHeapDumps = false;
        auto report = c.take(goroutineCost(c.store(), o));
        for (const auto& g : report.groups)
            if (g.key.rfind(kHttpClientLoops, 0) == 0) {
                std::string clause = costClause(report, g);
                if (clause.empty())
                    break;
                cost = " The " + num(double(g.count)) + " read and write loops of goroutine dump " +
                       std::to_string(report.latestDumpId.value) + " hold " + clause +
                       costSources(report);
                if (!report.heapDumps.empty()) {
                    f.numbers.push_back({"loops_retained_bytes", double(g.bytes)});
                    f.snapshots.push_back(report.heapDumps.back().heapDumpId);
                }
                if (report.fdSnapshotId && g.sockets > 0)
                    f.numbers.push_back({"loops_sockets", double(g.sockets)});
                break;
            }
    }
    std::string callers;
    if (const Profile* p = c.latestHeap()) {
        auto sites = userCallersOf(*p, isHttpClientEntry);
        std::vector<std::pair<int64_t, std::tuple<std::string, std::string, int64_t>>> ranked;
        for (const auto& [k, v] : sites)
            ranked.push_back({v, k});
        std::sort(ranked.rbegin(), ranked.rend());
        std::vector<std::string> names;
        for (size_t i = 0; i < ranked.size() && i < 3; ++i) {
            const auto& [fn, file, line] = ranked[i].second;
            f.sites.push_back(
                {fn, file, line, ranked[i].first,
                 "calls the net/http client; in-use bytes below it in the latest heap profile"});
            names.push_back(fn + " (" + file + ":" + std::to_string(line) + ")");
        }
        if (!names.empty())
            callers = " The client calls come from " + joinList(names) + ".";
        f.snapshots.push_back(c.latestHeapId());
    }
    f.numbers.push_back({"sockets_first", firstSum});
    f.numbers.push_back({"sockets_last", lastSum});
    f.numbers.push_back({"sockets_per_minute", rate});
    f.summary =
        "Client TCP connections to " + joinList(leaking) + " grew from " + num(firstSum) + " to " +
        num(lastSum) + " over " + span(spanNs) + " (about " + num(rate) +
        " a minute) and were never closed." + loops + cost +
        " Connections that pile up like this, each with its own read and write goroutine, are what "
        "a new http.Transport (or an http.Client with its own Transport) per request leaves "
        "behind: every Transport keeps its idle connections open and nothing reuses them." +
        callers +
        " Share one Client and Transport across requests (or call CloseIdleConnections "
        "on the ones you drop).";
    out.push_back(std::move(f));
    return out;
}

} // namespace

std::unique_ptr<Detector> makeConnectionLeakDetector() {
    return std::make_unique<ConnectionLeakDetector>();
}

} // namespace memscope::detect
