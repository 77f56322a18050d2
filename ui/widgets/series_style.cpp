// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/series_style.h"

#include <QApplication>
#include <QPalette>
#include <map>

namespace memscope::ui {

bool darkPalette() { return QApplication::palette().color(QPalette::Base).lightness() < 128; }

QColor toQColor(const Rgb& c) { return QColor(c.r, c.g, c.b); }

QString displayName(const Series& s) { return QString::fromStdString(seriesDisplayName(s)); }

void colourGraphs(QCustomPlot* plot, bool dark) {
    std::map<QCPAxisRect*, std::vector<QCPGraph*>> byRect;
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        byRect[g->keyAxis() ? g->keyAxis()->axisRect() : nullptr].push_back(g);
    }
    for (auto& [rect, graphs] : byRect) {
        std::vector<std::string> names;
        for (auto* g : graphs) {
            QVariant key = g->property(kColourName);
            names.push_back((key.isValid() ? key.toString() : g->name()).toStdString());
        }
        auto colours = seriesColours(names, dark);
        for (size_t i = 0; i < graphs.size(); ++i) {
            QCPGraph* g = graphs[i];
            QColor c = toQColor(colours[i]);
            QPen pen = g->pen();
            c.setAlpha(pen.color().alpha());
            pen.setColor(c);
            g->setPen(pen);
            QCPScatterStyle dot = g->scatterStyle();
            if (dot.shape() != QCPScatterStyle::ssNone) {
                dot.setPen(QPen(c, 1));
                dot.setBrush(c);
                g->setScatterStyle(dot);
            }
        }
    }
}

QString iecLabel(double bytes, double unit) {
    return QString::fromStdString(iecTickLabel(bytes, unit));
}

double IecByteTicker::getTickStep(const QCPRange& range) {
    return iecTickStep(range.size(), tickCount(), &m_unit);
}

QString IecByteTicker::getTickLabel(double tick, const QLocale&, QChar, int) {
    return iecLabel(tick, m_unit);
}

} // namespace memscope::ui
