// SPDX-License-Identifier: GPL-3.0-or-later
#include "analysis/profile/top.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <unordered_map>

namespace memscope {

namespace {

std::string baseName(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// An open-addressing map of 64-bit keys to ids; fast enough to touch once per frame.
class PairSet {
public:
    explicit PairSet(size_t expected) {
        size_t cap = 64;
        while (cap < expected * 2)
            cap <<= 1;
        m_keys.assign(cap, kEmpty);
        m_vals.assign(cap, 0);
    }
    // Returns the slot's value, inserting `v` when new.
    uint32_t& upsert(uint64_t key, uint32_t v, bool& inserted) {
        if (m_size * 2 >= m_keys.size())
            grow();
        size_t mask = m_keys.size() - 1;
        size_t i = hash(key) & mask;
        while (m_keys[i] != kEmpty && m_keys[i] != key)
            i = (i + 1) & mask;
        inserted = m_keys[i] == kEmpty;
        if (inserted) {
            m_keys[i] = key;
            m_vals[i] = v;
            ++m_size;
        }
        return m_vals[i];
    }
    const uint32_t* find(uint64_t key) const {
        size_t mask = m_keys.size() - 1;
        for (size_t i = hash(key) & mask; m_keys[i] != kEmpty; i = (i + 1) & mask)
            if (m_keys[i] == key)
                return &m_vals[i];
        return nullptr;
    }
    template <typename F>
    void forEach(F f) const {
        for (size_t i = 0; i < m_keys.size(); ++i)
            if (m_keys[i] != kEmpty)
                f(m_keys[i], m_vals[i]);
    }

private:
    static constexpr uint64_t kEmpty = ~uint64_t(0);
    static size_t hash(uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return size_t(k);
    }
    void grow() {
        std::vector<uint64_t> keys;
        std::vector<uint32_t> vals;
        keys.swap(m_keys);
        vals.swap(m_vals);
        m_keys.assign(keys.size() * 2, kEmpty);
        m_vals.assign(keys.size() * 2, 0);
        m_size = 0;
        bool ins;
        for (size_t i = 0; i < keys.size(); ++i)
            if (keys[i] != kEmpty)
                upsert(keys[i], vals[i], ins);
    }
    std::vector<uint64_t> m_keys;
    std::vector<uint32_t> m_vals;
    size_t m_size = 0;
};

} // namespace

FunctionNodes functionNodes(const Profile& p) {
    FunctionNodes fn;
    std::unordered_map<std::string_view, uint32_t> byName;
    byName.reserve(p.functions.size());
    fn.nodeOfFunction.resize(p.functions.size());
    for (size_t i = 0; i < p.functions.size(); ++i) {
        const auto& f = p.functions[i];
        auto [it, fresh] = byName.emplace(f.name, uint32_t(fn.names.size()));
        if (fresh) {
            fn.names.push_back(f.name.empty() ? "<unknown>" : f.name);
            fn.files.push_back(f.file);
        }
        fn.nodeOfFunction[i] = it->second;
    }
    // Locations without symbols become one node per binary, as pprof shows them.
    std::unordered_map<std::string, uint32_t> unsymbolized;
    fn.locationStart.reserve(p.locations.size() + 1);
    fn.locationNodes.reserve(p.locations.size() * 5 / 4);
    for (size_t i = 0; i < p.locations.size(); ++i) {
        const auto& loc = p.locations[i];
        auto& nodes = fn.locationNodes;
        fn.locationStart.push_back(uint32_t(nodes.size()));
        if (loc.lines.empty()) {
            std::string name = "<unknown>";
            if (loc.mapping >= 0 && !p.mappings[size_t(loc.mapping)].file.empty())
                name = "[" + baseName(p.mappings[size_t(loc.mapping)].file) + "]";
            auto [it, fresh] = unsymbolized.emplace(name, uint32_t(fn.names.size()));
            if (fresh) {
                fn.names.push_back(name);
                fn.files.emplace_back();
            }
            nodes.push_back(it->second);
            continue;
        }
        for (const auto& ln : loc.lines)
            nodes.push_back(fn.nodeOfFunction[ln.function]);
    }
    fn.locationStart.push_back(uint32_t(fn.locationNodes.size()));
    return fn;
}

TopResult computeTop(const Profile& p, int sampleIndex) {
    TopResult r;
    if (sampleIndex < 0)
        sampleIndex = p.defaultSampleIndex();
    if (sampleIndex < 0 || size_t(sampleIndex) >= p.sampleTypes.size())
        return r;
    r.sample = p.sampleTypes[size_t(sampleIndex)].type;
    r.unit = p.sampleTypes[size_t(sampleIndex)].unit;

    FunctionNodes fn = functionNodes(p);
    size_t nNodes = fn.names.size();

    // pprof labels a function "(inline)" when every call edge into it is
    // always inline, counting each edge once per sample, at its first
    // occurrence. Inline edges join the frames of one location, so the pairs
    // that can be inline are known before the samples are read: each gets an
    // id, and a sample marks the ids it met first as inline (bit 0) or first
    // as a call (bit 1). Any other edge is a call and marks its callee's
    // label directly. An edge can occur twice in a sample only when its
    // callee does (recursion), so the sample's edges are searched only then.
    constexpr uint32_t kNoPair = ~0u;
    std::vector<uint8_t> candidate(nNodes, 0), inlineParent(nNodes, 0);
    std::vector<uint32_t> pairAt(fn.locationNodes.size(), kNoPair);
    PairSet pairIds(1024);
    uint32_t nPairs = 0;
    for (uint32_t loc = 0; loc + 1 < fn.locationStart.size(); ++loc) {
        uint32_t begin = fn.locationStart[loc], end = fn.locationStart[loc + 1];
        for (uint32_t at = begin; at + 1 < end; ++at) {
            uint32_t child = fn.locationNodes[at], parent = fn.locationNodes[at + 1];
            candidate[child] = 1;
            if (parent == child)
                continue;
            inlineParent[parent] = 1;
            bool inserted;
            pairAt[at] = pairIds.upsert(uint64_t(parent) << 32 | child, nPairs, inserted);
            nPairs += inserted;
        }
    }
    // Samples are split across threads; sums add and edge flags OR exactly.
    struct Partial {
        std::vector<int64_t> flat, cum;
        std::vector<uint8_t> inLabel;   // bit 0 inline edge, bit 1 non-inline edge
        std::vector<uint8_t> pairFirst; // per inline pair: bit 0 first inline, bit 1 first a call
        int64_t total = 0, diffTotal = 0;
        bool diffBase = false;
    };
    auto work = [&](size_t begin, size_t end, Partial& out) {
        out.flat.assign(nNodes, 0);
        out.cum.assign(nNodes, 0);
        out.inLabel.assign(nNodes, 0);
        out.pairFirst.assign(nPairs, 0);
        // A node's cum beside the stamp of the last sample that counted it:
        // one cache line for both, as the nodes of a stack are far apart.
        struct Cum {
            int64_t sum = 0;
            uint32_t stamp = 0;
        };
        std::vector<Cum> cum(nNodes);
        std::vector<uint64_t> sampleEdges; // edges into candidates met in this sample
        uint32_t stamp = 0;
        const uint32_t* nodesAt = fn.locationNodes.data();
        const uint32_t* startOf = fn.locationStart.data();
        for (size_t si = begin; si < end; ++si) {
            const Sample& s = p.samples[si];
            int64_t w = s.values[size_t(sampleIndex)];
            int64_t aw = std::llabs(w);
            out.total += aw;
            for (const auto& lab : s.labels)
                if (lab.key == "pprof::base" && lab.str == "true") {
                    out.diffBase = true;
                    out.diffTotal += aw;
                }
            if (w == 0)
                continue;
            ++stamp;
            sampleEdges.clear();
            int64_t parent = -1;
            for (size_t li = s.locations.size(); li-- > 0;) {
                uint32_t loc = s.locations[li];
                uint32_t first = startOf[loc], last = startOf[loc + 1];
                for (uint32_t at = last; at-- > first;) {
                    uint32_t n = nodesAt[at];
                    Cum& c = cum[n];
                    bool again = c.stamp == stamp;
                    if (!again) {
                        c.stamp = stamp;
                        c.sum += w;
                    }
                    if (parent >= 0 && uint32_t(parent) != n) {
                        if (!candidate[n]) {
                            out.inLabel[n] |= 2;
                        } else {
                            uint64_t key = uint64_t(uint32_t(parent)) << 32 | n;
                            if (!again || std::find(sampleEdges.begin(), sampleEdges.end(), key) ==
                                              sampleEdges.end()) {
                                sampleEdges.push_back(key);
                                if (at + 1 != last) {
                                    out.pairFirst[pairAt[at]] |= 1;
                                } else {
                                    out.inLabel[n] |= 2;
                                    if (inlineParent[uint32_t(parent)])
                                        if (const uint32_t* id = pairIds.find(key))
                                            out.pairFirst[*id] |= 2;
                                }
                            }
                        }
                    }
                    parent = n;
                }
            }
            if (parent >= 0)
                out.flat[size_t(parent)] += w;
        }
        for (size_t n = 0; n < nNodes; ++n)
            out.cum[n] = cum[n].sum;
    };

    size_t nSamples = p.samples.size();
    unsigned threads =
        nSamples >= 50000 ? std::clamp(std::thread::hardware_concurrency(), 1u, 4u) : 1u;
    std::vector<Partial> parts(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work, nSamples * t / threads, nSamples * (t + 1) / threads,
                          std::ref(parts[t]));
    work(0, nSamples / threads, parts[0]);
    for (auto& th : pool)
        th.join();

    Partial& all = parts[0];
    for (auto& part : parts) {
        if (&part == &all)
            continue;
        for (size_t n = 0; n < nNodes; ++n) {
            all.flat[n] += part.flat[n];
            all.cum[n] += part.cum[n];
            all.inLabel[n] |= part.inLabel[n];
        }
        for (uint32_t id = 0; id < nPairs; ++id)
            all.pairFirst[id] |= part.pairFirst[id];
        all.total += part.total;
        all.diffTotal += part.diffTotal;
        all.diffBase = all.diffBase || part.diffBase;
    }
    r.total = all.diffBase && all.diffTotal > 0 ? all.diffTotal : all.total;
    std::vector<int64_t>& flat = all.flat;
    std::vector<int64_t>& cum = all.cum;
    std::vector<uint8_t>& inLabel = all.inLabel;
    // An inline pair met first as a call already marked its callee; one met
    // only inline marks it inline.
    pairIds.forEach([&](uint64_t key, uint32_t id) {
        if (all.pairFirst[id] == 1)
            inLabel[uint32_t(key)] |= 1;
    });

    r.rows.reserve(nNodes);
    for (size_t n = 0; n < nNodes; ++n) {
        if (flat[n] == 0 && cum[n] == 0)
            continue;
        TopRow row;
        row.function = fn.names[n];
        row.file = fn.files[n];
        row.flat = flat[n];
        row.cum = cum[n];
        if (inLabel[n] == 1)
            row.inlineLabel = "inline";
        else if (inLabel[n] == 3)
            row.inlineLabel = "partial-inline";
        r.rows.push_back(std::move(row));
    }
    std::sort(r.rows.begin(), r.rows.end(), [](const TopRow& a, const TopRow& b) {
        int64_t fa = std::llabs(a.flat), fb = std::llabs(b.flat);
        if (fa != fb)
            return fa > fb;
        if (a.function != b.function)
            return a.function < b.function;
        return std::llabs(a.cum) > std::llabs(b.cum);
    });
    return r;
}

} // namespace memscope
