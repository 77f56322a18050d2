// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/json_writer.h"

#include "base/text_util.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace memscope {

std::string JsonWriter::quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (c < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        out += buf;
                    } else {
                        out += char(c);
                    }
            }
            ++i;
            continue;
        }
        // One well-formed UTF-8 sequence, or U+FFFD for a byte that starts none
        // (overlong forms and surrogates included: strict parsers refuse them).
        size_t len = utf8SequenceAt(s, i);
        if (len) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
    return out;
}

void JsonWriter::newline() {
    if (!m_pretty)
        return;
    m_out += '\n';
    m_out.append(m_stack.size() * 2, ' ');
}

void JsonWriter::beforeValue() {
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_stack.empty()) {
        if (m_stack.back().count++ > 0)
            m_out += ',';
        newline();
    }
}

JsonWriter& JsonWriter::beginObject() {
    beforeValue();
    m_out += '{';
    m_stack.push_back({false, 0});
    return *this;
}

JsonWriter& JsonWriter::endObject() {
    bool empty = m_stack.back().count == 0;
    m_stack.pop_back();
    if (!empty)
        newline();
    m_out += '}';
    return *this;
}

JsonWriter& JsonWriter::beginArray() {
    beforeValue();
    m_out += '[';
    m_stack.push_back({true, 0});
    return *this;
}

JsonWriter& JsonWriter::endArray() {
    bool empty = m_stack.back().count == 0;
    m_stack.pop_back();
    if (!empty)
        newline();
    m_out += ']';
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    beforeValue();
    m_out += quote(k);
    m_out += m_pretty ? ": " : ":";
    m_afterKey = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view v) {
    beforeValue();
    m_out += quote(v);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t v) {
    beforeValue();
    m_out += std::to_string(v);
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t v) {
    beforeValue();
    m_out += std::to_string(v);
    return *this;
}

JsonWriter& JsonWriter::value(double v) {
    beforeValue();
    if (!std::isfinite(v)) {
        m_out += "null";
        return *this;
    }
    if (v == std::floor(v) && std::fabs(v) < 9e15) {
        m_out += std::to_string(int64_t(v));
        return *this;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Shortest form that reads back the same.
    for (int prec = 6; prec < 17; ++prec) {
        char tmp[32];
        std::snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (std::strtod(tmp, nullptr) == v) {
            m_out += tmp;
            return *this;
        }
    }
    m_out += buf;
    return *this;
}

JsonWriter& JsonWriter::value(bool v) {
    beforeValue();
    m_out += v ? "true" : "false";
    return *this;
}

} // namespace memscope
