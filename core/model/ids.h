// SPDX-License-Identifier: GPL-3.0-or-later
// Typed ids: a snapshot's id is not an integer that happens to be at hand,
// so it cannot be passed where another id (or a count, or an index) is
// meant. The store gives them out; SQL sees their value.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace memscope {

template <typename Tag>
struct TypedId {
    int64_t value = 0; // 0: none

    constexpr TypedId() = default;
    constexpr explicit TypedId(int64_t v) : value(v) {}
    constexpr explicit operator bool() const { return value != 0; }
    friend constexpr auto operator<=>(TypedId, TypedId) = default;
    // Printed as its number, as the command line and reports always have.
    friend std::ostream& operator<<(std::ostream& os, TypedId id) { return os << id.value; }
};

// A capture at one time in a case (a row of `snapshots`).
using SnapshotId = TypedId<struct SnapshotTag>;
// An imported file (a row of `sources`); several snapshots may come from one.
using SourceId = TypedId<struct SourceTag>;
// The program a snapshot was taken of (a row of `targets`).
using TargetId = TypedId<struct TargetTag>;
// A node of the case's stack trie (a row of `stacks`): a whole stack, leaf first.
using StackId = TypedId<struct StackTag>;
// A note at a moment (a row of `annotations`).
using AnnotationId = TypedId<struct AnnotationTag>;

} // namespace memscope

template <typename Tag>
struct std::hash<memscope::TypedId<Tag>> {
    size_t operator()(memscope::TypedId<Tag> id) const noexcept {
        return std::hash<int64_t>{}(id.value);
    }
};
