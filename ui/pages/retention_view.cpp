// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the retention view's dominator model, its box graph and the
// page that joins them (with the comparison against an earlier dump) read one
// RetentionData; a file for each of the three is the next split.
#include "pages/retention_view.h"

#include "analysis/heapgraph/paths.h"
#include "base/format.h"
#include "report/chart_svg.h"
#include "widgets/snapshot_picker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTextBrowser>
#include <QToolTip>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <map>

namespace memscope::ui {

namespace {

QString bytesText(uint64_t b) { return QString::fromStdString(formatValue(int64_t(b), "bytes")); }

QString siteLabel(const CaseStore::HeapSiteRow& s) {
    if (s.stack.empty())
        return QStringLiteral("?");
    // "function file:line" -> "function (file:line)"
    const std::string& f = s.stack.front();
    auto sp = f.find(' ');
    std::string where = sp == std::string::npos ? "" : f.substr(sp + 1);
    where = where.substr(
        where.find_last_of('/') == std::string::npos ? 0 : where.find_last_of('/') + 1);
    return QString::fromStdString(f.substr(0, sp) + (where.empty() ? "" : " (" + where + ")"));
}

} // namespace

namespace {

// The heap dump of the same program taken last before `snapshotId`, or none.
Result<SnapshotId> previousDump(CaseStore& store, SnapshotId snapshotId) {
    auto self = store.snapshot(snapshotId);
    if (!self)
        return self.error();
    auto dumps = store.snapshots(SnapshotKind::HeapDump);
    if (!dumps)
        return dumps.error();
    if (!*self)
        return SnapshotId();
    const SnapshotInfo& me = **self;
    const SnapshotInfo* best = nullptr;
    for (const auto& s : *dumps) {
        bool before = s.timeNs < me.timeNs || (s.timeNs == me.timeNs && s.id < me.id);
        if (s.id != me.id && s.targetId == me.targetId && before &&
            (!best || s.timeNs > best->timeNs || (s.timeNs == best->timeNs && s.id > best->id)))
            best = &s;
    }
    return best ? best->id : SnapshotId();
}

// Against the dump asked for: the survivors and new bytes the view shows.
// A pair the diff refuses (two processes) leaves the view as it was, with
// the reason in diffError.
void compareWithBase(CaseStore& store, RetentionData& d, qint64 baseRequest) {
    SnapshotId base(baseRequest);
    if (baseRequest == kPreviousDump) {
        auto prev = previousDump(store, d.snapshotId);
        if (!prev) {
            d.diffError = QString::fromStdString(prev.error().toString());
            return;
        }
        base = *prev;
    }
    if (base.value <= 0 || base == d.snapshotId)
        return;
    auto info = store.snapshot(base);
    if (info && *info)
        d.baseLabel = QString::fromStdString((*info)->sourceName);
    auto diff = diffHeapDumpObjects(store, base, d.snapshotId, d.graph.get());
    if (!diff) {
        d.diffError = QString::fromStdString(diff.error().message);
        return;
    }
    d.baseId = base;
    d.diff = std::make_shared<const HeapObjectDiff>(std::move(*diff));
}

} // namespace

RetentionData loadRetention(const QString& casePath, SnapshotId snapshotId, qint64 baseRequest) {
    RetentionData d;
    d.snapshotId = snapshotId;
    auto store = CaseStore::open(casePath.toStdString(), /*readOnly=*/true);
    if (!store) {
        d.error = QString::fromStdString(store.error().toString());
        return d;
    }
    auto g = (*store)->loadHeapGraph(snapshotId);
    if (!g) {
        d.error = QString::fromStdString(g.error().toString());
        return d;
    }
    auto info = (*store)->heapDump(snapshotId);
    auto read = info ? (*store)->heapDumpSites(snapshotId)
                     : Result<std::vector<CaseStore::HeapSiteRow>>(info.error());
    auto rootSites = read ? (*store)->heapDumpRootSites(snapshotId)
                          : Result<std::vector<CaseStore::HeapRootSiteRow>>(read.error());
    if (!rootSites) {
        d.error = QString::fromStdString(rootSites.error().toString());
        return d;
    }
    if (*info)
        d.info = **info;
    // Buckets number the dump's sites 0..n-1 and root indices its roots (the
    // case was checked when it opened); anything else is damage, never an index.
    auto& sites = *read;
    d.sites.resize(sites.size());
    for (auto& s : sites) {
        if (s.bucket < 0 || uint64_t(s.bucket) >= sites.size()) {
            d.error = QObject::tr("%1: damaged case: table heapdump_sites: bucket %2 is not one of "
                                  "the dump's %3 sites")
                          .arg(casePath)
                          .arg(s.bucket)
                          .arg(sites.size());
            return d;
        }
        d.sites[size_t(s.bucket)] = std::move(s);
    }
    d.rootSites = std::move(*rootSites);
    for (const auto& e : d.rootSites)
        if (e.rootIndex < -1 || e.rootIndex >= int64_t(g->graph.roots.size()) || e.bucket < 0 ||
            uint64_t(e.bucket) >= d.sites.size()) {
            d.error = QObject::tr("%1: damaged case: table heapdump_root_sites: root %2 or bucket "
                                  "%3 out of range")
                          .arg(casePath)
                          .arg(e.rootIndex)
                          .arg(e.bucket);
            return d;
        }
    auto graph = std::make_shared<StoredHeapGraph>(std::move(*g));
    const auto& idom = graph->dom.idom;
    const auto& ret = graph->dom.retained;
    size_t n = idom.size();
    d.childStart.assign(n + 1, 0);
    for (size_t v = 1; v < n; ++v)
        if (idom[v] != kNoNode)
            d.childStart[idom[v] + 1]++;
    for (size_t i = 0; i < n; ++i)
        d.childStart[i + 1] += d.childStart[i];
    d.children.resize(d.childStart[n]);
    std::vector<uint32_t> pos(d.childStart.begin(), d.childStart.end() - 1);
    for (size_t v = 1; v < n; ++v)
        if (idom[v] != kNoNode)
            d.children[pos[idom[v]]++] = uint32_t(v);
    d.rowInParent.assign(n, 0);
    for (size_t p = 0; p < n; ++p) {
        auto b = d.children.begin() + d.childStart[p], e = d.children.begin() + d.childStart[p + 1];
        std::sort(b, e, [&](uint32_t x, uint32_t y) {
            return ret[x] != ret[y] ? ret[x] > ret[y] : x < y;
        });
        for (auto it = b; it != e; ++it)
            d.rowInParent[*it] = uint32_t(it - b);
    }
    d.graph = std::move(graph);
    compareWithBase(**store, d, baseRequest);
    return d;
}

// ---- DominatorModel

DominatorModel::DominatorModel(QObject* parent) : QAbstractItemModel(parent) {}

void DominatorModel::setData(std::shared_ptr<const RetentionData> data) {
    beginResetModel();
    m_data = std::move(data);
    endResetModel();
}

void DominatorModel::setColourByAge(bool on) {
    m_colourByAge = on;
    // Rows ask for their colour when painted; the view repaints.
}

uint64_t DominatorModel::survivorBytes(uint32_t node) const {
    if (!m_data || !m_data->diff || node >= m_data->diff->survivorRetained.size())
        return 0;
    return m_data->diff->survivorRetained[node];
}

QModelIndex DominatorModel::index(int row, int column, const QModelIndex& parent) const {
    if (!m_data || !m_data->graph)
        return {};
    uint32_t p = nodeOf(parent);
    uint32_t count = m_data->childStart[p + 1] - m_data->childStart[p];
    if (row < 0 || uint32_t(row) >= count)
        return {};
    return createIndex(row, column,
                       quintptr(m_data->children[m_data->childStart[p] + uint32_t(row)]));
}

QModelIndex DominatorModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || !m_data)
        return {};
    uint32_t p = m_data->graph->dom.idom[nodeOf(child)];
    if (p == 0 || p == kNoNode)
        return {};
    return createIndex(int(m_data->rowInParent[p]), 0, quintptr(p));
}

