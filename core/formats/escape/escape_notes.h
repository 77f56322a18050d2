// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "io/input.h"
#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// One note of `go build -gcflags=-m` (or -m=2), keyed by file:line so an
// allocation site can show "moved to heap: x" beside it.
struct EscapeNote {
    std::string file;  // "./main.go" joined with its package: "leakyapp/main.go"
    int64_t line = 0, column = 0;
    std::string kind;  // moved_to_heap, escapes, no_escape, leaking_param, inline, other
    std::string message;
    std::string detail; // -m=2 explanation lines, newline-separated
};

bool looksLikeEscapeNotes(std::string_view head);
Result<std::vector<EscapeNote>> parseEscapeNotes(ByteStream& in);

} // namespace memscope
