// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace memscope {

// FIPS 180-4 SHA-256, for recognising a file imported before.
class Sha256 {
public:
    // accelerate: use the CPU's SHA instructions when it has them.
    explicit Sha256(bool accelerate = true);
    static bool hardwareAvailable();
    void update(std::string_view data);
    std::array<uint8_t, 32> finish();
    // finish(), in lower-case hex.
    std::string finishHex();
    static std::string hex(std::string_view data);

private:
    void block(const uint8_t* p);
    void blocks(const uint8_t* p, size_t n);
    bool m_accel;
    uint32_t m_h[8];
    uint8_t m_buf[64];
    size_t m_len = 0;
    uint64_t m_total = 0;
};

} // namespace memscope
