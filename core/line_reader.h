// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "input.h"
#include "result.h"

#include <string>
#include <string_view>

namespace memscope {

// Lines of a decoded stream, read in blocks: memory stays at one block plus
// the longest line. A line over maxLine is an error naming its number.
class LineReader {
public:
    explicit LineReader(ByteStream& in, size_t maxLine = 4u << 20) : m_in(in), m_maxLine(maxLine) {}

    // The next line without its "\n" (and "\r"), or false at the end. The view
    // is valid until the next call. Errors are kept in error().
    bool next(std::string_view& line);
    uint64_t lineNumber() const { return m_line; }
    const std::optional<Error>& error() const { return m_error; }
    uint64_t bytesRead() const { return m_in.position(); }

private:
    bool fill();
    ByteStream& m_in;
    size_t m_maxLine;
    std::string m_buf;
    size_t m_pos = 0;
    size_t m_chunk = 64u << 10;
    bool m_eof = false;
    uint64_t m_line = 0;
    std::optional<Error> m_error;
};

} // namespace memscope
