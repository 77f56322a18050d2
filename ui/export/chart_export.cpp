// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/chart_export.h"

#include "report/chart_layout.h"

#include "base/format.h"
#include "io/output_file.h"
#include "widgets/flame_graph.h"
#include "widgets/series_style.h"

#include <QApplication>
#include <QBuffer>

#include <QDateTime>
#include <QFile>
#include <QPainter>
#include <QPdfWriter>
#include <QStyle>
#include <algorithm>
#include <qcustomplot.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace memscope::ui {

void ensureApplication() {
    if (QCoreApplication::instance())
        return;
    const char* d = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    if (!std::getenv("QT_QPA_PLATFORM") && !(d && *d) && !(w && *w))
        setenv("QT_QPA_PLATFORM", "offscreen", 1);
    if (!std::getenv("XDG_RUNTIME_DIR")) {
        // Qt wants one; a private folder keeps it quiet.
        std::string dir = "/tmp/memscope-runtime-" + std::to_string(getuid());
        mkdir(dir.c_str(), 0700);
        setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
    }
    static int argc = 1;
    static char name[] = "memscope";
    static char* argv[] = {name, nullptr};
    static std::unique_ptr<QApplication> app(new QApplication(argc, argv));
}

namespace {

// Exports are drawn into memory and written whole or not at all: Qt's file
// writers do not report a full disk or a file size limit, and would leave a
// cut or empty file behind a "wrote".
QString writeWhole(const QString& path, const QByteArray& bytes) {
    auto st = writeOutputFile(path.toStdString(),
                              std::string_view(bytes.constData(), size_t(bytes.size())));
    return st ? QString() : QString::fromStdString(st.error().toString());
}

QByteArray pngBytes(const QImage& image) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    return image.save(&buffer, "PNG") ? bytes : QByteArray();
}

// A PDF page of width x height points with what `draw` paints on it.
template <typename Draw>
QByteArray pdfBytes(int width, int height, const QString& title, Draw draw) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(title);
        pdf.setCreator("memscope");
        pdf.setPageSize(QPageSize(QSizeF(width, height), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72);
        if (!draw(pdf))
            return {};
    }
    return bytes;
}

QColor chartColour(const char* hex) { return QColor(QString::fromLatin1(hex)); }
QColor chartColour(const Rgb& c) { return QColor(c.r, c.g, c.b); }

} // namespace

