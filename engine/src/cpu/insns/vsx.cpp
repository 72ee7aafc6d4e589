// VSX loads, stores, moves, logical and permute instructions: rows and semantics.
#include <bit>
#include <vector>

#include "cpu/insns/vec_common.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto VSX = Category::Vsx;

Vsr& vs(Cpu& c, unsigned n) { return c.s.vsr[n]; }

// ---------------- facility checks for instructions whose facility depends on the VSR ----------
// The 2.07 moves (mfvsrd & co.) use FP for VSR 0-31 and VEC for VSR 32-63; the 3.0 ones
// (mfvsrld, mtvsrdd, mtvsrws) use VSX for VSR 0-31 and VEC for VSR 32-63. Their rows carry no
// facility category, so the check is made here.
enum class Low { Fp, Vsx };
template <Low L>
int facility(Cpu& c, const Decoded& d, unsigned x) {
    if (x >= 32) {
        if (!(c.s.msr & msr::VEC)) return c.interrupt({Vector::VmxUnavailable, d.pc, 0, 0, d.word});
    } else if (L == Low::Fp) {
        if (!(c.s.msr & msr::FP)) return c.interrupt({Vector::FpUnavailable, d.pc, 0, 0, d.word});
    } else {
        if (!(c.s.msr & msr::VSX)) return c.interrupt({Vector::VsxUnavailable, d.pc, 0, 0, d.word});
    }
    return kNext;
}

// ---------------- single <-> double format without exceptions (lfs/stfs rules) ----------------
uint64_t sp_to_dp(uint32_t w) {
    const uint32_t exp = (w >> 23) & 0xFF;
    const uint64_t sign = uint64_t(w >> 31) << 63;
    if (exp == 255) {  // infinities and NaNs keep their bits (no quieting)
        return sign | (uint64_t(0x7FF) << 52) | (uint64_t(w & 0x7FFFFF) << 29);
    }
    // Every other single converts exactly.
    return std::bit_cast<uint64_t>(static_cast<double>(std::bit_cast<float>(w)));
}
uint32_t dp_to_sp(uint64_t x) {
    const unsigned exp = static_cast<unsigned>((x >> 52) & 0x7FF);
    if (exp > 896 || (x & ~(uint64_t(1) << 63)) == 0)
        return static_cast<uint32_t>(((x >> 62) << 30) | ((x >> 29) & 0x3FFFFFFF));
    if (exp >= 874) {  // single-precision denormal: shift the significand right, truncating
        uint64_t frac = (uint64_t(1) << 52) | (x & ((uint64_t(1) << 52) - 1));
        frac >>= (897 - exp);
        return static_cast<uint32_t>(((x >> 63) << 31) | ((frac >> 29) & 0x7FFFFF));
    }
    // Too small for a single: undefined; give the signed zero.
    return static_cast<uint32_t>((x >> 63) << 31);
}

// ---------------- loads ----------------
enum class Sc { Dw, Sp, Wa, Wz, Bz, Hz };
/// Scalar loads into doubleword 0. ISA 3.0 and later set doubleword 1 to zero; ISA 2.06/2.07
/// leave it undefined, and it is kept unchanged there (as QEMU does).
template <Sc K>
void scalar_load(Cpu& c, uint64_t ea, Vsr& t) {
    uint64_t v = 0;
    switch (K) {
        case Sc::Dw: v = c.load<uint64_t>(ea); break;
        case Sc::Sp: v = sp_to_dp(c.load<uint32_t>(ea)); break;
        case Sc::Wa: v = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(c.load<uint32_t>(ea)))); break;
        case Sc::Wz: v = c.load<uint32_t>(ea); break;
        case Sc::Bz: v = c.load<uint8_t>(ea); break;
        case Sc::Hz: v = c.load<uint16_t>(ea); break;
    }
    t = Vsr{c.model().level >= IsaLevel::v3_0 ? 0 : t.lo, v};
}
template <Sc K>
int lxs_x(Cpu& c, const Decoded& d) {
    scalar_load<K>(c, ea_x(c, d), vs(c, xt(d)));
    return kNext;
}
template <Sc K>
int lxs_ds(Cpu& c, const Decoded& d) {  // lxsd/lxssp VRT,DS(RA)
    scalar_load<K>(c, ea_ds(c, d), vr(c.s, f_rt(d)));
    return kNext;
}
template <Sc K>
void scalar_store(Cpu& c, uint64_t ea, const Vsr& s) {
    switch (K) {
        case Sc::Dw: c.store<uint64_t>(ea, s.hi); break;
        case Sc::Sp: c.store<uint32_t>(ea, dp_to_sp(s.hi)); break;
        case Sc::Wa:
        case Sc::Wz: c.store<uint32_t>(ea, static_cast<uint32_t>(s.hi)); break;
        case Sc::Bz: c.store<uint8_t>(ea, static_cast<uint8_t>(s.hi)); break;
        case Sc::Hz: c.store<uint16_t>(ea, static_cast<uint16_t>(s.hi)); break;
    }
}
template <Sc K>
int stxs_x(Cpu& c, const Decoded& d) {
    scalar_store<K>(c, ea_x(c, d), vs(c, xt(d)));
    return c.store_flow();
}
template <Sc K>
int stxs_ds(Cpu& c, const Decoded& d) {
    scalar_store<K>(c, ea_ds(c, d), vr(c.s, f_rt(d)));
    return c.store_flow();
}

