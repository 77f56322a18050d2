// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/heapdump/address_index.h"

#include <cstddef>
#include <numeric>
#include <unordered_map>

namespace memscope::heapdump {

void sortByAddress(HeapGraph& g, std::vector<uint32_t>& raw) {
    const size_t n = g.addr.size();
    if (std::is_sorted(g.addr.begin(), g.addr.end()))
        return;
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return g.addr[a] < g.addr[b]; });
    auto permute = [&](auto& v) {
        std::remove_reference_t<decltype(v)> out(v.size());
        for (size_t i = 0; i < n; ++i)
            out[i] = v[order[i]];
        v = std::move(out);
    };
    std::vector<uint32_t> sortedRaw;
    sortedRaw.reserve(raw.size());
    std::vector<uint32_t> edgeStart(n + 1, 0);
    std::unordered_map<uint32_t, uint64_t> huge;
    for (size_t i = 0; i < n; ++i) {
        uint32_t o = order[i];
        sortedRaw.insert(sortedRaw.end(), raw.begin() + 2 * std::ptrdiff_t(g.edgeStart[o]),
                         raw.begin() + 2 * std::ptrdiff_t(g.edgeStart[o + 1]));
        edgeStart[i + 1] = uint32_t(sortedRaw.size() / 2);
        if (g.size[o] == HeapGraph::kHugeSize)
            huge[uint32_t(i)] = g.hugeSize.at(o);
    }
    permute(g.addr);
    permute(g.size);
    if (g.shape.size() == n)
        permute(g.shape);
    g.hugeSize = std::move(huge);
    g.edgeStart = std::move(edgeStart);
    raw = std::move(sortedRaw);
}

} // namespace memscope::heapdump
