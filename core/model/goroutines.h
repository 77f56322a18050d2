// SPDX-License-Identifier: GPL-3.0-or-later
// A goroutine dump as memscope keeps it: frames interned, goroutines grouped,
// each group's job named from the runtime's own functions.
#pragma once

#include "model/enum_names.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memscope {

// A goroutine's job as the runtime's own functions reveal it.
enum class GoroutineRole {
    None,
    FinalizerIdle,    // runtime.runfinq waiting for work
    FinalizerRunning, // the finalizer goroutine inside a user finalizer
    HttpClientRead,   // net/http.(*persistConn).readLoop: one per pooled connection
    HttpClientWrite,  // net/http.(*persistConn).writeLoop
    HttpServerConn,   // net/http.(*conn).serve: one per accepted connection
    CleanupIdle,      // runtime.runCleanups waiting for work (Go 1.24+, AddCleanup)
    CleanupRunning,   // a cleanup goroutine inside a user cleanup function
};

// As stored in the case and printed: "" for None.
inline constexpr NameTable<GoroutineRole, 8> kGoroutineRoleNames{{
    {GoroutineRole::None, ""},
    {GoroutineRole::FinalizerIdle, "finalizer_idle"},
    {GoroutineRole::FinalizerRunning, "finalizer_running"},
    {GoroutineRole::HttpClientRead, "http_client_readloop"},
    {GoroutineRole::HttpClientWrite, "http_client_writeloop"},
    {GoroutineRole::HttpServerConn, "http_server_conn"},
    {GoroutineRole::CleanupIdle, "cleanup_idle"},
    {GoroutineRole::CleanupRunning, "cleanup_running"},
}};
constexpr const char* toString(GoroutineRole r) { return nameIn(kGoroutineRoleNames, r); }
constexpr std::optional<GoroutineRole> parseGoroutineRole(std::string_view s) {
    return valueIn(kGoroutineRoleNames, s);
}

struct GoFrame {
    std::string function;
    std::string file;
    int64_t line = 0;
};

// Goroutines with the same functions and lines, state and creator, whatever
// their arguments and wait times: panicparse's aggressive grouping.
struct GoroutineGroup {
    std::vector<uint32_t> frames; // innermost first, indices into GoroutineDump::frames
    int32_t createdBy = -1;       // frame index of the `created by` site, -1 none
    std::string state;            // wait reason or status, without minutes
    GoroutineRole role = GoroutineRole::None;
    int64_t count = 0;
    int64_t lockedToThread = 0;
    int64_t minWaitMinutes = -1, maxWaitMinutes = -1; // -1: not printed
    int64_t exactVariants = 0;                        // distinct argument lists within the group
    bool leaked = false; // the runtime's leak verdict (goroutineleak profile, Go 1.26+)
    bool framesElided = false;
    // "...N frames elided...": N, after the first `elidedAt` frames; -1 for
    // "...additional frames elided..." (past the runtime's 100, no count).
    int64_t elidedFrames = 0;
    uint32_t elidedAt = 0;
    // pprof labels (Go 1.26 tracebacklabels=1, Go 1.27, debug=1 "# labels:"),
    // sorted by key as the runtime prints them; part of what makes a group.
    std::vector<std::pair<std::string, std::string>> labels;
};

// "job=sync, tenant=a": a group's labels as people read them.
std::string labelsText(const std::vector<std::pair<std::string, std::string>>& labels);

struct GoroutineRecord {
    int64_t id = 0;
    uint32_t group = 0;
    int64_t waitMinutes = -1;
    int64_t parentId = 0; // Go 1.21+: "created by ... in goroutine N"
    bool locked = false;
};

struct GoroutineDump {
    std::vector<GoFrame> frames; // interned
    std::vector<GoroutineGroup> groups;
    std::vector<GoroutineRecord> goroutines;
    std::string preamble; // "panic: ...", "fatal error: ...", "SIGQUIT: quit"
    std::vector<std::string> warnings;
    bool truncated = false;
};

} // namespace memscope
