// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/detect.h"

#include "base/format.h"
#include "formats/heapdump/heapdump.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace memscope {

Trend trendOf(const std::vector<SeriesPoint>& pts) {
    Trend t;
    t.n = pts.size();
    if (pts.empty())
        return t;
    t.first = pts.front().value;
    t.last = pts.back().value;
    t.min = t.max = t.first;
    t.spanNs = pts.back().timeNs - pts.front().timeNs;
    double n = double(pts.size()), sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    int64_t t0 = pts.front().timeNs;
    size_t rising = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
        double x = double(pts[i].timeNs - t0) / 60e9, y = pts[i].value;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
        t.min = std::min(t.min, y);
        t.max = std::max(t.max, y);
        if (i > 0 && pts[i].value >= pts[i - 1].value)
            ++rising;
    }
    double vx = n * sxx - sx * sx, vy = n * syy - sy * sy, cov = n * sxy - sx * sy;
    if (vx > 0)
        t.slopePerMinute = cov / vx;
    t.r2 = (vx > 0 && vy > 0) ? (cov * cov) / (vx * vy) : 0;
    t.risingSteps = pts.size() > 1 ? double(rising) / double(pts.size() - 1) : 0;
    return t;
}

bool steadyGrowth(const Trend& t, double minIncrease, double minRatio) {
    return t.n >= 3 && t.last - t.first >= minIncrease && t.last >= t.first * minRatio &&
           t.slopePerMinute > 0 && t.r2 >= 0.7 && t.risingSteps >= 0.6;
}

int severityRank(const std::string& s) { return s == "critical" ? 0 : s == "warning" ? 1 : 2; }

static std::string packageOf(const std::string& fn) {
    size_t slash = fn.rfind('/');
    size_t dot = fn.find('.', slash == std::string::npos ? 0 : slash);
    return dot == std::string::npos ? fn : fn.substr(0, dot);
}
// Standard library packages have no dot in their first path element; a
// program's own are `main` or module paths with a domain.
bool isUserCode(const std::string& fn) {
    std::string pkg = packageOf(fn);
    if (pkg == "main" || pkg.rfind("main.", 0) == 0)
        return true;
    std::string first = pkg.substr(0, pkg.find('/'));
    return first.find('.') != std::string::npos;
}


