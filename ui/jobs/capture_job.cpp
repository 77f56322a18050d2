// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/capture_job.h"

#include "io/http_get.h"
#include "store/case_store.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include <chrono>
#include <thread>

namespace memscope::ui {

CaptureDialog::CaptureDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Capture from Service"));
    QSettings s;
    auto* form = new QFormLayout(this);
    m_url = new QLineEdit(s.value("capture/url", "http://localhost:6060").toString(), this);
    m_url->setToolTip(tr("The service's debug server: net/http/pprof, /debug/vars, /metrics"));
    form->addRow(tr("Service &URL:"), m_url);
    m_pid = new QSpinBox(this);
    m_pid->setRange(0, 1 << 30);
    m_pid->setSpecialValueText(tr("elsewhere (no /proc)"));
    m_pid->setToolTip(tr("The process id when the service runs on this machine: its /proc "
                         "files (RSS, descriptors, sockets) are read too"));
    form->addRow(tr("&Process on this machine:"), m_pid);
    m_every = new QSpinBox(this);
    m_every->setRange(1, 3600);
    m_every->setSuffix(tr(" s"));
    m_every->setValue(s.value("capture/every", 10).toInt());
    form->addRow(tr("A round &every:"), m_every);
    m_minutes = new QSpinBox(this);
    m_minutes->setRange(0, 24 * 60);
    m_minutes->setSuffix(tr(" min"));
    m_minutes->setSpecialValueText(tr("until stopped"));
    m_minutes->setValue(s.value("capture/minutes", 0).toInt());
    form->addRow(tr("&For:"), m_minutes);
    m_heapdumpEvery = new QSpinBox(this);
    m_heapdumpEvery->setRange(0, 1000);
    m_heapdumpEvery->setSpecialValueText(tr("never"));
    m_heapdumpEvery->setPrefix(tr("every "));
    m_heapdumpEvery->setSuffix(tr(" rounds"));
    m_heapdumpEvery->setToolTip(tr("Asks the service's /debug/heapdump (see the README for the "
                                   "lines a service needs); a heap dump stops the world"));
    form->addRow(tr("&Heap dump:"), m_heapdumpEvery);
    m_target = new QLineEdit(this);
    m_target->setPlaceholderText(tr("from the captures"));
    form->addRow(tr("Program &name:"), m_target);
    auto* note = new QLabel(tr("Each round is written whole. Stop (the status bar's Cancel) ends "
                               "after the round in progress."),
                            this);
    note->setWordWrap(true);
    form->addRow(note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        QSettings s;
        s.setValue("capture/url", m_url->text());
        s.setValue("capture/every", m_every->value());
        s.setValue("capture/minutes", m_minutes->value());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

CaptureRequest CaptureDialog::request() const {
    CaptureRequest r;
    r.options.url = m_url->text().trimmed().toStdString();
    if (m_pid->value() > 0)
        r.options.pid = m_pid->value();
    r.options.everyNs = int64_t(m_every->value()) * 1'000'000'000;
    r.options.heapdumpEvery = m_heapdumpEvery->value();
    r.options.target = m_target->text().trimmed().toStdString();
    r.forNs = int64_t(m_minutes->value()) * 60'000'000'000;
    return r;
}

CaptureReport runCapture(const QString& casePath, const CaptureRequest& request,
                         std::stop_token stop,
                         const std::function<void(int, quint64, const QString&)>& afterRound) {
    CaptureReport out;
    auto store = CaseStore::open(casePath.toStdString());
    if (!store) {
        out.error =
            QString::fromStdString(store.error().withFile(casePath.toStdString()).toString());
        return out;
    }
    CaptureSession session(**store, request.options);
    const int64_t start = monotonicNs();
    quint64 bytes = 0;
    auto stopped = [&] { return stop.stop_requested(); };
    for (;;) {
        const int64_t roundStart = monotonicNs();
        auto report = session.round(roundStart + request.options.everyNs, stopped);
        if (!report) {
            out.error = QString::fromStdString(report.error().toString());
            break;
        }
        ++out.rounds;
        out.snapshots += report->snapshots;
        bytes += report->bytes;
        for (const auto& w : report->warnings)
            out.warnings
                << QString("round %1: %2").arg(report->round).arg(QString::fromStdString(w));
        afterRound(report->round, bytes,
                   report->warnings.empty() ? QString()
                                            : QString::fromStdString(report->warnings.back()));
        auto over = [&] { return request.forNs > 0 && monotonicNs() - start >= request.forNs; };
        while (!stopped() && !over() && monotonicNs() < roundStart + request.options.everyNs)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (stopped() || over())
            break;
    }
    // A dump still downloading gets as long as another round would have had,
    // unless the user stopped the capture.
    if (!session.inFlight().empty()) {
        auto last =
            session.finish(stopped() ? 0 : monotonicNs() + request.options.everyNs, stopped);
        if (last) {
            out.snapshots += last->snapshots;
            bytes += last->bytes;
            for (const auto& w : last->warnings)
                out.warnings << QString("after round %1: %2")
                                    .arg(last->round)
                                    .arg(QString::fromStdString(w));
            afterRound(last->round, bytes, QString());
        } else if (out.error.isEmpty()) {
            out.error = QString::fromStdString(last.error().toString());
        }
    }
    out.stopped = stop.stop_requested();
    return out;
}

} // namespace memscope::ui
