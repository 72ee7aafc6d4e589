// ISA 3.1 prefixed instructions: rows and semantics.
//
// The image of a prefixed instruction is (prefix << 32) | suffix. Prefix types (bits 6-7):
// 0 = 8LS (8-byte load/store), 1 = 8RR (register-to-register), 2 = MLS (modified load/store),
// 3 = MRR (pnop here). Bits of the prefix that no operand covers are reserved and must be zero.
// The decoder never sees a prefixed instruction that crosses a 64-byte boundary: the interpreter
// raises the Alignment interrupt for it before decoding.
#include <cstring>
#include <type_traits>
#include <vector>

#include "cpu/insns/common.hpp"
#include "cpu/insns/fpu.hpp"
#include "cpu/insns/vreg.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto FX = Category::FixedPoint;
constexpr auto FP = Category::FloatingPoint;
constexpr auto VMX = Category::Vmx;
constexpr auto VSX = Category::Vsx;

constexpr unsigned k8LS = 0, k8RR = 1, kMLS = 2, kMRR = 3;

int64_t d34(const Decoded& d) { return isa::operand_value(D34, d.image()); }
bool r_bit(const Decoded& d) { return ((d.prefix >> 20) & 1) != 0; }

// (RA|0) + D, or CIA + D when R=1. R=1 with RA != 0 is an invalid form (checked by callers
// through valid_base()).
bool valid_base(const Decoded& d) { return !r_bit(d) || f_ra(d) == 0; }
uint64_t ea_pfx(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    const uint64_t base = r_bit(d) ? d.pc : (ra ? c.s.gpr[ra] : 0);
    return c.ea(base + static_cast<uint64_t>(d34(d)));
}

// ---------------- fixed point ----------------
int paddi(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    const uint64_t si = static_cast<uint64_t>(d34(d));
    const unsigned ra = f_ra(d);
    // The pc-relative form yields an address (truncated in 32-bit mode like addpcis).
    c.s.gpr[f_rt(d)] = r_bit(d) ? c.ea(d.pc + si) : (ra ? c.s.gpr[ra] : 0) + si;
    return kNext;
}

