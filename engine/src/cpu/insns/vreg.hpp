// Element access to 128-bit VSX/VMX registers in the ISA's big-endian element numbering.
// A Vsr is a little-endian 128-bit integer {lo, hi} (hi = doubleword 0), so big-endian byte i
// lives at host byte 15 - i and element i of width W bytes at host offset 16 - (i + 1) * W.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "ppcmig/cpu/state.hpp"

namespace ppcmig::cpu::insn {

template <class T>
inline T vget(const Vsr& v, unsigned i) {
    T x;
    std::memcpy(&x, reinterpret_cast<const uint8_t*>(&v) + 16 - (i + 1) * sizeof(T), sizeof(T));
    return x;
}
template <class T>
inline void vset(Vsr& v, unsigned i, T x) {
    std::memcpy(reinterpret_cast<uint8_t*>(&v) + 16 - (i + 1) * sizeof(T), &x, sizeof(T));
}
inline double dw_as_double(uint64_t v) { return std::bit_cast<double>(v); }
inline uint64_t double_bits(double d) { return std::bit_cast<uint64_t>(d); }
inline float w_as_float(uint32_t v) { return std::bit_cast<float>(v); }
inline uint32_t float_bits(float f) { return std::bit_cast<uint32_t>(f); }

/// VR n (0-31) is VSR 32+n.
inline Vsr& vr(CpuState& s, unsigned n) { return s.vsr[32 + n]; }
/// FPR n is doubleword 0 of VSR n.
inline uint64_t& fpr(CpuState& s, unsigned n) { return s.vsr[n].hi; }

}  // namespace ppcmig::cpu::insn
