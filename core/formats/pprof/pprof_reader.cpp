// SPDX-License-Identifier: GPL-3.0-or-later
// Over 600 lines: the streaming profile.proto decoder is one state machine
// over the wire format (strings, mappings, locations, functions, samples,
// labels) that the hot path keeps in one translation unit to stay inlined.
#include "formats/pprof/pprof_reader.h"

#include "formats/pprof/legacy_cpu.h"

#include "base/large_blocks.h"
#include "formats/pprof/count_text.h"
#include "formats/pprof/heap_text.h"
#include "formats/pprof/proto/profile.pb.h"
#include "io/input.h"

#include <algorithm>
#include <future>
#include <google/protobuf/arena.h>
#include <iterator>
#include <limits>
#include <new>
#include <thread>
#include <unordered_map>

namespace memscope {

namespace {

// ---- A wire-format walker, used to say *where* a file is broken. ----------

struct Wire {
    std::string_view buf;
    size_t pos = 0;

    bool varint(uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= buf.size())
                return false;
            uint8_t b = static_cast<uint8_t>(buf[pos++]);
            if (shift == 63 && b > 1)
                return false;
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80))
                return true;
        }
        return false;
    }
};

// Which length-delimited fields hold sub-messages we know, per message.
enum class Msg { Profile, ValueType, Sample, Label, Mapping, Location, Line, Function, Opaque };

Msg subMessage(Msg m, uint64_t field) {
    switch (m) {
        case Msg::Profile:
            switch (field) {
                case 1:
                case 11: return Msg::ValueType;
                case 2: return Msg::Sample;
                case 3: return Msg::Mapping;
                case 4: return Msg::Location;
                case 5: return Msg::Function;
                default: return Msg::Opaque;
            }
        case Msg::Sample: return field == 3 ? Msg::Label : Msg::Opaque;
        case Msg::Location: return field == 4 ? Msg::Line : Msg::Opaque;
        default: return Msg::Opaque;
    }
}

// Returns an error at the first malformed byte, or nothing when the framing is sound.
std::optional<Error> walk(std::string_view all, size_t begin, size_t end, Msg m, int depth) {
    if (depth > 8)
        return errorAt(ErrorCode::Format, begin, "profile.proto: nesting too deep");
    Wire w{all.substr(0, end), begin};
    while (w.pos < end) {
        size_t at = w.pos;
        uint64_t key;
        if (!w.varint(key))
            return errorAt(w.pos >= end ? ErrorCode::Truncated : ErrorCode::Format, at,
                           "profile.proto: bad field key");
        uint64_t field = key >> 3, type = key & 7;
        if (field == 0)
            return errorAt(ErrorCode::Format, at, "profile.proto: field number 0");
        switch (type) {
            case 0: {
                uint64_t v;
                if (!w.varint(v))
                    return errorAt(ErrorCode::Truncated, at,
                                   "profile.proto: varint runs past the end");
                break;
            }
            case 1:
            case 5: {
                size_t n = type == 1 ? 8 : 4;
                if (end - w.pos < n)
                    return errorAt(ErrorCode::Truncated, at,
                                   "profile.proto: fixed field runs past the end");
                w.pos += n;
                break;
            }
            case 2: {
                uint64_t len;
                if (!w.varint(len))
                    return errorAt(ErrorCode::Truncated, at, "profile.proto: bad length");
                if (len > end - w.pos)
                    return errorAt(ErrorCode::Truncated, at,
                                   "profile.proto: field " + std::to_string(field) + " claims " +
                                       std::to_string(len) + " bytes, " +
                                       std::to_string(end - w.pos) + " remain");
                Msg sub = subMessage(m, field);
                if (sub != Msg::Opaque)
                    if (auto e = walk(all, w.pos, w.pos + len, sub, depth + 1))
                        return e;
                w.pos += len;
                break;
            }
            default:
                return errorAt(ErrorCode::Format, at,
                               "profile.proto: invalid wire type " + std::to_string(type));
        }
    }
    return std::nullopt;
}

