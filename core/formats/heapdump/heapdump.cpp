// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/heapdump/heapdump.h"

#include "formats/heapdump/elf_symbols.h"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <map>
#include <tuple>
#include <optional>
#include <sys/stat.h>

namespace memscope {

const char* heapDumpTagName(int tag) {
    static const char* names[kHeapDumpTags] = {
        "eof", "object", "otherroot", "type", "goroutine", "stackframe", "params", "finalizer", "itab",
        "osthread", "memstats", "queuedfinalizer", "data", "bss", "defer", "panic", "memprof",
        "allocsample"};
    return tag >= 0 && tag < kHeapDumpTags ? names[tag] : "?";
}

const char* rootKindName(RootKind k) {
    switch (k) {
    case RootKind::Global: return "global";
    case RootKind::Frame: return "frame";
    case RootKind::Finalizer: return "finalizer";
    case RootKind::QueuedFinalizer: return "queued_finalizer";
    case RootKind::Goroutine: return "goroutine";
    case RootKind::Other: return "other";
    }
    return "other";
}

namespace {
std::string hex(uint64_t v);
}
std::string unnamedFunction(uint64_t pc) { return "fn " + hex(pc); }
bool isUnnamedFunction(std::string_view name) { return name.substr(0, 5) == "fn 0x"; }

bool looksLikeHeapDump(std::string_view head) { return head.substr(0, kHeapDumpMagic.size()) == kHeapDumpMagic; }

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr size_t kMaxString = 16u << 20;

// Buffered reader of the dump's varints, strings and memory images. Errors are
// sticky: a failed read returns 0 and every later read fails too, so the record
// loop checks once per record.
class DumpReader {
public:
    explicit DumpReader(ByteStream& in) : m_in(in), m_buf(64u << 10) {}

    uint64_t offset() const { return m_base + m_pos; }
    bool failed() const { return m_error.has_value(); }
    const Error& error() const { return *m_error; }
    uint64_t encodedPosition() const { return m_in.position(); }

    void fail(ErrorCode code, uint64_t at, std::string msg) {
        if (!m_error)
            m_error = errorAt(code, at, std::move(msg));
    }

    uint64_t uvarint() {
        if (m_end - m_pos >= 10) {
            const auto* p = reinterpret_cast<const uint8_t*>(m_buf.data() + m_pos);
            uint64_t v = 0;
            for (int i = 0, shift = 0; i < 10; ++i, shift += 7) {
                v |= uint64_t(p[i] & 0x7f) << shift;
                if (!(p[i] & 0x80)) {
                    m_pos += i + 1;
                    return v;
                }
            }
            fail(ErrorCode::Format, offset(), "varint longer than 10 bytes");
            return 0;
        }
        uint64_t at = offset(), v = 0;
        for (int i = 0, shift = 0; i < 10; ++i, shift += 7) {
            if (!fill(1))
                return 0;
            uint8_t c = static_cast<uint8_t>(m_buf[m_pos++]);
            v |= uint64_t(c & 0x7f) << shift;
            if (!(c & 0x80))
                return v;
        }
        fail(ErrorCode::Format, at, "varint longer than 10 bytes");
        return 0;
    }

    void string(std::string& out) {
        uint64_t at = offset();
        uint64_t n = uvarint();
        if (failed())
            return;
        if (n > kMaxString) {
            fail(ErrorCode::Limit, at, "string of " + std::to_string(n) + " bytes (limit 16 MiB)");
            return;
        }
        if (!fill(n))
            return;
        out.assign(m_buf.data() + m_pos, n);
        m_pos += n;
    }
    void skipString() {
        uint64_t n = uvarint();
        if (!failed())
            skip(n);
    }
    void skip(uint64_t n) {
        while (n > 0 && !failed()) {
            if (m_pos == m_end && !fill(1))
                return;
            uint64_t k = std::min<uint64_t>(n, m_end - m_pos);
            m_pos += k;
            n -= k;
        }
    }

    // A memory image that stays readable (via pinned()) until unpin(), while
    // the fields after it are read.
    uint64_t pinBytes() {
        uint64_t at = offset();
        uint64_t n = uvarint();
        if (failed())
            return 0;
        if (n > (uint64_t(1) << 40)) {
            fail(ErrorCode::Limit, at, "memory image of " + std::to_string(n) + " bytes");
            return 0;
        }
        if (!fill(n))
            return 0;
        m_pin = m_pos;
        m_pos += n;
        return n;
    }
    const char* pinned() const { return m_buf.data() + m_pin; }
    void unpin() { m_pin = kNoPin; }

    bool atEnd() {
        return m_pos == m_end && !fill(1, /*eofOk=*/true);
    }

private:
    static constexpr size_t kNoPin = SIZE_MAX;

    bool fill(uint64_t need, bool eofOk = false) {
        if (failed())
            return false;
        if (m_end - m_pos >= need)
            return true;
        size_t keep = std::min(m_pos, m_pin);
        size_t live = m_end - keep;
        if (keep > 0) {
            std::memmove(m_buf.data(), m_buf.data() + keep, live);
            m_base += keep;
            m_pos -= keep;
            if (m_pin != kNoPin)
                m_pin -= keep;
            m_end = live;
        }
        // Grow only as bytes arrive: a length field claiming gigabytes costs
        // nothing until the input really holds them.
        size_t want = m_pos + need;
        while (m_end - m_pos < need) {
            if (m_end == m_buf.size())
                m_buf.resize(std::min<size_t>(want, m_buf.size() * 2));
            auto got = m_in.read(m_buf.data() + m_end, m_buf.size() - m_end);
            if (!got) {
                m_error = got.error();
                return false;
            }
            if (*got == 0) {
                if (!eofOk)
                    fail(ErrorCode::Truncated, offset(),
                         "the dump ends inside a record (needed " + std::to_string(need) +
                             " more bytes)");
                return false;
            }
            m_end += *got;
        }
        return true;
    }

