// VSX floating-point arithmetic, conversion and compare instructions: rows and semantics.
// Scalar forms work on doubleword 0 and set doubleword 1 of the target to 0; vector forms
// compute every element and write the target only when no element raised an enabled exception
// (they leave FR, FI and FPRF alone).
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

constexpr auto VS = Category::Vsx;

// ---------------- operands ----------------
unsigned xt(const Decoded& d) { return ((d.word >> 21) & 31) | ((d.word & 1) << 5); }
unsigned xa(const Decoded& d) { return ((d.word >> 16) & 31) | (((d.word >> 2) & 1) << 5); }
unsigned xb(const Decoded& d) { return ((d.word >> 11) & 31) | (((d.word >> 1) & 1) << 5); }
uint64_t dwa(const Cpu& c, const Decoded& d) { return c.s.vsr[xa(d)].hi; }
uint64_t dwb(const Cpu& c, const Decoded& d) { return c.s.vsr[xb(d)].hi; }
uint64_t dwt(const Cpu& c, const Decoded& d) { return c.s.vsr[xt(d)].hi; }

fpu::Env env(const Cpu& c) { return fpu::env_of(c.s.fpscr, true); }

template <bool S>
constexpr const Format& fmt() { return S ? fpu::kF32 : fpu::kF64; }
template <bool S>
constexpr Class cls() { return S ? Class::F32 : Class::F64; }

/// Element i of a vector as a double-format value (words are single-precision values).
template <bool S>
uint64_t lane(const Vsr& v, unsigned i) {
    if constexpr (S) return fpu::single_to_double(vget<uint32_t>(v, i));
    else return vget<uint64_t>(v, i);
}
template <bool S>
void set_lane(Vsr& v, unsigned i, uint64_t x) {
    if constexpr (S) vset<uint32_t>(v, i, fpu::pack_single(x));
    else vset<uint64_t>(v, i, x);
}
template <bool S>
constexpr unsigned lanes() { return S ? 4 : 2; }

/// The Floating-Point Enabled Program interrupt after an instruction raised exc.
int trap(Cpu& c, const Decoded& d, uint64_t exc) {
    if (fpu::fe_mode(c.s) && fpu::enabled(c.s.fpscr, exc)) return c.program(d, srr1::FP_ENABLED);
    return kNext;
}

int xs_done(Cpu& c, const Decoded& d, const Res& r, Class cls) {
    fpu::deliver(c.s, r, c.s.vsr[xt(d)], cls);
    return trap(c, d, r.exc);
}

/// Vector completion: the target is written only if no enabled exception occurred.
int xv_done(Cpu& c, const Decoded& d, const Vsr& out, uint64_t exc) {
    fpu::raise(c.s, exc);
    if (!fpu::enabled(c.s.fpscr, exc)) c.s.vsr[xt(d)] = out;
    return trap(c, d, exc);
}

/// Scalar move-type result (no FPSCR change): dw0 ← v, dw1 ← 0.
int xs_move(Cpu& c, const Decoded& d, uint64_t v) {
    fpu::set_scalar(c.s.vsr[xt(d)], v);
    return kNext;
}

// ---------------- scalar arithmetic ----------------
using Op2 = Res (*)(const fpu::Env&, uint64_t, uint64_t, const Format&);
using Op1 = Res (*)(const fpu::Env&, uint64_t, const Format&);

template <Op2 Op, bool S>
int xs2(Cpu& c, const Decoded& d) {
    return xs_done(c, d, Op(env(c), dwa(c, d), dwb(c, d), fmt<S>()), cls<S>());
}
template <Op1 Op, bool S>
int xs1(Cpu& c, const Decoded& d) {
    return xs_done(c, d, Op(env(c), dwb(c, d), fmt<S>()), cls<S>());
}
/// Multiply-add. Type A: XT ← ±(XA×XB ± XT); type M: XT ← ±(XA×XT ± XB).
template <bool S, bool TypeM, bool SubB, bool Neg>
int xsmadd(Cpu& c, const Decoded& d) {
    const uint64_t a = dwa(c, d), b = dwb(c, d), t = dwt(c, d);
    Res r = TypeM ? fpu::fma(env(c), a, t, b, SubB, fmt<S>()) : fpu::fma(env(c), a, b, t, SubB, fmt<S>());
    if constexpr (Neg) r.v = fpu::negate_result(r.v);
    return xs_done(c, d, r, cls<S>());
}

/// Estimates as QEMU computes them (the ISA only bounds their error): the scalar single forms
/// round the double-precision estimate to single; the vector single form takes the square
/// root in single precision.
Res resp_est(const fpu::Env& e, uint64_t b, const Format&) {
    Res r = fpu::recip(e, b, fpu::kF64);
    if (fpu::is_nan(r.v) || (r.exc & fpscr::ZX)) return r;
    Res s = fpu::round_to(e, r.v, fpu::kF32);
    s.exc |= r.exc;
    s.fi = s.fi || r.fi;
    return s;
}
Res rsqrtesp_est(const fpu::Env& e, uint64_t b, const Format&) {
    Res r = fpu::rsqrt(e, b, fpu::kF64);
    if (fpu::is_nan(r.v) || (r.exc & fpscr::ZX)) return r;
    Res s = fpu::round_to(e, r.v, fpu::kF32);
    s.exc |= r.exc;
    s.fi = s.fi || r.fi;
    return s;
}
Res xvrsqrte_est(const fpu::Env& e, uint64_t b, const Format& f) { return fpu::rsqrt(e, b, f, f); }

// ---------------- maximum / minimum ----------------
enum class Mm { Max, Min };

