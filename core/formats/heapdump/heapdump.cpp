// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/heapdump/heapdump.h"

#include "base/text_util.h"
#include "formats/heapdump/address_index.h"
#include "formats/heapdump/dump_reader.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace memscope {

bool looksLikeHeapDump(std::string_view head) {
    return head.substr(0, kHeapDumpMagic.size()) == kHeapDumpMagic;
}

namespace {

using heapdump::AddressIndex;
using heapdump::DumpReader;
using heapdump::sortByAddress;

// Reads the records after the header into a HeapDump, one function per
// record kind, keeping raw pointer values aside; finish() then resolves them
// into object indices. Errors stay in the DumpReader (sticky), so the loop
// checks once per record.
class RecordReader {
public:
    explicit RecordReader(ByteStream& in) : m_r(in), m_g(m_d.graph) { m_g.edgeStart.push_back(0); }

    // r starts after the header: its offsets are relative to byte 16.
    static constexpr uint64_t kHeader = kHeapDumpMagic.size();

    // Every record up to eof; an error, or Cancelled, as a value.
    Status readRecords(const Progress& progress, uint64_t encodedSize) {
        uint64_t nextReport = 0;
        for (;;) {
            if (m_r.atEnd()) {
                if (m_r.failed())
                    break;
                m_r.fail(ErrorCode::Truncated, m_r.offset(),
                         "the dump ends without its eof record");
                break;
            }
            uint64_t at = kHeader + m_r.offset();
            if (at >= nextReport) {
                progress(encodedSize ? m_r.encodedPosition() : at, encodedSize,
                         "reading heap dump");
                if (progress.cancelled())
                    return makeError(ErrorCode::Cancelled, "cancelled");
                nextReport = at + (8u << 20);
            }
            uint64_t tag = m_r.uvarint();
            if (m_r.failed())
                break;
            m_at = at - kHeader;
            if (tag >= uint64_t(kHeapDumpTags)) {
                m_r.fail(ErrorCode::Format, m_at, "unknown record tag " + std::to_string(tag));
                break;
            }
            if (!m_sawParams && tag != uint64_t(HeapDumpTag::Params) && tag != 0) {
                m_r.fail(ErrorCode::Format, m_at,
                         std::string("a ") + heapDumpTagName(int(tag)) +
                             " record before the params record");
                break;
            }
            m_d.recordCounts[tag]++;
            readRecord(HeapDumpTag(tag));
            if (m_r.failed() || tag == 0)
                break;
        }
        if (m_r.failed()) {
            Error e = m_r.error();
            if (e.offset && e.code != ErrorCode::Io)
                e.offset = *e.offset + kHeader;
            return e;
        }
        m_d.decodedBytes = kHeader + m_r.offset();
        return {};
    }

    // Pointers into object indices, roots onto their targets, memprof
    // buckets into sites, samples onto objects.
    HeapDump finish() {
        sortByAddress(m_g, m_raw);
        AddressIndex index(m_g);
        resolveObjectEdges(index);
        std::vector<uint32_t> finalizerObject = resolveFinalizers(index);
        resolveRootEdges(index, finalizerObject);
        std::unordered_map<uint64_t, uint32_t> bucketIndex = mergeSites();
        resolveSamples(index, bucketIndex);
        return std::move(m_d);
    }

private:
    void readRecord(HeapDumpTag tag) {
        switch (tag) {
            case HeapDumpTag::Eof: break;
            case HeapDumpTag::Object: readObject(); break;
            case HeapDumpTag::OtherRoot: readOtherRoot(); break;
            case HeapDumpTag::Type: readType(); break;
            case HeapDumpTag::Goroutine: readGoroutine(); break;
            case HeapDumpTag::StackFrame: readStackFrame(); break;
            case HeapDumpTag::Params: readParams(); break;
            case HeapDumpTag::Finalizer: readFinalizer(false); break;
            case HeapDumpTag::QueuedFinalizer: readFinalizer(true); break;
            case HeapDumpTag::Itab: readItab(); break;
            case HeapDumpTag::OsThread: readOsThread(); break;
            case HeapDumpTag::MemStats: readMemStats(); break;
            case HeapDumpTag::Data: readSegment(false); break;
            case HeapDumpTag::Bss: readSegment(true); break;
            case HeapDumpTag::Defer: readDefer(); break;
            case HeapDumpTag::Panic: readPanic(); break;
            case HeapDumpTag::MemProf: readMemProf(); break;
            case HeapDumpTag::AllocSample: readAllocSample(); break;
        }
    }

