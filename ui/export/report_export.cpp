// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/report_export.h"

#include "export/chart_export.h"
#include "io/output_file.h"
#include "report/report.h"
#include "store/case_store.h"

#include <QDir>
#include <QFileInfo>

namespace memscope::ui {

QString writeReport(const QString& casePath, const QString& path) {
    auto store = CaseStore::open(casePath.toStdString(), true);
    if (!store)
        return QString::fromStdString(store.error().toString());
    Result<std::string> text = std::string();
    if (path.endsWith(".json")) {
        text = reportJson(**store);
    } else if (path.endsWith(".md")) {
        ReportOptions opts;
        QFileInfo info(path);
        QString folder = info.completeBaseName() + "-charts";
        QDir(info.absolutePath()).mkpath(folder);
        opts.chartFile = [&](const ChartSpec& chart, const std::string& stem) -> std::string {
            QString rel = folder + "/" + QString::fromStdString(stem) + ".png";
            return saveChartPng(chart, info.absolutePath() + "/" + rel) ? rel.toStdString()
                                                                        : std::string();
        };
        text = reportMarkdown(**store, opts);
    } else {
        text = reportHtml(**store);
    }
    if (!text)
        return QString::fromStdString(text.error().toString());
    // Whole or not at all: a full disk is said, not a cut file behind "Wrote".
    if (auto st = writeOutputFile(path.toStdString(), *text); !st)
        return QString::fromStdString(st.error().toString());
    return {};
}

} // namespace memscope::ui
