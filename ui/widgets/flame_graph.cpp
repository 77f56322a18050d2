// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/flame_graph.h"

#include "base/format.h"

#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace memscope::ui {

FlameGraphView::FlameGraphView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
    m_empty = tr("Pick a snapshot on the timeline to see its flame graph");
    m_noSamples = tr("No samples of this type in this snapshot");
}

void FlameGraphView::setNoSamplesText(const QString& text) {
    m_noSamples = text;
    update();
}

QSize FlameGraphView::sizeHint() const { return {800, std::max(120, (m_maxDepth + 1) * kRow + 2)}; }
QSize FlameGraphView::minimumSizeHint() const {
    return {200, std::max(60, (m_maxDepth + 1) * kRow + 2)};
}

void FlameGraphView::clear(const QString& emptyMessage) {
    m_tree.reset();
    m_empty = emptyMessage;
    m_width.clear();
    m_x.clear();
    m_depth.clear();
    m_match.clear();
    m_maxDepth = 0;
    m_zoom = 0;
    m_matches = 0;
    updateGeometry();
    update();
}

void FlameGraphView::setTree(std::shared_ptr<const CallTree> tree) {
    if (tree == m_tree)
        return; // the same graph keeps its zoom and highlight
    m_tree = std::move(tree);
    m_zoom = 0;
    m_hover = -1;
    layoutTree();
    updateGeometry();
    update();
}

void FlameGraphView::layoutTree() {
    size_t n = m_tree ? m_tree->nodes.size() : 0;
    m_match.assign(n, 0);
    if (!n) {
        m_width.clear();
        m_x.clear();
        m_depth.clear();
        m_maxDepth = 0;
        m_maxDelta = 0;
        return;
    }
    FlameLayout l = layoutFlame(*m_tree);
    m_x = std::move(l.x);
    m_width = std::move(l.width);
    m_depth = std::move(l.depth);
    m_maxDepth = l.maxDepth;
    m_maxDelta = l.maxDelta;
}

void FlameGraphView::zoomTo(int node) {
    if (!m_tree || node < 0 || size_t(node) >= m_tree->nodes.size() || m_width[size_t(node)] <= 0)
        node = 0;
    m_zoom = node;
    update();
    emit zoomed(node);
}

bool FlameGraphView::focusFunction(const QString& function) {
    if (!m_tree)
        return false;
    std::string f = function.toStdString();
    int best = -1;
    for (size_t i = 1; i < m_tree->nodes.size(); ++i)
        if (m_tree->nodes[i].function == f && (best < 0 || m_width[i] > m_width[size_t(best)]))
            best = int(i);
    if (best < 0)
        return false;
    zoomTo(best);
    return true;
}

double FlameGraphView::setSearch(const QString& text) {
    m_matches = 0;
    double share = 0;
    if (m_tree) {
        const auto& nodes = m_tree->nodes;
        std::fill(m_match.begin(), m_match.end(), 0);
        if (!text.isEmpty()) {
            std::string needle = text.toLower().toStdString();
            auto lower = [](std::string s) {
                std::transform(s.begin(), s.end(), s.begin(),
                               [](unsigned char c) { return std::tolower(c); });
                return s;
            };
            double matched = 0;
            for (size_t i = 1; i < nodes.size(); ++i) {
                if (lower(nodes[i].function).find(needle) == std::string::npos)
                    continue;
                m_match[i] = 1;
                ++m_matches;
                // Count a match once: not when an ancestor matched already.
                bool outer = true;
                for (int32_t a = nodes[i].parent; a > 0; a = nodes[size_t(a)].parent)
                    if (m_match[size_t(a)]) {
                        outer = false;
                        break;
                    }
                if (outer)
                    matched += double(std::llabs(nodes[i].value));
            }
            if (nodes[0].value)
                share = matched / double(std::llabs(nodes[0].value));
        }
    }
    update();
    return share;
}

QRectF FlameGraphView::nodeRect(int node) const {
    if (!m_tree || node < 0 || size_t(node) >= m_width.size())
        return {};
    const double w = width();
    const double zx = m_x[size_t(m_zoom)], zw = m_width[size_t(m_zoom)];
    if (zw <= 0)
        return {};
    double y = m_depth[size_t(node)] * kRow;
    // Ancestors of the zoomed frame (and the frame) span the whole width.
    bool ancestor = false;
    for (int a = m_zoom; a >= 0; a = m_tree->nodes[size_t(a)].parent)
        if (a == node) {
            ancestor = true;
            break;
        }
    if (ancestor)
        return {0, y, w, double(kRow)};
    double x0 = (m_x[size_t(node)] - zx) / zw * w;
    double x1 = (m_x[size_t(node)] + m_width[size_t(node)] - zx) / zw * w;
    if (x1 <= 0 || x0 >= w || m_depth[size_t(node)] <= m_depth[size_t(m_zoom)])
        return {};
    return QRectF(QPointF(std::max(0.0, x0), y), QPointF(std::min(w, x1), y + kRow));
}