QModelIndex DominatorModel::indexOfNode(uint32_t node) const {
    if (!m_data || node == 0 || node >= m_data->rowInParent.size() ||
        m_data->graph->dom.idom[node] == kNoNode)
        return {};
    return createIndex(int(m_data->rowInParent[node]), 0, quintptr(node));
}

int DominatorModel::rowCount(const QModelIndex& parent) const {
    if (!m_data || !m_data->graph || parent.column() > 0)
        return 0;
    uint32_t p = nodeOf(parent);
    return int(m_data->childStart[p + 1] - m_data->childStart[p]);
}

QString DominatorModel::nodeName(uint32_t node) const {
    const HeapGraph& g = m_data->graph->graph;
    if (node == 0)
        return tr("(all roots)");
    if (!g.isObjectNode(node)) {
        const auto& r = g.roots[node - 1];
        return QString::fromStdString(std::string(rootKindName(r.kind)) + " " + r.name +
                                      (r.detail.empty() ? "" : "  [" + r.detail + "]"));
    }
    return QStringLiteral("0x%1").arg(g.addr[g.nodeObject(node)], 0, 16);
}

QString DominatorModel::siteFunction(uint32_t node) const {
    if (!m_data || !m_data->graph)
        return {};
    const auto& sg = *m_data->graph;
    const HeapGraph& g = sg.graph;
    auto siteOf = [&](uint32_t v) -> QString {
        if (!g.isObjectNode(v))
            return {};
        int32_t b = sg.objectBucket[g.nodeObject(v)];
        return b >= 0 && size_t(b) < m_data->sites.size()
                   ? QString::fromStdString(m_data->sites[size_t(b)].function)
                   : QString();
    };
    if (g.isObjectNode(node))
        return siteOf(node);
    // A root: the first object with a site among what it keeps, the larger
    // first (children come largest first); few objects carry one, so a
    // bounded walk down the tree.
    std::vector<uint32_t> queue{node};
    for (size_t at = 0; at < queue.size() && at < 20000; ++at) {
        const uint32_t v = queue[at];
        if (QString site = siteOf(v); !site.isEmpty())
            return site;
        if (size_t(v) + 1 < m_data->childStart.size())
            for (uint32_t c = m_data->childStart[v]; c < m_data->childStart[v + 1]; ++c)
                queue.push_back(m_data->children[c]);
    }
    return {};
}

