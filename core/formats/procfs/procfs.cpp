// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/procfs/procfs.h"

#include "base/text_util.h"

#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <cstring>
#include <map>
#include <unordered_map>

namespace memscope {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// Calls fn(lineNumber, line) for each line of text.
template <typename Fn>
void eachLine(std::string_view text, Fn fn) {
    uint64_t n = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        fn(++n, line);
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

// "VmRSS:\t  123456 kB" -> ("VmRSS", bytes). False when the line is not
// "Key: number [kB]".
bool keyValue(std::string_view line, std::string_view& key, double& value) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return false;
    key = line.substr(0, colon);
    std::string_view rest = trim(line.substr(colon + 1));
    bool kb = false;
    if (rest.size() > 3 && rest.substr(rest.size() - 3) == " kB") {
        kb = true;
        rest = trim(rest.substr(0, rest.size() - 3));
    }
    int64_t v = 0;
    if (!parseWholeInt(rest, v))
        return false;
    value = kb ? double(v) * 1024.0 : double(v);
    return true;
}

bool isHex(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return false;
    return true;
}

// "7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0   [anon: Go: heap]": the
// mapping's name (empty for unnamed memory), or nothing when the line is not
// a mapping header.
std::optional<std::string_view> mappingHeader(std::string_view line) {
    auto f = splitFields(line);
    if (f.size() < 5)
        return std::nullopt;
    size_t dash = f[0].find('-');
    if (dash == std::string_view::npos || !isHex(f[0].substr(0, dash)) ||
        !isHex(f[0].substr(dash + 1)))
        return std::nullopt;
    if (f[1].size() != 4 || f[3].find(':') == std::string_view::npos || !isHex(f[2]))
        return std::nullopt;
    // The name starts after the inode field; it may hold spaces.
    size_t at = f[4].data() + f[4].size() - line.data();
    return trim(line.substr(at));
}

// The class a mapping's resident bytes are counted under.
std::string mappingClass(std::string_view name) {
    constexpr std::string_view goPrefix = "[anon: Go: ";
    if (startsWith(name, goPrefix) && name.back() == ']') {
        std::string c = "go_";
        for (char ch : name.substr(goPrefix.size(), name.size() - goPrefix.size() - 1))
            c += std::isalnum(static_cast<unsigned char>(ch))
                     ? char(std::tolower(static_cast<unsigned char>(ch)))
                     : '_';
        return c;
    }
    if (name.empty())
        return "anon";
    if (name == "[heap]")
        return "brk_heap";
    if (name == "[stack]" || startsWith(name, "[stack:"))
        return "main_stack";
    if (name == "[vdso]" || name == "[vvar]" || name == "[vsyscall]" || name == "[vvar_vclock]")
        return "kernel";
    if (startsWith(name, "[anon"))
        return "anon_named";
    if (name.front() == '/')
        return startsWith(name, "/memfd:") || startsWith(name, "/dev/shm/") ? "shmem" : "file";
    return "other";
}

const char* tcpState(unsigned st) {
    static const char* names[] = {
        "",      "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV"};
    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "UNKNOWN";
}

// "0100007F:1F90" (IPv4) or 32 hex digits + ":PORT" (IPv6), each 32-bit word
// in the kernel's byte order (little-endian on every machine Go services run
// on: x86-64, arm64).
bool decodeEndpoint(std::string_view s, bool ipv6, std::string& addr, int64_t& port) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos)
        return false;
    std::string_view hexAddr = s.substr(0, colon), hexPort = s.substr(colon + 1);
    if (hexAddr.size() != (ipv6 ? 32u : 8u) || !isHex(hexAddr) || !isHex(hexPort) ||
        hexPort.size() > 4)
        return false;
    unsigned char bytes[16];
    for (size_t w = 0; w < hexAddr.size() / 8; ++w) {
        uint32_t v = 0;
        std::from_chars(hexAddr.data() + w * 8, hexAddr.data() + w * 8 + 8, v, 16);
        for (int b = 0; b < 4; ++b)
            bytes[w * 4 + b] = (v >> (8 * b)) & 0xff;
    }
    unsigned p = 0;
    std::from_chars(hexPort.data(), hexPort.data() + hexPort.size(), p, 16);
    port = p;
    char text[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes, text, sizeof text))
        return false;
    addr = text;
    if (addr == "0.0.0.0" || addr == "::")
        addr = "*";
    return true;
}

