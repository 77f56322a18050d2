// SPDX-License-Identifier: GPL-3.0-or-later
#include "shell/gui_api.h"

#include "export/chart_export.h"
#include "shell/workbench.h"

namespace {

int runWorkbench(int argc, char** argv, const std::string& casePath) {
    static int keptArgc; // QApplication keeps a reference to it
    keptArgc = argc;
    return memscope::ui::runWorkbench(keptArgc, argv, QString::fromStdString(casePath));
}

std::string saveChart(const memscope::ChartSpec& chart, const std::string& path) {
    memscope::ui::ensureApplication();
    return memscope::ui::saveChart(chart, QString::fromStdString(path)).toStdString();
}

std::string saveFlameGraph(const memscope::CallTree& tree, const std::string& title,
                           const std::string& path) {
    memscope::ui::ensureApplication();
    return memscope::ui::saveFlameGraph(tree, QString::fromStdString(title),
                                        QString::fromStdString(path))
        .toStdString();
}

const memscope::gui::Api kApi{memscope::gui::kApiVersion, runWorkbench, saveChart, saveFlameGraph};

} // namespace

extern "C" __attribute__((visibility("default"))) const memscope::gui::Api* memscope_gui_api() {
    return &kApi;
}
