// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/pprof/count_text.h"

#include "base/text_util.h"
#include "io/line_reader.h"

#include <charconv>
#include <map>
#include <optional>
#include <unordered_map>

namespace memscope {

namespace {

// "<name> profile: total <N>" with a name pprof's countStartRE accepts (no
// spaces); heap has its own header, goroutine profiles their own reader.
std::optional<std::string_view> countHeaderName(std::string_view line) {
    size_t at = line.find(" profile: total ");
    if (at == 0 || at == std::string_view::npos)
        return std::nullopt;
    std::string_view name = line.substr(0, at);
    if (name.find_first_of(" \t") != std::string_view::npos)
        return std::nullopt;
    int64_t total;
    if (!parseWholeInt(line.substr(at + 16), total) || total < 0)
        return std::nullopt;
    return name;
}

} // namespace

bool looksLikeCountProfileText(std::string_view head, bool anyName) {
    std::string_view first = head.substr(0, head.find('\n'));
    auto name = countHeaderName(first);
    return name && *name != "heap" &&
           (anyName || (*name != "goroutine" && *name != "goroutineleak"));
}

Result<Profile> parseCountProfileText(ByteStream& in) {
    LineReader lines(in);
    std::string_view line;
    if (!lines.next(line))
        return lines.error() ? *lines.error()
                             : errorAtLine(ErrorCode::Format, 1, "empty: no count profile header");
    auto name = countHeaderName(line);
    if (!name)
        return errorAtLine(ErrorCode::Format, 1, "no '<name> profile: total N' header");
    Profile p;
    p.sampleTypes.push_back({std::string(*name), "count"});
    p.periodType = {std::string(*name), "count"};
    p.period = 1;
    std::map<std::pair<std::string, std::string>, uint32_t> functionIndex;
    std::unordered_map<uint64_t, uint32_t> locationOf; // by PC, with or without a symbol
    std::optional<Sample> current;
    std::vector<uint64_t> pcs;
    size_t symbolized = 0; // frames of the current record given by "#" lines
    auto location = [&](uint64_t pc) {
        auto [it, fresh] = locationOf.emplace(pc, uint32_t(p.locations.size()));
        if (fresh) {
            Location loc;
            loc.address = pc;
            p.locations.push_back(std::move(loc));
        }
        return it->second;
    };
    auto finish = [&] {
        if (!current)
            return;
        // Records without "#" lines (an unsymbolized binary) keep their PCs.
        if (symbolized == 0)
            for (uint64_t pc : pcs)
                current->locations.push_back(location(pc));
        p.samples.push_back(std::move(*current));
        current.reset();
    };
    while (lines.next(line)) {
        if (line.empty()) {
            finish();
            continue;
        }
        if (startsWith(line, "---"))
            break; // pprof's legacy sections (a memory map) end the samples
        if (line[0] == '#') {
            if (!current || !startsWith(line, "#\t"))
                continue; // "# labels: {...}" and other comments, as pprof skips them
            // "#\t0x<pc>\t<func>+0x<off>\t<file>:<line>"
            std::string_view rest = line.substr(1);
            uint64_t pc;
            if (!readHex(rest, pc))
                return errorAtLine(ErrorCode::Format, lines.lineNumber(), "malformed frame line");
            ++symbolized;
            uint32_t li = location(pc);
            while (!rest.empty() && rest[0] == '\t')
                rest.remove_prefix(1);
            if (rest.empty()) { // "#\t0x0": no symbol for this PC
                current->locations.push_back(li);
                continue;
            }
            size_t tab = rest.find('\t');
            std::string_view fn = rest.substr(0, tab);
            if (size_t plus = fn.rfind("+0x"); plus != std::string_view::npos)
                fn = fn.substr(0, plus);
            std::string file;
            int64_t lineNo = 0;
            if (tab != std::string_view::npos) {
                std::string_view loc = rest.substr(tab);
                loc.remove_prefix(std::min(loc.find_first_not_of('\t'), loc.size()));
                size_t colon = loc.rfind(':');
                if (colon == std::string_view::npos ||
                    !parseWholeInt(loc.substr(colon + 1), lineNo))
                    return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                                       "malformed frame location");
                file = std::string(loc.substr(0, colon));
            }
            Location& l = p.locations[li];
            if (l.lines.empty()) {
                auto [it, fresh] = functionIndex.emplace(std::pair{std::string(fn), file},
                                                         uint32_t(p.functions.size()));
                if (fresh)
                    p.functions.push_back({std::string(fn), std::string(fn), file, 0});
                l.lines.push_back({it->second, lineNo});
            }
            current->locations.push_back(li);
            continue;
        }
        finish();
        // "<count> @ 0x.. 0x.."
        size_t at = line.find(" @");
        int64_t n = 0;
        if (at == std::string_view::npos || !parseWholeInt(line.substr(0, at), n) || n < 0)
            return errorAtLine(ErrorCode::Format, lines.lineNumber(),
                               "malformed record: expected '<count> @ <pcs>'");
        std::string_view r = line.substr(at + 2);
        pcs.clear();
        uint64_t pc;
        while (readHex(r, pc))
            pcs.push_back(pc);
        current = p.newSample();
        current->values.push_back(n);
        symbolized = 0;
    }
    if (lines.error())
        return *lines.error();
    finish();
    return p;
}

} // namespace memscope
