// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the timeline's panels share one time axis, one margin group,
// hover and click handling; they live together until the panels become a
// panel class of their own with the one chart renderer (issue: one renderer).
#include "pages/timeline_view.h"
#include "analysis/forecast/fit.h"

#include "base/format.h"
#include "import/capture_time.h"
#include "model/goroutines.h"
#include "report/chart_layout.h"
#include "store/case_validate.h"
#include "widgets/series_style.h"

#include <QApplication>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QSet>
#include <QSettings>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace memscope::ui {

namespace {

double toSeconds(int64_t ns) { return double(ns) / 1e9; }

// A service's or the runtime's finalizer and cleanup counters
// (`/gc/finalizers/queued:finalizers`, `/gc/cleanups/executed:cleanups`, ...).
bool finalizerOrCleanupCounter(const Series& s) {
    if ((s.metric != "runtime" && s.metric != "expvar") || !s.labels.count("name"))
        return false;
    const std::string& n = s.labels.at("name");
    return n.find("finaliz") != std::string::npos || n.find("cleanup") != std::string::npos;
}

// The runtime.runCleanups goroutines, idle or running a user's cleanup.
bool cleanupGoroutines(const Series& s) {
    auto role = s.labels.find("role");
    return s.metric == "goroutines" && role != s.labels.end() &&
           (role->second == toString(GoroutineRole::CleanupIdle) ||
            role->second == toString(GoroutineRole::CleanupRunning));
}

QString noHeapProfiles() {
    return QObject::tr(
        "No heap profiles in this case yet.\n\nImport captures with File ▸ Import Files… or "
        "Import Folder…, or drop them on this window.");
}

// A line's legend name: its site, else "heap in use (total)", with the target when labelled.
QString lineName(const Series& s) {
    QString name = s.labels.count("site") ? QString::fromStdString(s.labels.at("site"))
                                          : QObject::tr("heap in use (total)");
    if (s.labels.count("target"))
        name += QStringLiteral(" [%1]").arg(QString::fromStdString(s.labels.at("target")));
    return name;
}

// Where the process's resident memory goes, beside the heap.
// Its slices (memscope rss's breakdown: heap objects, free heap, stacks, ...,
// the gap nothing explains) with the RSS itself and the cgroup's usage and limit.
bool isProcessMemory(const Series& s) {
    if (s.metric == "rss_slice")
        return true;
    if (s.metric != "process" || !s.labels.count("name"))
        return false;
    const std::string& n = s.labels.at("name");
    return n == "rss_bytes" || n == "cgroup_memory_bytes" || n == "cgroup_memory_max_bytes";
}

} // namespace

TimelineView::TimelineView(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this)) {
    for (const QString& t : QSettings().value("timeline/hiddenPanels").toStringList())
        m_hidden.insert(t);
    m_order = QSettings().value("timeline/panelOrder").toStringList();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_empty = new QLabel(noHeapProfiles(), this);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty);
    // The panels keep a legible height each; when the window is short the
    // timeline scrolls through them instead of making the window taller.
    m_scroll = new QScrollArea(this);
    m_scroll->setWidget(m_plot);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setMinimumHeight(kMinimumHeight);
    layout->addWidget(m_scroll);
    m_scroll->setVisible(false);
    m_plot->setMinimumHeight(220);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat("HH:mm:ss\nyyyy-MM-dd");
    ticker->setDateTimeSpec(Qt::UTC);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setLabel(tr("time (UTC)"));
    m_plot->yAxis->setTicker(QSharedPointer<IecByteTicker>::create());
    m_plot->yAxis->setLabel(tr("heap in use"));
    // The legend sits in a row under the chart, so it never hides a line.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(5);
    auto* legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, legendRow);
    legendRow->setMargins(QMargins(5, 0, 5, 5));
    legendRow->addElement(0, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->plotLayout()->setRowStretchFactor(0, 1.6); // the heap chart leads
    m_margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, m_margins);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &TimelineView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &TimelineView::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &TimelineView::onMouseRelease);
    // Labels are placed in pixels: again whenever the range or the size moves them.
    connect(m_plot, &QCustomPlot::beforeReplot, this, &TimelineView::layoutNoteLabels);
    m_plot->setToolTip(QString());
}

void TimelineView::clear() { setSeries({}); }

void TimelineView::showLoading(const QString& what) {
    m_empty->setText(what);
    m_empty->setVisible(true);
    m_scroll->setVisible(false);
}

QString TimelineView::placeholderText() const {
    return m_empty->isVisible() ? m_empty->text() : QString();
}

void TimelineView::clearPanels() {
    m_plot->clearGraphs();
    for (auto* rect : m_panels)
        m_plot->plotLayout()->remove(rect);
    m_panels.clear();
    m_plot->plotLayout()->simplify();
    m_panelSeries.clear();
}

