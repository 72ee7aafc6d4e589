// Helpers for instruction rows and their semantic handlers (internal to the engine).
#pragma once

#include <cstdint>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/util/bits.hpp"

namespace ppcmig::cpu::insn {

using isa::Category;
using isa::InsnSpec;
using isa::IsaLevel;
using isa::Privilege;
using enum isa::Opnd;

inline constexpr auto L201 = IsaLevel::v2_01, L202 = IsaLevel::v2_02, L203 = IsaLevel::v2_03,
                      L205 = IsaLevel::v2_05, L206 = IsaLevel::v2_06, L207 = IsaLevel::v2_07,
                      L300 = IsaLevel::v3_0, L310 = IsaLevel::v3_1;

/// A table row in one line.
inline InsnSpec row(std::string_view name, uint64_t match, std::array<isa::Opnd, 6> ops, IsaLevel lvl,
                    Category cat, uint16_t flags, isa::ExecFn fn,
                    Privilege priv = Privilege::Problem, uint64_t free_bits = 0) {
    InsnSpec s{name, match, ops, lvl, cat, priv, flags, fn};
    s.free_bits = free_bits;
    return s;
}

// ---- instruction fields (IBM bit numbering) ----
inline unsigned f_rt(const Decoded& d) { return (d.word >> 21) & 31; }
inline unsigned f_ra(const Decoded& d) { return (d.word >> 16) & 31; }
inline unsigned f_rb(const Decoded& d) { return (d.word >> 11) & 31; }
inline unsigned f_rc(const Decoded& d) { return (d.word >> 6) & 31; }
inline unsigned f_bf(const Decoded& d) { return (d.word >> 23) & 7; }
inline unsigned f_bfa(const Decoded& d) { return (d.word >> 18) & 7; }
inline int64_t f_si(const Decoded& d) { return static_cast<int16_t>(d.word & 0xFFFF); }
inline uint64_t f_ui(const Decoded& d) { return d.word & 0xFFFF; }
inline int64_t f_ds(const Decoded& d) { return static_cast<int16_t>(d.word & 0xFFFC); }
inline int64_t f_dq(const Decoded& d) { return static_cast<int16_t>(d.word & 0xFFF0); }
inline bool f_rcbit(const Decoded& d) { return (d.word & 1) != 0; }
inline bool f_oe(const Decoded& d) { return ((d.word >> 10) & 1) != 0; }
inline unsigned f_spr(const Decoded& d) { return ((d.word >> 16) & 31) | (((d.word >> 11) & 31) << 5); }

// ---- effective addresses ----
inline uint64_t ea_d(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return c.ea((ra ? c.s.gpr[ra] : 0) + static_cast<uint64_t>(f_si(d)));
}
inline uint64_t ea_ds(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return c.ea((ra ? c.s.gpr[ra] : 0) + static_cast<uint64_t>(f_ds(d)));
}
inline uint64_t ea_dq(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return c.ea((ra ? c.s.gpr[ra] : 0) + static_cast<uint64_t>(f_dq(d)));
}
inline uint64_t ea_x(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return c.ea((ra ? c.s.gpr[ra] : 0) + c.s.gpr[f_rb(d)]);
}
/// Update forms: RA=0 is an invalid form (the row handler raises illegal).
inline uint64_t ea_du(Cpu& c, const Decoded& d) { return c.ea(c.s.gpr[f_ra(d)] + static_cast<uint64_t>(f_si(d))); }
inline uint64_t ea_dsu(Cpu& c, const Decoded& d) { return c.ea(c.s.gpr[f_ra(d)] + static_cast<uint64_t>(f_ds(d))); }
inline uint64_t ea_xu(Cpu& c, const Decoded& d) { return c.ea(c.s.gpr[f_ra(d)] + c.s.gpr[f_rb(d)]); }

/// Addressing forms of loads and stores, for handler templates: D (RA|0 + SI), DS (RA|0 + DS),
/// X (RA|0 + RB); the update forms use RA itself.
enum class Ea { D, DS, X };
template <Ea K>
uint64_t ea_of(Cpu& c, const Decoded& d) {
    if constexpr (K == Ea::D) return ea_d(c, d);
    else if constexpr (K == Ea::DS) return ea_ds(c, d);
    else return ea_x(c, d);
}
template <Ea K>
uint64_t ea_upd(Cpu& c, const Decoded& d) {
    if constexpr (K == Ea::D) return ea_du(c, d);
    else if constexpr (K == Ea::DS) return ea_dsu(c, d);
    else return ea_xu(c, d);
}

// ---- condition register ----
inline void set_crf(CpuState& s, unsigned bf, uint32_t v4) {
    const unsigned sh = 28 - 4 * bf;
    s.cr = (s.cr & ~(0xFu << sh)) | ((v4 & 0xF) << sh);
}
inline uint32_t get_crf(const CpuState& s, unsigned bf) { return (s.cr >> (28 - 4 * bf)) & 0xF; }
inline bool get_crbit(const CpuState& s, unsigned bit) { return ((s.cr >> (31 - bit)) & 1) != 0; }
inline void set_crbit(CpuState& s, unsigned bit, bool v) {
    const uint32_t m = 1u << (31 - bit);
    s.cr = v ? (s.cr | m) : (s.cr & ~m);
}
inline uint32_t so_bit(const CpuState& s) { return (s.xer & xer::SO) ? 1 : 0; }
/// LT/GT/EQ of a signed comparison, plus SO.
inline uint32_t cmp_signed(const CpuState& s, int64_t a, int64_t b) {
    return (a < b ? 8u : a > b ? 4u : 2u) | so_bit(s);
}
inline uint32_t cmp_unsigned(const CpuState& s, uint64_t a, uint64_t b) {
    return (a < b ? 8u : a > b ? 4u : 2u) | so_bit(s);
}
/// CR0 from a result per the current mode (64-bit compare, or the low word in 32-bit mode).
inline void set_cr0(Cpu& c, uint64_t r) {
    const int64_t v = c.sf() ? static_cast<int64_t>(r) : static_cast<int64_t>(static_cast<int32_t>(r));
    set_crf(c.s, 0, cmp_signed(c.s, v, 0));
}

// ---- XER ----
inline bool xer_ca(const CpuState& s) { return (s.xer & xer::CA) != 0; }
inline void set_ca(CpuState& s, bool ca, bool ca32) {
    s.xer = (s.xer & ~(xer::CA | xer::CA32)) | (ca ? xer::CA : 0) | (ca32 ? xer::CA32 : 0);
}
inline void set_ov(CpuState& s, bool ov, bool ov32) {
    s.xer = (s.xer & ~(xer::OV | xer::OV32)) | (ov ? (xer::OV | xer::SO) : 0) | (ov32 ? xer::OV32 : 0);
}

/// a + b + cin with CA/CA32 (CA per mode) and OV/OV32 (OV per mode).
struct AddResult {
    uint64_t r;
    bool ca, ca32, ov, ov32;
};
inline AddResult add3(bool sf, uint64_t a, uint64_t b, uint64_t cin) {
    AddResult x{};
    const unsigned __int128 wide = static_cast<unsigned __int128>(a) + b + cin;
    x.r = static_cast<uint64_t>(wide);
    const bool ca64 = (wide >> 64) != 0;
    const uint64_t low = (a & 0xFFFFFFFF) + (b & 0xFFFFFFFF) + cin;
    x.ca32 = (low >> 32) != 0;
    x.ca = sf ? ca64 : x.ca32;
    const bool ov64 = ((~(a ^ b) & (a ^ x.r)) >> 63) != 0;
    const uint32_t a32 = static_cast<uint32_t>(a), b32 = static_cast<uint32_t>(b),
                   r32 = static_cast<uint32_t>(x.r);
    x.ov32 = ((~(a32 ^ b32) & (a32 ^ r32)) >> 31) != 0;
    x.ov = sf ? ov64 : x.ov32;
    return x;
}

/// Rc=1 epilogue.
inline int finish_rc(Cpu& c, const Decoded& d, uint64_t r) {
    if (f_rcbit(d)) set_cr0(c, r);
    return kNext;
}

/// Illegal-instruction Program interrupt (invalid forms, unimplemented encodings).
inline int illegal(Cpu& c, const Decoded& d) { return c.program(d, srr1::ILLEGAL); }

}  // namespace ppcmig::cpu::insn