/// IEEE maxNum/minNum (xsmaxdp, xvmaxdp ...): a QNaN loses against a number; SNaNs signal.
template <Mm M>
Res maxnum(uint64_t a, uint64_t b) {
    Res r;
    using namespace fpu;
    if (is_snan(a) || is_snan(b)) {
        r.exc = fpscr::VXSNAN;
        r.v = is_nan(a) ? quiet(a) : quiet(b);
        return r;
    }
    if (is_nan(a) && is_nan(b)) r.v = a;
    else if (is_nan(a)) r.v = b;
    else if (is_nan(b)) r.v = a;
    else if (is_zero(a) && is_zero(b)) r.v = (M == Mm::Max) ? (a & b) : (a | b);  // +0 > -0
    else {
        const unsigned cc = compare(a, b);
        r.v = (M == Mm::Max) == (cc == 4) ? a : b;
    }
    return r;
}
/// Type C (C's (a > b) ? a : b): any NaN yields XB.
template <Mm M>
Res maxc(uint64_t a, uint64_t b) {
    Res r;
    using namespace fpu;
    if (is_snan(a) || is_snan(b)) r.exc = fpscr::VXSNAN;
    if (is_nan(a) || is_nan(b)) {
        r.v = b;
        return r;
    }
    r.v = compare(a, b) == (M == Mm::Max ? 4u : 8u) ? a : b;
    return r;
}
/// Type J (Java): a NaN operand is returned as is (XA first); +0 > -0.
template <Mm M>
Res maxj(uint64_t a, uint64_t b) {
    Res r;
    using namespace fpu;
    if (is_snan(a) || is_snan(b)) r.exc = fpscr::VXSNAN;
    if (is_nan(a)) r.v = a;
    else if (is_nan(b)) r.v = b;
    else if (is_zero(a) && is_zero(b)) r.v = (M == Mm::Max) ? (a & b) : (a | b);
    else r.v = (M == Mm::Max) == (compare(a, b) == 4) ? a : b;
    return r;
}
using MmFn = Res (*)(uint64_t, uint64_t);
/// Max/min never set FR, FI or FPRF; an enabled VXSNAN suppresses the write.
template <MmFn F>
int xsmax(Cpu& c, const Decoded& d) {
    const Res r = F(dwa(c, d), dwb(c, d));
    fpu::raise(c.s, r.exc);
    if (!fpu::enabled(c.s.fpscr, r.exc)) fpu::set_scalar(c.s.vsr[xt(d)], r.v);
    return trap(c, d, r.exc);
}
template <MmFn F, bool S>
int xvmax(Cpu& c, const Decoded& d) {
    const Vsr& a = c.s.vsr[xa(d)];
    const Vsr& b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const Res r = F(lane<S>(a, i), lane<S>(b, i));
        exc |= r.exc;
        set_lane<S>(out, i, r.v);
    }
    return xv_done(c, d, out, exc);
}

// ---------------- compares ----------------
/// Exceptions of a compare: VXSNAN for SNaNs; ordered compares add VXVC (for an SNaN only
/// when invalid-operation exceptions are disabled).
uint64_t cmp_exc(uint64_t fpscr_v, uint64_t a, uint64_t b, bool ordered) {
    uint64_t exc = 0;
    if (fpu::is_snan(a) || fpu::is_snan(b)) {
        exc |= fpscr::VXSNAN;
        if (ordered && !(fpscr_v & fpscr::VE)) exc |= fpscr::VXVC;
    } else if (ordered && (fpu::is_nan(a) || fpu::is_nan(b))) {
        exc |= fpscr::VXVC;
    }
    return exc;
}
template <bool Ordered>
int xscmp(Cpu& c, const Decoded& d) {  // xscmpudp / xscmpodp
    const uint64_t a = dwa(c, d), b = dwb(c, d);
    const unsigned cc = fpu::compare(a, b);
    const uint64_t exc = cmp_exc(c.s.fpscr, a, b, Ordered);
    fpu::set_fpcc(c.s, cc);
    set_crf(c.s, f_bf(d), cc);
    fpu::raise(c.s, exc);
    return trap(c, d, exc);
}
enum class Pred { Eq, Gt, Ge };
bool pred(Pred p, unsigned cc) {
    switch (p) {
        case Pred::Eq: return cc == 2;
        case Pred::Gt: return cc == 4;
        case Pred::Ge: return cc == 4 || cc == 2;
    }
    return false;
}
template <Pred P>
int xscmpp(Cpu& c, const Decoded& d) {  // xscmpeqdp / gtdp / gedp
    const uint64_t a = dwa(c, d), b = dwb(c, d);
    const uint64_t exc = cmp_exc(c.s.fpscr, a, b, P != Pred::Eq);
    fpu::raise(c.s, exc);
    if (!fpu::enabled(c.s.fpscr, exc))
        fpu::set_scalar(c.s.vsr[xt(d)], pred(P, fpu::compare(a, b)) ? ~uint64_t(0) : 0);
    return trap(c, d, exc);
}
/// xvcmp{eq,gt,ge}{dp,sp}[.]: Rc is bit 21; CR6 ← all-true || 0 || all-false || 0.
template <Pred P, bool S>
int xvcmp(Cpu& c, const Decoded& d) {
    const Vsr& a = c.s.vsr[xa(d)];
    const Vsr& b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    bool all = true, none = true;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const uint64_t x = lane<S>(a, i), y = lane<S>(b, i);
        exc |= cmp_exc(c.s.fpscr, x, y, P != Pred::Eq);
        const bool t = pred(P, fpu::compare(x, y));
        all = all && t;
        none = none && !t;
        if constexpr (S) vset<uint32_t>(out, i, t ? ~uint32_t(0) : 0);
        else vset<uint64_t>(out, i, t ? ~uint64_t(0) : 0);
    }
    if ((d.word >> 10) & 1) set_crf(c.s, 6, (all ? 8u : 0u) | (none ? 2u : 0u));
    return xv_done(c, d, out, exc);
}
int xscmpexpdp(Cpu& c, const Decoded& d) {
    const uint64_t a = dwa(c, d), b = dwb(c, d);
    unsigned cc;
    if (fpu::is_nan(a) || fpu::is_nan(b)) {
        cc = 1;
    } else {
        const uint64_t ea = (a >> 52) & 0x7FF, eb = (b >> 52) & 0x7FF;
        cc = ea < eb ? 8 : ea > eb ? 4 : 2;
    }
    fpu::set_fpcc(c.s, cc);
    set_crf(c.s, f_bf(d), cc);
    return kNext;
}

