// SPDX-License-Identifier: GPL-3.0-or-later
// Background jobs whose results come back to the GUI thread, the latest only.
#pragma once

#include <QFuture>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QtConcurrent>

#include <atomic>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace memscope::ui {

// What a running job may ask: whether a newer job of its tracker overtook it
// (or the window it reports to is gone), and to post something to the GUI
// thread while it is still the latest (progress).
class JobHandle {
public:
    bool superseded() const { return m_state->current.load() != m_id || !m_state->context; }
    // Runs `fn` on the GUI thread, unless a newer job started by then.
    template <typename Fn>
    void post(Fn&& fn) const {
        QMetaObject::invokeMethod(
            m_state->context.data(),
            [state = m_state, id = m_id, fn = std::forward<Fn>(fn)]() mutable {
                if (state->current.load() == id)
                    fn();
            },
            Qt::QueuedConnection);
    }

private:
    friend class JobTracker;
    struct State {
        QPointer<QObject> context;
        std::atomic<quint64> current{0};
        bool running = false; // the latest job's result has not arrived yet (GUI thread only)
    };
    JobHandle(std::shared_ptr<State> state, quint64 id) : m_state(std::move(state)), m_id(id) {}
    std::shared_ptr<State> m_state;
    quint64 m_id;
};

// One tracker per kind of request (a case's overview, a snapshot's sites, a
// call tree, ...). Starting a job supersedes the one before it: the older
// job's result is dropped when it arrives, and the newer one's is handed to
// its `then` on the GUI thread, through the context object; a result that
// arrives after the context is gone is dropped too. Jobs run on Qt's thread
// pool, take nothing from the window but copies, and return value types.
class JobTracker {
public:
    explicit JobTracker(QObject* context);
    // Waits for every job still running, the superseded ones too: they may
    // hold files of the case open.
    ~JobTracker();
    JobTracker(const JobTracker&) = delete;
    JobTracker& operator=(const JobTracker&) = delete;

    // `job` runs on the pool, called with a JobHandle when it takes one;
    // `then` gets its result on the GUI thread unless a newer job started.
    template <typename Job, typename Then>
    void start(Job&& job, Then&& then) {
        const quint64 id = ++m_state->current;
        m_state->running = true;
        JobHandle handle(m_state, id);
        prune();
        m_futures.push_back(QtConcurrent::run(
            [handle, job = std::forward<Job>(job), then = std::forward<Then>(then)]() mutable {
                auto result = [&] {
                    if constexpr (std::is_invocable_v<Job&, const JobHandle&>)
                        return job(handle);
                    else
                        return job();
                }();
                if (handle.superseded())
                    return;
                handle.post([state = handle.m_state, then = std::move(then),
                             result = std::move(result)]() mutable {
                    state->running = false;
                    then(std::move(result));
                });
            }));
    }

    // True from a start until its result is handed over (or dropped by a reset).
    bool isRunning() const { return m_state->running; }
    // Drops whatever the running jobs will return.
    void reset();
    void waitForFinished();

private:
    void prune();

    std::shared_ptr<JobHandle::State> m_state;
    std::vector<QFuture<void>> m_futures;
};

} // namespace memscope::ui
