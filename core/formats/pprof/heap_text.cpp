// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/pprof/heap_text.h"

#include "base/text_util.h"
#include "io/line_reader.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

namespace memscope {

namespace {

void skipSpaces(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
}

bool readInt(std::string_view& s, int64_t& v) {
    skipSpaces(s);
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc())
        return false;
    s.remove_prefix(size_t(r.ptr - s.data()));
    return true;
}

bool expect(std::string_view& s, std::string_view what) {
    skipSpaces(s);
    if (!startsWith(s, what))
        return false;
    s.remove_prefix(what.size());
    return true;
}

// "io: ib [ao: ab]" as in both the header and the records.
bool readCounts(std::string_view& s, int64_t v[4]) {
    return readInt(s, v[0]) && expect(s, ":") && readInt(s, v[1]) && expect(s, "[") &&
           readInt(s, v[2]) && expect(s, ":") && readInt(s, v[3]) && expect(s, "]");
}

struct Frame {
    uint64_t pc = 0;
    std::string function;
    std::string file;
    int64_t line = 0;
};

// "#\t0x6b7e30\tmain.mk4k+0x50\t\t/path/main.go:53"; columns split on runs of tabs.
bool parseFrame(std::string_view s, Frame& f) {
    s.remove_prefix(1); // '#'
    if (!readHex(s, f.pc))
        return false;
    skipSpaces(s);
    if (s.empty())
        return true; // an unsymbolizable PC
    size_t tab = s.find('\t');
    std::string_view fn = s.substr(0, tab);
    auto plus = fn.rfind("+0x");
    f.function = std::string(plus == std::string_view::npos ? fn : fn.substr(0, plus));
    if (tab == std::string_view::npos)
        return true;
    std::string_view rest = s.substr(tab);
    skipSpaces(rest);
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
        f.file = std::string(rest);
        return true;
    }
    f.file = std::string(rest.substr(0, colon));
    std::string_view ln = rest.substr(colon + 1);
    return readInt(ln, f.line);
}

} // namespace

void scaleHeapSample(int64_t count, int64_t bytes, int64_t rate, int64_t& outCount,
                     int64_t& outBytes) {
    if (count == 0 || bytes == 0) {
        outCount = outBytes = 0;
        return;
    }
    if (rate <= 1) {
        outCount = count;
        outBytes = bytes;
        return;
    }
    double avg = double(bytes) / double(count);
    double scale = 1 / (1 - std::exp(-avg / double(rate)));
    outCount = int64_t(double(count) * scale);
    outBytes = int64_t(double(bytes) * scale);
}

bool looksLikeHeapText(std::string_view head) { return startsWith(head, "heap profile: "); }

