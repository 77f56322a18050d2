// SPDX-License-Identifier: GPL-3.0-or-later
// One chart, laid out once: the frame, ticks and their labels, lines,
// legend and annotation labels, in pixels. The report's and export-chart's
// SVG (report/chart_svg) and the PNG and PDF exports (ui/export, with
// QPainter) draw this same layout, so every static chart has the same
// colours, ticks, legend and labels whatever the file type.
#pragma once

#include "report/chart_svg.h"
#include "report/series_style.h"

#include <cstdint>
#include <string>
#include <vector>

namespace memscope {

struct ChartPoint {
    double x = 0, y = 0;
    std::string title; // "key = value at time", a tooltip in the SVG
};

struct ChartLayout {
    int width = 0, height = 0;
    // Fonts: every label in kChartFontPx sans-serif, the title in
    // kChartTitlePx bold.
    static constexpr int kFontPx = 11, kTitlePx = 13;
    std::string title;
    double titleX = 0, titleBaseline = 17;
    // The plot area; y grows downwards.
    double left = 0, top = 0, plotW = 0, plotH = 0;
    std::string emptyText; // "no data" when there is nothing to draw

    struct Tick {
        double at = 0; // pixel: y for the value axis, x for the time axis
        std::string label;
        enum class Anchor { Start, Middle, End } anchor = Anchor::Middle;
    };
    std::vector<Tick> valueTicks, timeTicks;
    double timeLabelBaseline = 0;
    std::string timeCaption; // "time (UTC, 2026-11-26)", right-aligned under the axis
    double captionBaseline = 0;

    bool hasMark = false; // a finding's moment
    double markX = 0;

    struct Line {
        Rgb colour;
        double width = 1.6;
        std::vector<ChartPoint> points;
    };
    std::vector<Line> lines;

    struct LegendItem {
        double x = 0, baseline = 0; // the swatch sits left of x + 16
        Rgb colour;
        std::string text; // cut to its column
    };
    std::vector<LegendItem> legend;

    // An annotation: its dashed line, and its label in a row near the top of
    // the plot where it clears every label before it. A note whose text fits
    // in no row is labelled with its number ("[3]") and its text is listed
    // under the legend: every note is labelled, no two labels overlap.
    struct Note {
        double x = 0;
        std::string label;         // the text, or "[n]"
        double boxX = 0, boxY = 0; // the label's box, top-left
        double boxW = 0, boxH = 0;
    };
    std::vector<Note> notes;
    struct KeyLine {
        double x = 0, baseline = 0;
        std::string text; // "[3] 16:59:21 deploy of build 3"
    };
    std::vector<KeyLine> noteKey;
};

// Colours of the chart's fixed parts, as #rrggbb.
inline constexpr const char* kChartGrid = "#e0e0e0";
inline constexpr const char* kChartTickText = "#444444";
inline constexpr const char* kChartCaption = "#666666";
inline constexpr const char* kChartFrame = "#999999";
inline constexpr const char* kChartMark = "#cc0000";
inline constexpr const char* kChartNote = "#6a1b9a";

ChartLayout layoutChart(const ChartSpec& chart, int width, int height);

// A generous width of `text` in kFontPx sans-serif: what a layout reserves
// for it. Renderers cut a text that still does not fit to this width.
double chartTextWidth(const std::string& text, int fontPx = ChartLayout::kFontPx);

// Labels on rows, left to right: each label (its left edge and width, in
// pixels) goes to the first row where it clears the label before it by
// `gap`; the result is each label's row. Rows past `maxRows` are -1 (no
// room). The workbench's timeline places its annotation labels the same way.
std::vector<int> placeLabelRows(const std::vector<std::pair<double, double>>& spans, size_t maxRows,
                                double gap = 4);

} // namespace memscope
