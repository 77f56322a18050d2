// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/chart_svg.h"

#include "base/format.h"
#include "base/text_util.h"
#include "import/capture_time.h"
#include "report/series_style.h"
#include "store/case_validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace memscope {

std::string xmlEscape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: {
                // Broken UTF-8 would make the document ill-formed (an SVG viewer
                // then shows nothing): U+FFFD instead. Controls XML forbids or
                // HTML flags become spaces.
                size_t n = utf8SequenceAt(s, i);
                if (n == 0) {
                    out += "\xEF\xBF\xBD";
                    ++i;
                    continue;
                }
                uint32_t cp = utf8CodePoint(s, i, n);
                if ((cp < 0x20 && c != '\n' && c != '\t') || (cp >= 0x7F && cp <= 0x9F))
                    out += ' ';
                else
                    out.append(s, i, n);
                i += n;
                continue;
            }
        }
        ++i;
    }
    return out;
}

namespace {

// A coordinate. Callers draw only finite values; this is the last guard, so
// no "nan" or "inf" ever reaches an SVG (a viewer refuses or misdraws it).
std::string fmt(double v) {
    if (!std::isfinite(v))
        v = 0;
    char b[32];
    snprintf(b, sizeof b, "%.1f", v);
    return b;
}

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

} // namespace

