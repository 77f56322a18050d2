// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/progress.h"
#include "base/result.h"
#include "io/input.h"
#include "model/goroutines.h"
#include "model/profile.h"

#include <cstdint>
#include <string_view>

namespace memscope {

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
Result<GoroutineDump> parseNextGoroutineDump(std::string_view text, uint64_t& at,
                                             const Progress& progress = {});

} // namespace memscope
