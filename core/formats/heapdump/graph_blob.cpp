// SPDX-License-Identifier: GPL-3.0-or-later
// The stored form of a heap graph and its dominators: one zstd blob per dump
// in the case file, checked whole on the way back in.
#include "formats/heapdump/heapdump.h"

#include <algorithm>
#include <cstring>

namespace memscope {

namespace {}

namespace {

template <typename T>
void putVec(std::string& out, const std::vector<T>& v) {
    uint64_t n = v.size();
    out.append(reinterpret_cast<const char*>(&n), 8);
    out.append(reinterpret_cast<const char*>(v.data()), n * sizeof(T));
}
void putStr(std::string& out, const std::string& s) {
    uint32_t n = uint32_t(s.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out.append(s);
}

class BlobReader {
public:
    explicit BlobReader(std::string_view b) : m_b(b) {}
    bool ok() const { return m_ok; }
    template <typename T>
    void vec(std::vector<T>& v, uint64_t expect = UINT64_MAX) {
        uint64_t n = 0;
        if (!take(&n, 8) || (expect != UINT64_MAX && n != expect) ||
            n > (m_b.size() - m_pos) / sizeof(T)) {
            m_ok = false;
            return;
        }
        v.resize(n);
        take(v.data(), n * sizeof(T));
    }
    void str(std::string& s) {
        uint32_t n = 0;
        if (!take(&n, 4) || n > m_b.size() - m_pos) {
            m_ok = false;
            return;
        }
        s.assign(m_b.data() + m_pos, n);
        m_pos += n;
    }
    bool take(void* p, size_t n) {
        if (!m_ok || n > m_b.size() - m_pos)
            return m_ok = false;
        if (n == 0)
            return true;
        std::memcpy(p, m_b.data() + m_pos, n);
        m_pos += n;
        return true;
    }

private:
    std::string_view m_b;
    size_t m_pos = 0;
    bool m_ok = true;
};

// Layout 2 adds each object's pointer shape after the buckets; a layout 1
// blob (cases imported before it) reads back without shapes.
constexpr char kBlobMagic[8] = {'M', 'S', 'H', 'G', '0', '0', '0', '2'};
constexpr char kBlobMagicV1[8] = {'M', 'S', 'H', 'G', '0', '0', '0', '1'};

} // namespace

Result<std::string> encodeHeapGraph(const HeapDump& d, const Dominators& dom) {
    const HeapGraph& g = d.graph;
    std::string out(kBlobMagic, 8);
    putVec(out, g.addr);
    putVec(out, g.size);
    std::vector<uint64_t> huge;
    for (const auto& [k, v] : g.hugeSize) {
        huge.push_back(k);
        huge.push_back(v);
    }
    putVec(out, huge);
    putVec(out, g.edgeStart);
    putVec(out, g.edges);
    uint64_t nroots = g.roots.size();
    out.append(reinterpret_cast<const char*>(&nroots), 8);
    for (const auto& r : g.roots) {
        out.push_back(char(r.kind));
        putStr(out, r.name);
        putStr(out, r.detail);
        out.append(reinterpret_cast<const char*>(&r.goid), 8);
    }
    putVec(out, g.rootEdgeStart);
    putVec(out, g.rootEdges);
    putVec(out, dom.idom);
    putVec(out, dom.retained);
    std::vector<int32_t> bucket(g.objects(), -1);
    for (const auto& [o, b] : d.samples)
        bucket[o] = int32_t(b);
    putVec(out, bucket);
    putVec(out, g.shape.size() == g.objects() ? g.shape : std::vector<uint32_t>());
    return zstdCompress(out, 1);
}

Result<StoredHeapGraph> decodeHeapGraph(std::string_view blob, uint64_t maxDecoded) {
    auto raw = zstdDecompress(blob, maxDecoded);
    if (!raw)
        return raw.error();
    if (raw->size() < 8 || (std::memcmp(raw->data(), kBlobMagic, 8) != 0 &&
                            std::memcmp(raw->data(), kBlobMagicV1, 8) != 0))
        return makeError(ErrorCode::Format, "stored heap graph has an unknown layout");
    const bool hasShapes = std::memcmp(raw->data(), kBlobMagic, 8) == 0;
    StoredHeapGraph s;
    BlobReader r(std::string_view(*raw).substr(8));
    HeapGraph& g = s.graph;
    r.vec(g.addr);
    r.vec(g.size, g.addr.size());
    std::vector<uint64_t> huge;
    r.vec(huge);
    for (size_t i = 0; i + 1 < huge.size(); i += 2)
        g.hugeSize[uint32_t(huge[i])] = huge[i + 1];
    r.vec(g.edgeStart, g.addr.size() + 1);
    r.vec(g.edges);
    uint64_t nroots = 0;
    r.take(&nroots, 8);
    if (nroots > raw->size())
        return makeError(ErrorCode::Format, "stored heap graph is damaged");
    g.roots.resize(r.ok() ? nroots : 0);
    for (auto& root : g.roots) {
        char k = 0;
        r.take(&k, 1);
        root.kind = RootKind(k);
        r.str(root.name);
        r.str(root.detail);
        r.take(&root.goid, 8);
    }
    r.vec(g.rootEdgeStart, g.roots.size() + 1);
    r.vec(g.rootEdges);
    r.vec(s.dom.idom, g.nodes());
    r.vec(s.dom.retained, g.nodes());
    r.vec(s.objectBucket, g.addr.size());
    if (hasShapes) {
        r.vec(g.shape);
        if (!g.shape.empty() && g.shape.size() != g.addr.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    }
    if (!r.ok())
        return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (uint32_t e : g.edges)
        if (e >= g.addr.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (uint32_t e : g.rootEdges)
        if (e >= g.addr.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (size_t i = 0; i + 1 < g.edgeStart.size(); ++i)
        if (g.edgeStart[i] > g.edgeStart[i + 1] || g.edgeStart[i + 1] > g.edges.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (size_t i = 0; i + 1 < g.rootEdgeStart.size(); ++i)
        if (g.rootEdgeStart[i] > g.rootEdgeStart[i + 1] ||
            g.rootEdgeStart[i + 1] > g.rootEdges.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (uint32_t v : s.dom.idom)
        if (v != kNoNode && v >= g.nodes())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (const auto& [k, v] : g.hugeSize)
        if (k >= g.addr.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (size_t i = 0; i < g.size.size(); ++i)
        if (g.size[i] == HeapGraph::kHugeSize && !g.hugeSize.count(uint32_t(i)))
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    // The dominators must form a tree under node 0: every chain of idoms
    // ends there, without a cycle (readers walk them).
    if (!s.dom.idom.empty() && s.dom.idom[0] != 0)
        return makeError(ErrorCode::Format, "stored heap graph is damaged");
    {
        enum : uint8_t { kUnseen, kOnChain, kRooted };
        std::vector<uint8_t> state(g.nodes(), kUnseen);
        std::vector<uint32_t> chain;
        if (!state.empty())
            state[0] = kRooted;
        for (uint32_t v = 1; v < g.nodes(); ++v) {
            chain.clear();
            uint32_t u = v;
            while (state[u] == kUnseen && s.dom.idom[u] != kNoNode) {
                state[u] = kOnChain;
                chain.push_back(u);
                u = s.dom.idom[u];
            }
            if (state[u] == kOnChain)
                return makeError(ErrorCode::Format,
                                 "stored heap graph is damaged (its dominators loop)");
            for (uint32_t x : chain)
                state[x] = kRooted;
        }
    }
    s.dom.reachableBytes = s.dom.retained.empty() ? 0 : s.dom.retained[0];
    for (uint32_t o = 0; o < g.objects(); ++o)
        if (s.dom.idom[g.objectNode(o)] != kNoNode)
            s.dom.reachableObjects++;
    return s;
}

} // namespace memscope
