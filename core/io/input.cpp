// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

namespace memscope {

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Error{ErrorCode::Io, std::strerror(errno), path, {}, {}};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return Error{ErrorCode::Io, std::strerror(e), path, {}, {}};
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{ErrorCode::Io, "not a regular file", path, {}, {}};
    }
    std::shared_ptr<MappedFile> f(new MappedFile);
    f->m_path = path;
    f->m_size = static_cast<size_t>(st.st_size);
    f->m_mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (f->m_size > 0) {
        void* p = ::mmap(nullptr, f->m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            return Error{ErrorCode::Io, std::string("mmap: ") + std::strerror(e), path, {}, {}};
        }
        ::madvise(p, f->m_size, MADV_SEQUENTIAL);
        f->m_data = p;
    }
    ::close(fd);
    return std::shared_ptr<const MappedFile>(std::move(f));
}

MappedFile::~MappedFile() {
    if (m_data)
        ::munmap(m_data, m_size);
}

const char* compressionName(Compression c) {
    switch (c) {
        case Compression::None: return "none";
        case Compression::Gzip: return "gzip";
        case Compression::Zstd: return "zstd";
    }
    return "none";
}

Compression detectCompression(std::string_view head) {
    auto u = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
    if (head.size() >= 3 && u(0) == 0x1f && u(1) == 0x8b && u(2) == 0x08)
        return Compression::Gzip;
    if (head.size() >= 4 && u(0) == 0x28 && u(1) == 0xb5 && u(2) == 0x2f && u(3) == 0xfd)
        return Compression::Zstd;
    return Compression::None;
}

uint64_t DecodeLimits::effective(uint64_t encodedSize) const {
    if (maxDecoded)
        return maxDecoded;
    uint64_t byRatio = encodedSize > kCeiling / kRatio ? kCeiling : encodedSize * kRatio;
    return std::clamp<uint64_t>(byRatio, kFloor, kCeiling);
}

namespace {

Error overLimit(uint64_t pos, uint64_t limit) {
    return errorAt(ErrorCode::Limit, pos,
                   "decompressed data exceeds " + std::to_string(limit >> 20) +
                       " MiB; refusing (a decompression bomb, or raise the limit)");
}

class PlainStream final : public ByteStream {
public:
    explicit PlainStream(std::string_view raw) : m_raw(raw) {}
    Result<size_t> read(char* buf, size_t n) override {
        size_t k = std::min(n, m_raw.size() - m_pos);
        std::memcpy(buf, m_raw.data() + m_pos, k);
        m_pos += k;
        return k;
    }
    uint64_t position() const override { return m_pos; }
    std::optional<std::string_view> inPlace() const override { return m_raw.substr(m_pos); }

private:
    std::string_view m_raw;
    size_t m_pos = 0;
};

class GzipStream final : public ByteStream {
public:
    GzipStream(std::string_view raw, uint64_t limit) : m_raw(raw), m_limit(limit) {
        std::memset(&m_z, 0, sizeof m_z);
        m_ok = inflateInit2(&m_z, 15 + 32) == Z_OK; // gzip or zlib header, auto
        m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
        feed();
    }
    ~GzipStream() override { inflateEnd(&m_z); }

    Result<size_t> read(char* buf, size_t n) override {
        if (!m_ok)
            return errorAt(ErrorCode::Format, 0, "gzip: cannot initialise decoder");
        if (m_pending)
            return *m_pending;
        if (m_done)
            return size_t(0);
        auto got = inflateSome(buf, n);
        if (!got.ok() && n - m_z.avail_out > 0) {
            // Bytes before the damage are real data: deliver them first.
            m_pending = got.error();
            size_t have = n - m_z.avail_out;
            m_decoded += have;
            return have;
        }
        return got;
    }

private:
    Result<size_t> inflateSome(char* buf, size_t n) {
        m_z.next_out = reinterpret_cast<Bytef*>(buf);
        m_z.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
        while (m_z.avail_out > 0) {
            feed();
            int rc = inflate(&m_z, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                // Concatenated gzip members are legal: continue if more input follows.
                if (consumed() < m_raw.size() && looksLikeGzip()) {
                    inflateReset(&m_z);
                    continue;
                }
                m_done = true;
                break;
            }
            if (rc == Z_BUF_ERROR && m_z.avail_in == 0 && consumed() >= m_raw.size())
                return errorAt(ErrorCode::Truncated, consumed(),
                               "gzip stream ends early (file truncated?)");
            if (rc != Z_OK && rc != Z_BUF_ERROR)
                return errorAt(ErrorCode::Format, consumed(),
                               std::string("gzip: ") + (m_z.msg ? m_z.msg : "corrupt data"));
        }
        size_t got = n - m_z.avail_out;
        m_decoded += got;
        if (m_decoded > m_limit)
            return overLimit(consumed(), m_limit);
        return got;
    }

public:
    uint64_t position() const override { return consumed(); }

private:
    uint64_t consumed() const {
        return static_cast<uint64_t>(reinterpret_cast<const char*>(m_z.next_in) - m_raw.data());
    }
    void feed() {
        if (m_z.avail_in == 0) {
            uint64_t left = m_raw.size() - consumed();
            m_z.avail_in = static_cast<uInt>(std::min<uint64_t>(left, 1u << 30));
        }
    }
    bool looksLikeGzip() const {
        auto rest = m_raw.substr(consumed());
        return detectCompression(rest) == Compression::Gzip;
    }