void TimelineView::showEvidence(const std::vector<Series>& evidence,
                                const std::vector<std::pair<std::string, double>>& forecast) {
    m_givenForecast = forecast;
    // Drop the previous projection, and the previous evidence panel.
    for (int g = m_plot->graphCount() - 1; g >= 0; --g)
        if (m_plot->graph(g)->property("projection").toBool())
            m_plot->removeGraph(g);
    for (int i = m_plot->itemCount() - 1; i >= 0; --i)
        if (m_plot->item(i)->property("projection").toBool())
            m_plot->removeItem(i);
    for (auto it = m_panels.begin(); it != m_panels.end();)
        if ((*it)->property("evidence").toBool()) {
            // Its lines go with it: a graph whose axes are gone cannot draw.
            for (int g = m_plot->graphCount() - 1; g >= 0; --g)
                if (m_plot->graph(g)->keyAxis() && m_plot->graph(g)->keyAxis()->axisRect() == *it)
                    m_plot->removeGraph(g);
            m_plot->plotLayout()->remove(*it);
            it = m_panels.erase(it);
        } else {
            ++it;
        }
    m_plot->plotLayout()->simplify();
    m_evidence = evidence;
    QSet<QString> keys, drawn;
    for (const auto& s : m_evidence)
        keys.insert(QString::fromStdString(s.key()));
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraph* g = m_plot->graph(i);
        QString key = g->property("seriesKey").toString();
        drawn.insert(key);
        QPen pen = g->pen();
        QColor c = pen.color();
        bool on = keys.isEmpty() || keys.contains(key);
        // Faded, still readable: on the dark chart a line needs more of itself.
        c.setAlpha(on ? 255 : darkPalette() ? 110 : 70);
        pen.setColor(c);
        // Evidence drawn bolder than the line's own width; the rest only fades.
        double width = g->property("lineWidth").toDouble();
        pen.setWidthF(keys.contains(key) ? width + 1.5 : width);
        g->setPen(pen);
    }
    std::vector<const Series*> missing;
    for (const auto& s : m_evidence)
        if (!drawn.contains(QString::fromStdString(s.key())))
            missing.push_back(&s);
    if (!missing.empty()) {
        bool bytes = missing.front()->unit == "bytes";
        std::vector<const Series*> same;
        for (const auto* s : missing)
            if ((s->unit == "bytes") == bytes)
                same.push_back(s);
        addPanel(tr("evidence"), same, bytes);
        m_panels.back()->setProperty("evidence", true);
        for (int i = 0; i < m_plot->graphCount(); ++i)
            if (m_plot->graph(i)->keyAxis()->axisRect() == m_panels.back()) {
                QPen pen = m_plot->graph(i)->pen();
                pen.setWidthF(3.0);
                m_plot->graph(i)->setPen(pen);
            }
    }
    // Time labels under whichever panel is now last.
    for (auto* rect : m_panels) {
        rect->axis(QCPAxis::atBottom)->setTickLabels(false);
        rect->axis(QCPAxis::atBottom)->setLabel(QString());
    }
    if (!m_panels.empty()) {
        m_plot->xAxis->setTickLabels(false);
        m_plot->xAxis->setLabel(QString());
        m_panels.back()->axis(QCPAxis::atBottom)->setTickLabels(true);
        m_panels.back()->axis(QCPAxis::atBottom)->setLabel(tr("time (UTC)"));
    }
    colourGraphs(m_plot);
    if (!m_evidence.empty() && !forecast.empty())
        drawProjection(forecast);
    m_plot->setMinimumHeight(220 + 62 * int(m_panels.size()));
    m_plot->replot();
}

void TimelineView::drawProjection(const std::vector<std::pair<std::string, double>>& forecast) {
    auto number = [&](const char* name) -> std::optional<double> {
        for (const auto& [k, v] : forecast)
            if (k == name)
                return v;
        return std::nullopt;
    };
    if (!number("forecast_per_minute"))
        return;
    const Series& grows = m_evidence.front();
    const QString key = QString::fromStdString(grows.key());
    QCPGraph* line = nullptr;
    for (int i = 0; i < m_plot->graphCount() && !line; ++i)
        if (m_plot->graph(i)->property("seriesKey").toString() == key)
            line = m_plot->graph(i);
    const forecast::LineFit fit = forecast::fitLine(grows.points);
    if (!line || fit.poor || fit.slopePerSecond <= 0)
        return; // a poor fit is said in words; a line would claim more
    const double lastSec = double(fit.lastNs - fit.originNs) / 1e9;
    const double span = std::max(lastSec, 1.0);
    double endSec = lastSec + span / 3;
    const auto at = number("forecast_at_unix");
    const auto limit = number("forecast_limit");
    // The finding's own time, when its limit is on this line and not far off.
    const bool reaches = at && limit && *at - toSeconds(fit.originNs) <= lastSec + 3 * span;
    if (reaches)
        endSec = *at - toSeconds(fit.originNs);
    auto* g = m_plot->addGraph(line->keyAxis(), line->valueAxis());
    g->setProperty("projection", true);
    g->setProperty("seriesKey", key + QStringLiteral(" (projection)"));
    g->setProperty(kColourName, line->property(kColourName)); // the line's own colour
    const double x0 = toSeconds(fit.lastNs), x1 = toSeconds(fit.originNs) + endSec;
    g->setData({x0, x1}, {fit.at(lastSec), fit.at(endSec)}, true);
    QPen pen = line->pen();
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(2);
    g->setPen(pen);
    g->setScatterStyle(QCPScatterStyle::ssNone);
    g->removeFromLegend();
    if (reaches) {
        auto* limitLine = new QCPItemStraightLine(m_plot);
        limitLine->setProperty("projection", true);
        limitLine->setClipAxisRect(line->keyAxis()->axisRect());
        for (auto* p : {limitLine->point1, limitLine->point2})
            p->setAxes(line->keyAxis(), line->valueAxis());
        limitLine->point1->setCoords(x0, *limit);
        limitLine->point2->setCoords(x1, *limit);
        QPen lp(pen.color(), 1, Qt::DotLine);
        limitLine->setPen(lp);
    }
    // The projection in view: the time axis and the line's value axis.
    QCPAxis* y = line->valueAxis();
    const double top = std::max(fit.at(endSec), reaches ? *limit : 0.0) * 1.08;
    if (top > y->range().upper)
        y->setRangeUpper(top);
    if (x1 > m_plot->xAxis->range().upper)
        m_plot->xAxis->setRangeUpper(x1 + span * 0.04);
}

