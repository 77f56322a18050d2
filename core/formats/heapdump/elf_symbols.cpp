// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/heapdump/elf_symbols.h"

#include "io/input.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>

namespace memscope {

namespace {

std::string hexOffset(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

// Reads fixed-size fields of either endianness. Every read is bounds-checked
// by the caller through has(); u() itself never looks outside the file.
struct ElfView {
    std::string_view b;
    bool is64 = true, big = false;

    bool has(uint64_t off, uint64_t n) const { return off <= b.size() && n <= b.size() - off; }
    uint64_t u(uint64_t off, int n) const {
        if (!has(off, uint64_t(n)))
            return 0;
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
};

struct SectionHeader {
    uint64_t at = 0; // where the header itself lies in the file
    uint32_t name = 0, type = 0;
    uint64_t addr = 0, off = 0, size = 0, link = 0, entsize = 0;
};

constexpr uint32_t kShtSymtab = 2, kShtNobits = 8;

} // namespace

Result<ElfSymbols> ElfSymbols::read(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return mapped.error();
    return parse((*mapped)->bytes(), path);
}

Result<ElfSymbols> ElfSymbols::parse(std::string_view bytes, const std::string& path) {
    ElfView e{bytes};
    auto bad = [&](uint64_t off, const std::string& what) {
        return errorAt(ErrorCode::Format, off, what).withFile(path);
    };
    if (e.b.size() < 16 || e.b.substr(0, 4) != "\x7f"
                                               "ELF")
        return bad(0, "not an ELF file");
    if (e.b[4] != 1 && e.b[4] != 2)
        return bad(4, "unknown ELF class " + std::to_string(int(uint8_t(e.b[4]))));
    if (e.b[5] != 1 && e.b[5] != 2)
        return bad(5, "unknown ELF data encoding " + std::to_string(int(uint8_t(e.b[5]))));
    e.is64 = e.b[4] == 2;
    e.big = e.b[5] == 2;
    const uint64_t ehsize = e.is64 ? 64 : 52;
    if (e.b.size() < ehsize)
        return makeError(ErrorCode::Truncated,
                         "the file ends inside its " + std::to_string(ehsize) + "-byte ELF header")
            .withFile(path);
    const uint64_t shoffAt = e.is64 ? 0x28 : 0x20;
    uint64_t shoff = e.u(shoffAt, e.is64 ? 8 : 4);
    uint64_t shentsize = e.u(e.is64 ? 0x3a : 0x2e, 2);
    uint64_t shnum = e.u(e.is64 ? 0x3c : 0x30, 2);
    uint64_t shstrndx = e.u(e.is64 ? 0x3e : 0x32, 2);
    const uint64_t minShent = e.is64 ? 64 : 40;
    if (shnum == 0)
        return bad(shoffAt, "no section header table");
    if (shentsize < minShent)
        return bad(shoffAt, "section headers of " + std::to_string(shentsize) +
                                " bytes (at least " + std::to_string(minShent) + ")");
    // 16-bit count times 16-bit size: no overflow.
    if (!e.has(shoff, shnum * shentsize))
        return bad(shoffAt, "section header table at " + hexOffset(shoff) + " (" +
                                std::to_string(shnum) + " x " + std::to_string(shentsize) +
                                " bytes) lies past the end of the " + std::to_string(e.b.size()) +
                                "-byte file");
    if (shstrndx >= shnum)
        return bad(e.is64 ? 0x3e : 0x32, "section name table index " + std::to_string(shstrndx) +
                                             " of " + std::to_string(shnum) + " sections");

    std::vector<SectionHeader> sh(shnum);
    for (uint64_t i = 0; i < shnum; ++i) {
        uint64_t o = shoff + i * shentsize;
        SectionHeader& s = sh[i];
        s.at = o;
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
    // A string table must lie inside the file; a name inside its table. The
    // last byte of the table need not be NUL: names stop at the table's end.
    auto stringTable = [&](const SectionHeader& t, const char* what) -> std::optional<Error> {
        if (t.type == kShtNobits || !e.has(t.off, t.size))
            return bad(t.at, std::string(what) + " at " + hexOffset(t.off) + " (" +
                                 std::to_string(t.size) + " bytes) lies past the end of the " +
                                 std::to_string(e.b.size()) + "-byte file");
        return std::nullopt;
    };
    auto cstr = [&](const SectionHeader& t, uint64_t idx) -> std::string_view {
        const char* p = e.b.data() + t.off + idx;
        return {p, strnlen(p, t.size - idx)};
    };
    const SectionHeader& names = sh[shstrndx];
    if (auto err = stringTable(names, "section name table"))
        return *err;
    ElfSymbols out;
    out.m_path = path;
    const SectionHeader* symtab = nullptr;
    for (const auto& s : sh) {
        if (s.name >= names.size && !(s.name == 0 && names.size == 0))
            return bad(s.at, "section name at " + hexOffset(s.name) + " past the end of the " +
                                 std::to_string(names.size) + "-byte section name table");
        out.m_sections.push_back(
            {names.size ? std::string(cstr(names, s.name)) : std::string(), s.addr, s.size});
        if (s.type == kShtSymtab && !symtab)
            symtab = &s;
    }
    if (!symtab)
        return makeError(ErrorCode::Unsupported, "no .symtab (stripped binary)").withFile(path);
    const uint64_t minSym = e.is64 ? 24 : 16;
    uint64_t entsize = symtab->entsize ? symtab->entsize : minSym;
    if (entsize < minSym)
        return bad(symtab->at, "symbols of " + std::to_string(entsize) + " bytes (at least " +
                                   std::to_string(minSym) + ")");
    if (symtab->size % entsize != 0)
        return bad(symtab->at, "symbol table of " + std::to_string(symtab->size) +
                                   " bytes is not a whole number of " + std::to_string(entsize) +
                                   "-byte symbols");
    if (!e.has(symtab->off, symtab->size))
        return bad(symtab->at, "symbol table at " + hexOffset(symtab->off) + " (" +
                                   std::to_string(symtab->size) +
                                   " bytes) lies past the end of the " +
                                   std::to_string(e.b.size()) + "-byte file");
    if (symtab->link >= shnum)
        return bad(symtab->at, "symbol table links to section " + std::to_string(symtab->link) +
                                   " of " + std::to_string(shnum));
    const SectionHeader& strtab = sh[symtab->link];
    if (auto err = stringTable(strtab, "symbol name table"))
        return *err;
    // count * entsize <= size: each entry's offset stays inside the table.
    const uint64_t count = symtab->size / entsize;
    for (uint64_t i = 0; i < count; ++i) {
        const uint64_t o = symtab->off + i * entsize;
        uint32_t nameIdx = uint32_t(e.u(o, 4));
        uint8_t info;
        uint64_t value, size;
        if (e.is64) {
            info = uint8_t(e.u(o + 4, 1));
            value = e.u(o + 8, 8);
            size = e.u(o + 16, 8);
        } else {
            value = e.u(o + 4, 4);
            size = e.u(o + 8, 4);
            info = uint8_t(e.u(o + 12, 1));
        }
        int type = info & 0xf;
        if (value == 0 || (type != 1 /*OBJECT*/ && type != 2 /*FUNC*/))
            continue;
        if (nameIdx >= strtab.size)
            return bad(o, "symbol " + std::to_string(i) + " names string " + hexOffset(nameIdx) +
                              " past the end of the " + std::to_string(strtab.size) +
                              "-byte symbol name table");
        Symbol sym{value, size, std::string(cstr(strtab, nameIdx))};
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
    // Go's function symbols have sizes; a zero size still covers its first
    // byte. A size reaching past the address space ends there.
    uint64_t span = std::max<uint64_t>(it->size, 1);
    if (addr - it->addr < span)
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
