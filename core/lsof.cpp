// SPDX-License-Identifier: GPL-3.0-or-later
#include "lsof.h"

#include "line_reader.h"
#include "text_util.h"

#include <algorithm>
#include <charconv>

namespace memscope {

namespace {

void splitHostPort(std::string_view ep, std::string& addr, int64_t& port) {
    auto colon = ep.rfind(':');
    if (colon == std::string_view::npos) {
        addr = std::string(ep);
        return;
    }
    std::string_view host = ep.substr(0, colon), p = ep.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addr = std::string(host);
    int64_t v;
    auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    port = r.ec == std::errc() && r.ptr == p.data() + p.size() ? v : -1;
}

} // namespace

void splitEndpoints(std::string_view name, FdEntry& e) {
    // Text form carries the state in parentheses: "a->b (ESTABLISHED QR=0 QS=0)".
    auto paren = name.find(" (");
    if (paren != std::string_view::npos) {
        std::string_view st = name.substr(paren + 2);
        if (!st.empty() && st.back() == ')')
            st.remove_suffix(1);
        auto sp = st.find(' ');
        if (e.state.empty())
            e.state = std::string(st.substr(0, sp));
        name = name.substr(0, paren);
    }
    while (!name.empty() && name.back() == ' ')
        name.remove_suffix(1);
    auto arrow = name.find("->");
    splitHostPort(name.substr(0, arrow), e.localAddr, e.localPort);
    if (arrow != std::string_view::npos)
        splitHostPort(name.substr(arrow + 2), e.remoteAddr, e.remotePort);
}

bool looksLikeLsofText(std::string_view head) {
    auto nl = head.find('\n');
    std::string_view first = head.substr(0, nl);
    return startsWith(first, "COMMAND") && first.find(" PID ") != std::string_view::npos &&
           first.find(" FD ") != std::string_view::npos && first.find("NAME") != std::string_view::npos;
}

bool looksLikeLsofFields(std::string_view head) {
    // "p<pid>" then more single-letter fields, newline- or NUL-terminated.
    if (head.size() < 3 || head[0] != 'p')
        return false;
    size_t i = 1;
    while (i < head.size() && head[i] >= '0' && head[i] <= '9')
        ++i;
    if (i == 1 || i >= head.size() || (head[i] != '\n' && head[i] != '\0'))
        return false;
    return i + 1 < head.size() && std::string_view("gRcuLf").find(head[i + 1]) != std::string_view::npos;
}

Result<FdSnapshot> parseLsofText(ByteStream& in) {
    FdSnapshot snap;
    LineReader lines(in);
    std::string_view line;
    if (!lines.next(line) || !looksLikeLsofText(line))
        return lines.error() ? *lines.error()
                             : errorAtLine(ErrorCode::Format, 1, "not lsof output: no COMMAND ... NAME header");
    size_t namePos = line.find("NAME");
    auto head = splitFields(line.substr(0, namePos));
    auto col = [&](std::string_view n) {
        for (size_t i = 0; i < head.size(); ++i)
            if (head[i] == n)
                return int(i);
        return -1;
    };
    int cCmd = col("COMMAND"), cPid = col("PID"), cFd = col("FD"), cType = col("TYPE");
    int cNode = col("NODE");
    if (cPid < 0 || cFd < 0 || cType < 0)
        return errorAtLine(ErrorCode::Format, 1, "lsof header lacks PID, FD or TYPE");
    while (lines.next(line)) {
        if (line.empty())
            continue;
        if (line.size() < namePos)
            return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                               "line ends before the NAME column");
        auto t = splitFields(line.substr(0, namePos));
        if (int(t.size()) <= std::max({cType, cPid, cFd, cCmd}))
            return errorAtLine(ErrorCode::Format, lines.lineNumber(), "too few columns");
        int64_t pid = 0;
        std::from_chars(t[size_t(cPid)].data(), t[size_t(cPid)].data() + t[size_t(cPid)].size(), pid);
        if (snap.pid == 0) {
            snap.pid = pid;
            if (cCmd >= 0)
                snap.command = std::string(t[size_t(cCmd)]);
        } else if (pid != snap.pid) {
            continue; // another process: one snapshot is one process
        }
        FdEntry e;
        e.fd = std::string(t[size_t(cFd)]);
        e.type = std::string(t[size_t(cType)]);
        e.name = std::string(line.substr(namePos));
        // The NODE column holds the protocol for IP sockets (and is the last
        // column before NAME, DEVICE and SIZE/OFF may be empty).
        if ((e.type == "IPv4" || e.type == "IPv6") && cNode >= 0 && !t.empty()) {
            std::string_view node = t.back();
            if (node == "TCP" || node == "UDP" || node == "UDPLITE" || node == "SCTP")
                e.protocol = std::string(node);
            splitEndpoints(e.name, e);
        }
        snap.fds.push_back(std::move(e));
    }
    if (lines.error())
        return *lines.error();
    if (snap.pid == 0)
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "lsof output lists no files");
    return snap;
}

Result<FdSnapshot> parseLsofFields(ByteStream& in) {
    FdSnapshot snap;
    LineReader lines(in);
    std::string_view line;
    bool other = false; // inside a second process's set
    FdEntry* cur = nullptr;
    auto field = [&](std::string_view f) -> std::optional<Error> {
        if (f.empty())
            return std::nullopt;
        char id = f[0];
        std::string_view v = f.substr(1);
        if (id == 'p') {
            int64_t pid = 0;
            auto r = std::from_chars(v.data(), v.data() + v.size(), pid);
            if (r.ec != std::errc())
                return errorAtLine(ErrorCode::Format, lines.lineNumber(), "bad process id");
            if (snap.pid == 0)
                snap.pid = pid;
            other = pid != snap.pid;
            cur = nullptr;
            return std::nullopt;
        }
        if (other)
            return std::nullopt;
        switch (id) {
        case 'c': snap.command = std::string(v); break;
        case 'f':
            snap.fds.emplace_back();
            cur = &snap.fds.back();
            cur->fd = std::string(v);
            break;
        case 'a':
            if (cur && !v.empty() && v != " ")
                cur->fd += std::string(v);
            break;
        case 't': if (cur) cur->type = std::string(v); break;
        case 'P': if (cur) cur->protocol = std::string(v); break;
        case 'n':
            if (cur) {
                cur->name = std::string(v);
                if (cur->type == "IPv4" || cur->type == "IPv6")
                    splitEndpoints(v, *cur);
            }
            break;
        case 'T':
            if (cur && startsWith(v, "ST="))
                cur->state = std::string(v.substr(3));
            break;
        default: break; // g R u L l G D d s o i k K M r S m: not needed here
        }
        return std::nullopt;
    };
    while (lines.next(line)) {
        // -F0 ends fields with NUL; split on it as well as on newlines.
        size_t pos = 0;
        while (pos <= line.size()) {
            size_t z = line.find('\0', pos);
            if (auto e = field(line.substr(pos, z == std::string_view::npos ? std::string_view::npos : z - pos)))
                return *e;
            if (z == std::string_view::npos)
                break;
            pos = z + 1;
        }
    }
    if (lines.error())
        return *lines.error();
    if (snap.pid == 0)
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "no process set (p field) found");
    // Entries whose endpoints came before their state are fine; TCP states for
    // sockets listed without -T stay empty.
    return snap;
}

} // namespace memscope