// Byte offset of the n-th (0-based) top-level occurrence of `field`.
uint64_t topLevelOffset(std::string_view buf, uint64_t field, size_t n) {
    Wire w{buf, 0};
    while (w.pos < buf.size()) {
        size_t at = w.pos;
        uint64_t key, v;
        if (!w.varint(key))
            break;
        if ((key >> 3) == field && n-- == 0)
            return at;
        switch (key & 7) {
            case 0:
                if (!w.varint(v))
                    return at;
                break;
            case 1: w.pos += 8; break;
            case 5: w.pos += 4; break;
            case 2:
                if (!w.varint(v) || v > buf.size() - w.pos)
                    return at;
                w.pos += v;
                break;
            default: return at;
        }
    }
    return 0;
}

// ---- What a profile will take in memory, known before it is built. --------
//
// A few wire bytes can stand for a lot of memory: a 4-byte sample becomes a
// parsed message and a memscope Sample of some 200 bytes, a 2-byte string
// index copies a megabyte string into every function or label that names it.
// So the wire is walked once more before parsing and every object the parse
// and the conversion will hold is counted; past kMemoryPerDecodedByte times
// the decoded size (kMemoryFloor at least) the profile is refused with the
// offset where the budget ran out, instead of exhausting memory.

constexpr uint64_t kMemoryPerDecodedByte = 24;
constexpr uint64_t kMemoryFloor = 256ull << 20;

uint64_t memoryBudget(size_t decodedSize) {
    return std::max<uint64_t>(kMemoryFloor, kMemoryPerDecodedByte * uint64_t(decodedSize));
}

class MemoryEstimate {
public:
    explicit MemoryEstimate(std::string_view buf)
        : m_buf(buf), m_budget(memoryBudget(buf.size())) {}

    // Nothing when the profile fits the budget; else the error. Framing errors
    // are left to the parser, which says where they are.
    std::optional<Error> check() {
        // First the string table: its lengths price every copy of a string.
        Wire w{m_buf, 0};
        while (w.pos < m_buf.size()) {
            Field f;
            if (!next(w, f))
                return std::nullopt;
            if (f.number == 6 && f.type == 2) {
                m_strings.push_back(uint32_t(f.body.size()));
                add(sizeof(std::string) + 8 + heapString(f.body.size()));
            }
        }
        w.pos = 0;
        size_t ordinal[16] = {};
        while (w.pos < m_buf.size()) {
            Field f;
            if (!next(w, f))
                return std::nullopt;
            if (f.number < 16)
                ++ordinal[f.number];
            switch (f.number) {
                case 1:
                case 11: valueType(f.body); break;
                case 2: sample(f.body); break;
                case 3: mapping(f.body); break;
                case 4: location(f.body); break;
                case 5: function(f.body); break;
                case 7:
                case 8:
                case 14: add(stringCopy(f.value)); break;
                case 13: forEachId(f, [&](uint64_t idx) { add(8 + stringCopy(idx)); }); break;
                default: break;
            }
            if (m_bytes > m_budget) {
                static const char* names[] = {"",        "sample_type", "sample",
                                              "mapping", "location",    "function"};
                std::string what = f.number < std::size(names) && f.number > 0
                                       ? std::string(names[f.number]) + "[" +
                                             std::to_string(ordinal[f.number] - 1) + "]"
                                       : "field " + std::to_string(f.number);
                return errorAt(ErrorCode::Limit, f.at,
                               "profile.proto: at " + what + " the profile would take more than " +
                                   std::to_string(m_budget >> 20) + " MiB in memory (" +
                                   std::to_string(kMemoryPerDecodedByte) + " times its " +
                                   std::to_string(m_buf.size() >> 20) + " MiB decoded, at least " +
                                   std::to_string(kMemoryFloor >> 20) +
                                   " MiB); refusing it (millions of tiny records or strings "
                                   "repeated by index)");
            }
        }
        return std::nullopt;
    }

private:
    struct Field {
        size_t at = 0;
        uint64_t number = 0, type = 0, value = 0;
        std::string_view body;
    };

