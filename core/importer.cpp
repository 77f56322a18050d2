// SPDX-License-Identifier: GPL-3.0-or-later
#include "importer.h"

#include "builtin_importers.h"

#include <dlfcn.h>
#include <filesystem>

namespace memscope {

ImporterRegistry::ImporterRegistry() { registerBuiltinImporters(*this); }

ImporterRegistry& ImporterRegistry::instance() {
    static ImporterRegistry registry;
    return registry;
}

void ImporterRegistry::add(std::unique_ptr<Importer> importer) {
    for (const auto& have : m_importers)
        if (have->format() == importer->format())
            return; // first one wins: built-ins before plugins
    m_importers.push_back(std::move(importer));
}

Importer* ImporterRegistry::detect(std::string_view head) const {
    Importer* best = nullptr;
    int bestScore = 0;
    for (const auto& imp : m_importers) {
        int score = imp->sniff(head);
        if (score > bestScore) {
            best = imp.get();
            bestScore = score;
        }
    }
    return best;
}

std::vector<std::string> ImporterRegistry::loadPlugins(const std::vector<std::string>& folders) {
    std::vector<std::string> log;
    namespace fs = std::filesystem;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec))
            continue;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            const auto path = entry.path();
            if (path.extension() != ".so")
                continue;
            void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!handle) {
                log.push_back(path.string() + ": " + dlerror());
                continue;
            }
            auto create =
                reinterpret_cast<CreateImporterFn>(dlsym(handle, "memscope_create_importer"));
            Importer* imp = create ? create(kImporterAbi) : nullptr;
            if (!imp) {
                log.push_back(path.string() + ": not a memscope importer for ABI " +
                              std::to_string(kImporterAbi));
                dlclose(handle);
                continue;
            }
            log.push_back(path.string() + ": loaded importer " + imp->format());
            add(std::unique_ptr<Importer>(imp));
            m_handles.push_back(handle);
        }
    }
    return log;
}

} // namespace memscope
