// SPDX-License-Identifier: GPL-3.0-or-later
// Naming what a heap dump leaves as addresses from the executable's symbols,
// and finding that executable.
#include "formats/heapdump/heapdump.h"

#include "base/text_util.h"
#include "formats/heapdump/elf_symbols.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

namespace memscope {

void applySymbols(HeapDump& d, const ElfSymbols& syms) {
    HeapGraph& g = d.graph;
    for (auto& f : d.finalizers)
        if (const auto* s = syms.function(f.pc))
            f.function = s->name;
    // Name each global slot by its symbol and merge neighbouring slots of one
    // symbol into one root; name finalizer roots by their function.
    std::vector<RootEntity> roots;
    std::vector<uint64_t> rootAddr;
    std::vector<uint32_t> start{0}, targets;
    for (size_t e = 0; e < g.roots.size(); ++e) {
        RootEntity r = g.roots[e];
        uint64_t a = d.rootAddr[e];
        bool merged = false;
        if (r.kind == RootKind::Global) {
            if (const auto* s = syms.object(a)) {
                std::string seg = r.name.substr(0, r.name.find('+'));
                r.detail = seg + " " + hexString(s->addr) + " +" + std::to_string(a - s->addr);
                r.name = s->name;
                merged = !roots.empty() && roots.back().kind == RootKind::Global &&
                         roots.back().name == r.name;
            }
        } else if (r.kind == RootKind::Finalizer || r.kind == RootKind::QueuedFinalizer) {
            if (const auto* s = syms.function(a))
                r.name = s->name;
        }
        if (!merged) {
            roots.push_back(std::move(r));
            rootAddr.push_back(a);
            start.push_back(start.back());
        }
        for (uint32_t k = g.rootEdgeStart[e]; k < g.rootEdgeStart[e + 1]; ++k)
            targets.push_back(g.rootEdges[k]);
        start.back() = uint32_t(targets.size());
    }
    g.roots = std::move(roots);
    d.rootAddr = std::move(rootAddr);
    g.rootEdgeStart = std::move(start);
    g.rootEdges = std::move(targets);
    d.symbolsFrom = syms.path();
}

std::string findBinaryFor(const HeapDump& dump, const std::string& folder) {
    uint64_t dataAddr = 0, bssAddr = 0;
    for (const auto& s : dump.segments)
        (s.bss ? bssAddr : dataAddr) = s.addr;
    if (!dataAddr && !bssAddr)
        return {};
    DIR* dir = opendir(folder.empty() ? "." : folder.c_str());
    if (!dir)
        return {};
    std::vector<std::string> candidates;
    while (dirent* ent = readdir(dir)) {
        std::string path = (folder.empty() ? "." : folder) + "/" + ent->d_name;
        struct stat st {};
        if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 64)
            continue;
        FILE* f = fopen(path.c_str(), "rb");
        if (!f)
            continue;
        char m[4] = {};
        size_t got = fread(m, 1, 4, f);
        fclose(f);
        if (got == 4 && std::memcmp(m,
                                    "\x7f"
                                    "ELF",
                                    4) == 0)
            candidates.push_back(path);
    }
    closedir(dir);
    std::sort(candidates.begin(), candidates.end());
    for (const auto& path : candidates) {
        auto syms = ElfSymbols::read(path);
        if (!syms)
            continue;
        const auto* data = syms->section(".data");
        const auto* bss = syms->section(".bss");
        if ((!dataAddr || (data && data->addr == dataAddr)) &&
            (!bssAddr || (bss && bss->addr == bssAddr)))
            return path;
    }
    return {};
}

} // namespace memscope
