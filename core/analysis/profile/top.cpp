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

// An open-addressing set of 64-bit keys; fast enough to touch once per frame.
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
    uint8_t& upsert(uint64_t key, uint8_t v, bool& inserted) {
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
        std::vector<uint8_t> vals;
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
    std::vector<uint8_t> m_vals;
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
    // always inline. Only functions that appear as an inlined frame can have
    // an inline edge ("candidates"); edges into them are tracked exactly,
    // with pprof's first-occurrence-per-sample rule. Any other function just
    // notes that a non-inline call reached it.
    std::vector<uint8_t> candidate(nNodes, 0);
    for (uint32_t loc = 0; loc + 1 < fn.locationStart.size(); ++loc) {
        auto nodes = fn.nodesOf(loc);
        for (size_t k = 0; k + 1 < nodes.size(); ++k)
            candidate[nodes[k]] = 1;
    }
    // Samples are split across threads; sums add and edge flags OR exactly.
    struct Partial {
        std::vector<int64_t> flat, cum;
        std::vector<uint8_t> inLabel; // bit 0 inline edge, bit 1 non-inline edge
        PairSet edges{1024};          // candidate edges: bit 0 inline, bit 1 not
        int64_t total = 0, diffTotal = 0;
        bool diffBase = false;
    };
    auto work = [&](size_t begin, size_t end, Partial& out) {
        out.flat.assign(nNodes, 0);
        out.cum.assign(nNodes, 0);
        out.inLabel.assign(nNodes, 0);
        std::vector<uint32_t> seen(nNodes, 0);
        std::vector<uint64_t> sampleEdges; // per-sample dedupe of candidate edges
        uint32_t stamp = 0;
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
                auto nodes = fn.nodesOf(s.locations[li]);
                for (size_t ni = nodes.size(); ni-- > 0;) {
                    uint32_t n = nodes[ni];
                    if (seen[n] != stamp) {
                        seen[n] = stamp;
                        out.cum[n] += w;
                    }
                    if (parent >= 0 && uint32_t(parent) != n) {
                        bool isInline = ni != nodes.size() - 1;
                        if (!candidate[n]) {
                            out.inLabel[n] |= 2;
                        } else {
                            uint64_t key = uint64_t(uint32_t(parent)) << 32 | n;
                            if (std::find(sampleEdges.begin(), sampleEdges.end(), key) ==
                                sampleEdges.end()) {
                                sampleEdges.push_back(key);
                                bool inserted;
                                out.edges.upsert(key, 0, inserted) |= isInline ? 1 : 2;
                            }
                        }
                    }
                    parent = n;
                }
            }
            if (parent >= 0)
                out.flat[size_t(parent)] += w;
        }
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
    PairSet merged(1024);
    for (auto& part : parts) {
        if (&part != &all) {
            for (size_t n = 0; n < nNodes; ++n) {
                all.flat[n] += part.flat[n];
                all.cum[n] += part.cum[n];
                all.inLabel[n] |= part.inLabel[n];
            }
            all.total += part.total;
            all.diffTotal += part.diffTotal;
            all.diffBase = all.diffBase || part.diffBase;
        }
        part.edges.forEach([&](uint64_t key, uint8_t flags) {
            bool inserted;
            merged.upsert(key, 0, inserted) |= flags;
        });
    }
    r.total = all.diffBase && all.diffTotal > 0 ? all.diffTotal : all.total;
    std::vector<int64_t>& flat = all.flat;
    std::vector<int64_t>& cum = all.cum;
    std::vector<uint8_t>& inLabel = all.inLabel;
    merged.forEach(
        [&](uint64_t key, uint8_t flags) { inLabel[uint32_t(key)] |= (flags & 2) ? 2 : 1; });

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
