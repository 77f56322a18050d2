// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/goroutines.h"

namespace memscope {

std::string labelsText(const std::vector<std::pair<std::string, std::string>>& labels) {
    std::string out;
    for (const auto& [k, v] : labels) {
        if (!out.empty())
            out += ", ";
        out += k;
        out += '=';
        out += v;
    }
    return out;
}

} // namespace memscope
