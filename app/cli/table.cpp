// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/table.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace memscope::cli {

std::string pad(const std::string& s, size_t w) {
    return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
}

long rowLimit(const Args& a, long fallback) {
    if (auto n = a.opt("-n"))
        return std::strtol(n->c_str(), nullptr, 10);
    return fallback;
}

size_t shownRows(size_t total, long limit) {
    return limit <= 0 ? total : std::min(total, size_t(limit));
}

void printMoreRows(size_t total, size_t shown, const char* what) {
    if (shown < total)
        std::cout << "(" << total - shown << " more " << what << "; -n 0 shows all)\n";
}

} // namespace memscope::cli