namespace {

std::string num(double v) {
    char b[32];
    if (std::fabs(v) >= 100 || v == std::floor(v))
        snprintf(b, sizeof b, "%.0f", v);
    else
        snprintf(b, sizeof b, "%.1f", v);
    return b;
}
std::string bytes(double v) { return formatValue(int64_t(v), "bytes"); }
std::string span(int64_t ns) {
    double s = double(ns) / 1e9;
    char b[32];
    if (s >= 3600)
        snprintf(b, sizeof b, "%.1f h", s / 3600);
    else if (s >= 120)
        snprintf(b, sizeof b, "%.0f min", s / 60);
    else
        snprintf(b, sizeof b, "%.0f s", s);
    return b;
}
std::string joinList(const std::vector<std::string>& v, size_t max = 6) {
    std::string out;
    for (size_t i = 0; i < v.size() && i < max; ++i)
        out += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
    if (v.size() > max)
        out += " and " + std::to_string(v.size() - max) + " more";
    return out;
}

// "net/http.(*Transport).dialConn" -> "net/http"; "main.main.func1" -> "main".
// A case's series for one target (all of them when there is one target).
struct SeriesSet {
    std::vector<const Series*> all;
    const Series* find(const std::string& metric, const std::string& label = {},
                       const std::string& value = {}) const {
        for (const auto* s : all)
            if (s->metric == metric && (label.empty() ? s->labels.empty() || (s->labels.size() == 1 && s->labels.count("target"))
                                                      : s->labels.count(label) && s->labels.at(label) == value))
                return s;
        return nullptr;
    }
    std::vector<const Series*> withLabel(const std::string& metric, const std::string& label) const {
        std::vector<const Series*> out;
        for (const auto* s : all)
            if (s->metric == metric && s->labels.count(label))
                out.push_back(s);
        return out;
    }
};

struct Frame {
    std::string function, file;
    int64_t line = 0;
};

// Inuse bytes of the latest heap profile grouped by the first user frame
// found walking toward the root from a frame that matches `from`.
std::map<std::tuple<std::string, std::string, int64_t>, int64_t>
userCallersOf(const Profile& p, bool (*from)(const std::string&)) {
    std::map<std::tuple<std::string, std::string, int64_t>, int64_t> out;
    int idx = p.sampleIndex("inuse_space");
    if (idx < 0)
        idx = p.defaultSampleIndex();
    for (const auto& s : p.samples) {
        bool armed = false;
        for (uint32_t loc : s.locations) {
            const auto& l = p.locations[loc];
            bool done = false;
            for (const auto& ln : l.lines) {
                const auto& f = p.functions[ln.function];
                if (!armed && from(f.name)) {
                    armed = true;
                } else if (armed && isUserCode(f.name)) {
                    out[{f.name, f.file, ln.line}] += s.values[size_t(idx)];
                    done = true;
                    break;
                }
            }
            if (done)
                break;
        }
    }
    return out;
}

// Share of a leaf function's inuse bytes whose stacks hold a frame that
// `frame(function, line)` accepts.
template <typename FramePred>
double shareWhere(const Profile& p, const std::string& leaf, FramePred frame) {
    int idx = p.sampleIndex("inuse_space");
    if (idx < 0)
        return 0;
    double all = 0, via = 0;
    for (const auto& s : p.samples) {
        if (s.locations.empty())
            continue;
        const auto& first = p.locations[s.locations[0]];
        if (first.lines.empty() || p.functions[first.lines[0].function].name != leaf)
            continue;
        double v = double(s.values[size_t(idx)]);
        all += v;
        bool hit = false;
        for (uint32_t loc : s.locations)
            for (const auto& ln : p.locations[loc].lines)
                hit = hit || frame(p.functions[ln.function], ln.line);
        if (hit)
            via += v;
    }
    return all > 0 ? via / all : 0;
}

// ... through a function `through` accepts.
double shareThrough(const Profile& p, const std::string& leaf, bool (*through)(const std::string&)) {
    return shareWhere(p, leaf, [&](const Function& f, int64_t) { return through(f.name); });
}

// ... through one of these source lines.
double shareThroughFrames(const Profile& p, const std::string& leaf,
                          const std::set<std::pair<std::string, int64_t>>& lines) {
    return shareWhere(p, leaf, [&](const Function& f, int64_t line) { return lines.count({f.file, line}) > 0; });
}

bool isHttpClientMachinery(const std::string& fn) {
    return fn.rfind("net/http.(*Transport).", 0) == 0 || fn.rfind("net/http.(*persistConn).", 0) == 0;
}
bool isHttpServerConn(const std::string& fn) { return fn.rfind("net/http.(*conn).", 0) == 0; }
bool isHttpClientEntry(const std::string& fn) {
    return fn.rfind("net/http.(*Client).", 0) == 0 || fn.rfind("net/http.(*Transport).roundTrip", 0) == 0 ||
           fn.rfind("net/http.(*Transport).RoundTrip", 0) == 0;
}

Frame parseStackLine(const std::string& s) {
    // "function file:line"
    Frame f;
    auto sp = s.find(' ');
    f.function = s.substr(0, sp);
    if (sp != std::string::npos) {
        std::string rest = s.substr(sp + 1);
        auto colon = rest.rfind(':');
        f.file = rest.substr(0, colon);
        if (colon != std::string::npos)
            f.line = std::atoll(rest.c_str() + colon + 1);
    }
    return f;
}

class Detector {
public:
    Detector(CaseStore& store, const TargetInfo& target, const SeriesSet& series)
        : m_store(store), m_target(target), m_s(series) {}

    Result<std::vector<Finding>> run() {
        for (auto detector : {&Detector::connections, &Detector::finalizers, &Detector::globals,
                              &Detector::goroutines, &Detector::heapGrowth}) {
            (this->*detector)();
            if (m_error)
                return *m_error;
        }
        return std::move(m_out);
    }

private:
    // The value of a read, or an empty one with its error kept: run() then
    // returns the error instead of findings made from missing rows.
    template <typename T>
    T take(Result<T> r) {
        if (r)
            return std::move(r).value();
        if (!m_error)
            m_error = r.error();
        return T{};
    }
    std::vector<SnapshotInfo> snaps(const std::string& kind) {
        std::vector<SnapshotInfo> out;
        if (m_error)
            return out; // no more reads once one failed
        for (auto& sn : take(timeline(m_store, kind)))
            if (sn.targetId == m_target.id)
                out.push_back(std::move(sn));
        return out;
    }
    const Profile* latestHeap() {
        if (!m_heapLoaded) {
            m_heapLoaded = true;
            auto list = snaps("heap");
            if (!list.empty()) {
                auto p = m_store.loadProfile(list.back().id);
                if (p) {
                    m_heap = std::move(*p);
                    m_heapId = list.back().id;
                    m_haveHeap = true;
                } else if (!m_error) {
                    m_error = p.error();
                }
            }
        }
        return m_haveHeap ? &m_heap : nullptr;
    }
    // The heap profile's names for code at file:line. Heap dumps name frames by
    // physical function, so an inlined allocator shows as its caller there;
    // the profile resolves inlining, and the line is the same.
    std::vector<std::string> profileFunctionsAt(const std::string& file, int64_t line) {
        std::vector<std::string> out;
        const Profile* p = latestHeap();
        if (!p || file.empty())
            return out;
        for (const auto& loc : p->locations)
            for (const auto& ln : loc.lines) {
                const auto& fn = p->functions[ln.function];
                if (ln.line == line && fn.file == file &&
                    std::find(out.begin(), out.end(), fn.name) == out.end())
                    out.push_back(fn.name);
            }
        return out;
    }