/// lxvd2x, lxvw4x, lxvh8x, lxvb16x: elements each in the current byte order.
template <unsigned E>
int lxv_elems(Cpu& c, const Decoded& d) {
    vs(c, xt(d)) = load16_elems(c, ea_x(c, d), E);
    return kNext;
}
template <unsigned E>
int stxv_elems(Cpu& c, const Decoded& d) {
    store16_elems(c, ea_x(c, d), vs(c, xt(d)), E);
    return c.store_flow();
}
/// lxvx/stxvx and lxv/stxv: one quadword in the current byte order.
int lxvx(Cpu& c, const Decoded& d) {
    vs(c, xt(d)) = load16(c, ea_x(c, d), c.little_endian());
    return kNext;
}
int stxvx(Cpu& c, const Decoded& d) {
    store16(c, ea_x(c, d), vs(c, xt(d)), c.little_endian());
    return c.store_flow();
}
unsigned xt_dq(const Decoded& d) { return f_rt(d) | (((d.word >> 3) & 1) << 5); }
int lxv(Cpu& c, const Decoded& d) {
    vs(c, xt_dq(d)) = load16(c, ea_dq(c, d), c.little_endian());
    return kNext;
}
int stxv(Cpu& c, const Decoded& d) {
    store16(c, ea_dq(c, d), vs(c, xt_dq(d)), c.little_endian());
    return c.store_flow();
}
int lxvdsx(Cpu& c, const Decoded& d) {
    const uint64_t v = c.load<uint64_t>(ea_x(c, d));
    vs(c, xt(d)) = Vsr{v, v};
    return kNext;
}
int lxvwsx(Cpu& c, const Decoded& d) {
    const uint64_t w = c.load<uint32_t>(ea_x(c, d));
    vs(c, xt(d)) = Vsr{w | (w << 32), w | (w << 32)};
    return kNext;
}
/// lxvr[bhwd]x: one element, zero-extended into the whole register.
template <class T>
int lxvr(Cpu& c, const Decoded& d) {
    vs(c, xt(d)) = Vsr{static_cast<uint64_t>(c.load<T>(ea_x(c, d))), 0};
    return kNext;
}
template <class T>
int stxvr(Cpu& c, const Decoded& d) {
    c.store<T>(ea_x(c, d), static_cast<T>(vs(c, xt(d)).lo));
    return c.store_flow();
}
// Load/store with length: EA = (RA|0), length in GPR[RB] bits 0:7 (at most 16). The "left"
// forms (lxvll) always fill from byte 0; the plain ones follow the byte order: byte EA+i goes
// to register byte i (big-endian) or 15-i (little-endian).
uint64_t ea_ra0(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return c.ea(ra ? c.s.gpr[ra] : 0);
}
template <bool Left>
int lxvl(Cpu& c, const Decoded& d) {
    const unsigned nb = static_cast<unsigned>(std::min<uint64_t>(c.s.gpr[f_rb(d)] >> 56, 16));
    uint8_t m[16];
    c.load_bytes(ea_ra0(c, d), m, nb);
    Bytes16 b{};
    const bool rev = !Left && c.little_endian();
    for (unsigned i = 0; i < nb; ++i) b[rev ? 15 - i : i] = m[i];
    vs(c, xt(d)) = from_be_bytes(b);
    return kNext;
}
template <bool Left>
int stxvl(Cpu& c, const Decoded& d) {
    const unsigned nb = static_cast<unsigned>(std::min<uint64_t>(c.s.gpr[f_rb(d)] >> 56, 16));
    const Bytes16 b = be_bytes(vs(c, xt(d)));
    const bool rev = !Left && c.little_endian();
    uint8_t m[16];
    for (unsigned i = 0; i < nb; ++i) m[i] = b[rev ? 15 - i : i];
    c.store_bytes(ea_ra0(c, d), m, nb);
    return c.store_flow();
}
// Paired loads/stores (3.1): XTp = 32*TX + 2*Tp, Tp in bits 6-9 and TX in bit 10. The pair is
// one 32-byte value; little-endian mode reverses it, so VSR XTp+1 takes the lower address.
unsigned xtp(const Decoded& d) { return (((d.word >> 21) & 1) << 5) | (((d.word >> 22) & 15) << 1); }
int lxvp_at(Cpu& c, const Decoded& d, uint64_t ea) {
    const bool le = c.little_endian();
    uint8_t m[32];
    c.load_bytes(ea, m, 32);
    if (!le) {
        std::reverse(m, m + 16);
        std::reverse(m + 16, m + 32);
    }
    Vsr first, second;
    std::memcpy(&first, m, 16);
    std::memcpy(&second, m + 16, 16);
    const unsigned t = xtp(d);
    vs(c, le ? t + 1 : t) = first;
    vs(c, le ? t : t + 1) = second;
    return kNext;
}
int stxvp_at(Cpu& c, const Decoded& d, uint64_t ea) {
    const bool le = c.little_endian();
    const unsigned t = xtp(d);
    uint8_t m[32];
    const Vsr first = vs(c, le ? t + 1 : t), second = vs(c, le ? t : t + 1);
    std::memcpy(m, &first, 16);
    std::memcpy(m + 16, &second, 16);
    if (!le) {
        std::reverse(m, m + 16);
        std::reverse(m + 16, m + 32);
    }
    c.store_bytes(ea, m, 32);
    return c.store_flow();
}
int lxvp(Cpu& c, const Decoded& d) { return lxvp_at(c, d, ea_dq(c, d)); }
int stxvp(Cpu& c, const Decoded& d) { return stxvp_at(c, d, ea_dq(c, d)); }
int lxvpx(Cpu& c, const Decoded& d) { return lxvp_at(c, d, ea_x(c, d)); }
int stxvpx(Cpu& c, const Decoded& d) { return stxvp_at(c, d, ea_x(c, d)); }

