// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace memscope::cli {

// Runs a subcommand when argv names one; nullopt when it is for the GUI.
std::optional<int> run(const std::vector<std::string>& args);

// The bundled demo case, built from the shipped captures on first use.
// Returns the path, or an error message in `error`.
std::string demoCasePath(const std::string& argv0, std::string& error);

// True when there is no display to open a window on.
bool headless();

std::string usage();

} // namespace memscope::cli