    static bool next(Wire& w, Field& f) {
        f.at = w.pos;
        uint64_t key;
        if (!w.varint(key))
            return false;
        f.number = key >> 3;
        f.type = key & 7;
        f.body = {};
        switch (f.type) {
            case 0: return w.varint(f.value);
            case 1:
            case 5: {
                size_t n = f.type == 1 ? 8 : 4;
                if (w.buf.size() - w.pos < n)
                    return false;
                w.pos += n;
                return true;
            }
            case 2: {
                uint64_t len;
                if (!w.varint(len) || len > w.buf.size() - w.pos)
                    return false;
                f.body = w.buf.substr(w.pos, len);
                w.pos += len;
                return true;
            }
            default: return false;
        }
    }

    // A repeated integer field, packed or not.
    template <typename Fn>
    static void forEachId(const Field& f, Fn fn) {
        if (f.type == 0) {
            fn(f.value);
            return;
        }
        if (f.type != 2)
            return;
        Wire p{f.body, 0};
        uint64_t v;
        while (p.pos < f.body.size() && p.varint(v))
            fn(v);
    }
    template <typename Fn>
    static void fields(std::string_view body, Fn fn) {
        Wire w{body, 0};
        Field f;
        while (w.pos < body.size() && next(w, f))
            fn(f);
    }

    static uint64_t heapString(uint64_t len) { return len > 15 ? len + 1 : 0; }
    uint64_t stringCopy(uint64_t idx) const {
        return sizeof(std::string) + (idx < m_strings.size() ? heapString(m_strings[idx]) : 0);
    }
    void add(uint64_t n) { m_bytes += n; }

    void valueType(std::string_view body) {
        add(sizeof(pprof::ValueType) + 8 + sizeof(ValueType));
        fields(body, [&](const Field& f) {
            if (f.number == 1 || f.number == 2)
                add(stringCopy(f.value));
        });
    }
    void sample(std::string_view body) {
        add(sizeof(pprof::Sample) + 8 + sizeof(Sample));
        fields(body, [&](const Field& f) {
            if (f.number == 1)
                forEachId(f, [&](uint64_t) { add(8 + sizeof(uint32_t)); });
            else if (f.number == 2)
                forEachId(f, [&](uint64_t) { add(8 + sizeof(int64_t)); });
            else if (f.number == 3 && f.type == 2) {
                add(sizeof(pprof::Label) + 8 + sizeof(Label));
                fields(f.body, [&](const Field& l) {
                    if (l.number == 1 || l.number == 2 || l.number == 4)
                        add(stringCopy(l.value));
                });
            }
        });
    }
    void mapping(std::string_view body) {
        add(sizeof(pprof::Mapping) + 8 + sizeof(Mapping) + 64); // 64: the id map's node
        fields(body, [&](const Field& f) {
            if (f.number == 5 || f.number == 6)
                add(stringCopy(f.value));
        });
    }
    void location(std::string_view body) {
        add(sizeof(pprof::Location) + 8 + sizeof(Location) + 64);
        fields(body, [&](const Field& f) {
            if (f.number == 4)
                add(sizeof(pprof::Line) + 8 + sizeof(Line));
        });
    }
    void function(std::string_view body) {
        add(sizeof(pprof::Function) + 8 + sizeof(Function) + 64);
        fields(body, [&](const Field& f) {
            if (f.number >= 2 && f.number <= 4)
                add(stringCopy(f.value));
        });
    }

    std::string_view m_buf;
    uint64_t m_budget;
    uint64_t m_bytes = 0;
    std::vector<uint32_t> m_strings;
};