template <class T, bool Sext>
int pload(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    const T v = c.load<T>(ea_pfx(c, d));
    if constexpr (Sext)
        c.s.gpr[f_rt(d)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
    else
        c.s.gpr[f_rt(d)] = v;
    return kNext;
}

template <class T>
int pstore(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    c.store<T>(ea_pfx(c, d), static_cast<T>(c.s.gpr[f_rt(d)]));
    return c.store_flow();
}

int alignment(Cpu& c, const Decoded& d, uint64_t ea) {
    return c.interrupt({Vector::Alignment, d.pc, 0, ea, d.word});
}

// Quadword: RTp even; the 16 bytes form one integer in the current byte order (RTp = high half).
int plq(Cpu& c, const Decoded& d) {
    const unsigned rt = f_rt(d);
    if (!valid_base(d) || (rt & 1) || (!r_bit(d) && rt == f_ra(d))) return illegal(c, d);
    const uint64_t ea = ea_pfx(c, d);
    if (ea & 15) return alignment(c, d, ea);
    const uint64_t a = c.load<uint64_t>(ea), b = c.load<uint64_t>(c.ea(ea + 8));
    c.s.gpr[rt] = c.little_endian() ? b : a;
    c.s.gpr[rt + 1] = c.little_endian() ? a : b;
    return kNext;
}
int pstq(Cpu& c, const Decoded& d) {
    const unsigned rs = f_rt(d);
    if (!valid_base(d) || (rs & 1)) return illegal(c, d);
    const uint64_t ea = ea_pfx(c, d);
    if (ea & 15) return alignment(c, d, ea);
    const uint64_t hi = c.s.gpr[rs], lo = c.s.gpr[rs + 1];
    c.store<uint64_t>(ea, c.little_endian() ? lo : hi);
    c.store<uint64_t>(c.ea(ea + 8), c.little_endian() ? hi : lo);
    return c.store_flow();
}

int pnop(Cpu&, const Decoded&) { return kNext; }

// ---------------- floating point ----------------
// Single <-> double conversions are the FP core's (fpu::single_to_double, exact; and
// fpu::double_to_single_store, the ISA's SINGLE() selection).

int plfs(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    fpu::set_scalar(c.s.vsr[f_rt(d)], fpu::single_to_double(c.load<uint32_t>(ea_pfx(c, d))));
    return kNext;
}
int plfd(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    fpu::set_scalar(c.s.vsr[f_rt(d)], c.load<uint64_t>(ea_pfx(c, d)));
    return kNext;
}
int pstfs(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    c.store<uint32_t>(ea_pfx(c, d), fpu::double_to_single_store(fpr(c.s, f_rt(d))));
    return c.store_flow();
}
int pstfd(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    c.store<uint64_t>(ea_pfx(c, d), fpr(c.s, f_rt(d)));
    return c.store_flow();
}

// ---------------- vector scalar loads/stores (VR 0-31 = VSR 32-63) ----------------
int plxsd(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    Vsr& v = vr(c.s, f_rt(d));
    v.hi = c.load<uint64_t>(ea_pfx(c, d));
    v.lo = 0;
    return kNext;
}
int plxssp(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    Vsr& v = vr(c.s, f_rt(d));
    v.hi = fpu::single_to_double(c.load<uint32_t>(ea_pfx(c, d)));
    v.lo = 0;
    return kNext;
}
int pstxsd(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    c.store<uint64_t>(ea_pfx(c, d), vr(c.s, f_rt(d)).hi);
    return c.store_flow();
}
int pstxssp(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    c.store<uint32_t>(ea_pfx(c, d), fpu::double_to_single_store(vr(c.s, f_rt(d)).hi));
    return c.store_flow();
}

// ---------------- VSX vector loads/stores ----------------
// lxv byte order: big-endian mode puts storage byte EA+i in register byte i; little-endian mode
// reverses the quadword. A Vsr is a host little-endian 128-bit integer, so the little-endian order
// is a plain copy.
Vsr load_quad(Cpu& c, uint64_t ea) {
    uint8_t m[16];
    c.load_bytes(ea, m, 16);
    Vsr v;
    if (c.little_endian()) {
        std::memcpy(&v, m, 16);
    } else {
        uint8_t r[16];
        for (unsigned i = 0; i < 16; ++i) r[i] = m[15 - i];
        std::memcpy(&v, r, 16);
    }
    return v;
}
void store_quad(Cpu& c, uint64_t ea, const Vsr& v) {
    uint8_t m[16];
    std::memcpy(m, &v, 16);
    if (!c.little_endian()) {
        uint8_t r[16];
        for (unsigned i = 0; i < 16; ++i) r[i] = m[15 - i];
        c.store_bytes(ea, r, 16);
    } else {
        c.store_bytes(ea, m, 16);
    }
}

unsigned xt_po(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XT_PO, d.word)); }
unsigned xtp(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XTP, d.word)); }

int plxv(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    c.s.vsr[xt_po(d)] = load_quad(c, ea_pfx(c, d));
    return kNext;
}
int pstxv(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    store_quad(c, ea_pfx(c, d), c.s.vsr[xt_po(d)]);
    return c.store_flow();
}
// Pairs: in big-endian mode XTp comes from EA and XTp+1 from EA+16; little-endian mode swaps
// the two quadwords as well as reversing each.
int plxvp(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    const uint64_t ea = ea_pfx(c, d);
    const unsigned t = xtp(d);
    const Vsr a = load_quad(c, ea), b = load_quad(c, c.ea(ea + 16));
    c.s.vsr[t] = c.little_endian() ? b : a;
    c.s.vsr[t + 1] = c.little_endian() ? a : b;
    return kNext;
}
int pstxvp(Cpu& c, const Decoded& d) {
    if (!valid_base(d)) return illegal(c, d);
    const uint64_t ea = ea_pfx(c, d);
    const unsigned t = xtp(d);
    store_quad(c, ea, c.s.vsr[c.little_endian() ? t + 1 : t]);
    store_quad(c, c.ea(ea + 16), c.s.vsr[c.little_endian() ? t : t + 1]);
    return c.store_flow();
}