    uint64_t word(const char* p) const {
        uint64_t v = 0;
        int n = int(m_d.ptrSize);
        for (int i = 0; i < n; ++i) {
            uint8_t c = static_cast<uint8_t>(p[i]);
            if (m_d.bigEndian)
                v = (v << 8) | c;
            else
                v |= uint64_t(c) << (8 * i);
        }
        return v;
    }

    // Reads a fields list; hands each non-nil pointer word inside [0, len)
    // of the pinned image to sink(offset, value).
    template <typename Sink>
    void readFields(uint64_t len, Sink&& sink) {
        m_fieldOffsets.clear();
        for (;;) {
            uint64_t at = m_r.offset();
            uint64_t kind = m_r.uvarint();
            if (m_r.failed() || kind == 0)
                break;
            uint64_t off = m_r.uvarint();
            if (kind != 1 && kind != 2 && kind != 3) {
                m_r.fail(ErrorCode::Format, at, "unknown field kind " + std::to_string(kind));
                break;
            }
            // Legacy iface/eface fields: the data word follows the type word.
            // Checked without adding to off, which may be near 2^64.
            uint64_t words = kind == 1 ? 1 : 2;
            if (off > len || (len - off) / m_d.ptrSize < words) {
                m_r.fail(ErrorCode::Format, at,
                         "pointer field at offset " + std::to_string(off) + " beyond its " +
                             std::to_string(len) + "-byte image");
                break;
            }
            m_fieldOffsets.push_back(off + (words - 1) * m_d.ptrSize);
        }
        if (m_r.failed())
            return;
        const char* base = m_r.pinned();
        for (uint64_t off : m_fieldOffsets) {
            uint64_t v = word(base + off);
            if (v != 0)
                sink(off, v);
        }
    }

    void addRoot(RootKind kind, std::string name, std::string detail, int64_t goid) {
        m_rootRawStart.push_back(uint32_t(m_rootRaw.size()));
        m_g.roots.push_back({kind, std::move(name), std::move(detail), goid});
        m_rootFinalizer.push_back(-1);
        m_d.rootAddr.push_back(0);
    }
    void rootTarget(uint64_t v) {
        m_rootRaw.push_back(v);
        m_rootRawStart.back() = uint32_t(m_rootRaw.size());
    }
    // The goroutine whose frames are being read, for its roots' detail.
    std::string goroutineDetail() const {
        if (m_d.goroutines.empty())
            return {};
        const auto& gr = m_d.goroutines.back();
        std::string s = "goroutine " + std::to_string(gr.goid);
        if (!gr.waitReason.empty())
            s += " [" + gr.waitReason + "]";
        return s;
    }

    void readObject() {
        uint64_t a = m_r.uvarint();
        uint64_t len = m_r.pinBytes();
        readFields(len, [&](uint64_t, uint64_t v) {
            if (m_d.arenaEnd <= m_d.arenaStart || (v >= m_d.arenaStart && v < m_d.arenaEnd)) {
                m_raw.push_back(uint32_t(v));
                m_raw.push_back(uint32_t(v >> 32));
            }
        });
        m_r.unpin();
        if (m_r.failed())
            return;
        if (m_g.addr.size() >= kNoNode - 1) {
            m_r.fail(ErrorCode::Limit, m_at, "more than 4 billion objects");
            return;
        }
        uint32_t idx = uint32_t(m_g.addr.size());
        m_g.addr.push_back(a);
        m_g.shape.push_back(
            pointerShapeHash(m_fieldOffsets.data(), m_fieldOffsets.size(), m_d.ptrSize));
        if (len >= HeapGraph::kHugeSize) {
            m_g.size.push_back(HeapGraph::kHugeSize);
            m_g.hugeSize[idx] = len;
        } else {
            m_g.size.push_back(uint32_t(len));
        }
        m_d.objectBytes += len;
        if (m_raw.size() / 2 >= kNoNode) {
            m_r.fail(ErrorCode::Limit, m_at, "more than 4 billion pointers");
            return;
        }
        m_g.edgeStart.push_back(uint32_t(m_raw.size() / 2));
    }

    void readOtherRoot() {
        m_r.string(m_name);
        uint64_t p = m_r.uvarint();
        addRoot(RootKind::Other, m_name, {}, -1);
        if (p)
            rootTarget(p);
    }

    void readType() {
        m_r.uvarint();
        m_r.uvarint();
        m_r.skipString();
        m_r.uvarint();
    }

