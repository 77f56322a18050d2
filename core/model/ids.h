// SPDX-License-Identifier: GPL-3.0-or-later
// Typed ids: a snapshot's id is not an integer that happens to be at hand,
// so it cannot be passed where another id (or a count, or an index) is
// meant. The store gives them out; SQL sees their value.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace memscope {

template <typename Tag>
struct TypedId {
    int64_t value = 0; // 0: none

    constexpr TypedId() = default;
    constexpr explicit TypedId(int64_t v) : value(v) {}
    constexpr explicit operator bool() const { return value != 0; }
    friend constexpr auto operator<=>(TypedId, TypedId) = default;
};

// A capture at one time in a case (a row of `snapshots`).
using SnapshotId = TypedId<struct SnapshotTag>;

} // namespace memscope

template <typename Tag>
struct std::hash<memscope::TypedId<Tag>> {
    size_t operator()(memscope::TypedId<Tag> id) const noexcept {
        return std::hash<int64_t>{}(id.value);
    }
};
