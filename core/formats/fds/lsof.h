// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "io/input.h"
#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// One open file of a process as lsof lists it. For IP sockets the endpoints
// are split out; state is the TCP state ("ESTABLISHED", "LISTEN", ...).
struct FdEntry {
    std::string fd;       // "7u", "cwd", "mem"
    std::string type;     // REG, DIR, IPv4, IPv6, unix, FIFO, a_inode, ...
    std::string protocol; // TCP, UDP for IP sockets
    std::string name;     // lsof's NAME, as printed
    std::string state;
    std::string localAddr, remoteAddr; // IPv6 without brackets; "*" wildcard
    int64_t localPort = -1, remotePort = -1;
};

struct FdSnapshot {
    int64_t pid = 0;
    std::string command;
    std::vector<FdEntry> fds;
    std::vector<std::string> warnings; // rows read with doubt, or left out, and why
};

bool looksLikeLsofText(std::string_view head);
bool looksLikeLsofFields(std::string_view head);
// `lsof -n -P -p PID` (the first process when several are listed).
Result<FdSnapshot> parseLsofText(ByteStream& in);
// `lsof -F ...` and `-F0`, with -T states.
Result<FdSnapshot> parseLsofFields(ByteStream& in);

// "127.0.0.1:35398->127.0.0.1:37687" into the entry's endpoints.
void splitEndpoints(std::string_view name, FdEntry& e);

} // namespace memscope
