// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the goroutine dump grammar (headers of every Go version,
// frames, created-by, ancestry, log prefixes, several dumps per file) and its
// parallel streaming parse share one set of line classifiers; a split per
// construct is pending.
#include "formats/goroutines/goroutine_dump.h"

#include "base/intern_table.h"
#include "base/log_time.h"
#include "base/text_util.h"
#include "io/input.h"
#include "io/line_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace memscope {

namespace {

struct Header {
    int64_t id = 0;
    std::string_view state; // the line's text, or `joined` when parts were joined
    int64_t minutes = -1;
    bool locked = false;
    bool joined = false;
    bool leaked = false;     // Go 1.26+ goroutine leak profile: "[chan send (leaked)]"
    std::string_view labels; // tracebacklabels: the text between the braces
};

// goroutine <id>[ gp=0x.. m=..[ mp=0x..]] [<status>[ (leaked)][ (scan)][ (durable)][, N minutes]
//     [, locked to thread][, synctest bubble N][ labels:{"k": "v", ...}]]:
// and Go 1.27's labels after the brackets: ... [<status>...] {k: v, ...}:
bool parseHeader(std::string_view line, Header& h, std::string& joined) {
    if (!startsWith(line, "goroutine ") || line.size() < 14 || line.back() != ':')
        return false;
    std::string_view rest = line.substr(10);
    rest.remove_suffix(1);    // ':'
    if (rest.back() == '}') { // labels after the status
        size_t brace = rest.rfind("] {");
        if (brace == std::string_view::npos)
            return false;
        h.labels = rest.substr(brace + 3, rest.size() - brace - 4);
        rest = rest.substr(0, brace + 1);
    }
    if (rest.empty() || rest.back() != ']')
        return false;
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos || !parseWholeInt(rest.substr(0, sp), h.id))
        return false;
    size_t open = rest.find(" [");
    if (open == std::string_view::npos)
        return false;
    std::string_view inside = rest.substr(open + 2, rest.size() - open - 3);
    if (size_t at = inside.rfind(" labels:{");
        at != std::string_view::npos && inside.back() == '}') {
        h.labels = inside.substr(at + 9, inside.size() - at - 10);
        inside = inside.substr(0, at);
    }
    // Split at ", " for the minutes and locked parts (wait reasons hold no commas).
    std::string_view state;
    size_t pos = 0;
    bool first = true;
    while (pos <= inside.size()) {
        size_t comma = inside.find(", ", pos);
        std::string_view part = inside.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        if (first) {
            state = part;
            first = false;
        } else if (part == "locked to thread") {
            h.locked = true;
        } else if (part.size() > 8 && part.substr(part.size() - 8) == " minutes" &&
                   parseWholeInt(part.substr(0, part.size() - 8), h.minutes)) {
        } else if (startsWith(part, "synctest bubble ")) {
        } else {
            if (!h.joined)
                joined.assign(state);
            h.joined = true;
            joined += ", "; // e.g. labels in newer Go; keep them
            joined += part;
            state = joined;
        }
        if (comma == std::string_view::npos)
            break;
        pos = comma + 2;
    }
    // Annotations after the wait reason, in the order the runtime prints them.
    auto dropSuffix = [&](std::string_view suffix) {
        if (state.size() > suffix.size() && state.substr(state.size() - suffix.size()) == suffix) {
            state.remove_suffix(suffix.size());
            return true;
        }
        return false;
    };
    dropSuffix(" (durable)");
    dropSuffix(" (scan)");
    h.leaked = dropSuffix(" (leaked)");
    h.state = state;
    return true;
}

// One string of a label list: Go-quoted as the runtime's printquoted writes
// it ("a\"b", \n, \t, \xHH, \uHHHH, \UHHHHHHHH), or bare up to `stop`.
bool labelToken(std::string_view& s, std::string& out, std::string_view stop) {
    out.clear();
    if (s.empty() || s[0] != '"') {
        size_t end = s.find(stop);
        out.assign(s.substr(0, end));
        s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
        return !out.empty() || stop == ", ";
    }
    size_t i = 1;
    auto hex = [&](size_t digits) -> std::optional<uint32_t> {
        uint32_t v = 0;
        if (i + digits > s.size())
            return std::nullopt;
        for (size_t k = 0; k < digits; ++k) {
            char c = s[i + k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                return std::nullopt;
            v = v * 16 + uint32_t(d);
        }
        i += digits;
        return v;
    };
    while (i < s.size() && s[i] != '"') {
        if (s[i] != '\\') {
            out += s[i++];
            continue;
        }
        if (++i >= s.size())
            return false;
        char e = s[i++];
        std::optional<uint32_t> cp;
        switch (e) {
            case 'n': out += '\n'; continue;
            case 'r': out += '\r'; continue;
            case 't': out += '\t'; continue;
            case 'x': cp = hex(2); break;
            case 'u': cp = hex(4); break;
            case 'U': cp = hex(8); break;
            default: out += e; continue;
        }
        if (!cp || *cp > 0x10ffff)
            return false;
        uint32_t c = *cp; // as UTF-8
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xc0 | (c >> 6));
            out += char(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out += char(0xe0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3f));
            out += char(0x80 | (c & 0x3f));
        } else {
            out += char(0xf0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3f));
            out += char(0x80 | ((c >> 6) & 0x3f));
            out += char(0x80 | (c & 0x3f));
        }
    }
    if (i >= s.size())
        return false;
    s = s.substr(i + 1);
    return true;
}

} // namespace

