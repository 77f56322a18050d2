// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/chart_export.h"

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

namespace {} // namespace

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

void drawChart(QCustomPlot& plot, const ChartSpec& chart, int width, int height) {
    plot.resize(width, height);
    plot.plotLayout()->insertRow(0);
    auto* title = new QCPTextElement(&plot, QString::fromStdString(chart.title),
                                     QFont("sans", 11, QFont::Bold));
    plot.plotLayout()->addElement(0, 0, title);
    auto timeTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    timeTicker->setDateTimeFormat("HH:mm:ss");
    timeTicker->setDateTimeSpec(Qt::UTC);
    plot.xAxis->setTicker(timeTicker);
    plot.xAxis->setLabel("time (UTC)");
    if (chart.unit == "bytes")
        plot.yAxis->setTicker(QSharedPointer<IecByteTicker>::create());
    plot.legend->setVisible(true);
    plot.legend->setFont(QFont("sans", 8));
    plot.legend->setBrush(QColor(255, 255, 255, 220));
    plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    double ymax = 0;
    int i = 0;
    for (const auto& s : chart.series) {
        auto* g = plot.addGraph();
        QVector<double> xs, ys;
        for (const auto& p : s.points) {
            xs.push_back(double(p.timeNs) / 1e9);
            ys.push_back(p.value);
            ymax = std::max(ymax, p.value);
        }
        g->setData(xs, ys, true);
        g->setPen(QPen(Qt::black, i++ == 0 ? 2.4 : 1.8));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        g->setName(displayName(s));
    }
    // By name, as the workbench and the SVG colour them; a file is drawn light.
    colourGraphs(&plot, false);
    plot.rescaleAxes();
    if (chart.fromNs && chart.toNs)
        plot.xAxis->setRange(double(chart.fromNs) / 1e9, double(chart.toNs) / 1e9);
    plot.yAxis->setRange(0, ymax > 0 ? ymax * 1.08 : 1);
    if (chart.markNs) {
        auto* line = new QCPItemStraightLine(&plot);
        double x = double(chart.markNs) / 1e9;
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        line->setPen(QPen(QColor(200, 0, 0), 1, Qt::DashLine));
    }
    for (const auto& [t, text] : chart.notes) {
        double x = double(t) / 1e9;
        auto* line = new QCPItemStraightLine(&plot);
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        line->setPen(QPen(QColor(106, 27, 154), 1.2, Qt::DashLine));
        auto* label = new QCPItemText(&plot);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0.02);
        label->setText(QString::fromStdString(text));
        label->setColor(QColor(106, 27, 154));
        label->setPadding(QMargins(3, 0, 0, 0));
    }
    (void)width;
    (void)height;
}

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

QByteArray chartPdf(QCustomPlot& plot, int width, int height, const QString& title) {
    return pdfBytes(width, height, title, [&](QPdfWriter& pdf) {
        QCPPainter painter;
        if (!painter.begin(&pdf))
            return false;
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        painter.setMode(QCPPainter::pmNonCosmetic);
        plot.toPainter(&painter, width, height);
        painter.end();
        return true;
    });
}

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
    QCustomPlot plot;
    drawChart(plot, chart, width, height);
    QByteArray bytes = lower.endsWith(".png")
                           ? pngBytes(plot.toPixmap(width, height, ratio).toImage())
                           : chartPdf(plot, width, height, QString::fromStdString(chart.title));
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