std::optional<std::pair<QPointF, QPointF>> TimelineView::projectionLine() const {
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraph* g = m_plot->graph(i);
        if (!g->property("projection").toBool() || g->dataCount() != 2)
            continue;
        auto a = g->data()->at(0), b = g->data()->at(1);
        return std::make_pair(QPointF(a->key, a->value), QPointF(b->key, b->value));
    }
    return std::nullopt;
}

QStringList TimelineView::panelTitles() const {
    QStringList out;
    for (auto* rect : m_panels)
        out << rect->axis(QCPAxis::atLeft)->label();
    return out;
}

void TimelineView::addPanel(const QString& title, std::vector<const Series*> lines, bool bytes) {
    if (lines.empty())
        return;
    const bool evidence = title == tr("evidence"); // a finding's, never hidden
    if (!evidence && !m_available.contains(title))
        m_available << title;
    if (!evidence && m_hidden.contains(title))
        return;
    auto* rect = new QCPAxisRect(m_plot);
    int row = 1 + int(m_panels.size());
    m_plot->plotLayout()->insertRow(row);
    m_plot->plotLayout()->addElement(row, 0, rect);
    m_plot->plotLayout()->setRowStretchFactor(row, 0.4);
    rect->setMinimumSize(50, 30); // the stretch factors decide, not the default minimum
    m_panels.push_back(rect);
    rect->setRangeDrag(Qt::Horizontal);
    rect->setRangeZoom(Qt::Horizontal);
    auto* x = rect->axis(QCPAxis::atBottom);
    auto* y = rect->axis(QCPAxis::atLeft);
    x->setTicker(m_plot->xAxis->ticker());
    x->setTickLabels(false);
    y->setLabel(title);
    // Few ticks: a panel is short.
    QSharedPointer<QCPAxisTicker> ticker =
        bytes ? QSharedPointer<QCPAxisTicker>(QSharedPointer<IecByteTicker>::create())
              : QSharedPointer<QCPAxisTicker>::create();
    ticker->setTickCount(2); // at 1366x768 a panel is some 60 px tall
    y->setTicker(ticker);
    // One time axis for every panel.
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), x,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(x, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), m_plot->xAxis,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    // One margin group for the heap chart and every panel, so a time sits at
    // the same pixel in all of them.
    rect->setMarginGroup(QCP::msLeft | QCP::msRight, m_margins);
    double top = 0;
    // Each panel names its own lines, in a small legend inside it; the legend
    // under the chart is the heap's.
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignLeft);
    legend->setLayer("legend");
    legend->setFont(QFont(font().family(), 7));
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(6);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(QColor(255, 255, 255, 190));
    legend->setMargins(QMargins(3, 1, 3, 1));
    legend->setIconSize(14, 8);
    for (const Series* s : lines) {
        QCPGraph* g = m_plot->addGraph(x, y);
        QVector<double> xs, ys;
        QVariantList captures; // a point's capture, in the order of the points
        for (const auto& p : s->points) {
            xs.push_back(toSeconds(p.timeNs));
            ys.push_back(p.value);
            captures.push_back(qlonglong(p.snapshotId.value));
            top = std::max(top, p.value);
        }
        g->setProperty("captures", captures);
        g->setProperty("unit", QString::fromStdString(s->unit));
        g->setData(xs, ys, true);
        // Lines first: a point is a small dot on its line, coloured by name later.
        g->setPen(QPen(Qt::black, 2));
        g->setProperty("lineWidth", 2.0);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        g->setName(displayName(*s));
        g->setProperty(kColourName, displayName(*s));
        g->setProperty("seriesKey", QString::fromStdString(s->key()));
        g->removeFromLegend(m_plot->legend);
        g->addToLegend(legend);
    }
    y->setRange(0, std::max(1.0, top * 1.1));
    x->setRange(m_plot->xAxis->range());
}

