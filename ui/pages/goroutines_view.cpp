// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/goroutines_view.h"

#include "analysis/detect/detect.h"
#include "base/format.h"
#include "import/capture_time.h"
#include "model/goroutines.h"
#include "widgets/snapshot_picker.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <map>

namespace memscope::ui {

namespace {

QString describeRole(GoroutineRole role) {
    switch (role) {
        case GoroutineRole::FinalizerIdle: return QObject::tr("finalizer goroutine, idle");
        case GoroutineRole::FinalizerRunning:
            return QObject::tr(
                "finalizer goroutine, running user code: finalizers queue behind it");
        case GoroutineRole::HttpClientRead:
        case GoroutineRole::HttpClientWrite:
            return QObject::tr("net/http client connection loop: one per open connection");
        case GoroutineRole::HttpServerConn: return QObject::tr("net/http server connection");
        case GoroutineRole::None:
        case GoroutineRole::CleanupIdle:
        case GoroutineRole::CleanupRunning: break;
    }
    return {};
}

// The group's own code: its innermost frame in a program's package, else
// its innermost frame.
QString userFrame(const std::vector<std::string>& stack) {
    for (const auto& f : stack)
        if (std::string fn = f.substr(0, f.find(' ')); isUserCode(fn))
            return QString::fromStdString(fn);
    return stack.empty() ? QString()
                         : QString::fromStdString(stack.front().substr(0, stack.front().find(' ')));
}

// The hosts a group's sockets go to, after what the cell's tooltip says.
QStandardItem* hostsTip(QStandardItem* item, const GoroutineGroupCost* cost) {
    if (!cost || cost->socketsByHost.empty())
        return item;
    QStringList hosts;
    for (const auto& h : cost->socketsByHost)
        hosts << QStringLiteral("%1 (%2)").arg(QString::fromStdString(h.name)).arg(h.count);
    QString tip = QString::fromStdString(cost->socketKind) + ": " + hosts.join(", ");
    item->setToolTip(item->toolTip().isEmpty() ? tip : item->toolTip() + "\n" + tip);
    return item;
}

} // namespace

QString GoroutinesView::costNoteOf(const Groups& result) {
    if (!result.costError.isEmpty())
        return tr("Cost columns: %1").arg(result.costError);
    if (!result.cost)
        return {};
    const auto& r = *result.cost;
    QStringList parts;
    if (r.heapDumps.empty())
        parts << tr("no heap dump, so no retained bytes");
    else
        parts << tr("retained bytes from heap dump %1 (%2)")
                     .arg(r.heapDumps.back().heapDumpId.value)
                     .arg(QString::fromStdString(r.heapDumps.back().how));
    if (r.fdSnapshotId)
        parts << tr("sockets from fd snapshot %1, %2 away, matched by number")
                     .arg(r.fdSnapshotId.value)
                     .arg(
                         QString::fromStdString(formatDuration(std::abs(double(r.fdGapNs)) / 1e9)));
    else
        parts << tr("no lsof, ss or /proc snapshot, so no sockets");
    return tr("Cost columns: %1.").arg(parts.join("; "));
}

void GoroutineFilter::setState(const QString& state) {
    m_state = state;
    invalidateFilter();
}
void GoroutineFilter::setFunction(const QString& text) {
    m_function = text;
    invalidateFilter();
}
void GoroutineFilter::setMinWait(int minutes) {
    m_minWait = minutes;
    invalidateFilter();
}

bool GoroutineFilter::filterAcceptsRow(int row, const QModelIndex& parent) const {
    auto* m = sourceModel();
    if (!m_state.isEmpty() &&
        m->index(row, GoroutinesView::State, parent).data().toString() != m_state)
        return false;
    if (m_minWait > 0 &&
        m->index(row, GoroutinesView::Wait, parent).data(GoroutinesView::kSortRole).toInt() <
            m_minWait)
        return false;
    // A function anywhere in the stack, or a label ("tenant=a").
    if (!m_function.isEmpty() &&
        !m->index(row, GoroutinesView::Function, parent)
             .data(GoroutinesView::kStackRole)
             .toString()
             .contains(m_function, Qt::CaseInsensitive) &&
        !m->index(row, GoroutinesView::Labels, parent)
             .data()
             .toString()
             .contains(m_function, Qt::CaseInsensitive))
        return false;
    return true;
}

GoroutinesView::GoroutinesView(QWidget* parent) : QWidget(parent) {
    m_snapshot = new QComboBox(this);
    fitSnapshotPicker(m_snapshot);
    m_state = new QComboBox(this);
    m_state->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_function = new QLineEdit(this);
    m_function->setPlaceholderText(tr("Function anywhere in the stack, or a label k=v"));
    m_function->setClearButtonEnabled(true);
    m_minWait = new QSpinBox(this);
    m_minWait->setRange(0, 1000000);
    m_minWait->setSuffix(tr(" min"));
    m_minWait->setToolTip(
        tr("Only groups that have waited at least this long ([N minutes] in the dump)"));
    m_summary = new QLabel(
        tr("Import a goroutine dump (debug=2, debug=1 or a goroutine profile) to see its groups"),
        this);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_model = new QStandardItemModel(this);
    m_filter = new GoroutineFilter(kSortRole, this);
    m_filter->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    setUpRowTable(m_table);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_menu = new RowLinkMenu(m_table, [this](const QModelIndex& i) { return rowLinks(i); });
    connect(m_menu, &RowLinkMenu::linkActivated, this, &GoroutinesView::linkActivated);
    m_stack = new QPlainTextEdit(this);
    m_stack->setReadOnly(true);
    m_stack->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_stack->setPlaceholderText(tr("Pick a group to see its stack"));
    m_stack->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* sites = new QPushButton(tr("Allocation sites of this code"), this);
    sites->setToolTip(tr("Open the Allocation sites tab filtered on the group's own function"));
    connect(sites, &QPushButton::clicked, this, [this] {
        if (!m_userFrame.isEmpty())
            emit sitesRequested(m_userFrame);
    });

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Dump:"), this));
    bar->addWidget(m_snapshot);
    bar->addWidget(new QLabel(tr("State:"), this));
    bar->addWidget(m_state);
    bar->addWidget(m_function, 1);
    bar->addWidget(new QLabel(tr("Waited ≥"), this));
    bar->addWidget(m_minWait);
    auto* right = new QWidget(this);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(m_stack, 1);
    rl->addWidget(sites);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(right);
    split->setSizes({760, 520});
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addLayout(bar);
    l->addWidget(m_summary);
    l->addWidget(split, 1);

    onSnapshotPicked(m_snapshot, this, [this](SnapshotId id) { showSnapshot(id); });
    connect(m_state, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setState(m_state->currentIndex() > 0 ? m_state->currentText() : QString());
    });
    connect(m_function, &QLineEdit::textChanged, m_filter, &GoroutineFilter::setFunction);
    connect(m_minWait, &QSpinBox::valueChanged, m_filter, &GoroutineFilter::setMinWait);
    // A filter that hides the picked group hides its stack too.
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &GoroutinesView::dropFilteredGroup);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &GoroutinesView::dropFilteredGroup);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &GoroutinesView::dropFilteredGroup);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& idx) { showGroup(idx); });
    connect(&m_watcher, &QFutureWatcher<Groups>::finished, this, [this] {
        auto result = m_watcher.result();
        m_model->clear();
        if (!result.error.isEmpty()) {
            m_summary->setText(result.error);
            return;
        }
        const auto& groups = result.rows;
        m_model->setHorizontalHeaderLabels({tr("Goroutines"), tr("Retained"), tr("Sockets"),
                                            tr("Growth/h"), tr("State"), tr("Wait"), tr("Role"),
                                            tr("Function"), tr("Created by"), tr("Labels")});
        m_model->horizontalHeaderItem(Retained)->setToolTip(
            tr("Heap the group's stack frames alone keep alive, in the heap dump "
               "nearest to this dump: what a global or another group also reaches "
               "is not counted"));
        m_model->horizontalHeaderItem(Sockets)->setToolTip(
            tr("Sockets the group's goroutines serve in the lsof, ss or /proc snapshot nearest to "
               "this dump, matched by number: a dump does not say which socket a goroutine "
               "serves"));
        m_model->horizontalHeaderItem(Growth)->setToolTip(
            tr("Goroutines per hour: a straight line through the group's count in every dump "
               "up to this one"));
        // The cost of each group's bucket (start function and creator; a
        // connection's read and write loops together), and how many of this
        // dump's rows share it.
        std::map<std::string, const GoroutineGroupCost*> costs;
        std::map<std::string, int> rowsOf;
        const bool haveHeap = result.cost && !result.cost->heapDumps.empty();
        const bool haveFds = result.cost && bool(result.cost->fdSnapshotId);
        if (result.cost)
            for (const auto& c : result.cost->groups)
                costs[c.key] = &c;
        for (const auto& g : groups)
            ++rowsOf[goroutineGroupKey(g)];
        QStringList states;
        int64_t total = 0;
        for (const auto& g : groups) {
            auto cell = [](const QString& text, const QVariant& sort) {
                auto* i = new QStandardItem(text);
                i->setData(sort, kSortRole);
                i->setEditable(false);
                return i;
            };
            QString wait = g.maxWait < 0            ? QString()
                           : g.minWait == g.maxWait ? tr("%1 min").arg(g.maxWait)
                                                    : tr("%1–%2 min").arg(g.minWait).arg(g.maxWait);
            QString fn = userFrame(g.stack);
            QStringList frames;
            for (const auto& f : g.stack)
                frames << QString::fromStdString(f);
            auto* count = cell(QString::number(g.count), qlonglong(g.count));
            count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            auto* function = cell(fn, fn);
            function->setData(frames.join('\n') + "\n" + QString::fromStdString(g.createdBy),
                              kStackRole);
            function->setData(qlonglong(g.index), Qt::UserRole + 3);
            QString role = describeRole(g.role);
            const std::string key = goroutineGroupKey(g);
            auto found = costs.find(key);
            const GoroutineGroupCost* cost = found == costs.end() ? nullptr : found->second;
            QStringList hosts;
            for (const auto& h : cost ? cost->socketsByHost : std::vector<NamedCount>())
                hosts << QString::fromStdString(h.name);
            function->setData(hosts, kHostsRole);
            // Groups that share a bucket (a connection's read and write loops)
            // are costed together: each row shows its share by goroutines of
            // the bucket's bytes and growth, so the rows add up; the sockets
            // are the ones the bucket serves, which each of its rows serves.
            const bool shared = cost && rowsOf[key] > 1;
            const double share = shared && cost->count > 0
                                     ? std::min(1.0, double(g.count) / double(cost->count))
                                     : 1;
            const QString together = !shared ? QString()
                                     : key.rfind(kHttpClientLoops, 0) == 0
                                         ? tr("a connection's read and write loops together")
                                         : tr("the %1 groups started in %2 by %3 together")
                                               .arg(rowsOf[key])
                                               .arg(QString::fromStdString(cost->entry),
                                                    QString::fromStdString(cost->createdBy));
            auto number = [&](bool known, const QString& text, const QVariant& sort,
                              const QString& tip = {}) {
                auto* i = cell(known ? text : tr("—"), known ? sort : QVariant(-1));
                i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                if (known && shared)
                    i->setToolTip(tip.isEmpty() ? together : tip);
                return i;
            };
            const int64_t bytes = cost ? int64_t(std::llround(double(cost->bytes) * share)) : 0;
            const int64_t sockets = cost ? cost->sockets : 0;
            const double growth = cost ? cost->growthPerHour * share : 0;
            QList<QStandardItem*> row{
                count,
                number(haveHeap, QString::fromStdString(formatValue(bytes, "bytes")),
                       qlonglong(bytes),
                       shared ? tr("This group's share, by goroutines, of the %1 that %2 retain")
                                    .arg(QString::fromStdString(formatValue(cost->bytes, "bytes")),
                                         together)
                              : QString()),
                hostsTip(number(haveFds, QString::number(sockets), qlonglong(sockets),
                                shared ? tr("The sockets %1 serve: each of its groups serves them")
                                             .arg(together)
                                       : QString()),
                         cost),
                number(cost && cost->dumps > 1,
                       (growth > 0 ? "+" : "") + QLocale().toString(growth, 'f', 0), growth,
                       shared ? tr("This group's share, by goroutines, of the %1 an hour of %2")
                                    .arg(QLocale().toString(cost->growthPerHour, 'f', 0), together)
                              : QString()),
                cell(QString::fromStdString(g.state), QString::fromStdString(g.state)),
                cell(wait, qlonglong(std::max<int64_t>(g.maxWait, 0))),
                cell(role, role),
                function,
                cell(QString::fromStdString(g.createdBy), QString::fromStdString(g.createdBy)),
                cell(QString::fromStdString(labelsText(g.labels)),
                     QString::fromStdString(labelsText(g.labels)))};
            if (!role.isEmpty())
                for (auto* i : row) {
                    i->setBackground(g.role == GoroutineRole::FinalizerRunning
                                         ? QColor(255, 214, 214)
                                         : QColor(255, 240, 205));
                    i->setForeground(QColor(20, 20, 20));
                    i->setToolTip(role);
                }
            m_model->appendRow(row);
            if (!states.contains(QString::fromStdString(g.state)))
                states << QString::fromStdString(g.state);
            total += g.count;
        }
        states.sort();
        {
            QSignalBlocker block(m_state);
            QString keep = m_state->currentText();
            m_state->clear();
            m_state->addItem(tr("all"));
            m_state->addItems(states);
            m_state->setCurrentIndex(std::max(0, m_state->findText(keep)));
        }
        m_table->sortByColumn(Count, Qt::DescendingOrder);
        m_table->resizeColumnsToContents();
        m_table->setColumnWidth(Function, std::min(m_table->columnWidth(Function), 340));
        m_table->setColumnWidth(Role, std::min(m_table->columnWidth(Role), 260));
        m_costNote = costNoteOf(result);
        m_summary->setText(
            tr("%1 goroutines in %2 groups (same functions and lines; arguments and wait times "
               "ignored). %3\n%4")
                .arg(total)
                .arg(groups.size())
                .arg(callout(), m_costNote));
        emit loaded();
    });
}