std::string renderChartSvg(const ChartSpec& c, int width, int height) {
    const int left = 78, right = 16, top = 28;
    const int legendRows = int((c.series.size() + 1) / 2);
    const int bottom = 36 + 18 * legendRows;
    const int plotW = width - left - right, plotH = height - top - bottom;
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
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                      "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                      std::to_string(width) + " " + std::to_string(height) +
                      "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n"
                      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
                      "<text x=\"" +
                      std::to_string(left) + "\" y=\"17\" font-size=\"13\" font-weight=\"bold\">" +
                      xmlEscape(c.title) + "</text>\n";
    if (t0 == INT64_MAX) {
        out += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(top + plotH / 2) +
               "\">no data</text>\n</svg>\n";
        return out;
    }
    if (t1 == t0) {
        if (t0 <= INT64_MAX - 1'000'000'000)
            t1 = t0 + 1'000'000'000;
        else
            t0 = t1 - 1'000'000'000;
    }
    // Bytes tick in IEC units (4 MiB, 8 MiB), the workbench's ticks.
    double byteUnit = 1;
    const bool bytes = c.unit == "bytes" && vmax - vmin < 9e18;
    double step = bytes ? iecTickStep(vmax - vmin, 4, &byteUnit) : niceStep(vmax - vmin, 4);
    double ymax = std::ceil(vmax / step) * step, ymin = std::floor(vmin / step) * step;
    if (ymax <= ymin)
        ymax = ymin + step;
    // Times in double: t - t0 of two int64 times far apart can overflow.
    auto X = [&](int64_t t) {
        return left + (double(t) - double(t0)) / (double(t1) - double(t0)) * plotW;
    };
    auto Y = [&](double v) {
        v = std::clamp(v, -kValueLimit, kValueLimit);
        return top + plotH - (v - ymin) / (ymax - ymin) * plotH;
    };
    // Grid and value axis: ticks counted, not stepped, so a step too small to
    // change a huge value cannot loop forever.
    int ticks = int(std::lround((ymax - ymin) / step));
    for (int k = 0; k <= ticks && k <= 20; ++k) {
        double v = ymin + k * step;
        std::string y = fmt(Y(v));
        out += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + std::to_string(left + plotW) +
               "\" y1=\"" + y + "\" y2=\"" + y + "\" stroke=\"#e0e0e0\"/>\n<text x=\"" +
               std::to_string(left - 6) + "\" y=\"" + fmt(Y(v) + 4) +
               "\" text-anchor=\"end\" fill=\"#444\">" +
               xmlEscape(bytes ? iecTickLabel(v, byteUnit) : valueLabel(v, c.unit)) + "</text>\n";
    }
    // Time axis: a handful of UTC labels.
    for (int i = 0; i <= 4; ++i) {
        // In double, then back within [t0, t1]: t1 - t0 may not fit in int64.
        double at = double(t0) + (double(t1) - double(t0)) * i / 4;
        int64_t t = i == 0 ? t0 : i == 4 || at >= double(t1) ? t1 : int64_t(at);
        std::string iso = formatTimeIso(t); // 2026-11-26T16:59:01.123Z
        std::string hhmmss = iso.size() >= 19 ? iso.substr(11, 8) : iso;
        const char* anchor = i == 0 ? "start" : i == 4 ? "end" : "middle";
        out += "<text x=\"" + fmt(X(t)) + "\" y=\"" + std::to_string(top + plotH + 15) +
               "\" text-anchor=\"" + anchor + "\" fill=\"#444\">" + xmlEscape(hhmmss) + "</text>\n";
    }
    out += "<text x=\"" + std::to_string(left + plotW) + "\" y=\"" +
           std::to_string(top + plotH + 28) + "\" text-anchor=\"end\" fill=\"#666\">time (UTC, " +
           xmlEscape(formatTimeIso(t0).substr(0, 10)) + ")</text>\n";
    out += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(top) + "\" width=\"" +
           std::to_string(plotW) + "\" height=\"" + std::to_string(plotH) +
           "\" fill=\"none\" stroke=\"#999\"/>\n";
    if (c.markNs >= t0 && c.markNs <= t1 && c.markNs)
        out += "<line x1=\"" + fmt(X(c.markNs)) + "\" x2=\"" + fmt(X(c.markNs)) + "\" y1=\"" +
               std::to_string(top) + "\" y2=\"" + std::to_string(top + plotH) +
               "\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>\n";
    // One colour per series name, as in the workbench and its PNG and PDF charts.
    std::vector<std::string> names;
    for (const auto& s : c.series)
        names.push_back(seriesDisplayName(s));
    const std::vector<Rgb> colours = seriesColours(names);
    for (size_t i = 0; i < c.series.size(); ++i) {
        const auto& s = c.series[i];
        const std::string colour = colours[i].hex();
        std::string pts;
        for (const auto& p : s.points)
            if (drawn(p))
                pts += fmt(X(p.timeNs)) + "," + fmt(Y(p.value)) + " ";
        out += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"" +
               (i == 0 ? "2.2" : "1.6") + "\" points=\"" + pts + "\"/>\n";
        for (const auto& p : s.points)
            if (drawn(p))
                out += "<circle cx=\"" + fmt(X(p.timeNs)) + "\" cy=\"" + fmt(Y(p.value)) +
                       "\" r=\"2.5\" fill=\"" + colour + "\"><title>" +
                       xmlEscape(s.key() + " = " + valueLabel(p.value, c.unit) + " at " +
                                 formatTimeIso(p.timeNs)) +
                       "</title></circle>\n";
        int lx = left + int(i % 2) * (plotW / 2), ly = top + plotH + 40 + 18 * int(i / 2);
        out += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(ly - 9) +
               "\" width=\"12\" height=\"4\" fill=\"" + colour + "\"/><text x=\"" +
               std::to_string(lx + 16) + "\" y=\"" + std::to_string(ly - 4) + "\">" +
               xmlEscape(names[i]) + "</text>\n";
    }
    for (const auto& [t, text] : c.notes) {
        if (t < t0 || t > t1)
            continue;
        out += "<line x1=\"" + fmt(X(t)) + "\" x2=\"" + fmt(X(t)) + "\" y1=\"" +
               std::to_string(top) + "\" y2=\"" + std::to_string(top + plotH) +
               "\" stroke=\"#6a1b9a\" stroke-dasharray=\"5 3\"/>\n<text x=\"" + fmt(X(t) + 3) +
               "\" y=\"" + std::to_string(top + 12) + "\" fill=\"#6a1b9a\">" + xmlEscape(text) +
               "</text>\n";
    }
    out += "</svg>\n";
    return out;
}

std::vector<std::string> chartNames() {
    return {"heap", "gc", "goroutines", "fds", "connections", "finalizers"};
}

Result<ChartSpec> namedChart(CaseStore& store, const std::string& name) {
    ChartSpec c;
    c.unit = "count";
    Result<std::vector<Series>> all = std::vector<Series>();
    auto take = [&](auto pred) {
        for (auto& s : *all)
            if (pred(s) && c.series.size() < 10)
                c.series.push_back(std::move(s));
    };
    if (name == "heap") {
        c.title = "Heap in use";
        c.unit = "bytes";
        all = heapSeries(store);
        if (!all)
            return all.error();
        take([](const Series& s) { return s.metric == "heap_inuse_bytes"; });
    } else if (name == "gc") {
        c.title = "GC: live heap and goal";
        c.unit = "bytes";
        all = gcSeries(store);
        if (!all)
            return all.error();
        take([](const Series& s) {
            return s.metric == "gc_heap_live_bytes" || s.metric == "gc_heap_goal_bytes";
        });
    } else if (name == "goroutines") {
        c.title = "Goroutines by state";
        all = goroutineSeries(store);
        if (!all)
            return all.error();
        take([](const Series& s) { return !s.labels.count("role") && !s.labels.count("group"); });
    } else if (name == "fds") {
        c.title = "Open files by type";
        all = fdSeries(store);
        if (!all)
            return all.error();
        take([](const Series& s) { return s.metric == "fds"; });
    } else if (name == "connections") {
        c.title = "Client TCP connections per remote host";
        all = fdSeries(store);
        if (!all)
            return all.error();
        take([](const Series& s) { return s.metric == "tcp_sockets" && s.labels.count("host"); });
    } else if (name == "finalizers") {
        c.title = "Finalizers";
        all = heapDumpSeries(store);
        auto metrics = all ? metricSeries(store) : all;
        if (!metrics)
            return metrics.error();
        for (auto& s : *metrics)
            all->push_back(std::move(s));
        take([](const Series& s) {
            return s.metric == "finalizers_registered" || s.metric == "finalizers_queued" ||
                   (s.labels.count("name") &&
                    s.labels.at("name").find("finaliz") != std::string::npos);
        });
    }
    if (!all)
        return all.error();
    auto notes = store.annotations();
    if (!notes)
        return notes.error();
    for (const auto& a : *notes)
        c.notes.push_back({a.timeNs, annotationLabel(a.text)});
    return c;
}

std::string renderFlameSvg(const CallTree& tree, const std::string& title, int width) {
    FlameLayout l = layoutFlame(tree);
    const int row = 17, top = 34;
    int height = top + (l.maxDepth + 1) * row + 8;
    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    o << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    std::string subtitle = tree.diff ? "red grew, blue shrank; " +
                                           formatValue(tree.baseTotal, tree.unit) +
                                           " \xe2\x86\x92 " + formatValue(tree.total, tree.unit)
                                     : formatValue(tree.total, tree.unit);
    o << "<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" << xmlEscape(title)
      << "</text>";
    o << "<text x=\"" << width - 8 << "\" y=\"20\" text-anchor=\"end\" fill=\"#555\">"
      << xmlEscape(tree.sample + ": " + subtitle) << "</text>\n";
    auto fnv = [](const std::string& s) {
        uint32_t h = 2166136261u;
        for (unsigned char c : s)
            h = (h ^ c) * 16777619u;
        return h;
    };
    const double w = width - 16;
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
        double px = 8 + l.x[i] * w, pw = l.width[i] * w;
        if (!std::isfinite(px) || !std::isfinite(pw) || pw < 0.3)
            continue;
        const auto& nd = tree.nodes[i];
        std::string fill;
        char buf[16];
        if (i == 0) {
            fill = "#b0b0b0";
        } else if (tree.diff) {
            double d = double(nd.value - nd.base);
            double t =
                l.maxDelta > 0 ? std::clamp(std::sqrt(std::fabs(d) / l.maxDelta), 0.12, 1.0) : 0;
            int k = int(255 - t * 170);
            if (d > 0)
                std::snprintf(buf, sizeof buf, "#ff%02x%02x", k, k);
            else if (d < 0)
                std::snprintf(buf, sizeof buf, "#%02x%02xff", k, std::min(255, k + 30));
            else
                std::snprintf(buf, sizeof buf, "#c8c8c8");
            fill = buf;
        } else {
            std::string pkg = nd.function.substr(0, nd.function.find('.'));
            uint32_t h = fnv(pkg);
            std::snprintf(buf, sizeof buf, "#%02x%02x%02x", 230 + int(h % 25),
                          90 + int((h >> 8) % 120), 40 + int((h >> 16) % 50));
            fill = buf;
        }
        std::string name = i == 0 ? "all" : nd.function;
        std::string tip = name + "\n" + formatValue(nd.value, tree.unit);
        if (tree.diff)
            tip += " (base " + formatValue(nd.base, tree.unit) + ")";
        double y = top + l.depth[i] * row;
        o << "<g><title>" << xmlEscape(tip) << "</title><rect x=\"" << px << "\" y=\"" << y
          << "\" width=\"" << std::max(0.3, pw - 0.5) << "\" height=\"" << row - 1 << "\" fill=\""
          << fill << "\"/>";
        size_t fits = pw > 24 ? size_t((pw - 6) / 6.2) : 0; // about 6 px a character
        if (fits >= 3) {
            std::string label = name;
            if (label.size() > fits) {
                size_t cut = fits - 2;
                while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xc0) == 0x80)
                    --cut; // not inside a UTF-8 sequence
                label = label.substr(0, cut) + "..";
            }
            o << "<text x=\"" << px + 3 << "\" y=\"" << y + row - 5 << "\">" << xmlEscape(label)
              << "</text>";
        }
        o << "</g>\n";
    }
    o << "</svg>\n";
    return o.str();
}

} // namespace memscope
