// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "analysis/heapdiff/heapdiff.h"
#include "formats/heapdump/heapdump.h"
#include "store/case_store.h"
#include "widgets/item_links.h"

#include <QAbstractItemModel>
#include <QFutureWatcher>
#include <QHash>
#include <QWidget>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTextBrowser;
class QTreeView;
class QSortFilterProxyModel;

namespace memscope::ui {

// What the Retention view shows for one heap dump, loaded off the GUI thread.
struct RetentionData {
    SnapshotId snapshotId;
    QString error;
    std::shared_ptr<const StoredHeapGraph> graph;
    std::vector<CaseStore::HeapSiteRow> sites; // by bucket index
    std::vector<CaseStore::HeapRootSiteRow> rootSites;
    CaseStore::HeapDumpInfo info;
    // Dominator-tree children of every node, largest retained first.
    std::vector<uint32_t> childStart, children, rowInParent;
    // Against an earlier heap dump of the same program: which objects
    // survived, and per node the retained bytes that are survivors. Null
    // without one; diffError says why when the pair was refused.
    SnapshotId baseId;
    QString baseLabel, diffError;
    std::shared_ptr<const HeapObjectDiff> diff;
};
// The dump a Retention view compares with: the previous heap dump of the
// same program, none, or a snapshot's id (> 0).
constexpr qint64 kPreviousDump = -1;
constexpr qint64 kNoDump = 0;
RetentionData loadRetention(const QString& casePath, SnapshotId snapshotId,
                            qint64 baseRequest = kPreviousDump);

// The dominator tree, lazily: Qt asks only for the rows it shows, so millions
// of nodes cost nothing until expanded.
class DominatorModel : public QAbstractItemModel {
    Q_OBJECT
public:
    // Since: of what a node retains, the bytes that survived from the dump
    // compared with and the bytes new since (shown next to Percent).
    enum Column { Name, Shallow, Retained, Percent, Site, Since, ColumnCount };
    explicit DominatorModel(QObject* parent = nullptr);
    void setData(std::shared_ptr<const RetentionData> data);
    // Tints rows by how much of what they retain is new (orange) or kept (blue).
    void setColourByAge(bool on);
    bool colourByAge() const { return m_colourByAge; }
    // Bytes a node retains that survived from the compared dump; 0 without one.
    uint64_t survivorBytes(uint32_t node) const;
    uint32_t nodeOf(const QModelIndex& index) const {
        return index.isValid() ? uint32_t(index.internalId()) : 0;
    }
    QModelIndex indexOfNode(uint32_t node) const;
    QString nodeName(uint32_t node) const;
    // The function that allocated an object; for a root, that of the largest
    // object it keeps. Empty when the dump does not say.
    QString siteFunction(uint32_t node) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& = {}) const override { return ColumnCount; }
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::shared_ptr<const RetentionData> m_data;
    bool m_colourByAge = false;
};

// Roots on the left, allocation sites on the right, bands as wide as the bytes
// each root keeps of each site. Click a root or a site to follow it.
class RetentionGraph : public QWidget {
    Q_OBJECT
public:
    explicit RetentionGraph(QWidget* parent = nullptr);
    void setData(std::shared_ptr<const RetentionData> data);
    QSize sizeHint() const override { return {520, 300}; }
    int rootCount() const { return int(m_roots.size()); }
    int siteCount() const { return int(m_sites.size()); }

signals:
    void rootClicked(qint64 rootIndex);
    void siteClicked(qint64 bucket);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    bool event(QEvent* e) override; // tooltips: a box's name and bytes

private:
    struct Box {
        qint64 id = 0;
        QString label;
        double bytes = 0;
        QRectF rect;
    };
    void layoutBoxes();
    std::shared_ptr<const RetentionData> m_data;
    std::vector<Box> m_roots, m_sites;
    struct Band {
        int root, site;
        double bytes;
    };
    std::vector<Band> m_bands;
};

class RetentionView : public QWidget {
    Q_OBJECT
public:
    explicit RetentionView(QWidget* parent = nullptr);
    void setCase(const QString& path, const std::vector<SnapshotInfo>& snapshots);
    void showSnapshot(SnapshotId snapshotId);
    // The dump to compare with: kPreviousDump, kNoDump or a snapshot id.
    void setBaseDump(qint64 baseRequest);
    QCheckBox* colourByAgeBox() const { return m_colour; }
    QString summaryText() const;
    QTreeView* tree() const { return m_tree; }
    DominatorModel* model() const { return m_model; }
    RetentionGraph* graph() const { return m_graph; }
    QString pathText() const;
    // Shows the shortest chains from roots to a node's object.
    void showPaths(uint32_t node);
    // Whether the dump shown has a live object allocated by the function.
    bool hasSite(const QString& function) const;
    // Selects the largest live object the function allocated.
    bool selectSite(const QString& function);
    // Whether a row menu's link can be followed (the navigator's check).
    void setLinkCheck(const LinkCheck& check);

signals:
    void loaded();
    // A row's menu asked to show its site in another view.
    void linkActivated(const QUrl& link);

private:
    void selectNode(uint32_t node);
    // The largest live object of each allocating function, of the dump shown.
    QHash<QString, uint32_t> m_siteNodes;
    RowLinkMenu* m_menu = nullptr;
    QString m_casePath;
    QComboBox* m_snapshot = nullptr;
    QComboBox* m_base = nullptr;
    QCheckBox* m_colour = nullptr;
    QLabel* m_summary = nullptr;
    QLineEdit* m_filter = nullptr;
    QTreeView* m_tree = nullptr;
    DominatorModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    RetentionGraph* m_graph = nullptr;
    QTextBrowser* m_paths = nullptr;
    std::shared_ptr<const RetentionData> m_data;
    QFutureWatcher<RetentionData> m_watcher;
    std::vector<SnapshotInfo> m_dumps;
};

} // namespace memscope::ui