// The decoded profile, parsed whole or as two halves cut at a top-level
// field boundary (parsed on two threads). Parsing the concatenation of two
// halves is parsing each: repeated fields are the first half's then the
// second's, and a field that occurs once lives in the half that holds it.
// Below these a second thread costs more than it saves.
constexpr size_t kParseInHalvesFrom = 2u << 20;
constexpr int kConvertInTwoFrom = 50000;

class ProfileParts {
public:
    explicit ProfileParts(const pprof::Profile& whole) : m_first(&whole) {
        std::fill(std::begin(m_single), std::end(m_single), &whole);
    }
    // `secondHas`: bit f set when field f occurs in the second half.
    ProfileParts(const pprof::Profile& first, const pprof::Profile& second, uint32_t secondHas)
        : m_first(&first), m_second(&second) {
        for (uint32_t f = 0; f < std::size(m_single); ++f)
            m_single[f] = secondHas & (1u << f) ? &second : &first;
    }

    template <typename T>
    struct Seq {
        const google::protobuf::RepeatedPtrField<T>* a;
        const google::protobuf::RepeatedPtrField<T>* b;
        int size() const { return a->size() + (b ? b->size() : 0); }
        const T& Get(int i) const { return i < a->size() ? a->Get(i) : b->Get(i - a->size()); }
    };
    template <typename T>
    Seq<T> seq(const google::protobuf::RepeatedPtrField<T>& (pprof::Profile::*get)() const) const {
        return {&(m_first->*get)(), m_second ? &(m_second->*get)() : nullptr};
    }
    Seq<std::string> strings() const { return seq(&pprof::Profile::string_table); }
    Seq<pprof::ValueType> sampleTypes() const { return seq(&pprof::Profile::sample_type); }
    Seq<pprof::Mapping> mappings() const { return seq(&pprof::Profile::mapping); }
    Seq<pprof::Function> functions() const { return seq(&pprof::Profile::function); }
    Seq<pprof::Location> locations() const { return seq(&pprof::Profile::location); }
    Seq<pprof::Sample> samples() const { return seq(&pprof::Profile::sample); }
    std::vector<int64_t> comments() const {
        std::vector<int64_t> all(m_first->comment().begin(), m_first->comment().end());
        if (m_second)
            all.insert(all.end(), m_second->comment().begin(), m_second->comment().end());
        return all;
    }
    // The half that holds a field occurring once (7..12, 14).
    const pprof::Profile& single(uint32_t field) const { return *m_single[field]; }

private:
    const pprof::Profile* m_first;
    const pprof::Profile* m_second = nullptr;
    const pprof::Profile* m_single[16];
};

// Where a large profile's bytes can be cut for two threads to parse: the
// first top-level field boundary past the middle. Nothing when the framing
// is broken (the whole is parsed, and fails where it is broken) or when a
// field that occurs once occurs on both sides: the whole keeps the last
// value, which the halves alone could not tell.
struct Cut {
    size_t at = 0;
    uint32_t secondHas = 0; // bit f: field f occurs in the second half
};

std::optional<Cut> findCut(std::string_view buf) {
    constexpr uint32_t kSingular =
        1u << 7 | 1u << 8 | 1u << 9 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 14;
    Cut cut;
    uint32_t has[2] = {0, 0};
    Wire w{buf, 0};
    while (w.pos < buf.size()) {
        if (!cut.at && w.pos >= buf.size() / 2)
            cut.at = w.pos;
        uint64_t key, v;
        if (!w.varint(key))
            return std::nullopt;
        switch (key & 7) {
            case 0:
                if (!w.varint(v))
                    return std::nullopt;
                break;
            case 1:
            case 5: {
                size_t n = (key & 7) == 1 ? 8 : 4;
                if (buf.size() - w.pos < n)
                    return std::nullopt;
                w.pos += n;
                break;
            }
            case 2:
                if (!w.varint(v) || v > buf.size() - w.pos)
                    return std::nullopt;
                w.pos += v;
                break;
            default: return std::nullopt;
        }
        if ((key >> 3) < 32)
            has[cut.at ? 1 : 0] |= 1u << (key >> 3);
    }
    if (!cut.at || (has[0] & has[1] & kSingular))
        return std::nullopt;
    cut.secondHas = has[1];
    return cut;
}