// ---------------- test for software divide / square root ----------------
struct TestFlags {
    bool fe = false, fg = false;
};
/// Exponent (unbiased, from the field) and class of an element in format S.
template <bool S>
int texp(uint64_t x) {
    // Single elements were widened to double; denormal singles keep their (normalised) double
    // exponent, which is below the single range exactly like a denormal's would be.
    return static_cast<int>((x >> 52) & 0x7FF) - 1023;
}
template <bool S>
bool tdenorm(uint64_t x) {
    if constexpr (S) return !fpu::is_zero(x) && !fpu::is_inf(x) && !fpu::is_nan(x) && texp<S>(x) < -126;
    else return fpu::is_denorm(x);
}
template <bool S>
TestFlags tdiv(uint64_t a, uint64_t b) {
    using namespace fpu;
    constexpr int emin = S ? -126 : -1022, emax = S ? 127 : 1023, prec = S ? 24 : 53;
    const int ea = texp<S>(a), eb = texp<S>(b);
    TestFlags f;
    f.fe = is_nan(a) || is_inf(a) || is_nan(b) || is_inf(b) || is_zero(b) || eb <= emin || eb >= emax - 2;
    if (!is_zero(a)) f.fe = f.fe || ea - eb >= emax || ea - eb <= emin + 1 || ea <= emin + prec - 1;
    f.fg = is_inf(a) || is_inf(b) || is_zero(b) || tdenorm<S>(b);
    return f;
}
template <bool S>
TestFlags tsqrt(uint64_t b) {
    using namespace fpu;
    constexpr int emin = S ? -126 : -1022, prec = S ? 24 : 53;
    TestFlags f;
    f.fe = is_zero(b) || is_inf(b) || is_nan(b) || is_neg(b) || texp<S>(b) <= emin + prec - 1;
    f.fg = is_zero(b) || is_inf(b) || tdenorm<S>(b);
    return f;
}
void set_test_cr(Cpu& c, const Decoded& d, TestFlags f) {
    set_crf(c.s, f_bf(d), 8u | (f.fg ? 4u : 0u) | (f.fe ? 2u : 0u));
}
int xstdivdp(Cpu& c, const Decoded& d) {
    set_test_cr(c, d, tdiv<false>(dwa(c, d), dwb(c, d)));
    return kNext;
}
int xstsqrtdp(Cpu& c, const Decoded& d) {
    set_test_cr(c, d, tsqrt<false>(dwb(c, d)));
    return kNext;
}
template <bool S>
int xvtdiv(Cpu& c, const Decoded& d) {
    TestFlags all;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const TestFlags f = tdiv<S>(lane<S>(c.s.vsr[xa(d)], i), lane<S>(c.s.vsr[xb(d)], i));
        all.fe = all.fe || f.fe;
        all.fg = all.fg || f.fg;
    }
    set_test_cr(c, d, all);
    return kNext;
}
template <bool S>
int xvtsqrt(Cpu& c, const Decoded& d) {
    TestFlags all;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const TestFlags f = tsqrt<S>(lane<S>(c.s.vsr[xb(d)], i));
        all.fe = all.fe || f.fe;
        all.fg = all.fg || f.fg;
    }
    set_test_cr(c, d, all);
    return kNext;
}

// ---------------- vector arithmetic ----------------
template <Op2 Op, bool S>
int xv2(Cpu& c, const Decoded& d) {
    const Vsr a = c.s.vsr[xa(d)], b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const Res r = Op(env(c), lane<S>(a, i), lane<S>(b, i), fmt<S>());
        exc |= r.exc;
        set_lane<S>(out, i, r.v);
    }
    return xv_done(c, d, out, exc);
}
template <Op1 Op, bool S>
int xv1(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const Res r = Op(env(c), lane<S>(b, i), fmt<S>());
        exc |= r.exc;
        set_lane<S>(out, i, r.v);
    }
    return xv_done(c, d, out, exc);
}
template <bool S, bool TypeM, bool SubB, bool Neg>
int xvmadd(Cpu& c, const Decoded& d) {
    const Vsr a = c.s.vsr[xa(d)], b = c.s.vsr[xb(d)], t = c.s.vsr[xt(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const uint64_t x = lane<S>(a, i), y = lane<S>(b, i), z = lane<S>(t, i);
        Res r = TypeM ? fpu::fma(env(c), x, z, y, SubB, fmt<S>()) : fpu::fma(env(c), x, y, z, SubB, fmt<S>());
        if constexpr (Neg) r.v = fpu::negate_result(r.v);
        exc |= r.exc;
        set_lane<S>(out, i, r.v);
    }
    return xv_done(c, d, out, exc);
}

// ---------------- round to integral ----------------
/// Round to integral: only the "c" forms (current mode) report inexactness (XX, FR, FI).
template <Rnd M, bool Current>
int xsrdpi(Cpu& c, const Decoded& d) {
    Res r = fpu::round_int(dwb(c, d), Current ? fpu::rn_of(c.s.fpscr) : M);
    if (Current && r.fi) r.exc |= fpscr::XX;
    if (!Current) r.fi = r.fr = false;
    return xs_done(c, d, r, Class::F64);
}
template <Rnd M, bool Current, bool S>
int xvrpi(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        Res r = fpu::round_int(lane<S>(b, i), Current ? fpu::rn_of(c.s.fpscr) : M);
        if (Current && r.fi) r.exc |= fpscr::XX;
        exc |= r.exc;
        set_lane<S>(out, i, r.v);
    }
    return xv_done(c, d, out, exc);
}

// ---------------- conversions ----------------
/// Double to single-precision format, duplicated into words 0 and 1 of the doubleword.
uint64_t sp_pair(uint32_t w) { return (uint64_t(w) << 32) | w; }

int xsrsp(Cpu& c, const Decoded& d) {
    return xs_done(c, d, fpu::round_to(env(c), dwb(c, d), fpu::kF32), Class::F32);
}
int xscvdpsp(Cpu& c, const Decoded& d) {
    Res r = fpu::round_to(env(c), dwb(c, d), fpu::kF32);
    const uint64_t v = r.v;
    r.v = sp_pair(fpu::pack_single(v));
    // FPRF classifies the single-precision result.
    fpu::raise(c.s, r.exc);
    const bool suppressed = (r.exc & fpscr::VX_ALL) && (c.s.fpscr & fpscr::VE);
    if (suppressed) {
        fpu::set_fr_fi(c.s, false, false);
    } else {
        fpu::set_scalar(c.s.vsr[xt(d)], r.v);
        fpu::set_fr_fi(c.s, r.fr, r.fi);
        fpu::set_fprf(c.s, fpu::fprf_of(v, fpu::kF32));
    }
    return trap(c, d, r.exc);
}
/// Non-signalling: the SINGLE() bit selection of stfs, no status.
int xscvdpspn(Cpu& c, const Decoded& d) { return xs_move(c, d, sp_pair(fpu::double_to_single_store(dwb(c, d)))); }
int xscvspdp(Cpu& c, const Decoded& d) {
    const uint64_t x = fpu::single_to_double(vget<uint32_t>(c.s.vsr[xb(d)], 0));
    Res r;
    r.v = fpu::is_snan(x) ? fpu::quiet(x) : x;
    if (fpu::is_snan(x)) r.exc = fpscr::VXSNAN;
    return xs_done(c, d, r, Class::F64);
}
int xscvspdpn(Cpu& c, const Decoded& d) {
    return xs_move(c, d, fpu::single_to_double(vget<uint32_t>(c.s.vsr[xb(d)], 0)));
}
int xscvdphp(Cpu& c, const Decoded& d) {
    Res r = fpu::round_to(fpu::env_of(c.s.fpscr, false), dwb(c, d), fpu::kF16);
    const uint64_t v = r.v;
    r.v = fpu::pack_half(v);
    fpu::raise(c.s, r.exc);
    if ((r.exc & fpscr::VX_ALL) && (c.s.fpscr & fpscr::VE)) {
        fpu::set_fr_fi(c.s, false, false);
    } else {
        fpu::set_scalar(c.s.vsr[xt(d)], r.v);
        fpu::set_fr_fi(c.s, r.fr, r.fi);
        fpu::set_fprf(c.s, fpu::fprf_of(v, fpu::kF16));
    }
    return trap(c, d, r.exc);
}
int xscvhpdp(Cpu& c, const Decoded& d) {
    const uint64_t x = fpu::half_to_double(static_cast<uint16_t>(dwb(c, d)));
    Res r;
    r.v = fpu::is_snan(x) ? fpu::quiet(x) : x;
    if (fpu::is_snan(x)) r.exc = fpscr::VXSNAN;
    return xs_done(c, d, r, Class::F64);
}
/// xscvdp[su]x[dw]s: truncating conversion; the word forms duplicate the word into words 0, 1.
template <unsigned Bits, bool Signed>
int xscvdpint(Cpu& c, const Decoded& d) {
    Res r = fpu::to_int(dwb(c, d), Bits, Signed, Rnd::Zero);
    if (Bits == 32) r.v = sp_pair(static_cast<uint32_t>(r.v));
    return xs_done(c, d, r, Class::None);
}
template <bool Signed, bool S>
int xscvint(Cpu& c, const Decoded& d) {
    return xs_done(c, d, fpu::from_int(env(c), dwb(c, d), Signed, fmt<S>()), cls<S>());
}

