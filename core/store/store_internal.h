// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers the store's files share: the varint and label packing the writer
// stores and the readers unpack, the chunk size of kept bytes, the clock.
// Private to core/store; nothing outside it includes this.
#pragma once

#include "model/profile.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

namespace memscope::store_internal {

inline void putVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += char(v | 0x80);
        v >>= 7;
    }
    out += char(v);
}

inline bool getVarint(std::string_view& in, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        uint8_t b = uint8_t(in.front());
        in.remove_prefix(1);
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

constexpr size_t kChunk = 4u << 20;

inline int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Labels packed as key US kind US value US unit, records separated by RS.
inline std::string packLabels(const std::pmr::vector<Label>& labels) {
    std::string out;
    for (const auto& l : labels) {
        if (!out.empty())
            out += '\x1e';
        out += l.key;
        out += '\x1f';
        out += l.isNum ? 'n' : 's';
        out += '\x1f';
        out += l.isNum ? std::to_string(l.num) : l.str;
        out += '\x1f';
        out += l.numUnit;
    }
    return out;
}

inline std::vector<Label> unpackLabels(const std::string& s) {
    std::vector<Label> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t end = s.find('\x1e', pos);
        if (end == std::string::npos)
            end = s.size();
        std::string rec = s.substr(pos, end - pos);
        std::vector<std::string> parts;
        size_t p = 0;
        for (;;) {
            size_t q = rec.find('\x1f', p);
            parts.push_back(rec.substr(p, q == std::string::npos ? std::string::npos : q - p));
            if (q == std::string::npos)
                break;
            p = q + 1;
        }
        if (parts.size() == 4) {
            Label l;
            l.key = parts[0];
            l.isNum = parts[1] == "n";
            if (l.isNum)
                l.num = std::strtoll(parts[2].c_str(), nullptr, 10);
            else
                l.str = parts[2];
            l.numUnit = parts[3];
            out.push_back(std::move(l));
        }
        pos = end + 1;
    }
    return out;
}

} // namespace memscope::store_internal
