// SPDX-License-Identifier: GPL-3.0-or-later
// Rows as the commands print them: padded columns, the -n limit, and the
// line that says how many rows were left out.
#pragma once

#include "cli/common.h"

#include <cstddef>
#include <string>

namespace memscope::cli {

// `s` left-aligned in a column `w` wide, with at least one space after it.
std::string pad(const std::string& s, size_t w);

// The -n option as given (0 or less shows every row); `fallback` without it.
long rowLimit(const Args& a, long fallback);

// How many of `total` rows a limit from rowLimit shows.
size_t shownRows(size_t total, long limit);

// "(N more WHAT; -n 0 shows all)" when fewer than `total` rows were shown.
void printMoreRows(size_t total, size_t shown, const char* what);

} // namespace memscope::cli