    Finding make(const std::string& kind, const std::string& severity) {
        Finding f;
        f.kind = kind;
        f.severity = severity;
        f.target = m_target.name;
        return f;
    }
    static std::vector<int64_t> snapshotsOf(const Series& s) {
        std::vector<int64_t> ids;
        for (const auto& p : s.points)
            ids.push_back(p.snapshotId);
        return ids;
    }

    // ---- sockets per remote host
    void connections() {
        Finding churn = make("connection_churn", "warning");
        double churnFrac = 0, churnNew = 0, churnOpen = 0;
        std::vector<std::string> leaking;
        std::vector<const Series*> leakSeries;
        double firstSum = 0, lastSum = 0, rate = 0;
        int64_t spanNs = 0;
        for (const Series* s : m_s.withLabel("tcp_sockets", "host")) {
            Trend t = trendOf(s->points);
            const std::string& host = s->labels.at("host");
            if (steadyGrowth(t, 10, 1.5)) {
                leaking.push_back(host);
                leakSeries.push_back(s);
                firstSum += t.first;
                lastSum += t.last;
                rate += t.slopePerMinute;
                spanNs = std::max(spanNs, t.spanNs);
                m_leakingHosts.insert(host);
                continue;
            }
            // Churn: most sockets new at each snapshot while the count holds.
            const Series* fresh = m_s.find("tcp_sockets_new", "host", host);
            if (!fresh || s->points.size() < 3 || fresh->points.size() != s->points.size())
                continue;
            double sumFrac = 0, newTotal = 0;
            size_t steps = 0;
            for (size_t i = 1; i < s->points.size(); ++i)
                if (s->points[i].value >= 3) {
                    sumFrac += fresh->points[i].value / s->points[i].value;
                    newTotal += fresh->points[i].value;
                    ++steps;
                }
            if (steps < 2 || sumFrac / double(steps) < 0.5 || newTotal < 20)
                continue;
            churn.hosts.push_back(host);
            churn.series.push_back(*s);
            churn.series.push_back(*fresh);
            churn.snapshots = snapshotsOf(*s);
            churnFrac += sumFrac / double(steps);
            churnNew += newTotal;
            churnOpen += t.last;
        }
        if (!churn.hosts.empty()) {
            double frac = churnFrac / double(churn.hosts.size());
            churn.title = "Connections to " + joinList(churn.hosts) + " are replaced, not reused";
            churn.summary = "At each capture, " + num(100 * frac) + "% of the TCP connections to " +
                            joinList(churn.hosts) + " on average were new (" + num(churnNew) +
                            " new connections in all) while the number open held near " + num(churnOpen) +
                            ". Connections are being closed and dialed again instead of kept alive and reused: "
                            "typically response bodies not drained and closed, a Transport with keep-alives "
                            "disabled, or a client made per request and closed. Each new connection costs a "
                            "handshake, a socket and a goroutine or two, and leaves sockets in TIME_WAIT.";
            churn.numbers = {{"mean_new_fraction", frac}, {"new_connections", churnNew},
                             {"open_connections_last", churnOpen}};
            m_out.push_back(std::move(churn));
        }
        if (leaking.empty())
            return;
        // When the process itself serves those addresses (a test harness, a
        // sidecar in-process), the server side of each leaked connection is
        // here too: its goroutines and buffers are part of this leak.
        auto fdSnaps = snaps("fds");
        if (!fdSnaps.empty()) {
            for (const auto& addr : take(m_store.listeningAddresses(fdSnaps.back().id)))
                if (std::find(leaking.begin(), leaking.end(), addr) != leaking.end())
                    m_serverSideHere = true;
        }
        if (m_serverSideHere)
            m_explainedRoles.insert("http_server_conn");
        Finding f = make("connection_leak", lastSum - firstSum >= 100 ? "critical" : "warning");
        f.hosts = leaking;
        for (const auto* s : leakSeries) {
            f.series.push_back(*s);
            for (auto id : snapshotsOf(*s))
                f.snapshots.push_back(id);
        }
        f.title = "TCP connections leak to " + joinList(leaking);
        std::string loops;
        for (const char* role : {"http_client_readloop", "http_client_writeloop"}) {
            if (const Series* g = m_s.find("goroutines", "role", role)) {
                Trend t = trendOf(g->points);
                if (steadyGrowth(t, 10, 1.5)) {
                    f.series.push_back(*g);
                    f.numbers.push_back({std::string(role) + "_first", t.first});
                    f.numbers.push_back({std::string(role) + "_last", t.last});
                    if (loops.empty())
                        loops = " The HTTP client's per-connection goroutines grew with them: " +
                                std::string(role == std::string("http_client_readloop")
                                                ? "net/http.(*persistConn).readLoop"
                                                : "net/http.(*persistConn).writeLoop") +
                                " from " + num(t.first) + " to " + num(t.last) + ".";
                    f.goroutineGroups.push_back(role == std::string("http_client_readloop")
                                                    ? "net/http.(*persistConn).readLoop"
                                                    : "net/http.(*persistConn).writeLoop");
                    m_explainedRoles.insert(role);
                    m_goroutinesGrow = true;
                }
            }
        }
        std::string callers;
        if (const Profile* p = latestHeap()) {
            auto sites = userCallersOf(*p, isHttpClientEntry);
            std::vector<std::pair<int64_t, std::tuple<std::string, std::string, int64_t>>> ranked;
            for (const auto& [k, v] : sites)
                ranked.push_back({v, k});
            std::sort(ranked.rbegin(), ranked.rend());
            std::vector<std::string> names;
            for (size_t i = 0; i < ranked.size() && i < 3; ++i) {
                const auto& [fn, file, line] = ranked[i].second;
                f.sites.push_back({fn, file, line, ranked[i].first,
                                   "calls the net/http client; in-use bytes below it in the latest heap profile"});
                names.push_back(fn + " (" + file + ":" + std::to_string(line) + ")");
            }
            if (!names.empty())
                callers = " The client calls come from " + joinList(names) + ".";
            f.snapshots.push_back(m_heapId);
        }
        f.numbers.push_back({"sockets_first", firstSum});
        f.numbers.push_back({"sockets_last", lastSum});
        f.numbers.push_back({"sockets_per_minute", rate});
        f.summary = "Client TCP connections to " + joinList(leaking) + " grew from " + num(firstSum) + " to " +
                    num(lastSum) + " over " + span(spanNs) + " (about " + num(rate) +
                    " a minute) and were never closed." + loops +
                    " Connections that pile up like this, each with its own read and write goroutine, are what "
                    "a new http.Transport (or an http.Client with its own Transport) per request leaves "
                    "behind: every Transport keeps its idle connections open and nothing reuses them." +
                    callers + " Share one Client and Transport across requests (or call CloseIdleConnections "
                              "on the ones you drop).";
        m_out.push_back(std::move(f));
    }

