// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/import_job.h"

#include "import/import_batch.h"
#include "io/input.h"
#include "store/case_store.h"

#include <QElapsedTimer>
#include <QObject>

namespace memscope::ui {

ImportedFile describeOutcome(const ImportOutcome& o) {
    ImportedFile f;
    f.path = QString::fromStdString(o.path);
    QStringList warnings;
    for (const auto& w : o.warnings)
        warnings << QObject::tr("warning: %1").arg(QString::fromStdString(w));
    switch (o.status) {
        case ImportStatus::Imported:
            f.outcome = warnings.isEmpty()
                            ? QObject::tr("imported")
                            : QObject::tr("imported, %n warning(s)", nullptr, int(warnings.size()));
            f.detail =
                QObject::tr("%1, %n snapshot(s), time from %2", nullptr, int(o.snapshotIds.size()))
                    .arg(QString::fromStdString(o.format), QString::fromStdString(o.timeSource));
            break;
        case ImportStatus::Duplicate:
            f.outcome = QObject::tr("duplicate");
            f.detail = QObject::tr("already in the case");
            break;
        case ImportStatus::Skipped:
            f.outcome = QObject::tr("skipped");
            f.detail = o.error ? QString::fromStdString(o.error->message) : QString();
            break;
        case ImportStatus::Failed: {
            bool cancelled = o.error && o.error->code == ErrorCode::Cancelled;
            f.outcome = cancelled ? QObject::tr("cancelled") : QObject::tr("failed");
            f.detail = o.error ? QString::fromStdString(o.error->toString()) : QString();
            f.failed = !cancelled;
            break;
        }
    }
    if (!warnings.isEmpty()) {
        f.detail += "; " + warnings.join("; ");
        f.warned = true;
    }
    return f;
}

ImportReport runImport(const QString& casePath, const std::vector<std::string>& paths,
                       std::stop_token stop,
                       const std::function<void(int perMille, const QString& what)>& progress) {
    ImportReport report;
    auto store = CaseStore::open(casePath.toStdString());
    if (!store) {
        report.failed = 1;
        report.problems << QString::fromStdString(store.error().toString());
        return report;
    }
    std::vector<std::string> files, missing;
    listFiles(paths, files, missing);
    for (const auto& m : missing) {
        ++report.failed;
        report.problems << QObject::tr("%1: no such file or folder").arg(QString::fromStdString(m));
        report.files.append({QString::fromStdString(m), QObject::tr("not found"),
                             QObject::tr("no such file or folder"), true, false});
    }
    Progress batchProgress;
    batchProgress.stop = stop;
    // The status bar cannot show more: a value that did not grow, or one
    // within 40 ms of the last shown, is left out (the end always shows).
    int shown = 0;
    QElapsedTimer sinceShown;
    batchProgress.report = [&](uint64_t done, uint64_t total, const std::string& what) {
        int v = total ? int(1000 * double(done) / double(total)) : 0;
        bool end = v == 1000;
        if (v <= shown && !end)
            return;
        shown = v;
        if (sinceShown.isValid() && !end && sinceShown.elapsed() < 1000 / 25)
            return;
        sinceShown.start();
        progress(v, QString::fromStdString(what));
    };
    BatchSummary sum = importBatch(**store, files, ImportOptions{}, batchProgress);
    report.imported = sum.imported;
    report.duplicate = sum.duplicate;
    report.skipped = sum.skipped;
    report.failed += sum.failed;
    report.cancelled = sum.cancelled || stop.stop_requested();
    for (const auto& o : sum.outcomes) {
        if (o.status == ImportStatus::Failed && o.error && o.error->code != ErrorCode::Cancelled)
            report.problems << QString::fromStdString(o.error->toString());
        report.files.append(describeOutcome(o));
    }
    return report;
}

} // namespace memscope::ui