void TimelineView::setSeries(std::vector<Series> series) {
    m_given = series;
    m_available.clear();
    clearPanels();
    m_plot->clearItems();
    m_noteItems.clear(); // gone with the items; the window sets the notes again
    m_noteLabels.clear();
    m_cursor = nullptr;
    m_range = nullptr;
    m_series.clear();
    m_main = -1;
    m_mains.clear();
    // In-use bytes go on the main chart: the total and the per-site lines;
    // goroutines, sockets per host and finalizer counters get panels below.
    for (auto& s : series) {
        if (s.metric == "heap_inuse_bytes")
            m_series.push_back(std::move(s));
        else if ((s.metric == "goroutines" && !s.labels.count("state") &&
                  !s.labels.count("group")) ||
                 s.metric == "goroutines_leaked" ||
                 (s.metric == "tcp_sockets" && s.labels.count("host")) ||
                 s.metric == "finalizers_registered" || s.metric == "finalizers_queued" ||
                 s.metric == "finalizer_retained_bytes" || s.metric == "gc_heap_live_bytes" ||
                 s.metric == "gc_heap_goal_bytes" || finalizerOrCleanupCounter(s))
            m_panelSeries.push_back(std::move(s));
        else if (s.metric == "allocated_per_second_bytes" || isProcessMemory(s))
            m_panelSeries.push_back(std::move(s));
    }
    // One total per program: each is a line of heap snapshots to click.
    for (size_t i = 0; i < m_series.size(); ++i)
        if (m_series[i].labels.count("site") == 0)
            m_mains.push_back(int(i));
    if (!m_mains.empty())
        m_main = m_mains.front();
    bool any = std::any_of(m_mains.begin(), m_mains.end(),
                           [&](int m) { return !m_series[size_t(m)].points.empty(); });
    m_empty->setText(noHeapProfiles());
    m_empty->setVisible(!any);
    m_scroll->setVisible(any);
    if (!any) {
        m_plot->replot();
        return;
    }
    // The total first (index 0 in the plot), then the sites.
    std::vector<int> order = m_mains;
    for (size_t i = 0; i < m_series.size(); ++i)
        if (m_series[i].labels.count("site"))
            order.push_back(int(i));
    for (int idx : order) {
        const Series& s = m_series[size_t(idx)];
        QCPGraph* g = m_plot->addGraph();
        QVector<double> xs, ys;
        for (const auto& p : s.points) {
            xs.push_back(toSeconds(p.timeNs));
            ys.push_back(p.value);
        }
        g->setData(xs, ys, true);
        bool total = s.labels.count("site") == 0;
        g->setPen(QPen(Qt::black, total ? 3 : 2));
        g->setProperty("lineWidth", total ? 3.0 : 2.0);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, total ? 6 : 4));
        g->setName(lineName(s));
        g->setProperty(kColourName, displayName(s));
        g->setProperty("seriesKey", QString::fromStdString(s.key()));
    }
    auto pick = [&](auto pred) {
        std::vector<const Series*> out;
        for (const auto& s : m_panelSeries)
            if (pred(s))
                out.push_back(&s);
        return out;
    };
    struct PanelLines {
        QString title;
        std::vector<const Series*> lines;
        bool bytes;
    };
    std::vector<PanelLines> panels{
        {tr("GC heap"), pick([](const Series& s) {
             return s.metric == "gc_heap_live_bytes" || s.metric == "gc_heap_goal_bytes";
         }),
         true},
        {tr("goroutines"), pick([](const Series& s) {
             return (s.metric == "goroutines" && !cleanupGoroutines(s)) ||
                    s.metric == "goroutines_leaked";
         }),
         false},
        {tr("sockets"), pick([](const Series& s) { return s.metric == "tcp_sockets"; }), false},
        // runtime.AddCleanup's cleanups beside the finalizers: their queue, what
        // ran, and the runCleanups goroutines that run them.
        {tr("finalizers"), pick([](const Series& s) {
             return finalizerOrCleanupCounter(s) || cleanupGoroutines(s) ||
                    s.metric == "finalizers_registered" || s.metric == "finalizers_queued";
         }),
         false},
        {tr("fin. kept"),
         pick([](const Series& s) { return s.metric == "finalizer_retained_bytes"; }), true},
        {tr("alloc/s"),
         pick([](const Series& s) { return s.metric == "allocated_per_second_bytes"; }), true},
        {tr("RSS"), pick([](const Series& s) { return isProcessMemory(s); }), true},
    };
    // In the user's order; a panel never moved keeps its place after those that were.
    auto rank = [this](const PanelLines& p) {
        qsizetype at = m_order.indexOf(p.title);
        return at >= 0 ? at : m_order.size();
    };
    std::stable_sort(panels.begin(), panels.end(),
                     [&](const PanelLines& a, const PanelLines& b) { return rank(a) < rank(b); });
    for (const auto& p : panels)
        addPanel(p.title, p.lines, p.bytes);
    m_plot->setMinimumHeight(220 + 62 * int(m_panels.size()));
    // Time labels once, under the bottom panel.
    bool stacked = !m_panels.empty();
    m_plot->xAxis->setTickLabels(!stacked);
    m_plot->xAxis->setLabel(stacked ? QString() : tr("time (UTC)"));
    if (stacked) {
        auto* bottom = m_panels.back()->axis(QCPAxis::atBottom);
        bottom->setTickLabels(true);
        bottom->setLabel(tr("time (UTC)"));
    }
    m_cursor = new QCPItemStraightLine(m_plot);
    m_cursor->setPen(QPen(QColor(200, 0, 0, 160), 1, Qt::DashLine));
    m_cursor->setVisible(false);
    colourGraphs(m_plot);
    resetZoom(); // every panel's captures in view, the first ones too
}

