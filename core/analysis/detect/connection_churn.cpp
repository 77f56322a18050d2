// SPDX-License-Identifier: GPL-3.0-or-later
// Connections replaced instead of reused: most sockets to a host are new at
// every capture while the number open holds.
#include "analysis/detect/detector.h"

#include "analysis/detect/evidence.h"

namespace memscope::detect {

namespace {

class ConnectionChurnDetector final : public Detector {
public:
    const char* name() const override { return "connection churn"; }
    FindingKind kind() const override { return FindingKind::ConnectionChurn; }
    std::vector<Finding> run(DetectContext& c) const override;
};

std::vector<Finding> ConnectionChurnDetector::run(DetectContext& c) const {
    std::vector<Finding> out;
    const SeriesSet& series = c.series();
    Finding churn = c.makeFinding(FindingKind::ConnectionChurn, Severity::Warning);
    double churnFrac = 0, churnNew = 0, churnOpen = 0;
    for (const Series* s : series.withLabel("tcp_sockets", "host")) {
        Trend t = trendOf(s->points);
        const std::string& host = s->labels.at("host");
        if (steadyGrowth(t, 10, 1.5))
            continue; // a leak, not churn: the connection leak detector's
                      // Churn: most sockets new at each snapshot while the count holds.
        const Series* fresh = series.find("tcp_sockets_new", "host", host);
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
        churn.summary =
            "At each capture, " + num(100 * frac) + "% of the TCP connections to " +
            joinList(churn.hosts) + " on average were new (" + num(churnNew) +
            " new connections in all) while the number open held near " + num(churnOpen) +
            ". Connections are being closed and dialed again instead of kept alive and reused: "
            "typically response bodies not drained and closed, a Transport with keep-alives "
            "disabled, or a client made per request and closed. Each new connection costs a "
            "handshake, a socket and a goroutine or two, and leaves sockets in TIME_WAIT.";
        churn.numbers = {{"mean_new_fraction", frac},
                         {"new_connections", churnNew},
                         {"open_connections_last", churnOpen}};
        out.push_back(std::move(churn));
    }
    return out;
}

} // namespace

std::unique_ptr<Detector> makeConnectionChurnDetector() {
    return std::make_unique<ConnectionChurnDetector>();
}

} // namespace memscope::detect
