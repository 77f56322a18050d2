// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

namespace memscope::cli {

// Loads the importer plugins on the first call (argv0 locates the build tree's
// or the install's plugin folder) and returns what loading said, a line per
// plugin; later calls return the same lines.
const std::vector<std::string>& pluginLog(const std::string& argv0);

} // namespace memscope::cli
