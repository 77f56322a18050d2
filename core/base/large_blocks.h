// SPDX-License-Identifier: GPL-3.0-or-later
// Memory for arenas that grow to tens of MiB (a parsed profile's messages and
// samples). Blocks from 2 MiB up are mapped on their own and marked for
// transparent huge pages, so the kernel faults them in 2 MiB at a time rather
// than 4 KiB: on a 200k-sample profile that is most of the page faults a
// `top` run takes. Smaller blocks come from the usual allocator.
#pragma once

#include <cstddef>
#include <memory_resource>

namespace memscope {

// Throws std::bad_alloc when the memory is not there.
void* allocateLargeBlock(size_t bytes);
void releaseLargeBlock(void* p, size_t bytes);

// The same as an upstream for std::pmr arenas. Alignment up to a page.
std::pmr::memory_resource* largeBlockResource();

} // namespace memscope
