// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/escape/escape_notes.h"

#include "base/text_util.h"
#include "io/line_reader.h"

#include <charconv>

namespace memscope {

namespace {

bool contains(std::string_view s, std::string_view p) {
    return s.find(p) != std::string_view::npos;
}

// "<file>:<line>:<col>: <message>", split at the first ":<digits>:<digits>: ".
bool splitPosition(std::string_view l, std::string_view& file, int64_t& line, int64_t& col,
                   std::string_view& msg) {
    for (size_t i = l.find(':'); i != std::string_view::npos; i = l.find(':', i + 1)) {
        const char* p = l.data() + i + 1;
        const char* end = l.data() + l.size();
        auto r1 = std::from_chars(p, end, line);
        if (r1.ec != std::errc() || r1.ptr == p || r1.ptr >= end || *r1.ptr != ':')
            continue;
        auto r2 = std::from_chars(r1.ptr + 1, end, col);
        if (r2.ec != std::errc() || r2.ptr == r1.ptr + 1 || end - r2.ptr < 2 || r2.ptr[0] != ':' ||
            r2.ptr[1] != ' ')
            continue;
        file = l.substr(0, i);
        msg = std::string_view(r2.ptr + 2, size_t(end - r2.ptr - 2));
        return !file.empty();
    }
    return false;
}

std::string classify(std::string_view m) {
    if (startsWith(m, "moved to heap: "))
        return "moved_to_heap";
    if (contains(m, " does not escape"))
        return "no_escape";
    if (contains(m, " escapes to heap"))
        return "escapes";
    if (startsWith(m, "leaking param content: "))
        return "leaking_param_content";
    if (startsWith(m, "leaking param: ") || contains(m, " leaks to "))
        return "leaking_param";
    if (startsWith(m, "can inline ") || startsWith(m, "inlining call to ") ||
        startsWith(m, "cannot inline "))
        return "inline";
    return "other";
}

} // namespace

bool looksLikeEscapeNotes(std::string_view head) {
    // Every complete line among the first: a "# package" header first, then
    // "<file.go>:<line>:<col>: <message>".
    int notes = 0;
    bool bad = false;
    size_t complete = head.rfind('\n');
    if (complete == std::string_view::npos)
        return false;
    forEachLine(head.substr(0, complete), 20, [&](std::string_view l, int i) {
        if (i == 0 && startsWith(l, "# "))
            return true;
        std::string_view f, m;
        int64_t a, b;
        if (!splitPosition(l, f, a, b, m) || f.find(".go") == std::string_view::npos) {
            bad = true;
            return false;
        }
        ++notes;
        return true;
    });
    return !bad && notes >= 1;
}

Result<std::vector<EscapeNote>> parseEscapeNotes(ByteStream& in) {
    std::vector<EscapeNote> out;
    LineReader lines(in);
    std::string_view l;
    std::string package;
    while (lines.next(l)) {
        if (startsWith(l, "# ")) {
            package = std::string(l.substr(2));
            continue;
        }
        std::string_view file, msg;
        int64_t line, col;
        if (!splitPosition(l, file, line, col, msg))
            continue; // compiler errors and other output
        std::string path(file);
        if (startsWith(path, "./") && !package.empty())
            path = package + path.substr(1);
        // -m=2 explanation lines share the position and are indented.
        if (startsWith(msg, "  ") && !out.empty() && out.back().file == path &&
            out.back().line == line) {
            size_t text = msg.find_first_not_of(' ');
            if (text == std::string_view::npos)
                continue; // a line of blanks explains nothing
            auto& d = out.back().detail;
            d += (d.empty() ? "" : "\n") + std::string(msg.substr(text));
            continue;
        }
        EscapeNote n;
        n.file = std::move(path);
        n.line = line;
        n.column = col;
        n.message = std::string(msg);
        if (!n.message.empty() && n.message.back() == ':')
            n.message.pop_back(); // "p escapes to heap:" heads a -m=2 block
        n.kind = classify(n.message);
        out.push_back(std::move(n));
    }
    if (lines.error())
        return *lines.error();
    if (out.empty())
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "no escape-analysis notes found");
    return out;
}

} // namespace memscope