std::string endpointText(const std::string& addr, int64_t port, bool ipv6) {
    std::string a = ipv6 && addr != "*" ? "[" + addr + "]" : addr;
    return a + ":" + std::to_string(port);
}

} // namespace

bool looksLikeProcStatus(std::string_view head) {
    return startsWith(head, "Name:\t") && head.find("\nPid:\t") != std::string_view::npos &&
           head.find("\nVm") != std::string_view::npos;
}

bool looksLikeSmapsRollup(std::string_view head) {
    size_t nl = head.find('\n');
    std::string_view first = head.substr(0, nl);
    return mappingHeader(first) && first.find("[rollup]") != std::string_view::npos;
}

bool looksLikeSmaps(std::string_view head) {
    size_t nl = head.find('\n');
    if (nl == std::string_view::npos || !mappingHeader(head.substr(0, nl)))
        return false;
    return startsWith(head.substr(nl + 1), "Size:");
}

bool looksLikeProcBundle(std::string_view head) { return startsWith(head, kProcBundleMagic); }

Status readProcStatus(std::string_view text, ProcReading& out) {
    static const std::map<std::string_view, const char*> names = {
        {"VmRSS", "process.rss_bytes"},        {"RssAnon", "process.rss_anon_bytes"},
        {"RssFile", "process.rss_file_bytes"}, {"RssShmem", "process.rss_shmem_bytes"},
        {"VmHWM", "process.rss_peak_bytes"},   {"VmSize", "process.vm_size_bytes"},
        {"VmData", "process.vm_data_bytes"},   {"VmSwap", "process.swap_bytes"},
        {"Threads", "process.threads"},
    };
    bool any = false;
    eachLine(text, [&](uint64_t, std::string_view line) {
        if (startsWith(line, "Name:")) {
            out.command = std::string(trim(line.substr(5)));
            return;
        }
        std::string_view key;
        double v;
        if (!keyValue(line, key, v))
            return;
        if (key == "Pid")
            out.pid = int64_t(v);
        if (auto it = names.find(key); it != names.end()) {
            out.metrics.emplace_back(it->second, v);
            any = true;
        }
    });
    if (!any)
        return makeError(ErrorCode::Format,
                         "no memory lines (VmRSS, RssAnon, ...) in what looks like "
                         "/proc/PID/status");
    return {};
}

Status readSmapsRollup(std::string_view text, ProcReading& out) {
    static const std::map<std::string_view, const char*> names = {
        {"Rss", "process.rollup_rss_bytes"},
        {"Pss", "process.pss_bytes"},
        {"Pss_Anon", "process.pss_anon_bytes"},
        {"Pss_File", "process.pss_file_bytes"},
        {"Anonymous", "process.anonymous_bytes"},
        {"Swap", "process.rollup_swap_bytes"},
        {"Private_Dirty", "process.private_dirty_bytes"},
    };
    bool any = false;
    eachLine(text, [&](uint64_t, std::string_view line) {
        std::string_view key;
        double v;
        if (!keyValue(line, key, v))
            return;
        if (auto it = names.find(key); it != names.end()) {
            out.metrics.emplace_back(it->second, v);
            any = true;
        }
    });
    if (!any)
        return makeError(ErrorCode::Format, "no Rss line in what looks like smaps_rollup");
    return {};
}

Status readSmaps(std::string_view text, ProcReading& out) {
    std::map<std::string, double> rss;
    std::string current;
    bool inMapping = false;
    std::optional<Error> err;
    eachLine(text, [&](uint64_t n, std::string_view line) {
        if (err || line.empty())
            return;
        if (auto name = mappingHeader(line)) {
            current = mappingClass(*name);
            inMapping = true;
            return;
        }
        std::string_view key;
        double v;
        if (keyValue(line, key, v)) {
            if (!inMapping) {
                err = errorAtLine(ErrorCode::Format, n, "a smaps field before any mapping line");
                return;
            }
            if (key == "Rss")
                rss[current] += v;
            return;
        }
        // VmFlags and THPeligible carry words, not numbers; anything else
        // that is neither a mapping nor a field is not smaps.
        if (!startsWith(line, "VmFlags:") && !startsWith(line, "THPeligible:") &&
            !startsWith(line, "ProtectionKey:"))
            err = errorAtLine(ErrorCode::Format, n,
                              "neither a mapping nor a field: \"" +
                                  std::string(line.substr(0, 60)) + "\"");
    });
    if (err)
        return *err;
    if (rss.empty())
        return makeError(ErrorCode::Format, "no mapping with an Rss line in smaps");
    for (const auto& [cls, bytes] : rss)
        out.metrics.emplace_back("process.mapping." + cls + ".rss_bytes", bytes);
    return {};
}

