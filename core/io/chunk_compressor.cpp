// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/chunk_compressor.h"

namespace memscope {

ChunkCompressor::ChunkCompressor(std::string_view plain, std::unique_ptr<ByteStream> stream,
                                 size_t chunkSize)
    : m_plain(plain), m_stream(std::move(stream)), m_chunkSize(chunkSize) {
    if (!m_plain.empty())
        m_chunks.resize((m_plain.size() + m_chunkSize - 1) / m_chunkSize);
}

void ChunkCompressor::work() {
    std::string buffer;
    while (!m_stop) {
        size_t index;
        std::string_view piece;
        if (!m_plain.empty()) {
            index = m_next.fetch_add(1);
            if (index >= m_chunks.size())
                return;
            piece = m_plain.substr(index * m_chunkSize, m_chunkSize);
        } else {
            // A decoding stream reads in order: one reader at a time.
            std::lock_guard lock(m_mutex);
            if (m_streamDone || m_error)
                return;
            buffer.resize(m_chunkSize);
            size_t have = 0;
            while (have < m_chunkSize) {
                auto got = m_stream->read(buffer.data() + have, m_chunkSize - have);
                if (!got) {
                    m_error = got.error();
                    return;
                }
                if (*got == 0)
                    break;
                have += *got;
            }
            if (have < m_chunkSize)
                m_streamDone = true;
            if (have == 0)
                return;
            buffer.resize(have);
            piece = buffer;
            index = m_streamChunks++;
            m_chunks.resize(m_streamChunks);
        }
        // Level 1: the kept bytes are read back rarely, and compressing them
        // runs beside the parse on a machine that may have two cores.
        auto z = zstdCompress(piece, 1);
        std::lock_guard lock(m_mutex);
        if (!z) {
            if (!m_error)
                m_error = z.error();
            return;
        }
        m_chunks[index] = std::move(*z);
        m_decoded += int64_t(piece.size());
    }
}

Result<std::vector<std::string>> ChunkCompressor::take() {
    std::lock_guard lock(m_mutex);
    if (m_error)
        return *m_error;
    std::vector<std::string> out;
    out.reserve(m_chunks.size());
    for (auto& c : m_chunks) {
        if (!c)
            return makeError(ErrorCode::Cancelled, "compression stopped before the end");
        out.push_back(std::move(*c));
    }
    return out;
}

} // namespace memscope