    void readGoroutine() {
        HeapDumpGoroutine gr;
        m_r.uvarint(); // g
        m_r.uvarint(); // sp
        gr.goid = m_r.uvarint();
        gr.gopc = m_r.uvarint();
        gr.status = m_r.uvarint();
        gr.system = m_r.uvarint() != 0;
        m_r.uvarint(); // is_background
        gr.waitSinceNs = m_r.uvarint();
        m_r.string(gr.waitReason);
        uint64_t ctxt = m_r.uvarint();
        m_r.uvarint(); // m
        uint64_t deferp = m_r.uvarint();
        uint64_t panicp = m_r.uvarint();
        if (m_r.failed())
            return;
        m_d.goroutines.push_back(std::move(gr));
        if (ctxt || deferp || panicp) {
            addRoot(RootKind::Goroutine, "goroutine " + std::to_string(m_d.goroutines.back().goid),
                    goroutineDetail(), int64_t(m_d.goroutines.back().goid));
            for (uint64_t p : {ctxt, deferp, panicp})
                if (p)
                    rootTarget(p);
        }
    }

    void readStackFrame() {
        m_r.uvarint(); // sp
        m_r.uvarint(); // depth
        m_r.uvarint(); // child sp
        uint64_t len = m_r.pinBytes();
        uint64_t entry = m_r.uvarint();
        m_r.uvarint(); // pc
        m_r.uvarint(); // continuation pc
        m_r.string(m_name);
        bool added = false;
        readFields(len, [&](uint64_t, uint64_t v) {
            if (!added) {
                int64_t goid = m_d.goroutines.empty() ? -1 : int64_t(m_d.goroutines.back().goid);
                addRoot(RootKind::Frame, m_name, goroutineDetail(), goid);
                added = true;
            }
            rootTarget(v);
        });
        m_r.unpin();
        if (!m_d.goroutines.empty())
            m_d.goroutines.back().frames++;
        if (entry && !m_r.failed())
            m_functionAt.try_emplace(entry, m_name);
    }

    void readParams() {
        if (m_sawParams) {
            m_r.fail(ErrorCode::Format, m_at, "a second params record");
            return;
        }
        m_sawParams = true;
        m_d.bigEndian = m_r.uvarint() != 0;
        m_d.ptrSize = m_r.uvarint();
        m_d.arenaStart = m_r.uvarint();
        m_d.arenaEnd = m_r.uvarint();
        m_r.string(m_d.goArch);
        m_r.string(m_d.goVersion);
        m_d.ncpu = m_r.uvarint();
        if (!m_r.failed() && m_d.ptrSize != 4 && m_d.ptrSize != 8)
            m_r.fail(ErrorCode::Format, m_at, "pointer size " + std::to_string(m_d.ptrSize));
    }

    void readFinalizer(bool queued) {
        HeapDumpFinalizer f;
        f.queued = queued;
        f.object = m_r.uvarint();
        f.funcval = m_r.uvarint();
        f.pc = m_r.uvarint();
        m_r.uvarint(); // arg type
        m_r.uvarint(); // object pointer type
        if (m_r.failed())
            return;
        addRoot(f.queued ? RootKind::QueuedFinalizer : RootKind::Finalizer, unnamedFunction(f.pc),
                "object " + hexString(f.object), -1);
        m_d.rootAddr.back() = f.pc;
        m_rootFinalizer.back() = int32_t(m_d.finalizers.size());
        if (f.queued && f.object)
            rootTarget(f.object);
        if (f.funcval)
            rootTarget(f.funcval);
        m_d.finalizers.push_back(std::move(f));
    }

    void readItab() {
        m_r.uvarint();
        m_r.uvarint();
    }

    void readOsThread() {
        m_r.uvarint();
        m_r.uvarint();
        m_r.uvarint();
    }

    void readMemStats() {
        for (auto& v : m_d.memstats)
            v = m_r.uvarint();
        for (int i = 0; i < 256; ++i)
            m_r.uvarint();
        m_d.numGC = m_r.uvarint();
        m_d.hasMemStats = true;
    }

    // data and bss: each pointer slot a global root until symbols merge them.
    void readSegment(bool bss) {
        uint64_t seg = m_r.uvarint();
        uint64_t len = m_r.pinBytes();
        m_d.segments.push_back({bss, seg, len});
        const char* segName = bss ? "bss" : "data";
        readFields(len, [&](uint64_t off, uint64_t v) {
            addRoot(RootKind::Global, std::string(segName) + "+" + hexString(off), {}, -1);
            m_d.rootAddr.back() = seg + off;
            rootTarget(v);
        });
        m_r.unpin();
    }