class Converter {
public:
    Converter(const ProfileParts& p, std::string_view raw) : m_p(p), m_raw(raw) {}

    Result<Profile> run() {
        Profile out;
        const auto st = m_p.strings();
        if (st.size() > 0 && !st.Get(0).empty())
            return fieldError(6, 0, "string_table[0] must be empty");

        auto str = [&](int64_t idx, uint64_t field, size_t ordinal, std::string& dst) -> bool {
            if (idx < 0 || idx >= st.size()) {
                m_err = fieldError(field, ordinal,
                                   "string index " + std::to_string(idx) + " out of range (" +
                                       std::to_string(st.size()) + " strings)");
                return false;
            }
            dst = st.Get(int(idx));
            return true;
        };

        const auto sampleTypes = m_p.sampleTypes();
        for (int i = 0; i < sampleTypes.size(); ++i) {
            ValueType vt;
            if (!str(sampleTypes.Get(i).type(), 1, i, vt.type) ||
                !str(sampleTypes.Get(i).unit(), 1, i, vt.unit))
                return *m_err;
            out.sampleTypes.push_back(std::move(vt));
        }
        const pprof::Profile& withPeriodType = m_p.single(11);
        if (withPeriodType.has_period_type() &&
            (!str(withPeriodType.period_type().type(), 11, 0, out.periodType.type) ||
             !str(withPeriodType.period_type().unit(), 11, 0, out.periodType.unit)))
            return *m_err;
        if (!str(m_p.single(7).drop_frames(), 7, 0, out.dropFrames) ||
            !str(m_p.single(8).keep_frames(), 8, 0, out.keepFrames) ||
            !str(m_p.single(14).default_sample_type(), 14, 0, out.defaultSampleType))
            return *m_err;
        for (int64_t idx : m_p.comments()) {
            std::string c;
            if (!str(idx, 13, 0, c))
                return *m_err;
            out.comments.push_back(std::move(c));
        }
        out.period = m_p.single(12).period();
        out.timeNanos = m_p.single(9).time_nanos();
        out.durationNanos = m_p.single(10).duration_nanos();

        // Mappings.
        std::unordered_map<uint64_t, int32_t> mappingIndex;
        const auto mappings = m_p.mappings();
        for (int i = 0; i < mappings.size(); ++i) {
            const auto& pm = mappings.Get(i);
            Mapping mm;
            mm.memoryStart = pm.memory_start();
            mm.memoryLimit = pm.memory_limit();
            mm.fileOffset = pm.file_offset();
            mm.hasFunctions = pm.has_functions();
            if (!str(pm.filename(), 3, i, mm.file) || !str(pm.build_id(), 3, i, mm.buildId))
                return *m_err;
            if (pm.id() == 0)
                return fieldError(3, i, "mapping id 0");
            if (!mappingIndex.emplace(pm.id(), int32_t(out.mappings.size())).second)
                return fieldError(3, i, "duplicate mapping id " + std::to_string(pm.id()));
            out.mappings.push_back(std::move(mm));
        }

        // Functions.
        IdIndex functionIndex;
        const auto functions = m_p.functions();
        functionIndex.reserve(functions.size());
        out.functions.reserve(functions.size());
        for (int i = 0; i < functions.size(); ++i) {
            const auto& pf = functions.Get(i);
            Function f;
            if (!str(pf.name(), 5, i, f.name) || !str(pf.system_name(), 5, i, f.systemName) ||
                !str(pf.filename(), 5, i, f.file))
                return *m_err;
            f.startLine = pf.start_line();
            if (pf.id() == 0)
                return fieldError(5, i, "function id 0");
            if (!functionIndex.add(pf.id(), uint32_t(out.functions.size())))
                return fieldError(5, i, "duplicate function id " + std::to_string(pf.id()));
            out.functions.push_back(std::move(f));
        }

        // Locations.
        IdIndex locationIndex;
        const auto locations = m_p.locations();
        locationIndex.reserve(locations.size());
        out.locations.reserve(locations.size());
        for (int i = 0; i < locations.size(); ++i) {
            const auto& pl = locations.Get(i);
            Location l;
            l.address = pl.address();
            if (pl.mapping_id() != 0) {
                auto it = mappingIndex.find(pl.mapping_id());
                if (it == mappingIndex.end())
                    return fieldError(4, i,
                                      "unknown mapping id " + std::to_string(pl.mapping_id()));
                l.mapping = it->second;
            }
            l.lines.reserve(pl.line_size());
            for (const auto& ln : pl.line()) {
                uint32_t fi;
                if (!functionIndex.find(ln.function_id(), fi))
                    return fieldError(4, i,
                                      "unknown function id " + std::to_string(ln.function_id()));
                l.lines.push_back(Line{fi, ln.line()});
            }
            if (pl.id() == 0)
                return fieldError(4, i, "location id 0");
            if (!locationIndex.add(pl.id(), uint32_t(out.locations.size())))
                return fieldError(4, i, "duplicate location id " + std::to_string(pl.id()));
            out.locations.push_back(std::move(l));
        }

        // Samples; many are converted in two runs on two threads, each
        // allocating from its own arena, which the profile then keeps.
        const auto samples = m_p.samples();
        const size_t nTypes = out.sampleTypes.size();
        auto convert = [&](int begin, int end, std::pmr::memory_resource* arena,
                           std::vector<Sample>& dst) -> std::optional<Error> {
            auto text = [&](int64_t idx, int i, std::string& to) -> std::optional<Error> {
                if (idx < 0 || idx >= st.size())
                    return fieldError(2, size_t(i),
                                      "string index " + std::to_string(idx) + " out of range (" +
                                          std::to_string(st.size()) + " strings)");
                to = st.Get(int(idx));
                return std::nullopt;
            };
            for (int i = begin; i < end; ++i) {
                const auto& ps = samples.Get(i);
                Sample s(arena);
                if (size_t(ps.value_size()) != nTypes)
                    return fieldError(2, size_t(i),
                                      "sample has " + std::to_string(ps.value_size()) +
                                          " values, profile has " + std::to_string(nTypes) +
                                          " sample types");
                s.values.assign(ps.value().begin(), ps.value().end());
                s.locations.resize(ps.location_id_size());
                for (int k = 0; k < ps.location_id_size(); ++k)
                    if (!locationIndex.find(ps.location_id(k), s.locations[k]))
                        return fieldError(2, size_t(i),
                                          "unknown location id " +
                                              std::to_string(ps.location_id(k)));
                for (const auto& pl : ps.label()) {
                    Label lab;
                    if (auto e = text(pl.key(), i, lab.key))
                        return e;
                    if (auto e = text(pl.str(), i, lab.str))
                        return e;
                    if (auto e = text(pl.num_unit(), i, lab.numUnit))
                        return e;
                    lab.num = pl.num();
                    lab.isNum = pl.str() == 0;
                    s.labels.push_back(std::move(lab));
                }
                dst.push_back(std::move(s));
            }
            return std::nullopt;
        };
        const int n = samples.size();
        out.samples.reserve(size_t(n));
        if (n < kConvertInTwoFrom || std::thread::hardware_concurrency() < 2) {
            if (auto e = convert(0, n, out.arena.get(), out.samples))
                return *e;
            return out;
        }
        auto secondArena =
            std::make_shared<std::pmr::monotonic_buffer_resource>(1 << 20, largeBlockResource());
        std::vector<Sample> second;
        second.reserve(size_t(n - n / 2));
        auto secondDone = std::async(std::launch::async,
                                     [&] { return convert(n / 2, n, secondArena.get(), second); });
        auto firstError = convert(0, n / 2, out.arena.get(), out.samples);
        auto secondError = secondDone.get();
        if (firstError)
            return *firstError;
        if (secondError)
            return *secondError;
        for (Sample& s : second)
            out.samples.push_back(std::move(s)); // the vectors move with their arena
        out.moreArenas.push_back(std::move(secondArena));
        return out;
    }

private:
    // Go numbers ids 1..N; a dense vector handles that, a map the rest.
    struct IdIndex {
        std::vector<uint32_t> dense; // id -> index+1
        std::unordered_map<uint64_t, uint32_t> sparse;
        size_t added = 0;
        void reserve(size_t n) { dense.reserve(n + 1); }
        // The dense table stays within twice the ids added (plus a little):
        // ids spaced 4096 apart must not make 16 KiB of table each.
        bool add(uint64_t id, uint32_t index) {
            ++added;
            if (id < (1u << 26) && id <= 2 * added + 4096) {
                if (id >= dense.size())
                    dense.resize(id + 1, 0);
                if (dense[id])
                    return false;
                dense[id] = index + 1;
                return true;
            }
            return sparse.emplace(id, index).second;
        }
        bool find(uint64_t id, uint32_t& index) const {
            if (id < dense.size() && dense[id]) {
                index = dense[id] - 1;
                return true;
            }
            auto it = sparse.find(id);
            if (it == sparse.end())
                return false;
            index = it->second;
            return true;
        }
    };