    ByteStream& m_in;
    std::vector<char> m_buf;
    size_t m_pos = 0, m_end = 0, m_pin = kNoPin;
    uint64_t m_base = 0;
    std::optional<Error> m_error;
};

std::string hex(uint64_t v) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

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

    // Object index containing a, or kNone.
    uint32_t find(uint64_t a) const {
        if (a < m_lo || a >= m_hi)
            return kNone;
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
            return kNone;
        --k;
        uint32_t obj = m_order[k];
        return a < m_start[k] + m_g.objectSize(obj) ? obj : kNone;
    }

private:
    static constexpr int kPageShift = 13;
    const HeapGraph& m_g;
    std::vector<uint32_t> m_order;
    std::vector<uint64_t> m_start;
    std::vector<uint32_t> m_page;
    uint64_t m_lo = 0, m_hi = 0;
};

} // namespace

int64_t HeapGraph::findObject(uint64_t a) const {
    for (size_t i = 0; i < addr.size(); ++i)
        if (a >= addr[i] && a < addr[i] + objectSize(uint32_t(i)))
            return int64_t(i);
    return -1;
}

Result<HeapDump> readHeapDump(ByteStream& in, const Progress& progress, uint64_t encodedSize) {
    DumpReader r(in);
    HeapDump d;
    HeapGraph& g = d.graph;
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
            return errorAt(ErrorCode::Format, 0, "not a Go heap dump (no \"go1.7 heap dump\" header)");
    }
    // r starts after the header: its offsets are relative to byte 16.
    const uint64_t hdr = kHeapDumpMagic.size();

    // Raw pointer values, two uint32 halves each, resolved in place later.
    std::vector<uint32_t> raw;
    g.edgeStart.push_back(0);
    std::vector<uint64_t> rootRaw;
    std::vector<uint32_t> rootRawStart{0};
    std::vector<int32_t> rootFinalizer; // per root: index into d.finalizers, or -1
    std::vector<uint64_t> fieldOffsets;
    std::vector<std::pair<uint64_t, uint64_t>> sampleRaw; // object addr, bucket id
    std::string name;
    std::unordered_map<uint64_t, std::string> functionAt; // entry PC -> name, from stack frames
    bool sawParams = false;
    uint64_t nextReport = 0;

    auto word = [&](const char* p) -> uint64_t {
        uint64_t v = 0;
        int n = int(d.ptrSize);
        for (int i = 0; i < n; ++i) {
            uint8_t c = static_cast<uint8_t>(p[i]);
            if (d.bigEndian)
                v = (v << 8) | c;
            else
                v |= uint64_t(c) << (8 * i);
        }
        return v;
    };
    // Reads a fields list; appends each pointer word inside [0, len) of the
    // pinned image, skipping nils.
    auto readFields = [&](uint64_t len, auto&& sink) {
        fieldOffsets.clear();
        for (;;) {
            uint64_t at = r.offset();
            uint64_t kind = r.uvarint();
            if (r.failed() || kind == 0)
                break;
            uint64_t off = r.uvarint();
            if (kind != 1 && kind != 2 && kind != 3) {
                r.fail(ErrorCode::Format, at, "unknown field kind " + std::to_string(kind));
                break;
            }
            // Legacy iface/eface fields: the data word follows the type word.
            // Checked without adding to off, which may be near 2^64.
            uint64_t words = kind == 1 ? 1 : 2;
            if (off > len || (len - off) / d.ptrSize < words) {
                r.fail(ErrorCode::Format, at,
                       "pointer field at offset " + std::to_string(off) + " beyond its " +
                           std::to_string(len) + "-byte image");
                break;
            }
            fieldOffsets.push_back(off + (words - 1) * d.ptrSize);
        }
        if (r.failed())
            return;
        const char* base = r.pinned();
        for (uint64_t off : fieldOffsets) {
            uint64_t v = word(base + off);
            if (v != 0)
                sink(off, v);
        }
    };
    auto addRoot = [&](RootKind kind, std::string nm, std::string detail, int64_t goid) {
        rootRawStart.push_back(uint32_t(rootRaw.size()));
        g.roots.push_back({kind, std::move(nm), std::move(detail), goid});
        rootFinalizer.push_back(-1);
        d.rootAddr.push_back(0);
    };
    auto rootTarget = [&](uint64_t v) {
        rootRaw.push_back(v);
        rootRawStart.back() = uint32_t(rootRaw.size());
    };
    auto goroutineDetail = [&]() -> std::string {
        if (d.goroutines.empty())
            return {};
        const auto& gr = d.goroutines.back();
        std::string s = "goroutine " + std::to_string(gr.goid);
        if (!gr.waitReason.empty())
            s += " [" + gr.waitReason + "]";
        return s;
    };

    for (;;) {
        if (r.atEnd()) {
            if (r.failed())
                break;
            r.fail(ErrorCode::Truncated, r.offset(), "the dump ends without its eof record");
            break;
        }
        uint64_t at = hdr + r.offset();
        if (at >= nextReport) {
            progress(encodedSize ? r.encodedPosition() : at, encodedSize, "reading heap dump");
            if (progress.cancelled())
                return makeError(ErrorCode::Cancelled, "cancelled");
            nextReport = at + (8u << 20);
        }
        uint64_t tag = r.uvarint();
        if (r.failed())
            break;
        if (tag >= uint64_t(kHeapDumpTags)) {
            r.fail(ErrorCode::Format, at - hdr, "unknown record tag " + std::to_string(tag));
            break;
        }
        if (!sawParams && tag != uint64_t(HeapDumpTag::Params) && tag != 0) {
            r.fail(ErrorCode::Format, at - hdr,
                   std::string("a ") + heapDumpTagName(int(tag)) + " record before the params record");
            break;
        }
        d.recordCounts[tag]++;
        switch (HeapDumpTag(tag)) {
        case HeapDumpTag::Eof:
            break;
        case HeapDumpTag::Object: {
            uint64_t a = r.uvarint();
            uint64_t len = r.pinBytes();
            readFields(len, [&](uint64_t, uint64_t v) {
                if (d.arenaEnd <= d.arenaStart || (v >= d.arenaStart && v < d.arenaEnd)) {
                    raw.push_back(uint32_t(v));
                    raw.push_back(uint32_t(v >> 32));
                }
            });
            r.unpin();
            if (r.failed())
                break;
            if (g.addr.size() >= kNone - 1) {
                r.fail(ErrorCode::Limit, at - hdr, "more than 4 billion objects");
                break;
            }
            uint32_t idx = uint32_t(g.addr.size());
            g.addr.push_back(a);
            if (len >= kNone) {
                g.size.push_back(kNone);
                g.hugeSize[idx] = len;
            } else {
                g.size.push_back(uint32_t(len));
            }
            d.objectBytes += len;
            if (raw.size() / 2 >= kNone) {
                r.fail(ErrorCode::Limit, at - hdr, "more than 4 billion pointers");
                break;
            }
            g.edgeStart.push_back(uint32_t(raw.size() / 2));
            break;
        }
        case HeapDumpTag::OtherRoot: {
            r.string(name);
            uint64_t p = r.uvarint();
            addRoot(RootKind::Other, name, {}, -1);
            if (p)
                rootTarget(p);
            break;
        }
        case HeapDumpTag::Type:
            r.uvarint();
            r.uvarint();
            r.skipString();
            r.uvarint();
            break;
        case HeapDumpTag::Goroutine: {
            HeapDumpGoroutine gr;
            r.uvarint(); // g
            r.uvarint(); // sp
            gr.goid = r.uvarint();
            gr.gopc = r.uvarint();
            gr.status = r.uvarint();
            gr.system = r.uvarint() != 0;
            r.uvarint(); // is_background
            gr.waitSinceNs = r.uvarint();
            r.string(gr.waitReason);
            uint64_t ctxt = r.uvarint();
            r.uvarint(); // m
            uint64_t deferp = r.uvarint();
            uint64_t panicp = r.uvarint();
            if (r.failed())
                break;
            d.goroutines.push_back(std::move(gr));
            if (ctxt || deferp || panicp) {
                addRoot(RootKind::Goroutine, "goroutine " + std::to_string(d.goroutines.back().goid),
                        goroutineDetail(), int64_t(d.goroutines.back().goid));
                for (uint64_t p : {ctxt, deferp, panicp})
                    if (p)
                        rootTarget(p);
            }
            break;
        }
        case HeapDumpTag::StackFrame: {
            r.uvarint(); // sp
            r.uvarint(); // depth
            r.uvarint(); // child sp
            uint64_t len = r.pinBytes();
            uint64_t entry = r.uvarint();
            r.uvarint(); // pc
            r.uvarint(); // continuation pc
            r.string(name);
            bool added = false;
            readFields(len, [&](uint64_t, uint64_t v) {
                if (!added) {
                    int64_t goid = d.goroutines.empty() ? -1 : int64_t(d.goroutines.back().goid);
                    addRoot(RootKind::Frame, name, goroutineDetail(), goid);
                    added = true;
                }
                rootTarget(v);
            });
            r.unpin();
            if (!d.goroutines.empty())
                d.goroutines.back().frames++;
            if (entry && !r.failed())
                functionAt.try_emplace(entry, name);
            break;
        }
        case HeapDumpTag::Params: {
            if (sawParams) {
                r.fail(ErrorCode::Format, at - hdr, "a second params record");
                break;
            }
            sawParams = true;
            d.bigEndian = r.uvarint() != 0;
            d.ptrSize = r.uvarint();
            d.arenaStart = r.uvarint();
            d.arenaEnd = r.uvarint();
            r.string(d.goArch);
            r.string(d.goVersion);
            d.ncpu = r.uvarint();
            if (!r.failed() && d.ptrSize != 4 && d.ptrSize != 8)
                r.fail(ErrorCode::Format, at - hdr, "pointer size " + std::to_string(d.ptrSize));
            break;
        }
        case HeapDumpTag::Finalizer:
        case HeapDumpTag::QueuedFinalizer: {
            HeapDumpFinalizer f;
            f.queued = tag == uint64_t(HeapDumpTag::QueuedFinalizer);
            f.object = r.uvarint();
            f.funcval = r.uvarint();
            f.pc = r.uvarint();
            r.uvarint(); // arg type
            r.uvarint(); // object pointer type
            if (r.failed())
                break;
            addRoot(f.queued ? RootKind::QueuedFinalizer : RootKind::Finalizer, unnamedFunction(f.pc),
                    "object " + hex(f.object), -1);
            d.rootAddr.back() = f.pc;
            rootFinalizer.back() = int32_t(d.finalizers.size());
            if (f.queued && f.object)
                rootTarget(f.object);
            if (f.funcval)
                rootTarget(f.funcval);
            d.finalizers.push_back(std::move(f));
            break;
        }
        case HeapDumpTag::Itab:
            r.uvarint();
            r.uvarint();
            break;
        case HeapDumpTag::OsThread:
            r.uvarint();
            r.uvarint();
            r.uvarint();
            break;
        case HeapDumpTag::MemStats:
            for (auto& v : d.memstats)
                v = r.uvarint();
            for (int i = 0; i < 256; ++i)
                r.uvarint();
            d.numGC = r.uvarint();
            d.hasMemStats = true;
            break;
        case HeapDumpTag::Data:
        case HeapDumpTag::Bss: {
            bool bss = tag == uint64_t(HeapDumpTag::Bss);
            uint64_t seg = r.uvarint();
            uint64_t len = r.pinBytes();
            d.segments.push_back({bss, seg, len});
            const char* segName = bss ? "bss" : "data";
            readFields(len, [&](uint64_t off, uint64_t v) {
                addRoot(RootKind::Global, std::string(segName) + "+" + hex(off), {}, -1);
                d.rootAddr.back() = seg + off;
                rootTarget(v);
            });
            r.unpin();
            break;
        }
        case HeapDumpTag::Defer: {
            r.uvarint(); // defer
            uint64_t gp = r.uvarint();
            r.uvarint(); // sp
            r.uvarint(); // pc
            uint64_t fn = r.uvarint();
            r.uvarint(); // code pc
            r.uvarint(); // link
            if (fn && !r.failed()) {
                addRoot(RootKind::Other, "defer", "g " + hex(gp), -1);
                rootTarget(fn);
            }
            break;
        }
        case HeapDumpTag::Panic: {
            r.uvarint();
            uint64_t gp = r.uvarint();
            r.uvarint();
            uint64_t arg = r.uvarint();
            r.uvarint();
            r.uvarint();
            if (arg && !r.failed()) {
                addRoot(RootKind::Other, "panic", "g " + hex(gp), -1);
                rootTarget(arg);
            }
            break;
        }
        case HeapDumpTag::MemProf: {
            MemProfBucket b;
            b.id = r.uvarint();
            b.size = r.uvarint();
            uint64_t n = r.uvarint();
            if (n > 4096) {
                r.fail(ErrorCode::Limit, at - hdr, "memprof record with " + std::to_string(n) + " frames");
                break;
            }
            for (uint64_t i = 0; i < n && !r.failed(); ++i) {
                HeapDumpFrame f;
                r.string(f.function);
                r.string(f.file);
                f.line = int64_t(r.uvarint());
                b.frames.push_back(std::move(f));
            }
            b.allocs = r.uvarint();
            b.frees = r.uvarint();
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
            d.buckets.push_back(std::move(b));
            break;
        }
        case HeapDumpTag::AllocSample: {
            uint64_t a = r.uvarint();
            uint64_t b = r.uvarint();
            sampleRaw.emplace_back(a, b);
            break;
        }
        }
        if (r.failed() || tag == 0)
            break;
    }
    if (r.failed()) {
        Error e = r.error();
        if (e.offset && e.code != ErrorCode::Io)
            e.offset = *e.offset + hdr;
        return e;
    }
    d.decodedBytes = hdr + r.offset();
    progress(encodedSize, encodedSize, "building the object graph");

    // Resolve object pointers in place: raw[2i], raw[2i+1] -> edges[w].
    AddressIndex index(g);
    size_t nobj = g.addr.size();
    size_t w = 0;
    for (size_t o = 0; o < nobj; ++o) {
        uint32_t from = g.edgeStart[o], to = g.edgeStart[o + 1];
        g.edgeStart[o] = uint32_t(w);
        for (uint32_t k = from; k < to; ++k) {
            uint64_t v = uint64_t(raw[2 * k]) | (uint64_t(raw[2 * k + 1]) << 32);
            uint32_t t = index.find(v);
            if (t != kNone)
                raw[w++] = t;
        }
    }
    if (nobj)
        g.edgeStart[nobj] = uint32_t(w);
    raw.resize(w);
    raw.shrink_to_fit();
    g.edges = std::move(raw);

    // Roots: resolve targets; a registered finalizer keeps what its object
    // points to alive (not the object itself), a queued one the object too.
    std::vector<uint32_t> finalizerObject(d.finalizers.size(), kNone);
    for (size_t i = 0; i < d.finalizers.size(); ++i) {
        finalizerObject[i] = index.find(d.finalizers[i].object);
        d.finalizers[i].objectIndex =
            finalizerObject[i] == kNone ? -1 : int32_t(finalizerObject[i]);
    }
    // A finalizer's code PC is its function's entry: a goroutine running it
    // (the finalizer goroutine, when it is stuck) names it without the binary.
    for (size_t e = 0; e < g.roots.size(); ++e) {
        int32_t fi = rootFinalizer[e];
        if (fi < 0)
            continue;
        auto& f = d.finalizers[fi];
        if (auto it = functionAt.find(f.pc); it != functionAt.end()) {
            f.function = it->second;
            g.roots[e].name = it->second;
        }
    }
    g.rootEdgeStart.assign(1, 0);
    for (size_t e = 0; e < g.roots.size(); ++e) {
        for (uint32_t k = rootRawStart[e]; k < rootRawStart[e + 1]; ++k) {
            uint32_t t = index.find(rootRaw[k]);
            if (t != kNone)
                g.rootEdges.push_back(t);
        }
        int32_t fi = rootFinalizer[e];
        if (fi >= 0 && !d.finalizers[fi].queued && finalizerObject[fi] != kNone) {
            uint32_t o = finalizerObject[fi];
            for (uint32_t k = g.edgeStart[o]; k < g.edgeStart[o + 1]; ++k)
                g.rootEdges.push_back(g.edges[k]);
        }
        g.rootEdgeStart.push_back(uint32_t(g.rootEdges.size()));
    }
    // One allocation site per allocating function and line: the runtime keeps
    // a bucket per distinct stack (a recursive builder makes one per depth),
    // which is too fine to read. The first stack seen stands for the site.
    std::unordered_map<uint64_t, uint32_t> bucketIndex;
    {
        std::map<std::tuple<std::string, std::string, int64_t>, uint32_t> siteOf;
        std::vector<MemProfBucket> sites;
        for (auto& b : d.buckets) {
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
        d.buckets = std::move(sites);
    }
    // The runtime records one sample per object; should a damaged dump name
    // an object twice, the last record stands, as it does for the stored graph.
    std::vector<bool> sampled(g.objects(), false);
    for (size_t i = sampleRaw.size(); i-- > 0;) {
        const auto& [a, b] = sampleRaw[i];
        uint32_t o = index.find(a);
        auto it = bucketIndex.find(b);
        if (o != kNone && it != bucketIndex.end() && !sampled[o]) {
            sampled[o] = true;
            d.samples.emplace_back(o, it->second);
        }
    }
    std::reverse(d.samples.begin(), d.samples.end());
    return d;
}

