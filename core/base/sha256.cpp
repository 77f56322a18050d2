// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/sha256.h"

#include <cpuid.h>
#include <cstring>
#include <immintrin.h>

namespace memscope {

namespace {
constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// The x86 SHA extensions: four rounds per pair of sha256rnds2, the message
// schedule by sha256msg1/msg2. State is kept as ABEF / CDGH as they expect.
__attribute__((target("sha,sse4.1,ssse3"))) void blocksShaNi(uint32_t h[8], const uint8_t* p,
                                                             size_t n) {
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&h[0]));
    __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&h[4]));
    tmp = _mm_shuffle_epi32(tmp, 0xB1);
    state1 = _mm_shuffle_epi32(state1, 0x1B);
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);
    for (; n > 0; --n, p += 64) {
        const __m128i save0 = state0, save1 = state1;
        __m128i w[16];
        for (int t = 0; t < 16; ++t) {
            if (t < 4) {
                w[t] = _mm_shuffle_epi8(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * t)), byteSwap);
            } else {
                __m128i m = _mm_sha256msg1_epu32(w[t - 4], w[t - 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[t - 1], w[t - 2], 4));
                w[t] = _mm_sha256msg2_epu32(m, w[t - 1]);
            }
            __m128i msg =
                _mm_add_epi32(w[t], _mm_loadu_si128(reinterpret_cast<const __m128i*>(&K[4 * t])));
            state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
            msg = _mm_shuffle_epi32(msg, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
        }
        state0 = _mm_add_epi32(state0, save0);
        state1 = _mm_add_epi32(state1, save1);
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);
    state1 = _mm_shuffle_epi32(state1, 0xB1);
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);
    state1 = _mm_alignr_epi8(state1, tmp, 8);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&h[0]), state0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&h[4]), state1);
}

bool detectShaNi() {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    bool sha = b & (1u << 29);
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    bool sse41 = c & (1u << 19), ssse3 = c & (1u << 9);
    return sha && sse41 && ssse3;
}

} // namespace

bool Sha256::hardwareAvailable() {
    static const bool available = detectShaNi();
    return available;
}

void Sha256::blocks(const uint8_t* p, size_t n) {
    if (m_accel) {
        blocksShaNi(m_h, p, n);
        return;
    }
    for (; n > 0; --n, p += 64)
        block(p);
}

Sha256::Sha256(bool accelerate)
    : m_accel(accelerate && hardwareAvailable()), m_h{0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                                      0xa54ff53a, 0x510e527f, 0x9b05688c,
                                                      0x1f83d9ab, 0x5be0cd19} {}

void Sha256::block(const uint8_t* p) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = uint32_t(p[4 * i]) << 24 | uint32_t(p[4 * i + 1]) << 16 |
               uint32_t(p[4 * i + 2]) << 8 | uint32_t(p[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = m_h[0], b = m_h[1], c = m_h[2], d = m_h[3], e = m_h[4], f = m_h[5], g = m_h[6],
             h = m_h[7];
    for (int i = 0; i < 64; ++i) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + K[i] + w[i];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    m_h[0] += a;
    m_h[1] += b;
    m_h[2] += c;
    m_h[3] += d;
    m_h[4] += e;
    m_h[5] += f;
    m_h[6] += g;
    m_h[7] += h;
}

void Sha256::update(std::string_view data) {
    auto p = reinterpret_cast<const uint8_t*>(data.data());
    size_t n = data.size();
    m_total += n;
    if (m_len) {
        size_t k = std::min(n, 64 - m_len);
        std::memcpy(m_buf + m_len, p, k);
        m_len += k;
        p += k;
        n -= k;
        if (m_len < 64)
            return;
        blocks(m_buf, 1);
        m_len = 0;
    }
    if (n >= 64) {
        size_t whole = n / 64;
        blocks(p, whole);
        p += whole * 64;
        n -= whole * 64;
    }
    std::memcpy(m_buf, p, n);
    m_len = n;
}

std::array<uint8_t, 32> Sha256::finish() {
    uint64_t bits = m_total * 8;
    uint8_t pad = 0x80;
    update({reinterpret_cast<char*>(&pad), 1});
    uint8_t zero = 0;
    while (m_len != 56)
        update({reinterpret_cast<char*>(&zero), 1});
    uint8_t len[8];
    for (int i = 0; i < 8; ++i)
        len[i] = uint8_t(bits >> (56 - 8 * i));
    update({reinterpret_cast<char*>(len), 8});
    std::array<uint8_t, 32> out{};
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 4; ++j)
            out[4 * i + j] = uint8_t(m_h[i] >> (24 - 8 * j));
    return out;
}

std::string Sha256::finishHex() {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (uint8_t b : finish()) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string Sha256::hex(std::string_view data) {
    Sha256 s;
    s.update(data);
    return s.finishHex();
}

} // namespace memscope