    Error fieldError(uint64_t field, size_t ordinal, std::string msg) {
        static const char* names[] = {"",
                                      "sample_type",
                                      "sample",
                                      "mapping",
                                      "location",
                                      "function",
                                      "string_table",
                                      "drop_frames",
                                      "keep_frames",
                                      "time_nanos",
                                      "duration_nanos",
                                      "period_type",
                                      "period",
                                      "comment",
                                      "default_sample_type"};
        std::string what = field < std::size(names) ? names[field] : "field";
        return errorAt(ErrorCode::Format, topLevelOffset(m_raw, field, ordinal),
                       "profile.proto: " + what + "[" + std::to_string(ordinal) + "]: " + msg);
    }

    const ProfileParts& m_p;
    std::string_view m_raw;
    std::optional<Error> m_err;
};

} // namespace

bool looksLikePprof(std::string_view d, bool isPrefix) {
    if (d.size() < 2)
        return false;
    // Every profile starts with known top-level fields (1..15) whose framing holds.
    Wire w{d, 0};
    int fields = 0;
    while (w.pos < w.buf.size() && fields < 8) {
        uint64_t key, v;
        if (!w.varint(key))
            return fields > 0 && isPrefix;
        uint64_t field = key >> 3, type = key & 7;
        if (field < 1 || field > 15)
            return false;
        bool lenField = field <= 6 || field == 11 || field == 13;
        if (type == 2) {
            if (!lenField || !w.varint(v))
                return isPrefix && fields > 0 && lenField;
            if (v > d.size() - w.pos)
                return isPrefix && v < (1ull << 31);
            w.pos += v;
        } else if (type == 0) {
            if ((field >= 1 && field <= 6) || field == 11 || !w.varint(v))
                return false;
        } else {
            return false;
        }
        ++fields;
    }
    return fields > 0;
}