void TimelineView::resetZoom() {
    if (m_plot->graphCount() == 0)
        return;
    // The span of every line on every panel: the panels' time axes follow the
    // heap chart's, so rescaling each axis in turn would leave the last panel's span.
    QCPRange xr;
    bool found = false;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        bool ok = false;
        QCPRange r = m_plot->graph(i)->getKeyRange(ok);
        if (!ok)
            continue;
        xr = found ? QCPRange(std::min(xr.lower, r.lower), std::max(xr.upper, r.upper)) : r;
        found = true;
    }
    if (!found)
        return;
    double pad = std::max(1.0, xr.size() * 0.04);
    m_plot->xAxis->setRange(xr.lower - pad, xr.upper + pad);
    m_plot->yAxis->rescale();
    m_plot->yAxis->setRangeLower(0);
    m_plot->yAxis->setRangeUpper(m_plot->yAxis->range().upper * 1.08);
    m_plot->replot();
}

int TimelineView::pointCount() const {
    return m_main >= 0 && m_plot->graphCount() > 0 ? m_plot->graph(0)->dataCount() : 0;
}

QPoint TimelineView::pointPosition(int i) const {
    if (i < 0 || i >= pointCount())
        return {};
    auto it = m_plot->graph(0)->data()->at(i);
    return QPoint(int(std::lround(m_plot->xAxis->coordToPixel(it->key))),
                  int(std::lround(m_plot->yAxis->coordToPixel(it->value))));
}

TimelineView::PanelPoint TimelineView::panelPointAt(const QPointF& pos) const {
    PanelPoint best;
    double bestDist = 10; // pixels
    for (auto* rect : m_panels) {
        if (!rect->rect().contains(pos.toPoint()))
            continue;
        for (int g = 0; g < m_plot->graphCount(); ++g) {
            QCPGraph* graph = m_plot->graph(g);
            if (!graph->keyAxis() || graph->keyAxis()->axisRect() != rect)
                continue;
            for (int i = 0; i < graph->dataCount(); ++i) {
                auto it = graph->data()->at(i);
                double dx = graph->keyAxis()->coordToPixel(it->key) - pos.x();
                double dy = graph->valueAxis()->coordToPixel(it->value) - pos.y();
                double d = std::hypot(dx, dy);
                if (d < bestDist) {
                    bestDist = d;
                    best = {graph, i};
                }
            }
        }
    }
    return best;
}

QPoint TimelineView::panelPointPosition(int panel, int line, int i) const {
    if (panel < 0 || size_t(panel) >= m_panels.size())
        return {};
    for (int g = 0; g < m_plot->graphCount(); ++g) {
        QCPGraph* graph = m_plot->graph(g);
        if (graph->keyAxis()->axisRect() != m_panels[size_t(panel)] || line-- > 0)
            continue;
        if (i < 0 || i >= graph->dataCount())
            return {};
        auto it = graph->data()->at(i);
        return QPoint(int(std::lround(graph->keyAxis()->coordToPixel(it->key))),
                      int(std::lround(graph->valueAxis()->coordToPixel(it->value))));
    }
    return {};
}

QString TimelineView::describePanelPoint(const PanelPoint& p) const {
    auto it = p.graph->data()->at(p.index);
    std::string unit = p.graph->property("unit").toString().toStdString();
    QString panel = p.graph->valueAxis()->label();
    return QStringLiteral("<b>%1</b> (%2)<br>%3: <b>%4</b>")
               .arg(p.graph->name().toHtmlEscaped(), panel.toHtmlEscaped(),
                    QString::fromStdString(formatTimeIso(int64_t(std::llround(it->key * 1e9)))),
                    QString::fromStdString(formatValue(int64_t(std::llround(it->value)),
                                                       unit.empty() ? "count" : unit))) +
           tr("<br><i>click to open this capture</i>");
}

TimelineView::MainPoint TimelineView::nearestPoint(const QPointF& pos) const {
    MainPoint best;
    double bestScore = 1e300;
    // Across every program's total: nearest in time within 12 px, and with
    // several programs at that time, the line nearest the pointer.
    for (size_t m = 0; m < m_mains.size() && m < size_t(m_plot->graphCount()); ++m) {
        QCPGraph* g = m_plot->graph(int(m));
        for (int i = 0; i < g->dataCount(); ++i) {
            auto it = g->data()->at(i);
            double dx = std::fabs(m_plot->xAxis->coordToPixel(it->key) - pos.x());
            if (dx >= 12)
                continue;
            double dy = std::fabs(m_plot->yAxis->coordToPixel(it->value) - pos.y());
            double score = dx + (m_mains.size() > 1 ? dy : 0);
            if (score < bestScore) {
                bestScore = score;
                best = {m_mains[m], i};
            }
        }
    }
    return best;
}

