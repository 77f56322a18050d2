// SPDX-License-Identifier: GPL-3.0-or-later
// Go heap dumps (`runtime/debug.WriteHeapDump`, header "go1.7 heap dump\n"):
// a streaming reader into the heap model, the names of what retains from the
// executable's symbols, and the graph's stored form. What the graph means
// (dominators, what retains, paths) is computed in analysis/heapgraph/.
#pragma once

#include "base/progress.h"
#include "base/result.h"
#include "io/input.h"
#include "model/heap_dump.h"
#include "model/heap_graph.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace memscope {

class ElfSymbols;

constexpr std::string_view kHeapDumpMagic = "go1.7 heap dump\n";

// Reads a whole dump from a decoded stream. Errors carry the decoded offset.
// `encodedSize` scales progress. Globals come out as "bss+0x40" per pointer
// slot and finalizers as "fn 0x4a5b20" until applySymbols() names them.
Result<HeapDump> readHeapDump(ByteStream& in, const Progress& progress, uint64_t encodedSize = 0);

// Names globals (merging the slots of one variable into one root) and
// finalizer functions from the binary's symbol table.
void applySymbols(HeapDump& dump, const ElfSymbols& symbols);

// Does this decoded prefix start a heap dump?
bool looksLikeHeapDump(std::string_view head);

// Finds the executable a dump came from among the ELF files in `folder`: the
// one whose .data and .bss start where the dump's segments do. Empty if none.
std::string findBinaryFor(const HeapDump& dump, const std::string& folder);

// The graph and dominators as one zstd blob for the case file, and back.
Result<std::string> encodeHeapGraph(const HeapDump& dump, const Dominators& dom);
// maxDecoded: refuse a blob that decodes to more bytes than this.
Result<StoredHeapGraph> decodeHeapGraph(std::string_view blob, uint64_t maxDecoded = uint64_t(64)
                                                                                     << 30);

} // namespace memscope
