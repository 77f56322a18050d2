// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace memscope {

std::string formatValue(int64_t value, const std::string& unit) {
    char buf[64];
    if (unit == "bytes") {
        static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = double(value);
        int u = 0;
        while (std::fabs(v) >= 1024 && u < 5) {
            v /= 1024;
            ++u;
        }
        if (u == 0)
            std::snprintf(buf, sizeof buf, "%lldB", (long long)value);
        else
            std::snprintf(buf, sizeof buf, "%.2f%s", v, units[u]);
        return buf;
    }
    if (unit == "nanoseconds") {
        double v = double(value);
        if (std::fabs(v) >= 1e9)
            std::snprintf(buf, sizeof buf, "%.2fs", v / 1e9);
        else if (std::fabs(v) >= 1e6)
            std::snprintf(buf, sizeof buf, "%.2fms", v / 1e6);
        else if (std::fabs(v) >= 1e3)
            std::snprintf(buf, sizeof buf, "%.2fus", v / 1e3);
        else
            std::snprintf(buf, sizeof buf, "%lldns", (long long)value);
        return buf;
    }
    std::snprintf(buf, sizeof buf, "%lld", (long long)value);
    return buf;
}

std::string formatPercent(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%", f * 100);
    return buf;
}

std::string formatDuration(double seconds) {
    char b[32];
    if (seconds >= 2 * 86400)
        std::snprintf(b, sizeof b, "%.0f days", seconds / 86400);
    else if (seconds >= 3600)
        std::snprintf(b, sizeof b, "%.1f h", seconds / 3600);
    else if (seconds >= 120)
        std::snprintf(b, sizeof b, "%.0f min", seconds / 60);
    else
        std::snprintf(b, sizeof b, "%.0f s", seconds);
    return b;
}

} // namespace memscope
