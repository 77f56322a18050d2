// SPDX-License-Identifier: GPL-3.0-or-later
#include "result.h"

namespace memscope {

const char* errorCodeName(ErrorCode code) {
    switch (code) {
    case ErrorCode::Io: return "io";
    case ErrorCode::Format: return "format";
    case ErrorCode::Truncated: return "truncated";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Limit: return "limit";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Database: return "database";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::Usage: return "usage";
    }
    return "error";
}

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