QVariant DominatorModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_data)
        return {};
    uint32_t v = nodeOf(index);
    const auto& sg = *m_data->graph;
    const HeapGraph& g = sg.graph;
    uint64_t shallow = g.isObjectNode(v) ? g.objectSize(g.nodeObject(v)) : 0;
    uint64_t retained = sg.dom.retained[v];
    const HeapObjectDiff* diff = m_data->diff.get();
    const uint64_t kept = survivorBytes(v), fresh = retained - std::min(retained, kept);
    if (index.column() == Since && diff) {
        if (role == Qt::DisplayRole) {
            QString split = bytesText(kept) + " / " + bytesText(fresh);
            if (!g.isObjectNode(v))
                return split;
            QString self = diff->survivorNow[g.nodeObject(v)] ? tr("kept") : tr("new");
            return retained > shallow ? self + " · " + split : self;
        }
        if (role == Qt::UserRole)
            return qulonglong(fresh);
        if (role == Qt::ToolTipRole)
            return tr("Of the %1 this retains, %2 were there in %3 (same address, size, pointer "
                      "shape and site) and %4 are new since.")
                .arg(bytesText(retained), bytesText(kept), m_data->baseLabel, bytesText(fresh));
    }
    if (role == Qt::BackgroundRole && m_colourByAge && diff && retained > 0) {
        // Translucent, so the tint reads on light and dark palettes alike.
        double newShare = double(fresh) / double(retained);
        double strength = std::abs(newShare - 0.5) * 2;
        QColor c = newShare >= 0.5 ? QColor(235, 120, 20) : QColor(40, 110, 210);
        c.setAlpha(int(30 + 60 * strength));
        return c;
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
            case Name: return nodeName(v);
            case Shallow: return g.isObjectNode(v) ? bytesText(shallow) : QString();
            case Retained: return bytesText(retained);
            case Percent:
                return QString::number(100.0 * double(retained) /
                                           double(std::max<uint64_t>(1, sg.dom.retained[0])),
                                       'f', 2) +
                       "%";
            case Site:
                if (g.isObjectNode(v)) {
                    int32_t b = sg.objectBucket[g.nodeObject(v)];
                    if (b >= 0 && size_t(b) < m_data->sites.size())
                        return siteLabel(m_data->sites[size_t(b)]);
                }
                return {};
            case Since: return {};
        }
    }
    if (role == Qt::UserRole)
        return index.column() == Shallow ? QVariant(qulonglong(shallow))
                                         : QVariant(qulonglong(retained));
    if (role == Qt::TextAlignmentRole &&
        (index.column() == Shallow || index.column() == Retained || index.column() == Percent))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant DominatorModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o == Qt::Horizontal && role == Qt::ToolTipRole && section == Since && m_data &&
        m_data->diff)
        return tr("Of what each row retains: the bytes that were there in %1 (kept) and those "
                  "new since")
            .arg(m_data->baseLabel);
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = {"Root / object", "Shallow", "Retained", "% of reachable",
                                  "Allocation site"};
    if (section == Since)
        return tr("Since dump: kept / new");
    return tr(names[section]);
}

