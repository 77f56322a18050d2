// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/line_reader.h"

#include <cstring>

namespace memscope {

bool LineReader::fill() {
    if (m_eof)
        return false;
    if (m_pos > 0) {
        m_buf.erase(0, m_pos);
        m_pos = 0;
    }
    size_t old = m_buf.size();
    // Small inputs get a small buffer; a stream that keeps filling it earns a
    // larger one, up to 1 MiB.
    size_t chunk = m_chunk;
    m_buf.resize(old + chunk);
    auto got = m_in.read(m_buf.data() + old, chunk);
    if (got.ok() && *got == chunk && m_chunk < (1u << 20))
        m_chunk *= 2;
    if (!got.ok()) {
        m_buf.resize(old);
        m_error = got.error();
        m_eof = true;
        return false;
    }
    m_buf.resize(old + *got);
    if (*got == 0)
        m_eof = true;
    return *got > 0;
}

bool LineReader::tooLong() {
    m_error = errorAtLine(ErrorCode::Limit, m_line,
                          "line longer than " + std::to_string(m_maxLine) + " bytes");
    return false;
}

bool LineReader::nextBuffered(std::string_view& line) {
    if (m_error)
        return false;
    for (;;) {
        const char* start = m_buf.data() + m_pos;
        size_t avail = m_buf.size() - m_pos;
        const void* nl = avail ? std::memchr(start, '\n', avail) : nullptr;
        if (nl) {
            size_t len = size_t(static_cast<const char*>(nl) - start);
            m_pos += len + 1;
            m_consumed += len + 1;
            return emit(start, len, line);
        }
        if (avail > m_maxLine) {
            m_error = errorAtLine(ErrorCode::Limit, m_line + 1,
                                  "line longer than " + std::to_string(m_maxLine) + " bytes");
            return false;
        }
        if (!fill()) {
            if (m_error)
                return false;
            if (m_pos >= m_buf.size())
                return false;
            // Last line without a newline.
            m_terminated = false;
            size_t len = m_buf.size() - m_pos;
            m_consumed += len;
            m_pos = m_buf.size();
            return emit(m_buf.data() + m_buf.size() - len, len, line);
        }
    }
}

} // namespace memscope
