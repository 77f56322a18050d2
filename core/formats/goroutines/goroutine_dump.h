// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/progress.h"
#include "base/result.h"
#include "io/input.h"
#include "model/goroutines.h"
#include "model/profile.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memscope {

// `goroutine?debug=1`: "goroutine profile: total N", then records of
// "<count> @ pcs" with their "#" frames. No ids and no states: groups only
// (state "-"), the finalizer and net/http roles still recognised.
// Go 1.26's goroutineleak?debug=1 ("goroutineleak profile: total N") is the
// same text, each of its goroutines leaked. Several profiles appended to one
// file are one each; a time line before a header (`date -Is`, a log line)
// dates it. Records with the same frames and labels are one group.
bool looksLikeGoroutineProfileText(std::string_view head);
struct GoroutineProfileText {
    GoroutineDump dump;
    int64_t timeNs = 0; // from a time line before its header, else 0
    bool leakProfile = false;
};
Result<std::vector<GoroutineProfileText>>
parseGoroutineProfileTexts(ByteStream& in, int yearIfMissing = 2000, int64_t notAfterNs = 0);
// The first profile of the text.
Result<GoroutineDump> parseGoroutineProfileText(ByteStream& in);

// debug=2 dumps and the tracebacks of panics, fatal errors and SIGQUIT.
// A goroutine profile (profile.proto, /debug/pprof/goroutine) as groups: one
// per sample, its value the count, its stack from the locations' lines. The
// proto carries no states or wait times; pprof labels, when present, become
// the state ("label k=v").
GoroutineDump goroutinesFromProfile(const Profile& p);

bool looksLikeGoroutineDump(std::string_view head);

// The text between a label list's braces, in any form the runtime prints:
// `"k": "v", ...` (Go 1.26 GODEBUG=tracebacklabels=1, Go-quoted),
// `"k":"v", ...` (debug=1 "# labels:"), `k: v, ...` (Go 1.27). Sorted by
// key; nothing when it is not a label list.
std::optional<std::vector<std::pair<std::string, std::string>>>
parseGoroutineLabels(std::string_view inside);
Result<GoroutineDump> parseGoroutineDump(ByteStream& in, const Progress& progress = {});

// The dump starting at byte `at` of a text that may hold several one after
// another (two crashes in one log, a SIGQUIT dump after a panic): it ends
// where a crash report's first line (panic, fatal error, a signal) follows
// its goroutines, and `at` moves there (to the end after the last dump).
Result<GoroutineDump> parseNextGoroutineDump(std::string_view text, uint64_t& at,
                                             const Progress& progress = {});

} // namespace memscope