// ---------------- moves between GPRs and VSRs ----------------
enum class Mf { Dw0, Wz, Dw1 };
template <Mf K, Low L>
int mfvsr(Cpu& c, const Decoded& d) {  // RA,XS
    const unsigned x = xt(d);
    if (int r = facility<L>(c, d, x); r != kNext) return r;
    const Vsr& s = vs(c, x);
    c.s.gpr[f_ra(d)] = K == Mf::Dw0 ? s.hi : K == Mf::Wz ? (s.hi & 0xFFFFFFFF) : s.lo;
    return kNext;
}
// mtvsrd/mtvsrwa/mtvsrwz set doubleword 0; the ISA leaves doubleword 1 undefined, and it is
// left unchanged here.
enum class Mt { D, Wa, Wz };
template <Mt K>
int mtvsr(Cpu& c, const Decoded& d) {
    const unsigned x = xt(d);
    if (int r = facility<Low::Fp>(c, d, x); r != kNext) return r;
    const uint64_t g = c.s.gpr[f_ra(d)];
    vs(c, x).hi = K == Mt::D ? g : K == Mt::Wa ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(g))) : (g & 0xFFFFFFFF);
    return kNext;
}
int mtvsrdd(Cpu& c, const Decoded& d) {
    const unsigned x = xt(d);
    if (int r = facility<Low::Vsx>(c, d, x); r != kNext) return r;
    const unsigned ra = f_ra(d);
    vs(c, x) = Vsr{c.s.gpr[f_rb(d)], ra ? c.s.gpr[ra] : 0};
    return kNext;
}
int mtvsrws(Cpu& c, const Decoded& d) {
    const unsigned x = xt(d);
    if (int r = facility<Low::Vsx>(c, d, x); r != kNext) return r;
    const uint64_t w = c.s.gpr[f_ra(d)] & 0xFFFFFFFF;
    vs(c, x) = Vsr{w | (w << 32), w | (w << 32)};
    return kNext;
}

