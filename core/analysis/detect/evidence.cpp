// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/detect/evidence.h"

#include "base/format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace memscope::detect {

std::string num(double v) {
    char b[32];
    if (std::fabs(v) >= 100 || v == std::floor(v))
        snprintf(b, sizeof b, "%.0f", v);
    else
        snprintf(b, sizeof b, "%.1f", v);
    return b;
}
std::string bytes(double v) { return formatValue(int64_t(v), "bytes"); }
std::string span(int64_t ns) { return formatDuration(double(ns) / 1e9); }
std::string joinList(const std::vector<std::string>& v, size_t max) {
    std::string out;
    for (size_t i = 0; i < v.size() && i < max; ++i)
        out += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
    if (v.size() > max)
        out += " and " + std::to_string(v.size() - max) + " more";
    return out;
}

Frame parseStackLine(const std::string& s) {
    // "function file:line"
    Frame f;
    auto sp = s.find(' ');
    f.function = s.substr(0, sp);
    if (sp != std::string::npos) {
        std::string rest = s.substr(sp + 1);
        auto colon = rest.rfind(':');
        f.file = rest.substr(0, colon);
        if (colon != std::string::npos)
            f.line = std::atoll(rest.c_str() + colon + 1);
    }
    return f;
}

std::string packageOf(const std::string& fn) {
    size_t slash = fn.rfind('/');
    size_t dot = fn.find('.', slash == std::string::npos ? 0 : slash);
    return dot == std::string::npos ? fn : fn.substr(0, dot);
}

} // namespace memscope::detect
