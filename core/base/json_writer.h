// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// A streaming JSON writer: values, arrays and objects, correctly escaped.
// Strings from captures are arbitrary bytes; invalid UTF-8 becomes U+FFFD.
class JsonWriter {
public:
    explicit JsonWriter(bool pretty = true) : m_pretty(pretty) {}

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view v);
    JsonWriter& value(const char* v) { return value(std::string_view(v)); }
    JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
    JsonWriter& value(int64_t v);
    JsonWriter& value(int v) { return value(int64_t(v)); }
    JsonWriter& value(uint64_t v);
    JsonWriter& value(double v);
    JsonWriter& value(bool v);
    // A typed id (the model's SnapshotId, ...): its number.
    template <typename Id>
    requires requires(Id id) { int64_t(id.value); }
    JsonWriter& value(Id id) { return value(int64_t(id.value)); }
    // key + value in one call
    template <typename T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    const std::string& str() const { return m_out; }
    static std::string quote(std::string_view s);

private:
    void beforeValue();
    void newline();
    std::string m_out;
    struct Level {
        bool array;
        int count;
    };
    std::vector<Level> m_stack;
    bool m_afterKey = false;
    bool m_pretty;
};

} // namespace memscope
