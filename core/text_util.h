// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

namespace memscope {

// Small helpers the text importers share.

// Always inlined: parsers call it per line with a literal prefix, which then
// compiles to a few compares instead of a call to memcmp.
[[gnu::always_inline]] inline bool startsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Whitespace-separated fields (spaces and tabs, runs count once).
inline std::vector<std::string_view> splitFields(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t')
            ++j;
        if (j > i)
            out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// The whole of `s` as a decimal integer.
inline bool parseWholeInt(std::string_view s, int64_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

// Calls fn(line, index) for the first maxLines lines of `text` (the last may
// lack its newline) until fn returns false.
template <typename Fn>
void forEachLine(std::string_view text, int maxLines, Fn fn) {
    size_t pos = 0;
    for (int i = 0; i < maxLines && pos < text.size(); ++i) {
        size_t nl = text.find('\n', pos);
        std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (!fn(line, i) || nl == std::string_view::npos)
            return;
        pos = nl + 1;
    }
}

} // namespace memscope
