// SPDX-License-Identifier: GPL-3.0-or-later
#include "report/chart_svg.h"

#include "report/chart_layout.h"

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

} // namespace

std::string renderChartSvg(const ChartSpec& c, int width, int height) {
    const ChartLayout l = layoutChart(c, width, height);
    auto num = [](double v) { return fmt(v); };
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                      "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                      std::to_string(width) + " " + std::to_string(height) +
                      "\" font-family=\"sans-serif\" font-size=\"" +
                      std::to_string(ChartLayout::kFontPx) +
                      "\" role=\"img\">\n"
                      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
                      "<text x=\"" +
                      num(l.titleX) + "\" y=\"" + num(l.titleBaseline) + "\" font-size=\"" +
                      std::to_string(ChartLayout::kTitlePx) + "\" font-weight=\"bold\">" +
                      xmlEscape(l.title) + "</text>\n";
    if (!l.emptyText.empty()) {
        out += "<text x=\"" + num(l.left) + "\" y=\"" + num(l.top + l.plotH / 2) + "\">" +
               xmlEscape(l.emptyText) + "</text>\n</svg>\n";
        return out;
    }
    const double right = l.left + l.plotW, bottom = l.top + l.plotH;
    auto anchor = [](ChartLayout::Tick::Anchor a) {
        return a == ChartLayout::Tick::Anchor::Start ? "start"
               : a == ChartLayout::Tick::Anchor::End ? "end"
                                                     : "middle";
    };
    for (const auto& t : l.valueTicks)
        out += "<line x1=\"" + num(l.left) + "\" x2=\"" + num(right) + "\" y1=\"" + num(t.at) +
               "\" y2=\"" + num(t.at) + "\" stroke=\"" + kChartGrid + "\"/>\n<text x=\"" +
               num(l.left - 6) + "\" y=\"" + num(t.at + 4) + "\" text-anchor=\"end\" fill=\"" +
               kChartTickText + "\">" + xmlEscape(t.label) + "</text>\n";
    for (const auto& t : l.timeTicks)
        out += "<line x1=\"" + num(t.at) + "\" x2=\"" + num(t.at) + "\" y1=\"" + num(l.top) +
               "\" y2=\"" + num(bottom) + "\" stroke=\"" + kChartGrid + "\"/>\n";
    for (const auto& t : l.timeTicks)
        out += "<text x=\"" + num(t.at) + "\" y=\"" + num(l.timeLabelBaseline) +
               "\" text-anchor=\"" + anchor(t.anchor) + "\" fill=\"" + kChartTickText + "\">" +
               xmlEscape(t.label) + "</text>\n";
    out += "<text x=\"" + num(right) + "\" y=\"" + num(l.captionBaseline) +
           "\" text-anchor=\"end\" fill=\"" + kChartCaption + "\">" + xmlEscape(l.timeCaption) +
           "</text>\n";
    out += "<rect x=\"" + num(l.left) + "\" y=\"" + num(l.top) + "\" width=\"" + num(l.plotW) +
           "\" height=\"" + num(l.plotH) + "\" fill=\"none\" stroke=\"" + kChartFrame + "\"/>\n";
    if (l.hasMark)
        out += "<line x1=\"" + num(l.markX) + "\" x2=\"" + num(l.markX) + "\" y1=\"" + num(l.top) +
               "\" y2=\"" + num(bottom) + "\" stroke=\"" + kChartMark +
               "\" stroke-dasharray=\"4 3\"/>\n";
    for (const auto& line : l.lines) {
        const std::string colour = line.colour.hex();
        std::string pts;
        for (const auto& p : line.points)
            pts += num(p.x) + "," + num(p.y) + " ";
        out += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"" +
               num(line.width) + "\" points=\"" + pts + "\"/>\n";
        for (const auto& p : line.points)
            out += "<circle cx=\"" + num(p.x) + "\" cy=\"" + num(p.y) + "\" r=\"2.5\" fill=\"" +
                   colour + "\"><title>" + xmlEscape(p.title) + "</title></circle>\n";
    }
    for (const auto& item : l.legend)
        out += "<rect x=\"" + num(item.x) + "\" y=\"" + num(item.baseline - 5) +
               "\" width=\"12\" height=\"4\" stroke=\"none\" fill=\"" + item.colour.hex() +
               "\"/><text x=\"" + num(item.x + 16) + "\" y=\"" + num(item.baseline) + "\">" +
               xmlEscape(item.text) + "</text>\n";
    for (const auto& n : l.notes)
        out += "<line x1=\"" + num(n.x) + "\" x2=\"" + num(n.x) + "\" y1=\"" + num(l.top) +
               "\" y2=\"" + num(bottom) + "\" stroke=\"" + kChartNote +
               "\" stroke-dasharray=\"5 3\"/>\n";
    // Labels over every line, each on a white box so it reads.
    for (const auto& n : l.notes)
        out += "<rect x=\"" + num(n.boxX) + "\" y=\"" + num(n.boxY) + "\" width=\"" + num(n.boxW) +
               "\" height=\"" + num(n.boxH) +
               "\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"none\"/><text x=\"" +
               num(n.boxX + 3) + "\" y=\"" + num(n.boxY + n.boxH - 3) + "\" fill=\"" + kChartNote +
               "\">" + xmlEscape(n.label) + "</text>\n";
    for (const auto& k : l.noteKey)
        out += "<text x=\"" + num(k.x) + "\" y=\"" + num(k.baseline) + "\" fill=\"" + kChartNote +
               "\">" + xmlEscape(k.text) + "</text>\n";
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
                    (s.labels.at("name").find("finaliz") != std::string::npos ||
                     s.labels.at("name").rfind("/gc/cleanups/", 0) == 0));
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