QString GoroutinesView::callout() const {
    int64_t loops = 0;
    QString fin;
    for (int r = 0; r < m_model->rowCount(); ++r) {
        QString role = m_model->index(r, Role).data().toString();
        int64_t n = m_model->index(r, Count).data(kSortRole).toLongLong();
        if (role.startsWith(tr("net/http client connection loop")))
            loops += n;
        if (role.startsWith(tr("finalizer goroutine")))
            fin = role;
    }
    QStringList parts;
    if (!fin.isEmpty())
        parts << tr("The %1.").arg(fin);
    if (loops)
        parts << tr("%1 net/http client connection goroutines (a read and a write loop per "
                    "connection).")
                     .arg(loops);
    return parts.join(' ');
}

void GoroutinesView::dropFilteredGroup() {
    if (m_shownGroup < 0)
        return;
    for (int r = 0; r < m_filter->rowCount(); ++r)
        if (m_filter->index(r, Function).data(Qt::UserRole + 3).toLongLong() == m_shownGroup)
            return;
    m_table->selectionModel()->clearSelection();
    showGroup({});
}

SnapshotId GoroutinesView::snapshotId() const {
    return SnapshotId(m_snapshot->currentIndex() >= 0 ? m_snapshot->currentData().toLongLong() : 0);
}