// ---------------- 8RR: immediates and permutes ----------------
uint32_t imm32(const Decoded& d) { return static_cast<uint32_t>(isa::operand_value(IMM32, d.image())); }
unsigned xt8(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XT_8RR, d.word)); }
unsigned x_a(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XA_X, d.word)); }
unsigned x_b(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XB_X, d.word)); }
unsigned x_c(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XC_X, d.word)); }
unsigned x_t(const Decoded& d) { return static_cast<unsigned>(isa::operand_value(XT_X, d.word)); }

int xxsplti32dx(Cpu& c, const Decoded& d) {
    Vsr& t = c.s.vsr[xt8(d)];
    const unsigned ix = (d.word >> 17) & 1;
    vset<uint32_t>(t, ix, imm32(d));
    vset<uint32_t>(t, ix + 2, imm32(d));
    return kNext;
}
int xxspltiw(Cpu& c, const Decoded& d) {
    Vsr& t = c.s.vsr[xt8(d)];
    for (unsigned i = 0; i < 4; ++i) vset<uint32_t>(t, i, imm32(d));
    return kNext;
}
int xxspltidp(Cpu& c, const Decoded& d) {
    // A single-precision denormal immediate gives an undefined result; the exact conversion is used.
    const uint64_t v = fpu::single_to_double(imm32(d));
    c.s.vsr[xt8(d)] = Vsr{v, v};
    return kNext;
}
int xxpermx(Cpu& c, const Decoded& d) {
    const Vsr a = c.s.vsr[x_a(d)], b = c.s.vsr[x_b(d)], sel = c.s.vsr[x_c(d)];
    const unsigned uim = d.prefix & 7;
    Vsr r{};
    for (unsigned i = 0; i < 16; ++i) {
        const uint8_t s = vget<uint8_t>(sel, i);
        if ((s >> 5) != uim) continue;  // selector not in this 32-byte window: zero
        const unsigned k = s & 31;
        vset<uint8_t>(r, i, k < 16 ? vget<uint8_t>(a, k) : vget<uint8_t>(b, k - 16));
    }
    c.s.vsr[x_t(d)] = r;
    return kNext;
}
template <class T>
int xxblendv(Cpu& c, const Decoded& d) {
    const Vsr a = c.s.vsr[x_a(d)], b = c.s.vsr[x_b(d)], m = c.s.vsr[x_c(d)];
    Vsr r{};
    constexpr unsigned n = 16 / sizeof(T);
    for (unsigned i = 0; i < n; ++i) {
        const bool take_b = (vget<T>(m, i) >> (8 * sizeof(T) - 1)) & 1;
        vset<T>(r, i, take_b ? vget<T>(b, i) : vget<T>(a, i));
    }
    c.s.vsr[x_t(d)] = r;
    return kNext;
}
int xxeval(Cpu& c, const Decoded& d) {
    // Each result bit is bit (4a + 2b + c) of IMM, numbering IMM's bits from the most significant.
    const uint64_t a[2] = {c.s.vsr[x_a(d)].hi, c.s.vsr[x_a(d)].lo};
    const uint64_t b[2] = {c.s.vsr[x_b(d)].hi, c.s.vsr[x_b(d)].lo};
    const uint64_t m[2] = {c.s.vsr[x_c(d)].hi, c.s.vsr[x_c(d)].lo};
    const unsigned imm = d.prefix & 0xFF;
    uint64_t r[2] = {0, 0};
    for (unsigned k = 0; k < 8; ++k) {
        if (!((imm >> (7 - k)) & 1)) continue;
        for (unsigned h = 0; h < 2; ++h) {
            const uint64_t ta = (k & 4) ? a[h] : ~a[h], tb = (k & 2) ? b[h] : ~b[h], tc = (k & 1) ? m[h] : ~m[h];
            r[h] |= ta & tb & tc;
        }
    }
    c.s.vsr[x_t(d)] = Vsr{r[1], r[0]};
    return kNext;
}

