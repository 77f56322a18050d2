// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/json_reader.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>

namespace memscope {

namespace {

class Walker {
public:
    Walker(std::string_view t, const std::function<void(const std::string&, double)>& leaf,
           const std::function<void(const std::string&, int64_t)>* integer, bool arrays)
        : m_t(t), m_leaf(leaf), m_integer(integer), m_arrays(arrays) {}

    Status run() {
        ws();
        if (auto st = value("", 0, true); !st)
            return st;
        ws();
        if (m_p != m_t.size())
            return fail("trailing characters after the JSON value");
        return {};
    }

private:
    Error fail(const std::string& msg) const {
        return errorAt(m_p >= m_t.size() ? ErrorCode::Truncated : ErrorCode::Format, m_p,
                       "JSON: " + msg);
    }
    void ws() {
        while (m_p < m_t.size() &&
               (m_t[m_p] == ' ' || m_t[m_p] == '\n' || m_t[m_p] == '\r' || m_t[m_p] == '\t'))
            ++m_p;
    }
    bool lit(std::string_view w) {
        if (m_t.substr(m_p, w.size()) != w)
            return false;
        m_p += w.size();
        return true;
    }
    Status string(std::string& out) {
        if (m_p >= m_t.size() || m_t[m_p] != '"')
            return fail("expected a string");
        ++m_p;
        while (m_p < m_t.size()) {
            char c = m_t[m_p++];
            if (c == '"')
                return {};
            if (c == '\\') {
                if (m_p >= m_t.size())
                    break;
                char e = m_t[m_p++];
                switch (e) {
                    case 'n': out += '\n'; break;
                    case 't': out += '\t'; break;
                    case 'r': out += '\r'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'u':
                        if (m_p + 4 > m_t.size())
                            return fail("short \\u escape");
                        out += '?'; // names we key on are ASCII
                        m_p += 4;
                        break;
                    default: out += e;
                }
            } else {
                out += c;
            }
        }
        return fail("unterminated string");
    }
    Status value(const std::string& path, int depth, bool report) {
        if (depth > 64)
            return fail("nested deeper than 64 levels");
        ws();
        if (m_p >= m_t.size())
            return fail("unexpected end");
        char c = m_t[m_p];
        if (c == '{') {
            ++m_p;
            ws();
            if (m_p < m_t.size() && m_t[m_p] == '}') {
                ++m_p;
                return {};
            }
            for (;;) {
                ws();
                std::string key;
                if (auto st = string(key); !st)
                    return st;
                ws();
                if (m_p >= m_t.size() || m_t[m_p] != ':')
                    return fail("expected ':'");
                ++m_p;
                if (auto st = value(path.empty() ? key : path + "." + key, depth + 1, report); !st)
                    return st;
                ws();
                if (m_p < m_t.size() && m_t[m_p] == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_t.size() && m_t[m_p] == '}') {
                    ++m_p;
                    return {};
                }
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            ++m_p;
            ws();
            if (m_p < m_t.size() && m_t[m_p] == ']') {
                ++m_p;
                return {};
            }
            for (size_t i = 0;; ++i) {
                if (auto st = value(path + "." + std::to_string(i), depth + 1, report && m_arrays);
                    !st)
                    return st;
                ws();
                if (m_p < m_t.size() && m_t[m_p] == ',') {
                    ++m_p;
                    continue;
                }
                if (m_p < m_t.size() && m_t[m_p] == ']') {
                    ++m_p;
                    return {};
                }
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') {
            std::string ignored;
            return string(ignored);
        }
        if (lit("true")) {
            if (report)
                m_leaf(path, 1);
            return {};
        }
        if (lit("false")) {
            if (report)
                m_leaf(path, 0);
            return {};
        }
        if (lit("null"))
            return {};
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = m_p;
            while (m_p < m_t.size() &&
                   std::string_view("+-0123456789.eE").find(m_t[m_p]) != std::string_view::npos)
                ++m_p;
            std::string num(m_t.substr(start, m_p - start));
            char* end = nullptr;
            double v = std::strtod(num.c_str(), &end);
            if (end != num.c_str() + num.size()) {
                m_p = start;
                return fail("bad number");
            }
            if (!report)
                return {};
            int64_t exact = 0;
            if (m_integer && num.find_first_of(".eE") == std::string::npos) {
                auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), exact);
                if (ec == std::errc() && ptr == num.data() + num.size()) {
                    (*m_integer)(path, exact);
                    return {};
                }
            }
            m_leaf(path, v);
            return {};
        }
        return fail(std::string("unexpected character '") + c + "'");
    }

    std::string_view m_t;
    size_t m_p = 0;
    const std::function<void(const std::string&, double)>& m_leaf;
    const std::function<void(const std::string&, int64_t)>* m_integer;
    bool m_arrays;
};

} // namespace

Status visitJsonNumbers(std::string_view text,
                        const std::function<void(const std::string&, double)>& leaf, bool arrays) {
    return Walker(text, leaf, nullptr, arrays).run();
}

Status visitJsonNumbers(std::string_view text,
                        const std::function<void(const std::string&, double)>& leaf,
                        const std::function<void(const std::string&, int64_t)>& integer,
                        bool arrays) {
    return Walker(text, leaf, &integer, arrays).run();
}

} // namespace memscope
