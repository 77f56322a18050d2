// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "series.h"

#include <string>
#include <vector>

namespace memscope {

// A chart of series sharing one unit, for reports.
struct ChartSpec {
    std::string title;
    std::string unit; // bytes, count, ...
    std::vector<Series> series;
    int64_t markNs = 0; // a vertical marker (a finding's moment), 0 none
};

// Self-contained SVG (no scripts, no external references); every text escaped.
std::string renderChartSvg(const ChartSpec& chart, int width = 760, int height = 260);

// &, <, >, " and ' escaped for XML and HTML.
std::string xmlEscape(const std::string& s);

} // namespace memscope