// The text between a label list's braces: `"k": "v", ...` (Go 1.26
// tracebacklabels, quoted), `"k":"v", ...` (debug=1 "# labels:") or
// `k: v, ...` (Go 1.27, bare). Sorted by key; nothing when malformed.
std::optional<std::vector<std::pair<std::string, std::string>>>
parseGoroutineLabels(std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string key, value;
    auto skipSpaces = [&] {
        while (!s.empty() && s[0] == ' ')
            s.remove_prefix(1);
    };
    skipSpaces();
    while (!s.empty()) {
        if (!labelToken(s, key, ":") || s.empty() || s[0] != ':')
            return std::nullopt;
        s.remove_prefix(1);
        skipSpaces();
        if (!labelToken(s, value, ", "))
            return std::nullopt;
        out.emplace_back(std::move(key), std::move(value));
        skipSpaces();
        if (s.empty())
            break;
        if (s[0] != ',')
            return std::nullopt;
        s.remove_prefix(1);
        skipSpaces();
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

namespace {

// A frame's file line up to its line number: "\t<file>:<line>", without the
// " +0x.." and " fp=.. sp=.. pc=.." that may follow. The file may hold spaces
// and colons; what follows the line number holds no colon.
[[gnu::always_inline]] inline std::string_view fileLineKey(std::string_view line) {
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos)
        return line;
    size_t end = colon + 1;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9')
        ++end;
    return line.substr(0, end);
}

// `line` without its indent (the runtime's tab, or spaces after a paste or
// in journald), or nothing when it is not indented.
std::optional<std::string_view> indented(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && (line[i] == '\t' || line[i] == ' '))
        ++i;
    if (i == 0 || i == line.size())
        return std::nullopt;
    return line.substr(i);
}

// A frame's file line, its indent taken off: "<file>:<line>[ +0x..]".
bool parseFileLine(std::string_view line, std::string& file, int64_t& lineNo) {
    std::string_view key = fileLineKey(line);
    if (key.size() < line.size() && line[key.size()] != ' ')
        return false;
    size_t colon = key.rfind(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !parseWholeInt(key.substr(colon + 1), lineNo))
        return false;
    file = std::string(key.substr(0, colon));
    return true;
}

// "pkg.F(args)" -> "pkg.F" and "args". Generics print "pkg.F[...](args)".
bool splitCall(std::string_view line, std::string_view& fn, std::string_view& args) {
    if (line.empty() || line.back() != ')')
        return false;
    // The argument list is the last top-level (...).
    int depth = 0;
    for (size_t i = line.size(); i-- > 0;) {
        if (line[i] == ')')
            ++depth;
        else if (line[i] == '(' && --depth == 0) {
            fn = line.substr(0, i);
            args = line.substr(i + 1, line.size() - i - 2);
            return !fn.empty();
        }
    }
    return false;
}

// The shape of a log line's prefix, for tracebacks kept in logs (container
// logs with timestamps, journald): its text with each run of digits standing
// for any run of digits, so times and pids may change from line to line.
class PrefixShape {
public:
    explicit PrefixShape(std::string_view sample) : m_text(sample) {}
    // The prefix's length at the start of `line`, or npos when it has another shape.
    size_t match(std::string_view line) const {
        size_t i = 0, j = 0;
        while (i < m_text.size()) {
            if (isDigit(m_text[i])) {
                while (i < m_text.size() && isDigit(m_text[i]))
                    ++i;
                size_t start = j;
                while (j < line.size() && isDigit(line[j]))
                    ++j;
                if (j == start)
                    return std::string_view::npos;
            } else {
                if (j >= line.size() || line[j] != m_text[i])
                    return std::string_view::npos;
                ++i, ++j;
            }
        }
        return j;
    }
    std::string_view strip(std::string_view line) const {
        size_t k = match(line);
        return k == std::string_view::npos ? line : line.substr(k);
    }

private:
    static bool isDigit(char c) { return c >= '0' && c <= '9'; }
    std::string m_text;
};

// A goroutine header after a log prefix: the prefix's length, or npos.
size_t prefixedHeader(std::string_view line) {
    size_t at = line.find("goroutine ");
    if (at == 0 || at == std::string_view::npos)
        return std::string_view::npos;
    Header h;
    std::string joined;
    return parseHeader(line.substr(at), h, joined) ? at : std::string_view::npos;
}

// What a frame's function says about its goroutine's job (see GoroutineRole).
enum FrameRole : uint8_t { kNoRole, kRunfinq, kRunCleanups, kReadLoop, kWriteLoop, kServe };
FrameRole frameRole(const std::string& fn) {
    if (fn == "runtime.runfinq" || fn == "runtime.runFinalizers") // Go 1.25+ names it runFinalizers
        return kRunfinq;
    if (fn == "runtime.runCleanups") // runtime.AddCleanup's goroutines, Go 1.24+
        return kRunCleanups;
    if (fn == "net/http.(*persistConn).readLoop")
        return kReadLoop;
    if (fn == "net/http.(*persistConn).writeLoop")
        return kWriteLoop;
    if (fn == "net/http.(*conn).serve")
        return kServe;
    return kNoRole;
}

bool isRuntime(const std::string& fn) { return startsWith(fn, "runtime."); }

// A dump's frames, each stored once, with the role its function names. A
// frame is keyed by its function and its location as the input printed it.
struct FrameTable {
    InternTable index;
    std::vector<uint8_t> roles; // by frame index

    // The frame's index; for a new key, make() builds the frame or returns
    // nothing when the text does not parse (then -1, and nothing is kept).
    template <typename Make>
    int64_t intern(GoroutineDump& dump, std::string_view function, std::string_view location,
                   Make make) {
        if (auto id = index.find(function, location))
            return *id;
        std::optional<GoFrame> f = make();
        if (!f)
            return -1;
        roles.push_back(frameRole(f->function));
        dump.frames.push_back(std::move(*f));
        return index.add(function, location);
    }
    // The same, for a frame already parsed: keyed by "file:line".
    uint32_t intern(GoroutineDump& dump, const GoFrame& f) {
        m_location.assign(f.file);
        m_location += ':';
        m_location += std::to_string(f.line);
        return uint32_t(
            intern(dump, f.function, m_location, [&] { return std::optional<GoFrame>(f); }));
    }

private:
    std::string m_location;
};

// A group's role from its frames' roles. The finalizer goroutine runs a
// finalizer when a frame inside runtime.runfinq is not the runtime's (text
// profiles drop the runtime frames on top, protos keep them).
void assignRole(GoroutineGroup& g, const GoroutineDump& dump, const std::vector<uint8_t>& roles) {
    bool runfinq = false, cleanups = false, userInside = false;
    for (uint32_t f : g.frames) {
        switch (roles[f]) {
            case kRunfinq: runfinq = true; break;
            case kRunCleanups: cleanups = true; break;
            case kReadLoop: g.role = GoroutineRole::HttpClientRead; break;
            case kWriteLoop: g.role = GoroutineRole::HttpClientWrite; break;
            case kServe: g.role = GoroutineRole::HttpServerConn; break;
            default:
                if (!runfinq && !cleanups && !isRuntime(dump.frames[f].function))
                    userInside = true;
                break;
        }
    }
    if (runfinq)
        g.role = userInside ? GoroutineRole::FinalizerRunning : GoroutineRole::FinalizerIdle;
    else if (cleanups)
        g.role = userInside ? GoroutineRole::CleanupRunning : GoroutineRole::CleanupIdle;
}

} // namespace

