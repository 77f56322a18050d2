// SPDX-License-Identifier: GPL-3.0-or-later
// Open files and sockets read back from fd snapshots (lsof, ss). The rule for
// a client socket lives here and nowhere else.
#include "store/case_store.h"
#include "store/db.h"

namespace memscope {

namespace {

// The SQL test for a client socket among the `fds` rows of the snapshot bound
// as ?1: TCP with a peer, on a local port the process does not listen on (a
// server's accepted connections keep its listening port), so the peer is a
// host the process called.
const std::string kClientSocketSql =
    "(protocol = 'TCP' AND remote_addr <> '' AND local_port NOT IN"
    " (SELECT local_port FROM fds WHERE snapshot_id = ?1 AND state = 'LISTEN'))";

// The (name, count) rows of a query on the snapshot bound as ?1.
Result<std::vector<NamedCount>> namedCounts(Db& db, const std::string& sql, SnapshotId snapshotId) {
    std::vector<NamedCount> out;
    Stmt q(db, sql);
    q.bind(1, snapshotId);
    if (auto st = q.each([&] { out.push_back({q.text(0), q.i64(1)}); }); !st)
        return st.error();
    return out;
}

} // namespace

Result<std::vector<CaseStore::SocketRow>> CaseStore::tcpSockets(SnapshotId snapshotId) {
    std::vector<SocketRow> out;
    Stmt s(*m_db, "SELECT fd, local_addr, local_port, remote_addr, remote_port, state, " +
                      kClientSocketSql +
                      " FROM fds WHERE snapshot_id = ?1 AND protocol = 'TCP'"
                      " ORDER BY remote_addr, remote_port, local_port");
    s.bind(1, snapshotId);
    if (auto st = s.each([&] {
            out.push_back(
                {s.text(0), s.text(1), s.text(3), s.text(5), s.i64(2), s.i64(4), s.i64(6) != 0});
        });
        !st)
        return st.error();
    return out;
}

Result<std::vector<ClientSocket>> CaseStore::clientSockets(SnapshotId snapshotId) {
    std::vector<ClientSocket> out;
    Stmt q(*m_db,
           "SELECT remote_addr, local_port, remote_port, state FROM fds WHERE snapshot_id = ?1"
           " AND " +
               kClientSocketSql);
    q.bind(1, snapshotId);
    if (auto st = q.each([&] { out.push_back({q.text(0), q.i64(1), q.i64(2), q.text(3)}); }); !st)
        return st.error();
    return out;
}

Result<std::vector<std::string>> CaseStore::listeningAddresses(SnapshotId snapshotId) {
    std::vector<std::string> out;
    Stmt q(*m_db, "SELECT DISTINCT local_addr FROM fds WHERE snapshot_id = ? AND state = 'LISTEN'");
    q.bind(1, snapshotId);
    if (auto st = q.each([&] { out.push_back(q.text(0)); }); !st)
        return st.error();
    return out;
}

Result<FdCounts> CaseStore::fdCounts(SnapshotId snapshotId) {
    FdCounts out;
    auto total =
        namedCounts(*m_db, "SELECT '', count(*) FROM fds WHERE snapshot_id = ?1", snapshotId);
    if (!total)
        return total.error();
    out.total = total->empty() ? 0 : total->front().count;
    auto byType = namedCounts(
        *m_db, "SELECT type, count(*) FROM fds WHERE snapshot_id = ?1 GROUP BY type", snapshotId);
    if (!byType)
        return byType.error();
    out.byType = std::move(*byType);
    auto byState =
        namedCounts(*m_db,
                    "SELECT state, count(*) FROM fds WHERE snapshot_id = ?1 AND protocol = 'TCP'"
                    " AND state <> '' GROUP BY state",
                    snapshotId);
    if (!byState)
        return byState.error();
    out.tcpByState = std::move(*byState);
    auto byHost = namedCounts(*m_db,
                              "SELECT remote_addr, count(*) FROM fds WHERE snapshot_id = ?1 AND " +
                                  kClientSocketSql + " GROUP BY remote_addr",
                              snapshotId);
    if (!byHost)
        return byHost.error();
    out.clientsByHost = std::move(*byHost);
    return out;
}

} // namespace memscope
