// Scalar binary floating-point instructions (Book I chapter 4): rows and semantics.
// The arithmetic itself lives in fpu.cpp; this file maps instructions onto it and applies the
// ISA's rules for targets, FPSCR, CR1 and the Floating-Point Enabled Program interrupt.
#include <vector>

#include "cpu/insns/common.hpp"
#include "cpu/insns/fpu.hpp"
#include "cpu/insns/vreg.hpp"

namespace ppcmig::cpu::insn {
namespace {

using fpu::Class;
using fpu::Format;
using fpu::Res;
using fpu::Rnd;

constexpr auto FP = Category::FloatingPoint;

// ---------------- common epilogues ----------------

/// CR1 ← FPSCR[FX FEX VX OX] for Rc=1, then the enabled-exception Program interrupt (precise
/// mode for every nonzero MSR[FE0 FE1]; the target and FPSCR are already updated).
int fp_done(Cpu& c, const Decoded& d, uint64_t exc) {
    if (f_rcbit(d)) set_crf(c.s, 1, static_cast<uint32_t>(c.s.fpscr >> 28) & 0xF);
    if (fpu::fe_mode(c.s) && fpu::enabled(c.s.fpscr, exc)) return c.program(d, srr1::FP_ENABLED);
    return kNext;
}

int arith_done(Cpu& c, const Decoded& d, const Res& r, Class cls) {
    fpu::deliver(c.s, r, c.s.vsr[f_rt(d)], cls);
    return fp_done(c, d, r.exc);
}

template <bool S>
constexpr const Format& fmt() { return S ? fpu::kF32 : fpu::kF64; }
template <bool S>
constexpr Class cls() { return S ? Class::F32 : Class::F64; }

fpu::Env arith_env(const Cpu& c) { return fpu::env_of(c.s.fpscr, true); }

/// Every FPR write sets doubleword 1 of the VSR to 0 (ISA 3.1).
void set_fpr(Cpu& c, unsigned n, uint64_t v) { fpu::set_scalar(c.s.vsr[n], v); }

// ---------------- loads and stores ----------------

template <bool Single>
uint64_t load_fp(Cpu& c, uint64_t ea) {
    if constexpr (Single) return fpu::single_to_double(c.load<uint32_t>(ea));
    else return c.load<uint64_t>(ea);
}
template <bool Single>
void store_fp(Cpu& c, uint64_t ea, uint64_t v) {
    if constexpr (Single) c.store<uint32_t>(ea, fpu::double_to_single_store(v));
    else c.store<uint64_t>(ea, v);
}

template <bool Single, Ea K>
int lf(Cpu& c, const Decoded& d) {
    set_fpr(c, f_rt(d), load_fp<Single>(c, ea_of<K>(c, d)));
    return kNext;
}
template <bool Single, Ea K>
int lfu(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    if (ra == 0) return illegal(c, d);
    const uint64_t ea = ea_upd<K>(c, d);
    set_fpr(c, f_rt(d), load_fp<Single>(c, ea));
    c.s.gpr[ra] = ea;
    return kNext;
}
template <bool Single, Ea K>
int stf(Cpu& c, const Decoded& d) {
    store_fp<Single>(c, ea_of<K>(c, d), fpr(c.s, f_rt(d)));
    return c.store_flow();
}
template <bool Single, Ea K>
int stfu(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    if (ra == 0) return illegal(c, d);
    const uint64_t ea = ea_upd<K>(c, d);
    store_fp<Single>(c, ea, fpr(c.s, f_rt(d)));
    c.s.gpr[ra] = ea;
    return c.store_flow();
}
template <bool Sext>
int lfiw(Cpu& c, const Decoded& d) {
    const uint32_t w = c.load<uint32_t>(ea_x(c, d));
    set_fpr(c, f_rt(d), Sext ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(w))) : w);
    return kNext;
}
int stfiwx(Cpu& c, const Decoded& d) {
    c.store<uint32_t>(ea_x(c, d), static_cast<uint32_t>(fpr(c.s, f_rt(d))));
    return c.store_flow();
}
// Pair forms: FRTp even; 16 bytes in the current byte order (FRTp is the high half).
template <Ea K>
int lfdp(Cpu& c, const Decoded& d) {
    const unsigned t = f_rt(d);
    if (t & 1) return illegal(c, d);
    const uint64_t ea = ea_of<K>(c, d);
    const uint64_t a = c.load<uint64_t>(ea), b = c.load<uint64_t>(c.ea(ea + 8));
    set_fpr(c, t, c.little_endian() ? b : a);
    set_fpr(c, t + 1, c.little_endian() ? a : b);
    return kNext;
}
template <Ea K>
int stfdp(Cpu& c, const Decoded& d) {
    const unsigned t = f_rt(d);
    if (t & 1) return illegal(c, d);
    const uint64_t ea = ea_of<K>(c, d);
    const uint64_t hi = fpr(c.s, t), lo = fpr(c.s, t + 1);
    c.store<uint64_t>(ea, c.little_endian() ? lo : hi);
    c.store<uint64_t>(c.ea(ea + 8), c.little_endian() ? hi : lo);
    return c.store_flow();
}

