// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/chart_layout.h"

#include "base/format.h"
#include "base/text_util.h"
#include "import/capture_time.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace memscope {

namespace {

std::string valueLabel(double v, const std::string& unit) {
    if (unit == "bytes" && std::fabs(v) < 9e18) // past int64, the plain number below
        return formatValue(int64_t(v), "bytes");
    char b[32];
    if (std::fabs(v) >= 1e6)
        snprintf(b, sizeof b, "%.1fM", v / 1e6);
    else if (std::fabs(v) >= 1e4)
        snprintf(b, sizeof b, "%.0fk", v / 1e3);
    else
        snprintf(b, sizeof b, "%g", std::round(v * 100) / 100);
    return b;
}

// A step of 1, 2 or 5 times a power of ten giving about `n` ticks.
double niceStep(double range, int n) {
    if (range <= 0)
        return 1;
    double raw = range / n, p = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * p)
            return m * p;
    return 10 * p;
}

// `text` cut on a character boundary, with an ellipsis, to `maxWidth`.
std::string fitText(const std::string& text, double maxWidth) {
    if (chartTextWidth(text) <= maxWidth)
        return text;
    const std::string ellipsis = "\xE2\x80\xA6";
    std::string out;
    for (size_t i = 0; i < text.size();) {
        size_t n = std::max<size_t>(1, utf8SequenceAt(text, i));
        if (chartTextWidth(out + text.substr(i, n) + ellipsis) > maxWidth)
            break;
        out += text.substr(i, n);
        i += n;
    }
    return out + ellipsis;
}

std::string clockOf(int64_t t) {
    std::string iso = formatTimeIso(t); // 2026-11-26T16:59:01.123Z
    return iso.size() >= 19 ? iso.substr(11, 8) : iso;
}

constexpr double kNoteRowHeight = 14, kNoteRowGap = 2, kKeyRowHeight = 16;
constexpr size_t kMaxKeyLines = 6;

} // namespace

double chartTextWidth(const std::string& text, int fontPx) {
    // Per character at 11 px, rounded up from DejaVu Sans and Liberation
    // Sans, so a renderer's real text is never wider than what is reserved.
    double w = 0;
    for (size_t i = 0; i < text.size();) {
        size_t n = std::max<size_t>(1, utf8SequenceAt(text, i));
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (n > 1)
            w += 8;
        else if (std::strchr("iljtfr.,:;'!|() ", c))
            w += 4;
        else if (std::strchr("mwMW@", c))
            w += 10;
        else if (c >= 'A' && c <= 'Z')
            w += 8;
        else
            w += 7;
        i += n;
    }
    return w * fontPx / 11.0;
}

std::vector<int> placeLabelRows(const std::vector<std::pair<double, double>>& spans, size_t maxRows,
                                double gap) {
    std::vector<int> rows;
    std::vector<double> rowRight;
    for (const auto& [left, width] : spans) {
        size_t row = 0;
        while (row < rowRight.size() && rowRight[row] + gap > left)
            ++row;
        if (row >= maxRows) {
            rows.push_back(-1);
            continue;
        }
        if (row == rowRight.size())
            rowRight.push_back(left + width);
        else
            rowRight[row] = left + width;
        rows.push_back(int(row));
    }
    return rows;
}