GoroutineDump goroutinesFromProfile(const Profile& p) {
    GoroutineDump dump;
    int idx = p.sampleIndex("goroutine");
    // Go 1.26's goroutineleak profile (GOEXPERIMENT=goroutineleakprofile):
    // every goroutine in it is one the runtime proved can never run again.
    const bool leakProfile = idx < 0 && p.sampleIndex("goroutineleak") >= 0;
    if (leakProfile)
        idx = p.sampleIndex("goroutineleak");
    if (idx < 0)
        idx = p.defaultSampleIndex();
    if (idx < 0)
        return dump;
    FrameTable frames;
    std::map<std::vector<uint32_t>, size_t> groupOf; // same stack and labels: one group
    for (const auto& s : p.samples) {
        if (size_t(idx) >= s.values.size() || s.values[size_t(idx)] <= 0)
            continue;
        GoroutineGroup g;
        for (uint32_t loc : s.locations) {
            if (loc >= p.locations.size())
                continue;
            for (const auto& ln : p.locations[loc].lines) { // innermost (inlined) first
                if (ln.function >= p.functions.size())
                    continue;
                const Function& fn = p.functions[ln.function];
                g.frames.push_back(frames.intern(dump, GoFrame{fn.name, fn.file, ln.line}));
            }
        }
        for (const auto& l : s.labels)
            g.labels.emplace_back(l.key, l.isNum ? std::to_string(l.num) : l.str);
        std::stable_sort(g.labels.begin(), g.labels.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        g.state = "-";
        g.leaked = leakProfile;
        std::vector<uint32_t> key = g.frames;
        for (const auto& [k, v] : g.labels) {
            key.push_back(UINT32_MAX);
            for (char c : k + '\x1f' + v)
                key.push_back(uint8_t(c));
        }
        g.count = s.values[size_t(idx)];
        auto [at, fresh] = groupOf.emplace(std::move(key), dump.groups.size());
        if (!fresh) {
            dump.groups[at->second].count += g.count;
            continue;
        }
        assignRole(g, dump, frames.roles);
        g.exactVariants = 1;
        dump.groups.push_back(std::move(g));
    }
    return dump;
}

namespace {

// "goroutine profile: total N" and Go 1.26's "goroutineleak profile: total N":
// the total, and whether every goroutine counted is a leaked one.
bool countHeader(std::string_view line, int64_t& total, bool& leak) {
    for (std::string_view name : {"goroutine", "goroutineleak"})
        if (startsWith(line, name) && startsWith(line.substr(name.size()), " profile: total ")) {
            leak = name.size() > 9;
            return parseWholeInt(line.substr(name.size() + 16), total) && total >= 0;
        }
    return false;
}

} // namespace

bool looksLikeGoroutineProfileText(std::string_view head) {
    // The header first, or after a line that is a time (`date -u -Is` before
    // each capture appended to one file).
    bool found = false;
    forEachLine(head, 2, [&](std::string_view line, int i) {
        int64_t total;
        bool leak;
        found = countHeader(line, total, leak);
        return !found && i == 0 && logLineTime(line, 2000).has_value();
    });
    return found;
}

Result<std::vector<GoroutineProfileText>>
parseGoroutineProfileTexts(ByteStream& in, int yearIfMissing, int64_t notAfterNs) {
    std::vector<GoroutineProfileText> out;
    LineReader lines(in);
    std::string_view line;
    FrameTable frames;
    GoroutineGroup cur;
    bool open = false;
    int64_t total = 0, sum = 0;
    uint64_t headerLine = 0;
    int64_t pendingTime = 0; // a time line before the next header
    // Identical records (the same frames and labels; the runtime keys its
    // records by PCs, so two call sites on one line print alike) are one group.
    std::map<std::string, size_t> groupOf;
    auto close = [&] {
        if (!open)
            return;
        open = false;
        GoroutineDump& dump = out.back().dump;
        std::string key;
        for (uint32_t f : cur.frames)
            key.append(reinterpret_cast<const char*>(&f), sizeof f);
        for (const auto& [k, v] : cur.labels)
            key += '\x1e' + k + '\x1f' + v;
        sum += cur.count;
        auto [at, fresh] = groupOf.emplace(std::move(key), dump.groups.size());
        if (!fresh) {
            dump.groups[at->second].count += cur.count;
            ++dump.groups[at->second].exactVariants;
        } else {
            assignRole(cur, dump, frames.roles);
            cur.exactVariants = 1;
            dump.groups.push_back(std::move(cur));
        }
        cur = GoroutineGroup{};
    };
    auto finishProfile = [&] {
        close();
        if (out.empty())
            return;
        if (sum != total)
            out.back().dump.warnings.push_back("records from line " + std::to_string(headerLine) +
                                               " add up to " + std::to_string(sum) +
                                               " goroutines, the header says " +
                                               std::to_string(total) + " (a cut-off file?)");
    };
    while (lines.next(line)) {
        int64_t t;
        bool leak;
        if (countHeader(line, t, leak)) {
            finishProfile();
            out.emplace_back();
            out.back().timeNs = pendingTime;
            out.back().leakProfile = leak;
            pendingTime = 0;
            frames = FrameTable{};
            groupOf.clear();
            total = t;
            sum = 0;
            headerLine = lines.lineNumber();
            continue;
        }
        if (out.empty()) {
            auto lt = line.empty() ? std::nullopt : logLineTime(line, yearIfMissing, notAfterNs);
            if (lt)
                pendingTime = lt->ns;
            else if (!line.empty() || lines.lineNumber() > 2)
                return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                                   "no 'goroutine profile: total' header");
            continue;
        }
        if (line.empty()) {
            close();
            continue;
        }
        if (line[0] >= '0' && line[0] <= '9') {
            close();
            auto at = line.find(" @");
            if (at == std::string_view::npos) {
                // A time line before the next profile appended to the file.
                if (auto lt = logLineTime(line, yearIfMissing, notAfterNs)) {
                    pendingTime = lt->ns;
                    continue;
                }
            }
            if (at == std::string_view::npos || !parseWholeInt(line.substr(0, at), cur.count) ||
                cur.count < 0)
                return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                                   "malformed record: expected '<count> @ <pcs>'");
            cur.state = "-";
            cur.leaked = out.back().leakProfile;
            open = true;
            continue;
        }
        if (!open) {
            // Between two profiles appended to one file: a time line dates
            // the next one.
            if (auto lt = logLineTime(line, yearIfMissing, notAfterNs))
                pendingTime = lt->ns;
            continue;
        }
        if (startsWith(line, "# labels: {") && line.back() == '}') {
            if (auto l = parseGoroutineLabels(line.substr(11, line.size() - 12)))
                cur.labels = std::move(*l);
            else
                out.back().dump.warnings.push_back("line " + std::to_string(lines.lineNumber()) +
                                                   ": labels not understood, left out");
            continue;
        }
        if (!startsWith(line, "#\t"))
            continue;
        // "#\t0x<pc>\t<func>+0x<off>\t<file>:<line>", tab-padded columns.
        std::string_view rest = line.substr(2);
        auto t1 = rest.find('\t');
        if (t1 == std::string_view::npos)
            continue; // an unsymbolized PC
        rest = rest.substr(t1 + 1);
        auto t2 = rest.find('\t');
        std::string_view fn = rest.substr(0, t2);
        auto plus = fn.rfind("+0x");
        if (plus != std::string_view::npos)
            fn = fn.substr(0, plus);
        GoFrame f{std::string(fn), {}, 0};
        if (t2 != std::string_view::npos) {
            std::string_view loc = rest.substr(t2);
            auto start = loc.find_first_not_of('\t');
            if (start == std::string_view::npos)
                return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                                   "malformed frame location");
            loc = loc.substr(start);
            auto colon = loc.rfind(':');
            if (colon == std::string_view::npos || !parseWholeInt(loc.substr(colon + 1), f.line))
                return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                                   "malformed frame location");
            f.file = std::string(loc.substr(0, colon));
        }
        cur.frames.push_back(frames.intern(out.back().dump, f));
    }
    if (lines.error())
        return *lines.error();
    finishProfile();
    if (out.empty())
        return errorAtLine(ErrorCode::Format, 1, "no 'goroutine profile: total' header");
    return out;
}