// ---------------- arithmetic ----------------
using Op2 = Res (*)(const fpu::Env&, uint64_t, uint64_t, const Format&);

template <Op2 Op, bool S>
int f_ab(Cpu& c, const Decoded& d) {  // FRT ← FRA op FRB
    return arith_done(c, d, Op(arith_env(c), fpr(c.s, f_ra(d)), fpr(c.s, f_rb(d)), fmt<S>()), cls<S>());
}
template <bool S>
int f_mul(Cpu& c, const Decoded& d) {  // FRT ← FRA × FRC
    return arith_done(c, d, fpu::mul(arith_env(c), fpr(c.s, f_ra(d)), fpr(c.s, f_rc(d)), fmt<S>()), cls<S>());
}
template <bool S>
int f_sqrt(Cpu& c, const Decoded& d) {
    return arith_done(c, d, fpu::sqrt(arith_env(c), fpr(c.s, f_rb(d)), fmt<S>()), cls<S>());
}
template <bool S>
int f_re(Cpu& c, const Decoded& d) {
    return arith_done(c, d, fpu::recip(arith_env(c), fpr(c.s, f_rb(d)), fmt<S>()), cls<S>());
}
template <bool S>
int f_rsqrte(Cpu& c, const Decoded& d) {
    return arith_done(c, d, fpu::rsqrt(arith_env(c), fpr(c.s, f_rb(d)), fmt<S>(), fpu::kF64), cls<S>());
}
/// [n]m{add,sub}: FRT ← ±(FRA × FRC ± FRB), rounded before the negation.
template <bool S, bool SubB, bool Neg>
int f_madd(Cpu& c, const Decoded& d) {
    Res r = fpu::fma(arith_env(c), fpr(c.s, f_ra(d)), fpr(c.s, f_rc(d)), fpr(c.s, f_rb(d)), SubB, fmt<S>());
    if constexpr (Neg) r.v = fpu::negate_result(r.v);
    return arith_done(c, d, r, cls<S>());
}

int frsp(Cpu& c, const Decoded& d) {
    return arith_done(c, d, fpu::round_to(arith_env(c), fpr(c.s, f_rb(d)), fpu::kF32), Class::F32);
}

/// fcti*: FPRF is undefined and left alone. For the word forms the high word is undefined; it
/// holds the sign extension (QEMU does the same, except that a NaN gives 0x80000000).
template <unsigned Bits, bool Signed, bool Z>
int fcti(Cpu& c, const Decoded& d) {
    const uint64_t b = fpr(c.s, f_rb(d));
    Res r = fpu::to_int(b, Bits, Signed, Z ? Rnd::Zero : fpu::rn_of(c.s.fpscr));
    if (Bits == 32 && Signed && fpu::is_nan(b)) r.v = 0x80000000u;
    fpu::deliver(c.s, r, c.s.vsr[f_rt(d)], Class::None);
    return fp_done(c, d, r.exc);
}
template <bool Signed, bool S>
int fcfid(Cpu& c, const Decoded& d) {
    return arith_done(c, d, fpu::from_int(arith_env(c), fpr(c.s, f_rb(d)), Signed, fmt<S>()), cls<S>());
}
/// fri[nzpm]: FR and FI are cleared, XX is never set.
template <Rnd M>
int fri(Cpu& c, const Decoded& d) {
    Res r = fpu::round_int(fpr(c.s, f_rb(d)), M);
    r.fi = r.fr = false;
    return arith_done(c, d, r, Class::F64);
}