ChartLayout layoutChart(const ChartSpec& c, int width, int height) {
    ChartLayout l;
    l.width = width;
    l.height = height;
    l.title = c.title;
    const double left = 78, right = 16, top = 28;
    l.left = left;
    l.top = top;
    l.titleX = left;
    const int legendRows = int((c.series.size() + 1) / 2);
    l.plotW = std::max(1.0, width - left - right);
    auto plotHeightFor = [&](size_t keyLines) {
        return std::max(1.0, height - top - (36 + 18.0 * legendRows + kKeyRowHeight * keyLines));
    };
    l.plotH = plotHeightFor(0);

    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    double vmax = 0, vmin = 0;
    auto inRange = [&](int64_t t) {
        return (!c.fromNs || t >= c.fromNs) && (!c.toNs || t <= c.toNs);
    };
    // A point is drawn when its value is a number: NaN or infinity (an expvar
    // 1e999) has no place on a value axis.
    auto drawn = [&](const SeriesPoint& p) { return inRange(p.timeNs) && std::isfinite(p.value); };
    // Values are clamped so the axis range (vmax - vmin) stays finite.
    constexpr double kValueLimit = 1e300;
    for (const auto& s : c.series)
        for (const auto& p : s.points) {
            if (!drawn(p))
                continue;
            t0 = std::min(t0, p.timeNs);
            t1 = std::max(t1, p.timeNs);
            vmax = std::max(vmax, std::min(p.value, kValueLimit));
            vmin = std::min(vmin, std::max(p.value, -kValueLimit));
        }
    if (c.fromNs)
        t0 = c.fromNs;
    if (c.toNs)
        t1 = c.toNs;
    if (t0 == INT64_MAX) {
        l.emptyText = "no data";
        return l;
    }
    if (t1 == t0) {
        if (t0 <= INT64_MAX - 1'000'000'000)
            t1 = t0 + 1'000'000'000;
        else
            t0 = t1 - 1'000'000'000;
    }
    // Times in double: t - t0 of two int64 times far apart can overflow.
    auto X = [&](int64_t t) {
        return left + (double(t) - double(t0)) / (double(t1) - double(t0)) * l.plotW;
    };

    // Notes first: how many need a line under the legend decides the plot's height.
    struct Placed {
        int64_t t;
        std::string text;
        double x;
    };
    std::vector<Placed> notes;
    for (const auto& [t, text] : c.notes)
        if (t >= t0 && t <= t1)
            notes.push_back({t, text, X(t)});
    std::stable_sort(notes.begin(), notes.end(),
                     [](const Placed& a, const Placed& b) { return a.x < b.x; });
    const double plotRight = left + l.plotW;
    auto span = [&](double x, const std::string& label) {
        const double w = chartTextWidth(label) + 6;
        const bool hangLeft = x + w > plotRight && x - w >= left;
        return std::pair<double, double>(hangLeft ? x - w : x, w);
    };
    auto rowsThatFit = [&](double plotH) {
        return size_t(std::max(1.0, std::floor((plotH - 4) / (kNoteRowHeight + kNoteRowGap))));
    };
    std::vector<std::string> labels;
    for (const auto& n : notes)
        labels.push_back(fitText(n.text, std::max(40.0, l.plotW * 0.4)));
    // Pass one: which notes get their text (at most three rows of it).
    std::vector<std::pair<double, double>> spans;
    for (size_t i = 0; i < notes.size(); ++i)
        spans.push_back(span(notes[i].x, labels[i]));
    std::vector<int> fullRows = placeLabelRows(spans, std::min<size_t>(3, rowsThatFit(l.plotH)));
    std::vector<size_t> keyed;
    for (size_t i = 0; i < notes.size(); ++i)
        if (fullRows[i] < 0) {
            keyed.push_back(i);
            labels[i] = "[" + std::to_string(keyed.size()) + "]";
        }
    const size_t keyLines = std::min(keyed.size(), kMaxKeyLines);
    l.plotH = plotHeightFor(keyLines);
    // Pass two: texts and numbers together, so none overprints another.
    spans.clear();
    for (size_t i = 0; i < notes.size(); ++i)
        spans.push_back(span(notes[i].x, labels[i]));
    const size_t rowCap = rowsThatFit(l.plotH);
    std::vector<int> rows = placeLabelRows(spans, rowCap);
    for (size_t i = 0; i < notes.size(); ++i) {
        ChartLayout::Note n;
        n.x = notes[i].x;
        n.label = labels[i];
        n.boxX = spans[i].first;
        n.boxW = spans[i].second;
        n.boxH = kNoteRowHeight;
        // More notes in one place than the plot has rows: the last row.
        const int row = rows[i] < 0 ? int(rowCap) - 1 : rows[i];
        n.boxY = top + 4 + row * (kNoteRowHeight + kNoteRowGap);
        l.notes.push_back(std::move(n));
    }

    // The value axis. Bytes tick in IEC units (4 MiB, 8 MiB), the workbench's ticks.
    double byteUnit = 1;
    const bool bytes = c.unit == "bytes" && vmax - vmin < 9e18;
    double step = bytes ? iecTickStep(vmax - vmin, 4, &byteUnit) : niceStep(vmax - vmin, 4);
    double ymax = std::ceil(vmax / step) * step, ymin = std::floor(vmin / step) * step;
    if (ymax <= ymin)
        ymax = ymin + step;
    auto Y = [&](double v) {
        v = std::clamp(v, -kValueLimit, kValueLimit);
        return top + l.plotH - (v - ymin) / (ymax - ymin) * l.plotH;
    };
    // Ticks counted, not stepped, so a step too small to change a huge value
    // cannot loop forever.
    int ticks = int(std::lround((ymax - ymin) / step));
    for (int k = 0; k <= ticks && k <= 20; ++k) {
        double v = ymin + k * step;
        l.valueTicks.push_back({Y(v), bytes ? iecTickLabel(v, byteUnit) : valueLabel(v, c.unit),
                                ChartLayout::Tick::Anchor::End});
    }
    // The time axis: UTC labels at round times (every 10 s, 5 min, 6 h, ...),
    // at most six, as the workbench's timeline ticks; ends when none is round.
    {
        const double spanS = (double(t1) - double(t0)) / 1e9;
        static constexpr double kSteps[] = {1,     2,     5,     10,    15,     30,     60,
                                            120,   300,   600,   900,   1800,   3600,   7200,
                                            10800, 21600, 43200, 86400, 172800, 604800, 1209600};
        double step = 2592000; // 30 days
        for (double s : kSteps)
            if (spanS / s <= 6) {
                step = s;
                break;
            }
        while (spanS / step > 6)
            step *= 2;
        const double firstS = std::ceil(double(t0) / 1e9 / step) * step;
        const double widthRight = width - 2;
        for (int k = 0; k < 8; ++k) {
            const double s = firstS + k * step;
            if (s * 1e9 > double(t1))
                break;
            const int64_t t = int64_t(s) * 1'000'000'000;
            std::string label = clockOf(t);
            if (step >= 86400)
                label = formatTimeIso(t).substr(5, 5); // MM-DD
            else if (step >= 60)
                label = label.substr(0, 5); // HH:MM
            const double x = X(t), half = chartTextWidth(label) / 2;
            if (x + half > widthRight || x - half < 2)
                continue;
            l.timeTicks.push_back({x, label, ChartLayout::Tick::Anchor::Middle});
        }
        if (l.timeTicks.size() < 2) {
            l.timeTicks = {{X(t0), clockOf(t0), ChartLayout::Tick::Anchor::Start},
                           {X(t1), clockOf(t1), ChartLayout::Tick::Anchor::End}};
        }
    }
    l.timeLabelBaseline = top + l.plotH + 15;
    l.timeCaption = "time (UTC, " + formatTimeIso(t0).substr(0, 10) + ")";
    l.captionBaseline = top + l.plotH + 28;
    if (c.markNs >= t0 && c.markNs <= t1 && c.markNs) {
        l.hasMark = true;
        l.markX = X(c.markNs);
    }

    // One colour per series name, as in the workbench.
    std::vector<std::string> names;
    for (const auto& s : c.series)
        names.push_back(seriesDisplayName(s));
    const std::vector<Rgb> colours = seriesColours(names);
    const double column = l.plotW / 2;
    for (size_t i = 0; i < c.series.size(); ++i) {
        const auto& s = c.series[i];
        ChartLayout::Line line;
        line.colour = colours[i];
        line.width = i == 0 ? 2.2 : 1.6;
        for (const auto& p : s.points)
            if (drawn(p))
                line.points.push_back({X(p.timeNs), Y(p.value),
                                       s.key() + " = " + valueLabel(p.value, c.unit) + " at " +
                                           formatTimeIso(p.timeNs)});
        l.lines.push_back(std::move(line));
        ChartLayout::LegendItem item;
        item.x = left + double(i % 2) * column;
        item.baseline = top + l.plotH + 36 + 18.0 * double(i / 2);
        item.colour = colours[i];
        item.text = fitText(names[i], std::max(20.0, column - 24));
        l.legend.push_back(std::move(item));
    }
    // The numbered notes' texts, under the legend.
    const double keyTop = top + l.plotH + 36 + 18.0 * legendRows;
    for (size_t k = 0; k < keyLines; ++k) {
        const auto& n = notes[keyed[k]];
        std::string line = "[" + std::to_string(k + 1) + "] " + clockOf(n.t) + "  " + n.text;
        if (k + 1 == kMaxKeyLines && keyed.size() > kMaxKeyLines)
            line = "[" + std::to_string(k + 1) + "–" + std::to_string(keyed.size()) + "] " +
                   std::to_string(keyed.size() - k) + " more notes: memscope annotations";
        l.noteKey.push_back({left, keyTop + kKeyRowHeight * double(k), fitText(line, l.plotW)});
    }
    return l;
}

} // namespace memscope
