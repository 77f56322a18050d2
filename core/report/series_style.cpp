// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/series_style.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>

namespace memscope {

namespace {

// Okabe-Ito's colour-blind-safe set, then Paul Tol's muted set for more lines.
const Rgb kPalette[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115},  {204, 121, 167},
                        {230, 159, 0}, {86, 180, 233}, {136, 34, 85},  {17, 119, 51},
                        {51, 34, 136}, {153, 153, 51}, {170, 68, 153}, {68, 170, 153}};
constexpr size_t kColours = std::size(kPalette);

// FNV-1a: the same on every machine and build, unlike std::hash.
uint32_t nameHash(const std::string& s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

Rgb lighten(Rgb c) {
    // Toward white by 40%: the deep blues and wines stay visible on a dark chart.
    auto up = [](int v) { return v + (255 - v) * 2 / 5; };
    return {up(c.r), up(c.g), up(c.b)};
}

std::string words(std::string s) {
    std::replace(s.begin(), s.end(), '_', ' ');
    std::replace(s.begin(), s.end(), '.', ' ');
    if (auto at = s.find("inuse"); at != std::string::npos)
        s.replace(at, 5, "in use");
    return s;
}

std::string withoutUnit(const std::string& metric) {
    for (const char* unit : {"_bytes", "_ms", "_percent"})
        if (metric.size() > std::char_traits<char>::length(unit) && metric.ends_with(unit))
            return metric.substr(0, metric.size() - std::char_traits<char>::length(unit));
    return metric;
}

} // namespace

std::string Rgb::hex() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r & 0xff, g & 0xff, b & 0xff);
    return buf;
}

std::string seriesDisplayName(const Series& s) {
    std::string name;
    auto label = [&](const char* k) -> const std::string* {
        auto it = s.labels.find(k);
        return it == s.labels.end() ? nullptr : &it->second;
    };
    if (const std::string* n = label("name")) {
        // runtime/metrics names (/gc/heap/goal:bytes) are the runtime's own words.
        name = (n->rfind('/', 0) == 0 ? *n : words(*n)) + " (" + s.metric + ")";
    } else {
        name = words(withoutUnit(s.metric));
        if (s.metric.rfind("finalizer", 0) == 0 || s.metric.rfind("heapdump", 0) == 0 ||
            s.metric == "retained_bytes")
            name += " (heap dumps)";
        for (const char* k : {"site", "host", "role", "state", "group", "root", "type", "slice"})
            if (const std::string* v = label(k)) {
                // A per-host or per-site line is named by what it is about.
                // Roles are names of the case (cleanup_idle): read as words.
                name = (s.metric == "tcp_sockets" || s.metric == "heap_inuse_bytes" ||
                        s.metric == "retained_bytes" || s.metric == "allocated_per_second_bytes")
                           ? *v
                       : s.metric == "rss_slice"
                           ? "RSS: " + words(*v)
                           : name + " " + (std::string(k) == "role" ? words(*v) : *v);
                break;
            }
    }
    if (const std::string* t = label("target"))
        name += " [" + *t + "]";
    return name;
}

std::vector<Rgb> seriesColours(const std::vector<std::string>& names, bool dark) {
    std::vector<size_t> order(names.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return names[a] < names[b]; });
    std::vector<Rgb> out(names.size());
    std::vector<int> used(kColours, 0);
    std::vector<std::string> seen; // a name listed twice keeps one colour
    std::vector<size_t> seenSlot;
    for (size_t i : order) {
        auto again = std::find(seen.begin(), seen.end(), names[i]);
        size_t slot;
        if (again != seen.end()) {
            slot = seenSlot[size_t(again - seen.begin())];
        } else {
            slot = nameHash(names[i]) % kColours;
            // Probe for a free colour; with more names than colours they repeat.
            int least = *std::min_element(used.begin(), used.end());
            while (used[slot] > least)
                slot = (slot + 1) % kColours;
            ++used[slot];
            seen.push_back(names[i]);
            seenSlot.push_back(slot);
        }
        out[i] = dark ? lighten(kPalette[slot]) : kPalette[slot];
    }
    return out;
}

double iecTickStep(double range, int ticks, double* unit) {
    double raw = range / std::max(1, ticks);
    // The unit the step reads in: 4 MiB, not 4096 KiB; 512 KiB, not 0.5 MiB.
    double u = 1;
    while (raw / u >= 1024 && u < std::ldexp(1.0, 50))
        u *= 1024;
    if (unit)
        *unit = u;
    double v = raw / u;
    double mag = std::pow(10.0, std::floor(std::log10(std::max(v, 1e-12))));
    double f = v / mag;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 4 ? 4 : f <= 5 ? 5 : 10;
    if (nice * mag >= 1000 && u < std::ldexp(1.0, 50)) {
        // 1000 KiB is no round number: 1 MiB is.
        u *= 1024;
        nice = 1;
        mag = 1;
        if (unit)
            *unit = u;
    }
    return std::max(nice * mag * u, 1.0); // below a byte nothing is round
}

std::string iecTickLabel(double bytes, double unit) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes == 0)
        return "0";
    int k = std::clamp(int(std::lround(std::log2(std::max(unit, 1.0)) / 10)), 0, 5);
    char b[48];
    std::snprintf(b, sizeof b, "%.6g %s", bytes / unit, units[k]);
    return b;
}

} // namespace memscope
