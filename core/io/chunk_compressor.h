// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// Compresses a file's decoded bytes in fixed-size chunks, on whichever core
// is free: a helper thread starts at once, and the importing thread joins in
// when its parse is done. A file that lies in memory undecoded is cut where
// it lies; a compressed one is decoded in order, one chunk at a time.
class ChunkCompressor {
public:
    // `plain`: the whole decoded file in memory, or empty to read `stream`.
    ChunkCompressor(std::string_view plain, std::unique_ptr<ByteStream> stream, size_t chunkSize);

    // Compresses chunks until none is left or stop() was called. Safe from
    // several threads at once.
    void work();
    void stop() { m_stop = true; }

    // After every worker returned: the chunks in order, or the first error.
    Result<std::vector<std::string>> take();
    int64_t decodedBytes() const { return m_decoded; }

private:
    std::string_view m_plain;
    std::unique_ptr<ByteStream> m_stream;
    size_t m_chunkSize;
    std::atomic<bool> m_stop{false};
    std::atomic<size_t> m_next{0}; // the next chunk of m_plain
    std::mutex m_mutex;            // the stream, the results and the error
    bool m_streamDone = false;
    size_t m_streamChunks = 0;
    std::vector<std::optional<std::string>> m_chunks;
    std::optional<Error> m_error;
    std::atomic<int64_t> m_decoded{0};
};

} // namespace memscope
