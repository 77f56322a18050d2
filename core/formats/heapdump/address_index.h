// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/heap_graph.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace memscope::heapdump {

// Puts a freshly read graph's objects in address order, as HeapGraph
// promises: the dump writes them span by span, mostly but not always
// ascending. Done once, before any object index is handed out, so lookups
// need no order of their own and two dumps of one process diff in one merge.
// `raw` holds each object's pointers (two uint32 halves each, edgeStart
// ranges) and moves with it. Stable: a damaged dump's duplicate keeps its place.
void sortByAddress(HeapGraph& g, std::vector<uint32_t>& raw);

// Turns raw addresses into object indices: a sorted copy of the object starts
// plus a page table, so most lookups touch one or two cache lines.
class AddressIndex {
public:
    explicit AddressIndex(const HeapGraph& g) : m_g(g) {
        size_t n = g.addr.size();
        m_order.resize(n);
        for (uint32_t i = 0; i < n; ++i)
            m_order[i] = i;
        bool sorted = std::is_sorted(g.addr.begin(), g.addr.end());
        if (!sorted)
            std::sort(m_order.begin(), m_order.end(),
                      [&](uint32_t a, uint32_t b) { return g.addr[a] < g.addr[b]; });
        m_start.resize(n);
        for (size_t i = 0; i < n; ++i)
            m_start[i] = g.addr[m_order[i]];
        if (n == 0)
            return;
        m_lo = m_start.front();
        uint32_t last = m_order.back();
        m_hi = m_start.back() + g.objectSize(last);
        uint64_t pages = ((m_hi - m_lo) >> kPageShift) + 1;
        if (pages <= 4 * uint64_t(n) + 4096) {
            m_page.resize(pages + 1);
            size_t k = 0;
            for (uint64_t p = 0; p <= pages; ++p) {
                uint64_t base = m_lo + (p << kPageShift);
                while (k < n && m_start[k] < base)
                    ++k;
                m_page[p] = uint32_t(k);
            }
        }
    }

    // Object index containing a, or kNoNode.
    uint32_t find(uint64_t a) const {
        if (a < m_lo || a >= m_hi)
            return kNoNode;
        size_t lo = 0, hi = m_start.size();
        if (!m_page.empty()) {
            uint64_t p = (a - m_lo) >> kPageShift;
            lo = m_page[p];
            hi = m_page[p + 1];
            if (hi < m_start.size())
                ++hi; // an object starting exactly at the next page boundary is > a anyway
        }
        auto it = std::upper_bound(m_start.begin() + lo, m_start.begin() + hi, a);
        size_t k = size_t(it - m_start.begin());
        if (k == 0)
            return kNoNode;
        --k;
        uint32_t obj = m_order[k];
        return a < m_start[k] + m_g.objectSize(obj) ? obj : kNoNode;
    }

private:
    static constexpr int kPageShift = 13;
    const HeapGraph& m_g;
    std::vector<uint32_t> m_order;
    std::vector<uint64_t> m_start;
    std::vector<uint32_t> m_page;
    uint64_t m_lo = 0, m_hi = 0;
};

} // namespace memscope::heapdump
