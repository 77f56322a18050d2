// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace memscope {

// One note of the compiler's escape analysis (`go build -gcflags=-m`, -m=2),
// keyed by file:line so an allocation site can show "moved to heap: x" beside it.
struct EscapeNote {
    std::string file; // "./main.go" joined with its package: "leakyapp/main.go"
    int64_t line = 0, column = 0;
    std::string kind; // moved_to_heap, escapes, no_escape, leaking_param, inline, other
    std::string message;
    std::string detail; // -m=2 explanation lines, newline-separated
};

} // namespace memscope
