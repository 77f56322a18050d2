// SPDX-License-Identifier: GPL-3.0-or-later
#include "pages/compare_view.h"

#include "analysis/diff/diff.h"
#include "analysis/heapdiff/heapdiff.h"
#include "analysis/profile/calltree.h"
#include "base/format.h"
#include "models/sort_proxy.h"
#include "widgets/flame_graph.h"
#include "widgets/snapshot_picker.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <cmath>
#include <map>

namespace memscope::ui {

namespace {

constexpr int kSortRole = Qt::UserRole + 1;

QStandardItem* text(const std::string& s) {
    auto* i = new QStandardItem(QString::fromStdString(s));
    i->setData(QString::fromStdString(s), kSortRole);
    i->setEditable(false);
    return i;
}

QStandardItem* number(int64_t v, const std::string& unit, bool signedDelta = false) {
    std::string t = formatValue(std::llabs(v), unit);
    if (signedDelta)
        t = (v > 0 ? "+" : v < 0 ? "-" : "") + t;
    else if (v < 0)
        t = "-" + t;
    auto* i = new QStandardItem(QString::fromStdString(t));
    // A change ranks by its size, as pprof -diff_base does: after Swap the
    // biggest shrink comes first, not last.
    i->setData(qlonglong(signedDelta ? std::llabs(v) : v), kSortRole);
    i->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    i->setEditable(false);
    if (signedDelta && v != 0)
        i->setForeground(v > 0 ? QColor(198, 40, 40) : QColor(46, 125, 50));
    return i;
}

struct Job {
    QString path;
    SnapshotId base, now;
    SnapshotKind kind = SnapshotKind::Heap;
};

QList<QList<QStandardItem*>> computeRows(const Job& job, QStringList* headers, QString* summary,
                                         std::shared_ptr<const CallTree>* flame) {
    QList<QList<QStandardItem*>> rows;
    auto store = CaseStore::open(job.path.toStdString(), true);
    if (!store) {
        *summary = QString::fromStdString(store.error().toString());
        return rows;
    }
    CaseStore& s = **store;
    if (job.kind == SnapshotKind::Goroutines) {
        *headers = {QObject::tr("Started in"), QObject::tr("State"), QObject::tr("Base"),
                    QObject::tr("New"),        QObject::tr("Δ"),     QObject::tr("Status")};
        int64_t b = 0, n = 0;
        auto diffed = diffGoroutines(s, job.base, job.now);
        if (!diffed) {
            *summary = QString::fromStdString(diffed.error().toString());
            return rows;
        }
        for (const auto& r : *diffed) {
            rows.append({text(r.entry),
                         text(r.state + (r.role.empty() ? "" : "  <" + r.role + ">")),
                         number(r.base, "count"), number(r.now, "count"),
                         number(r.now - r.base, "count", true), text(r.status)});
            b += r.base;
            n += r.now;
        }
        *summary = QObject::tr("goroutines %1 → %2").arg(b).arg(n);
    } else if (job.kind == SnapshotKind::Fds) {
        *headers = {QObject::tr("Remote host"), QObject::tr("State"),  QObject::tr("Base"),
                    QObject::tr("New"),         QObject::tr("Opened"), QObject::tr("Closed")};
        auto diffed = diffSockets(s, job.base, job.now);
        if (!diffed) {
            *summary = QString::fromStdString(diffed.error().toString());
            return rows;
        }
        for (const auto& r : *diffed)
            rows.append({text(r.host), text(r.state.empty() ? "all" : r.state),
                         number(r.base, "count"), number(r.now, "count"), number(r.opened, "count"),
                         number(r.closed, "count")});
        *summary = QObject::tr("client TCP connections per remote host");
    } else if (job.kind == SnapshotKind::HeapDump) {
        *headers = {QObject::tr("Retained by"), QObject::tr("Kind"), QObject::tr("Base"),
                    QObject::tr("New"),         QObject::tr("Δ"),    QObject::tr("Of it new data")};
        auto diffed = diffHeapDumps(s, job.base, job.now);
        if (!diffed) {
            *summary = QString::fromStdString(diffed.error().toString());
            return rows;
        }
        // Object by object: what survived, and of each root's bytes how many are new.
        auto objects = diffHeapDumpObjects(s, job.base, job.now);
        std::map<std::pair<std::string, std::string>, uint64_t> newData;
        if (objects)
            for (const auto& g : objects->roots)
                newData[{g.kind, g.name}] = g.retainedNew();
        const auto& d = *diffed;
        for (const auto* list : {&d.roots, &d.sites})
            for (const auto& r : *list) {
                auto it = newData.find({r.kind, r.name});
                rows.append(
                    {text(r.name), text(r.kind), number(r.base, "bytes"), number(r.now, "bytes"),
                     number(r.now - r.base, "bytes", true),
                     it == newData.end() ? text("") : number(int64_t(it->second), "bytes")});
            }
        auto counted = [](const ObjectCounts& c) {
            return QObject::tr("%1 (%2)").arg(c.objects).arg(
                QString::fromStdString(formatValue(int64_t(c.bytes), "bytes")));
        };
        *summary = QObject::tr("reachable %1 → %2; finalizers queued %3 → %4")
                       .arg(QString::fromStdString(formatValue(d.reachableBytes[0], "bytes")),
                            QString::fromStdString(formatValue(d.reachableBytes[1], "bytes")))
                       .arg(d.finalizersQueued[0])
                       .arg(d.finalizersQueued[1]);
        if (objects)
            *summary += QObject::tr("\nobjects: %1 survivors, %2 new, %3 freed; %4 addresses "
                                    "hold another object (freed and new)")
                            .arg(counted(objects->survivors), counted(objects->added),
                                 counted(objects->freed))
                            .arg(objects->reused);
        else
            *summary += QObject::tr("\nobjects not compared: %1")
                            .arg(QString::fromStdString(objects.error().message));
    } else {
        auto a = s.loadProfile(job.base), b = s.loadProfile(job.now);
        if (!a || !b) {
            *summary = QString::fromStdString((!a ? a.error() : b.error()).toString());
            return rows;
        }
        std::string sample = b->sampleIndex("inuse_space") >= 0
                                 ? "inuse_space"
                                 : b->sampleTypes[size_t(b->defaultSampleIndex())].type;
        auto diffs = diffProfiles(*a, *b, sample);
        if (int ia = a->sampleIndex(sample), ib = b->sampleIndex(sample); ia >= 0 && ib >= 0)
            *flame = std::make_shared<const CallTree>(
                diffCallTrees(buildCallTree(*a, ia, ""), buildCallTree(*b, ib, "")));
        *headers = {QObject::tr("Function"), QObject::tr("Δ %"),    QObject::tr("Base flat"),
                    QObject::tr("New flat"), QObject::tr("Δ flat"), QObject::tr("Δ cum")};
        if (!diffs.empty()) {
            const auto& d = diffs[0];
            for (const auto& r : d.rows) {
                // A site with nothing of its own at either end (only callees'
                // bytes) did not change: no percentage, and it is not new.
                bool none = r.base == 0 && r.now == 0;
                double pct = none ? 0 : r.deltaPercent();
                auto* p = text(none              ? std::string()
                               : std::isnan(pct) ? std::string("new")
                                                 : std::to_string(int(std::lround(pct))) + "%");
                p->setData(std::isnan(pct) ? 1e18 : pct, kSortRole);
                rows.append({text(r.function), p, number(r.base, d.unit), number(r.now, d.unit),
                             number(r.delta(), d.unit, true),
                             number(r.nowCum - r.baseCum, d.unit, true)});
            }
            *summary = QObject::tr("%1: %2 → %3")
                           .arg(QString::fromStdString(d.sample),
                                QString::fromStdString(formatValue(d.baseTotal, d.unit)),
                                QString::fromStdString(formatValue(d.nowTotal, d.unit)));
        }
    }
    return rows;
}

} // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
    m_kind = new QComboBox(this);
    m_base = new QComboBox(this);
    m_new = new QComboBox(this);
    for (auto* c : {m_base, m_new})
        fitSnapshotPicker(c, 16);
    auto* swap = new QPushButton(tr("Swap"), this);
    auto* go = new QPushButton(tr("Compare"), this);
    m_summary = new QLabel(tr("Pick two snapshots of a kind to compare."), this);
    m_model = new QStandardItemModel(this);
    m_proxy = new RoleSortProxy(kSortRole, this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_menu = new RowLinkMenu(m_table, [this](const QModelIndex& i) { return rowLinks(i); });
    connect(m_menu, &RowLinkMenu::linkActivated, this, &CompareView::linkActivated);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Kind:"), this));
    bar->addWidget(m_kind);
    bar->addWidget(new QLabel(tr("Base:"), this));
    bar->addWidget(m_base);
    bar->addWidget(swap);
    bar->addWidget(new QLabel(tr("New:"), this));
    bar->addWidget(m_new);
    bar->addWidget(go);
    bar->addStretch(1);
    // The diff flame graph of two heap profiles, in step with the table: a
    // picked row zooms to that function's widest frame.
    m_flame = new FlameGraphView(this);
    m_flame->clear(tr("Compare two heap profiles to see their diff flame graph"));
    m_flame->setFrameLinks([this](const QString& fn) {
        RowLinks links;
        links.links = {{tr("Show in Allocation Sites"), itemLink("site", fn)},
                       {tr("Show Callers and Callees"), itemLink("site", fn, "callers")}};
        return links;
    });
    connect(m_flame, &FlameGraphView::linkActivated, this, &CompareView::linkActivated);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_flame);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->addWidget(m_table);
    m_split->addWidget(scroll);
    m_split->setSizes({620, 620});
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(4, 4, 4, 4);
    l->addLayout(bar);
    l->addWidget(m_summary);
    l->addWidget(m_split, 1);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] { fillPickers(); });
    connect(go, &QPushButton::clicked, this, [this] { run(); });
    connect(swap, &QPushButton::clicked, this, [this] {
        int a = m_base->currentIndex(), b = m_new->currentIndex();
        m_base->setCurrentIndex(b);
        m_new->setCurrentIndex(a);
        run();
    });
    connect(&m_watcher, &QFutureWatcher<QList<QList<QStandardItem*>>>::finished, this, [this] {
        m_model->clear();
        for (const auto& row : m_watcher.result())
            m_model->appendRow(row);
        m_model->setHorizontalHeaderLabels(m_headers);
        m_table->sortByColumn(4, Qt::DescendingOrder);
        m_table->resizeColumnToContents(0);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& idx) {
                if (idx.isValid() && m_flame->tree())
                    m_flame->focusFunction(
                        idx.siblingAtColumn(0).data().toString().section(" (", 0, 0));
            });
}

