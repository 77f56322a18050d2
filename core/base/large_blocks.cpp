// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/large_blocks.h"

#include <new>
#include <sys/mman.h>

namespace memscope {

namespace {

constexpr size_t kHugePage = size_t(2) << 20;

class LargeBlockResource final : public std::pmr::memory_resource {
    void* do_allocate(size_t bytes, size_t align) override {
        if (align > 4096)
            return std::pmr::new_delete_resource()->allocate(bytes, align);
        return allocateLargeBlock(bytes);
    }
    void do_deallocate(void* p, size_t bytes, size_t align) override {
        if (align > 4096)
            return std::pmr::new_delete_resource()->deallocate(p, bytes, align);
        releaseLargeBlock(p, bytes);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
        return this == &other;
    }
};

} // namespace

void* allocateLargeBlock(size_t bytes) {
    if (bytes < kHugePage)
        return ::operator new(bytes);
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw std::bad_alloc();
    madvise(p, bytes, MADV_HUGEPAGE); // advice only: without it the block still works
    return p;
}

void releaseLargeBlock(void* p, size_t bytes) {
    if (!p)
        return;
    if (bytes < kHugePage)
        ::operator delete(p);
    else
        munmap(p, bytes);
}

std::pmr::memory_resource* largeBlockResource() {
    static LargeBlockResource resource;
    return &resource;
}

} // namespace memscope
