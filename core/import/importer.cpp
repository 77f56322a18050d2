// SPDX-License-Identifier: GPL-3.0-or-later
#include "import/importer.h"

#include "base/json_reader.h"
#include "import/builtin_importers.h"

#include <fstream>
#include <sstream>

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
            // The manifest beside the module says which ABI it was built for;
            // a module without one, or for another ABI, is never loaded.
            auto manifest = path;
            manifest.replace_extension(".json");
            std::ifstream in(manifest, std::ios::binary);
            if (!in) {
                log.push_back(path.string() + ": skipped, no manifest " +
                              manifest.filename().string());
                continue;
            }
            std::ostringstream text;
            text << in.rdbuf();
            double abi = -1;
            Status parsed = visitJsonNumbers(text.str(), [&](const std::string& key, double v) {
                if (key == "abi")
                    abi = v;
            });
            if (!parsed.ok()) {
                log.push_back(manifest.string() + ": " + parsed.error().message);
                continue;
            }
            if (abi != kImporterAbi) {
                log.push_back(path.string() + ": skipped, built for plugin ABI " +
                              (abi < 0 ? std::string("(none in its manifest)")
                                       : std::to_string(static_cast<long long>(abi))) +
                              ", this memscope loads ABI " + std::to_string(kImporterAbi));
                continue;
            }
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
