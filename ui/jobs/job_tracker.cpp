// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/job_tracker.h"

#include <algorithm>

namespace memscope::ui {

JobTracker::JobTracker(QObject* context) : m_state(std::make_shared<JobHandle::State>()) {
    m_state->context = context;
}

JobTracker::~JobTracker() {
    reset();
    waitForFinished();
}

void JobTracker::reset() {
    ++m_state->current;
    m_state->running = false;
}

void JobTracker::waitForFinished() {
    for (auto& f : m_futures)
        f.waitForFinished();
    m_futures.clear();
}

void JobTracker::prune() {
    m_futures.erase(std::remove_if(m_futures.begin(), m_futures.end(),
                                   [](const QFuture<void>& f) { return f.isFinished(); }),
                    m_futures.end());
}

} // namespace memscope::ui
