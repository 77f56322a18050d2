// SPDX-License-Identifier: GPL-3.0-or-later
// The byte level of a heap dump: varints, strings and memory images read from
// a stream through one growing buffer. Internal to the reader.
#pragma once

#include "base/result.h"
#include "io/input.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace memscope::heapdump {

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

    bool atEnd() { return m_pos == m_end && !fill(1, /*eofOk=*/true); }

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

} // namespace memscope::heapdump
