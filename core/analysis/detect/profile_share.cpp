// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/profile_share.h"

#include "analysis/detect/detect.h"

namespace memscope::detect {

std::map<std::tuple<std::string, std::string, int64_t>, int64_t>
userCallersOf(const Profile& p, bool (*from)(const std::string&)) {
    std::map<std::tuple<std::string, std::string, int64_t>, int64_t> out;
    int idx = p.sampleIndex("inuse_space");
    if (idx < 0)
        idx = p.defaultSampleIndex();
    for (const auto& s : p.samples) {
        bool armed = false;
        for (uint32_t loc : s.locations) {
            const auto& l = p.locations[loc];
            bool done = false;
            for (const auto& ln : l.lines) {
                const auto& f = p.functions[ln.function];
                if (!armed && from(f.name)) {
                    armed = true;
                } else if (armed && isUserCode(f.name)) {
                    out[{f.name, f.file, ln.line}] += s.values[size_t(idx)];
                    done = true;
                    break;
                }
            }
            if (done)
                break;
        }
    }
    return out;
}

// Share of a leaf function's inuse bytes whose stacks hold a frame that
// `frame(function, line)` accepts.
namespace {

template <typename FramePred>
double shareWhere(const Profile& p, const std::string& leaf, FramePred frame) {
    int idx = p.sampleIndex("inuse_space");
    if (idx < 0)
        return 0;
    double all = 0, via = 0;
    for (const auto& s : p.samples) {
        if (s.locations.empty())
            continue;
        const auto& first = p.locations[s.locations[0]];
        if (first.lines.empty() || p.functions[first.lines[0].function].name != leaf)
            continue;
        double v = double(s.values[size_t(idx)]);
        all += v;
        bool hit = false;
        for (uint32_t loc : s.locations)
            for (const auto& ln : p.locations[loc].lines)
                hit = hit || frame(p.functions[ln.function], ln.line);
        if (hit)
            via += v;
    }
    return all > 0 ? via / all : 0;
}

} // namespace

double shareThrough(const Profile& p, const std::string& leaf,
                    bool (*through)(const std::string&)) {
    return shareWhere(p, leaf, [&](const Function& f, int64_t) { return through(f.name); });
}

double shareThroughFrames(const Profile& p, const std::string& leaf,
                          const std::set<std::pair<std::string, int64_t>>& lines) {
    return shareWhere(p, leaf, [&](const Function& f, int64_t line) {
        return lines.count({f.file, line}) > 0;
    });
}

bool isHttpClientMachinery(const std::string& fn) {
    return fn.rfind("net/http.(*Transport).", 0) == 0 ||
           fn.rfind("net/http.(*persistConn).", 0) == 0;
}
bool isHttpServerConn(const std::string& fn) { return fn.rfind("net/http.(*conn).", 0) == 0; }
bool isHttpClientEntry(const std::string& fn) {
    return fn.rfind("net/http.(*Client).", 0) == 0 ||
           fn.rfind("net/http.(*Transport).roundTrip", 0) == 0 ||
           fn.rfind("net/http.(*Transport).RoundTrip", 0) == 0;
}

} // namespace memscope::detect