// ---------------- moves and select (no FPSCR change) ----------------
int move_done(Cpu& c, const Decoded& d, uint64_t v) {
    set_fpr(c, f_rt(d), v);
    if (f_rcbit(d)) set_crf(c.s, 1, static_cast<uint32_t>(c.s.fpscr >> 28) & 0xF);
    return kNext;
}
int fmr(Cpu& c, const Decoded& d) { return move_done(c, d, fpr(c.s, f_rb(d))); }
int fneg(Cpu& c, const Decoded& d) { return move_done(c, d, fpr(c.s, f_rb(d)) ^ fpu::kSign); }
int fabs_(Cpu& c, const Decoded& d) { return move_done(c, d, fpr(c.s, f_rb(d)) & ~fpu::kSign); }
int fnabs(Cpu& c, const Decoded& d) { return move_done(c, d, fpr(c.s, f_rb(d)) | fpu::kSign); }
int fcpsgn(Cpu& c, const Decoded& d) {
    return move_done(c, d, (fpr(c.s, f_ra(d)) & fpu::kSign) | (fpr(c.s, f_rb(d)) & ~fpu::kSign));
}
int fsel(Cpu& c, const Decoded& d) {
    const uint64_t a = fpr(c.s, f_ra(d));
    const bool ge0 = !fpu::is_nan(a) && (!fpu::is_neg(a) || fpu::is_zero(a));
    return move_done(c, d, ge0 ? fpr(c.s, f_rc(d)) : fpr(c.s, f_rb(d)));
}
int fmrgew(Cpu& c, const Decoded& d) {
    set_fpr(c, f_rt(d), (fpr(c.s, f_ra(d)) & 0xFFFFFFFF00000000ull) | (fpr(c.s, f_rb(d)) >> 32));
    return kNext;
}
int fmrgow(Cpu& c, const Decoded& d) {
    set_fpr(c, f_rt(d), (fpr(c.s, f_ra(d)) << 32) | (fpr(c.s, f_rb(d)) & 0xFFFFFFFFull));
    return kNext;
}

// ---------------- compares and tests ----------------
template <bool Ordered>
int fcmp(Cpu& c, const Decoded& d) {
    const uint64_t a = fpr(c.s, f_ra(d)), b = fpr(c.s, f_rb(d));
    const unsigned cc = fpu::compare(a, b);
    uint64_t exc = 0;
    if (fpu::is_snan(a) || fpu::is_snan(b)) {
        exc |= fpscr::VXSNAN;
        // An ordered compare also signals VXVC, unless an enabled SNaN exception preempts it.
        if (Ordered && !(c.s.fpscr & fpscr::VE)) exc |= fpscr::VXVC;
    } else if (Ordered && cc == 1) {
        exc |= fpscr::VXVC;
    }
    fpu::set_fpcc(c.s, cc);
    set_crf(c.s, f_bf(d), cc);
    fpu::raise(c.s, exc);
    return fp_done(c, d, exc);
}

/// Unbiased exponent as the test instructions see it (biased field minus the bias).
int uexp(uint64_t x) { return static_cast<int>((x >> 52) & 0x7FF) - 1023; }

int ftdiv(Cpu& c, const Decoded& d) {
    using namespace fpu;
    const uint64_t a = fpr(c.s, f_ra(d)), b = fpr(c.s, f_rb(d));
    const int ea = uexp(a), eb = uexp(b);
    bool fe = is_nan(a) || is_inf(a) || is_nan(b) || is_inf(b) || is_zero(b) || eb <= -1022 || eb >= 1021;
    if (!is_zero(a)) fe = fe || ea - eb >= 1023 || ea - eb <= -1021 || ea <= -970;
    const bool fg = is_inf(a) || is_inf(b) || is_zero(b) || is_denorm(b);
    set_crf(c.s, f_bf(d), 8u | (fg ? 4u : 0u) | (fe ? 2u : 0u));
    return kNext;
}
int ftsqrt(Cpu& c, const Decoded& d) {
    using namespace fpu;
    const uint64_t b = fpr(c.s, f_rb(d));
    const bool fe = is_zero(b) || is_inf(b) || is_nan(b) || is_neg(b) || uexp(b) <= -970;
    const bool fg = is_zero(b) || is_inf(b) || is_denorm(b);
    set_crf(c.s, f_bf(d), 8u | (fg ? 4u : 0u) | (fe ? 2u : 0u));
    return kNext;
}

