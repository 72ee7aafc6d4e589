// Bit-field helpers in the Power ISA's numbering (bit 0 is the most significant).
#pragma once

#include <bit>
#include <cstdint>

namespace ppcmig {

/// Bits first..last (IBM numbering) of a 32-bit word, right-justified.
constexpr uint32_t bits(uint32_t w, unsigned first, unsigned last) {
    const unsigned width = last - first + 1;
    return (w >> (31 - last)) & ((width == 32) ? 0xFFFFFFFFu : ((1u << width) - 1));
}

/// Sign-extend the low `width` bits of v.
constexpr int64_t sext(uint64_t v, unsigned width) {
    const unsigned s = 64 - width;
    return static_cast<int64_t>(v << s) >> s;
}

/// 64-bit mask with IBM bits mb..me set (wrapping when mb > me), as rotate-and-mask uses.
constexpr uint64_t mask64(unsigned mb, unsigned me) {
    const uint64_t a = ~uint64_t(0) >> mb;
    const uint64_t b = ~uint64_t(0) << (63 - me);
    return mb <= me ? (a & b) : (a | b);
}

constexpr uint64_t rotl64(uint64_t v, unsigned n) { return std::rotl(v, static_cast<int>(n & 63)); }
constexpr uint32_t rotl32(uint32_t v, unsigned n) { return std::rotl(v, static_cast<int>(n & 31)); }

/// IBM bit n of a 64-bit register as a mask.
constexpr uint64_t ibm64(unsigned n) { return uint64_t(1) << (63 - n); }

}  // namespace ppcmig
