// SPDX-License-Identifier: GPL-3.0-or-later
// How findings word their numbers, and how they read the stack lines the
// store keeps ("function file:line").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memscope::detect {

std::string num(double v);    // "12", "3.5"
std::string bytes(double v);  // "1.5 MiB"
std::string span(int64_t ns); // "40 s", "12 min", "1.5 h"
// "a, b and c", at most `max` named and how many more.
std::string joinList(const std::vector<std::string>& v, size_t max = 6);

struct Frame {
    std::string function, file;
    int64_t line = 0;
};
Frame parseStackLine(const std::string& s);

// "net/http.(*Transport).dialConn" -> "net/http"; "main.main.func1" -> "main".
std::string packageOf(const std::string& function);

} // namespace memscope::detect
