// SPDX-License-Identifier: GPL-3.0-or-later
// A case file is input like any capture: someone may have crafted it. These
// checks run before its rows and blobs are used, so a bad value is an error
// naming the table and row, never an index out of range, a cycle or an
// allocation the data merely claims to need.
#pragma once

#include "base/result.h"
#include "formats/heapdump/heapdump.h"
#include "model/ids.h"

#include <cstdint>
#include <string>

namespace memscope {

class Db; // store/db.h, the store's own

// Caps on what a case may hold. An annotation longer than this is refused
// when added and cut when an older case is read.
constexpr size_t kMaxAnnotationBytes = 64u << 10;
// Function and file names, series keys and severities read back.
constexpr size_t kMaxNameBytes = 4096;
// A call stack deeper than this is damage, not a program.
constexpr size_t kMaxStackDepth = 10000;
// Sample types per profile (pprof's have a handful).
constexpr int64_t kMaxSampleTypes = 64;

// Cuts text to at most `max` bytes on a UTF-8 character boundary.
std::string truncateUtf8(std::string text, size_t max);

// What a chart draws of a note: its first line, at most 120 bytes, with an
// ellipsis when cut. Text layout of a huge label is slow or worse.
std::string annotationLabel(const std::string& text);

// Ids and indices in the rows of a case: heap-dump sites, roots and
// root-to-site edges within the dump's counts, sample types few and numbered
// from 0, goroutine group indices in range. Whole-table scans over small
// tables, run when a case opens.
Status checkCaseRows(Db& db);

// The stack trie ordered: each node's parent comes before it, so no walk up
// a stack can cycle. One scan over `stacks` (millions of rows in a large
// case), run before the first walk rather than when the case opens.
Status checkStackTrieOrder(Db& db);

// What the heapdumps row says of a dump, which its stored graph must match.
struct HeapGraphBounds {
    SnapshotId snapshotId;
    uint64_t objects = 0, edges = 0, roots = 0;
    uint64_t sites = 0; // heapdump_sites rows: object buckets index them
};

// The bytes the fixed-size arrays of a stored graph of these counts take.
uint64_t storedHeapGraphArrayBytes(const HeapGraphBounds& b);
// The most bytes a stored graph of these counts can decode to; larger is
// refused before anything is allocated.
uint64_t maxStoredHeapGraphBytes(const HeapGraphBounds& b);

// The decoded graph against its row's counts, and its dominator tree: idom
// in range, every reachable node (from node 0 through the graph) has an
// immediate dominator and every unreachable one none, and following idom
// from any node reaches node 0 without a cycle. Like pprof's CheckValid.
Status validateStoredHeapGraph(const StoredHeapGraph& sg, const HeapGraphBounds& b);

} // namespace memscope
