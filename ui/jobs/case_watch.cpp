// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/case_watch.h"

#include "store/case_store.h"

#include <QTimer>

namespace memscope::ui {

CaseWatch::CaseWatch(QObject* parent, int intervalMs) : QObject(parent), m_timer(new QTimer(this)) {
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &CaseWatch::poll);
}

CaseWatch::~CaseWatch() = default;

void CaseWatch::watch(const QString& path) {
    if (path == m_path && m_store)
        return;
    m_timer->stop();
    m_path.clear();
    m_store.reset();
    m_seen = -1;
    if (path.isEmpty())
        return;
    // Writable where the window may write: a read-only reader of a case with
    // no -wal open opens it as immutable, and would never see a commit. A case
    // the window cannot write is watched read-only.
    auto store = CaseStore::open(path.toStdString());
    if (!store)
        store = CaseStore::open(path.toStdString(), /*readOnly=*/true);
    if (!store)
        return; // the window's own load says why
    m_path = path;
    m_store = std::move(*store);
    sync();
    m_timer->start();
}

void CaseWatch::sync() {
    if (!m_store)
        return;
    if (auto v = m_store->dataVersion())
        m_seen = *v;
}

void CaseWatch::poll() {
    if (!m_store)
        return;
    // A failed read (the case locked for a moment) is tried again next time.
    auto v = m_store->dataVersion();
    if (!v || *v == m_seen)
        return;
    m_seen = *v;
    emit changed();
}

} // namespace memscope::ui