    void readDefer() {
        m_r.uvarint(); // defer
        uint64_t gp = m_r.uvarint();
        m_r.uvarint(); // sp
        m_r.uvarint(); // pc
        uint64_t fn = m_r.uvarint();
        m_r.uvarint(); // code pc
        m_r.uvarint(); // link
        if (fn && !m_r.failed()) {
            addRoot(RootKind::Other, "defer", "g " + hexString(gp), -1);
            rootTarget(fn);
        }
    }

    void readPanic() {
        m_r.uvarint();
        uint64_t gp = m_r.uvarint();
        m_r.uvarint();
        uint64_t arg = m_r.uvarint();
        m_r.uvarint();
        m_r.uvarint();
        if (arg && !m_r.failed()) {
            addRoot(RootKind::Other, "panic", "g " + hexString(gp), -1);
            rootTarget(arg);
        }
    }

    void readMemProf() {
        MemProfBucket b;
        b.id = m_r.uvarint();
        b.size = m_r.uvarint();
        uint64_t n = m_r.uvarint();
        if (n > 4096) {
            m_r.fail(ErrorCode::Limit, m_at,
                     "memprof record with " + std::to_string(n) + " frames");
            return;
        }
        for (uint64_t i = 0; i < n && !m_r.failed(); ++i) {
            HeapDumpFrame f;
            m_r.string(f.function);
            m_r.string(f.file);
            f.line = int64_t(m_r.uvarint());
            b.frames.push_back(std::move(f));
        }
        b.allocs = m_r.uvarint();
        b.frees = m_r.uvarint();
        // Newer runtimes (go1.26 does) record the allocator's own frames
        // first, mallocgc then newobject, makeslice..., which would make
        // every site one. When a stack starts in mallocgc, drop its
        // leading runtime frames as pprof does, unless nothing else
        // remains. Older stacks start past the allocator and stay whole.
        if (!b.frames.empty() && b.frames[0].function == "runtime.mallocgc") {
            auto user = std::find_if(b.frames.begin(), b.frames.end(), [](const HeapDumpFrame& f) {
                return f.function.compare(0, 8, "runtime.") != 0;
            });
            if (user != b.frames.end())
                b.frames.erase(b.frames.begin(), user);
        }
        m_d.buckets.push_back(std::move(b));
    }

    void readAllocSample() {
        uint64_t a = m_r.uvarint();
        uint64_t b = m_r.uvarint();
        m_sampleRaw.emplace_back(a, b);
    }

    // Object pointers resolved in place: raw[2i], raw[2i+1] -> edges[w].
    void resolveObjectEdges(const AddressIndex& index) {
        size_t nobj = m_g.addr.size();
        size_t w = 0;
        for (size_t o = 0; o < nobj; ++o) {
            uint32_t from = m_g.edgeStart[o], to = m_g.edgeStart[o + 1];
            m_g.edgeStart[o] = uint32_t(w);
            for (uint32_t k = from; k < to; ++k) {
                uint64_t v = uint64_t(m_raw[2 * k]) | (uint64_t(m_raw[2 * k + 1]) << 32);
                uint32_t t = index.find(v);
                if (t != kNoNode)
                    m_raw[w++] = t;
            }
        }
        if (nobj)
            m_g.edgeStart[nobj] = uint32_t(w);
        m_raw.resize(w);
        m_raw.shrink_to_fit();
        m_g.edges = std::move(m_raw);
    }

    // Each finalizer's object, and its function named from a stack frame
    // when one ran it. Returns the object index per finalizer.
    std::vector<uint32_t> resolveFinalizers(const AddressIndex& index) {
        std::vector<uint32_t> finalizerObject(m_d.finalizers.size(), kNoNode);
        for (size_t i = 0; i < m_d.finalizers.size(); ++i) {
            finalizerObject[i] = index.find(m_d.finalizers[i].object);
            m_d.finalizers[i].objectIndex =
                finalizerObject[i] == kNoNode ? -1 : int32_t(finalizerObject[i]);
        }
        // A finalizer's code PC is its function's entry: a goroutine running it
        // (the finalizer goroutine, when it is stuck) names it without the binary.
        for (size_t e = 0; e < m_g.roots.size(); ++e) {
            int32_t fi = m_rootFinalizer[e];
            if (fi < 0)
                continue;
            auto& f = m_d.finalizers[fi];
            if (auto it = m_functionAt.find(f.pc); it != m_functionAt.end()) {
                f.function = it->second;
                m_g.roots[e].name = it->second;
            }
        }
        return finalizerObject;
    }

