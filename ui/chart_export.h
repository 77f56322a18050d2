// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "chart_svg.h"

#include <QString>

namespace memscope::ui {

// Draws a report chart with QCustomPlot and saves it as PNG. Needs a
// QApplication; ensureApplication() makes one for command-line use.
bool saveChartPng(const ChartSpec& chart, const QString& path, int width = 900, int height = 320);
void ensureApplication();

} // namespace memscope::ui
