// SPDX-License-Identifier: GPL-3.0-or-later
// Series drawn the same way on every chart of the workbench and its exports:
// the colour of a name (core's report/series_style), IEC byte ticks.
#pragma once

#include "report/series_style.h"

#include <QColor>
#include <QString>
#include <qcustomplot.h>

namespace memscope::ui {

// The property a graph carries its display name under; colours follow it.
inline constexpr const char* kColourName = "colourName";

// Whether the application's palette is the dark one.
bool darkPalette();
QColor toQColor(const Rgb& c);
QString displayName(const Series& s);

// Colours every graph of a plot by its name (kColourName, else its legend
// name) for the application's palette: one colour per name, chosen among the
// names of its own axis rect, so a host is one colour wherever its lines are.
// Pens keep their width and transparency.
void colourGraphs(QCustomPlot* plot, bool dark);
inline void colourGraphs(QCustomPlot* plot) { colourGraphs(plot, darkPalette()); }

// Byte axes in IEC units (core's iecTickStep): "4 MiB", "8 MiB", every
// label of an axis in one unit.
class IecByteTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override;
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar,
                         int precision) override;

private:
    double m_unit = 1;
};

// The unit and label of one value, as the ticks write it (for tests).
QString iecLabel(double bytes, double unit);

} // namespace memscope::ui
