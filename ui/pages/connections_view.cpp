// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/connections_view.h"

#include "import/capture_time.h"
#include "models/sort_proxy.h"
#include "widgets/series_style.h"
#include "widgets/snapshot_picker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <map>
#include <qcustomplot.h>
#include <set>

namespace memscope::ui {

namespace {

QStandardItem* cell(const QString& text, const QVariant& sort) {
    auto* i = new QStandardItem(text);
    i->setData(sort, ConnectionsView::kSortRole);
    i->setEditable(false);
    if (sort.typeId() != QMetaType::QString)
        i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return i;
}

std::string connKey(const CaseStore::SocketRow& s) {
    return s.localAddr + ":" + std::to_string(s.localPort) + ">" + s.remoteAddr + ":" +
           std::to_string(s.remotePort);
}

} // namespace

ConnectionsView::ConnectionsView(QWidget* parent) : QWidget(parent) {
    m_snapshot = new QComboBox(this);
    fitSnapshotPicker(m_snapshot);
    m_churn = new QCheckBox(tr("New per capture (churn)"), this);
    m_churn->setToolTip(
        tr("Draw the connections opened since the previous capture instead of those open"));
    m_summary =
        new QLabel(tr("Import lsof or ss snapshots to see connections per remote host"), this);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(110); // the tab's height is the window's least height
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    auto ticker = QSharedPointer<QCPAxisTickerDateTime>::create();
    ticker->setDateTimeFormat("HH:mm:ss");
    ticker->setDateTimeSpec(Qt::UTC);
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setLabel(tr("client sockets"));
    // The hosts in one row at the top left, where the rising lines are not:
    // stacked, they covered the first captures and the axis on a low chart.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(8);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);

    m_hosts = new QStandardItemModel(this);
    m_hostProxy = new RoleSortProxy(kSortRole, this);
    m_hostProxy->setSourceModel(m_hosts);
    m_hostTable = new QTableView(this);
    m_hostTable->setModel(m_hostProxy);
    m_hostTable->setSortingEnabled(true);
    setUpRowTable(m_hostTable);
    m_hostMenu = new RowLinkMenu(m_hostTable, [](const QModelIndex& idx) {
        const QString host = idx.siblingAtColumn(Host).data().toString();
        return RowLinks{
            host,
            {{tr("Show Goroutines Using Its Sockets"), itemLink("host", host, "goroutines")},
             {tr("Show in Timeline"), itemLink("host", host, "timeline")}}};
    });
    connect(m_hostMenu, &RowLinkMenu::linkActivated, this, &ConnectionsView::linkActivated);
    m_sockets = new QStandardItemModel(this);
    m_socketTable = new QTableView(this);
    m_socketTable->setModel(m_sockets);
    setUpRowTable(m_socketTable);
    m_socketTable->horizontalHeader()->setStretchLastSection(true);
    m_serving = new QPlainTextEdit(this);
    m_serving->setReadOnly(true);
    m_serving->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_serving->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_serving->setPlaceholderText(
        tr("Pick a host to see its sockets and the goroutines serving them"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Snapshot:"), this));
    bar->addWidget(m_snapshot);
    bar->addWidget(m_churn);
    bar->addStretch(1);
    auto* detail = new QSplitter(Qt::Vertical, this);
    detail->addWidget(m_socketTable);
    detail->addWidget(m_serving);
    auto* lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(m_hostTable);
    lower->addWidget(detail);
    lower->setSizes({640, 640});
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_plot);
    split->addWidget(lower);
    split->setSizes({170, 330});
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addLayout(bar);
    l->addWidget(m_summary);
    l->addWidget(split, 1);

    connect(m_churn, &QCheckBox::toggled, this, [this] { drawChart(); });
    onSnapshotPicked(m_snapshot, this, [this](SnapshotId id) { showSnapshot(id); });
    connect(m_hostTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& idx) {
                if (idx.isValid())
                    showHost(idx.siblingAtColumn(Host).data().toString());
            });
    connect(m_plot, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable* p, int, QMouseEvent* event) {
                // QCustomPlot reports the topmost line within its tolerance,
                // which near a crossing is another host's: take the nearest.
                if (event)
                    if (QCPAbstractPlottable* nearest = m_plot->plottableAt(event->position()))
                        p = nearest;
                selectHost(p->name().section(' ', 0, 0));
            });
    connect(&m_watcher, &QFutureWatcher<std::shared_ptr<const Snapshot>>::finished, this, [this] {
        m_current = m_watcher.result();
        if (!m_current)
            return;
        if (!m_current->error.isEmpty()) {
            m_summary->setText(m_current->error);
            return;
        }
        struct Counts {
            int64_t all = 0, est = 0, closeWait = 0, timeWait = 0, other = 0, opened = 0,
                    closed = 0;
        };
        std::map<std::string, Counts> byHost;
        std::set<std::string> before, now;
        for (const auto& s : m_current->previous)
            if (s.client)
                before.insert(connKey(s));
        for (const auto& s : m_current->sockets) {
            if (!s.client)
                continue;
            auto& c = byHost[s.remoteAddr];
            ++c.all;
            (s.state == "ESTABLISHED"  ? c.est
             : s.state == "CLOSE_WAIT" ? c.closeWait
             : s.state == "TIME_WAIT"  ? c.timeWait
                                       : c.other)++;
            now.insert(connKey(s));
            c.opened += !m_current->previous.empty() && !before.count(connKey(s));
        }
        for (const auto& s : m_current->previous)
            if (s.client && !now.count(connKey(s)))
                ++byHost[s.remoteAddr].closed;
        m_hosts->clear();
        m_hosts->setHorizontalHeaderLabels({tr("Remote host"), tr("Sockets"), tr("ESTABLISHED"),
                                            tr("CLOSE_WAIT"), tr("TIME_WAIT"), tr("Other"),
                                            tr("Opened"), tr("Closed")});
        int64_t total = 0;
        for (const auto& [host, c] : byHost) {
            m_hosts->appendRow({cell(QString::fromStdString(host), QString::fromStdString(host)),
                                cell(QString::number(c.all), qlonglong(c.all)),
                                cell(QString::number(c.est), qlonglong(c.est)),
                                cell(QString::number(c.closeWait), qlonglong(c.closeWait)),
                                cell(QString::number(c.timeWait), qlonglong(c.timeWait)),
                                cell(QString::number(c.other), qlonglong(c.other)),
                                cell(QString::number(c.opened), qlonglong(c.opened)),
                                cell(QString::number(c.closed), qlonglong(c.closed))});
            total += c.all;
        }
        m_hostTable->sortByColumn(Sockets, Qt::DescendingOrder);
        m_hostTable->resizeColumnsToContents();
        m_summary->setText(
            tr("%1 client TCP sockets to %2 remote hosts at this snapshot; opened and closed count "
               "against the previous one. %3")
                .arg(total)
                .arg(byHost.size())
                .arg(m_current->goroutines.section('\n', 0, 0)));
        m_sockets->clear();
        m_serving->clear();
        emit loaded();
    });
}