Result<HeapText> parseHeapText(ByteStream& in) {
    HeapText out;
    Profile& p = out.profile;
    LineReader lines(in);
    std::string_view line;
    if (!lines.next(line) || !startsWith(line, "heap profile: "))
        return lines.error() ? *lines.error()
                             : errorAtLine(ErrorCode::Format, 1,
                                           "not a heap profile: no "
                                           "'heap profile:' header");
    int64_t header[4];
    std::string_view h = line.substr(14);
    if (!readCounts(h, header) || !expect(h, "@"))
        return errorAtLine(ErrorCode::Format, 1, "malformed heap profile header");
    skipSpaces(h);
    int64_t rate2 = 0;
    auto slash = h.find('/');
    if (slash != std::string_view::npos) {
        std::string_view r = h.substr(slash + 1);
        if (!readInt(r, rate2) || rate2 < 0)
            return errorAtLine(ErrorCode::Format, 1, "malformed sampling rate after heap/");
    }
    int64_t rate = rate2 / 2;
    p.sampleTypes = {{"alloc_objects", "count"},
                     {"alloc_space", "bytes"},
                     {"inuse_objects", "count"},
                     {"inuse_space", "bytes"}};
    p.periodType = {"space", "bytes"};
    p.period = rate;

    std::unordered_map<std::string, uint32_t> functionIndex;
    auto functionOf = [&](const Frame& f) {
        std::string key = f.function + '\0' + f.file;
        auto [it, fresh] = functionIndex.emplace(key, uint32_t(p.functions.size()));
        if (fresh)
            p.functions.push_back({f.function, f.function, f.file, 0});
        return it->second;
    };
    // Locations keyed by their frames' PCs, so records share them.
    std::map<std::vector<uint64_t>, uint32_t> locationIndex;
    std::unordered_map<uint64_t, uint32_t> rawLocation;

    bool inTrailer = false;
    std::optional<Sample> current;
    std::vector<uint64_t> rawPcs;
    std::vector<Frame> frames;
    auto finish = [&]() {
        if (!current)
            return;
        Sample& s = *current;
        if (!frames.empty()) {
            // Group inlined frames: a frame whose PC is one past the previous
            // frame's is the physical caller the previous one was inlined into.
            size_t i = 0;
            while (i < frames.size()) {
                size_t j = i;
                while (j + 1 < frames.size() && frames[j + 1].pc == frames[j].pc + 1)
                    ++j;
                std::vector<uint64_t> key;
                for (size_t k = i; k <= j; ++k)
                    key.push_back(frames[k].pc);
                auto [it, fresh] = locationIndex.emplace(key, uint32_t(p.locations.size()));
                if (fresh) {
                    Location loc;
                    loc.address = frames[j].pc;
                    for (size_t k = i; k <= j; ++k)
                        if (!frames[k].function.empty())
                            loc.lines.push_back({functionOf(frames[k]), frames[k].line});
                    p.locations.push_back(std::move(loc));
                }
                s.locations.push_back(it->second);
                i = j + 1;
            }
        } else {
            // No symbols: one location per raw PC, the trailing goexit included
            // as pprof does.
            for (uint64_t pc : rawPcs) {
                auto [it, fresh] = rawLocation.emplace(pc, uint32_t(p.locations.size()));
                if (fresh) {
                    Location loc;
                    loc.address = pc;
                    p.locations.push_back(std::move(loc));
                }
                s.locations.push_back(it->second);
            }
        }
        p.samples.push_back(std::move(s));
        current.reset();
    };

    while (lines.next(line)) {
        if (inTrailer) {
            // "# Name = value" or "# Stack = inuse / sys"
            if (!startsWith(line, "# "))
                continue;
            std::string_view kv = line.substr(2);
            auto eq = kv.find(" = ");
            if (eq == std::string_view::npos)
                continue;
            std::string name(kv.substr(0, eq));
            std::string_view val = kv.substr(eq + 3);
            auto num = [](std::string_view v, double& d) {
                auto r = std::from_chars(v.data(), v.data() + v.size(), d);
                return r.ec == std::errc();
            };
            double a, b;
            auto sl = val.find(" / ");
            if (sl != std::string_view::npos) {
                if (num(val.substr(0, sl), a) && num(val.substr(sl + 3), b)) {
                    out.memstats[name + "Inuse"] = a;
                    out.memstats[name + "Sys"] = b;
                }
            } else if (num(val, a)) {
                out.memstats[name] = a;
            } else if (val == "true" || val == "false") {
                out.memstats[name] = val == "true" ? 1 : 0;
            }
            continue;
        }
        if (line.empty()) {
            finish();
            continue;
        }
        if (startsWith(line, "# runtime.MemStats")) {
            finish();
            inTrailer = true;
            continue;
        }
        if (line[0] == '#') {
            if (!current)
                continue;
            Frame f;
            if (!parseFrame(line, f))
                return errorAtLine(ErrorCode::Format, lines.lineNumber(), "malformed frame line");
            frames.push_back(std::move(f));
            continue;
        }
        if (line[0] >= '0' && line[0] <= '9') {
            finish();
            int64_t v[4];
            std::string_view r = line;
            if (!readCounts(r, v) || !expect(r, "@"))
                return errorAtLine(
                    ErrorCode::Format, lines.lineNumber(),
                    "malformed record: expected 'inuse: bytes [allocs: bytes] @ pcs'");
            if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
                return errorAtLine(ErrorCode::Format, lines.lineNumber(), "negative count");
            rawPcs.clear();
            frames.clear();
            uint64_t pc;
            while (readHex(r, pc))
                rawPcs.push_back(pc);
            current = p.newSample();
            int64_t ao, ab, io, ib;
            scaleHeapSample(v[2], v[3], rate, ao, ab);
            scaleHeapSample(v[0], v[1], rate, io, ib);
            current->values.assign({ao, ab, io, ib});
            if (v[2] > 0) {
                Label l;
                l.key = "bytes";
                l.isNum = true;
                l.num = v[3] / v[2];
                current->labels.push_back(std::move(l));
            }
            continue;
        }
        // Anything else is not ours to judge: skip it and keep going.
    }
    if (lines.error())
        return *lines.error();
    finish();
    return out;
}

} // namespace memscope
