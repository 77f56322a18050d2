// SPDX-License-Identifier: GPL-3.0-or-later
// Linux /proc files of one process: its memory as the kernel counts it
// (status, smaps_rollup, smaps), its cgroup's limit and usage, its
// open-files limit, and its descriptors joined with the socket tables
// (fd links + net/tcp, net/tcp6), which gives what lsof gives without lsof.
//
// Each file is read as the kernel prints it. `memscope capture --pid` keeps
// them together in one "proc bundle" per round: a header line, then each file
// under a `== PATH` line, its bytes unchanged.
#pragma once

#include "base/result.h"
#include "model/fds.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memscope {

constexpr std::string_view kProcBundleMagic = "# memscope proc bundle";

// What one reading of /proc says. metrics are named "process.*" (bytes unless
// the name says otherwise); fds is set when the bundle lists descriptors.
struct ProcReading {
    int64_t pid = 0;
    std::string command;
    std::optional<int64_t> timeNs; // the bundle's capture time
    std::vector<std::pair<std::string, double>> metrics;
    std::optional<FdSnapshot> fds;
    std::vector<std::string> warnings;
};

bool looksLikeProcStatus(std::string_view head);
bool looksLikeSmapsRollup(std::string_view head);
bool looksLikeSmaps(std::string_view head);
bool looksLikeProcBundle(std::string_view head);

// One file as the kernel prints it; `what` says which (the bundle's path or
// a sniffed kind: "status", "smaps_rollup", "smaps").
Status readProcStatus(std::string_view text, ProcReading& out);
Status readSmapsRollup(std::string_view text, ProcReading& out);
// Resident bytes per mapping class: the Go runtime's named mappings (Go 1.25+
// on kernels with anonymous VMA names: `[anon: Go: heap]`), the brk heap,
// thread stacks, the executable and other files, and unnamed anonymous memory.
Status readSmaps(std::string_view text, ProcReading& out);
// A whole bundle; every file in it by its path's last component.
Status readProcBundle(std::string_view text, ProcReading& out);

// /proc/net/tcp and tcp6 rows: the socket inode and its endpoints.
struct TcpRow {
    uint64_t inode = 0;
    FdEntry entry; // protocol, state, endpoints (type IPv4/IPv6)
};
// Appends the rows of one table; a malformed row is an error naming its line.
Status readNetTcp(std::string_view text, bool ipv6, std::vector<TcpRow>& out);
// `N -> target` lines (also the tail of `ls -l /proc/PID/fd`), joined with
// the socket rows by inode.
Status readFdLinks(std::string_view text, const std::vector<TcpRow>& tcp, FdSnapshot& out);

} // namespace memscope