void CompareView::setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots) {
    m_casePath = path;
    m_snapshots = snapshots;
    QSignalBlocker block(m_kind);
    m_kind->clear();
    for (SnapshotKind kind :
         {SnapshotKind::Heap, SnapshotKind::Goroutines, SnapshotKind::Fds, SnapshotKind::HeapDump,
          SnapshotKind::Allocs, SnapshotKind::AllocsDelta})
        for (const auto& s : snapshots)
            if (s.kind == kind) {
                m_kind->addItem(QString::fromLatin1(toString(kind)), int(kind));
                break;
            }
    m_model->clear();
    m_ranOnCase = false;
    fillPickers();
    if (isVisible())
        run();
}

void CompareView::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    if (!m_ranOnCase && !m_watcher.isRunning())
        run();
}

void CompareView::fillPickers() {
    if (m_kind->currentIndex() < 0) {
        m_base->clear();
        m_new->clear();
        return;
    }
    const auto kind = SnapshotKind(m_kind->currentData().toInt());
    for (auto* c : {m_base, m_new})
        fillSnapshotPicker(c, m_snapshots, kind);
    if (m_new->count() == 0)
        return;
    // Like with like: the first and the last capture of one form. A goroutine
    // profile (debug=1, profile.proto) has no states, so against a full dump
    // every group would read as added or gone; full dumps are preferred.
    std::vector<const SnapshotInfo*> ofKind;
    for (const auto& s : m_snapshots)
        if (s.kind == kind)
            ofKind.push_back(&s);
    std::string form = ofKind.back()->format;
    if (kind == SnapshotKind::Goroutines)
        for (const auto* s : ofKind)
            if (s->format == "goroutine_text")
                form = s->format;
    // The last capture of that form, and the first of its program in that form.
    const SnapshotInfo* last = nullptr;
    for (const auto* s : ofKind)
        if (s->format == form)
            last = s;
    SnapshotId first;
    for (const auto* s : ofKind)
        if (s->format == form && s->targetId == last->targetId) {
            first = s->id;
            break;
        }
    m_base->setCurrentIndex(std::max(0, m_base->findData(qlonglong(first.value))));
    m_new->setCurrentIndex(std::max(0, m_new->findData(qlonglong(last->id.value))));
}

