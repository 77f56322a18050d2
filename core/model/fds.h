// SPDX-License-Identifier: GPL-3.0-or-later
// A process's open files and sockets at one time, whichever tool listed them
// (lsof, ss, a plugin).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// One open file of a process. For IP sockets the endpoints are split out;
// state is the TCP state ("ESTABLISHED", "LISTEN", ...).
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

// "127.0.0.1:35398->127.0.0.1:37687" (with lsof's " (ESTABLISHED)" after it,
// when present) into the entry's endpoints and state.
void splitEndpoints(std::string_view name, FdEntry& e);

} // namespace memscope
