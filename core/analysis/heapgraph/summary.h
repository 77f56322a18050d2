// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/heap_dump.h"

namespace memscope {

// What retains, per root, allocation site and finalizer, from the dump and
// its dominators: the rows a case keeps of each dump.
HeapDumpSummary summarizeHeapDump(const HeapDump& dump, const Dominators& dom);

} // namespace memscope