void paintChart(QPainter& painter, const ChartLayout& l) {
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.fillRect(QRectF(0, 0, l.width, l.height), Qt::white);
    QFont font(QStringLiteral("sans-serif"));
    font.setPixelSize(ChartLayout::kFontPx);
    QFont titleFont = font;
    titleFont.setPixelSize(ChartLayout::kTitlePx);
    titleFont.setBold(true);
    const QFontMetricsF metrics(font);
    // Text at a baseline, anchored as in the SVG; never wider than `maxWidth`.
    auto text = [&](double x, double baseline, const std::string& s, ChartLayout::Tick::Anchor a,
                    double maxWidth = 1e5) {
        QString t = metrics.elidedText(QString::fromStdString(s), Qt::ElideRight, maxWidth);
        double w = metrics.horizontalAdvance(t);
        double left = a == ChartLayout::Tick::Anchor::Start ? x
                      : a == ChartLayout::Tick::Anchor::End ? x - w
                                                            : x - w / 2;
        painter.drawText(QPointF(left, baseline), t);
    };
    using Anchor = ChartLayout::Tick::Anchor;
    painter.setFont(titleFont);
    painter.setPen(Qt::black);
    painter.drawText(QPointF(l.titleX, l.titleBaseline), QString::fromStdString(l.title));
    painter.setFont(font);
    if (!l.emptyText.empty()) {
        text(l.left, l.top + l.plotH / 2, l.emptyText, Anchor::Start);
        painter.restore();
        return;
    }
    const double right = l.left + l.plotW, bottom = l.top + l.plotH;
    for (const auto& t : l.valueTicks) {
        painter.setPen(QPen(chartColour(kChartGrid), 1));
        painter.drawLine(QPointF(l.left, t.at), QPointF(right, t.at));
        painter.setPen(chartColour(kChartTickText));
        text(l.left - 6, t.at + 4, t.label, Anchor::End);
    }
    for (const auto& t : l.timeTicks) {
        painter.setPen(QPen(chartColour(kChartGrid), 1));
        painter.drawLine(QPointF(t.at, l.top), QPointF(t.at, bottom));
        painter.setPen(chartColour(kChartTickText));
        text(t.at, l.timeLabelBaseline, t.label, t.anchor);
    }
    painter.setPen(chartColour(kChartCaption));
    text(right, l.captionBaseline, l.timeCaption, Anchor::End);
    painter.setPen(QPen(chartColour(kChartFrame), 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(l.left, l.top, l.plotW, l.plotH));
    if (l.hasMark) {
        QPen pen(chartColour(kChartMark), 1);
        pen.setDashPattern({4, 3});
        painter.setPen(pen);
        painter.drawLine(QPointF(l.markX, l.top), QPointF(l.markX, bottom));
    }
    for (const auto& line : l.lines) {
        const QColor colour = chartColour(line.colour);
        QPolygonF poly;
        for (const auto& p : line.points)
            poly << QPointF(p.x, p.y);
        painter.setPen(QPen(colour, line.width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter.setBrush(Qt::NoBrush);
        painter.drawPolyline(poly);
        painter.setPen(Qt::NoPen);
        painter.setBrush(colour);
        for (const auto& p : poly)
            painter.drawEllipse(p, 2.5, 2.5);
    }
    painter.setBrush(Qt::NoBrush);
    for (const auto& item : l.legend) {
        painter.fillRect(QRectF(item.x, item.baseline - 5, 12, 4), chartColour(item.colour));
        painter.setPen(Qt::black);
        text(item.x + 16, item.baseline, item.text, Anchor::Start,
             std::max(20.0, l.plotW / 2 - 24));
    }
    const QColor note = chartColour(kChartNote);
    QPen dashed(note, 1);
    dashed.setDashPattern({5, 3});
    for (const auto& n : l.notes) {
        painter.setPen(dashed);
        painter.drawLine(QPointF(n.x, l.top), QPointF(n.x, bottom));
    }
    for (const auto& n : l.notes) {
        painter.fillRect(QRectF(n.boxX, n.boxY, n.boxW, n.boxH), QColor(255, 255, 255, 217));
        painter.setPen(note);
        text(n.boxX + 3, n.boxY + n.boxH - 3, n.label, Anchor::Start, n.boxW - 6);
    }
    for (const auto& k : l.noteKey) {
        painter.setPen(note);
        text(k.x, k.baseline, k.text, Anchor::Start, l.plotW);
    }
    painter.restore();
}

namespace {

QString encodeFailed(const QString& path) {
    return QObject::tr("%1: cannot encode the image").arg(path);
}

} // namespace

bool saveChartPng(const ChartSpec& chart, const QString& path, int width, int height) {
    return saveChart(chart, path, width, height).isEmpty();
}

QString saveChart(const ChartSpec& chart, const QString& path, int width, int height) {
    if (chart.width > 0 && chart.height > 0) {
        width = chart.width;
        height = chart.height;
    }
    const double ratio = std::clamp(chart.pixelRatio, 1.0, 4.0);
    QString lower = path.toLower();
    if (lower.endsWith(".svg"))
        return writeWhole(path, QByteArray::fromStdString(renderChartSvg(chart, width, height)));
    if (!lower.endsWith(".png") && !lower.endsWith(".pdf"))
        return QObject::tr("%1: the file name must end in .png, .svg or .pdf").arg(path);
    // The SVG's layout, painted: the same ticks, legend and labels in every format.
    const ChartLayout layout = layoutChart(chart, width, height);
    QByteArray bytes;
    if (lower.endsWith(".png")) {
        QImage image(QSize(width, height) * ratio, QImage::Format_ARGB32);
        image.setDevicePixelRatio(ratio);
        image.fill(Qt::white);
        QPainter painter(&image);
        paintChart(painter, layout);
        painter.end();
        bytes = pngBytes(image);
    } else {
        bytes = pdfBytes(width, height, QString::fromStdString(chart.title), [&](QPdfWriter& pdf) {
            QPainter painter;
            if (!painter.begin(&pdf))
                return false;
            paintChart(painter, layout);
            painter.end();
            return true;
        });
    }
    if (bytes.isEmpty())
        return encodeFailed(path);
    return writeWhole(path, bytes);
}

QString saveFlameGraph(const CallTree& tree, const QString& title, const QString& path, int width) {
    QString lower = path.toLower();
    if (lower.endsWith(".svg"))
        return writeWhole(
            path, QByteArray::fromStdString(renderFlameSvg(tree, title.toStdString(), width)));
    if (!lower.endsWith(".png") && !lower.endsWith(".pdf"))
        return QObject::tr("%1: the file name must end in .png, .svg or .pdf").arg(path);
    FlameGraphView view;
    view.setTree(std::make_shared<const CallTree>(tree));
    view.resize(width, view.sizeHint().height());
    view.setPalette(QApplication::style() ? QApplication::style()->standardPalette()
                                          : view.palette());
    // A title line above the frames, as the SVG has.
    const int titleHeight = title.isEmpty() ? 0 : 28;
    const QSize size(view.width(), view.height() + titleHeight);
    auto draw = [&](QPainter& painter) {
        if (titleHeight) {
            QFont font = painter.font();
            font.setBold(true);
            font.setPointSizeF(11);
            painter.setFont(font);
            painter.setPen(Qt::black);
            painter.drawText(QRect(8, 0, size.width() - 16, titleHeight),
                             Qt::AlignLeft | Qt::AlignVCenter, title);
        }
        view.render(&painter, QPoint(0, titleHeight));
    };
    if (lower.endsWith(".png")) {
        QImage image(size * 2, QImage::Format_ARGB32);
        image.setDevicePixelRatio(2);
        image.fill(Qt::white);
        QPainter painter(&image);
        draw(painter);
        painter.end();
        QByteArray bytes = pngBytes(image);
        return bytes.isEmpty() ? encodeFailed(path) : writeWhole(path, bytes);
    }
    QByteArray bytes = pdfBytes(size.width(), size.height(), title, [&](QPdfWriter& pdf) {
        QPainter painter;
        if (!painter.begin(&pdf))
            return false;
        draw(painter);
        painter.end();
        return true;
    });
    return bytes.isEmpty() ? encodeFailed(path) : writeWhole(path, bytes);
}

void stylePlot(QCustomPlot* plot, const QPalette& palette) {
    QColor text = palette.color(QPalette::Text), base = palette.color(QPalette::Base);
    QColor grid = palette.color(QPalette::Mid);
    plot->setBackground(base);
    for (auto* rect : plot->axisRects()) {
        rect->setBackground(base);
        for (auto* axis : rect->axes()) {
            axis->setBasePen(QPen(text, 1));
            axis->setTickPen(QPen(text, 1));
            axis->setSubTickPen(QPen(text, 1));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
            axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
        }
    }
    plot->legend->setBrush(base);
    plot->legend->setTextColor(text);
    colourGraphs(plot, base.lightness() < 128); // lighter lines on the dark theme
    // The panels' own legends sit inside their axis rects.
    QColor inset = base;
    inset.setAlpha(200);
    for (auto* rect : plot->axisRects())
        for (int i = 0; i < rect->insetLayout()->elementCount(); ++i)
            if (auto* legend = qobject_cast<QCPLegend*>(rect->insetLayout()->elementAt(i))) {
                legend->setBrush(inset);
                legend->setTextColor(text);
            }
    plot->replot();
}

} // namespace memscope::ui