void applySymbols(HeapDump& d, const ElfSymbols& syms) {
    HeapGraph& g = d.graph;
    for (auto& f : d.finalizers)
        if (const auto* s = syms.function(f.pc))
            f.function = s->name;
    // Name each global slot by its symbol and merge neighbouring slots of one
    // symbol into one root; name finalizer roots by their function.
    std::vector<RootEntity> roots;
    std::vector<uint64_t> rootAddr;
    std::vector<uint32_t> start{0}, targets;
    for (size_t e = 0; e < g.roots.size(); ++e) {
        RootEntity r = g.roots[e];
        uint64_t a = d.rootAddr[e];
        bool merged = false;
        if (r.kind == RootKind::Global) {
            if (const auto* s = syms.object(a)) {
                std::string seg = r.name.substr(0, r.name.find('+'));
                r.detail = seg + " " + hex(s->addr) + " +" + std::to_string(a - s->addr);
                r.name = s->name;
                merged = !roots.empty() && roots.back().kind == RootKind::Global &&
                         roots.back().name == r.name;
            }
        } else if (r.kind == RootKind::Finalizer || r.kind == RootKind::QueuedFinalizer) {
            if (const auto* s = syms.function(a))
                r.name = s->name;
        }
        if (!merged) {
            roots.push_back(std::move(r));
            rootAddr.push_back(a);
            start.push_back(start.back());
        }
        for (uint32_t k = g.rootEdgeStart[e]; k < g.rootEdgeStart[e + 1]; ++k)
            targets.push_back(g.rootEdges[k]);
        start.back() = uint32_t(targets.size());
    }
    g.roots = std::move(roots);
    d.rootAddr = std::move(rootAddr);
    g.rootEdgeStart = std::move(start);
    g.rootEdges = std::move(targets);
    d.symbolsFrom = syms.path();
}

