// SPDX-License-Identifier: GPL-3.0-or-later
// Which sockets of an fd snapshot a goroutine dump's groups serve. A dump
// never names a goroutine's socket: what a goroutine's own functions show
// (a net/http connection loop, a read on a net.Conn, an Accept) says how many
// and of which side, and the counts are matched to the snapshot's sockets.
#pragma once

#include "store/case_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace memscope {

enum class SocketUse {
    None,
    ClientRead,  // net/http.(*persistConn).readLoop: one client connection each
    ClientWrite, // its writeLoop: the same connection as a read loop
    ServerConn,  // net/http.(*conn).serve: one accepted connection each
    ConnIo,      // a read or write on a net.Conn (net.(*netFD).Read/Write): either side
    Accept,      // blocked in Accept: one listening socket
};

SocketUse socketUse(const CaseStore::GoroutineGroupRow& group);

struct SocketDemand {
    std::string key;
    int64_t goroutines = 0;
    SocketUse use = SocketUse::None;
};

struct SocketMatch {
    std::string key;
    int64_t sockets = 0;
    std::string kind;               // client, server, listening
    std::vector<NamedCount> byHost; // remote host (listening: local address)
};

// Client sockets go first to read loops, then to goroutines reading a
// net.Conn; accepted ones first to server connections, then to the readers
// left; write loops share the client sockets the read loops serve. Within
// one claim the sockets are shared in proportion to the goroutines (largest
// remainder), and each group's hosts in proportion to the pool's.
std::vector<SocketMatch> matchSockets(const std::vector<SocketDemand>& demand,
                                      const std::vector<CaseStore::SocketRow>& sockets);

} // namespace memscope
