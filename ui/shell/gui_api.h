// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The workbench, and the chart drawing that needs Qt, are a module that the
// memscope executable loads only when it needs them: a subcommand such as
// `import` starts without loading Qt. This header is the whole interface and
// names no Qt type. The module takes the core's code from the executable.

#include "analysis/profile/calltree.h"
#include "report/chart_svg.h"

#include <string>

namespace memscope::gui {

constexpr int kApiVersion = 1;

struct Api {
    int version; // kApiVersion of the module's build
    // The workbench's event loop, on `casePath` when not empty.
    int (*runWorkbench)(int argc, char** argv, const std::string& casePath);
    // By the file's extension (.png, .pdf, .svg): an error message, or empty.
    std::string (*saveChart)(const ChartSpec& chart, const std::string& path);
    std::string (*saveFlameGraph)(const CallTree& tree, const std::string& title,
                                  const std::string& path);
};

} // namespace memscope::gui

extern "C" const memscope::gui::Api* memscope_gui_api();