Dominators computeDominators(const HeapGraph& g) {
    const size_t n = g.nodes();
    Dominators dom;

    // 1. Depth-first preorder from the virtual root, iteratively.
    std::vector<uint32_t> dfn(n, kNone), vertex, parent;
    vertex.reserve(n);
    parent.reserve(n);
    {
        struct Frame {
            uint32_t node, next, end;
        };
        std::vector<Frame> stack;
        auto range = [&](uint32_t v, uint32_t& b, uint32_t& e) {
            if (v == 0) {
                b = 0;
                e = uint32_t(g.roots.size());
            } else if (!g.isObjectNode(v)) {
                b = g.rootEdgeStart[v - 1];
                e = g.rootEdgeStart[v];
            } else {
                uint32_t o = g.nodeObject(v);
                b = g.edgeStart[o];
                e = g.edgeStart[o + 1];
            }
        };
        auto target = [&](uint32_t v, uint32_t k) -> uint32_t {
            if (v == 0)
                return k + 1;
            if (!g.isObjectNode(v))
                return g.objectNode(g.rootEdges[k]);
            return g.objectNode(g.edges[k]);
        };
        auto visit = [&](uint32_t v, uint32_t par) {
            dfn[v] = uint32_t(vertex.size());
            vertex.push_back(v);
            parent.push_back(par);
            uint32_t b, e;
            range(v, b, e);
            stack.push_back({v, b, e});
        };
        visit(0, 0);
        while (!stack.empty()) {
            Frame& f = stack.back();
            if (f.next == f.end) {
                stack.pop_back();
                continue;
            }
            uint32_t w = target(f.node, f.next++);
            if (dfn[w] == kNone)
                visit(w, dfn[f.node]);
        }
    }
    const uint32_t nr = uint32_t(vertex.size());

    // 2. Predecessors in preorder numbers.
    std::vector<uint32_t> predStart(nr + 1, 0), preds;
    auto forSucc = [&](uint32_t v, auto&& f) { g.forEachSuccessor(v, f); };
    for (uint32_t i = 0; i < nr; ++i)
        forSucc(vertex[i], [&](uint32_t w) { predStart[dfn[w] + 1]++; });
    for (uint32_t i = 0; i < nr; ++i)
        predStart[i + 1] += predStart[i];
    preds.resize(predStart[nr]);
    {
        std::vector<uint32_t> fillPos(predStart.begin(), predStart.end() - 1);
        for (uint32_t i = 0; i < nr; ++i)
            forSucc(vertex[i], [&](uint32_t w) { preds[fillPos[dfn[w]]++] = i; });
    }

    // 3. Lengauer-Tarjan with path compression: O(m log n) whatever the
    // shape. (Semi-NCA's walk up the dominator tree from each node's parent
    // to its semidominator is quadratic on a long chain whose tail holds many
    // objects that something near its head holds too.) Vertices are
    // processed from the last preorder number down; those >= `linked` are in
    // the forest. label[] keeps the vertex of least semidominator on the
    // compressed path. No memory for buckets: a vertex's bucket is a list
    // whose head sits in its ancestor[] slot until it is linked (the bucket
    // is empty by then), whose links sit in parent[], free once a vertex is
    // processed, and which then receives the vertex's dominator.
    std::vector<uint32_t>().swap(dfn);
    std::vector<uint32_t> semi(nr), label(nr), ancestor(nr, kNone), chain;
    for (uint32_t i = 0; i < nr; ++i)
        label[i] = semi[i] = i;
    uint32_t linked = nr;
    auto inForest = [&](uint32_t x) { return x >= linked; };
    auto compress = [&](uint32_t v) {
        chain.clear();
        uint32_t u = v;
        while (inForest(ancestor[u])) {
            chain.push_back(u);
            u = ancestor[u];
        }
        for (size_t k = chain.size(); k-- > 0;) {
            uint32_t x = chain[k];
            uint32_t a = ancestor[x];
            if (semi[label[a]] < semi[label[x]])
                label[x] = label[a];
            ancestor[x] = ancestor[a];
        }
    };
    auto eval = [&](uint32_t v) -> uint32_t {
        if (!inForest(v))
            return v;
        if (inForest(ancestor[v]))
            compress(v);
        return label[v];
    };
    std::vector<uint32_t>& dom_ = parent; // parent[w], then bucket link, then idom
    for (uint32_t w = nr; w-- > 1;) {
        const uint32_t p = parent[w];
        uint32_t s = semi[w];
        for (uint32_t k = predStart[w]; k < predStart[w + 1]; ++k) {
            uint32_t u = eval(preds[k]);
            if (semi[u] < s)
                s = semi[u];
        }
        semi[w] = s;
        dom_[w] = ancestor[s]; // into s's bucket (s < w: not linked yet)
        ancestor[s] = w;
        ancestor[w] = p; // w's own bucket was emptied by its children
        linked = w;
        for (uint32_t v = ancestor[p]; v != kNone;) {
            uint32_t next = dom_[v];
            uint32_t u = eval(v);
            dom_[v] = semi[u] < semi[v] ? u : p;
            v = next;
        }
        ancestor[p] = kNone;
    }
    std::vector<uint32_t>().swap(preds);
    std::vector<uint32_t>().swap(predStart);
    std::vector<uint32_t>().swap(label);
    std::vector<uint32_t>().swap(ancestor);
    // Dominators in preorder numbers, ancestors first.
    std::vector<uint32_t>& idomPre = dom_;
    if (nr > 0)
        idomPre[0] = 0;
    for (uint32_t w = 1; w < nr; ++w)
        if (idomPre[w] != semi[w])
            idomPre[w] = idomPre[idomPre[w]];
    std::vector<uint32_t>().swap(semi);

    // 4. Back to node ids, and retained sizes bottom-up.
    dom.idom.assign(n, kNone);
    dom.idom[0] = 0;
    for (uint32_t w = 1; w < nr; ++w)
        dom.idom[vertex[w]] = vertex[idomPre[w]];
    std::vector<uint32_t>().swap(parent);
    dom.retained.assign(n, 0);
    for (uint32_t w = nr; w-- > 1;) {
        uint32_t v = vertex[w];
        if (g.isObjectNode(v)) {
            uint64_t s = g.objectSize(g.nodeObject(v));
            dom.retained[v] += s;
            dom.reachableObjects++;
            dom.reachableBytes += s;
        }
        dom.retained[dom.idom[v]] += dom.retained[v];
    }
    dom.retained[0] = dom.reachableBytes;
    return dom;
}