// ---- RetentionGraph

RetentionGraph::RetentionGraph(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(220);
    setMouseTracking(false);
}

void RetentionGraph::setData(std::shared_ptr<const RetentionData> data) {
    m_data = std::move(data);
    m_roots.clear();
    m_sites.clear();
    m_bands.clear();
    if (!m_data || !m_data->graph) {
        update();
        return;
    }
    // The roots and sites that carry the most bytes between them.
    std::map<qint64, double> rootBytes, siteBytes;
    for (const auto& e : m_data->rootSites) {
        rootBytes[e.rootIndex] += double(e.retainedBytes);
        siteBytes[e.bucket] += double(e.retainedBytes);
    }
    auto top = [](const std::map<qint64, double>& m, size_t n) {
        std::vector<std::pair<double, qint64>> v;
        for (const auto& [k, b] : m)
            if (b > 0)
                v.push_back({b, k});
        std::sort(v.rbegin(), v.rend());
        if (v.size() > n)
            v.resize(n);
        return v;
    };
    const HeapGraph& g = m_data->graph->graph;
    for (const auto& [b, r] : top(rootBytes, 7)) {
        QString label =
            r < 0 ? tr("several roots")
                  : QString::fromStdString(std::string(rootKindName(g.roots[size_t(r)].kind)) +
                                           " " + g.roots[size_t(r)].name);
        m_roots.push_back({r, label, b, {}});
    }
    for (const auto& [b, s] : top(siteBytes, 8))
        m_sites.push_back(
            {s,
             size_t(s) < m_data->sites.size() ? siteLabel(m_data->sites[size_t(s)]) : QString("?"),
             b,
             {}});
    for (const auto& e : m_data->rootSites) {
        int ri = -1, si = -1;
        for (size_t i = 0; i < m_roots.size(); ++i)
            if (m_roots[i].id == e.rootIndex)
                ri = int(i);
        for (size_t i = 0; i < m_sites.size(); ++i)
            if (m_sites[i].id == e.bucket)
                si = int(i);
        if (ri >= 0 && si >= 0 && e.retainedBytes > 0)
            m_bands.push_back({ri, si, double(e.retainedBytes)});
    }
    layoutBoxes();
    update();
}

void RetentionGraph::layoutBoxes() {
    const double h = height() - 30, w = width();
    // Each box gets a floor of height (so a small one can be seen and
    // clicked) and a share of the rest by its bytes: the column fills the
    // height and never runs past it, however many small boxes it holds.
    auto place = [&](std::vector<Box>& boxes, double x, double bw) {
        if (boxes.empty())
            return;
        double total = 0;
        for (const auto& b : boxes)
            total += b.bytes;
        const double n = double(boxes.size());
        const double gap = n > 1 ? std::min(6.0, std::max(0.0, h) * 0.25 / (n - 1)) : 0;
        const double avail = std::max(0.0, h - gap * (n - 1));
        const double floor = std::min(14.0, avail / n), spare = avail - floor * n;
        double y = 24;
        for (auto& b : boxes) {
            double bh = floor + spare * b.bytes / std::max(1.0, total);
            b.rect = QRectF(x, y, bw, bh);
            y += bh + gap;
        }
    };
    place(m_roots, 8, 14);
    place(m_sites, w - 22, 14);
}