namespace {

Result<Profile> parseChecked(std::string_view decoded);

} // namespace

Result<Profile> parsePprof(std::string_view decoded) {
    // The estimate keeps a crafted profile within its budget; a memory limit
    // smaller than the budget (ulimit -v) still ends in an error, not an abort.
    try {
        return parseChecked(decoded);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::Limit, "profile.proto: out of memory reading a " +
                                               std::to_string(decoded.size() >> 20) +
                                               " MiB profile");
    }
}

namespace {

Result<Profile> parseChecked(std::string_view decoded) {
    if (decoded.empty())
        return errorAt(ErrorCode::Format, 0, "empty input, not a profile");
    if (decoded.size() > size_t(std::numeric_limits<int>::max()))
        return errorAt(ErrorCode::Limit, 0, "profile.proto larger than 2 GiB");
    if (auto e = MemoryEstimate(decoded).check())
        return *e;
    google::protobuf::ArenaOptions opts;
    opts.start_block_size = 1 << 20;
    opts.max_block_size = 16 << 20;
    opts.block_alloc = allocateLargeBlock;
    opts.block_dealloc = releaseLargeBlock;
    google::protobuf::Arena arena(opts);
    auto* msg = google::protobuf::Arena::CreateMessage<pprof::Profile>(&arena);
    auto broken = [&] {
        if (auto e = walk(decoded, 0, decoded.size(), Msg::Profile, 0))
            return *e;
        return errorAt(ErrorCode::Format, 0, "profile.proto: not a valid protobuf message");
    };
    // A large profile is parsed as two halves on two threads.
    std::optional<Cut> cut;
    if (decoded.size() >= kParseInHalvesFrom && std::thread::hardware_concurrency() > 1)
        cut = findCut(decoded);
    if (!cut) {
        if (!msg->ParseFromArray(decoded.data(), int(decoded.size())))
            return broken();
        return Converter(ProfileParts(*msg), decoded).run();
    }
    google::protobuf::Arena secondArena(opts);
    auto* second = google::protobuf::Arena::CreateMessage<pprof::Profile>(&secondArena);
    std::string_view tail = decoded.substr(cut->at);
    auto secondParsed = std::async(
        std::launch::async, [&] { return second->ParseFromArray(tail.data(), int(tail.size())); });
    bool firstParsed = msg->ParseFromArray(decoded.data(), int(cut->at));
    if (!secondParsed.get() || !firstParsed) // get() first: it rethrows the thread's bad_alloc
        return broken();
    return Converter(ProfileParts(*msg, *second, cut->secondHas), decoded).run();
}

} // namespace