HeapDumpSummary summarizeHeapDump(const HeapDump& d, const Dominators& dom) {
    const HeapGraph& g = d.graph;
    HeapDumpSummary s;
    s.objects = g.objects();
    s.bytes = d.objectBytes;
    s.edges = g.edges.size();
    s.reachableObjects = dom.reachableObjects;
    s.reachableBytes = dom.reachableBytes;
    s.unreachableObjects = s.objects - s.reachableObjects;
    s.unreachableBytes = s.bytes - s.reachableBytes;
    s.goroutines = d.goroutines.size();
    const size_t n = g.nodes();

    // One depth-first walk of the dominator tree, without a stack: children
    // as sibling lists, and idom leads back up. On the way down each node
    // learns which root entity dominates it (0 = several), and each sampled
    // object whether a sampled object of its own site (nestedSame), or any
    // sampled object (nestedAny), dominates it: a count per site of the
    // sampled objects on the current path answers both in O(1), so the walk
    // is linear however deep chains of sampled objects nest.
    std::vector<int32_t> bucketOf(g.objects(), -1);
    for (const auto& [o, b] : d.samples)
        bucketOf[o] = int32_t(b);
    std::vector<uint32_t> firstChild(n, kNone), nextSibling(n, kNone);
    for (uint32_t v = uint32_t(n); v-- > 1;)
        if (dom.idom[v] != kNone) {
            nextSibling[v] = firstChild[dom.idom[v]];
            firstChild[dom.idom[v]] = v;
        }
    constexpr uint8_t kNestedSame = 1, kNestedAny = 2;
    std::vector<uint8_t> nested(g.objects(), 0);
    std::vector<uint32_t> rootOf(n, 0);
    std::vector<uint64_t> onPath(d.buckets.size(), 0);
    uint64_t onPathAny = 0;
    auto sampledBucket = [&](uint32_t v) -> int32_t {
        return g.isObjectNode(v) ? bucketOf[g.nodeObject(v)] : -1;
    };
    auto enter = [&](uint32_t v) {
        uint32_t p = dom.idom[v];
        rootOf[v] = p == 0 ? (g.isObjectNode(v) ? 0 : v) : rootOf[p];
        int32_t b = sampledBucket(v);
        if (b < 0)
            return;
        if (size_t(b) >= onPath.size())
            onPath.resize(size_t(b) + 1, 0);
        nested[g.nodeObject(v)] = (onPath[size_t(b)] ? kNestedSame : 0) | (onPathAny ? kNestedAny : 0);
        onPath[size_t(b)]++;
        onPathAny++;
    };
    auto leave = [&](uint32_t v) {
        int32_t b = sampledBucket(v);
        if (b < 0)
            return;
        onPath[size_t(b)]--;
        onPathAny--;
    };
    for (uint32_t v = 0;;) {
        if (firstChild[v] != kNone) {
            v = firstChild[v];
            enter(v);
            continue;
        }
        bool done = false;
        for (;;) {
            leave(v);
            if (v == 0) {
                done = true;
                break;
            }
            if (nextSibling[v] != kNone) {
                v = nextSibling[v];
                enter(v);
                break;
            }
            v = dom.idom[v];
        }
        if (done)
            break;
    }
    std::vector<uint32_t>().swap(firstChild);
    std::vector<uint32_t>().swap(nextSibling);
    // The objects a root entity retains are those it alone dominates.
    std::vector<uint64_t> retainedCount(g.roots.size() + 1, 0);
    for (uint32_t o = 0; o < g.objects(); ++o) {
        uint32_t v = g.objectNode(o);
        if (dom.idom[v] != kNone)
            retainedCount[rootOf[v]]++;
    }

    for (uint32_t r = 0; r < g.roots.size(); ++r) {
        uint32_t node = r + 1;
        if (dom.retained[node] == 0)
            continue;
        const auto& e = g.roots[r];
        s.roots.push_back({r, e.kind, e.name, e.detail,
                           uint64_t(g.rootEdgeStart[r + 1] - g.rootEdgeStart[r]), dom.retained[node],
                           retainedCount[node]});
    }
    std::sort(s.roots.begin(), s.roots.end(), [](const auto& a, const auto& b) {
        return a.retainedBytes != b.retainedBytes ? a.retainedBytes > b.retainedBytes : a.index < b.index;
    });

    std::map<uint32_t, HeapDumpSummary::SiteRow> sites;
    std::map<std::pair<uint32_t, uint32_t>, HeapDumpSummary::RootSiteEdge> edges;
    for (const auto& [o, b] : d.samples) {
        uint32_t v = g.objectNode(o);
        auto& row = sites[b];
        row.bucket = b;
        row.sampledObjects++;
        row.sampledBytes += g.objectSize(o);
        s.sampledObjects++;
        s.sampledBytes += g.objectSize(o);
        if (dom.idom[v] == kNone)
            continue;
        bool nestedSame = nested[o] & kNestedSame, nestedAny = nested[o] & kNestedAny;
        if (!nestedSame) {
            row.retainedBytes += dom.retained[v];
            auto& e = edges[{rootOf[v], b}];
            e.root = rootOf[v];
            e.bucket = b;
            e.retainedBytes += dom.retained[v];
            e.objects++;
        }
        if (!nestedAny)
            s.sampledRetainedBytes += dom.retained[v];
    }
    // A finalizer's own object, when sampled, is "held" by that finalizer's
    // root too: that is where the objects waiting on it were allocated.
    {
        std::vector<uint32_t> finRoot;
        for (uint32_t r = 0; r < g.roots.size(); ++r)
            if (g.roots[r].kind == RootKind::Finalizer || g.roots[r].kind == RootKind::QueuedFinalizer)
                finRoot.push_back(r + 1);
        for (size_t i = 0; i < d.finalizers.size() && i < finRoot.size(); ++i) {
            int32_t o = d.finalizers[i].objectIndex;
            if (o < 0 || bucketOf[size_t(o)] < 0)
                continue;
            uint32_t v = g.objectNode(uint32_t(o));
            if (dom.idom[v] == kNone || rootOf[v] == finRoot[i])
                continue; // unreachable, or already counted under this root
            auto& e = edges[{finRoot[i], uint32_t(bucketOf[size_t(o)])}];
            e.root = finRoot[i];
            e.bucket = uint32_t(bucketOf[size_t(o)]);
            e.retainedBytes += dom.retained[v];
            e.objects++;
        }
    }
    for (auto& [b, row] : sites)
        s.sites.push_back(row);
    std::sort(s.sites.begin(), s.sites.end(), [](const auto& a, const auto& b) {
        return a.retainedBytes != b.retainedBytes ? a.retainedBytes > b.retainedBytes : a.bucket < b.bucket;
    });
    for (auto& [k, e] : edges)
        s.rootSites.push_back(e);
    std::sort(s.rootSites.begin(), s.rootSites.end(),
              [](const auto& a, const auto& b) { return a.retainedBytes > b.retainedBytes; });

    std::map<std::string, HeapDumpSummary::FinalizerRow> fins;
    for (const auto& f : d.finalizers) {
        std::string fn = f.function.empty() ? unnamedFunction(f.pc) : f.function;
        auto& row = fins[fn];
        row.function = fn;
        row.pc = f.pc;
        (f.queued ? row.queued : row.registered)++;
        (f.queued ? s.finalizersQueued : s.finalizersRegistered)++;
        if (f.objectIndex >= 0) {
            uint64_t ret = dom.retained[g.objectNode(uint32_t(f.objectIndex))];
            row.retainedBytes += ret;
            s.finalizerRetainedBytes += ret;
        }
    }
    for (auto& [k, row] : fins)
        s.finalizers.push_back(row);
    std::sort(s.finalizers.begin(), s.finalizers.end(), [](const auto& a, const auto& b) {
        return a.registered + a.queued > b.registered + b.queued;
    });
    return s;
}

