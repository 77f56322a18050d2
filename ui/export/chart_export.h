// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "report/chart_layout.h"
#include "report/chart_svg.h"

#include <QPalette>
#include <QString>

class QCustomPlot;
class QPainter;

namespace memscope::ui {

// Draws a report chart (its layout, painted) and saves it as PNG. Needs a
// QApplication; ensureApplication() makes one for command-line use.
bool saveChartPng(const ChartSpec& chart, const QString& path, int width = kExportChartWidth,
                  int height = kExportChartHeight);
// By the file's extension: .png, .pdf or .svg, each drawn from the one
// layout of report/chart_layout (the SVG is the report's). Returns an error
// message, empty on success.
QString saveChart(const ChartSpec& chart, const QString& path, int width = kExportChartWidth,
                  int height = kExportChartHeight);
void ensureApplication();
// Paints a chart's layout as the SVG draws it (PNG and PDF exports).
void paintChart(QPainter& painter, const ChartLayout& layout);

// A flame graph (of a snapshot, or a diff tree) by the file's extension:
// .svg (the report's renderer), .png or .pdf (drawn as the workbench draws
// it). Returns an error message, empty on success.
QString saveFlameGraph(const CallTree& tree, const QString& title, const QString& path,
                       int width = 1400);

// Colours a chart's background, axes, grid and legend from a palette (the
// light or the dark theme).
void stylePlot(QCustomPlot* plot, const QPalette& palette);

} // namespace memscope::ui
