// SPDX-License-Identifier: GPL-3.0-or-later
// How a series looks wherever it is drawn (the workbench, its PNG/PDF
// exports, the report's SVG): one name for people and one colour per name.
#pragma once

#include "analysis/series/series.h"

#include <string>
#include <vector>

namespace memscope {

struct Rgb {
    int r = 0, g = 0, b = 0;
    std::string hex() const; // "#0072b2"
};

// A series' name in legends: what it counts, its distinguishing label
// (site, host, role, ...) and its program when the case holds several.
// The service's own `finalizers.registered` and the heap dumps'
// `finalizers_registered` read "finalizers registered (expvar)" and
// "finalizers registered (heap dumps)": one style, the source in brackets.
std::string seriesDisplayName(const Series& s);

// One colour per name: a name keeps its colour in every view and export.
// The colour comes from the name itself; names that would share one within
// a chart take the next free colour, in name order, so the same set of names
// is always coloured the same way. `dark` lightens the palette for a dark
// background.
std::vector<Rgb> seriesColours(const std::vector<std::string>& names, bool dark = false);

// Byte axes in IEC units: a tick step of 1, 2, 4 or 5 times a power of ten
// of one unit (KiB, MiB, GiB), about `ticks` ticks over `range` bytes; `unit`
// is set to the unit every label of the axis is written in.
double iecTickStep(double range, int ticks, double* unit);
// "4 MiB", "512 KiB", "0": a tick's label in the axis' unit.
std::string iecTickLabel(double bytes, double unit);

} // namespace memscope