int FlameGraphView::nodeAt(const QPoint& p) const {
    if (!m_tree)
        return -1;
    int depth = p.y() / kRow;
    // Walk down from the root along the frame under x.
    int cur = 0;
    for (;;) {
        if (m_depth[size_t(cur)] == depth)
            return nodeRect(cur).contains(p) ? cur : -1;
        int next = -1;
        for (int32_t c : m_tree->nodes[size_t(cur)].children)
            if (QRectF r = nodeRect(c); !r.isEmpty() && p.x() >= r.left() && p.x() < r.right()) {
                next = c;
                break;
            }
        if (next < 0) {
            // Above the zoomed frame the ancestors are full width.
            int a = m_zoom;
            while (a > 0 && m_depth[size_t(a)] > depth)
                a = m_tree->nodes[size_t(a)].parent;
            if (a >= 0 && m_depth[size_t(a)] == depth && nodeRect(a).contains(p))
                return a;
            return -1;
        }
        cur = next;
    }
}

QColor FlameGraphView::colorOf(int node) const {
    const auto& nd = m_tree->nodes[size_t(node)];
    if (node == 0)
        return palette().color(QPalette::Mid);
    if (m_tree->diff) {
        double d = double(nd.value - nd.base);
        if (d == 0 || m_maxDelta <= 0)
            return QColor(200, 200, 200);
        double t = std::clamp(std::sqrt(std::fabs(d) / m_maxDelta), 0.12, 1.0);
        return d > 0 ? QColor::fromHsvF(0.0, t * 0.75, 1.0) : QColor::fromHsvF(0.6, t * 0.75, 1.0);
    }
    // Warm colours, stable per package, as flame graphs have them.
    QString pkg = QString::fromStdString(nd.function).section('.', 0, 0);
    uint h = qHash(pkg);
    return QColor::fromHsv(int(h % 50), 120 + int((h >> 8) % 80), 235 - int((h >> 16) % 30));
}

QString FlameGraphView::describe(int node) const {
    const auto& nd = m_tree->nodes[size_t(node)];
    const std::string& unit = m_tree->unit;
    QString name = node == 0 ? tr("all") : QString::fromStdString(nd.function);
    auto pct = [](double a, double b) {
        return b != 0 ? QString::number(100.0 * a / b, 'f', 1) + "%" : QString("–");
    };
    if (m_tree->diff) {
        int64_t d = nd.value - nd.base;
        QString sign = d > 0 ? "+" : "";
        return tr("%1\nbase %2 → new %3\nchange %4%5 (%6 of base total)")
            .arg(name, QString::fromStdString(formatValue(nd.base, unit)),
                 QString::fromStdString(formatValue(nd.value, unit)), sign,
                 QString::fromStdString(formatValue(d, unit)),
                 pct(double(d), double(m_tree->baseTotal)));
    }
    return tr("%1\n%2 (%3 of total), self %4")
        .arg(name, QString::fromStdString(formatValue(nd.value, unit)),
             pct(double(nd.value), double(m_tree->total)),
             QString::fromStdString(formatValue(nd.self, unit)));
}