// ---------------- FPSCR moves ----------------
// Bits software can write: the low word except the reserved bit 52 and the FEX/VX summaries,
// plus DRN (bits 29:31). The summaries are always recomputed.
constexpr uint64_t kDrn = uint64_t(7) << 32;
constexpr uint64_t kWritable = kDrn | (0xFFFFFFFFull & ~(uint64_t(1) << 11) & ~(fpscr::FEX | fpscr::VX));
constexpr uint64_t kControl = kDrn | 0xFF;  // DRN, VE..XE, NI, RN
constexpr uint64_t kLightweight = kControl | fpscr::FR | fpscr::FI | fpscr::FPRF;

/// After an explicit FPSCR write: CR1 for Rc=1 and the interrupt when an enabled exception
/// is left pending (FEX=1) under a nonzero MSR[FE0 FE1].
int mtfs_done(Cpu& c, const Decoded& d) {
    fpu::summarize(c.s);
    if (f_rcbit(d)) set_crf(c.s, 1, static_cast<uint32_t>(c.s.fpscr >> 28) & 0xF);
    if (fpu::fe_mode(c.s) && (c.s.fpscr & fpscr::FEX)) return c.program(d, srr1::FP_ENABLED);
    return kNext;
}
/// Mask of FPSCR field k (0-15, IBM numbering of the 64-bit FPSCR).
constexpr uint64_t field_mask(unsigned k) { return uint64_t(0xF) << (60 - 4 * k); }

int mffs(Cpu& c, const Decoded& d) {
    set_fpr(c, f_rt(d), c.s.fpscr);
    if (f_rcbit(d)) set_crf(c.s, 1, static_cast<uint32_t>(c.s.fpscr >> 28) & 0xF);
    return kNext;
}
int mffsce(Cpu& c, const Decoded& d) {
    set_fpr(c, f_rt(d), c.s.fpscr);
    c.s.fpscr &= ~(fpscr::VE | fpscr::OE | fpscr::UE | fpscr::ZE | fpscr::XE);
    fpu::summarize(c.s);
    return kNext;
}
int mffsl(Cpu& c, const Decoded& d) {
    set_fpr(c, f_rt(d), c.s.fpscr & kLightweight);
    return kNext;
}
/// mffscdrn[i] / mffscrn[i]: FRT ← control fields, then DRN or RN from FRB or the immediate.
template <bool Drn, bool Imm>
int mffsc(Cpu& c, const Decoded& d) {
    const uint64_t b = Imm ? 0 : fpr(c.s, f_rb(d));  // read before FRT is written (FRT may be FRB)
    set_fpr(c, f_rt(d), c.s.fpscr & kControl);
    if constexpr (Drn) {
        const uint64_t v = Imm ? (d.word >> 11) & 7 : (b >> 32) & 7;
        c.s.fpscr = (c.s.fpscr & ~kDrn) | (v << 32);
    } else {
        const uint64_t v = Imm ? (d.word >> 11) & 3 : b & 3;
        c.s.fpscr = (c.s.fpscr & ~fpscr::RN) | v;
    }
    return kNext;
}
int mtfsf(Cpu& c, const Decoded& d) {
    const bool l = (d.word >> 25) & 1, w = (d.word >> 16) & 1;
    const unsigned flm = (d.word >> 17) & 0xFF;
    uint64_t mask = 0;
    if (l) {
        mask = ~uint64_t(0);
    } else {
        for (unsigned i = 0; i < 8; ++i)
            if (flm & (0x80u >> i)) mask |= field_mask(i + (w ? 0 : 8));
    }
    mask &= kWritable;
    c.s.fpscr = (c.s.fpscr & ~mask) | (fpr(c.s, f_rb(d)) & mask);
    return mtfs_done(c, d);
}
int mtfsfi(Cpu& c, const Decoded& d) {
    const unsigned bf = f_bf(d), w = (d.word >> 16) & 1;
    const unsigned k = bf + (w ? 0 : 8);
    const uint64_t u = (d.word >> 12) & 0xF;
    const uint64_t mask = field_mask(k) & kWritable;
    c.s.fpscr = (c.s.fpscr & ~mask) | ((u << (60 - 4 * k)) & mask);
    return mtfs_done(c, d);
}
/// Host mask of FPSCR bit 32+bt.
uint64_t fpscr_bit(unsigned bt) { return uint64_t(1) << (31 - bt); }
int mtfsb0(Cpu& c, const Decoded& d) {
    c.s.fpscr &= ~(fpscr_bit(f_rt(d)) & kWritable);  // FEX and VX cannot be cleared explicitly
    return mtfs_done(c, d);
}
int mtfsb1(Cpu& c, const Decoded& d) {
    // NI (bit 61) is left alone: non-IEEE mode is not implemented; QEMU ignores it here too.
    const uint64_t bit = fpscr_bit(f_rt(d)) & kWritable & ~fpscr::NI;
    // Setting an exception bit is an exception occurring: FX records the 0 -> 1 transition.
    if ((bit & fpu::kExceptionBits) && !(c.s.fpscr & bit)) c.s.fpscr |= fpscr::FX;
    c.s.fpscr |= bit;
    return mtfs_done(c, d);
}
int mcrfs(Cpu& c, const Decoded& d) {
    const unsigned bfa = f_bfa(d);
    const unsigned sh = 28 - 4 * bfa;
    set_crf(c.s, f_bf(d), static_cast<uint32_t>(c.s.fpscr >> sh) & 0xF);
    c.s.fpscr &= ~((uint64_t(0xF) << sh) & (fpscr::FX | fpu::kExceptionBits));
    fpu::summarize(c.s);
    return kNext;
}

