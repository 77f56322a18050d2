// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// Small helpers the text importers share.

// Always inlined: parsers call it per line with a literal prefix, which then
// compiles to a few compares instead of a call to memcmp.
[[gnu::always_inline]] inline bool startsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Skips spaces and tabs, then reads "0x" and hex digits into v and moves s
// past them; false (s past the spaces only) when no hex number follows.
inline bool readHex(std::string_view& s, uint64_t& v) {
    while (!s.empty() && (s[0] == ' ' || s[0] == '\t'))
        s.remove_prefix(1);
    if (s.size() < 3 || s[0] != '0' || s[1] != 'x')
        return false;
    auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    if (ec != std::errc())
        return false;
    s.remove_prefix(size_t(p - s.data()));
    return true;
}

// "0x" and v in lower-case hex.
inline std::string hexString(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
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

// ---- Text from captures, on its way out. -----------------------------------
// Function names, file names and labels come from files anyone can craft; what
// memscope prints or writes treats them as data, never as markup or commands.

// Length of the well-formed UTF-8 sequence at s[i] (1..4 bytes), 0 when the
// bytes there are not one: Unicode's table 3-7, so no overlong forms, no
// surrogates, nothing past U+10FFFF.
inline size_t utf8SequenceAt(std::string_view s, size_t i) {
    auto at = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = at(0);
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    if (len == 0 || i + len > s.size())
        return 0;
    unsigned char lo = 0x80, hi = 0xBF; // the second byte's range
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (at(1) < lo || at(1) > hi)
        return 0;
    for (size_t k = 2; k < len; ++k)
        if ((at(k) & 0xC0) != 0x80)
            return 0;
    return len;
}

// The code point of a well-formed sequence of `len` bytes at s[i].
inline uint32_t utf8CodePoint(std::string_view s, size_t i, size_t len) {
    auto b = [&](size_t k) { return uint32_t(static_cast<unsigned char>(s[i + k])); };
    switch (len) {
        case 1: return b(0);
        case 2: return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
        case 3: return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
        default:
            return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    }
}

// Code points a terminal or a viewer acts on instead of showing: C0 and C1
// controls, DEL, and the bidirectional overrides and isolates that reorder
// what is shown around them.
inline bool isControlCodePoint(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

// `s` with every broken UTF-8 byte replaced by U+FFFD.
inline std::string validUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8SequenceAt(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

// For a terminal: control characters as visible escapes (\n, \t, \r, \x1b,
// \u009b, \u202e) and broken UTF-8 bytes as \xNN, so text from a capture can
// neither move the cursor, set the clipboard (OSC 52), retitle the window nor
// start a new line of output. Everything else passes unchanged.
inline std::string terminalSafe(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    char buf[12];
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8SequenceAt(s, i);
        if (n == 0) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i]));
            out += buf;
            ++i;
            continue;
        }
        uint32_t cp = utf8CodePoint(s, i, n);
        if (!isControlCodePoint(cp)) {
            out.append(s.substr(i, n));
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\r') {
            out += "\\r";
        } else {
            std::snprintf(buf, sizeof buf, cp < 0x80 ? "\\x%02x" : "\\u%04x", unsigned(cp));
            out += buf;
        }
        i += n;
    }
    return out;
}

// Plain text inside a Markdown paragraph or table cell: HTML's < > & as
// entities (no tags reach a renderer), Markdown's own punctuation backslashed
// (no links, images, emphasis or code spans), a leading # + - = > that would
// start a block escaped, the cell separator | escaped, controls and broken
// UTF-8 shown as escapes on one line.
inline std::string markdownText(std::string_view s) {
    std::string safe = terminalSafe(s), out;
    out.reserve(safe.size() + 8);
    for (size_t i = 0; i < safe.size(); ++i) {
        char c = safe[i];
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '\\':
            case '`':
            case '*':
            case '_':
            case '[':
            case ']':
            case '|':
            case '~':
            case '!':
                out += '\\';
                out += c;
                break;
            case '#':
            case '+':
            case '-':
            case '=':
                if (i == 0)
                    out += '\\';
                out += c;
                break;
            default: out += c;
        }
    }
    return out;
}

// A Markdown code span showing `s` verbatim: fenced by one backtick more than
// the longest run inside, on one line (controls as escapes). In a table cell a
// | is escaped as GitHub's tables need (they show it as |).
inline std::string markdownCode(std::string_view s, bool inTable = false) {
    std::string safe = terminalSafe(s), body;
    size_t run = 0, longest = 0;
    for (char c : safe) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
        if (c == '|' && inTable)
            body += '\\';
        body += c;
    }
    std::string fence(longest + 1, '`');
    bool pad = !body.empty() && (body.front() == '`' || body.back() == '`' || body.front() == ' ');
    return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

// A cell of tab-separated text for a spreadsheet: text starting with = + - @
// (or a tab or CR) would be read as a formula, so it gets a leading
// apostrophe, the spreadsheets' mark for "text"; a plain number, even a
// negative one with its unit ("-1.5MB", "-12.5%", "-3"), stays a number.
// Tabs and line breaks inside become spaces so the row stays one row.
inline std::string spreadsheetCell(std::string_view s) {
    auto plainNumber = [](std::string_view t) {
        size_t i = 0;
        if (i < t.size() && (t[i] == '-' || t[i] == '+'))
            ++i;
        size_t digitsAt = i;
        bool dot = false;
        while (i < t.size() && ((t[i] >= '0' && t[i] <= '9') || (t[i] == '.' && !dot))) {
            dot = dot || t[i] == '.';
            ++i;
        }
        if (i == digitsAt || !(t[digitsAt] >= '0' && t[digitsAt] <= '9'))
            return false;
        // A unit after the number: letters or a percent sign, nothing else.
        for (; i < t.size(); ++i)
            if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') || t[i] == '%'))
                return false;
        return true;
    };
    std::string out;
    out.reserve(s.size() + 1);
    if (!s.empty() &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
         s[0] == '\r') &&
        !plainNumber(s))
        out += '\'';
    for (char c : s)
        out += c == '\t' || c == '\n' || c == '\r' ? ' ' : c;
    return out;
}

} // namespace memscope