void FlameGraphView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    if (!m_tree || m_tree->nodes.empty() || m_width[0] <= 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(12, 12, -12, -12),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, m_tree ? m_noSamples : m_empty);
        return;
    }
    const auto& nodes = m_tree->nodes;
    bool searching = std::any_of(m_match.begin(), m_match.end(), [](char c) { return c; });
    QFontMetrics fm(font());
    std::vector<int> work{0};
    while (!work.empty()) {
        int id = work.back();
        work.pop_back();
        QRectF r = nodeRect(id);
        bool onPath =
            false; // an ancestor of the zoomed frame: draw, then descend along the path only
        for (int a = m_zoom; a >= 0; a = nodes[size_t(a)].parent)
            if (a == id)
                onPath = true;
        if (!r.isEmpty() && r.width() >= 0.5) {
            QColor c = colorOf(id);
            if (searching && !m_match[size_t(id)])
                c = QColor::fromHsvF(c.hsvHueF() < 0 ? 0 : c.hsvHueF(), c.hsvSaturationF() * 0.25,
                                     0.93);
            if (searching && m_match[size_t(id)])
                c = QColor(230, 90, 230);
            if (id == m_hover)
                c = c.darker(115);
            QRectF box = r.adjusted(0, 0, -0.5, -1);
            p.fillRect(box, c);
            if (r.width() > 28) {
                p.setPen(QColor(20, 20, 20));
                QString label =
                    id == 0 ? tr("all (%1)")
                                  .arg(QString::fromStdString(formatValue(
                                      std::max(nodes[0].value, nodes[0].base), m_tree->unit)))
                            : QString::fromStdString(nodes[size_t(id)].function);
                p.drawText(box.adjusted(3, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft,
                           fm.elidedText(label, Qt::ElideRight, int(box.width()) - 5));
            }
        } else if (!onPath) {
            continue; // too narrow: its children are narrower still
        }
        for (int32_t c : nodes[size_t(id)].children) {
            if (onPath && id != m_zoom) {
                // Above the zoomed frame only its own line continues.
                bool next = false;
                for (int a = m_zoom; a >= 0; a = nodes[size_t(a)].parent)
                    if (a == c)
                        next = true;
                if (!next)
                    continue;
            }
            work.push_back(c);
        }
    }
}

void FlameGraphView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        int n = nodeAt(event->position().toPoint());
        if (n >= 0)
            zoomTo(n == m_zoom ? std::max(0, int(m_tree->nodes[size_t(n)].parent)) : n);
    } else if (event->button() == Qt::RightButton && nodeAt(event->position().toPoint()) > 0) {
        QMenu* menu = menuFor(nodeAt(event->position().toPoint()), this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(event->globalPosition().toPoint());
    } else if (event->button() == Qt::BackButton || event->button() == Qt::RightButton) {
        if (m_tree && m_zoom > 0)
            zoomTo(std::max(0, int(m_tree->nodes[size_t(m_zoom)].parent)));
    }
}

QMenu* FlameGraphView::menuFor(int node, QWidget* parent) {
    auto* menu = new QMenu(parent);
    if (!m_tree || node <= 0 || size_t(node) >= m_tree->nodes.size())
        return menu;
    const QString function = QString::fromStdString(m_tree->nodes[size_t(node)].function);
    menu->setTitle(function);
    QAction* in = menu->addAction(tr("Zoom In"));
    in->setEnabled(node != m_zoom);
    connect(in, &QAction::triggered, this, [this, node] { zoomTo(node); });
    QAction* out = menu->addAction(tr("Zoom Out"));
    out->setEnabled(m_zoom > 0);
    connect(out, &QAction::triggered, this, [this] {
        if (m_tree && m_zoom > 0)
            zoomTo(std::max(0, int(m_tree->nodes[size_t(m_zoom)].parent)));
    });
    QAction* reset = menu->addAction(tr("Reset Zoom"));
    reset->setEnabled(m_zoom > 0);
    connect(reset, &QAction::triggered, this, [this] { resetZoom(); });
    menu->addSeparator();
    RowLinks links;
    if (m_frameLinks)
        links = m_frameLinks(function);
    links.name = function;
    addRowLinks(menu, links, m_check, [this](const QUrl& link) { emit linkActivated(link); });
    return menu;
}

void FlameGraphView::mouseDoubleClickEvent(QMouseEvent* event) {
    int n = nodeAt(event->position().toPoint());
    if (n > 0)
        emit functionActivated(QString::fromStdString(m_tree->nodes[size_t(n)].function));
}

void FlameGraphView::mouseMoveEvent(QMouseEvent* event) {
    int n = nodeAt(event->position().toPoint());
    if (n != m_hover) {
        m_hover = n;
        update();
    }
}

void FlameGraphView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape || event->key() == Qt::Key_Backspace) {
        // One level up, as a browser's Back: Reset zoom is the way to the root.
        if (m_tree && m_zoom > 0)
            zoomTo(std::max(0, int(m_tree->nodes[size_t(m_zoom)].parent)));
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && m_tree && m_zoom > 0) {
        emit functionActivated(QString::fromStdString(m_tree->nodes[size_t(m_zoom)].function));
        return;
    }
    QWidget::keyPressEvent(event);
}

bool FlameGraphView::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* he = static_cast<QHelpEvent*>(e);
        int n = nodeAt(he->pos());
        if (n >= 0)
            QToolTip::showText(he->globalPos(), describe(n), this);
        else
            QToolTip::hideText();
        return true;
    }
    if (e->type() == QEvent::Leave && m_hover >= 0) {
        m_hover = -1;
        update();
    }
    return QWidget::event(e);
}

} // namespace memscope::ui
