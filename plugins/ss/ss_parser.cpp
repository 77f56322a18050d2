// SPDX-License-Identifier: GPL-3.0-or-later
#include "ss_parser.h"

#include "base/text_util.h"
#include "io/line_reader.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

namespace memscope::ss {

namespace {

bool isNumber(std::string_view s) {
    int64_t v;
    return parseWholeInt(s, v);
}

std::string lsofState(std::string_view ss) {
    static const std::map<std::string_view, std::string_view> names = {
        {"ESTAB", "ESTABLISHED"},    {"TIME-WAIT", "TIME_WAIT"}, {"CLOSE-WAIT", "CLOSE_WAIT"},
        {"SYN-SENT", "SYN_SENT"},    {"SYN-RECV", "SYN_RECV"},   {"FIN-WAIT-1", "FIN_WAIT1"},
        {"FIN-WAIT-2", "FIN_WAIT2"}, {"LAST-ACK", "LAST_ACK"},   {"UNCONN", ""}};
    auto it = names.find(ss);
    return std::string(it == names.end() ? ss : it->second);
}

const std::vector<std::string_view> kStates = {"LISTEN",   "ESTAB",    "TIME-WAIT",  "CLOSE-WAIT",
                                               "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
                                               "LAST-ACK", "CLOSING",  "UNCONN",     "CLOSED"};

bool isState(std::string_view s) {
    for (auto k : kStates)
        if (s == k)
            return true;
    return false;
}

struct Row {
    FdEntry entry;
    int64_t pid = 0;
    std::string command;
};

} // namespace

bool looksLikeSs(std::string_view head) {
    auto nl = head.find('\n');
    std::string_view first = head.substr(0, nl);
    if ((startsWith(first, "State") || startsWith(first, "Netid") || startsWith(first, "Recv-Q")) &&
        first.find("Local Address:Port") != std::string_view::npos)
        return true;
    // -H: no header; a state (or the two queue numbers) then two endpoints.
    auto t = splitFields(first);
    if (t.size() >= 5 && isState(t[0]) && isNumber(t[1]) && isNumber(t[2]) &&
        t[3].find(':') != std::string_view::npos)
        return true;
    return t.size() >= 4 && isNumber(t[0]) && isNumber(t[1]) &&
           t[2].find(':') != std::string_view::npos && t[3].find(':') != std::string_view::npos;
}

Result<FdSnapshot> parse(ByteStream& in) {
    LineReader lines(in);
    std::string_view line;
    std::vector<Row> rows;
    bool udp = false;
    while (lines.next(line)) {
        if (line.empty() || line[0] == '\t' || (line[0] == ' ' && splitFields(line).empty()))
            continue; // -i info lines are tab-indented
        if (startsWith(line, "State") || startsWith(line, "Netid") || startsWith(line, "Recv-Q"))
            continue;
        auto t = splitFields(line);
        size_t i = 0;
        Row r;
        std::string proto;
        bool unixSocket = false;
        if (!t.empty() && (t[0] == "tcp" || t[0] == "udp" || startsWith(t[0], "u_") ||
                           t[0] == "raw" || t[0] == "nl" || t[0] == "p_raw" || t[0] == "p_dgr")) {
            proto = t[0] == "tcp" ? "TCP" : t[0] == "udp" ? "UDP" : "";
            unixSocket = startsWith(t[0], "u_");
            ++i;
        }
        std::string state;
        if (i < t.size() && isState(t[i]))
            state = std::string(t[i++]);
        if (t.size() < i + 4 || !isNumber(t[i]) || !isNumber(t[i + 1]))
            return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                               "expected 'Recv-Q Send-Q Local Peer' columns");
        // users:(("memdemo",pid=13942,fd=11)) — the first owner, wherever it stands.
        for (std::string_view users : t) {
            if (!startsWith(users, "users:("))
                continue;
            auto q1 = users.find("((\"");
            auto q2 = q1 == std::string_view::npos ? q1 : users.find('"', q1 + 3);
            if (q2 != std::string_view::npos)
                r.command = std::string(users.substr(q1 + 3, q2 - q1 - 3));
            auto p = users.find("pid=");
            if (p != std::string_view::npos) {
                auto e = std::min(users.find_first_of(",)", p), users.size());
                std::from_chars(users.data() + p + 4, users.data() + e, r.pid);
            }
            auto f = users.find("fd=");
            if (f != std::string_view::npos) {
                auto e = std::min(users.find_first_of(",)", f), users.size());
                r.entry.fd = std::string(users.substr(f + 3, e - f - 3));
            }
            break;
        }
        if (unixSocket) {
            // Local path (or *) and inode, peer inode: no ports, no protocol.
            r.entry.type = "unix";
            r.entry.state = state == "ESTAB" ? "CONNECTED" : lsofState(state);
            r.entry.name = std::string(t[i + 2]);
            r.entry.protocol = "-";
            rows.push_back(std::move(r));
            continue;
        }
        if (state == "UNCONN")
            udp = true;
        std::string_view local = t[i + 2], peer = t[i + 3];
        std::string name = std::string(local);
        bool hasPeer = !(peer.size() >= 2 && peer.substr(peer.size() - 2) == ":*") && peer != "*";
        if (hasPeer)
            name += "->" + std::string(peer);
        r.entry.name = name;
        splitEndpoints(name, r.entry);
        if (r.entry.localAddr == "*")
            r.entry.localAddr = "*";
        r.entry.state = lsofState(state);
        r.entry.protocol = proto;
        r.entry.type = local.find('[') != std::string_view::npos ||
                               std::count(local.begin(), local.end(), ':') > 1
                           ? "IPv6"
                           : "IPv4";
        rows.push_back(std::move(r));
    }
    if (lines.error())
        return *lines.error();
    if (rows.empty())
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "no sockets listed");
    // Without a Netid column the protocol follows from the command's -t / -u.
    for (auto& r : rows) {
        if (r.entry.protocol.empty())
            r.entry.protocol = udp ? "UDP" : "TCP";
        else if (r.entry.protocol == "-")
            r.entry.protocol.clear();
    }
    std::map<int64_t, size_t> perPid;
    for (const auto& r : rows)
        ++perPid[r.pid];
    int64_t pid = 0;
    size_t best = 0;
    for (const auto& [p, n] : perPid)
        if (n > best) {
            best = n;
            pid = p;
        }
    FdSnapshot snap;
    snap.pid = pid;
    for (auto& r : rows)
        if (r.pid == pid) {
            if (snap.command.empty())
                snap.command = r.command;
            snap.fds.push_back(std::move(r.entry));
        }
    return snap;
}

} // namespace memscope::ss