void RetentionGraph::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    if (m_roots.empty()) {
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No sampled objects tie roots to allocation sites in this dump.\n"
                      "(Only objects the memory profiler sampled carry a stack.)"));
        return;
    }
    layoutBoxes();
    p.setPen(palette().text().color());
    p.drawText(QPointF(8, 14), tr("roots"));
    p.drawText(QRectF(0, 0, width() - 8, 18), Qt::AlignRight,
               tr("allocation sites (sampled objects)"));
    // Bands: each root's and site's share stacked in order.
    std::vector<double> rootUsed(m_roots.size(), 0), siteUsed(m_sites.size(), 0);
    static const QColor colours[] = {
        QColor(31, 119, 180),  QColor(214, 39, 40), QColor(44, 160, 44),  QColor(255, 127, 14),
        QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194)};
    for (const auto& b : m_bands) {
        const Box& r = m_roots[size_t(b.root)];
        const Box& s = m_sites[size_t(b.site)];
        double rh = r.rect.height() * b.bytes / std::max(1.0, r.bytes);
        double sh = s.rect.height() * b.bytes / std::max(1.0, s.bytes);
        double y0 = r.rect.top() + rootUsed[size_t(b.root)],
               y1 = s.rect.top() + siteUsed[size_t(b.site)];
        rootUsed[size_t(b.root)] += rh;
        siteUsed[size_t(b.site)] += sh;
        double x0 = r.rect.right(), x1 = s.rect.left(), mid = (x0 + x1) / 2;
        QPainterPath path(QPointF(x0, y0));
        path.cubicTo(mid, y0, mid, y1, x1, y1);
        path.lineTo(x1, y1 + sh);
        path.cubicTo(mid, y1 + sh, mid, y0 + rh, x0, y0 + rh);
        path.closeSubpath();
        QColor c = colours[size_t(b.root) % std::size(colours)];
        c.setAlpha(110);
        p.fillPath(path, c);
    }
    // Roots are named in the left half, sites in the right, each label elided
    // to its half; a label that would overprint the one above it is left out
    // (its box still shows, and its tooltip names it).
    QFontMetrics fm(font());
    auto label = [&](const QString& name, int64_t bytes, qreal room) {
        QString size = bytesText(uint64_t(bytes));
        qreal nameRoom = room - fm.horizontalAdvance("  " + size);
        if (nameRoom < fm.horizontalAdvance("…") * 3)
            return size;
        return fm.elidedText(name, Qt::ElideMiddle, int(nameRoom)) + "  " + size;
    };
    const qreal half = width() / 2.0;
    p.setPen(palette().text().color());
    qreal below = -1e9;
    for (size_t i = 0; i < m_roots.size(); ++i) {
        const auto& b = m_roots[i];
        p.fillRect(b.rect, colours[i % std::size(colours)]);
        qreal y = b.rect.center().y() - fm.height() / 2.0;
        if (y < below)
            continue;
        qreal x = b.rect.right() + 4;
        p.drawText(QRectF(x, y, half - 4 - x, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                   label(b.label, b.bytes, half - 4 - x));
        below = y + fm.height();
    }
    below = -1e9;
    for (const auto& b : m_sites) {
        p.fillRect(b.rect, QColor(90, 90, 90));
        qreal y = b.rect.center().y() - fm.height() / 2.0;
        if (y < below)
            continue;
        qreal right = b.rect.left() - 4;
        p.drawText(QRectF(half + 4, y, right - half - 4, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, label(b.label, b.bytes, right - half - 4));
        below = y + fm.height();
    }
}

bool RetentionGraph::event(QEvent* e) {
    if (e->type() != QEvent::ToolTip)
        return QWidget::event(e);
    auto* help = static_cast<QHelpEvent*>(e);
    for (const auto* boxes : {&m_roots, &m_sites})
        for (const auto& b : *boxes)
            if (b.rect.adjusted(0, -1, 0, 1).contains(help->pos())) {
                QToolTip::showText(help->globalPos(), b.label + "\n" + bytesText(uint64_t(b.bytes)),
                                   this);
                return true;
            }
    QToolTip::hideText();
    e->ignore();
    return true;
}

void RetentionGraph::mousePressEvent(QMouseEvent* e) {
    for (const auto& b : m_roots)
        if (b.rect.adjusted(-4, -2, width() / 2.0, 2).contains(e->position()) && b.id >= 0) {
            emit rootClicked(b.id);
            return;
        }
    for (const auto& b : m_sites)
        if (b.rect.adjusted(-width() / 2.0, -2, 4, 2).contains(e->position())) {
            emit siteClicked(b.id);
            return;
        }
}

// ---- RetentionView

RetentionView::RetentionView(QWidget* parent) : QWidget(parent) {
    m_snapshot = new QComboBox(this);
    fitSnapshotPicker(m_snapshot);
    m_summary = new QLabel(
        tr("Import a Go heap dump (runtime/debug.WriteHeapDump) to see what keeps memory alive."),
        this);
    m_summary->setWordWrap(true);
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter roots"));
    m_filter->setClearButtonEnabled(true);
    m_model = new DominatorModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(DominatorModel::Name);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(Qt::UserRole);
    m_tree = new QTreeView(this);
    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(DominatorModel::Retained, Qt::DescendingOrder);
    m_tree->header()->resizeSection(DominatorModel::Name, 340);
    // Since reads next to the share it splits, before the site.
    m_tree->header()->moveSection(DominatorModel::Since, DominatorModel::Site);
    m_tree->header()->resizeSection(DominatorModel::Since, 160);
    m_tree->setColumnHidden(DominatorModel::Since, true);
    m_base = new QComboBox(this);
    m_base->setToolTip(tr("The heap dump whose objects count as survivors: those still at the "
                          "same address, with the same size, pointer shape and site."));
    m_colour = new QCheckBox(tr("Colour kept / new"), this);
    m_colour->setToolTip(tr("Tint rows blue where most of what they retain was there in the "
                            "compared dump, orange where most is new since."));
    m_colour->setEnabled(false);
    m_graph = new RetentionGraph(this);
    m_paths = new QTextBrowser(this);
    m_paths->setPlaceholderText(
        tr("Select an object to see the shortest paths from the roots to it."));

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Heap dump:"), this));
    top->addWidget(m_snapshot);
    top->addWidget(new QLabel(tr("Since:"), this));
    top->addWidget(m_base);
    top->addWidget(m_colour);
    top->addWidget(m_filter, 1);
    auto* left = new QWidget(this);
    auto* ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addLayout(top);
    ll->addWidget(m_summary);
    ll->addWidget(m_tree, 1);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_graph);
    right->addWidget(m_paths);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setSizes({700, 520});
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addWidget(split);

    // Another dump or filter is another list: read from its top, not from
    // where the last one was scrolled to.
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterFixedString(text);
        m_tree->scrollToTop();
    });
    onSnapshotPicked(m_snapshot, this, [this](SnapshotId id) { showSnapshot(id); });
    connect(m_base, &QComboBox::activated, this, [this] {
        if (m_snapshot->currentIndex() >= 0)
            showSnapshot(SnapshotId(m_snapshot->currentData().toLongLong()));
    });
    connect(m_colour, &QCheckBox::toggled, this, [this](bool on) {
        m_model->setColourByAge(on);
        m_tree->viewport()->update();
    });
    connect(
        m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
        [this](const QModelIndex& cur) { showPaths(m_model->nodeOf(m_proxy->mapToSource(cur))); });
    m_menu = new RowLinkMenu(m_tree, [this](const QModelIndex& idx) {
        const uint32_t node = m_model->nodeOf(m_proxy->mapToSource(idx));
        const QString site = m_model->siteFunction(node);
        RowLinks links{m_model->nodeName(node), {}};
        links.links.push_back({site.isEmpty() ? tr("Show Site in Allocation Sites")
                                              : tr("Show Site %1 in Allocation Sites").arg(site),
                               site.isEmpty() ? QUrl() : itemLink("site", site)});
        return links;
    });
    connect(m_menu, &RowLinkMenu::linkActivated, this, &RetentionView::linkActivated);
    connect(m_graph, &RetentionGraph::rootClicked, this,
            [this](qint64 r) { selectNode(uint32_t(r + 1)); });
    connect(m_graph, &RetentionGraph::siteClicked, this, [this](qint64 bucket) {
        if (!m_data)
            return;
        // The largest live object allocated there.
        const auto& sg = *m_data->graph;
        uint32_t best = kNoNode;
        for (uint32_t o = 0; o < sg.graph.objects(); ++o)
            if (sg.objectBucket[o] == bucket && sg.dom.idom[sg.graph.objectNode(o)] != kNoNode &&
                (best == kNoNode || sg.dom.retained[sg.graph.objectNode(o)] >
                                        sg.dom.retained[sg.graph.objectNode(best)]))
                best = o;
        if (best != kNoNode)
            selectNode(sg.graph.objectNode(best));
    });
    connect(&m_watcher, &QFutureWatcher<RetentionData>::finished, this, [this] {
        auto d = std::make_shared<const RetentionData>(m_watcher.result());
        if (!d->error.isEmpty()) {
            m_summary->setText(d->error);
            return;
        }
        m_data = d;
        m_siteNodes.clear();
        for (uint32_t o = 0; o < d->graph->graph.objects(); ++o) {
            const auto& sg = *d->graph;
            const int32_t b = sg.objectBucket[o];
            const uint32_t node = sg.graph.objectNode(o);
            if (b < 0 || size_t(b) >= d->sites.size() || sg.dom.idom[node] == kNoNode)
                continue;
            uint32_t& best = m_siteNodes[QString::fromStdString(d->sites[size_t(b)].function)];
            // 0 is the graph's top, never an object: not yet found.
            if (best == 0 || sg.dom.retained[node] > sg.dom.retained[best])
                best = node;
        }
        m_model->setData(d);
        m_graph->setData(d);
        m_tree->setColumnHidden(DominatorModel::Since, !d->diff);
        m_tree->header()->resizeSection(DominatorModel::Name, d->diff ? 230 : 340);
        m_colour->setEnabled(bool(d->diff));
        m_tree->scrollToTop();
        const auto& h = d->info;
        QString since;
        if (const HeapObjectDiff* x = d->diff.get()) {
            auto counted = [](const ObjectCounts& c) {
                return tr("%1 (%2)").arg(c.objects).arg(bytesText(c.bytes));
            };
            since =
                tr("\nSince %1: %2 objects kept, %3 new, %4 freed; %5 addresses hold another "
                   "object%6.")
                    .arg(d->baseLabel, counted(x->survivors), counted(x->added), counted(x->freed))
                    .arg(x->reused)
                    .arg(x->shapesCompared ? QString()
                                           : tr(" (matched on size and pointer count: this "
                                                "case keeps no pointer shapes)"));
        } else if (!d->diffError.isEmpty()) {
            since = tr("\nNo comparison: %1").arg(d->diffError);
        }
        m_summary->setText(
            tr("%1 objects, %2; reachable %3; unreachable (not yet swept) %4. Finalizers: %5 "
               "registered, %6 queued. "
               "%7 objects (%8%) carry an allocation stack.")
                .arg(h.objects)
                .arg(bytesText(uint64_t(h.bytes)), bytesText(uint64_t(h.reachableBytes)),
                     bytesText(uint64_t(h.bytes - h.reachableBytes)))
                .arg(h.finalizersRegistered)
                .arg(h.finalizersQueued)
                .arg(h.sampledObjects)
                .arg(100.0 * double(h.sampledObjects) / double(std::max<int64_t>(1, h.objects)), 0,
                     'f', 2) +
            since);
        m_paths->clear();
        emit loaded();
    });
}