// Vector conversions: single-precision or 32-bit results from doubleword sources go to both
// words of their doubleword; word sources of doubleword results are words 0 and 2.
int xvcvdpsp(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < 2; ++i) {
        const Res r = fpu::round_to(env(c), vget<uint64_t>(b, i), fpu::kF32);
        exc |= r.exc;
        vset<uint64_t>(out, i, sp_pair(fpu::pack_single(r.v)));
    }
    return xv_done(c, d, out, exc);
}
int xvcvspdp(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < 2; ++i) {
        const uint64_t x = fpu::single_to_double(vget<uint32_t>(b, 2 * i));
        if (fpu::is_snan(x)) exc |= fpscr::VXSNAN;
        vset<uint64_t>(out, i, fpu::is_snan(x) ? fpu::quiet(x) : x);
    }
    return xv_done(c, d, out, exc);
}
/// Float to integer. SrcS: single source lanes; Bits: integer width of the result lanes.
template <bool SrcS, unsigned Bits, bool Signed>
int xvcvint(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    if constexpr (SrcS && Bits == 32) {
        for (unsigned i = 0; i < 4; ++i) {
            const Res r = fpu::to_int(lane<true>(b, i), 32, Signed, Rnd::Zero);
            exc |= r.exc;
            vset<uint32_t>(out, i, static_cast<uint32_t>(r.v));
        }
    } else {
        for (unsigned i = 0; i < 2; ++i) {
            const uint64_t x = SrcS ? fpu::single_to_double(vget<uint32_t>(b, 2 * i)) : vget<uint64_t>(b, i);
            const Res r = fpu::to_int(x, Bits, Signed, Rnd::Zero);
            exc |= r.exc;
            vset<uint64_t>(out, i, Bits == 32 ? sp_pair(static_cast<uint32_t>(r.v)) : r.v);
        }
    }
    return xv_done(c, d, out, exc);
}
/// Integer to float. SrcW: word source lanes; DstS: single-precision results.
template <bool SrcW, bool DstS, bool Signed>
int xvcvfromint(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    auto src = [&](unsigned idx) -> uint64_t {
        if constexpr (SrcW) {
            const uint32_t w = vget<uint32_t>(b, idx);
            return Signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(w))) : w;
        } else {
            return vget<uint64_t>(b, idx);
        }
    };
    if constexpr (SrcW && DstS) {
        for (unsigned i = 0; i < 4; ++i) {
            const Res r = fpu::from_int(env(c), src(i), Signed, fpu::kF32);
            exc |= r.exc;
            vset<uint32_t>(out, i, fpu::pack_single(r.v));
        }
    } else {
        for (unsigned i = 0; i < 2; ++i) {
            const Res r = fpu::from_int(env(c), src(SrcW ? 2 * i : i), Signed, DstS ? fpu::kF32 : fpu::kF64);
            exc |= r.exc;
            vset<uint64_t>(out, i, DstS ? sp_pair(fpu::pack_single(r.v)) : r.v);
        }
    }
    return xv_done(c, d, out, exc);
}
int xvcvhpsp(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < 4; ++i) {
        const uint64_t x = fpu::half_to_double(static_cast<uint16_t>(vget<uint32_t>(b, i)));
        if (fpu::is_snan(x)) exc |= fpscr::VXSNAN;
        vset<uint32_t>(out, i, fpu::pack_single(fpu::is_snan(x) ? fpu::quiet(x) : x));
    }
    return xv_done(c, d, out, exc);
}
int xvcvsphp(Cpu& c, const Decoded& d) {
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    uint64_t exc = 0;
    for (unsigned i = 0; i < 4; ++i) {
        const Res r = fpu::round_to(fpu::env_of(c.s.fpscr, false), lane<true>(b, i), fpu::kF16);
        exc |= r.exc;
        vset<uint32_t>(out, i, fpu::pack_half(r.v));
    }
    return xv_done(c, d, out, exc);
}

// ---------------- sign manipulation (no status) ----------------
enum class SignOp { Abs, Nabs, Neg };
template <SignOp O>
uint64_t sign_op(uint64_t x, uint64_t sign) {
    switch (O) {
        case SignOp::Abs: return x & ~sign;
        case SignOp::Nabs: return x | sign;
        case SignOp::Neg: return x ^ sign;
    }
    return x;
}
template <SignOp O>
int xssign(Cpu& c, const Decoded& d) { return xs_move(c, d, sign_op<O>(dwb(c, d), fpu::kSign)); }
int xscpsgndp(Cpu& c, const Decoded& d) {
    return xs_move(c, d, (dwa(c, d) & fpu::kSign) | (dwb(c, d) & ~fpu::kSign));
}
template <SignOp O, bool S>
int xvsign(Cpu& c, const Decoded& d) {
    const Vsr& b = c.s.vsr[xb(d)];
    const uint64_t m = S ? 0x8000000080000000ull : fpu::kSign;
    c.s.vsr[xt(d)] = Vsr{sign_op<O>(b.lo, m), sign_op<O>(b.hi, m)};
    return kNext;
}
template <bool S>
int xvcpsgn(Cpu& c, const Decoded& d) {
    const Vsr& a = c.s.vsr[xa(d)];
    const Vsr& b = c.s.vsr[xb(d)];
    const uint64_t m = S ? 0x8000000080000000ull : fpu::kSign;
    c.s.vsr[xt(d)] = Vsr{(a.lo & m) | (b.lo & ~m), (a.hi & m) | (b.hi & ~m)};
    return kNext;
}