QString TimelineView::describePoint(const MainPoint& at) const {
    const Series& main = m_series[size_t(at.series)];
    const auto& p = main.points[size_t(at.index)];
    QString target = main.labels.count("target")
                         ? QStringLiteral(" [%1]").arg(
                               QString::fromStdString(main.labels.at("target")).toHtmlEscaped())
                         : QString();
    QString text = QStringLiteral("<b>%1</b><br>heap in use%2: <b>%3</b>")
                       .arg(QString::fromStdString(formatTimeIso(p.timeNs)), target,
                            QString::fromStdString(formatValue(int64_t(p.value), "bytes")));
    for (size_t k = 0; k < m_series.size(); ++k) {
        const Series& s = m_series[k];
        if (!s.labels.count("site"))
            continue;
        for (const auto& q : s.points)
            if (q.snapshotId == p.snapshotId)
                text += QStringLiteral("<br>%1: %2")
                            .arg(lineName(s).toHtmlEscaped(),
                                 QString::fromStdString(formatValue(int64_t(q.value), "bytes")));
    }
    return text + tr("<br><i>click to open this snapshot</i>");
}

void TimelineView::onMouseMove(QMouseEvent* event) {
    if (m_pressX >= 0 && (event->buttons() & Qt::LeftButton) &&
        !(event->modifiers() & Qt::ControlModifier)) {
        if (std::fabs(event->position().x() - m_pressX) > 6) {
            // A drag picks a range: drawn as a band over the heap chart.
            double a = m_plot->xAxis->pixelToCoord(m_pressX),
                   b = m_plot->xAxis->pixelToCoord(event->position().x());
            showRangeBand(std::min(a, b), std::max(a, b));
            m_dragging = true;
            m_plot->replot(QCustomPlot::rpQueuedReplot);
        }
        return;
    }
    // Over a panel, its own points answer; elsewhere the heap snapshot nearest in time.
    if (PanelPoint p = panelPointAt(event->position()); p.graph) {
        QToolTip::showText(event->globalPosition().toPoint(), describePanelPoint(p), m_plot);
        return;
    }
    MainPoint at = nearestPoint(event->position());
    if (at.series < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), describePoint(at), m_plot);
}

void TimelineView::setPanelHidden(const QString& title, bool hidden) {
    if (hidden == m_hidden.contains(title))
        return;
    if (hidden)
        m_hidden.insert(title);
    else
        m_hidden.remove(title);
    QStringList list(m_hidden.begin(), m_hidden.end());
    list.sort();
    QSettings().setValue("timeline/hiddenPanels", list);
    relayout();
}

bool TimelineView::canMovePanel(const QString& title, bool up) const {
    qsizetype at = m_available.indexOf(title);
    if (at < 0)
        return false;
    // Past the hidden panels to the next shown one.
    for (qsizetype j = up ? at - 1 : at + 1; j >= 0 && j < m_available.size(); j += up ? -1 : 1)
        if (!m_hidden.contains(m_available[j]))
            return true;
    return false;
}

void TimelineView::movePanel(const QString& title, bool up) {
    if (!canMovePanel(title, up))
        return;
    QStringList order = m_available;
    qsizetype at = order.indexOf(title), to = at;
    do
        to += up ? -1 : 1;
    while (m_hidden.contains(order[to]));
    order.move(at, to);
    // Panels this case has not keep their places after those it has.
    for (const QString& t : std::as_const(m_order))
        if (!order.contains(t))
            order << t;
    m_order = order;
    QSettings().setValue("timeline/panelOrder", m_order);
    relayout();
}

void TimelineView::addPanelActions(QMenu* menu, const QString& title) {
    QAction* shown = menu->addAction(tr("Shown"));
    shown->setCheckable(true);
    shown->setChecked(!panelHidden(title));
    connect(shown, &QAction::toggled, this, [this, title](bool on) { setPanelHidden(title, !on); });
    QAction* up = menu->addAction(tr("Move Up"));
    up->setEnabled(canMovePanel(title, true));
    connect(up, &QAction::triggered, this, [this, title] { movePanel(title, true); });
    QAction* down = menu->addAction(tr("Move Down"));
    down->setEnabled(canMovePanel(title, false));
    connect(down, &QAction::triggered, this, [this, title] { movePanel(title, false); });
}