void CompareView::compare(SnapshotId base, SnapshotId now) {
    for (const auto& s : m_snapshots)
        if (s.id == base) {
            m_kind->setCurrentIndex(m_kind->findData(int(s.kind)));
            break;
        }
    m_base->setCurrentIndex(m_base->findData(qlonglong(base.value)));
    m_new->setCurrentIndex(m_new->findData(qlonglong(now.value)));
    run();
}

void CompareView::run() {
    if (m_base->currentIndex() < 0 || m_new->currentIndex() < 0)
        return;
    m_ranOnCase = true;
    if (m_kind->currentIndex() < 0)
        return;
    Job job{m_casePath, SnapshotId(m_base->currentData().toLongLong()),
            SnapshotId(m_new->currentData().toLongLong()),
            SnapshotKind(m_kind->currentData().toInt())};
    m_shownKind = job.kind;
    m_summary->setText(tr("Comparing…"));
    auto headers = std::make_shared<QStringList>();
    auto summary = std::make_shared<QString>();
    auto flame = std::make_shared<std::shared_ptr<const CallTree>>();
    m_watcher.setFuture(QtConcurrent::run([job, headers, summary, flame] {
        return computeRows(job, headers.get(), summary.get(), flame.get());
    }));
    // The headers and summary arrive with the rows.
    connect(
        &m_watcher, &QFutureWatcher<QList<QList<QStandardItem*>>>::finished, this,
        [this, headers, summary, flame] {
            if (*flame)
                m_flame->setTree(*flame);
            else
                m_flame->clear(tr("The diff flame graph is drawn for heap profiles"));
            m_headers = *headers;
            m_summary->setText(*summary);
            m_model->setHorizontalHeaderLabels(m_headers);
            emit compared();
        },
        Qt::SingleShotConnection);
}