// ---------------- data class, exponent and significand ----------------
/// DCMX bits: 0x40 NaN, 0x20 +Inf, 0x10 -Inf, 0x08 +0, 0x04 -0, 0x02 +denormal, 0x01 -denormal.
template <bool S>
bool dc_match(uint64_t x, unsigned dcmx) {
    using namespace fpu;
    const bool neg = is_neg(x);
    if (is_nan(x)) return dcmx & 0x40;
    if (is_inf(x)) return dcmx & (neg ? 0x10 : 0x20);
    if (is_zero(x)) return dcmx & (neg ? 0x04 : 0x08);
    if (tdenorm<S>(x)) return dcmx & (neg ? 0x01 : 0x02);
    return false;
}
template <bool S>
int xststdc(Cpu& c, const Decoded& d) {
    const uint64_t x = dwb(c, d);
    const unsigned dcmx = (d.word >> 16) & 0x7F;
    unsigned cc = (fpu::is_neg(x) ? 8u : 0u) | (dc_match<S>(x, dcmx) ? 2u : 0u);
    // xststdcsp also reports a value that is not exactly representable in single format.
    if (S && fpu::single_to_double(fpu::double_to_single_store(x)) != x) cc |= 1;
    fpu::set_fpcc(c.s, cc);
    set_crf(c.s, f_bf(d), cc);
    return kNext;
}
template <bool S>
int xvtstdc(Cpu& c, const Decoded& d) {
    const unsigned dcmx = static_cast<unsigned>(isa::operand_value(isa::Opnd::DCMX_V, d.word));
    const Vsr b = c.s.vsr[xb(d)];
    Vsr out{};
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        const bool m = dc_match<S>(lane<S>(b, i), dcmx);
        if constexpr (S) vset<uint32_t>(out, i, m ? ~uint32_t(0) : 0);
        else vset<uint64_t>(out, i, m ? ~uint64_t(0) : 0);
    }
    c.s.vsr[xt(d)] = out;
    return kNext;
}
/// Significand with the implicit bit (1 unless the exponent field is 0 or all ones).
uint64_t sig_dp(uint64_t x) {
    const uint64_t e = (x >> 52) & 0x7FF;
    return (x & ((uint64_t(1) << 52) - 1)) | ((e != 0 && e != 0x7FF) ? uint64_t(1) << 52 : 0);
}
uint32_t sig_sp(uint32_t x) {
    const uint32_t e = (x >> 23) & 0xFF;
    return (x & 0x7FFFFF) | ((e != 0 && e != 0xFF) ? 0x800000u : 0);
}
int xsxexpdp(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = (dwb(c, d) >> 52) & 0x7FF;
    return kNext;
}
int xsxsigdp(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = sig_dp(dwb(c, d));
    return kNext;
}
int xsiexpdp(Cpu& c, const Decoded& d) {
    const uint64_t a = c.s.gpr[f_ra(d)], b = c.s.gpr[f_rb(d)];
    return xs_move(c, d, (a & 0x800FFFFFFFFFFFFFull) | ((b & 0x7FF) << 52));
}
template <bool S>
int xvxexp(Cpu& c, const Decoded& d) {
    const Vsr& b = c.s.vsr[xb(d)];
    Vsr out{};
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        if constexpr (S) vset<uint32_t>(out, i, (vget<uint32_t>(b, i) >> 23) & 0xFF);
        else vset<uint64_t>(out, i, (vget<uint64_t>(b, i) >> 52) & 0x7FF);
    }
    c.s.vsr[xt(d)] = out;
    return kNext;
}
template <bool S>
int xvxsig(Cpu& c, const Decoded& d) {
    const Vsr& b = c.s.vsr[xb(d)];
    Vsr out{};
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        if constexpr (S) vset<uint32_t>(out, i, sig_sp(vget<uint32_t>(b, i)));
        else vset<uint64_t>(out, i, sig_dp(vget<uint64_t>(b, i)));
    }
    c.s.vsr[xt(d)] = out;
    return kNext;
}
/// xviexp{dp,sp}: sign and fraction from XA, exponent from the low bits of XB's element.
template <bool S>
int xviexp(Cpu& c, const Decoded& d) {
    const Vsr& a = c.s.vsr[xa(d)];
    const Vsr& b = c.s.vsr[xb(d)];
    Vsr out{};
    for (unsigned i = 0; i < lanes<S>(); ++i) {
        if constexpr (S)
            vset<uint32_t>(out, i, (vget<uint32_t>(a, i) & 0x807FFFFFu) | ((vget<uint32_t>(b, i) & 0xFF) << 23));
        else
            vset<uint64_t>(out, i, (vget<uint64_t>(a, i) & 0x800FFFFFFFFFFFFFull) | ((vget<uint64_t>(b, i) & 0x7FF) << 52));
    }
    c.s.vsr[xt(d)] = out;
    return kNext;
}

// ---------------- table ----------------
constexpr uint64_t w(uint32_t v) { return v; }

