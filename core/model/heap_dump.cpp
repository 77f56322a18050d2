// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/heap_dump.h"

#include <cstdio>

namespace memscope {

const char* heapDumpTagName(int tag) {
    static const char* names[kHeapDumpTags] = {
        "eof",    "object",    "otherroot", "type",     "goroutine", "stackframe",
        "params", "finalizer", "itab",      "osthread", "memstats",  "queuedfinalizer",
        "data",   "bss",       "defer",     "panic",    "memprof",   "allocsample"};
    return tag >= 0 && tag < kHeapDumpTags ? names[tag] : "?";
}

std::string unnamedFunction(uint64_t pc) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(pc));
    return std::string("fn ") + b;
}

bool isUnnamedFunction(std::string_view name) { return name.substr(0, 5) == "fn 0x"; }

} // namespace memscope
