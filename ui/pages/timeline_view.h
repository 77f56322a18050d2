// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/series/series.h"
#include "store/case_store.h"

#include <QSet>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPItemStraightLine;
class QCPItemRect;
class QCPItemText;
class QCPAbstractItem;
class QCPAxisRect;
class QCPGraph;
class QCPMarginGroup;
class QLabel;
class QMenu;
class QScrollArea;

namespace memscope::ui {

// The home view: heap in use over time on a real time axis, the top
// allocation sites as their own lines. Hover shows values, click picks a snapshot.
class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(QWidget* parent = nullptr);

    // The least height the timeline takes in the window: the heap chart with
    // its axis; the panels under it scroll.
    static constexpr int kMinimumHeight = 180;

    void setSeries(std::vector<Series> series);
    void clear();
    // While a case loads: "Loading…", not "no heap profiles yet".
    void showLoading(const QString& what);
    QString placeholderText() const;
    // Shows every point again after zooming or panning.
    void resetZoom();
    // Marks a snapshot as picked (draws the cursor) without emitting.
    void markSnapshot(int64_t snapshotId);

    QCustomPlot* plot() const { return m_plot; }
    // Points on the main (total in-use) line: one per heap snapshot.
    int pointCount() const;
    // Pixel position of the i-th point of the main line, for tests and tooling.
    QPoint pointPosition(int i) const;
    const std::vector<Series>& series() const { return m_series; }
    // Draws a finding's series bold (and the rest faint); series the timeline
    // does not draw get an "evidence" panel. Empty: back to normal.
    // With `forecast` (the finding's forecast_* numbers), the first series'
    // fitted line goes on past the last capture, dashed, to where the finding
    // says its limit is reached (drawn as a dotted line), or a third of the
    // captures' span further when no time is given.
    void showEvidence(const std::vector<Series>& evidence,
                      const std::vector<std::pair<std::string, double>>& forecast = {});
    // The projection line's ends in plot coordinates (seconds, value), for tests.
    std::optional<std::pair<QPointF, QPointF>> projectionLine() const;
    // Annotations as dashed markers with their text on the heap chart.
    void setAnnotations(const std::vector<Annotation>& notes);
    int annotationCount() const { return int(m_noteItems.size()); }
    // Where each annotation's label is drawn, in the plot's pixels.
    QList<QRectF> annotationLabelRects() const;
    // Titles of the panels under the heap chart ("goroutines", "client sockets per host", ...).
    QStringList panelTitles() const;
    // The panels the case has data for, shown or hidden, top to bottom.
    QStringList availablePanels() const { return m_available; }
    // Hides or shows a panel, remembered across cases and sessions.
    void setPanelHidden(const QString& title, bool hidden);
    bool panelHidden(const QString& title) const { return m_hidden.contains(title); }
    // Moves a panel above the shown panel over it (up) or below the one
    // under it (down); the order is remembered across cases and sessions.
    void movePanel(const QString& title, bool up);
    bool canMovePanel(const QString& title, bool up) const;
    // A panel's entries: shown, Move Up, Move Down (View ▸ Timeline Panels,
    // and a right click on the panel's title).
    void addPanelActions(QMenu* menu, const QString& title);
    // Whether the sockets panel has a line for the host, and draws it bold.
    bool hasHostLine(const QString& host) const;
    bool showHostLine(const QString& host);
    // Pixel position of a panel's point: the i-th point of its line-th line.
    QPoint panelPointPosition(int panel, int line, int i) const;
    // Picks the heap snapshots in a time range as a drag does; false when
    // fewer than two fall inside.
    bool pickRange(int64_t fromNs, int64_t toNs);

signals:
    void snapshotClicked(qint64 snapshotId);
    // A click on a panel's point: the capture it was read from (a goroutine
    // dump, a socket snapshot, a heap dump, metrics...).
    void captureClicked(qint64 snapshotId);
    // Right click: the user wants a note at this time (ns since the epoch).
    void annotateRequested(qint64 timeNs);
    // A drag over the timeline: the first and last heap snapshots inside it.
    void rangePicked(qint64 firstSnapshot, qint64 lastSnapshot, qint64 fromNs, qint64 toNs);

private:
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);
    // The picked range's band over the charts (created on first use).
    void showRangeBand(double fromSec, double toSec);
    // A heap snapshot's point on a program's total line.
    struct MainPoint {
        int series = -1; // index into m_series; -1: none near
        int index = -1;
    };
    MainPoint nearestPoint(const QPointF& pos) const;
    QString describePoint(const MainPoint& at) const;
    // A point of a panel's line under a pixel; no graph when none is near.
    struct PanelPoint {
        QCPGraph* graph = nullptr;
        int index = -1;
    };
    PanelPoint panelPointAt(const QPointF& pos) const;
    QString describePanelPoint(const PanelPoint& p) const;

    // Panels under the heap chart, sharing its time axis.
    void addPanel(const QString& title, std::vector<const Series*> lines, bool bytes);
    // Lays the timeline out again (a panel hidden, shown or moved) with the
    // zoom, the cursor, the picked range and the finding shown kept.
    void relayout();
    // The panel whose title (its left axis label) is under a pixel.
    QString panelTitleAt(const QPointF& pos) const;
    void clearPanels();
    // Rows for the annotation labels, so none overprints another.
    void layoutNoteLabels();
    void drawProjection(const std::vector<std::pair<std::string, double>>& forecast);

    QCustomPlot* m_plot;
    QScrollArea* m_scroll = nullptr;
    QLabel* m_empty;
    std::vector<QCPAxisRect*> m_panels;
    QCPMarginGroup* m_margins = nullptr; // the left and right margins of the chart and its panels
    std::vector<Series> m_evidence;      // kept alive for the evidence panel
    std::vector<QCPAbstractItem*> m_noteItems;
    std::vector<QCPItemText*> m_noteLabels;
    std::vector<Series> m_panelSeries;
    QCPItemStraightLine* m_cursor = nullptr;
    QCPItemRect* m_range = nullptr;
    double m_pressX = -1;
    bool m_dragging = false;
    std::vector<Series> m_series;
    // What the timeline was given, to lay it out again when a panel is hidden or shown.
    std::vector<Series> m_given;
    std::vector<Annotation> m_givenNotes;
    std::vector<std::pair<std::string, double>> m_givenForecast;
    QStringList m_available;
    QSet<QString> m_hidden;
    QStringList m_order;      // the panels' order as the user set it; the rest follow
    int m_main = -1;          // index into m_series of the first program's total in-use line
    std::vector<int> m_mains; // every program's total, the first first
};

} // namespace memscope::ui
