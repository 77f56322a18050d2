// SPDX-License-Identifier: GPL-3.0-or-later
// One table per enum maps its values to the text the case file, the command
// line and JSON use; toString and parse both read it, so the two directions
// cannot drift apart.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace memscope {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

template <typename E, size_t N>
constexpr const char* nameIn(const NameTable<E, N>& table, E value) {
    for (const auto& [v, name] : table)
        if (v == value)
            return name;
    return "";
}

template <typename E, size_t N>
constexpr std::optional<E> valueIn(const NameTable<E, N>& table, std::string_view name) {
    for (const auto& [v, n] : table)
        if (name == n)
            return v;
    return std::nullopt;
}

} // namespace memscope