Result<GoroutineDump> parseGoroutineProfileText(ByteStream& in) {
    auto all = parseGoroutineProfileTexts(in);
    if (!all)
        return all.error();
    return std::move(all->front().dump);
}

bool looksLikeGoroutineDump(std::string_view head) {
    // The first goroutine header within the first lines, after an optional
    // panic / fatal error / SIGQUIT preamble.
    bool found = false;
    forEachLine(head, 64, [&](std::string_view line, int i) {
        Header h;
        std::string joined;
        if (parseHeader(line, h, joined)) {
            found = true;
            return false;
        }
        return i != 0 || startsWith(line, "panic: ") || startsWith(line, "fatal error: ") ||
               startsWith(line, "SIGQUIT") || startsWith(line, "runtime: ") ||
               startsWith(line, "fatal: ");
    });
    if (found)
        return true;
    // A header followed by a call line anywhere: after a program's own log
    // lines, a shell prompt, a terminal's "^\SIGQUIT: quit" echo.
    bool afterHeader = false;
    forEachLine(head, 100000, [&](std::string_view line, int) {
        std::string_view fn, args;
        if (afterHeader && !indented(line) && splitCall(line, fn, args)) {
            found = true;
            return false;
        }
        Header h;
        std::string joined;
        afterHeader = parseHeader(line, h, joined);
        return true;
    });
    if (found)
        return true;
    // A traceback inside a log: a prefixed header followed by a call line
    // with the same prefix.
    std::optional<PrefixShape> shape;
    forEachLine(head, 100000, [&](std::string_view line, int) {
        if (shape) {
            std::string_view fn, args;
            std::string_view rest = shape->strip(line);
            found = rest.size() < line.size() && !rest.empty() && rest[0] != '\t' &&
                    splitCall(rest, fn, args);
            if (found)
                return false;
            shape.reset();
        }
        if (size_t at = prefixedHeader(line); at != std::string_view::npos)
            shape.emplace(line.substr(0, at));
        return true;
    });
    return found;
}