    // Roots onto objects: a registered finalizer keeps what its object points
    // to alive (not the object itself), a queued one the object too.
    void resolveRootEdges(const AddressIndex& index, const std::vector<uint32_t>& finalizerObject) {
        m_g.rootEdgeStart.assign(1, 0);
        for (size_t e = 0; e < m_g.roots.size(); ++e) {
            for (uint32_t k = m_rootRawStart[e]; k < m_rootRawStart[e + 1]; ++k) {
                uint32_t t = index.find(m_rootRaw[k]);
                if (t != kNoNode)
                    m_g.rootEdges.push_back(t);
            }
            int32_t fi = m_rootFinalizer[e];
            if (fi >= 0 && !m_d.finalizers[fi].queued && finalizerObject[fi] != kNoNode) {
                uint32_t o = finalizerObject[fi];
                for (uint32_t k = m_g.edgeStart[o]; k < m_g.edgeStart[o + 1]; ++k)
                    m_g.rootEdges.push_back(m_g.edges[k]);
            }
            m_g.rootEdgeStart.push_back(uint32_t(m_g.rootEdges.size()));
        }
    }

    // One allocation site per allocating function and line: the runtime keeps
    // a bucket per distinct stack (a recursive builder makes one per depth),
    // which is too fine to read. The first stack seen stands for the site.
    // Returns the site index per bucket id.
    std::unordered_map<uint64_t, uint32_t> mergeSites() {
        std::unordered_map<uint64_t, uint32_t> bucketIndex;
        std::map<std::tuple<std::string, std::string, int64_t>, uint32_t> siteOf;
        std::vector<MemProfBucket> sites;
        for (auto& b : m_d.buckets) {
            std::tuple<std::string, std::string, int64_t> key;
            if (!b.frames.empty())
                key = {b.frames[0].function, b.frames[0].file, b.frames[0].line};
            auto [it, fresh] = siteOf.try_emplace(key, uint32_t(sites.size()));
            if (fresh) {
                sites.push_back(std::move(b));
            } else {
                auto& s = sites[it->second];
                s.allocs += b.allocs;
                s.frees += b.frees;
                if (s.size != b.size)
                    s.size = 0; // mixed sizes
            }
            bucketIndex.emplace(b.id, it->second);
        }
        m_d.buckets = std::move(sites);
        return bucketIndex;
    }

    // The runtime records one sample per object; should a damaged dump name
    // an object twice, the last record stands, as it does for the stored graph.
    void resolveSamples(const AddressIndex& index,
                        const std::unordered_map<uint64_t, uint32_t>& bucketIndex) {
        std::vector<bool> sampled(m_g.objects(), false);
        for (size_t i = m_sampleRaw.size(); i-- > 0;) {
            const auto& [a, b] = m_sampleRaw[i];
            uint32_t o = index.find(a);
            auto it = bucketIndex.find(b);
            if (o != kNoNode && it != bucketIndex.end() && !sampled[o]) {
                sampled[o] = true;
                m_d.samples.emplace_back(o, it->second);
            }
        }
        std::reverse(m_d.samples.begin(), m_d.samples.end());
    }

    DumpReader m_r;
    HeapDump m_d;
    HeapGraph& m_g;
    uint64_t m_at = 0; // the current record's offset, for its errors
    bool m_sawParams = false;
    // Raw pointer values, two uint32 halves each, resolved in place later.
    std::vector<uint32_t> m_raw;
    std::vector<uint64_t> m_rootRaw;
    std::vector<uint32_t> m_rootRawStart{0};
    std::vector<int32_t> m_rootFinalizer; // per root: index into finalizers, or -1
    std::vector<uint64_t> m_fieldOffsets;
    std::vector<std::pair<uint64_t, uint64_t>> m_sampleRaw; // object addr, bucket id
    std::string m_name;
    std::unordered_map<uint64_t, std::string> m_functionAt; // entry PC -> name, from stack frames
};

} // namespace

Result<HeapDump> readHeapDump(ByteStream& in, const Progress& progress, uint64_t encodedSize) {
    {
        char magic[16];
        size_t got = 0;
        while (got < sizeof magic) {
            auto n = in.read(magic + got, sizeof magic - got);
            if (!n)
                return n.error();
            if (*n == 0)
                break;
            got += *n;
        }
        if (std::string_view(magic, got) != kHeapDumpMagic)
            return errorAt(ErrorCode::Format, 0,
                           "not a Go heap dump (no \"go1.7 heap dump\" header)");
    }
    // Large enough (a HeapDump, the raw pointers) to live on the heap.
    auto reader = std::make_unique<RecordReader>(in);
    if (auto st = reader->readRecords(progress, encodedSize); !st)
        return st.error();
    progress(encodedSize, encodedSize, "building the object graph");
    return reader->finish();
}

} // namespace memscope
