// SPDX-License-Identifier: GPL-3.0-or-later
// Notices another process (or another CaseStore) writing the open case.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace memscope {
class CaseStore;
}

namespace memscope::ui {

// Keeps a read-only connection to the case and polls SQLite's data_version,
// which moves when any other connection commits: a CLI import, another window,
// the window's own note writer. changed() fires once per move past the version
// last synced; the window reloads and syncs again.
class CaseWatch : public QObject {
    Q_OBJECT
public:
    explicit CaseWatch(QObject* parent = nullptr, int intervalMs = 1000);
    ~CaseWatch() override;
    // Watches a case (none: an empty path); the case watched already is kept.
    void watch(const QString& path);
    // What the case holds now is what the window shows: later commits are news.
    void sync();

signals:
    void changed();

private:
    void poll();
    std::unique_ptr<CaseStore> m_store;
    QTimer* m_timer = nullptr;
    QString m_path;
    int64_t m_seen = -1;
};

} // namespace memscope::ui
