// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/pprof/legacy_cpu.h"

#include "base/text_util.h"

#include <cstring>
#include <limits>
#include <unordered_map>

namespace memscope {

namespace {

// Word size and byte order, found from the header's fixed words.
struct Words {
    std::string_view data;
    size_t size = 8;
    bool bigEndian = false;

    size_t count() const { return data.size() / size; }
    uint64_t at(size_t i) const {
        uint64_t v = 0;
        const auto* p = reinterpret_cast<const unsigned char*>(data.data() + i * size);
        for (size_t b = 0; b < size; ++b)
            v |= uint64_t(p[bigEndian ? size - 1 - b : b]) << (8 * b);
        return v;
    }
};

std::optional<Words> header(std::string_view data) {
    for (size_t size : {size_t(8), size_t(4)})
        for (bool big : {false, true}) {
            Words w{data, size, big};
            if (w.count() >= 5 && w.at(0) == 0 && w.at(1) == 3 && w.at(2) == 0 && w.at(3) != 0 &&
                w.at(4) == 0)
                return w;
        }
    return std::nullopt;
}

// "start-limit perms offset dev inode path" lines of /proc/self/maps.
void parseMaps(std::string_view text, Profile& p) {
    forEachLine(text, 1 << 20, [&](std::string_view line, int) {
        size_t dash = line.find('-'), sp = line.find(' ');
        if (dash == std::string_view::npos || sp == std::string_view::npos || dash > sp)
            return true;
        auto hex = [](std::string_view s, uint64_t& v) {
            if (s.empty() || s.size() > 16)
                return false;
            v = 0;
            for (char c : s) {
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0)
                    return false;
                v = v << 4 | uint64_t(d);
            }
            return true;
        };
        Mapping m;
        if (!hex(line.substr(0, dash), m.memoryStart) ||
            !hex(line.substr(dash + 1, sp - dash - 1), m.memoryLimit))
            return true;
        // perms, offset, dev, inode, then the path (which may hold spaces).
        std::string_view rest = line.substr(sp + 1);
        std::string_view fields[4];
        for (auto& f : fields) {
            size_t e = rest.find(' ');
            f = rest.substr(0, e);
            rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 1);
            while (!rest.empty() && rest.front() == ' ')
                rest.remove_prefix(1);
        }
        if (fields[0].size() < 3 || fields[0][2] != 'x') // code only
            return true;
        hex(fields[1], m.fileOffset);
        m.file = std::string(rest);
        p.mappings.push_back(std::move(m));
        return true;
    });
}

} // namespace

bool looksLikeLegacyCpuProfile(std::string_view head) { return header(head).has_value(); }

Result<Profile> parseLegacyCpuProfile(std::string_view data) {
    auto w = header(data);
    if (!w)
        return errorAt(ErrorCode::Format, 0,
                       "not a legacy CPU profile: no (0, 3, 0, period, 0) header");
    Profile p;
    p.sampleTypes = {{"samples", "count"}, {"cpu", "nanoseconds"}};
    p.periodType = {"cpu", "nanoseconds"};
    constexpr uint64_t kMaxPeriodUs = uint64_t(std::numeric_limits<int64_t>::max()) / 1000;
    if (w->at(3) > kMaxPeriodUs)
        return errorAt(ErrorCode::Format, 3 * w->size, "sampling period out of range");
    p.period = int64_t(w->at(3)) * 1000;
    std::unordered_map<uint64_t, uint32_t> locationOf;
    size_t i = 5, n = w->count();
    bool trailer = false;
    while (i + 2 < n || (i < n && !trailer)) {
        uint64_t count = w->at(i);
        if (i + 1 >= n)
            break;
        uint64_t depth = w->at(i + 1);
        if (count == 0 && depth == 1 && i + 2 < n && w->at(i + 2) == 0) { // the trailer
            i += 3;
            trailer = true;
            break;
        }
        if (depth == 0 || depth > n - i - 2)
            return errorAt(ErrorCode::Format, i * w->size,
                           "record with " + std::to_string(depth) + " frames runs past the end");
        if (count > uint64_t(std::numeric_limits<int64_t>::max()) / uint64_t(p.period))
            return errorAt(ErrorCode::Format, i * w->size, "sample count out of range");
        Sample s = p.newSample();
        s.values = {int64_t(count), int64_t(count) * p.period};
        for (uint64_t k = 0; k < depth; ++k) {
            uint64_t pc = w->at(i + 2 + k);
            // Return addresses point after the call: pprof looks up the call.
            uint64_t addr = k > 0 && pc > 0 ? pc - 1 : pc;
            auto [it, fresh] = locationOf.emplace(addr, uint32_t(p.locations.size()));
            if (fresh) {
                Location loc;
                loc.address = addr;
                p.locations.push_back(loc);
            }
            s.locations.push_back(it->second);
        }
        p.samples.push_back(std::move(s));
        i += 2 + depth;
    }
    if (!trailer)
        return errorAt(ErrorCode::Truncated, i * w->size,
                       "the profile ends before its (0, 1, 0) trailer");
    parseMaps(data.substr(std::min(data.size(), i * w->size)), p);
    if (p.mappings.empty())
        p.mappings.push_back({0, std::numeric_limits<uint64_t>::max(), 0, {}, {}, false});
    for (auto& loc : p.locations)
        for (size_t m = 0; m < p.mappings.size(); ++m)
            if (loc.address >= p.mappings[m].memoryStart &&
                loc.address < p.mappings[m].memoryLimit) {
                loc.mapping = int32_t(m);
                break;
            }
    return p;
}

} // namespace memscope
