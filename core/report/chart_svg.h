// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/calltree.h"
#include "analysis/series/series.h"

#include <string>
#include <vector>

namespace memscope {

// A chart of series sharing one unit, for reports.
struct ChartSpec {
    std::string title;
    std::string unit; // bytes, count, ...
    std::vector<Series> series;
    int64_t markNs = 0; // a vertical marker (a finding's moment), 0 none
    // Annotations: a dashed line and its text at each time.
    std::vector<std::pair<int64_t, std::string>> notes;
    int64_t fromNs = 0, toNs = 0; // time range to draw; 0 = the data's
    // An exported file's size in points (0: the renderer's default), and
    // pixels per point in a PNG (2 for a HiDPI screen or a sharp print).
    int width = 0, height = 0;
    double pixelRatio = 1;
};

// The chart `memscope export-chart` and the workbench draw for a named panel:
// heap, gc, goroutines, fds, connections, finalizers. Empty series when the
// case has none of it. Annotations of the case are attached.
Result<ChartSpec> namedChart(CaseStore& store, const std::string& name);
std::vector<std::string> chartNames();

// An exported chart's size when none is asked for, in every format.
inline constexpr int kExportChartWidth = 900, kExportChartHeight = 320;

// Self-contained SVG (no scripts, no external references); every text
// escaped. The report's charts are 760 x 260.
std::string renderChartSvg(const ChartSpec& chart, int width = 760, int height = 260);

// A flame graph (callers on top) of a call tree, every frame with a <title>
// tooltip; a diff tree is coloured by change (red grew, blue shrank).
std::string renderFlameSvg(const CallTree& tree, const std::string& title, int width = 1200);

// &, <, >, " and ' escaped for XML and HTML.
std::string xmlEscape(const std::string& s);

} // namespace memscope