const std::vector<InsnSpec>& rows() {
    using fpu::add;
    using fpu::div;
    using fpu::mul;
    using fpu::sub;
    constexpr auto T3 = std::array<isa::Opnd, 6>{XT_X, XA_X, XB_X};
    constexpr auto T2 = std::array<isa::Opnd, 6>{XT_X, XB_X};
    constexpr auto BF3 = std::array<isa::Opnd, 6>{BF, XA_X, XB_X};
    constexpr auto BF2 = std::array<isa::Opnd, 6>{BF, XB_X};
    static const std::vector<InsnSpec> t = {
        // scalar double/single arithmetic
        row("xsadddp", w(0xf0000100), T3, L206, VS, 0, xs2<add, false>),
        row("xssubdp", w(0xf0000140), T3, L206, VS, 0, xs2<sub, false>),
        row("xsmuldp", w(0xf0000180), T3, L206, VS, 0, xs2<mul, false>),
        row("xsdivdp", w(0xf00001c0), T3, L206, VS, 0, xs2<div, false>),
        row("xssqrtdp", w(0xf000012c), T2, L206, VS, 0, xs1<fpu::sqrt, false>),
        row("xsaddsp", w(0xf0000000), T3, L207, VS, 0, xs2<add, true>),
        row("xssubsp", w(0xf0000040), T3, L207, VS, 0, xs2<sub, true>),
        row("xsmulsp", w(0xf0000080), T3, L207, VS, 0, xs2<mul, true>),
        row("xsdivsp", w(0xf00000c0), T3, L207, VS, 0, xs2<div, true>),
        row("xssqrtsp", w(0xf000002c), T2, L207, VS, 0, xs1<fpu::sqrt, true>),
        row("xsmaddadp", w(0xf0000108), T3, L206, VS, 0, xsmadd<false, false, false, false>),
        row("xsmaddmdp", w(0xf0000148), T3, L206, VS, 0, xsmadd<false, true, false, false>),
        row("xsmsubadp", w(0xf0000188), T3, L206, VS, 0, xsmadd<false, false, true, false>),
        row("xsmsubmdp", w(0xf00001c8), T3, L206, VS, 0, xsmadd<false, true, true, false>),
        row("xsnmaddadp", w(0xf0000508), T3, L206, VS, 0, xsmadd<false, false, false, true>),
        row("xsnmaddmdp", w(0xf0000548), T3, L206, VS, 0, xsmadd<false, true, false, true>),
        row("xsnmsubadp", w(0xf0000588), T3, L206, VS, 0, xsmadd<false, false, true, true>),
        row("xsnmsubmdp", w(0xf00005c8), T3, L206, VS, 0, xsmadd<false, true, true, true>),
        row("xsmaddasp", w(0xf0000008), T3, L207, VS, 0, xsmadd<true, false, false, false>),
        row("xsmaddmsp", w(0xf0000048), T3, L207, VS, 0, xsmadd<true, true, false, false>),
        row("xsmsubasp", w(0xf0000088), T3, L207, VS, 0, xsmadd<true, false, true, false>),
        row("xsmsubmsp", w(0xf00000c8), T3, L207, VS, 0, xsmadd<true, true, true, false>),
        row("xsnmaddasp", w(0xf0000408), T3, L207, VS, 0, xsmadd<true, false, false, true>),
        row("xsnmaddmsp", w(0xf0000448), T3, L207, VS, 0, xsmadd<true, true, false, true>),
        row("xsnmsubasp", w(0xf0000488), T3, L207, VS, 0, xsmadd<true, false, true, true>),
        row("xsnmsubmsp", w(0xf00004c8), T3, L207, VS, 0, xsmadd<true, true, true, true>),
        row("xsredp", w(0xf0000168), T2, L206, VS, 0, xs1<fpu::recip, false>),
        row("xsrsqrtedp", w(0xf0000128), T2, L206, VS, 0, xs1<xvrsqrte_est, false>),
        row("xsresp", w(0xf0000068), T2, L207, VS, 0, xs1<resp_est, true>),
        row("xsrsqrtesp", w(0xf0000028), T2, L207, VS, 0, xs1<rsqrtesp_est, true>),
        // maximum / minimum
        row("xsmaxdp", w(0xf0000500), T3, L206, VS, 0, xsmax<maxnum<Mm::Max>>),
        row("xsmindp", w(0xf0000540), T3, L206, VS, 0, xsmax<maxnum<Mm::Min>>),
        row("xsmaxcdp", w(0xf0000400), T3, L300, VS, 0, xsmax<maxc<Mm::Max>>),
        row("xsmincdp", w(0xf0000440), T3, L300, VS, 0, xsmax<maxc<Mm::Min>>),
        row("xsmaxjdp", w(0xf0000480), T3, L300, VS, 0, xsmax<maxj<Mm::Max>>),
        row("xsminjdp", w(0xf00004c0), T3, L300, VS, 0, xsmax<maxj<Mm::Min>>),
        // compares and tests
        row("xscmpudp", w(0xf0000118), BF3, L206, VS, 0, xscmp<false>),
        row("xscmpodp", w(0xf0000158), BF3, L206, VS, 0, xscmp<true>),
        row("xscmpeqdp", w(0xf0000018), T3, L300, VS, 0, xscmpp<Pred::Eq>),
        row("xscmpgtdp", w(0xf0000058), T3, L300, VS, 0, xscmpp<Pred::Gt>),
        row("xscmpgedp", w(0xf0000098), T3, L300, VS, 0, xscmpp<Pred::Ge>),
        row("xscmpexpdp", w(0xf00001d8), BF3, L300, VS, 0, xscmpexpdp),
        row("xstdivdp", w(0xf00001e8), BF3, L206, VS, 0, xstdivdp),
        row("xstsqrtdp", w(0xf00001a8), BF2, L206, VS, 0, xstsqrtdp),
        row("xststdcdp", w(0xf00005a8), {BF, XB_X, DCM}, L300, VS, 0, xststdc<false>),
        row("xststdcsp", w(0xf00004a8), {BF, XB_X, DCM}, L300, VS, 0, xststdc<true>),
        // round to integral
        row("xsrdpi", w(0xf0000124), T2, L206, VS, 0, xsrdpi<Rnd::NearAway, false>),
        row("xsrdpic", w(0xf00001ac), T2, L206, VS, 0, xsrdpi<Rnd::Nearest, true>),
        row("xsrdpim", w(0xf00001e4), T2, L206, VS, 0, xsrdpi<Rnd::Down, false>),
        row("xsrdpip", w(0xf00001a4), T2, L206, VS, 0, xsrdpi<Rnd::Up, false>),
        row("xsrdpiz", w(0xf0000164), T2, L206, VS, 0, xsrdpi<Rnd::Zero, false>),
        // scalar conversions
        row("xsrsp", w(0xf0000464), T2, L207, VS, 0, xsrsp),
        row("xscvdpsp", w(0xf0000424), T2, L206, VS, 0, xscvdpsp),
        row("xscvdpspn", w(0xf000042c), T2, L207, VS, 0, xscvdpspn),
        row("xscvspdp", w(0xf0000524), T2, L206, VS, 0, xscvspdp),
        row("xscvspdpn", w(0xf000052c), T2, L207, VS, 0, xscvspdpn),
        row("xscvdpsxds", w(0xf0000560), T2, L206, VS, 0, xscvdpint<64, true>),
        row("xscvdpsxws", w(0xf0000160), T2, L206, VS, 0, xscvdpint<32, true>),
        row("xscvdpuxds", w(0xf0000520), T2, L206, VS, 0, xscvdpint<64, false>),
        row("xscvdpuxws", w(0xf0000120), T2, L206, VS, 0, xscvdpint<32, false>),
        row("xscvsxddp", w(0xf00005e0), T2, L206, VS, 0, xscvint<true, false>),
        row("xscvuxddp", w(0xf00005a0), T2, L206, VS, 0, xscvint<false, false>),
        row("xscvsxdsp", w(0xf00004e0), T2, L207, VS, 0, xscvint<true, true>),
        row("xscvuxdsp", w(0xf00004a0), T2, L207, VS, 0, xscvint<false, true>),
        row("xscvhpdp", w(0xf010056c), T2, L300, VS, 0, xscvhpdp),
        row("xscvdphp", w(0xf011056c), T2, L300, VS, 0, xscvdphp),
        // exponent / significand
        row("xsxexpdp", w(0xf000056c), {RT, XB_X}, L300, VS, 0, xsxexpdp),
        row("xsxsigdp", w(0xf001056c), {RT, XB_X}, L300, VS, 0, xsxsigdp),
        row("xsiexpdp", w(0xf000072c), {XT_X, RA, RB}, L300, VS, 0, xsiexpdp),
        // sign
        row("xsabsdp", w(0xf0000564), T2, L206, VS, 0, xssign<SignOp::Abs>),
        row("xsnabsdp", w(0xf00005a4), T2, L206, VS, 0, xssign<SignOp::Nabs>),
        row("xsnegdp", w(0xf00005e4), T2, L206, VS, 0, xssign<SignOp::Neg>),
        row("xscpsgndp", w(0xf0000580), T3, L206, VS, 0, xscpsgndp),
        // vector arithmetic
        row("xvadddp", w(0xf0000300), T3, L206, VS, 0, xv2<add, false>),
        row("xvaddsp", w(0xf0000200), T3, L206, VS, 0, xv2<add, true>),
        row("xvsubdp", w(0xf0000340), T3, L206, VS, 0, xv2<sub, false>),
        row("xvsubsp", w(0xf0000240), T3, L206, VS, 0, xv2<sub, true>),
        row("xvmuldp", w(0xf0000380), T3, L206, VS, 0, xv2<mul, false>),
        row("xvmulsp", w(0xf0000280), T3, L206, VS, 0, xv2<mul, true>),
        row("xvdivdp", w(0xf00003c0), T3, L206, VS, 0, xv2<div, false>),
        row("xvdivsp", w(0xf00002c0), T3, L206, VS, 0, xv2<div, true>),
        row("xvsqrtdp", w(0xf000032c), T2, L206, VS, 0, xv1<fpu::sqrt, false>),
        row("xvsqrtsp", w(0xf000022c), T2, L206, VS, 0, xv1<fpu::sqrt, true>),
        row("xvmaddadp", w(0xf0000308), T3, L206, VS, 0, xvmadd<false, false, false, false>),
        row("xvmaddmdp", w(0xf0000348), T3, L206, VS, 0, xvmadd<false, true, false, false>),
        row("xvmsubadp", w(0xf0000388), T3, L206, VS, 0, xvmadd<false, false, true, false>),
        row("xvmsubmdp", w(0xf00003c8), T3, L206, VS, 0, xvmadd<false, true, true, false>),
        row("xvnmaddadp", w(0xf0000708), T3, L206, VS, 0, xvmadd<false, false, false, true>),
        row("xvnmaddmdp", w(0xf0000748), T3, L206, VS, 0, xvmadd<false, true, false, true>),
        row("xvnmsubadp", w(0xf0000788), T3, L206, VS, 0, xvmadd<false, false, true, true>),
        row("xvnmsubmdp", w(0xf00007c8), T3, L206, VS, 0, xvmadd<false, true, true, true>),
        row("xvmaddasp", w(0xf0000208), T3, L206, VS, 0, xvmadd<true, false, false, false>),
        row("xvmaddmsp", w(0xf0000248), T3, L206, VS, 0, xvmadd<true, true, false, false>),
        row("xvmsubasp", w(0xf0000288), T3, L206, VS, 0, xvmadd<true, false, true, false>),
        row("xvmsubmsp", w(0xf00002c8), T3, L206, VS, 0, xvmadd<true, true, true, false>),
        row("xvnmaddasp", w(0xf0000608), T3, L206, VS, 0, xvmadd<true, false, false, true>),
        row("xvnmaddmsp", w(0xf0000648), T3, L206, VS, 0, xvmadd<true, true, false, true>),
        row("xvnmsubasp", w(0xf0000688), T3, L206, VS, 0, xvmadd<true, false, true, true>),
        row("xvnmsubmsp", w(0xf00006c8), T3, L206, VS, 0, xvmadd<true, true, true, true>),
        row("xvmaxdp", w(0xf0000700), T3, L206, VS, 0, xvmax<maxnum<Mm::Max>, false>),
        row("xvmaxsp", w(0xf0000600), T3, L206, VS, 0, xvmax<maxnum<Mm::Max>, true>),
        row("xvmindp", w(0xf0000740), T3, L206, VS, 0, xvmax<maxnum<Mm::Min>, false>),
        row("xvminsp", w(0xf0000640), T3, L206, VS, 0, xvmax<maxnum<Mm::Min>, true>),
        // vector compares: "." forms have bit 21 set (it is not the usual Rc bit 31)
        row("xvcmpeqdp", w(0xf0000318), T3, L206, VS, 0, xvcmp<Pred::Eq, false>),
        row("xvcmpeqdp.", w(0xf0000718), T3, L206, VS, 0, xvcmp<Pred::Eq, false>),
        row("xvcmpgtdp", w(0xf0000358), T3, L206, VS, 0, xvcmp<Pred::Gt, false>),
        row("xvcmpgtdp.", w(0xf0000758), T3, L206, VS, 0, xvcmp<Pred::Gt, false>),
        row("xvcmpgedp", w(0xf0000398), T3, L206, VS, 0, xvcmp<Pred::Ge, false>),
        row("xvcmpgedp.", w(0xf0000798), T3, L206, VS, 0, xvcmp<Pred::Ge, false>),
        row("xvcmpeqsp", w(0xf0000218), T3, L206, VS, 0, xvcmp<Pred::Eq, true>),
        row("xvcmpeqsp.", w(0xf0000618), T3, L206, VS, 0, xvcmp<Pred::Eq, true>),
        row("xvcmpgtsp", w(0xf0000258), T3, L206, VS, 0, xvcmp<Pred::Gt, true>),
        row("xvcmpgtsp.", w(0xf0000658), T3, L206, VS, 0, xvcmp<Pred::Gt, true>),
        row("xvcmpgesp", w(0xf0000298), T3, L206, VS, 0, xvcmp<Pred::Ge, true>),
        row("xvcmpgesp.", w(0xf0000698), T3, L206, VS, 0, xvcmp<Pred::Ge, true>),
        // vector estimates and tests
        row("xvredp", w(0xf0000368), T2, L206, VS, 0, xv1<fpu::recip, false>),
        row("xvresp", w(0xf0000268), T2, L206, VS, 0, xv1<fpu::recip, true>),
        row("xvrsqrtedp", w(0xf0000328), T2, L206, VS, 0, xv1<xvrsqrte_est, false>),
        row("xvrsqrtesp", w(0xf0000228), T2, L206, VS, 0, xv1<xvrsqrte_est, true>),
        row("xvtdivdp", w(0xf00003e8), BF3, L206, VS, 0, xvtdiv<false>),
        row("xvtdivsp", w(0xf00002e8), BF3, L206, VS, 0, xvtdiv<true>),
        row("xvtsqrtdp", w(0xf00003a8), BF2, L206, VS, 0, xvtsqrt<false>),
        row("xvtsqrtsp", w(0xf00002a8), BF2, L206, VS, 0, xvtsqrt<true>),
        // vector round to integral
        row("xvrdpi", w(0xf0000324), T2, L206, VS, 0, xvrpi<Rnd::NearAway, false, false>),
        row("xvrdpic", w(0xf00003ac), T2, L206, VS, 0, xvrpi<Rnd::Nearest, true, false>),
        row("xvrdpim", w(0xf00003e4), T2, L206, VS, 0, xvrpi<Rnd::Down, false, false>),
        row("xvrdpip", w(0xf00003a4), T2, L206, VS, 0, xvrpi<Rnd::Up, false, false>),
        row("xvrdpiz", w(0xf0000364), T2, L206, VS, 0, xvrpi<Rnd::Zero, false, false>),
        row("xvrspi", w(0xf0000224), T2, L206, VS, 0, xvrpi<Rnd::NearAway, false, true>),
        row("xvrspic", w(0xf00002ac), T2, L206, VS, 0, xvrpi<Rnd::Nearest, true, true>),
        row("xvrspim", w(0xf00002e4), T2, L206, VS, 0, xvrpi<Rnd::Down, false, true>),
        row("xvrspip", w(0xf00002a4), T2, L206, VS, 0, xvrpi<Rnd::Up, false, true>),
        row("xvrspiz", w(0xf0000264), T2, L206, VS, 0, xvrpi<Rnd::Zero, false, true>),
        // vector conversions
        row("xvcvdpsp", w(0xf0000624), T2, L206, VS, 0, xvcvdpsp),
        row("xvcvspdp", w(0xf0000724), T2, L206, VS, 0, xvcvspdp),
        row("xvcvdpsxds", w(0xf0000760), T2, L206, VS, 0, xvcvint<false, 64, true>),
        row("xvcvdpsxws", w(0xf0000360), T2, L206, VS, 0, xvcvint<false, 32, true>),
        row("xvcvdpuxds", w(0xf0000720), T2, L206, VS, 0, xvcvint<false, 64, false>),
        row("xvcvdpuxws", w(0xf0000320), T2, L206, VS, 0, xvcvint<false, 32, false>),
        row("xvcvspsxds", w(0xf0000660), T2, L206, VS, 0, xvcvint<true, 64, true>),
        row("xvcvspsxws", w(0xf0000260), T2, L206, VS, 0, xvcvint<true, 32, true>),
        row("xvcvspuxds", w(0xf0000620), T2, L206, VS, 0, xvcvint<true, 64, false>),
        row("xvcvspuxws", w(0xf0000220), T2, L206, VS, 0, xvcvint<true, 32, false>),
        row("xvcvsxddp", w(0xf00007e0), T2, L206, VS, 0, xvcvfromint<false, false, true>),
        row("xvcvuxddp", w(0xf00007a0), T2, L206, VS, 0, xvcvfromint<false, false, false>),
        row("xvcvsxwdp", w(0xf00003e0), T2, L206, VS, 0, xvcvfromint<true, false, true>),
        row("xvcvuxwdp", w(0xf00003a0), T2, L206, VS, 0, xvcvfromint<true, false, false>),
        row("xvcvsxdsp", w(0xf00006e0), T2, L206, VS, 0, xvcvfromint<false, true, true>),
        row("xvcvuxdsp", w(0xf00006a0), T2, L206, VS, 0, xvcvfromint<false, true, false>),
        row("xvcvsxwsp", w(0xf00002e0), T2, L206, VS, 0, xvcvfromint<true, true, true>),
        row("xvcvuxwsp", w(0xf00002a0), T2, L206, VS, 0, xvcvfromint<true, true, false>),
        row("xvcvhpsp", w(0xf018076c), T2, L300, VS, 0, xvcvhpsp),
        row("xvcvsphp", w(0xf019076c), T2, L300, VS, 0, xvcvsphp),
        // vector sign manipulation
        row("xvabsdp", w(0xf0000764), T2, L206, VS, 0, xvsign<SignOp::Abs, false>),
        row("xvabssp", w(0xf0000664), T2, L206, VS, 0, xvsign<SignOp::Abs, true>),
        row("xvnabsdp", w(0xf00007a4), T2, L206, VS, 0, xvsign<SignOp::Nabs, false>),
        row("xvnabssp", w(0xf00006a4), T2, L206, VS, 0, xvsign<SignOp::Nabs, true>),
        row("xvnegdp", w(0xf00007e4), T2, L206, VS, 0, xvsign<SignOp::Neg, false>),
        row("xvnegsp", w(0xf00006e4), T2, L206, VS, 0, xvsign<SignOp::Neg, true>),
        row("xvcpsgndp", w(0xf0000780), T3, L206, VS, 0, xvcpsgn<false>),
        row("xvcpsgnsp", w(0xf0000680), T3, L206, VS, 0, xvcpsgn<true>),
        // vector data class, exponent and significand
        row("xvtstdcdp", w(0xf00007a8), {XT_X, XB_X, DCMX_V}, L300, VS, 0, xvtstdc<false>),
        row("xvtstdcsp", w(0xf00006a8), {XT_X, XB_X, DCMX_V}, L300, VS, 0, xvtstdc<true>),
        row("xvxexpdp", w(0xf000076c), T2, L300, VS, 0, xvxexp<false>),
        row("xvxexpsp", w(0xf008076c), T2, L300, VS, 0, xvxexp<true>),
        row("xvxsigdp", w(0xf001076c), T2, L300, VS, 0, xvxsig<false>),
        row("xvxsigsp", w(0xf009076c), T2, L300, VS, 0, xvxsig<true>),
        row("xviexpdp", w(0xf00007c0), T3, L300, VS, 0, xviexp<false>),
        row("xviexpsp", w(0xf00006c0), T3, L300, VS, 0, xviexp<true>),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_vsx_arith() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
