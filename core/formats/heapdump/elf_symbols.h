// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// The symbol table of an ELF executable: enough to name a global by the
// address of a data/bss slot and a function by a PC. 32/64-bit, either
// endianness. A stripped binary reads as an error ("no .symtab").
class ElfSymbols {
public:
    struct Symbol {
        uint64_t addr = 0, size = 0;
        std::string name;
    };
    struct Section {
        std::string name;
        uint64_t addr = 0, size = 0;
    };

    static Result<ElfSymbols> read(const std::string& path);
    // The same from bytes in memory; `path` names them in errors. Every
    // offset, size and index of the file is checked: a damaged file is an
    // error naming the byte offset of the field at fault.
    static Result<ElfSymbols> parse(std::string_view bytes, const std::string& path);

    // The data object (global) covering addr, or null.
    const Symbol* object(uint64_t addr) const;
    // The function whose code covers pc, or null.
    const Symbol* function(uint64_t pc) const;
    // A section by name (".data", ".bss", ".noptrdata", ...), or null.
    const Section* section(const std::string& name) const;
    const std::string& path() const { return m_path; }

private:
    static const Symbol* find(const std::vector<Symbol>& v, uint64_t addr);
    std::string m_path;
    std::vector<Symbol> m_objects, m_functions;
    std::vector<Section> m_sections;
};

} // namespace memscope