    std::string_view m_raw;
    uint64_t m_limit;
    z_stream m_z;
    bool m_ok = false;
    bool m_done = false;
    uint64_t m_decoded = 0;
    std::optional<Error> m_pending;
};

class ZstdStream final : public ByteStream {
public:
    ZstdStream(std::string_view raw, uint64_t limit)
        : m_raw(raw), m_limit(limit), m_d(ZSTD_createDStream()) {
        ZSTD_initDStream(m_d);
        // Refuse absurd windows before any memory is spent on them.
        ZSTD_DCtx_setParameter(m_d, ZSTD_d_windowLogMax, 27);
    }
    ~ZstdStream() override { ZSTD_freeDStream(m_d); }

    Result<size_t> read(char* buf, size_t n) override {
        if (m_pending)
            return *m_pending;
        ZSTD_outBuffer out{buf, n, 0};
        auto got = decompressSome(out);
        if (!got.ok() && out.pos > 0) {
            m_pending = got.error();
            m_decoded += out.pos;
            return out.pos;
        }
        return got;
    }
    uint64_t position() const override { return m_in.pos; }

private:
    Result<size_t> decompressSome(ZSTD_outBuffer& out) {
        while (out.pos < out.size) {
            if (m_in.pos >= m_in.size) {
                if (m_lastRet != 0 && m_in.size == m_raw.size())
                    return errorAt(ErrorCode::Truncated, m_in.pos,
                                   "zstd stream ends early (file truncated?)");
                if (m_in.size == m_raw.size())
                    break;
                m_in = ZSTD_inBuffer{m_raw.data(), m_raw.size(), m_in.pos};
            }
            size_t before = out.pos;
            size_t ret = ZSTD_decompressStream(m_d, &out, &m_in);
            if (ZSTD_isError(ret))
                return errorAt(ErrorCode::Format, m_in.pos,
                               std::string("zstd: ") + ZSTD_getErrorName(ret));
            m_lastRet = ret;
            if (ret == 0 && m_in.pos >= m_in.size)
                break;
            if (out.pos == before && m_in.pos >= m_in.size && ret != 0)
                return errorAt(ErrorCode::Truncated, m_in.pos,
                               "zstd stream ends early (file truncated?)");
        }
        m_decoded += out.pos;
        if (m_decoded > m_limit)
            return overLimit(m_in.pos, m_limit);
        return out.pos;
    }

    std::string_view m_raw;
    uint64_t m_limit;
    ZSTD_DStream* m_d;
    ZSTD_inBuffer m_in{nullptr, 0, 0};
    size_t m_lastRet = 1;
    uint64_t m_decoded = 0;
    std::optional<Error> m_pending;
};

} // namespace

std::unique_ptr<ByteStream> openStream(std::string_view raw, DecodeLimits limits) {
    uint64_t limit = limits.effective(raw.size());
    switch (detectCompression(raw.substr(0, 4))) {
        case Compression::Gzip: return std::make_unique<GzipStream>(raw, limit);
        case Compression::Zstd: return std::make_unique<ZstdStream>(raw, limit);
        case Compression::None: break;
    }
    return std::make_unique<PlainStream>(raw);
}

Result<std::string> readAll(ByteStream& in) {
    std::string out;
    size_t chunk = 64u << 10;
    for (;;) {
        size_t old = out.size();
        out.resize(old + chunk);
        auto got = in.read(out.data() + old, chunk);
        if (!got.ok())
            return got.error();
        out.resize(old + *got);
        if (*got == 0)
            break;
        if (chunk < (16u << 20))
            chunk *= 2;
    }
    out.shrink_to_fit();
    return out;
}

std::string peekDecoded(std::string_view raw, size_t n) {
    auto s = openStream(raw);
    std::string out(n, '\0');
    size_t have = 0;
    while (have < n) {
        auto got = s->read(out.data() + have, n - have);
        if (!got.ok() || *got == 0)
            break;
        have += *got;
    }
    out.resize(have);
    return out;
}

Result<std::string> zstdCompress(std::string_view data, int level) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
    if (ZSTD_isError(n))
        return makeError(ErrorCode::Io, std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    out.shrink_to_fit(); // the bound is far larger than the result
    return out;
}

Result<std::string> zstdDecompress(std::string_view data, uint64_t maxSize) {
    DecodeLimits lim;
    lim.maxDecoded = maxSize;
    auto s = openStream(data, lim);
    return readAll(*s);
}

} // namespace memscope