std::vector<std::vector<uint32_t>> pathsToRoots(const HeapGraph& g, uint32_t objectIndex,
                                                size_t maxPaths) {
    const size_t n = g.nodes();
    const uint32_t target = g.objectNode(objectIndex);
    std::vector<uint32_t> parent(n, kNone);
    std::vector<uint32_t> queue;
    queue.reserve(1024);
    parent[0] = 0;
    queue.push_back(0);
    bool found = false;
    for (size_t i = 0; i < queue.size() && !found; ++i) {
        uint32_t v = queue[i];
        g.forEachSuccessor(v, [&](uint32_t w) {
            if (parent[w] == kNone) {
                parent[w] = v;
                queue.push_back(w);
                if (w == target)
                    found = true;
            }
        });
    }
    std::vector<std::vector<uint32_t>> paths;
    if (!found)
        return paths;
    auto chainTo = [&](uint32_t v) {
        std::vector<uint32_t> p;
        for (uint32_t u = v; u != 0; u = parent[u])
            p.push_back(u);
        std::reverse(p.begin(), p.end());
        return p;
    };
    paths.push_back(chainTo(target));
    // Other shortest chains: predecessors of the target as near the roots as
    // the first one's last hop.
    size_t depth = paths.front().size();
    uint32_t first = parent[target];
    for (uint32_t v : queue) {
        if (paths.size() >= maxPaths)
            break;
        if (v == first || v == 0)
            continue;
        bool pointsAt = false;
        g.forEachSuccessor(v, [&](uint32_t w) { pointsAt |= w == target; });
        if (!pointsAt)
            continue;
        auto p = chainTo(v);
        if (p.size() + 1 > depth)
            break; // queue order is by depth
        p.push_back(target);
        paths.push_back(std::move(p));
    }
    return paths;
}

