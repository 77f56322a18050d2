// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memscope {

// A fast, non-cryptographic hash of bytes, continuing from `seed`. Eight
// bytes at a time, each step a 64x64->128 multiply folded to 64 bits.
inline uint64_t hashBytes(std::string_view s, uint64_t seed = 0) {
    auto fold = [](uint64_t a, uint64_t b) {
        unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
        return uint64_t(r) ^ uint64_t(r >> 64);
    };
    constexpr uint64_t k0 = 0x9E3779B97F4A7C15ull, k1 = 0xBF58476D1CE4E5B9ull,
                       k2 = 0x94D049BB133111EBull;
    const char* p = s.data();
    size_t n = s.size();
    uint64_t h = seed ^ (n * k0);
    while (n >= 16) {
        uint64_t a, b;
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + 8, 8);
        h = fold(a ^ h ^ k1, b ^ k2) + ((h << 23) | (h >> 41));
        p += 16;
        n -= 16;
    }
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + n - 8, 8); // overlaps a when n < 16: still every byte counts
    } else if (n > 0) {
        std::memcpy(&a, p, n);
    }
    return fold(a ^ h ^ k1, b ^ k2 ^ n) ^ h;
}

// Gives each distinct key a dense id, in the order keys first arrive. A key is
// a pair of byte strings (a, b), so callers need not join them to look up.
// Open addressing with linear probing; the keys live in one arena.
class InternTable {
public:
    [[gnu::always_inline]] std::optional<uint32_t> find(std::string_view a,
                                                        std::string_view b = {}) const {
        if (m_slots.empty())
            return std::nullopt;
        uint64_t h = hashOf(a, b);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            const Slot& s = m_slots[i];
            if (s.id == kEmpty)
                return std::nullopt;
            if (s.hash == h && equal(m_keys[s.id], a, b))
                return s.id;
        }
    }

    // Adds a key that find() did not find; returns its id.
    uint32_t add(std::string_view a, std::string_view b = {}) {
        if ((m_keys.size() + 1) * 2 > m_slots.size())
            grow();
        uint32_t id = uint32_t(m_keys.size());
        m_keys.push_back({m_arena.size(), a.size(), b.size()});
        m_arena.append(a);
        m_arena.append(b);
        place(hashOf(a, b), id);
        return id;
    }

    uint32_t intern(std::string_view a, std::string_view b = {}) {
        if (auto id = find(a, b))
            return *id;
        return add(a, b);
    }

    size_t size() const { return m_keys.size(); }

private:
    static constexpr uint32_t kEmpty = UINT32_MAX;
    struct Slot {
        uint64_t hash = 0;
        uint32_t id = kEmpty;
    };
    struct Key {
        size_t offset, aLen, bLen;
    };

    uint64_t hashOf(std::string_view a, std::string_view b) const {
        return hashBytes(b, hashBytes(a, m_seed));
    }
    bool equal(const Key& k, std::string_view a, std::string_view b) const {
        return k.aLen == a.size() && k.bLen == b.size() &&
               std::memcmp(m_arena.data() + k.offset, a.data(), a.size()) == 0 &&
               std::memcmp(m_arena.data() + k.offset + a.size(), b.data(), b.size()) == 0;
    }
    void place(uint64_t h, uint32_t id) {
        size_t i = h & m_mask;
        while (m_slots[i].id != kEmpty)
            i = (i + 1) & m_mask;
        m_slots[i] = {h, id};
    }
    void grow() {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(old.empty() ? 64 : old.size() * 2, Slot{});
        m_mask = m_slots.size() - 1;
        for (const Slot& s : old)
            if (s.id != kEmpty)
                place(s.hash, s.id);
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    std::vector<Key> m_keys;
    std::string m_arena;
    // Per table, from its address: crafted input cannot aim at fixed buckets.
    uint64_t m_seed =
        hashBytes({reinterpret_cast<const char*>(this), 0}, reinterpret_cast<uintptr_t>(this));
};

} // namespace memscope