void TimelineView::relayout() {
    // What the user is looking at: the zoom, the picked snapshot and range.
    const bool drawn = m_plot->graphCount() > 0;
    const QCPRange x = m_plot->xAxis->range(), y = m_plot->yAxis->range();
    const bool cursor = m_cursor && m_cursor->visible();
    const double cursorAt = cursor ? m_cursor->point1->coords().x() : 0;
    const bool range = m_range && m_range->visible();
    const double from = range ? m_range->topLeft->coords().x() : 0;
    const double to = range ? m_range->bottomRight->coords().x() : 0;
    // Laid out again: the series, the notes and the finding shown.
    auto evidence = m_evidence;
    auto forecast = m_givenForecast;
    auto notes = m_givenNotes;
    setSeries(m_given);
    setAnnotations(notes);
    if (!evidence.empty())
        showEvidence(evidence, forecast);
    if (!drawn || m_plot->graphCount() == 0)
        return;
    m_plot->xAxis->setRange(x); // the panels' axes follow
    m_plot->yAxis->setRange(y);
    if (cursor && m_cursor) {
        m_cursor->point1->setCoords(cursorAt, 0);
        m_cursor->point2->setCoords(cursorAt, 1);
        m_cursor->setVisible(true);
    }
    if (range)
        showRangeBand(from, to);
    m_plot->replot();
}

QString TimelineView::panelTitleAt(const QPointF& pos) const {
    // The title is the left axis's label, in the margin left of the panel.
    for (auto* rect : m_panels) {
        if (rect->property("evidence").toBool())
            continue;
        const QRect inner = rect->rect(), outer = rect->outerRect();
        if (QRect(QPoint(outer.left(), inner.top()), QPoint(inner.left(), inner.bottom()))
                .contains(pos.toPoint()))
            return rect->axis(QCPAxis::atLeft)->label();
    }
    return {};
}

bool TimelineView::hasHostLine(const QString& host) const {
    const std::string h = host.toStdString();
    return std::any_of(m_given.begin(), m_given.end(), [&](const Series& s) {
        auto it = s.labels.find("host");
        return s.metric == "tcp_sockets" && it != s.labels.end() && it->second == h;
    });
}

bool TimelineView::showHostLine(const QString& host) {
    const std::string h = host.toStdString();
    std::vector<Series> lines;
    for (const auto& s : m_given)
        if (auto it = s.labels.find("host");
            s.metric == "tcp_sockets" && it != s.labels.end() && it->second == h)
            lines.push_back(s);
    if (lines.empty())
        return false;
    showEvidence(lines);
    return true;
}

void TimelineView::setAnnotations(const std::vector<Annotation>& notes) {
    m_givenNotes = notes;
    for (auto* item : m_noteItems)
        m_plot->removeItem(item);
    m_noteItems.clear();
    m_noteLabels.clear();
    const bool dark = darkPalette();
    QColor base = QApplication::palette().color(QPalette::Base);
    base.setAlpha(215);
    for (const auto& n : notes) {
        double x = toSeconds(n.timeNs);
        // Deep on white, light on the dark chart: either way it reads.
        QColor c = n.severity == "critical" ? (dark ? QColor(255, 138, 128) : QColor(198, 40, 40))
                   : n.severity == "warning"
                       ? (dark ? QColor(255, 183, 77) : QColor(239, 108, 0))
                       : (dark ? QColor(206, 147, 216) : QColor(106, 27, 154));
        if (n.endNs > n.timeNs) {
            auto* band = new QCPItemRect(m_plot);
            band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
            band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
            band->topLeft->setCoords(x, 0);
            band->bottomRight->setCoords(toSeconds(n.endNs), 1);
            QColor fill = c;
            fill.setAlpha(dark ? 40 : 28);
            band->setBrush(fill);
            band->setPen(Qt::NoPen);
            m_noteItems.push_back(band);
        }
        auto* line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        line->setPen(QPen(c, 1.4, Qt::DashLine));
        auto* label = new QCPItemText(m_plot);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0.03);
        label->setText(QString::fromStdString(annotationLabel(n.text))); // plain text, never markup
        label->setColor(c);
        label->setBrush(base); // over the lines, the text stays legible
        label->setPadding(QMargins(3, 1, 3, 1));
        label->setClipToAxisRect(true);
        m_noteItems.push_back(line);
        m_noteItems.push_back(label);
        m_noteLabels.push_back(label);
    }
    layoutNoteLabels();
    m_plot->replot();
}

