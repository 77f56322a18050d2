// SPDX-License-Identifier: GPL-3.0-or-later
// File > Export Report: the postmortem of a case written to a file.
#pragma once

#include <QString>

namespace memscope::ui {

// Writes the report of the case at `casePath` to `path`: JSON for .json,
// Markdown with PNG charts beside it (NAME-charts/) for .md, else HTML.
// Whole or not at all; returns the reason it could not, else empty.
QString writeReport(const QString& casePath, const QString& path);

} // namespace memscope::ui
