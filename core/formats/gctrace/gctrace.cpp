// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/gctrace/gctrace.h"

#include "io/line_reader.h"
#include "base/text_util.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace memscope {

namespace {

// A cursor over one line with the few moves the grammar needs.
struct Cursor {
    std::string_view s;
    bool lit(std::string_view w) {
        if (s.substr(0, w.size()) != w)
            return false;
        s.remove_prefix(w.size());
        return true;
    }
    bool num(double& v) {
        size_t n = 0;
        while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.'))
            ++n;
        if (n == 0)
            return false;
        v = std::strtod(std::string(s.substr(0, n)).c_str(), nullptr);
        s.remove_prefix(n);
        return true;
    }
    // Digits only, and within int64: a cycle number past that is not gctrace.
    bool integer(int64_t& v) {
        size_t n = 0;
        while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])))
            ++n;
        auto r = std::from_chars(s.data(), s.data() + n, v);
        if (n == 0 || r.ec != std::errc())
            return false;
        s.remove_prefix(n);
        return true;
    }
};

// The seconds since process start that int64 nanoseconds can place on wall
// time (292 years): a larger @…s (or one strtod read as infinity) would wrap
// the cycle to another century.
constexpr double kMaxAtSeconds = 9.2e9;

// A gc line into `c`. False when the line is not one; `outOfRange` is then set
// when it is one but its @…s is past what a clock can count.
bool parseLine(std::string_view line, GcCycle& c, bool* outOfRange = nullptr) {
    Cursor k{line};
    double d;
    if (!k.lit("gc ") || !k.integer(c.n) || !k.lit(" @") || !k.num(c.atSeconds) || !k.lit("s ") ||
        !k.integer(c.cpuPercent) || !k.lit("%: "))
        return false;
    if (!std::isfinite(c.atSeconds) || c.atSeconds > kMaxAtSeconds) {
        if (outOfRange)
            *outOfRange = true;
        return false;
    }
    if (!k.num(c.stwSweepMs) || !k.lit("+") || !k.num(c.concurrentMs) || !k.lit("+") ||
        !k.num(c.stwMarkMs) || !k.lit(" ms clock, "))
        return false;
    // cpu: d+e/f/g+h ms cpu
    if (!k.num(d) || !k.lit("+") || !k.num(d) || !k.lit("/") || !k.num(d) || !k.lit("/") ||
        !k.num(d) || !k.lit("+") || !k.num(d) || !k.lit(" ms cpu, "))
        return false;
    if (!k.num(c.heapStartMb) || !k.lit("->") || !k.num(c.heapEndMb) || !k.lit("->") ||
        !k.num(c.heapLiveMb) || !k.lit(" MB, ") || !k.num(c.goalMb) || !k.lit(" MB goal, "))
        return false;
    double v;
    Cursor save = k;
    if (k.num(v) && k.lit(" MB stacks, ")) {
        c.stacksMb = v;
        if (!k.num(c.globalsMb) || !(k.lit(" MB globals, ") || k.lit("MB globals, ")))
            return false;
    } else {
        k = save;
    }
    if (!k.integer(c.procs) || !k.lit(" P"))
        return false;
    c.forced = k.lit(" (forced)");
    return true;
}

} // namespace

bool looksLikeGcTrace(std::string_view head) {
    // A gc line within the first lines of a stderr capture.
    bool found = false;
    forEachLine(head, 200, [&](std::string_view line, int) {
        GcCycle c;
        found = parseLine(line, c);
        return !found;
    });
    return found;
}

Result<std::vector<GcCycle>> parseGcTrace(ByteStream& in) {
    std::vector<GcCycle> out;
    LineReader lines(in);
    std::string_view line;
    while (lines.next(line)) {
        if (line.substr(0, 3) != "gc ")
            continue;
        GcCycle c;
        bool outOfRange = false;
        if (parseLine(line, c, &outOfRange))
            out.push_back(c);
        else if (outOfRange)
            return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                               "gctrace: the time since process start (@...s) is past 292 years, "
                               "more than a clock counts in nanoseconds");
        else if (line.size() > 4 && std::isdigit(static_cast<unsigned char>(line[3])))
            return errorAtLine(ErrorCode::Format, lines.lineNumber(), "malformed gctrace line");
    }
    if (lines.error())
        return *lines.error();
    if (out.empty())
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "no gctrace lines found");
    return out;
}

} // namespace memscope