/// A prefixed row: prefix fields (type, bits 8-11) plus the suffix match.
InsnSpec prow(std::string_view name, unsigned type, unsigned bits8_11, uint32_t suffix,
              std::array<isa::Opnd, 6> ops, Category cat, uint16_t flags, isa::ExecFn fn,
              uint64_t extra_mask = 0, uint64_t free_bits = 0) {
    InsnSpec s = row(name, isa::prefix(type, bits8_11) | suffix, ops, L310, cat, flags | isa::F_Prefixed, fn);
    s.extra_mask = extra_mask;
    s.free_bits = free_bits;
    return s;
}

const std::vector<InsnSpec>& rows() {
    constexpr uint16_t S = isa::F_Store;
    constexpr uint32_t kTX5 = uint32_t(1) << 26;  // TX of plxv/pstxv: bit 5 of the suffix opcode
    constexpr uint32_t kTX10 = uint32_t(1) << 21; // TX of plxvp/pstxvp
    // The facility of the VSX vector loads/stores depends on TX (VSX for VSR 0-31, VMX for
    // VSR 32-63), so each has one row per TX value and the decoder applies the right check.
    static const std::vector<InsnSpec> t = {
        // MLS:D (type 2)
        prow("paddi", kMLS, 0, uint32_t(isa::op(14)), {RT, RA0, SI34, R}, FX, 0, paddi),
        prow("plbz", kMLS, 0, uint32_t(isa::op(34)), {RT, D34, RA0, R}, FX, 0, pload<uint8_t, false>),
        prow("plhz", kMLS, 0, uint32_t(isa::op(40)), {RT, D34, RA0, R}, FX, 0, pload<uint16_t, false>),
        prow("plha", kMLS, 0, uint32_t(isa::op(42)), {RT, D34, RA0, R}, FX, 0, pload<uint16_t, true>),
        prow("plwz", kMLS, 0, uint32_t(isa::op(32)), {RT, D34, RA0, R}, FX, 0, pload<uint32_t, false>),
        prow("pstb", kMLS, 0, uint32_t(isa::op(38)), {RT, D34, RA0, R}, FX, S, pstore<uint8_t>),
        prow("psth", kMLS, 0, uint32_t(isa::op(44)), {RT, D34, RA0, R}, FX, S, pstore<uint16_t>),
        prow("pstw", kMLS, 0, uint32_t(isa::op(36)), {RT, D34, RA0, R}, FX, S, pstore<uint32_t>),
        prow("plfs", kMLS, 0, uint32_t(isa::op(48)), {FRT, D34, RA0, R}, FP, 0, plfs),
        prow("plfd", kMLS, 0, uint32_t(isa::op(50)), {FRT, D34, RA0, R}, FP, 0, plfd),
        prow("pstfs", kMLS, 0, uint32_t(isa::op(52)), {FRT, D34, RA0, R}, FP, S, pstfs),
        prow("pstfd", kMLS, 0, uint32_t(isa::op(54)), {FRT, D34, RA0, R}, FP, S, pstfd),
        // 8LS:D (type 0)
        prow("plwa", k8LS, 0, uint32_t(isa::op(41)), {RT, D34, RA0, R}, FX, 0, pload<uint32_t, true>),
        prow("pld", k8LS, 0, uint32_t(isa::op(57)), {RT, D34, RA0, R}, FX, 0, pload<uint64_t, false>),
        prow("plq", k8LS, 0, uint32_t(isa::op(56)), {RT, D34, RA0, R}, FX, 0, plq),
        prow("pstd", k8LS, 0, uint32_t(isa::op(61)), {RT, D34, RA0, R}, FX, S, pstore<uint64_t>),
        prow("pstq", k8LS, 0, uint32_t(isa::op(60)), {RT, D34, RA0, R}, FX, S, pstq),
        prow("plxsd", k8LS, 0, uint32_t(isa::op(42)), {VRT, D34, RA0, R}, VMX, 0, plxsd),
        prow("plxssp", k8LS, 0, uint32_t(isa::op(43)), {VRT, D34, RA0, R}, VMX, 0, plxssp),
        prow("pstxsd", k8LS, 0, uint32_t(isa::op(46)), {VRT, D34, RA0, R}, VMX, S, pstxsd),
        prow("pstxssp", k8LS, 0, uint32_t(isa::op(47)), {VRT, D34, RA0, R}, VMX, S, pstxssp),
        prow("plxv", k8LS, 0, uint32_t(isa::op(50)), {XT_PO, D34, RA0, R}, VSX, 0, plxv, kTX5),
        prow("plxv", k8LS, 0, uint32_t(isa::op(50)) | kTX5, {XT_PO, D34, RA0, R}, VMX, 0, plxv, kTX5),
        prow("pstxv", k8LS, 0, uint32_t(isa::op(54)), {XT_PO, D34, RA0, R}, VSX, S, pstxv, kTX5),
        prow("pstxv", k8LS, 0, uint32_t(isa::op(54)) | kTX5, {XT_PO, D34, RA0, R}, VMX, S, pstxv, kTX5),
        prow("plxvp", k8LS, 0, uint32_t(isa::op(58)), {XTP, D34, RA0, R}, VSX, 0, plxvp, kTX10),
        prow("plxvp", k8LS, 0, uint32_t(isa::op(58)) | kTX10, {XTP, D34, RA0, R}, VMX, 0, plxvp, kTX10),
        prow("pstxvp", k8LS, 0, uint32_t(isa::op(62)), {XTP, D34, RA0, R}, VSX, S, pstxvp, kTX10),
        prow("pstxvp", k8LS, 0, uint32_t(isa::op(62)) | kTX10, {XTP, D34, RA0, R}, VMX, S, pstxvp, kTX10),
        // MRR (type 3): the suffix of pnop is not executed; only its primary opcode is fixed.
        prow("pnop", kMRR, 0, 0, {}, FX, 0, pnop, 0, 0x03FFFFFF),
        // 8RR:D (type 1)
        prow("xxsplti32dx", k8RR, 0, uint32_t(isa::op(32)) | (0u << 17), {XT_8RR, IX, IMM32}, VSX, 0, xxsplti32dx),
        prow("xxspltiw", k8RR, 0, uint32_t(isa::op(32)) | (3u << 17), {XT_8RR, IMM32}, VSX, 0, xxspltiw),
        prow("xxspltidp", k8RR, 0, uint32_t(isa::op(32)) | (2u << 17), {XT_8RR, IMM32}, VSX, 0, xxspltidp),
        // 8RR:XX4 (type 1)
        prow("xxpermx", k8RR, 0, uint32_t(isa::xx4(34, 0)), {XT_X, XA_X, XB_X, XC_X, UIM3_P}, VSX, 0, xxpermx),
        prow("xxeval", k8RR, 0, uint32_t(isa::xx4(34, 1)), {XT_X, XA_X, XB_X, XC_X, IMM8_P}, VSX, 0, xxeval),
        prow("xxblendvb", k8RR, 0, uint32_t(isa::xx4(33, 0)), {XT_X, XA_X, XB_X, XC_X}, VSX, 0, xxblendv<uint8_t>),
        prow("xxblendvh", k8RR, 0, uint32_t(isa::xx4(33, 1)), {XT_X, XA_X, XB_X, XC_X}, VSX, 0, xxblendv<uint16_t>),
        prow("xxblendvw", k8RR, 0, uint32_t(isa::xx4(33, 2)), {XT_X, XA_X, XB_X, XC_X}, VSX, 0, xxblendv<uint32_t>),
        prow("xxblendvd", k8RR, 0, uint32_t(isa::xx4(33, 3)), {XT_X, XA_X, XB_X, XC_X}, VSX, 0, xxblendv<uint64_t>),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_prefixed() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