void RetentionView::setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots) {
    m_casePath = path;
    QSignalBlocker block(m_snapshot);
    m_snapshot->clear();
    m_dumps.clear();
    for (const auto& s : snapshots)
        if (s.kind == SnapshotKind::HeapDump) {
            m_snapshot->addItem(QString::fromStdString(s.sourceName), qlonglong(s.id.value));
            m_dumps.push_back(s);
        }
    {
        QSignalBlocker blockBase(m_base);
        qint64 was = m_base->count() ? m_base->currentData().toLongLong() : kPreviousDump;
        m_base->clear();
        m_base->addItem(tr("the previous dump"), qlonglong(kPreviousDump));
        m_base->addItem(tr("no comparison"), qlonglong(kNoDump));
        for (const auto& s : m_dumps)
            m_base->addItem(QString::fromStdString(s.sourceName), qlonglong(s.id.value));
        int keep = m_base->findData(qlonglong(was));
        m_base->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    m_model->setData(nullptr);
    m_graph->setData(nullptr);
    m_data.reset();
    if (m_snapshot->count() > 0) {
        m_snapshot->setCurrentIndex(m_snapshot->count() - 1);
        showSnapshot(SnapshotId(m_snapshot->currentData().toLongLong()));
    }
}

void RetentionView::showSnapshot(SnapshotId snapshotId) {
    int i = m_snapshot->findData(qlonglong(snapshotId.value));
    if (i >= 0 && i != m_snapshot->currentIndex()) {
        QSignalBlocker block(m_snapshot);
        m_snapshot->setCurrentIndex(i);
    }
    m_summary->setText(tr("Loading the object graph…"));
    qint64 base = m_base->count() ? m_base->currentData().toLongLong() : kPreviousDump;
    m_watcher.setFuture(QtConcurrent::run(loadRetention, m_casePath, snapshotId, base));
}

void RetentionView::setBaseDump(qint64 baseRequest) {
    int i = m_base->findData(qlonglong(baseRequest));
    if (i < 0)
        return;
    m_base->setCurrentIndex(i);
    if (m_snapshot->currentIndex() >= 0)
        showSnapshot(SnapshotId(m_snapshot->currentData().toLongLong()));
}

QString RetentionView::summaryText() const { return m_summary->text(); }

void RetentionView::selectNode(uint32_t node) {
    QModelIndex src = m_model->indexOfNode(node);
    if (!src.isValid())
        return;
    m_filter->clear();
    QModelIndex idx = m_proxy->mapFromSource(src);
    m_tree->scrollTo(idx);
    m_tree->setCurrentIndex(idx);
    showPaths(node);
}

bool RetentionView::hasSite(const QString& function) const {
    return m_siteNodes.contains(function);
}

bool RetentionView::selectSite(const QString& function) {
    auto it = m_siteNodes.find(function);
    if (it == m_siteNodes.end())
        return false;
    selectNode(it.value());
    return true;
}

void RetentionView::setLinkCheck(const LinkCheck& check) { m_menu->setLinkCheck(check); }

QString RetentionView::pathText() const { return m_paths->toPlainText(); }

void RetentionView::showPaths(uint32_t node) {
    if (!m_data || node == 0)
        return;
    const auto& sg = *m_data->graph;
    const HeapGraph& g = sg.graph;
    if (!g.isObjectNode(node)) {
        const auto& r = g.roots[node - 1];
        m_paths->setHtml(tr("<p><b>%1</b> is a root: %2 reachable only through it.</p>")
                             .arg(QString::fromStdString(
                                      xmlEscape(std::string(rootKindName(r.kind)) + " " + r.name)),
                                  bytesText(sg.dom.retained[node])));
        return;
    }
    auto paths = pathsToRoots(g, g.nodeObject(node), 3);
    QString h = "<p><b>" + m_model->nodeName(node).toHtmlEscaped() + "</b>, " +
                bytesText(g.objectSize(g.nodeObject(node))) + ", retains " +
                bytesText(sg.dom.retained[node]) + "</p>";
    if (paths.empty())
        h += tr("<p>Unreachable from every dumped root: it died after the last GC, or only runtime "
                "internals hold it.</p>");
    for (size_t k = 0; k < paths.size(); ++k) {
        h += tr("<p>Path %1 (%2 steps)</p><ol>").arg(k + 1).arg(paths[k].size());
        for (uint32_t v : paths[k]) {
            QString site;
            if (g.isObjectNode(v)) {
                int32_t b = sg.objectBucket[g.nodeObject(v)];
                if (b >= 0 && size_t(b) < m_data->sites.size())
                    site = " — " + siteLabel(m_data->sites[size_t(b)]);
            }
            h += "<li>" + m_model->nodeName(v).toHtmlEscaped() +
                 (g.isObjectNode(v) ? " " + bytesText(g.objectSize(g.nodeObject(v))) +
                                          ", retains " + bytesText(sg.dom.retained[v])
                                    : QString()) +
                 site.toHtmlEscaped() + "</li>";
        }
        h += "</ol>";
    }
    m_paths->setHtml(h);
}

} // namespace memscope::ui
