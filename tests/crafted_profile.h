// SPDX-License-Identifier: GPL-3.0-or-later
// profile.proto bytes written by hand, for captures crafted to make memscope
// misbehave: hostile function names, millions of tiny samples.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace memscope::test {

inline std::string pbVarint(uint64_t v) {
    std::string out;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out += char(v ? b | 0x80 : b);
    } while (v);
    return out;
}
inline std::string pbInt(int field, uint64_t v) {
    return pbVarint(uint64_t(field) << 3) + pbVarint(v);
}
inline std::string pbBytes(int field, const std::string& payload) {
    return pbVarint(uint64_t(field) << 3 | 2) + pbVarint(payload.size()) + payload;
}

// A heap profile (inuse_space only) with one function per name, each the
// leaf of its own one-frame stack with `values[i]` bytes; time_nanos when
// nonzero.
inline std::string craftedHeapProfile(const std::vector<std::string>& names,
                                      const std::vector<int64_t>& values, int64_t timeNanos = 0) {
    std::vector<std::string> strings = {"", "inuse_space", "bytes", "main.go"};
    std::string p = pbBytes(1, pbInt(1, 1) + pbInt(2, 2));
    for (size_t i = 0; i < names.size(); ++i) {
        strings.push_back(names[i]);
        uint64_t id = i + 1, str = strings.size() - 1;
        p += pbBytes(5, pbInt(1, id) + pbInt(2, str) + pbInt(3, str) + pbInt(4, 3));
        p += pbBytes(4, pbInt(1, id) + pbBytes(4, pbInt(1, id) + pbInt(2, 10 + id)));
        p += pbBytes(2, pbInt(1, id) + pbInt(2, uint64_t(values[i])));
    }
    for (const auto& s : strings)
        p += pbBytes(6, s);
    if (timeNanos)
        p += pbInt(9, uint64_t(timeNanos));
    return p;
}

// One function and location, then `samples` samples of `frames` frames and
// one value each: a few bytes per sample on the wire.
inline std::string tinySamplesProfile(size_t samples, int frames = 1) {
    std::string p = pbBytes(1, pbInt(1, 1) + pbInt(2, 2));
    p += pbBytes(5, pbInt(1, 1) + pbInt(2, 3) + pbInt(4, 4));
    p += pbBytes(4, pbInt(1, 1) + pbBytes(4, pbInt(1, 1) + pbInt(2, 10)));
    for (const char* s : {"", "inuse_space", "bytes", "main.leak", "main.go"})
        p += pbBytes(6, s);
    std::string body;
    for (int f = 0; f < frames; ++f)
        body += pbInt(1, 1);
    std::string sample = pbBytes(2, body + pbInt(2, 1));
    p.reserve(p.size() + samples * sample.size());
    for (size_t i = 0; i < samples; ++i)
        p += sample;
    return p;
}

// Hostile names: terminal escapes (OSC 52 sets the clipboard), a newline, HTML
// that runs script, a spreadsheet formula, Markdown code fences and pipes, and
// bytes that are not UTF-8 (a lone 0xff, an overlong NUL, a surrogate).
inline std::vector<std::string> hostileNames() {
    return {"main.clip\x1b]52;c;ZXZpbA==\x07\x1b[2J",
            "main.split\nINJECTED line",
            "<svg onload=alert(1)>",
            "<img src=x onerror=alert(2)>",
            "=HYPERLINK(\"http://x.invalid\",\"y\")",
            "main.`tick`|pipe*em*[link](http://x.invalid)",
            "main.bad\xff\xc0\x80\xed\xa0\x80utf8"};
}

} // namespace memscope::test