// ---------------- table ----------------
using isa::a5;
using isa::ds;
using isa::op;
using isa::xo10;

const std::vector<InsnSpec>& rows() {
    constexpr uint16_t Rc = isa::F_Rc, S = isa::F_Store;
    static const std::vector<InsnSpec> t = {
        // loads and stores
        row("lfs", op(48), {FRT, D, RA0}, L201, FP, 0, lf<true, Ea::D>),
        row("lfsu", op(49), {FRT, D, RA}, L201, FP, 0, lfu<true, Ea::D>),
        row("lfd", op(50), {FRT, D, RA0}, L201, FP, 0, lf<false, Ea::D>),
        row("lfdu", op(51), {FRT, D, RA}, L201, FP, 0, lfu<false, Ea::D>),
        row("stfs", op(52), {FRT, D, RA0}, L201, FP, S, stf<true, Ea::D>),
        row("stfsu", op(53), {FRT, D, RA}, L201, FP, S, stfu<true, Ea::D>),
        row("stfd", op(54), {FRT, D, RA0}, L201, FP, S, stf<false, Ea::D>),
        row("stfdu", op(55), {FRT, D, RA}, L201, FP, S, stfu<false, Ea::D>),
        row("lfdp", ds(57, 0), {FRT, DS, RA0}, L205, FP, 0, lfdp<Ea::DS>),
        row("stfdp", ds(61, 0), {FRT, DS, RA0}, L205, FP, S, stfdp<Ea::DS>),
        row("lfsx", xo10(31, 535), {FRT, RA0, RB}, L201, FP, 0, lf<true, Ea::X>),
        row("lfsux", xo10(31, 567), {FRT, RA, RB}, L201, FP, 0, lfu<true, Ea::X>),
        row("lfdx", xo10(31, 599), {FRT, RA0, RB}, L201, FP, 0, lf<false, Ea::X>),
        row("lfdux", xo10(31, 631), {FRT, RA, RB}, L201, FP, 0, lfu<false, Ea::X>),
        row("lfiwax", xo10(31, 855), {FRT, RA0, RB}, L205, FP, 0, lfiw<true>),
        row("lfiwzx", xo10(31, 887), {FRT, RA0, RB}, L206, FP, 0, lfiw<false>),
        row("stfsx", xo10(31, 663), {FRT, RA0, RB}, L201, FP, S, stf<true, Ea::X>),
        row("stfsux", xo10(31, 695), {FRT, RA, RB}, L201, FP, S, stfu<true, Ea::X>),
        row("stfdx", xo10(31, 727), {FRT, RA0, RB}, L201, FP, S, stf<false, Ea::X>),
        row("stfdux", xo10(31, 759), {FRT, RA, RB}, L201, FP, S, stfu<false, Ea::X>),
        row("stfiwx", xo10(31, 983), {FRT, RA0, RB}, L201, FP, S, stfiwx),
        row("lfdpx", xo10(31, 791), {FRT, RA0, RB}, L205, FP, 0, lfdp<Ea::X>),
        row("stfdpx", xo10(31, 919), {FRT, RA0, RB}, L205, FP, S, stfdp<Ea::X>),
        // arithmetic, double (63) and single (59)
        row("fadd", a5(63, 21), {FRT, FRA, FRB}, L201, FP, Rc, f_ab<fpu::add, false>),
        row("fadds", a5(59, 21), {FRT, FRA, FRB}, L201, FP, Rc, f_ab<fpu::add, true>),
        row("fsub", a5(63, 20), {FRT, FRA, FRB}, L201, FP, Rc, f_ab<fpu::sub, false>),
        row("fsubs", a5(59, 20), {FRT, FRA, FRB}, L201, FP, Rc, f_ab<fpu::sub, true>),
        row("fmul", a5(63, 25), {FRT, FRA, FRC}, L201, FP, Rc, f_mul<false>),
        row("fmuls", a5(59, 25), {FRT, FRA, FRC}, L201, FP, Rc, f_mul<true>),
        row("fdiv", a5(63, 18), {FRT, FRA, FRB}, L201, FP, Rc, f_ab<fpu::div, false>),
        row("fdivs", a5(59, 18), {FRT, FRA, FRB}, L201, FP, Rc, f_ab<fpu::div, true>),
        row("fsqrt", a5(63, 22), {FRT, FRB}, L201, FP, Rc, f_sqrt<false>),
        row("fsqrts", a5(59, 22), {FRT, FRB}, L201, FP, Rc, f_sqrt<true>),
        row("fmadd", a5(63, 29), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<false, false, false>),
        row("fmadds", a5(59, 29), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<true, false, false>),
        row("fmsub", a5(63, 28), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<false, true, false>),
        row("fmsubs", a5(59, 28), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<true, true, false>),
        row("fnmadd", a5(63, 31), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<false, false, true>),
        row("fnmadds", a5(59, 31), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<true, false, true>),
        row("fnmsub", a5(63, 30), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<false, true, true>),
        row("fnmsubs", a5(59, 30), {FRT, FRA, FRC, FRB}, L201, FP, Rc, f_madd<true, true, true>),
        row("fre", a5(63, 24), {FRT, FRB}, L202, FP, Rc, f_re<false>),
        row("fres", a5(59, 24), {FRT, FRB}, L201, FP, Rc, f_re<true>),
        row("frsqrte", a5(63, 26), {FRT, FRB}, L201, FP, Rc, f_rsqrte<false>),
        row("frsqrtes", a5(59, 26), {FRT, FRB}, L202, FP, Rc, f_rsqrte<true>),
        row("fsel", a5(63, 23), {FRT, FRA, FRC, FRB}, L201, FP, Rc, fsel),
        // moves
        row("fmr", xo10(63, 72), {FRT, FRB}, L201, FP, Rc, fmr),
        row("fneg", xo10(63, 40), {FRT, FRB}, L201, FP, Rc, fneg),
        row("fabs", xo10(63, 264), {FRT, FRB}, L201, FP, Rc, fabs_),
        row("fnabs", xo10(63, 136), {FRT, FRB}, L201, FP, Rc, fnabs),
        row("fcpsgn", xo10(63, 8), {FRT, FRA, FRB}, L205, FP, Rc, fcpsgn),
        row("fmrgew", xo10(63, 966), {FRT, FRA, FRB}, L207, FP, 0, fmrgew),
        row("fmrgow", xo10(63, 838), {FRT, FRA, FRB}, L207, FP, 0, fmrgow),
        // compares and tests
        row("fcmpu", xo10(63, 0), {BF, FRA, FRB}, L201, FP, 0, fcmp<false>),
        row("fcmpo", xo10(63, 32), {BF, FRA, FRB}, L201, FP, 0, fcmp<true>),
        row("ftdiv", xo10(63, 128), {BF, FRA, FRB}, L206, FP, 0, ftdiv),
        row("ftsqrt", xo10(63, 160), {BF, FRB}, L206, FP, 0, ftsqrt),
        // rounding and conversion
        row("frsp", xo10(63, 12), {FRT, FRB}, L201, FP, Rc, frsp),
        row("fctiw", xo10(63, 14), {FRT, FRB}, L201, FP, Rc, fcti<32, true, false>),
        row("fctiwz", xo10(63, 15), {FRT, FRB}, L201, FP, Rc, fcti<32, true, true>),
        row("fctiwu", xo10(63, 142), {FRT, FRB}, L206, FP, Rc, fcti<32, false, false>),
        row("fctiwuz", xo10(63, 143), {FRT, FRB}, L206, FP, Rc, fcti<32, false, true>),
        row("fctid", xo10(63, 814), {FRT, FRB}, L201, FP, Rc, fcti<64, true, false>),
        row("fctidz", xo10(63, 815), {FRT, FRB}, L201, FP, Rc, fcti<64, true, true>),
        row("fctidu", xo10(63, 942), {FRT, FRB}, L206, FP, Rc, fcti<64, false, false>),
        row("fctiduz", xo10(63, 943), {FRT, FRB}, L206, FP, Rc, fcti<64, false, true>),
        row("fcfid", xo10(63, 846), {FRT, FRB}, L201, FP, Rc, fcfid<true, false>),
        row("fcfidu", xo10(63, 974), {FRT, FRB}, L206, FP, Rc, fcfid<false, false>),
        row("fcfids", xo10(59, 846), {FRT, FRB}, L206, FP, Rc, fcfid<true, true>),
        row("fcfidus", xo10(59, 974), {FRT, FRB}, L206, FP, Rc, fcfid<false, true>),
        row("frin", xo10(63, 392), {FRT, FRB}, L202, FP, Rc, fri<Rnd::NearAway>),
        row("friz", xo10(63, 424), {FRT, FRB}, L202, FP, Rc, fri<Rnd::Zero>),
        row("frip", xo10(63, 456), {FRT, FRB}, L202, FP, Rc, fri<Rnd::Up>),
        row("frim", xo10(63, 488), {FRT, FRB}, L202, FP, Rc, fri<Rnd::Down>),
        // FPSCR
        row("mffs", xo10(63, 583), {FRT}, L201, FP, Rc, mffs),
        row("mffsce", xo10(63, 583) | (1u << 16), {FRT}, L300, FP, 0, mffsce),
        row("mffscdrn", xo10(63, 583) | (20u << 16), {FRT, FRB}, L300, FP, 0, mffsc<true, false>),
        row("mffscdrni", xo10(63, 583) | (21u << 16), {FRT, DRM}, L300, FP, 0, mffsc<true, true>),
        row("mffscrn", xo10(63, 583) | (22u << 16), {FRT, FRB}, L300, FP, 0, mffsc<false, false>),
        row("mffscrni", xo10(63, 583) | (23u << 16), {FRT, RM}, L300, FP, 0, mffsc<false, true>),
        row("mffsl", xo10(63, 583) | (24u << 16), {FRT}, L300, FP, 0, mffsl),
        row("mtfsf", xo10(63, 711), {FLM, FRB, FL1, W}, L201, FP, Rc, mtfsf),
        row("mtfsfi", xo10(63, 134), {BF, U, BFW}, L201, FP, Rc, mtfsfi),
        row("mtfsb0", xo10(63, 70), {BT}, L201, FP, Rc, mtfsb0),
        row("mtfsb1", xo10(63, 38), {BT}, L201, FP, Rc, mtfsb1),
        row("mcrfs", xo10(63, 64), {BF, BFA}, L201, FP, 0, mcrfs),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_floating_point() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