void CompareView::setLinkCheck(const LinkCheck& check) {
    m_menu->setLinkCheck(check);
    m_flame->setLinkCheck(check);
}

RowLinks CompareView::rowLinks(const QModelIndex& proxyIndex) const {
    RowLinks out;
    if (!proxyIndex.isValid())
        return out;
    // A heap profile's function may carry its inline mark: "f (inline)".
    out.name = proxyIndex.siblingAtColumn(0).data().toString().section(" (", 0, 0);
    const auto kind = m_shownKind;
    if (kind == SnapshotKind::Goroutines) {
        out.links.push_back({tr("Show in Goroutines"), itemLink("group", out.name)});
    } else if (kind == SnapshotKind::Fds) {
        out.links.push_back({tr("Show in Connections"), itemLink("host", out.name)});
    } else if (kind == SnapshotKind::HeapDump) {
        if (proxyIndex.siblingAtColumn(1).data().toString() == QLatin1String("site"))
            out.links.push_back({tr("Show in Retention"), itemLink("site", out.name, "retention")});
        else
            out.links.push_back({tr("Show in Retention"), itemLink("root", out.name)});
    } else {
        out.links.push_back({tr("Show in Allocation Sites"), itemLink("site", out.name)});
    }
    return out;
}

QString CompareView::summaryText() const { return m_summary->text(); }

} // namespace memscope::ui
