// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/result.h"

namespace memscope {

std::string Error::toString() const {
    std::string s;
    if (!file.empty()) {
        s += file;
        if (line)
            s += ":" + std::to_string(*line);
        s += ": ";
    } else if (line) {
        s += "line " + std::to_string(*line) + ": ";
    }
    if (offset)
        s += "at byte " + std::to_string(*offset) + ": ";
    s += message;
    return s;
}

} // namespace memscope