// ---------------- logical ----------------
template <u128 (*F)(u128, u128)>
int xxlogic(Cpu& c, const Decoded& d) {
    vs(c, xt(d)) = vq(F(q(vs(c, xa(d))), q(vs(c, xb(d)))));
    return kNext;
}
u128 l_and(u128 a, u128 b) { return a & b; }
u128 l_andc(u128 a, u128 b) { return a & ~b; }
u128 l_or(u128 a, u128 b) { return a | b; }
u128 l_xor(u128 a, u128 b) { return a ^ b; }
u128 l_nor(u128 a, u128 b) { return ~(a | b); }
u128 l_orc(u128 a, u128 b) { return a | ~b; }
u128 l_nand(u128 a, u128 b) { return ~(a & b); }
u128 l_eqv(u128 a, u128 b) { return ~(a ^ b); }
int xxsel(Cpu& c, const Decoded& d) {
    const u128 a = q(vs(c, xa(d))), b = q(vs(c, xb(d))), m = q(vs(c, xc(d)));
    vs(c, xt(d)) = vq((a & ~m) | (b & m));
    return kNext;
}
// ---------------- permutes ----------------
int xxmrghw(Cpu& c, const Decoded& d) {
    const Vsr a = vs(c, xa(d)), b = vs(c, xb(d));
    Vsr r;
    for (unsigned i = 0; i < 2; ++i) {
        vset<uint32_t>(r, 2 * i, vget<uint32_t>(a, i));
        vset<uint32_t>(r, 2 * i + 1, vget<uint32_t>(b, i));
    }
    vs(c, xt(d)) = r;
    return kNext;
}
int xxmrglw(Cpu& c, const Decoded& d) {
    const Vsr a = vs(c, xa(d)), b = vs(c, xb(d));
    Vsr r;
    for (unsigned i = 0; i < 2; ++i) {
        vset<uint32_t>(r, 2 * i, vget<uint32_t>(a, i + 2));
        vset<uint32_t>(r, 2 * i + 1, vget<uint32_t>(b, i + 2));
    }
    vs(c, xt(d)) = r;
    return kNext;
}
int xxpermdi(Cpu& c, const Decoded& d) {
    const unsigned dm = (d.word >> 8) & 3;
    const Vsr a = vs(c, xa(d)), b = vs(c, xb(d));
    vs(c, xt(d)) = Vsr{(dm & 1) ? b.lo : b.hi, (dm & 2) ? a.lo : a.hi};
    return kNext;
}
int xxsldwi(Cpu& c, const Decoded& d) {
    const unsigned sh = ((d.word >> 8) & 3) * 32;
    const u128 a = q(vs(c, xa(d))), b = q(vs(c, xb(d)));
    vs(c, xt(d)) = vq(sh ? (a << sh) | (b >> (128 - sh)) : a);
    return kNext;
}
/// xxperm/xxpermr: bytes of XA || XT selected by XB (xxpermr counts from the right).
template <bool Right>
int xxperm(Cpu& c, const Decoded& d) {
    const Bytes16 a = be_bytes(vs(c, xa(d))), t = be_bytes(vs(c, xt(d))), x = be_bytes(vs(c, xb(d)));
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned k = Right ? 31 - (x[i] & 31) : (x[i] & 31);
        r[i] = k < 16 ? a[k] : t[k - 16];
    }
    vs(c, xt(d)) = from_be_bytes(r);
    return kNext;
}
int xxspltw(Cpu& c, const Decoded& d) {
    const uint32_t w = vget<uint32_t>(vs(c, xb(d)), (d.word >> 16) & 3);
    const uint64_t dw = (uint64_t(w) << 32) | w;
    vs(c, xt(d)) = Vsr{dw, dw};
    return kNext;
}
int xxspltib(Cpu& c, const Decoded& d) {
    const uint64_t b = (d.word >> 11) & 0xFF;
    const uint64_t dw = b * 0x0101010101010101ull;
    vs(c, xt(d)) = Vsr{dw, dw};
    return kNext;
}
// xxextractuw: the word at byte UIM of XB, zero-extended into doubleword 0 (UIM > 12 is
// undefined; bytes past the end read as 0 here). xxinsertw: word 1 of XB to byte UIM of XT.
int xxextractuw(Cpu& c, const Decoded& d) {
    const unsigned uim = (d.word >> 16) & 15;
    const Bytes16 b = be_bytes(vs(c, xb(d)));
    uint64_t w = 0;
    for (unsigned k = 0; k < 4; ++k) w = (w << 8) | (uim + k < 16 ? b[uim + k] : 0u);
    vs(c, xt(d)) = Vsr{0, w};
    return kNext;
}
int xxinsertw(Cpu& c, const Decoded& d) {
    const unsigned uim = (d.word >> 16) & 15;
    const Bytes16 b = be_bytes(vs(c, xb(d)));
    Bytes16 t = be_bytes(vs(c, xt(d)));
    for (unsigned k = 0; k < 4 && uim + k < 16; ++k) t[uim + k] = b[4 + k];
    vs(c, xt(d)) = from_be_bytes(t);
    return kNext;
}
template <unsigned E>
int xxbr(Cpu& c, const Decoded& d) {
    Bytes16 b = be_bytes(vs(c, xb(d)));
    for (unsigned i = 0; i < 16; i += E) std::reverse(b.begin() + i, b.begin() + i + E);
    vs(c, xt(d)) = from_be_bytes(b);
    return kNext;
}
// xvtlsbb BF,XB: CR field BF = all-LSBs-set || 0 || no-LSB-set || 0.
int xvtlsbb(Cpu& c, const Decoded& d) {
    const Bytes16 b = be_bytes(vs(c, xb(d)));
    bool all = true, none = true;
    for (uint8_t x : b) {
        all = all && (x & 1);
        none = none && !(x & 1);
    }
    set_crf(c.s, f_bf(d), (all ? 8u : 0u) | (none ? 2u : 0u));
    return kNext;
}
// lxvkq XT,UIM: quad-precision constants (+-1..7, +-inf, default NaN, -0).
int lxvkq(Cpu& c, const Decoded& d) {
    static constexpr uint32_t top[32] = {
        0,          0x3FFF0000, 0x40000000, 0x40008000, 0x40010000, 0x40014000, 0x40018000, 0x4001C000,
        0x7FFF0000, 0x7FFF8000, 0,          0,          0,          0,          0,          0,
        0x80000000, 0xBFFF0000, 0xC0000000, 0xC0008000, 0xC0010000, 0xC0014000, 0xC0018000, 0xC001C000,
        0xFFFF0000, 0,          0,          0,          0,          0,          0,          0};
    const unsigned uim = f_rb(d);
    if (top[uim] == 0) return illegal(c, d);  // reserved values
    vs(c, xt(d)) = Vsr{0, uint64_t(top[uim]) << 32};
    return kNext;
}
// xxgenpcv[bhwd]m XT,VRB,IMM: permute control vectors for expand (IMM 0/2) and compress
// (IMM 1/3) in big- (0/1) or little-endian (2/3) element order. Compress leaves the unused
// trailing elements undefined; they are 0 here.
template <unsigned E>
int xxgenpcv(Cpu& c, const Decoded& d) {
    const unsigned imm = f_ra(d);
    if (imm > 3) return illegal(c, d);
    constexpr unsigned n = 16 / E;
    const Bytes16 m = be_bytes(vr(c.s, f_rb(d)));
    const bool le = imm >= 2, compress = imm & 1;
    Bytes16 r{};
    auto put = [&](unsigned elem, unsigned base) {  // element elem gets bytes base..base+E-1
        for (unsigned k = 0; k < E; ++k) r[elem * E + (le ? E - 1 - k : k)] = static_cast<uint8_t>(base + k);
    };
    unsigned j = 0;
    for (unsigned i = 0; i < n; ++i) {
        const unsigned e = le ? n - 1 - i : i;
        const bool sel = (m[e * E] & 0x80) != 0;
        if (compress) {
            if (sel) put(le ? n - 1 - j : j, E * i), ++j;
        } else if (sel) {
            put(e, E * j), ++j;
        } else {
            put(e, E * i + 0x10);
        }
    }
    vs(c, xt(d)) = from_be_bytes(r);
    return kNext;
}