namespace {

// The runtime writes a debug=2 dump into a buffer it stops growing at
// 64 MiB: a dump of exactly that size was cut there, most likely mid-line.
constexpr uint64_t kRuntimeCap = 64ull << 20;
// From this size on, a dump in memory is parsed in two halves at once.
constexpr size_t kParallelBytes = 4u << 20;

// A line before the first goroutine that makes the dump a crash report.
bool isCrashLine(std::string_view l) {
    if (startsWith(l, "^\\")) // a terminal's echo of Ctrl+\ before "SIGQUIT: quit"
        l.remove_prefix(2);
    // "SIGQUIT: quit", "SIGABRT: abort", "SIGSEGV: segmentation violation", ...
    bool signal = startsWith(l, "SIG") && l.size() > 5 && l.find(':') != std::string_view::npos &&
                  l.find(':') <= 8;
    return signal || startsWith(l, "panic: ") || startsWith(l, "fatal error: ") ||
           startsWith(l, "runtime: ") || startsWith(l, "fatal: ") ||
           startsWith(l, "unexpected fault address");
}

// A line that starts another crash report once goroutines were read: the
// next dump in a log holding several.
bool startsReport(std::string_view l) {
    switch (l.empty() ? '\0' : l[0]) {
        case 'p': return startsWith(l, "panic: ");
        case 'f': return startsWith(l, "fatal error: ");
        case 'S':
        case '^': return isCrashLine(l) && (startsWith(l, "SIG") || startsWith(l, "^\\SIG"));
        default: return false;
    }
}

// How one part of a dump is read: its place in the file, and what the
// part before it decided.
struct PartContext {
    bool crashReport = false;    // the preamble said panic, fatal error or SIGQUIT
    bool findPrefix = true;      // the first header may carry a log prefix
    bool keepExactPairs = false; // list (group, argument hash) pairs for a merge
    bool stopAtReport = false;   // end the dump where a crash report starts after goroutines
    uint64_t lineBase = 0;       // lines before the part
    uint64_t byteBase = 0;       // decoded bytes before the part
};

struct DumpPart {
    GoroutineDump dump;
    std::optional<uint64_t> nextReport; // decoded offset where another dump starts
    std::unordered_set<uint64_t> exactSeen;
    std::vector<std::pair<uint32_t, uint64_t>> exactPairs;
    bool cutAtCap = false;
    bool lastTerminated = true;
    uint64_t lastLine = 0, endByte = 0;
    size_t skipped = 0;
};

Result<DumpPart> parsePart(ByteStream& in, const Progress& progress, const PartContext& ctx) {
    DumpPart part;
    GoroutineDump& dump = part.dump;
    LineReader lines(in);
    // When the lines stay valid (a plain file in memory) the parser keeps
    // views of them; else what must outlive a line is copied to a store.
    const bool stable = lines.stableLines();
    auto keep = [stable](std::string_view v, std::string& store) -> std::string_view {
        if (stable)
            return v;
        store.assign(v);
        return store;
    };
    // Frames keyed by their raw text: the function, and the file line as
    // printed up to the line number.
    FrameTable frameTable;
    const std::vector<uint8_t>& roles = frameTable.roles;
    // Returns the frame index, or -1 when the file line does not parse.
    auto intern = [&](std::string_view function, std::string_view fileLine) -> int64_t {
        return frameTable.intern(dump, function, fileLineKey(fileLine),
                                 [&]() -> std::optional<GoFrame> {
                                     GoFrame f{std::string(function), {}, 0};
                                     if (!parseFileLine(fileLine, f.file, f.line))
                                         return std::nullopt;
                                     return f;
                                 });
    };
    InternTable groupIndex;
    std::string groupKey;
    std::unordered_set<uint64_t>& exactSeen = part.exactSeen; // hash of (group, arguments)

    bool crashReport =
        ctx.crashReport; // a panic, fatal error or SIGQUIT traceback, not a debug=2 dump

    // The goroutine being read.
    bool open = false;
    Header h;
    std::string headerJoined, stateStore;
    std::vector<uint32_t> frames;
    uint64_t argsHash = 0; // of the argument lists, frame by frame
    int32_t createdBy = -1;
    int64_t parentId = 0;
    bool elided = false;
    int64_t elidedFrames = 0;
    uint32_t elidedAt = 0;
    std::string labelsStore;
    std::vector<std::pair<std::string, std::string>> labels;
    // A call line waiting for its file line.
    bool pending = false;
    std::string_view pendingFunction, pendingArgs;
    std::string pendingFunctionStore, pendingArgsStore;
    bool expectCreatorFile = false;
    bool inAncestry = false; // after "[originating from goroutine N]:"
    std::string_view creatorFunction;
    std::string creatorStore;
    uint64_t headerLine = 0;
    size_t skipped = 0;

    auto close = [&]() {
        if (!open)
            return;
        open = false;
        if (pending || expectCreatorFile) {
            dump.truncated = true;
            dump.warnings.push_back("the dump ends inside goroutine " + std::to_string(h.id) +
                                    " (line " + std::to_string(headerLine) +
                                    "): cut off, as the runtime does past 64 MiB; its last frame "
                                    "is dropped");
            pending = false;
            expectCreatorFile = false;
        }
        GoroutineRole role = GoroutineRole::None;
        bool hasRunfinq = false, hasRunCleanups = false;
        for (uint32_t f : frames) {
            switch (roles[f]) {
                case kRunfinq: hasRunfinq = true; break;
                case kRunCleanups: hasRunCleanups = true; break;
                case kReadLoop: role = GoroutineRole::HttpClientRead; break;
                case kWriteLoop: role = GoroutineRole::HttpClientWrite; break;
                case kServe: role = GoroutineRole::HttpServerConn; break;
                default: break;
            }
        }
        if (hasRunfinq) {
            role = h.state == "finalizer wait" ? GoroutineRole::FinalizerIdle
                                               : GoroutineRole::FinalizerRunning;
        } else if (hasRunCleanups) {
            role = h.state == "cleanup wait" ? GoroutineRole::CleanupIdle
                                             : GoroutineRole::CleanupRunning;
        } else if (createdBy < 0 && h.id != 1 && !frames.empty() && !elided &&
                   !isRuntime(dump.frames[frames.back()].function) && !crashReport) {
            // debug=2 hides runfinq: a user function at the bottom of a
            // goroutine nobody created is the finalizer goroutine running it.
            role = GoroutineRole::FinalizerRunning;
        }
        groupKey.clear();
        groupKey += char(role);
        groupKey += char(h.leaked);
        groupKey.append(reinterpret_cast<const char*>(&createdBy), sizeof createdBy);
        groupKey.append(reinterpret_cast<const char*>(frames.data()),
                        frames.size() * sizeof(uint32_t));
        // Labels make groups of their own: the same code serving two tenants.
        labels.clear();
        if (!h.labels.empty()) {
            if (auto parsed = parseGoroutineLabels(h.labels))
                labels = std::move(*parsed);
            else
                dump.warnings.push_back("goroutine " + std::to_string(h.id) + " (line " +
                                        std::to_string(headerLine) +
                                        "): labels not understood, left out");
            for (const auto& [k, v] : labels) {
                groupKey += '\x1e';
                groupKey += k;
                groupKey += '\x1f';
                groupKey += v;
            }
        }
        uint32_t gi;
        if (auto found = groupIndex.find(groupKey, h.state)) {
            gi = *found;
        } else {
            gi = groupIndex.add(groupKey, h.state);
            GoroutineGroup g;
            g.frames = frames;
            g.createdBy = createdBy;
            g.state = std::string(h.state);
            g.role = role;
            g.leaked = h.leaked;
            g.labels = labels;
            g.elidedFrames = elidedFrames;
            g.elidedAt = elidedAt;
            dump.groups.push_back(std::move(g));
        }
        GoroutineGroup& g = dump.groups[gi];
        ++g.count;
        g.lockedToThread += h.locked;
        g.framesElided = g.framesElided || elided;
        if (h.minutes >= 0) {
            g.minWaitMinutes =
                g.minWaitMinutes < 0 ? h.minutes : std::min(g.minWaitMinutes, h.minutes);
            g.maxWaitMinutes = std::max(g.maxWaitMinutes, h.minutes);
        }
        if (exactSeen.insert(hashBytes({reinterpret_cast<const char*>(&gi), sizeof gi}, argsHash))
                .second) {
            ++g.exactVariants;
            if (ctx.keepExactPairs)
                part.exactPairs.emplace_back(gi, argsHash);
        }
        dump.goroutines.push_back({h.id, gi, h.minutes, parentId, h.locked});
    };

    bool& cutAtCap = part.cutAtCap;
    std::optional<PrefixShape> prefix; // of a traceback kept in a log
    // What comes before the first goroutine ("panic: ...", "SIGQUIT: quit"):
    // its last 4 KiB, as a log may hold much else before.
    auto addPreamble = [&](std::string_view l) {
        crashReport = crashReport || isCrashLine(l);
        if (!dump.preamble.empty())
            dump.preamble += '\n';
        dump.preamble.append(l.substr(0, 4096));
        if (dump.preamble.size() > 4096) {
            size_t cut = dump.preamble.find('\n', dump.preamble.size() - 4096);
            dump.preamble.erase(0,
                                cut == std::string::npos ? dump.preamble.size() - 4096 : cut + 1);
        }
    };
    std::string_view line;
    uint64_t lastReport = 0;
    uint64_t lineEnd = 0; // decoded bytes up to the end of the line before
    while (lines.next(line)) {
        const uint64_t lineStart = lineEnd;
        lineEnd = lines.decodedBytes();
        if (!lines.lastLineTerminated() && ctx.byteBase + lines.decodedBytes() == kRuntimeCap) {
            // The cut line is dropped; a frame or creator waiting for it is
            // reported by close() as cut off.
            cutAtCap = true;
            break;
        }
        if (lines.bytesRead() - lastReport > (8u << 20)) {
            lastReport = lines.bytesRead();
            progress(ctx.byteBase + lastReport, 0, "goroutines");
            if (progress.cancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
        }
        if (prefix) {
            line = prefix->strip(line);
        } else if (ctx.findPrefix && !open && dump.goroutines.empty()) {
            // The first header decides: a prefix before it is a log's, taken
            // off every line of its shape from here on (and off the preamble).
            if (size_t at = prefixedHeader(line); at != std::string_view::npos) {
                prefix.emplace(line.substr(0, at));
                line.remove_prefix(at);
                std::string raw = std::move(dump.preamble);
                dump.preamble.clear();
                forEachLine(raw, INT32_MAX, [&](std::string_view l, int) {
                    addPreamble(prefix->strip(l));
                    return true;
                });
            }
        }
        if (ctx.stopAtReport && (open || !dump.goroutines.empty()) && startsReport(line)) {
            part.nextReport = ctx.byteBase + lineStart;
            break;
        }
        Header nh;
        if (startsWith(line, "goroutine ") && parseHeader(line, nh, headerJoined)) {
            close();
            open = true;
            h = nh;
            if (!stable || h.joined) {
                stateStore.assign(h.state);
                h.state = stateStore;
            }
            if (!stable && !h.labels.empty()) {
                labelsStore.assign(h.labels);
                h.labels = labelsStore;
            }
            headerLine = ctx.lineBase + lines.lineNumber();
            frames.clear();
            argsHash = 0;
            createdBy = -1;
            parentId = 0;
            elided = false;
            elidedFrames = 0;
            elidedAt = 0;
            inAncestry = false;
            continue;
        }
        if (!open) {
            if (dump.goroutines.empty() && !line.empty())
                addPreamble(line);
            continue;
        }
        if (line.empty()) {
            close();
            continue;
        }
        std::optional<std::string_view> fileLine = indented(line);
        if (inAncestry) {
            // GODEBUG=tracebackancestors: the stacks of the goroutines that
            // created this one, as they were then. Ancestry, not this
            // goroutine's frames or creator.
            continue;
        }
        if (expectCreatorFile) {
            expectCreatorFile = false;
            if (fileLine) {
                if (int64_t id = intern(creatorFunction, *fileLine); id >= 0)
                    createdBy = int32_t(id);
                continue;
            }
        }
        if (pending) {
            pending = false;
            int64_t id = fileLine ? intern(pendingFunction, *fileLine) : -1;
            if (id >= 0) {
                frames.push_back(uint32_t(id));
                argsHash = hashBytes(pendingArgs, argsHash);
                continue;
            }
            ++skipped;
        }
        if (startsWith(line, "[originating from goroutine ")) {
            inAncestry = true;
            continue;
        }
        if (startsWith(line, "created by ")) {
            std::string_view rest = line.substr(11);
            auto in = rest.find(" in goroutine ");
            if (in != std::string_view::npos) {
                int64_t parent;
                if (parseWholeInt(rest.substr(in + 14), parent))
                    parentId = parent;
                rest = rest.substr(0, in);
            }
            creatorFunction = keep(rest, creatorStore);
            expectCreatorFile = true;
            continue;
        }
        if (startsWith(line, "...") && line.find("elided") != std::string_view::npos) {
            // "...N frames elided..." (Go 1.21+, the middle of a deep stack)
            // or "...additional frames elided..." (past 100 frames, no count).
            elided = true;
            elidedAt = uint32_t(frames.size());
            int64_t n = 0;
            size_t sp = line.find(' ');
            elidedFrames =
                sp != std::string_view::npos && parseWholeInt(line.substr(3, sp - 3), n) && n > 0
                    ? n
                    : -1;
            continue;
        }
        std::string_view fn, args;
        if (!fileLine && splitCall(line, fn, args)) {
            pendingFunction = keep(fn, pendingFunctionStore);
            pendingArgs = keep(args, pendingArgsStore);
            pending = true;
            continue;
        }
        ++skipped; // register dumps, "goroutine running on other thread", cgo lines
    }
    if (lines.error())
        return *lines.error();
    close();
    part.skipped = skipped;
    part.endByte = ctx.byteBase + lines.decodedBytes();
    part.lastTerminated = lines.lastLineTerminated();
    part.lastLine = ctx.lineBase + lines.lineNumber();
    return part;
}

// The goroutines of `b`, parsed after those of `a`, added to `a` as if one
// parse had read both: frames and groups first seen in `b` come after a's,
// in b's order, and argument lists seen in both count once.
void mergePart(DumpPart& a, DumpPart&& b) {
    GoroutineDump& d = a.dump;
    std::unordered_map<std::string, uint32_t> frameOf;
    auto frameKey = [](const GoFrame& f) {
        return f.function + '\0' + f.file + ':' + std::to_string(f.line);
    };
    for (size_t i = 0; i < d.frames.size(); ++i)
        frameOf.emplace(frameKey(d.frames[i]), uint32_t(i));
    std::vector<uint32_t> frameMap(b.dump.frames.size());
    for (size_t i = 0; i < b.dump.frames.size(); ++i) {
        auto [it, fresh] = frameOf.emplace(frameKey(b.dump.frames[i]), uint32_t(d.frames.size()));
        if (fresh)
            d.frames.push_back(std::move(b.dump.frames[i]));
        frameMap[i] = it->second;
    }
    auto groupKey = [](const GoroutineGroup& g) {
        std::string k(1, char(g.role));
        k += char(g.leaked);
        k.append(reinterpret_cast<const char*>(&g.createdBy), sizeof g.createdBy);
        k.append(reinterpret_cast<const char*>(g.frames.data()),
                 g.frames.size() * sizeof(uint32_t));
        k += '\0' + g.state;
        for (const auto& [lk, lv] : g.labels)
            k += '\x1e' + lk + '\x1f' + lv;
        return k;
    };
    std::unordered_map<std::string, uint32_t> groupOf;
    for (size_t i = 0; i < d.groups.size(); ++i)
        groupOf.emplace(groupKey(d.groups[i]), uint32_t(i));
    std::vector<uint32_t> groupMap(b.dump.groups.size());
    for (size_t i = 0; i < b.dump.groups.size(); ++i) {
        GoroutineGroup& g = b.dump.groups[i];
        for (auto& f : g.frames)
            f = frameMap[f];
        if (g.createdBy >= 0)
            g.createdBy = int32_t(frameMap[size_t(g.createdBy)]);
        auto [it, fresh] = groupOf.emplace(groupKey(g), uint32_t(d.groups.size()));
        groupMap[i] = it->second;
        if (fresh) {
            g.exactVariants = 0; // counted below, against a's argument lists
            d.groups.push_back(std::move(g));
            continue;
        }
        GoroutineGroup& into = d.groups[it->second];
        into.count += g.count;
        into.lockedToThread += g.lockedToThread;
        into.framesElided = into.framesElided || g.framesElided;
        if (g.minWaitMinutes >= 0)
            into.minWaitMinutes = into.minWaitMinutes < 0
                                      ? g.minWaitMinutes
                                      : std::min(into.minWaitMinutes, g.minWaitMinutes);
        into.maxWaitMinutes = std::max(into.maxWaitMinutes, g.maxWaitMinutes);
    }
    for (auto [gi, args] : b.exactPairs) {
        uint32_t to = groupMap[gi];
        if (a.exactSeen.insert(hashBytes({reinterpret_cast<const char*>(&to), sizeof to}, args))
                .second)
            ++d.groups[to].exactVariants;
    }
    for (auto& r : b.dump.goroutines) {
        r.group = groupMap[r.group];
        d.goroutines.push_back(r);
    }
    d.truncated = d.truncated || b.dump.truncated;
    for (auto& w : b.dump.warnings)
        d.warnings.push_back(std::move(w));
    a.cutAtCap = b.cutAtCap;
    a.nextReport = b.nextReport;
    a.skipped += b.skipped;
    a.endByte = b.endByte;
    a.lastTerminated = b.lastTerminated;
    a.lastLine = b.lastLine;
}

// The dump whole: what a part cannot know until the end.
Result<GoroutineDump> finish(DumpPart&& part) {
    GoroutineDump& dump = part.dump;
    if (dump.goroutines.empty())
        return errorAtLine(ErrorCode::Format, part.lastLine,
                           "no goroutine found: not a goroutine dump");
    if (part.cutAtCap || part.endByte == kRuntimeCap) {
        dump.truncated = true;
        dump.warnings.push_back(
            "the dump is exactly 64 MiB, where the runtime stops writing: it holds the first " +
            std::to_string(dump.goroutines.size()) + " goroutines, and the rest are missing" +
            (part.cutAtCap ? "; its cut last line is dropped" : ""));
    } else if (!part.lastTerminated) {
        dump.warnings.push_back("the file ends without a newline: its last line (" +
                                std::to_string(part.lastLine) + ") may be cut off");
    }
    if (part.skipped)
        dump.warnings.push_back(std::to_string(part.skipped) +
                                " lines were not understood and skipped");
    return std::move(dump);
}

} // namespace

namespace {
Result<GoroutineDump> parseDump(ByteStream& in, const Progress& progress, bool stopAtReport,
                                std::optional<uint64_t>* nextReport);
} // namespace

Result<GoroutineDump> parseGoroutineDump(ByteStream& in, const Progress& progress) {
    return parseDump(in, progress, false, nullptr);
}

Result<GoroutineDump> parseNextGoroutineDump(std::string_view text, uint64_t& at,
                                             const Progress& progress) {
    auto stream = openStream(text.substr(size_t(std::min<uint64_t>(at, text.size()))));
    std::optional<uint64_t> next;
    auto dump = parseDump(*stream, progress, true, &next);
    at = next ? at + *next : text.size();
    return dump;
}

namespace {

Result<GoroutineDump> parseDump(ByteStream& in, const Progress& progress, bool stopAtReport,
                                std::optional<uint64_t>* nextReport) {
    // A large dump in memory is parsed in two halves on two cores, split
    // where a goroutine starts, when its first goroutine has no log prefix
    // (the first header decides the prefix for every line after it).
    std::optional<std::string_view> whole = in.inPlace();
    size_t split = std::string_view::npos;
    PartContext second;
    if (whole && whole->size() >= kParallelBytes) {
        // A little past the middle: the other core counts the first part's
        // lines before it parses its own.
        split = whole->find("\n\ngoroutine ", whole->size() / 100 * 52);
        bool plainStart = false;
        forEachLine(whole->substr(0, split == std::string_view::npos ? 0 : split), INT32_MAX,
                    [&](std::string_view line, int) {
                        Header h;
                        std::string joined;
                        if (startsWith(line, "goroutine ") && parseHeader(line, h, joined)) {
                            plainStart = true;
                            return false;
                        }
                        if (prefixedHeader(line) != std::string_view::npos)
                            return false;
                        second.crashReport = second.crashReport || isCrashLine(line);
                        return true;
                    });
        if (!plainStart)
            split = std::string_view::npos;
    }
    PartContext firstCtx;
    firstCtx.stopAtReport = second.stopAtReport = stopAtReport;
    if (split == std::string_view::npos) {
        auto part = parsePart(in, progress, firstCtx);
        if (!part)
            return part.error();
        if (nextReport)
            *nextReport = part->nextReport;
        return finish(std::move(*part));
    }
    split += 2; // after the blank line that ends the goroutine before
    std::string_view first = whole->substr(0, split), rest = whole->substr(split);
    second.findPrefix = false;
    second.keepExactPairs = true;
    second.byteBase = split;
    Progress quiet;
    quiet.stop = progress.stop;
    std::optional<Result<DumpPart>> tail;
    std::thread helper([&] {
        second.lineBase = uint64_t(std::count(first.begin(), first.end(), '\n'));
        auto s = openStream(rest);
        tail.emplace(parsePart(*s, quiet, second));
    });
    auto s = openStream(first);
    auto head = parsePart(*s, progress, firstCtx);
    helper.join();
    if (!head)
        return head.error();
    if (!head->nextReport) { // else the second half belongs to a later dump
        if (!*tail)
            return tail->error();
        mergePart(*head, std::move(**tail));
    }
    if (nextReport)
        *nextReport = head->nextReport;
    return finish(std::move(*head));
}

} // namespace

} // namespace memscope
