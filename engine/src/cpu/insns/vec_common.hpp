// Helpers shared by the VMX and VSX instruction files: whole-register views, VSCR[SAT], and
// 16-byte guest memory transfers in the ISA's two quadword byte orders.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "cpu/insns/common.hpp"
#include "cpu/insns/vreg.hpp"

namespace ppcmig::cpu::insn {

using u128 = unsigned __int128;
using s128 = __int128;

/// The register as one 128-bit integer (bit 0 of the ISA is the most significant).
inline u128 q(const Vsr& v) { return (u128(v.hi) << 64) | v.lo; }
inline Vsr vq(u128 x) { return Vsr{static_cast<uint64_t>(x), static_cast<uint64_t>(x >> 64)}; }

/// Bytes in the ISA's big-endian numbering (b[0] is byte element 0).
using Bytes16 = std::array<uint8_t, 16>;
inline Bytes16 be_bytes(const Vsr& v) {
    Bytes16 b;
    const auto* h = reinterpret_cast<const uint8_t*>(&v);
    for (unsigned i = 0; i < 16; ++i) b[i] = h[15 - i];
    return b;
}
inline Vsr from_be_bytes(const Bytes16& b) {
    Vsr v;
    auto* h = reinterpret_cast<uint8_t*>(&v);
    for (unsigned i = 0; i < 16; ++i) h[15 - i] = b[i];
    return v;
}

inline void set_sat(CpuState& s) { s.vscr |= vscr::SAT; }

/// 6-bit VSX register numbers of the common fields.
inline unsigned xt(const Decoded& d) { return f_rt(d) | ((d.word & 1) << 5); }
inline unsigned xa(const Decoded& d) { return f_ra(d) | (((d.word >> 2) & 1) << 5); }
inline unsigned xb(const Decoded& d) { return f_rb(d) | (((d.word >> 1) & 1) << 5); }
inline unsigned xc(const Decoded& d) { return f_rc(d) | (((d.word >> 3) & 1) << 5); }

// ---- 16-byte memory transfers ----
// "Quadword order" (lvx, lxvx, lxv): big-endian mode puts storage byte EA+i in register byte i;
// little-endian mode reverses the whole quadword (byte EA+i in register byte 15-i). Because a Vsr
// is a host little-endian 128-bit integer, the little-endian order is a plain copy.
inline Vsr load16(Cpu& c, uint64_t ea, bool le_order) {
    uint8_t m[16];
    c.load_bytes(ea, m, 16);
    Vsr v;
    if (!le_order) std::reverse(m, m + 16);
    std::memcpy(&v, m, 16);
    return v;
}
inline void store16(Cpu& c, uint64_t ea, const Vsr& v, bool le_order) {
    uint8_t m[16];
    std::memcpy(m, &v, 16);
    if (!le_order) std::reverse(m, m + 16);
    c.store_bytes(ea, m, 16);
}
/// Elements of `esize` bytes, each in the current byte order, in big-endian element order
/// (lxvd2x, lxvw4x, lxvh8x, lxvb16x and their stores).
inline Vsr load16_elems(Cpu& c, uint64_t ea, unsigned esize) {
    uint8_t m[16];
    c.load_bytes(ea, m, 16);
    if (c.little_endian())
        for (unsigned i = 0; i < 16; i += esize) std::reverse(m + i, m + i + esize);
    Bytes16 b;
    std::memcpy(b.data(), m, 16);
    return from_be_bytes(b);
}
inline void store16_elems(Cpu& c, uint64_t ea, const Vsr& v, unsigned esize) {
    Bytes16 b = be_bytes(v);
    if (c.little_endian())
        for (unsigned i = 0; i < 16; i += esize) std::reverse(b.begin() + i, b.begin() + i + esize);
    c.store_bytes(ea, b.data(), 16);
}

}  // namespace ppcmig::cpu::insn