void GoroutinesView::setLinkCheck(const LinkCheck& check) { m_menu->setLinkCheck(check); }

RowLinks GoroutinesView::rowLinks(const QModelIndex& proxyIndex) const {
    RowLinks out;
    QModelIndex fn = m_filter->mapToSource(proxyIndex).siblingAtColumn(Function);
    if (!fn.isValid())
        return out;
    out.name = fn.data().toString();
    const QStringList hosts = fn.data(kHostsRole).toStringList();
    for (const QString& host : hosts)
        out.links.push_back(
            {tr("Show Sockets to %1 in Connections").arg(host), itemLink("host", host)});
    if (hosts.isEmpty())
        out.links.push_back({tr("Show Sockets in Connections"), {}});
    out.links.push_back({out.name.isEmpty() ? tr("Show Allocation Sites")
                                            : tr("Show Allocation Sites of %1").arg(out.name),
                         out.name.isEmpty() ? QUrl() : itemLink("site", out.name)});
    // Each function of the stack, innermost first; the last line is the creator.
    QStringList lines = fn.data(kStackRole).toString().split('\n');
    lines.removeLast();
    QStringList seen;
    for (const QString& line : lines) {
        QString function = line.section(' ', 0, 0);
        if (function.isEmpty() || seen.contains(function))
            continue;
        seen << function;
        out.links.push_back({function, itemLink("site", function), tr("Stack Functions")});
    }
    return out;
}

