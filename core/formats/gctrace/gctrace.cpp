// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/gctrace/gctrace.h"

#include "base/log_time.h"
#include "base/text_util.h"
#include "io/line_reader.h"

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

// Where the gc line starts in a log line: 0 for a bare one, after a log
// prefix ("Feb 26 12:52:23.767 gc 93 @...", "... stderr F gc 1 @..."), or npos.
size_t gcLineStart(std::string_view line) {
    if (line.substr(0, 3) == "gc ")
        return 0;
    for (size_t at = line.find(" gc "); at != std::string_view::npos;
         at = line.find(" gc ", at + 1))
        if (at + 4 < line.size() && std::isdigit(static_cast<unsigned char>(line[at + 4])))
            return at + 1;
    return std::string_view::npos;
}

} // namespace

bool looksLikeGcTrace(std::string_view head) {
    // A gc line within the first lines of a stderr capture or a log.
    bool found = false;
    forEachLine(head, 200, [&](std::string_view line, int) {
        size_t at = gcLineStart(line);
        GcCycle c;
        found = at != std::string_view::npos && parseLine(line.substr(at), c);
        return !found;
    });
    return found;
}

Result<std::vector<GcRun>> parseGcTraceRuns(ByteStream& in, int yearIfMissing, int64_t notAfterNs) {
    std::vector<GcRun> runs;
    LineReader lines(in);
    std::string_view line;
    while (lines.next(line)) {
        size_t at = gcLineStart(line);
        if (at == std::string_view::npos)
            continue;
        GcCycle c;
        bool outOfRange = false;
        if (!parseLine(line.substr(at), c, &outOfRange)) {
            if (outOfRange)
                return errorAtLine(
                    ErrorCode::Format, lines.lineNumber(),
                    "gctrace: the time since process start (@...s) is past 292 years, "
                    "more than a clock counts in nanoseconds");
            // A bare line that starts like a cycle and breaks off is damage; text
            // after a log prefix that only mentions "gc 3" is someone's message.
            if (at == 0 && line.size() > 4 && std::isdigit(static_cast<unsigned char>(line[3])))
                return errorAtLine(ErrorCode::Format, lines.lineNumber(), "malformed gctrace line");
            continue;
        }
        // The process restarted: cycle numbers and times begin again.
        if (runs.empty() || c.n <= runs.back().cycles.back().n ||
            c.atSeconds < runs.back().cycles.back().atSeconds) {
            runs.emplace_back();
            runs.back().firstLine = lines.lineNumber();
        }
        GcRun& run = runs.back();
        if (at > 0) {
            if (auto t = logLineTime(line.substr(0, at), yearIfMissing, notAfterNs)) {
                int64_t start = t->ns - int64_t(c.atSeconds * 1e9);
                if (run.processStartNs == 0 || start < run.processStartNs)
                    run.processStartNs = start;
            }
        }
        run.cycles.push_back(c);
    }
    if (lines.error())
        return *lines.error();
    if (runs.empty())
        return errorAtLine(ErrorCode::Format, lines.lineNumber(), "no gctrace lines found");
    return runs;
}

Result<std::vector<GcCycle>> parseGcTrace(ByteStream& in) {
    auto runs = parseGcTraceRuns(in);
    if (!runs)
        return runs.error();
    std::vector<GcCycle> out;
    for (auto& r : *runs)
        out.insert(out.end(), r.cycles.begin(), r.cycles.end());
    return out;
}

} // namespace memscope