void TimelineView::layoutNoteLabels() {
    if (m_noteLabels.empty())
        return;
    QCPAxisRect* rect = m_plot->axisRect();
    const QRect area = rect->rect();
    if (area.height() <= 0)
        return;
    // Left to right, each label goes to the first row where it clears the
    // label before it (as exported charts place theirs); near the right edge
    // it hangs left of its line.
    std::vector<QCPItemText*> byX = m_noteLabels;
    std::sort(byX.begin(), byX.end(), [](QCPItemText* a, QCPItemText* b) {
        return a->position->key() < b->position->key();
    });
    std::vector<std::pair<double, double>> spans;
    double height = 0;
    for (QCPItemText* label : byX) {
        QFontMetrics fm(label->font());
        const QMargins pad = label->padding();
        double width = fm.horizontalAdvance(label->text()) + pad.left() + pad.right();
        height = std::max(height, double(fm.height() + pad.top() + pad.bottom()));
        double px = m_plot->xAxis->coordToPixel(label->position->key());
        bool hangLeft = px + width > area.right() && px - width >= area.left();
        label->setPositionAlignment((hangLeft ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        spans.emplace_back(hangLeft ? px - width : px, width);
    }
    const std::vector<int> rows = placeLabelRows(spans, SIZE_MAX);
    for (size_t i = 0; i < byX.size(); ++i)
        byX[i]->position->setCoords(byX[i]->position->key(),
                                    (4 + double(rows[i]) * (height + 2)) / double(area.height()));
}

QList<QRectF> TimelineView::annotationLabelRects() const {
    QList<QRectF> out;
    for (QCPItemText* label : m_noteLabels) {
        QFontMetrics fm(label->font());
        const QMargins pad = label->padding();
        QSizeF size(fm.horizontalAdvance(label->text()) + pad.left() + pad.right(),
                    fm.height() + pad.top() + pad.bottom());
        QPointF at = label->position->pixelPosition();
        if (label->positionAlignment() & Qt::AlignRight)
            at.rx() -= size.width();
        out << QRectF(at, size);
    }
    return out;
}

void TimelineView::onMousePress(QMouseEvent* event) {
    if (event->button() == Qt::RightButton) {
        if (QString title = panelTitleAt(event->position()); !title.isEmpty()) {
            auto* menu = new QMenu(m_plot);
            menu->setAttribute(Qt::WA_DeleteOnClose);
            menu->setTitle(title);
            addPanelActions(menu, title);
            menu->popup(event->globalPosition().toPoint());
            return;
        }
        double x = m_plot->xAxis->pixelToCoord(event->position().x());
        emit annotateRequested(qint64(x * 1e9));
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    // Ctrl+drag pans; a plain drag picks a range, a click a snapshot.
    bool pan = event->modifiers() & Qt::ControlModifier;
    m_plot->setInteraction(QCP::iRangeDrag, pan);
    m_pressX = pan ? -1 : event->position().x();
    m_dragging = false;
}

void TimelineView::onMouseRelease(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || m_pressX < 0)
        return;
    double from = m_pressX, to = event->position().x();
    bool dragged = m_dragging;
    m_pressX = -1;
    m_dragging = false;
    m_plot->setInteraction(QCP::iRangeDrag, true);
    if (dragged) {
        pickRange(int64_t(m_plot->xAxis->pixelToCoord(std::min(from, to)) * 1e9),
                  int64_t(m_plot->xAxis->pixelToCoord(std::max(from, to)) * 1e9));
        return;
    }
    if (PanelPoint p = panelPointAt(event->position()); p.graph) {
        QVariantList captures = p.graph->property("captures").toList();
        if (p.index < captures.size() && captures[p.index].toLongLong() > 0)
            emit captureClicked(captures[p.index].toLongLong());
        return;
    }
    MainPoint at = nearestPoint(event->position());
    if (at.series < 0)
        return;
    if (m_range) {
        m_range->setVisible(false);
        m_plot->replot();
    }
    int64_t id = m_series[size_t(at.series)].points[size_t(at.index)].snapshotId.value;
    markSnapshot(id);
    emit snapshotClicked(id);
}

void TimelineView::showRangeBand(double fromSec, double toSec) {
    if (!m_range) {
        m_range = new QCPItemRect(m_plot);
        m_range->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m_range->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        m_range->setBrush(QColor(0, 114, 178, 40));
        m_range->setPen(QPen(QColor(0, 114, 178, 140)));
    }
    m_range->topLeft->setCoords(fromSec, 0);
    m_range->bottomRight->setCoords(toSec, 1);
    m_range->setVisible(true);
}

bool TimelineView::pickRange(int64_t fromNs, int64_t toNs) {
    // The program with the most heap snapshots in the range; the first listed on a tie.
    int64_t first = 0, last = 0;
    int most = 0;
    for (int m : m_mains) {
        int64_t a = 0, b = 0;
        int n = 0;
        for (const auto& p : m_series[size_t(m)].points)
            if (p.timeNs >= fromNs && p.timeNs <= toNs) {
                if (!a)
                    a = p.snapshotId.value;
                b = p.snapshotId.value;
                ++n;
            }
        if (n > most) {
            most = n;
            first = a;
            last = b;
        }
    }
    if (!first || first == last) {
        if (m_range) {
            m_range->setVisible(false);
            m_plot->replot();
        }
        return false;
    }
    showRangeBand(toSeconds(fromNs), toSeconds(toNs));
    markSnapshot(last);
    emit rangePicked(first, last, fromNs, toNs);
    return true;
}

void TimelineView::markSnapshot(int64_t snapshotId) {
    if (!m_cursor)
        return;
    for (int m : m_mains)
        for (const auto& p : m_series[size_t(m)].points)
            if (p.snapshotId.value == snapshotId) {
                double x = toSeconds(p.timeNs);
                m_cursor->point1->setCoords(x, 0);
                m_cursor->point2->setCoords(x, 1);
                m_cursor->setVisible(true);
                m_plot->replot();
                return;
            }
}

} // namespace memscope::ui