void GoroutinesView::showNearest(qint64 timeNs) {
    const SnapshotInfo* best = nullptr;
    for (const auto& d : m_dumps) {
        if (!best) {
            best = &d;
            continue;
        }
        int64_t a = std::llabs(d.timeNs - timeNs), b = std::llabs(best->timeNs - timeNs);
        bool full = d.format == "goroutine_text", bestFull = best->format == "goroutine_text";
        if (a < b || (a == b && full && !bestFull))
            best = &d;
    }
    if (best && best->id != snapshotId())
        showSnapshot(best->id);
}

void GoroutinesView::setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots) {
    m_casePath = path;
    m_dumps.clear();
    for (const auto& s : snapshots)
        if (s.kind == SnapshotKind::Goroutines)
            m_dumps.push_back(s);
    QSignalBlocker block(m_snapshot);
    fillSnapshotPicker(m_snapshot, snapshots, SnapshotKind::Goroutines);
    m_model->clear();
    m_stack->clear();
    if (m_snapshot->count() > 0) {
        m_snapshot->setCurrentIndex(m_snapshot->count() - 1);
        showSnapshot(snapshotId());
    }
}

void GoroutinesView::showSnapshot(SnapshotId id) {
    int i = m_snapshot->findData(qlonglong(id.value));
    if (i < 0)
        return;
    if (m_snapshot->currentIndex() != i) {
        QSignalBlocker block(m_snapshot);
        m_snapshot->setCurrentIndex(i);
    }
    m_stack->clear();
    m_shownGroup = -1;
    m_summary->setText(tr("Loading goroutine groups…"));
    m_watcher.setFuture(QtConcurrent::run([path = m_casePath, id] {
        Groups loaded;
        auto store = CaseStore::open(path.toStdString(), true);
        if (!store) {
            loaded.error = QString::fromStdString(store.error().toString());
            return loaded;
        }
        auto rows = (*store)->goroutineGroups(id);
        if (!rows) {
            loaded.error = QString::fromStdString(rows.error().toString());
            return loaded;
        }
        loaded.rows = std::move(*rows);
        // The cost columns: as of this dump, from the heap dump and the fd
        // snapshot nearest to it.
        auto sn = (*store)->snapshot(id);
        GoroutineCostOptions o;
        o.atDumpId = id;
        o.targetId = sn && *sn ? (*sn)->targetId : TargetId();
        auto cost = sn ? goroutineCost(**store, o) : Result<GoroutineCostReport>(sn.error());
        if (cost)
            loaded.cost = std::move(*cost);
        else
            loaded.costError = QString::fromStdString(cost.error().toString());
        return loaded;
    }));
}

