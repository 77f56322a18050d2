// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace memscope::ui {

// Runs the workbench event loop; opens `casePath` when given.
int runWorkbench(int& argc, char** argv, const QString& casePath);

} // namespace memscope::ui
