// SPDX-License-Identifier: GPL-3.0-or-later
// `memscope formats`: the capture formats this build reads, plugins included.
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/plugins.h"

#include "import/importer.h"

#include <iostream>

namespace memscope::cli {

int cmdFormats(const std::vector<std::string>& argv) {
    // Loaded before any command ran; this is the log of that.
    const std::vector<std::string>& pluginLog = cli::pluginLog(argv.empty() ? "" : argv[0]);
    std::cout << "memscope reads (by content, gzip and zstd transparently):\n";
    for (const auto& imp : ImporterRegistry::instance().importers())
        std::cout << "  " << imp->format()
                  << std::string(imp->format().size() < 16 ? 16 - imp->format().size() : 1, ' ')
                  << imp->description() << "\n";
    if (!pluginLog.empty()) {
        std::cout << "\nplugins:\n";
        for (const auto& l : pluginLog)
            std::cout << "  " << l << "\n";
    }
    return kOk;
}

} // namespace memscope::cli
