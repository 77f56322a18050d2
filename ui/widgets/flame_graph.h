// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/profile/calltree.h"
#include "widgets/item_links.h"

#include <QWidget>
#include <memory>
#include <vector>

namespace memscope::ui {

// A flame graph (icicle: callers on top) over a top-down call tree. Click a
// frame to zoom into it, Esc (one level) or a click on the top row to zoom
// out, type in the search to highlight frames; double-click opens the
// frame's function; right-click a frame for its zoom and its links to the
// other views (right-click outside the frames zooms out one level).
// In diff mode frames are coloured by their change (red grew, blue shrank)
// and a frame that shrank keeps the width of its base value, so it stays in
// sight.
class FlameGraphView : public QWidget {
    Q_OBJECT
public:
    explicit FlameGraphView(QWidget* parent = nullptr);

    void setTree(std::shared_ptr<const CallTree> tree);
    void clear(const QString& emptyMessage);
    // What an empty tree says ("No samples of this type in this snapshot").
    void setNoSamplesText(const QString& text);
    const CallTree* tree() const { return m_tree.get(); }

    // Zooms to the widest frame of `function`; false when there is none.
    bool focusFunction(const QString& function);
    int zoomedNode() const { return m_zoom; }
    void zoomTo(int node);
    void resetZoom() { zoomTo(0); }
    // Frames whose function contains `text` (case-insensitive) are
    // highlighted; returns their share of the total (outermost matches).
    double setSearch(const QString& text);
    int matchCount() const { return m_matches; }
    // The node under a point, -1 for none.
    int nodeAt(const QPoint& p) const;
    QRectF nodeRect(int node) const;

    // The links a frame's menu offers for its function (none when unset).
    void setFrameLinks(std::function<RowLinks(const QString& function)> links) {
        m_frameLinks = std::move(links);
    }
    void setLinkCheck(LinkCheck check) { m_check = std::move(check); }
    // The right-click menu of a frame, not yet shown: Zoom In, Zoom Out,
    // Reset Zoom, then the function's links and Copy Name.
    QMenu* menuFor(int node, QWidget* parent);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void zoomed(int node);
    void functionActivated(const QString& function);
    void linkActivated(const QUrl& link);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    void layoutTree();
    QColor colorOf(int node) const;
    QString describe(int node) const;

    std::shared_ptr<const CallTree> m_tree;
    QString m_empty;
    QString m_noSamples;
    std::vector<double> m_width; // per node, in value units
    std::vector<double> m_x;     // per node, offset from the root's left edge
    std::vector<int> m_depth;
    std::vector<char> m_match;
    int m_maxDepth = 0;
    int m_zoom = 0;
    int m_matches = 0;
    int m_hover = -1;
    std::function<RowLinks(const QString&)> m_frameLinks;
    LinkCheck m_check;
    double m_maxDelta = 0;
    static constexpr int kRow = 18;
};

} // namespace memscope::ui
