// SPDX-License-Identifier: GPL-3.0-or-later
// Importer plugins: found in $MEMSCOPE_PLUGIN_PATH, beside the executable
// (build tree or install) and in the user's data folder, loaded once.
#include "cli/plugins.h"
#include "cli/common.h"

#include "import/importer.h"

#include <cstdlib>
#include <filesystem>

#ifndef MEMSCOPE_LIBDIR
#define MEMSCOPE_LIBDIR "lib"
#endif

namespace fs = std::filesystem;

namespace memscope::cli {

std::string exeDir(const std::string& argv0) {
    std::error_code ec;
    auto self = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        self = fs::absolute(argv0, ec);
    return self.parent_path().string();
}

namespace {

std::vector<std::string> loadPlugins(const std::string& argv0) {
    std::vector<std::string> folders;
    if (const char* env = std::getenv("MEMSCOPE_PLUGIN_PATH")) {
        std::string all = env;
        size_t pos = 0;
        while (pos <= all.size()) {
            size_t colon = all.find(':', pos);
            folders.push_back(all.substr(pos, colon == std::string::npos ? colon : colon - pos));
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
    }
    fs::path exe = exeDir(argv0);
    folders.push_back((exe / "../plugins").string());                                // build tree
    folders.push_back((exe / ".." / MEMSCOPE_LIBDIR / "memscope/plugins").string()); // install
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        folders.push_back((fs::path(x) / "memscope/plugins").string());
    else if (const char* h = std::getenv("HOME"); h && *h)
        folders.push_back((fs::path(h) / ".local/share/memscope/plugins").string());
    return ImporterRegistry::instance().loadPlugins(folders);
}

} // namespace

const std::vector<std::string>& pluginLog(const std::string& argv0) {
    static const std::vector<std::string> log = loadPlugins(argv0);
    return log;
}

} // namespace memscope::cli
