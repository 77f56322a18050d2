// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace memscope {

// A read-only memory map of a whole file. Empty files map to an empty view.
class MappedFile {
public:
    static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view bytes() const { return {static_cast<const char*>(m_data), m_size}; }
    const std::string& path() const { return m_path; }
    int64_t mtimeNs() const { return m_mtimeNs; }

private:
    MappedFile() = default;
    std::string m_path;
    void* m_data = nullptr;
    size_t m_size = 0;
    int64_t m_mtimeNs = 0;
};

enum class Compression { None, Gzip, Zstd };
const char* compressionName(Compression c);
Compression detectCompression(std::string_view head);

// A forward-only stream of decoded bytes. position() is how far into the
// *encoded* input the decoder has read, for progress and error offsets.
class ByteStream {
public:
    virtual ~ByteStream() = default;
    // Reads up to n bytes; 0 at the end. Errors carry the encoded offset.
    virtual Result<size_t> read(char* buf, size_t n) = 0;
    virtual uint64_t position() const = 0;
    // The stream's unread bytes, when they are plain and already in memory
    // that outlives the stream (a mapped, uncompressed file); else nothing.
    // Readers may then work on the bytes in place instead of copying them.
    virtual std::optional<std::string_view> inPlace() const { return std::nullopt; }
};

// The largest decoded size we accept, by default: a multiple of the encoded
// size with a floor, so a 1 KB file cannot inflate to terabytes.
struct DecodeLimits {
    uint64_t maxDecoded = 0; // 0 = derive from the input size
    static constexpr uint64_t kRatio = 1024;
    static constexpr uint64_t kFloor = 64ull << 20;
    static constexpr uint64_t kCeiling = 64ull << 30;
    uint64_t effective(uint64_t encodedSize) const;
};

// Decodes (gzip, zstd, or nothing) from `raw`, which must outlive the stream.
std::unique_ptr<ByteStream> openStream(std::string_view raw, DecodeLimits limits = {});

// The whole decoded content, or an error past the limit.
Result<std::string> readAll(ByteStream& in);

// Decoded prefix of at most n bytes, for sniffing. Errors read as "no bytes".
std::string peekDecoded(std::string_view raw, size_t n);

// zstd for the case file's source blobs.
Result<std::string> zstdCompress(std::string_view data, int level = 3);
Result<std::string> zstdDecompress(std::string_view data, uint64_t maxSize);

} // namespace memscope
