// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace memscope {

enum class ErrorCode {
    Io,          // the file could not be read or written
    Format,      // the bytes are not what the format says
    Truncated,   // the input ends before a record does
    Unsupported, // a format or version we do not read
    Limit,       // a size or count over what we accept
    Cancelled,   // the user asked us to stop
    Database,    // SQLite said no
    Busy,        // another process is writing the case (its lock outlasted the wait)
    Usage,       // the caller asked for something that does not exist
};

// An error for people: what went wrong, in which file, and where.
// offset is a byte offset, line a 1-based line number; either may be absent.
struct Error {
    ErrorCode code = ErrorCode::Format;
    std::string message;
    std::string file;
    std::optional<uint64_t> offset;
    std::optional<uint64_t> line;

    // "file: at byte N: message" / "file:LINE: message"
    std::string toString() const;

    Error withFile(std::string path) const {
        Error e = *this;
        if (e.file.empty())
            e.file = std::move(path);
        return e;
    }
};

inline Error makeError(ErrorCode code, std::string message) {
    return Error{code, std::move(message), {}, {}, {}};
}
inline Error errorAt(ErrorCode code, uint64_t offset, std::string message) {
    return Error{code, std::move(message), {}, offset, {}};
}
inline Error errorAtLine(ErrorCode code, uint64_t line, std::string message) {
    return Error{code, std::move(message), {}, {}, line};
}

// A value or an Error. Small on purpose: std::expected is C++23.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}
    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace memscope