Status readNetTcp(std::string_view text, bool ipv6, std::vector<TcpRow>& out) {
    std::optional<Error> err;
    eachLine(text, [&](uint64_t n, std::string_view line) {
        if (err)
            return;
        auto f = splitFields(line);
        if (f.empty() || f[0] == "sl")
            return;
        if (f.size() < 10 || f[0].back() != ':') {
            err = errorAtLine(ErrorCode::Format, n, "not a socket table row");
            return;
        }
        TcpRow row;
        FdEntry& e = row.entry;
        unsigned st = 0;
        uint64_t inode = 0;
        if (!decodeEndpoint(f[1], ipv6, e.localAddr, e.localPort) ||
            !decodeEndpoint(f[2], ipv6, e.remoteAddr, e.remotePort) || !isHex(f[3]) ||
            std::from_chars(f[3].data(), f[3].data() + f[3].size(), st, 16).ec != std::errc() ||
            std::from_chars(f[9].data(), f[9].data() + f[9].size(), inode).ec != std::errc()) {
            err = errorAtLine(ErrorCode::Format, n, "a socket table row with bad fields");
            return;
        }
        row.inode = inode;
        e.type = ipv6 ? "IPv6" : "IPv4";
        e.protocol = "TCP";
        e.state = tcpState(st);
        e.name = endpointText(e.localAddr, e.localPort, ipv6);
        if (e.state == std::string("LISTEN")) {
            e.remoteAddr.clear();
            e.remotePort = -1;
        } else {
            e.name += "->" + endpointText(e.remoteAddr, e.remotePort, ipv6);
        }
        e.name += " (" + e.state + ")";
        out.push_back(std::move(row));
    });
    if (err)
        return *err;
    return {};
}

Status readFdLinks(std::string_view text, const std::vector<TcpRow>& tcp, FdSnapshot& out) {
    std::unordered_map<uint64_t, const TcpRow*> byInode;
    for (const auto& r : tcp)
        byInode.emplace(r.inode, &r);
    std::optional<Error> err;
    eachLine(text, [&](uint64_t n, std::string_view line) {
        if (err || trim(line).empty() || startsWith(line, "total "))
            return;
        size_t arrow = line.find(" -> ");
        if (arrow == std::string_view::npos) {
            err = errorAtLine(ErrorCode::Format, n, "not a \"FD -> TARGET\" line");
            return;
        }
        std::string_view left = trim(line.substr(0, arrow));
        size_t sp = left.find_last_of(" \t");
        std::string_view fd = sp == std::string_view::npos ? left : left.substr(sp + 1);
        std::string_view target = trim(line.substr(arrow + 4));
        int64_t fdNum = 0;
        if (!parseWholeInt(fd, fdNum)) {
            err = errorAtLine(ErrorCode::Format, n, "no descriptor number before \" -> \"");
            return;
        }
        FdEntry e;
        constexpr std::string_view sock = "socket:[";
        if (startsWith(target, sock) && target.back() == ']') {
            uint64_t inode = 0;
            std::string_view num = target.substr(sock.size(), target.size() - sock.size() - 1);
            std::from_chars(num.data(), num.data() + num.size(), inode);
            if (auto it = byInode.find(inode); it != byInode.end()) {
                e = it->second->entry;
            } else {
                e.type = "sock"; // unix, UDP, netlink: not in the TCP tables
                e.name = std::string(target);
            }
        } else if (startsWith(target, "pipe:[")) {
            e.type = "FIFO";
            e.name = std::string(target);
        } else if (startsWith(target, "anon_inode:")) {
            e.type = "a_inode";
            e.name = std::string(target.substr(11));
        } else if (startsWith(target, "/dev/")) {
            e.type = "CHR";
            e.name = std::string(target);
        } else {
            e.type = "REG";
            e.name = std::string(target);
        }
        e.fd = std::string(fd);
        out.fds.push_back(std::move(e));
    });
    if (err)
        return *err;
    return {};
}

