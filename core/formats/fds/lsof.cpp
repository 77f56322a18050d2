// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/fds/lsof.h"

#include "base/text_util.h"
#include "io/line_reader.h"

#include <algorithm>
#include <charconv>

namespace memscope {

bool looksLikeLsofText(std::string_view head) {
    auto nl = head.find('\n');
    std::string_view first = head.substr(0, nl);
    return startsWith(first, "COMMAND") && first.find(" PID ") != std::string_view::npos &&
           first.find(" FD ") != std::string_view::npos &&
           first.find("NAME") != std::string_view::npos;
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
    return i + 1 < head.size() &&
           std::string_view("gRcuLf").find(head[i + 1]) != std::string_view::npos;
}

Result<FdSnapshot> parseLsofText(ByteStream& in) {
    FdSnapshot snap;
    LineReader lines(in);
    std::string_view line;
    if (!lines.next(line) || !looksLikeLsofText(line))
        return lines.error() ? *lines.error()
                             : errorAtLine(ErrorCode::Format, 1,
                                           "not lsof output: no COMMAND ... NAME header");
    size_t namePos = line.find("NAME");
    auto head = splitFields(line.substr(0, namePos));
    auto col = [&](std::string_view n) {
        for (size_t i = 0; i < head.size(); ++i)
            if (head[i] == n)
                return int(i);
        return -1;
    };
    int cCmd = col("COMMAND"), cPid = col("PID"), cFd = col("FD"), cType = col("TYPE");
    if (cPid < 0 || cFd < 0 || cType < 0)
        return errorAtLine(ErrorCode::Format, 1, "lsof header lacks PID, FD or TYPE");
    // Rows are read by content, not by the header's column positions: an
    // edited file, or a long DEVICE or NODE, moves the NAME column. The first
    // columns (COMMAND PID USER FD TYPE) are never empty; for IP sockets the
    // protocol is the token just before NAME.
    size_t shifted = 0, shortRows = 0;
    uint64_t firstShifted = 0, firstShort = 0;
    auto isProtocol = [](std::string_view t) {
        return t == "TCP" || t == "UDP" || t == "UDPLITE" || t == "SCTP";
    };
    while (lines.next(line)) {
        if (line.empty())
            continue;
        auto t = splitFields(line);
        if (int(t.size()) <= std::max({cType, cPid, cFd, cCmd})) {
            if (!shortRows++)
                firstShort = lines.lineNumber();
            continue;
        }
        int64_t pid = 0;
        std::from_chars(t[size_t(cPid)].data(), t[size_t(cPid)].data() + t[size_t(cPid)].size(),
                        pid);
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
        auto offsetOf = [&](std::string_view tok) { return size_t(tok.data() - line.data()); };
        std::string_view name;
        bool ip = e.type == "IPv4" || e.type == "IPv6";
        if (ip) {
            for (size_t k = size_t(cType) + 1; k + 1 < t.size(); ++k)
                if (isProtocol(t[k])) {
                    e.protocol = std::string(t[k]);
                    name = line.substr(offsetOf(t[k + 1]));
                    break;
                }
        }
        if (name.empty()) {
            // Where the header puts NAME, when the row reaches it and a
            // token starts there; else the last token.
            bool aligned = false;
            for (size_t k = size_t(cType) + 1; k < t.size() && !aligned; ++k)
                if (offsetOf(t[k]) == namePos) {
                    name = line.substr(namePos);
                    aligned = true;
                }
            if (!aligned && t.size() > size_t(cType) + 1) {
                name = t.back();
                if (!shifted++)
                    firstShifted = lines.lineNumber();
            }
        }
        e.name = std::string(name);
        if (ip && !e.protocol.empty())
            splitEndpoints(e.name, e);
        snap.fds.push_back(std::move(e));
    }
    if (lines.error())
        return *lines.error();
    if (snap.pid == 0)
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "lsof output lists no files");
    if (shortRows)
        snap.warnings.push_back(std::to_string(shortRows) +
                                " rows with fewer columns than the header (first at line " +
                                std::to_string(firstShort) + ") were left out");
    if (shifted)
        snap.warnings.push_back(
            std::to_string(shifted) + " rows do not line up with the header (first at line " +
            std::to_string(firstShifted) + "): their NAME is taken as the last column");
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
            case 't':
                if (cur)
                    cur->type = std::string(v);
                break;
            case 'P':
                if (cur)
                    cur->protocol = std::string(v);
                break;
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
            if (auto e = field(line.substr(pos, z == std::string_view::npos ? std::string_view::npos
                                                                            : z - pos)))
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
