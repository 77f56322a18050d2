// SPDX-License-Identifier: GPL-3.0-or-later
#include "elf_symbols.h"

#include "input.h"

#include <algorithm>
#include <cstring>

namespace memscope {

namespace {

struct ElfView {
    std::string_view b;
    bool is64 = true, big = false;

    bool has(uint64_t off, uint64_t n) const { return off <= b.size() && n <= b.size() - off; }
    uint64_t u(uint64_t off, int n) const {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) {
            uint8_t c = static_cast<uint8_t>(b[off + i]);
            if (big)
                v = (v << 8) | c;
            else
                v |= uint64_t(c) << (8 * i);
        }
        return v;
    }
    uint64_t word(uint64_t off) const { return u(off, is64 ? 8 : 4); }
};

} // namespace

Result<ElfSymbols> ElfSymbols::read(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return mapped.error();
    ElfView e{(*mapped)->bytes()};
    auto bad = [&](uint64_t off, const std::string& what) {
        return errorAt(ErrorCode::Format, off, what).withFile(path);
    };
    if (e.b.size() < 52 || e.b.substr(0, 4) != "\x7f" "ELF")
        return bad(0, "not an ELF file");
    e.is64 = e.b[4] == 2;
    e.big = e.b[5] == 2;
    uint64_t shoff = e.is64 ? e.u(0x28, 8) : e.u(0x20, 4);
    uint64_t shentsize = e.u(e.is64 ? 0x3a : 0x2e, 2);
    uint64_t shnum = e.u(e.is64 ? 0x3c : 0x30, 2);
    uint64_t shstrndx = e.u(e.is64 ? 0x3e : 0x32, 2);
    if (shnum == 0 || shstrndx >= shnum || !e.has(shoff, shnum * shentsize) ||
        shentsize < (e.is64 ? 64u : 40u))
        return bad(shoff, "section header table out of range");

    struct Sh {
        uint32_t name, type;
        uint64_t addr, off, size, link, entsize;
    };
    std::vector<Sh> sh(shnum);
    for (uint64_t i = 0; i < shnum; ++i) {
        uint64_t o = shoff + i * shentsize;
        Sh& s = sh[i];
        s.name = uint32_t(e.u(o, 4));
        s.type = uint32_t(e.u(o + 4, 4));
        if (e.is64) {
            s.addr = e.u(o + 0x10, 8);
            s.off = e.u(o + 0x18, 8);
            s.size = e.u(o + 0x20, 8);
            s.link = e.u(o + 0x28, 4);
            s.entsize = e.u(o + 0x38, 8);
        } else {
            s.addr = e.u(o + 0x0c, 4);
            s.off = e.u(o + 0x10, 4);
            s.size = e.u(o + 0x14, 4);
            s.link = e.u(o + 0x18, 4);
            s.entsize = e.u(o + 0x24, 4);
        }
    }
    auto cstr = [&](const Sh& strtab, uint64_t idx) -> std::string {
        if (idx >= strtab.size || !e.has(strtab.off, strtab.size))
            return {};
        const char* p = e.b.data() + strtab.off + idx;
        size_t max = strtab.size - idx;
        return std::string(p, strnlen(p, max));
    };
    ElfSymbols out;
    out.m_path = path;
    const Sh& names = sh[shstrndx];
    const Sh* symtab = nullptr;
    for (const auto& s : sh) {
        out.m_sections.push_back({cstr(names, s.name), s.addr, s.size});
        if (s.type == 2 /*SHT_SYMTAB*/)
            symtab = &s;
    }
    if (!symtab)
        return makeError(ErrorCode::Unsupported, "no .symtab (stripped binary)").withFile(path);
    if (symtab->link >= shnum || !e.has(symtab->off, symtab->size))
        return bad(symtab->off, "symbol table out of range");
    const Sh& strtab = sh[symtab->link];
    uint64_t entsize = symtab->entsize ? symtab->entsize : (e.is64 ? 24 : 16);
    for (uint64_t o = symtab->off; o + entsize <= symtab->off + symtab->size; o += entsize) {
        uint32_t nameIdx = uint32_t(e.u(o, 4));
        uint8_t info;
        uint64_t value, size;
        if (e.is64) {
            info = uint8_t(e.b[o + 4]);
            value = e.u(o + 8, 8);
            size = e.u(o + 16, 8);
        } else {
            value = e.u(o + 4, 4);
            size = e.u(o + 8, 4);
            info = uint8_t(e.b[o + 12]);
        }
        int type = info & 0xf;
        if (value == 0 || (type != 1 /*OBJECT*/ && type != 2 /*FUNC*/))
            continue;
        Symbol sym{value, size, cstr(strtab, nameIdx)};
        (type == 1 ? out.m_objects : out.m_functions).push_back(std::move(sym));
    }
    auto byAddr = [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; };
    std::sort(out.m_objects.begin(), out.m_objects.end(), byAddr);
    std::sort(out.m_functions.begin(), out.m_functions.end(), byAddr);
    return out;
}

const ElfSymbols::Symbol* ElfSymbols::find(const std::vector<Symbol>& v, uint64_t addr) {
    auto it = std::upper_bound(v.begin(), v.end(), addr,
                               [](uint64_t a, const Symbol& s) { return a < s.addr; });
    if (it == v.begin())
        return nullptr;
    --it;
    // Go's function symbols have sizes; a zero size still covers its first byte.
    if (addr < it->addr + std::max<uint64_t>(it->size, 1))
        return &*it;
    return nullptr;
}

const ElfSymbols::Symbol* ElfSymbols::object(uint64_t addr) const { return find(m_objects, addr); }
const ElfSymbols::Symbol* ElfSymbols::function(uint64_t pc) const { return find(m_functions, pc); }

const ElfSymbols::Section* ElfSymbols::section(const std::string& name) const {
    for (const auto& s : m_sections)
        if (s.name == name)
            return &s;
    return nullptr;
}

} // namespace memscope