void ConnectionsView::setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots,
                              const std::vector<Series>& series) {
    m_casePath = path;
    m_snapshots = snapshots;
    m_series.clear();
    for (const auto& s : series)
        if ((s.metric == "tcp_sockets" || s.metric == "tcp_sockets_new") && s.labels.count("host"))
            m_series.push_back(s);
    QSignalBlocker block(m_snapshot);
    fillSnapshotPicker(m_snapshot, snapshots, SnapshotKind::Fds);
    m_hosts->clear();
    m_sockets->clear();
    m_serving->clear();
    drawChart();
    if (m_snapshot->count() > 0) {
        m_snapshot->setCurrentIndex(m_snapshot->count() - 1);
        showSnapshot(SnapshotId(m_snapshot->currentData().toLongLong()));
    }
}

void ConnectionsView::drawChart() {
    m_plot->clearGraphs();
    const char* metric = m_churn->isChecked() ? "tcp_sockets_new" : "tcp_sockets";
    int n = 0;
    double lo = 0, hi = 0;
    for (const auto& s : m_series) {
        if (s.metric != metric)
            continue;
        auto* g = m_plot->addGraph();
        g->setName(QString::fromStdString(s.labels.at("host")) +
                   (m_churn->isChecked() ? tr(" new") : QString()));
        // A host is the colour its line has on the timeline's sockets panel.
        Series open = s;
        open.metric = "tcp_sockets";
        g->setProperty(kColourName, displayName(open));
        g->setPen(QPen(Qt::black, 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
        ++n;
        for (const auto& p : s.points) {
            double t = double(p.timeNs) / 1e9;
            g->addData(t, p.value);
            lo = lo == 0 ? t : std::min(lo, t);
            hi = std::max(hi, t);
        }
    }
    colourGraphs(m_plot);
    m_plot->yAxis->setLabel(m_churn->isChecked() ? tr("new client sockets") : tr("client sockets"));
    if (n) {
        m_plot->xAxis->setRange(lo - 1, hi + 1);
        m_plot->rescaleAxes();
        m_plot->xAxis->setRange(m_plot->xAxis->range().lower - 1, m_plot->xAxis->range().upper + 1);
        m_plot->yAxis->setRangeLower(0);
    }
    m_plot->replot();
}

void ConnectionsView::showSnapshot(SnapshotId id) {
    int i = m_snapshot->findData(qlonglong(id.value));
    if (i < 0)
        return;
    if (m_snapshot->currentIndex() != i) {
        QSignalBlocker block(m_snapshot);
        m_snapshot->setCurrentIndex(i);
    }
    SnapshotId prev = i > 0 ? SnapshotId(m_snapshot->itemData(i - 1).toLongLong()) : SnapshotId();
    int64_t timeNs = 0;
    for (const auto& s : m_snapshots)
        if (s.id == id)
            timeNs = s.timeNs;
    // The goroutine dump nearest in time tells who serves the connections.
    SnapshotId dump;
    int64_t best = INT64_MAX;
    for (const auto& s : m_snapshots)
        if (s.kind == SnapshotKind::Goroutines && std::llabs(s.timeNs - timeNs) < best) {
            best = std::llabs(s.timeNs - timeNs);
            dump = s.id;
        }
    m_summary->setText(tr("Loading sockets…"));
    m_watcher.setFuture(QtConcurrent::run([path = m_casePath, id, prev, dump, best] {
        auto snap = std::make_shared<Snapshot>();
        snap->id = id;
        auto store = CaseStore::open(path.toStdString(), true);
        if (!store)
            return std::shared_ptr<const Snapshot>(snap);
        auto failed = [&](const Error& e) {
            snap->error = QString::fromStdString(e.toString());
            return std::shared_ptr<const Snapshot>(snap);
        };
        auto sockets = (*store)->tcpSockets(id);
        if (!sockets)
            return failed(sockets.error());
        snap->sockets = std::move(*sockets);
        if (prev) {
            auto previous = (*store)->tcpSockets(prev);
            if (!previous)
                return failed(previous.error());
            snap->previous = std::move(*previous);
        }
        if (dump) {
            int64_t read = 0, write = 0;
            QStringList groups;
            auto dumpGroups = (*store)->goroutineGroups(dump);
            if (!dumpGroups)
                return failed(dumpGroups.error());
            for (const auto& g : *dumpGroups) {
                if (g.role == GoroutineRole::HttpClientRead)
                    read += g.count;
                else if (g.role == GoroutineRole::HttpClientWrite)
                    write += g.count;
                else
                    continue;
                groups << QObject::tr("%1 × %2 [%3], created by %4")
                              .arg(g.count)
                              .arg(QString::fromStdString(g.stack.empty() ? "" : g.stack.front()),
                                   QString::fromStdString(g.state),
                                   QString::fromStdString(g.createdBy));
            }
            snap->goroutines =
                QObject::tr("The goroutine dump %1 s away has %2 net/http client read loops and %3 "
                            "write loops: one pair per open client connection.")
                    .arg(double(best) / 1e9, 0, 'f', 1)
                    .arg(read)
                    .arg(write);
            if (!groups.isEmpty())
                snap->goroutines += "\n\n" + groups.join('\n');
        }
        return std::shared_ptr<const Snapshot>(snap);
    }));
}

void ConnectionsView::setLinkCheck(const LinkCheck& check) { m_hostMenu->setLinkCheck(check); }

void ConnectionsView::selectHost(const QString& host) {
    // The table is sorted, so the host's row is found by its name, never by
    // the line's index among the graphs: the row then shows what the line is.
    for (int r = 0; r < m_hostProxy->rowCount(); ++r) {
        QModelIndex idx = m_hostProxy->index(r, Host);
        if (idx.data().toString() == host) {
            if (m_hostTable->currentIndex().row() == r)
                showHost(host);
            else
                m_hostTable->setCurrentIndex(idx);
            m_hostTable->scrollTo(idx);
            return;
        }
    }
    // A host the chart has but this snapshot does not: no row to select.
    m_hostTable->clearSelection();
    m_hostTable->setCurrentIndex({});
    showHost(host);
}

void ConnectionsView::showHost(const QString& host) {
    if (!m_current)
        return;
    std::string h = host.toStdString();
    m_sockets->clear();
    m_sockets->setHorizontalHeaderLabels({tr("FD"), tr("Local"), tr("Remote"), tr("State")});
    std::map<std::string, int> states;
    for (const auto& s : m_current->sockets) {
        if (!s.client || s.remoteAddr != h)
            continue;
        m_sockets->appendRow(
            {cell(QString::fromStdString(s.fd), QString::fromStdString(s.fd)),
             cell(QString::fromStdString(s.localAddr + ":" + std::to_string(s.localPort)),
                  QString()),
             cell(QString::fromStdString(s.remoteAddr + ":" + std::to_string(s.remotePort)),
                  QString()),
             cell(QString::fromStdString(s.state), QString::fromStdString(s.state))});
        ++states[s.state];
    }
    QStringList parts;
    for (const auto& [st, n] : states)
        parts << QStringLiteral("%1 %2").arg(n).arg(QString::fromStdString(st));
    m_serving->setPlainText(
        tr("%1: %2 client sockets (%3)\n\n%4")
            .arg(host)
            .arg(m_sockets->rowCount())
            .arg(parts.join(", "), m_current->goroutines.isEmpty()
                                       ? tr("No goroutine dump in this case tells who serves them.")
                                       : m_current->goroutines));
    m_socketTable->resizeColumnsToContents();
    emit hostShown();
}

} // namespace memscope::ui
