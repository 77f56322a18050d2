// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "io/input.h"

#include <cstring>
#include <string>
#include <string_view>

namespace memscope {

// Lines of a decoded stream, read in blocks: memory stays at one block plus
// the longest line. A stream whose bytes are already in memory is split in
// place, with no copy. A line over maxLine is an error naming its number.
class LineReader {
public:
    explicit LineReader(ByteStream& in, size_t maxLine = 4u << 20)
        : m_in(in), m_maxLine(maxLine), m_inPlace(in.inPlace()), m_base(in.position()) {}

    // The next line without its "\n" (and "\r"), or false at the end. The view
    // is valid until the next call, or for as long as the stream's bytes when
    // stableLines(). Errors are kept in error().
    bool next(std::string_view& line) {
        if (!m_inPlace || m_error)
            return nextBuffered(line);
        size_t avail = m_inPlace->size() - m_pos;
        if (avail == 0)
            return false;
        const char* start = m_inPlace->data() + m_pos;
        const void* nl = std::memchr(start, '\n', avail);
        size_t len = nl ? size_t(static_cast<const char*>(nl) - start) : avail;
        m_pos += nl ? len + 1 : len;
        m_terminated = nl != nullptr;
        return emit(start, len, line);
    }
    uint64_t lineNumber() const { return m_line; }
    const std::optional<Error>& error() const { return m_error; }
    uint64_t bytesRead() const { return m_inPlace ? m_base + m_pos : m_in.position(); }
    // Decoded bytes of the lines returned so far, newlines included.
    uint64_t decodedBytes() const { return m_inPlace ? m_pos : m_consumed; }
    // Whether the line last returned ended in a newline; false for a last
    // line the stream cut off.
    bool lastLineTerminated() const { return m_terminated; }
    // Whether every line's view stays valid after the next call.
    bool stableLines() const { return m_inPlace.has_value(); }

private:
    bool nextBuffered(std::string_view& line);
    bool fill();
    // Counts the line and hands it out without its "\r".
    bool emit(const char* start, size_t len, std::string_view& line) {
        ++m_line;
        if (len > m_maxLine)
            return tooLong();
        line = std::string_view(start, len);
        if (len && start[len - 1] == '\r')
            line.remove_suffix(1);
        return true;
    }
    bool tooLong();
    ByteStream& m_in;
    size_t m_maxLine;
    std::optional<std::string_view> m_inPlace;
    uint64_t m_base; // the stream's position when split in place
    std::string m_buf;
    size_t m_pos = 0;
    size_t m_chunk = 64u << 10;
    bool m_eof = false;
    uint64_t m_line = 0;
    bool m_terminated = true;
    uint64_t m_consumed = 0; // decodedBytes() when buffered
    std::optional<Error> m_error;
};

} // namespace memscope
