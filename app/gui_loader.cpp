// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui_loader.h"

#include "cli/common.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#ifndef MEMSCOPE_LIBDIR
#define MEMSCOPE_LIBDIR "lib"
#endif

namespace fs = std::filesystem;

namespace memscope::cli {

namespace {

constexpr const char* kModuleName = "memscope_gui.so";

const gui::Api* load(std::string& error) {
#ifndef MEMSCOPE_HAVE_GUI
    error = "this build of memscope has no workbench";
    return nullptr;
#else
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("MEMSCOPE_GUI_MODULE"); env && *env)
        candidates.emplace_back(env);
    std::error_code ec;
    fs::path exe = exeDir();
    candidates.push_back(exe / "../lib/memscope" / kModuleName);                   // build tree
    candidates.push_back(exe / ".." / MEMSCOPE_LIBDIR / "memscope" / kModuleName); // install
    std::string tried;
    for (const auto& path : candidates) {
        if (!fs::exists(path, ec)) {
            std::string name = path.lexically_normal().string();
            if (tried.find(name) == std::string::npos)
                tried += (tried.empty() ? "" : ", ") + name;
            continue;
        }
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            error = "cannot load the workbench module: " + std::string(why ? why : path.string());
            return nullptr;
        }
        using Entry = const gui::Api* (*)();
        auto entry = reinterpret_cast<Entry>(dlsym(handle, "memscope_gui_api"));
        const gui::Api* api = entry ? entry() : nullptr;
        if (!api || api->version != gui::kApiVersion) {
            error = path.string() + ": not the workbench module of this memscope";
            return nullptr;
        }
        return api;
    }
    error = "the workbench module is not installed (looked for " + tried + ")";
    return nullptr;
#endif
}

} // namespace

const gui::Api* guiApi(std::string& error) {
    static std::string loadError;
    static const gui::Api* api = load(loadError);
    error = loadError;
    return api;
}

} // namespace memscope::cli