    // ---- finalizers
    void finalizers() {
        const Series* queued = m_s.find("finalizers_queued");
        const Series* registered = m_s.find("finalizers_registered");
        const Series* running = m_s.find("goroutines", "role", "finalizer_running");
        Trend tq = queued ? trendOf(queued->points) : Trend{};
        Trend treg = registered ? trendOf(registered->points) : Trend{};
        bool queueGrows = queued && tq.last >= 10 && tq.last > tq.first;
        // The finalizer goroutine seen inside user code in most dumps.
        size_t busy = 0, dumps = 0;
        if (running)
            for (const auto& p : running->points) {
                ++dumps;
                busy += p.value > 0;
            }
        bool stuck = dumps >= 3 && double(busy) / double(dumps) >= 0.6;
        // Counters a service exports itself: registered vs run, named so.
        const Series *regCounter = nullptr, *runCounter = nullptr;
        for (const auto* s : m_s.all) {
            if (!s->labels.count("name"))
                continue;
            std::string n = s->labels.at("name");
            std::transform(n.begin(), n.end(), n.begin(), ::tolower);
            if (n.find("finaliz") == std::string::npos)
                continue;
            if (n.find("regist") != std::string::npos || n.find("set") != std::string::npos)
                regCounter = s;
            else if (n.find("run") != std::string::npos || n.find("done") != std::string::npos)
                runCounter = s;
        }
        double gapFirst = 0, gapLast = 0;
        bool gapGrows = false;
        if (regCounter && runCounter && regCounter->points.size() == runCounter->points.size() &&
            regCounter->points.size() >= 3) {
            std::vector<SeriesPoint> gap = regCounter->points;
            for (size_t i = 0; i < gap.size(); ++i)
                gap[i].value -= runCounter->points[i].value;
            Trend tg = trendOf(gap);
            gapFirst = tg.first;
            gapLast = tg.last;
            gapGrows = steadyGrowth(tg, 50, 1.5);
        }
        bool registeredGrows = (registered && steadyGrowth(treg, 50, 1.5)) ||
                               (regCounter && steadyGrowth(trendOf(regCounter->points), 50, 1.5));
        if (!(queueGrows || gapGrows || (stuck && registeredGrows)))
            return;

        Finding f = make("finalizer_backlog", queueGrows || gapGrows ? "critical" : "warning");
        // Name the finalizer: the heap dump's most-queued function, else the
        // user function the finalizer goroutine is running.
        std::string fn, where, state;
        int64_t fnRetained = 0;
        auto dumpsList = snaps("heapdump");
        if (!dumpsList.empty()) {
            auto rows = take(m_store.heapDumpFinalizers(dumpsList.back().id));
            std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.queued > b.queued; });
            if (!rows.empty() && rows[0].queued > 0) {
                fn = rows[0].function;
                fnRetained = rows[0].retainedBytes;
            }
            f.snapshots.push_back(dumpsList.back().id);
        }
        auto gdumps = snaps("goroutines");
        for (auto it = gdumps.rbegin(); it != gdumps.rend() && where.empty(); ++it)
            for (const auto& g : take(m_store.goroutineGroups(it->id))) {
                if (g.role != "finalizer_running")
                    continue;
                // The user function nearest runtime.runfinq, and where it waits.
                size_t k = 0;
                while (k < g.stack.size() && g.stack[k].rfind("runtime.runfinq ", 0) != 0)
                    ++k;
                for (size_t j = k; j-- > 0;) {
                    Frame fr = parseStackLine(g.stack[j]);
                    if (packageOf(fr.function) != "runtime") {
                        if (fn.empty() || isUnnamedFunction(fn))
                            fn = fr.function;
                        if (fr.function == fn) {
                            where = fr.file + ":" + std::to_string(fr.line);
                            f.sites.push_back({fr.function, fr.file, fr.line, fnRetained,
                                               "the finalizer the finalizer goroutine is running"});
                        }
                        break;
                    }
                }
                state = g.state;
                f.snapshots.push_back(it->id);
                break;
            }
        if (fn.empty())
            fn = "a finalizer";
        f.title = "Finalizers pile up behind " + fn;
        std::string body = "Objects with finalizers are registered faster than the single finalizer goroutine runs "
                           "them.";
        if (queued && queued->points.size() >= 1) {
            f.series.push_back(*queued);
            body += " Heap dumps show " + num(tq.first) + " → " + num(tq.last) + " finalizers queued";
            if (registered) {
                f.series.push_back(*registered);
                body += " and " + num(treg.first) + " → " + num(treg.last) + " registered";
            }
            body += ".";
            f.numbers.push_back({"queued_first", tq.first});
            f.numbers.push_back({"queued_last", tq.last});
        }
        if (gapGrows) {
            f.series.push_back(*regCounter);
            f.series.push_back(*runCounter);
            body += " The service's own counters put registered minus run at " + num(gapFirst) + " → " +
                    num(gapLast) + ".";
            f.numbers.push_back({"backlog_first", gapFirst});
            f.numbers.push_back({"backlog_last", gapLast});
        }
        if (running && busy > 0) {
            f.series.push_back(*running);
            body += " The finalizer goroutine was inside " + fn + (where.empty() ? "" : " (" + where + ")") +
                    " in " + num(double(busy)) + " of " + num(double(dumps)) + " goroutine dumps" +
                    (state.empty() ? "" : ", waiting on " + state) + ".";
            f.numbers.push_back({"dumps_with_finalizer_running", double(busy)});
            f.goroutineGroups.push_back("runtime.runfinq");
        }
        if (const Series* kept = m_s.find("finalizer_retained_bytes"); kept && !kept->points.empty()) {
            f.series.push_back(*kept);
            body += " Objects waiting for finalizers keep " + bytes(kept->points.back().value) + " alive.";
            f.numbers.push_back({"finalizer_retained_bytes", kept->points.back().value});
        }
        body += " Every queued object, and everything it points to, stays in memory until its finalizer "
                "has run; a finalizer that blocks (locks, I/O, sleeps) stalls all of them. Keep finalizers "
                "trivial, or release resources explicitly (Close) instead.";
        f.summary = body;
        // Allocation sites of objects held by the finalizer queue, when sampled.
        if (!dumpsList.empty()) {
            int64_t id = dumpsList.back().id;
            auto roots = take(m_store.heapDumpRoots(id));
            std::set<int64_t> finRoots;
            for (const auto& r : roots)
                if (r.kind == "queued_finalizer" || r.kind == "finalizer")
                    finRoots.insert(r.index);
            auto sites = take(m_store.heapDumpSites(id));
            std::map<int64_t, int64_t> byBucket;
            for (const auto& e : take(m_store.heapDumpRootSites(id)))
                if (finRoots.count(e.rootIndex))
                    byBucket[e.bucket] += e.retainedBytes;
            for (const auto& s : sites)
                if (byBucket.count(s.bucket)) {
                    Frame fr = s.stack.empty() ? Frame{} : parseStackLine(s.stack.front());
                    f.sites.push_back({fr.function, fr.file, fr.line, byBucket[s.bucket],
                                       "sampled objects the finalizer queue holds were allocated here"});
                    m_finalizerSites.insert(fr.function);
                    for (const auto& name : profileFunctionsAt(fr.file, fr.line))
                        m_finalizerSites.insert(name);
                }
        }
        m_out.push_back(std::move(f));
    }

    // ---- globals
    void globals() {
        auto dumps = snaps("heapdump");
        if (dumps.empty())
            return;
        int64_t last = dumps.back().id;
        auto info = take(m_store.heapDump(last));
        if (!info)
            return;
        for (const auto& r : take(m_store.heapDumpRoots(last, 10))) {
            if (r.kind != "global")
                continue;
            const Series* s = m_s.find("retained_bytes", "root", r.name);
            Trend t = s ? trendOf(s->points) : Trend{};
            bool grows = s && t.n >= 2 && t.last - t.first >= 1 << 20 && t.last >= 1.5 * t.first &&
                         t.risingSteps >= 0.99;
            bool dominant = dumps.size() == 1 && r.retainedBytes >= (8 << 20) &&
                            double(r.retainedBytes) >= 0.3 * double(info->reachableBytes);
            if (!grows && !dominant)
                continue;
            Finding f = make("global_retention", "critical");
            bool named = r.name.find('+') == std::string::npos;
            std::string who = named ? "The package-level variable " + r.name
                                    : "A package-level variable at " + r.name;
            f.title = "A global holds " + bytes(double(r.retainedBytes)) + (named ? ": " + r.name : "");
            f.snapshots.push_back(last);
            if (s)
                f.series.push_back(*s);
            f.numbers = {{"retained_bytes", double(r.retainedBytes)},
                         {"retained_objects", double(r.retainedObjects)},
                         {"reachable_bytes", double(info->reachableBytes)}};
            std::string body = who + " retains " + bytes(double(r.retainedBytes)) + " in " +
                               num(double(r.retainedObjects)) + " objects, " +
                               num(100.0 * double(r.retainedBytes) / double(std::max<int64_t>(1, info->reachableBytes))) +
                               "% of the reachable heap in the latest dump";
            if (grows)
                body += ", up from " + bytes(t.first) + " " + span(t.spanNs) + " earlier across " +
                        num(double(t.n)) + " heap dumps";
            body += ": nothing else dominates that memory, so it can only be freed by removing entries from "
                    "that variable.";
            // What it holds, by allocation site (sampled objects), and how those sites grow.
            auto sites = take(m_store.heapDumpSites(last));
            std::map<int64_t, int64_t> byBucket;
            for (const auto& e : take(m_store.heapDumpRootSites(last)))
                if (e.rootIndex == r.index)
                    byBucket[e.bucket] += e.retainedBytes;
            std::vector<std::string> siteNames;
            std::set<std::string> files;
            for (const auto& site : sites) {
                if (!byBucket.count(site.bucket))
                    continue;
                Frame fr = site.stack.empty() ? Frame{} : parseStackLine(site.stack.front());
                f.sites.push_back({fr.function, fr.file, fr.line, byBucket[site.bucket],
                                   "allocated sampled objects this global retains"});
                m_globalSites.insert(fr.function);
                for (const auto& name : profileFunctionsAt(fr.file, fr.line))
                    m_globalSites.insert(name);
                if (siteNames.size() < 3)
                    siteNames.push_back(fr.function);
                for (const auto& line : site.stack) {
                    Frame u = parseStackLine(line);
                    if (isUserCode(u.function))
                        m_globalFrames.insert({u.file, u.line});
                }
                for (const auto& line : site.stack) {
                    Frame u = parseStackLine(line);
                    if (isUserCode(u.function) && !u.file.empty()) {
                        files.insert(u.file);
                        f.sites.push_back({u.function, u.file, u.line, byBucket[site.bucket],
                                           "the program's frame that allocated them"});
                        break;
                    }
                }
                std::vector<std::string> names = profileFunctionsAt(fr.file, fr.line);
                names.push_back(fr.function);
                const Series* hs = nullptr;
                for (const auto& name : names)
                    if (!hs)
                        hs = m_s.find("heap_inuse_bytes", "site", name);
                if (hs) {
                    Trend ht = trendOf(hs->points);
                    if (ht.last > ht.first && f.series.size() < 4) {
                        f.series.push_back(*hs);
                        body += " In-use memory allocated at " + hs->labels.at("site") + " grew from " + bytes(ht.first) +
                                " to " + bytes(ht.last) + " in the heap profiles.";
                    }
                }
            }
            // Heap-profile sites reached through the same lines (the profile
            // resolves inlining that the dump's physical frames hide).
            if (const Profile* p = latestHeap(); p && f.series.size() < 2)
                for (const Series* hs : m_s.withLabel("heap_inuse_bytes", "site")) {
                    Trend ht = trendOf(hs->points);
                    if (ht.last <= ht.first || f.series.size() >= 3)
                        continue;
                    if (shareThroughFrames(*p, hs->labels.at("site"), m_globalFrames) < 0.5)
                        continue;
                    f.series.push_back(*hs);
                    body += " In-use memory allocated at " + hs->labels.at("site") + " grew from " + bytes(ht.first) +
                            " to " + bytes(ht.last) + " in the heap profiles.";
                }
            if (!siteNames.empty())
                body += " Sampled objects under it were allocated at " + joinList(siteNames) + ".";
            if (!named)
                body += " Import the dump with --binary (or put the executable beside it) to name the variable.";
            // unsafe.Pointer only when the escape notes say so, in the same files.
            for (const auto& note : take(m_store.escapeNotesMentioning("unsafe.Pointer"))) {
                const std::string& file = note.file;
                bool same = files.empty();
                for (const auto& uf : files)
                    if (file.size() >= uf.size() ? file.compare(file.size() - uf.size(), uf.size(), uf) == 0
                                                 : uf.compare(uf.size() - file.size(), file.size(), file) == 0)
                        same = true;
                if (!same)
                    continue;
                body += " The build's escape analysis shows unsafe.Pointer values stored on the heap at " + file +
                        ":" + std::to_string(note.line) + " (\"" + note.message +
                        "\"): pointers kept as unsafe.Pointer still keep their whole target alive, and a view "
                        "into a buffer pins all of it.";
                f.sites.push_back({"", file, note.line, 0, "escape analysis: " + note.message});
                break;
            }
            f.summary = body;
            m_out.push_back(std::move(f));
            break; // the largest such global
        }
    }

    // ---- goroutine groups
    void goroutines() {
        auto dumps = snaps("goroutines");
        for (const Series* s : m_s.withLabel("goroutines", "group")) {
            Trend t = trendOf(s->points);
            if (!steadyGrowth(t, 50, 2))
                continue;
            const std::string& entry = s->labels.at("group");
            // Latest state and creator of the group.
            std::string state, createdBy, role;
            if (!dumps.empty())
                for (const auto& g : take(m_store.goroutineGroups(dumps.back().id)))
                    if (!g.stack.empty() && goroutineEntry(g.stack) == entry) {
                        state = g.state;
                        createdBy = g.createdBy;
                        role = g.role;
                        break;
                    }
            if (!role.empty() && m_explainedRoles.count(role))
                continue; // part of a connection leak already reported
            m_goroutinesGrow = true;
            Finding f = make("goroutine_leak", t.last - t.first >= 1000 ? "critical" : "warning");
            f.title = "Goroutines running " + entry + " grow without bound";
            f.goroutineGroups = {entry};
            f.series = {*s};
            f.snapshots = snapshotsOf(*s);
            f.numbers = {{"first", t.first}, {"last", t.last}, {"per_minute", t.slopePerMinute}};
            Frame c = parseStackLine(createdBy);
            if (!createdBy.empty())
                f.sites.push_back({c.function, c.file, c.line, 0, "creates these goroutines"});
            f.summary = "Goroutines started with " + entry + " grew from " + num(t.first) + " to " + num(t.last) +
                        " over " + span(t.spanNs) + " (about " + num(t.slopePerMinute) + " a minute)" +
                        (state.empty() ? "" : ", most of them waiting in " + state) +
                        (createdBy.empty() ? "" : "; they are created by " + createdBy) +
                        ". None of them finish: each holds its stack and everything it references. Give "
                        "them a way to exit (a closed channel, a cancelled context, a deadline).";
            m_out.push_back(std::move(f));
        }
    }

    // ---- what is left
    void heapGrowth() {
        const Profile* p = latestHeap();
        bool connectionLeak = !m_leakingHosts.empty();
        for (const Series* s : m_s.withLabel("heap_inuse_bytes", "site")) {
            Trend t = trendOf(s->points);
            if (!steadyGrowth(t, 1 << 20, 1.5))
                continue;
            const std::string& site = s->labels.at("site");
            if (m_globalSites.count(site) || m_finalizerSites.count(site))
                continue;
            if (p && !m_globalFrames.empty() && shareThroughFrames(*p, site, m_globalFrames) >= 0.5)
                continue; // reached through the same code as what the global retains
            if (connectionLeak && p && shareThrough(*p, site, isHttpClientMachinery) >= 0.5)
                continue;
            if (connectionLeak && m_serverSideHere && p && shareThrough(*p, site, isHttpServerConn) >= 0.5)
                continue;
            // Goroutine stacks and descriptors grow with any goroutine growth already reported.
            if (m_goroutinesGrow && (site == "runtime.malg" || site == "runtime.allgadd"))
                continue;
            Finding f = make("heap_growth", "warning");
            f.title = "In-use memory grows at " + site;
            f.series = {*s};
            f.snapshots = snapshotsOf(*s);
            f.numbers = {{"first_bytes", t.first}, {"last_bytes", t.last}, {"bytes_per_minute", t.slopePerMinute}};
            std::string callers;
            if (p) {
                std::vector<std::string> names;
                // The user frames under this site, by bytes.
                int idx = p->sampleIndex("inuse_space");
                std::map<std::tuple<std::string, std::string, int64_t>, int64_t> users;
                for (const auto& smp : p->samples) {
                    if (idx < 0 || smp.locations.empty())
                        continue;
                    const auto& l0 = p->locations[smp.locations[0]];
                    if (l0.lines.empty() || p->functions[l0.lines[0].function].name != site)
                        continue;
                    for (uint32_t loc : smp.locations) {
                        bool done = false;
                        for (const auto& ln : p->locations[loc].lines)
                            if (isUserCode(p->functions[ln.function].name)) {
                                const auto& fn = p->functions[ln.function];
                                users[{fn.name, fn.file, ln.line}] += smp.values[size_t(idx)];
                                done = true;
                                break;
                            }
                        if (done)
                            break;
                    }
                }
                for (const auto& [k, v] : users) {
                    f.sites.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), v,
                                       "the program's frame above the growing site"});
                    names.push_back(std::get<0>(k) + " (" + std::get<1>(k) + ":" + std::to_string(std::get<2>(k)) + ")");
                }
                if (!names.empty())
                    callers = " It is reached from " + joinList(names, 3) + ".";
            }
            f.summary = "In-use heap allocated at " + site + " grew steadily from " + bytes(t.first) + " to " +
                        bytes(t.last) + " over " + span(t.spanNs) + " (about " + bytes(t.slopePerMinute) +
                        " a minute) without a global, the finalizer queue or leaked connections explaining "
                        "it." + callers + " Look for caches or collections that only grow, or goroutines "
                                          "holding on to what they allocated.";
            m_out.push_back(std::move(f));
        }
    }

    CaseStore& m_store;
    const TargetInfo& m_target;
    const SeriesSet& m_s;
    std::vector<Finding> m_out;
    std::optional<Error> m_error;
    std::set<std::string> m_leakingHosts, m_explainedRoles, m_globalSites, m_finalizerSites;
    bool m_serverSideHere = false, m_goroutinesGrow = false;
    std::set<std::pair<std::string, int64_t>> m_globalFrames;
    Profile m_heap;
    int64_t m_heapId = 0;
    bool m_heapLoaded = false, m_haveHeap = false;
};

} // namespace

Result<std::vector<Finding>> detectFindings(CaseStore& store) {
    auto series = allSeries(store);
    if (!series)
        return series.error();
    auto targets = store.targets();
    if (!targets)
        return targets.error();
    bool many = targets->size() > 1;
    std::vector<Finding> out;
    for (const auto& t : *targets) {
        SeriesSet set;
        for (const auto& s : *series)
            if (!many || !s.labels.count("target") || s.labels.at("target") == t.name)
                set.all.push_back(&s);
        Detector d(store, t, set);
        auto found = d.run();
        if (!found)
            return found.error();
        for (auto& f : *found)
            out.push_back(std::move(f));
    }
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return severityRank(a.severity) < severityRank(b.severity);
    });
    return out;
}

} // namespace memscope
