// SPDX-License-Identifier: GPL-3.0-or-later
// Reads that go on past a failure and keep the first error: a failed read
// gives an empty value, and the caller returns error() instead of anything
// made from the missing rows. The report and the detectors read this way.
#pragma once

#include "base/result.h"

#include <optional>
#include <utility>

namespace memscope {

class FirstError {
public:
    // The value of a read, or an empty one with its error kept.
    template <typename T>
    T take(Result<T> r) {
        if (r)
            return std::move(r).value();
        keep(r.error());
        return T{};
    }
    // Keeps `e` unless an error is kept already.
    void keep(const Error& e) {
        if (!m_error)
            m_error = e;
    }
    const std::optional<Error>& error() const { return m_error; }

private:
    std::optional<Error> m_error;
};

} // namespace memscope