PathElision elidePath(size_t steps, size_t maxHops) {
    if (maxHops == 0 || steps <= maxHops)
        return {steps, 0, 0};
    maxHops = std::max<size_t>(maxHops, 2);
    PathElision e;
    e.head = (maxHops + 1) / 2;
    e.tail = maxHops / 2;
    e.elided = steps - e.head - e.tail;
    return e;
}

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
        if (!take(&n, 8) || (expect != UINT64_MAX && n != expect) || n > (m_b.size() - m_pos) / sizeof(T)) {
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

constexpr char kBlobMagic[8] = {'M', 'S', 'H', 'G', '0', '0', '0', '1'};

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
    return zstdCompress(out, 1);
}

Result<StoredHeapGraph> decodeHeapGraph(std::string_view blob, uint64_t maxDecoded) {
    auto raw = zstdDecompress(blob, maxDecoded);
    if (!raw)
        return raw.error();
    if (raw->size() < 8 || std::memcmp(raw->data(), kBlobMagic, 8) != 0)
        return makeError(ErrorCode::Format, "stored heap graph has an unknown layout");
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
        if (g.rootEdgeStart[i] > g.rootEdgeStart[i + 1] || g.rootEdgeStart[i + 1] > g.rootEdges.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (uint32_t v : s.dom.idom)
        if (v != kNone && v >= g.nodes())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (const auto& [k, v] : g.hugeSize)
        if (k >= g.addr.size())
            return makeError(ErrorCode::Format, "stored heap graph is damaged");
    for (size_t i = 0; i < g.size.size(); ++i)
        if (g.size[i] == kNone && !g.hugeSize.count(uint32_t(i)))
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
            while (state[u] == kUnseen && s.dom.idom[u] != kNone) {
                state[u] = kOnChain;
                chain.push_back(u);
                u = s.dom.idom[u];
            }
            if (state[u] == kOnChain)
                return makeError(ErrorCode::Format, "stored heap graph is damaged (its dominators loop)");
            for (uint32_t x : chain)
                state[x] = kRooted;
        }
    }
    s.dom.reachableBytes = s.dom.retained.empty() ? 0 : s.dom.retained[0];
    for (uint32_t o = 0; o < g.objects(); ++o)
        if (s.dom.idom[g.objectNode(o)] != kNone)
            s.dom.reachableObjects++;
    return s;
}