Status readProcBundle(std::string_view text, ProcReading& out) {
    // Header: "# memscope proc bundle pid=N time_unix_nano=T"
    size_t nl = text.find('\n');
    std::string_view header = text.substr(0, nl);
    for (auto f : splitFields(header)) {
        int64_t v = 0;
        if (startsWith(f, "pid=") && parseWholeInt(f.substr(4), v))
            out.pid = v;
        if (startsWith(f, "time_unix_nano=") && parseWholeInt(f.substr(15), v) && v > 0)
            out.timeNs = v;
    }
    struct Part {
        std::string path;
        std::string_view body;
        uint64_t line;
    };
    std::vector<Part> parts;
    uint64_t lineNo = 1;
    size_t pos = nl == std::string_view::npos ? text.size() : nl + 1;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        ++lineNo;
        size_t next = end == std::string_view::npos ? text.size() : end + 1;
        if (startsWith(line, "== ")) {
            parts.push_back({std::string(trim(line.substr(3))), {}, lineNo});
        } else if (!parts.empty()) {
            auto& body = parts.back().body;
            body = body.empty() ? text.substr(pos, next - pos)
                                : std::string_view(body.data(), text.data() + next - body.data());
        } else if (!trim(line).empty()) {
            return errorAtLine(ErrorCode::Format, lineNo, "text before the first \"== PATH\" line");
        }
        pos = next;
    }
    std::vector<TcpRow> tcp;
    std::string_view fdLinks;
    bool haveFds = false;
    for (const auto& p : parts) {
        std::string_view path = p.path;
        std::string_view leaf = path.substr(path.find_last_of('/') + 1);
        std::string_view parent = path.substr(0, path.find_last_of('/'));
        parent = parent.substr(parent.find_last_of('/') + 1);
        Status st;
        if (startsWith(p.body, "# error: ")) {
            out.warnings.push_back(std::string(path) + ": " + std::string(trim(p.body.substr(9))));
            continue;
        }
        if (leaf == "status") {
            st = readProcStatus(p.body, out);
        } else if (leaf == "smaps_rollup") {
            st = readSmapsRollup(p.body, out);
        } else if (leaf == "smaps") {
            st = readSmaps(p.body, out);
        } else if ((leaf == "tcp" || leaf == "tcp6") && parent == "net") {
            st = readNetTcp(p.body, leaf == "tcp6", tcp);
        } else if (leaf == "fd") {
            fdLinks = p.body;
            haveFds = true;
        } else if (leaf == "memory.max" || leaf == "memory.current" ||
                   leaf == "memory.swap.current") {
            std::string_view v = trim(p.body);
            int64_t n = 0;
            if (v == "max")
                continue; // no limit
            if (!parseWholeInt(v, n)) {
                st = errorAtLine(ErrorCode::Format, p.line + 1, "not a number of bytes");
            } else {
                std::string name = leaf == "memory.max"       ? "process.cgroup_memory_max_bytes"
                                   : leaf == "memory.current" ? "process.cgroup_memory_bytes"
                                                              : "process.cgroup_swap_bytes";
                out.metrics.emplace_back(name, double(n));
            }
        } else if (leaf == "limits") {
            eachLine(p.body, [&](uint64_t, std::string_view line) {
                if (!startsWith(line, "Max open files"))
                    return;
                auto f = splitFields(line.substr(14));
                int64_t soft = 0;
                if (!f.empty() && parseWholeInt(f[0], soft))
                    out.metrics.emplace_back("process.max_open_files", double(soft));
            });
        } else {
            out.warnings.push_back("a part this version does not read: " + std::string(path));
        }
        if (!st) {
            Error e = st.error();
            if (e.line)
                e.line = *e.line + p.line; // the part's lines count from its "==" line
            else
                e.line = p.line;
            e.message = std::string(path) + ": " + e.message;
            return e;
        }
    }
    if (haveFds) {
        FdSnapshot snap;
        snap.pid = out.pid;
        snap.command = out.command;
        if (auto st = readFdLinks(fdLinks, tcp, snap); !st)
            return st;
        out.fds = std::move(snap);
    }
    if (out.metrics.empty() && !out.fds)
        return makeError(ErrorCode::Format, "a proc bundle with nothing this version reads");
    return {};
}

} // namespace memscope
