// SPDX-License-Identifier: GPL-3.0-or-later
// File ▸ Capture from Service…: the dialog that asks where and how often, and
// the job that runs the rounds (core's CaptureSession) off the GUI thread.
#pragma once

#include "capture/capture.h"

#include <QDialog>
#include <QString>
#include <QStringList>

#include <functional>
#include <stop_token>

class QLineEdit;
class QSpinBox;

namespace memscope::ui {

struct CaptureRequest {
    CaptureOptions options;
    int64_t forNs = 0; // 0: until stopped
};

class CaptureDialog : public QDialog {
    Q_OBJECT
public:
    explicit CaptureDialog(QWidget* parent = nullptr);
    CaptureRequest request() const;

private:
    QLineEdit* m_url;
    QSpinBox* m_pid;
    QSpinBox* m_every;
    QSpinBox* m_minutes;
    QSpinBox* m_heapdumpEvery;
    QLineEdit* m_target;
};

struct CaptureReport {
    int rounds = 0, snapshots = 0;
    bool stopped = false;
    QString error;        // the round that could not be written, if one
    QStringList warnings; // every round's, in order
};

// Runs rounds into the case at `casePath` until the request's time is up or
// `stop` is requested (the round in progress is cut short and written whole).
// `afterRound` hears each round's number, bytes so far and last warning.
CaptureReport
runCapture(const QString& casePath, const CaptureRequest& request, std::stop_token stop,
           const std::function<void(int round, quint64 bytes, const QString& last)>& afterRound);

} // namespace memscope::ui
