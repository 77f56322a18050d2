// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "io/input.h"
#include "model/profile.h"
#include "base/progress.h"
#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>
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
};
const char* goroutineRoleName(GoroutineRole r);

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
    int64_t exactVariants = 0; // distinct argument lists within the group
    bool leaked = false;       // the runtime's leak verdict (goroutineleak profile, Go 1.26+)
    bool framesElided = false;
};

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

// `goroutine?debug=1`: "goroutine profile: total N", then records of
// "<count> @ pcs" with their "#" frames. No ids and no states: groups only
// (state "-"), the finalizer and net/http roles still recognised.
bool looksLikeGoroutineProfileText(std::string_view head);
Result<GoroutineDump> parseGoroutineProfileText(ByteStream& in);

// debug=2 dumps and the tracebacks of panics, fatal errors and SIGQUIT.
// A goroutine profile (profile.proto, /debug/pprof/goroutine) as groups: one
// per sample, its value the count, its stack from the locations' lines. The
// proto carries no states or wait times; pprof labels, when present, become
// the state ("label k=v").
GoroutineDump goroutinesFromProfile(const Profile& p);

bool looksLikeGoroutineDump(std::string_view head);
Result<GoroutineDump> parseGoroutineDump(ByteStream& in, const Progress& progress = {});

// The dump starting at byte `at` of a text that may hold several one after
// another (two crashes in one log, a SIGQUIT dump after a panic): it ends
// where a crash report's first line (panic, fatal error, a signal) follows
// its goroutines, and `at` moves there (to the end after the last dump).
Result<GoroutineDump> parseNextGoroutineDump(std::string_view text, uint64_t& at, const Progress& progress = {});

} // namespace memscope