std::string findBinaryFor(const HeapDump& dump, const std::string& folder) {
    uint64_t dataAddr = 0, bssAddr = 0;
    for (const auto& s : dump.segments)
        (s.bss ? bssAddr : dataAddr) = s.addr;
    if (!dataAddr && !bssAddr)
        return {};
    DIR* dir = opendir(folder.empty() ? "." : folder.c_str());
    if (!dir)
        return {};
    std::vector<std::string> candidates;
    while (dirent* ent = readdir(dir)) {
        std::string path = (folder.empty() ? "." : folder) + "/" + ent->d_name;
        struct stat st {};
        if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 64)
            continue;
        FILE* f = fopen(path.c_str(), "rb");
        if (!f)
            continue;
        char m[4] = {};
        size_t got = fread(m, 1, 4, f);
        fclose(f);
        if (got == 4 && std::memcmp(m, "\x7f" "ELF", 4) == 0)
            candidates.push_back(path);
    }
    closedir(dir);
    std::sort(candidates.begin(), candidates.end());
    for (const auto& path : candidates) {
        auto syms = ElfSymbols::read(path);
        if (!syms)
            continue;
        const auto* data = syms->section(".data");
        const auto* bss = syms->section(".bss");
        if ((!dataAddr || (data && data->addr == dataAddr)) && (!bssAddr || (bss && bss->addr == bssAddr)))
            return path;
    }
    return {};
}

} // namespace memscope