Result<Profile> readPprofFile(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file)
        return file.error();
    auto stream = openStream((*file)->bytes());
    auto data = readAll(*stream);
    if (!data)
        return data.error().withFile(path);
    auto p = parsePprof(*data);
    if (!p)
        return p.error().withFile(path);
    return p;
}

} // namespace memscope

namespace memscope {

Result<Profile> readProfileFile(const std::string& path) {
    auto file = MappedFile::open(path);
    if (!file)
        return file.error();
    std::string head = peekDecoded((*file)->bytes(), 64);
    if (looksLikeHeapText(head)) {
        auto stream = openStream((*file)->bytes());
        auto parsed = parseHeapText(*stream);
        if (!parsed)
            return parsed.error().withFile(path);
        return std::move(parsed->profile);
    }
    if (looksLikeCountProfileText(head, /*anyName=*/true)) {
        auto stream = openStream((*file)->bytes());
        auto parsed = parseCountProfileText(*stream);
        return parsed ? std::move(parsed) : Result<Profile>(parsed.error().withFile(path));
    }
    if (looksLikeLegacyCpuProfile(head)) {
        auto data = readAll(*openStream((*file)->bytes()));
        if (!data)
            return data.error().withFile(path);
        auto parsed = parseLegacyCpuProfile(*data);
        return parsed ? std::move(parsed) : Result<Profile>(parsed.error().withFile(path));
    }
    auto p = readPprofFile(path);
    if (!p && p.error().offset == 0 && !looksLikePprof(head, true))
        return Error{
            ErrorCode::Unsupported,
            "not a profile memscope reads (profile.proto, heap text, count text or legacy CPU)",
            path,
            0,
            {}};
    return p;
}

} // namespace memscope
