// SPDX-License-Identifier: GPL-3.0-or-later
// The subcommands, one file each. Each takes the whole argv (argv[1] is the
// command's name) and returns the exit status, having said why on failure.
#pragma once

#include <string>
#include <vector>

namespace memscope::cli {

int cmdImport(const std::vector<std::string>& argv);
int cmdInfo(const std::vector<std::string>& argv);
int cmdTop(const std::vector<std::string>& argv);
int cmdGoroutines(const std::vector<std::string>& argv);
int cmdDiff(const std::vector<std::string>& argv);
int cmdAnnotate(const std::vector<std::string>& argv);
int cmdAnnotations(const std::vector<std::string>& argv);
int cmdExportChart(const std::vector<std::string>& argv);
int cmdFindings(const std::vector<std::string>& argv);
int cmdForecast(const std::vector<std::string>& argv);
int cmdRetention(const std::vector<std::string>& argv);
int cmdPaths(const std::vector<std::string>& argv);
int cmdReport(const std::vector<std::string>& argv);
int cmdFormats(const std::vector<std::string>& argv);
int cmdCapture(const std::vector<std::string>& argv);
int cmdRss(const std::vector<std::string>& argv);
int cmdSeries(const std::vector<std::string>& argv);

// `memscope --demo` without a display: the demo case's report on stdout.
int printDemoReport(const std::vector<std::string>& argv);

} // namespace memscope::cli