// ---------------- table ----------------
/// Adds r twice: TX (the given bit) = 0 as a VSX row and TX = 1 as a VMX row.
void tx_rows(std::vector<InsnSpec>& t, InsnSpec r, uint64_t txbit) {
    r.extra_mask |= txbit;
    r.category = Category::Vsx;
    t.push_back(r);
    r.match |= txbit;
    r.category = Category::Vmx;
    t.push_back(r);
}

std::vector<InsnSpec> build_rows() {
    using isa::xo10;
    using isa::xx1;
    using isa::xx2;
    using isa::xx3;
    using isa::xx4;
    constexpr uint16_t S = isa::F_Store;
    constexpr auto FX = Category::FixedPoint;  // facility checked by the handler
    constexpr auto VMXC = Category::Vmx;
    constexpr std::array<isa::Opnd, 6> XL{XT_X, RA0, RB}, X3{XT_X, XA_X, XB_X};
    std::vector<InsnSpec> t = {
        // Scalar loads and stores
        row("lxsdx", xx1(31, 588), XL, L206, VSX, 0, lxs_x<Sc::Dw>),
        row("lxsiwax", xx1(31, 76), XL, L207, VSX, 0, lxs_x<Sc::Wa>),
        row("lxsiwzx", xx1(31, 12), XL, L207, VSX, 0, lxs_x<Sc::Wz>),
        row("lxsspx", xx1(31, 524), XL, L207, VSX, 0, lxs_x<Sc::Sp>),
        row("stxsdx", xx1(31, 716), XL, L206, VSX, S, stxs_x<Sc::Dw>),
        row("stxsiwx", xx1(31, 140), XL, L207, VSX, S, stxs_x<Sc::Wz>),
        row("stxsspx", xx1(31, 652), XL, L207, VSX, S, stxs_x<Sc::Sp>),
        // DS forms address VSR 32-63 and need MSR[VEC]
        row("lxsd", isa::ds(57, 2), {VRT, DS, RA0}, L300, VMXC, 0, lxs_ds<Sc::Dw>),
        row("lxssp", isa::ds(57, 3), {VRT, DS, RA0}, L300, VMXC, 0, lxs_ds<Sc::Sp>),
        row("stxsd", isa::ds(61, 2), {VRT, DS, RA0}, L300, VMXC, S, stxs_ds<Sc::Dw>),
        row("stxssp", isa::ds(61, 3), {VRT, DS, RA0}, L300, VMXC, S, stxs_ds<Sc::Sp>),
        // Vector loads and stores
        row("lxvd2x", xx1(31, 844), XL, L206, VSX, 0, lxv_elems<8>),
        row("lxvw4x", xx1(31, 780), XL, L206, VSX, 0, lxv_elems<4>),
        row("stxvd2x", xx1(31, 972), XL, L206, VSX, S, stxv_elems<8>),
        row("stxvw4x", xx1(31, 908), XL, L206, VSX, S, stxv_elems<4>),
        row("lxvdsx", xx1(31, 332), XL, L206, VSX, 0, lxvdsx),
        row("lxvrbx", xx1(31, 13), XL, L310, VSX, 0, lxvr<uint8_t>),
        row("lxvrhx", xx1(31, 45), XL, L310, VSX, 0, lxvr<uint16_t>),
        row("lxvrwx", xx1(31, 77), XL, L310, VSX, 0, lxvr<uint32_t>),
        row("lxvrdx", xx1(31, 109), XL, L310, VSX, 0, lxvr<uint64_t>),
        row("stxvrbx", xx1(31, 141), XL, L310, VSX, S, stxvr<uint8_t>),
        row("stxvrhx", xx1(31, 173), XL, L310, VSX, S, stxvr<uint16_t>),
        row("stxvrwx", xx1(31, 205), XL, L310, VSX, S, stxvr<uint32_t>),
        row("stxvrdx", xx1(31, 237), XL, L310, VSX, S, stxvr<uint64_t>),
        // Paired
        row("lxvp", isa::dq(6, 0), {XTP, DQ, RA0}, L310, VSX, 0, lxvp),
        row("stxvp", isa::dq(6, 1), {XTP, DQ, RA0}, L310, VSX, S, stxvp),
        row("lxvpx", xo10(31, 333), {XTP, RA0, RB}, L310, VSX, 0, lxvpx),
        row("stxvpx", xo10(31, 461), {XTP, RA0, RB}, L310, VSX, S, stxvpx),
        // Moves
        row("mfvsrd", xx1(31, 51), {RA, XT_X}, L207, FX, 0, mfvsr<Mf::Dw0, Low::Fp>),
        row("mfvsrwz", xx1(31, 115), {RA, XT_X}, L207, FX, 0, mfvsr<Mf::Wz, Low::Fp>),
        row("mfvsrld", xx1(31, 307), {RA, XT_X}, L300, FX, 0, mfvsr<Mf::Dw1, Low::Vsx>),
        row("mtvsrd", xx1(31, 179), {XT_X, RA}, L207, FX, 0, mtvsr<Mt::D>),
        row("mtvsrwa", xx1(31, 211), {XT_X, RA}, L207, FX, 0, mtvsr<Mt::Wa>),
        row("mtvsrwz", xx1(31, 243), {XT_X, RA}, L207, FX, 0, mtvsr<Mt::Wz>),
        row("mtvsrdd", xx1(31, 435), {XT_X, RA0, RB}, L300, FX, 0, mtvsrdd),
        row("mtvsrws", xx1(31, 403), {XT_X, RA}, L300, FX, 0, mtvsrws),
        // Logical
        row("xxland", xx3(60, 130), X3, L206, VSX, 0, xxlogic<l_and>),
        row("xxlandc", xx3(60, 138), X3, L206, VSX, 0, xxlogic<l_andc>),
        row("xxlor", xx3(60, 146), X3, L206, VSX, 0, xxlogic<l_or>),
        row("xxlxor", xx3(60, 154), X3, L206, VSX, 0, xxlogic<l_xor>),
        row("xxlnor", xx3(60, 162), X3, L206, VSX, 0, xxlogic<l_nor>),
        row("xxlorc", xx3(60, 170), X3, L207, VSX, 0, xxlogic<l_orc>),
        row("xxlnand", xx3(60, 178), X3, L207, VSX, 0, xxlogic<l_nand>),
        row("xxleqv", xx3(60, 186), X3, L207, VSX, 0, xxlogic<l_eqv>),
        row("xxsel", xx4(60, 3), {XT_X, XA_X, XB_X, XC_X}, L206, VSX, 0, xxsel),
        // Permute and splat
        row("xxmrghw", xx3(60, 18), X3, L206, VSX, 0, xxmrghw),
        row("xxmrglw", xx3(60, 50), X3, L206, VSX, 0, xxmrglw),
        row("xxpermdi", xx3(60, 10), {XT_X, XA_X, XB_X, DM}, L206, VSX, 0, xxpermdi),
        row("xxsldwi", xx3(60, 2), {XT_X, XA_X, XB_X, SHW}, L206, VSX, 0, xxsldwi),
        row("xxperm", xx3(60, 26), X3, L300, VSX, 0, xxperm<false>),
        row("xxpermr", xx3(60, 58), X3, L300, VSX, 0, xxperm<true>),
        row("xxspltw", xx2(60, 164), {XT_X, XB_X, UIM2_X}, L206, VSX, 0, xxspltw),
        row("lxvkq", xx1(60, 360) | (31u << 16), {XT_X, SH5}, L310, VSX, 0, lxvkq),
        row("xxextractuw", xx2(60, 165), {XT_X, XB_X, UIMM4}, L300, VSX, 0, xxextractuw),
        row("xxinsertw", xx2(60, 181), {XT_X, XB_X, UIMM4}, L300, VSX, 0, xxinsertw),
        row("xxbrh", xx2(60, 475) | (7u << 16), {XT_X, XB_X}, L300, VSX, 0, xxbr<2>),
        row("xxbrw", xx2(60, 475) | (15u << 16), {XT_X, XB_X}, L300, VSX, 0, xxbr<4>),
        row("xxbrd", xx2(60, 475) | (23u << 16), {XT_X, XB_X}, L300, VSX, 0, xxbr<8>),
        row("xxbrq", xx2(60, 475) | (31u << 16), {XT_X, XB_X}, L300, VSX, 0, xxbr<16>),
        row("xvtlsbb", xx2(60, 475) | (2u << 16), {BF, XB_X}, L310, VSX, 0, xvtlsbb),
        row("xxgenpcvbm", xx1(60, 916), {XT_X, VRB, UIMM5}, L310, VSX, 0, xxgenpcv<1>),
        row("xxgenpcvhm", xx1(60, 917), {XT_X, VRB, UIMM5}, L310, VSX, 0, xxgenpcv<2>),
        row("xxgenpcvwm", xx1(60, 948), {XT_X, VRB, UIMM5}, L310, VSX, 0, xxgenpcv<4>),
        row("xxgenpcvdm", xx1(60, 949), {XT_X, VRB, UIMM5}, L310, VSX, 0, xxgenpcv<8>),
    };
    // ISA 3.0 instructions that can target VSR 32-63 need MSR[VSX] for VSR 0-31 and MSR[VEC]
    // for VSR 32-63: one row per TX value, so the decoder applies the matching check.
    tx_rows(t, row("lxsibzx", xx1(31, 781), XL, L300, VSX, 0, lxs_x<Sc::Bz>), 1);
    tx_rows(t, row("lxsihzx", xx1(31, 813), XL, L300, VSX, 0, lxs_x<Sc::Hz>), 1);
    tx_rows(t, row("stxsibx", xx1(31, 909), XL, L300, VSX, S, stxs_x<Sc::Bz>), 1);
    tx_rows(t, row("stxsihx", xx1(31, 941), XL, L300, VSX, S, stxs_x<Sc::Hz>), 1);
    tx_rows(t, row("lxvh8x", xx1(31, 812), XL, L300, VSX, 0, lxv_elems<2>), 1);
    tx_rows(t, row("lxvb16x", xx1(31, 876), XL, L300, VSX, 0, lxv_elems<1>), 1);
    tx_rows(t, row("stxvh8x", xx1(31, 940), XL, L300, VSX, S, stxv_elems<2>), 1);
    tx_rows(t, row("stxvb16x", xx1(31, 1004), XL, L300, VSX, S, stxv_elems<1>), 1);
    tx_rows(t, row("lxvwsx", xx1(31, 364), XL, L300, VSX, 0, lxvwsx), 1);
    tx_rows(t, row("lxvx", xx1(31, 268), XL, L300, VSX, 0, lxvx), 1);
    tx_rows(t, row("stxvx", xx1(31, 396), XL, L300, VSX, S, stxvx), 1);
    tx_rows(t, row("lxv", isa::dq(61, 1), {XT_DQ, DQ, RA0}, L300, VSX, 0, lxv), 0x8);
    tx_rows(t, row("stxv", isa::dq(61, 5), {XT_DQ, DQ, RA0}, L300, VSX, S, stxv), 0x8);
    tx_rows(t, row("lxvl", xx1(31, 269), {XT_X, RA0, RB}, L300, VSX, 0, lxvl<false>), 1);
    tx_rows(t, row("lxvll", xx1(31, 301), {XT_X, RA0, RB}, L300, VSX, 0, lxvl<true>), 1);
    tx_rows(t, row("stxvl", xx1(31, 397), {XT_X, RA0, RB}, L300, VSX, S, stxvl<false>), 1);
    tx_rows(t, row("stxvll", xx1(31, 429), {XT_X, RA0, RB}, L300, VSX, S, stxvl<true>), 1);
    tx_rows(t, row("xxspltib", xx1(60, 360), {XT_X, IMM8}, L300, VSX, 0, xxspltib), 1);
    return t;
}

const std::vector<InsnSpec>& rows() {
    static const std::vector<InsnSpec> t = build_rows();
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_vsx() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