void GoroutinesView::showGroup(const QModelIndex& proxyIndex) {
    if (!proxyIndex.isValid()) {
        m_stack->clear();
        m_userFrame.clear();
        m_shownGroup = -1;
        return;
    }
    QModelIndex fn = m_filter->mapToSource(proxyIndex).siblingAtColumn(Function);
    m_shownGroup = fn.data(Qt::UserRole + 3).toLongLong();
    m_userFrame = fn.data().toString();
    QString role = fn.siblingAtColumn(Role).data().toString();
    QString text = tr("%1 goroutines, %2 %3\n\n")
                       .arg(fn.siblingAtColumn(Count).data().toString(),
                            fn.siblingAtColumn(State).data().toString(),
                            fn.siblingAtColumn(Wait).data().toString());
    if (!role.isEmpty())
        text += role + "\n\n";
    QString stack = fn.data(kStackRole).toString();
    QString created = stack.section('\n', -1);
    text += stack.section('\n', 0, -2);
    if (!created.isEmpty())
        text += tr("\ncreated by %1").arg(created);
    // Which goroutines: the first ids of the group.
    if (auto store = CaseStore::open(m_casePath.toStdString(), true)) {
        auto read =
            (*store)->goroutineMembers(snapshotId(), fn.data(Qt::UserRole + 3).toLongLong());
        if (!read)
            text += "\n\n" + QString::fromStdString(read.error().toString());
        const auto members = read ? std::move(*read) : std::vector<GoroutineRecord>();
        QStringList ids;
        for (size_t i = 0; i < members.size() && i < 40; ++i)
            ids << QString::number(members[i].id);
        if (!ids.isEmpty())
            text += tr("\n\ngoroutines %1%2")
                        .arg(ids.join(", "), members.size() > 40 ? tr(", …") : QString());
    }
    m_stack->setPlainText(text);
}

} // namespace memscope::ui
