// Binary floating-point core: every operation computes the exact result (or one with a sticky
// bit far below the rounding point) in 128-bit integers and rounds once, so results, FR/FI and
// the overflow/underflow/inexact flags are exact for all formats and rounding modes, and
// tininess is detected before rounding as the Power ISA requires.
#include "cpu/insns/fpu.hpp"

#include <cmath>
#include <initializer_list>
#include <utility>

namespace ppcmig::cpu::fpu {

namespace {

using u128 = unsigned __int128;

constexpr uint64_t kFracMask = (uint64_t(1) << 52) - 1;

int bitlen(u128 v) {
    const auto hi = static_cast<uint64_t>(v >> 64), lo = static_cast<uint64_t>(v);
    if (hi) return 128 - __builtin_clzll(hi);
    return lo ? 64 - __builtin_clzll(lo) : 0;
}

/// Shift right, ORing every bit shifted out into bit 0 (a sticky bit).
u128 shr_jam(u128 v, int n) {
    if (n <= 0) return v;
    if (n >= 128) return v != 0 ? 1 : 0;
    return (v >> n) | ((v & ((u128(1) << n) - 1)) != 0 ? 1 : 0);
}

/// A finite nonzero value: (-1)^sign * sig * 2^exp.
struct Num {
    bool sign;
    int exp;
    uint64_t sig;
};

Num unpack(uint64_t x) {
    const int be = static_cast<int>((x >> 52) & 0x7FF);
    const uint64_t frac = x & kFracMask;
    if (be == 0) return {is_neg(x), -1074, frac};
    return {is_neg(x), be - 1075, frac | (uint64_t(1) << 52)};
}

/// Where the discarded part of a value lies relative to half an ulp.
enum class Rest { Exact, Below, Half, Above };

/// q = sig >> shift (shift > 0) and the classification of the discarded bits.
Rest split(u128 sig, int shift, u128& q) {
    if (shift > 128) {
        q = 0;
        return sig ? Rest::Below : Rest::Exact;
    }
    if (shift == 128) {
        q = 0;
        const u128 half = u128(1) << 127;
        return sig == 0 ? Rest::Exact : sig < half ? Rest::Below : sig == half ? Rest::Half : Rest::Above;
    }
    q = sig >> shift;
    const u128 rem = sig & ((u128(1) << shift) - 1), half = u128(1) << (shift - 1);
    return rem == 0 ? Rest::Exact : rem < half ? Rest::Below : rem == half ? Rest::Half : Rest::Above;
}

bool round_up(Rest r, Rnd m, bool sign, u128 q) {
    switch (m) {
        case Rnd::Nearest: return r == Rest::Above || (r == Rest::Half && (q & 1));
        case Rnd::NearAway: return r == Rest::Above || r == Rest::Half;
        case Rnd::Zero: return false;
        case Rnd::Up: return r != Rest::Exact && !sign;
        case Rnd::Down: return r != Rest::Exact && sign;
    }
    return false;
}

/// Packs sign * q * 2^lsb (exactly representable as a double) into double format.
uint64_t pack_double(bool sign, u128 q, int lsb) {
    const uint64_t s = sign ? kSign : 0;
    if (q == 0) return s;
    const int n = bitlen(q);
    const int e = lsb + n - 1;
    if (e >= -1022) {
        const uint64_t m = static_cast<uint64_t>(q << (53 - n));  // n <= 53 here
        return s | (uint64_t(e + 1023) << 52) | (m & kFracMask);
    }
    // Double-format denormal (only single/half values never get here; doubles do).
    const int sh = lsb + 1074;
    const u128 m = sh >= 0 ? (q << sh) : (-sh >= 128 ? 0 : (q >> -sh));
    return s | (static_cast<uint64_t>(m) & kFracMask);
}

/// Largest finite magnitude of a format, as a double.
uint64_t max_finite(const Format& f, bool sign) {
    const u128 q = (u128(1) << f.prec) - 1;
    return pack_double(sign, q, f.emax - f.prec + 1);
}

/// Rounds sign * sig * 2^exp (sig nonzero; its lowest bit may be a sticky bit, provided at
/// least two bits separate it from the rounding point) to the format.
Res round_pack(const Env& env, bool sign, int exp, u128 sig, const Format& f) {
    Res r;
    if (sig == 0) {
        r.v = sign ? kSign : 0;
        return r;
    }
    const int e = exp + bitlen(sig) - 1;  // exponent of the exact value, unbounded range
    const bool tiny = e < f.emin;
    const bool denormalize = tiny && !env.scale_ux;
    int lsb = denormalize ? f.emin - f.prec + 1 : e - f.prec + 1;
    const int shift = lsb - exp;
    u128 q;
    Rest rest = Rest::Exact;
    if (shift <= 0) {
        q = sig << -shift;
    } else {
        rest = split(sig, shift, q);
    }
    const bool inexact = rest != Rest::Exact;
    const bool inc = round_up(rest, env.rm, sign, q);
    if (inc) {
        ++q;
        if (q == (u128(1) << f.prec)) {
            q >>= 1;
            ++lsb;
        }
    }
    if (q != 0 && lsb + bitlen(q) - 1 > f.emax) {
        if (env.scale_ox) {
            r.exc |= fpscr::OX;
            lsb -= f.adjust;
        } else {
            // Disabled overflow: infinity or the largest number by mode; FI set, FR undefined.
            const bool to_inf = env.rm == Rnd::Nearest || env.rm == Rnd::NearAway ||
                                (env.rm == Rnd::Up && !sign) || (env.rm == Rnd::Down && sign);
            r.v = to_inf ? (kPosInf | (sign ? kSign : 0)) : max_finite(f, sign);
            r.exc |= fpscr::OX | fpscr::XX;
            r.fi = true;
            r.fr = to_inf;
            return r;
        }
    }
    if (tiny) {
        if (env.scale_ux) {
            r.exc |= fpscr::UX;
            lsb += f.adjust;
        } else if (inexact) {
            r.exc |= fpscr::UX;
        }
    }
    if (inexact) r.exc |= fpscr::XX;
    r.fi = inexact;
    r.fr = inc;
    // An adjusted result that still does not fit the double format is undefined by the ISA;
    // pack_double truncates it into the format.
    r.v = pack_double(sign, q, lsb);
    return r;
}

Res round_num(const Env& env, const Num& n, const Format& f) { return round_pack(env, n.sign, n.exp, n.sig, f); }

Res invalid(uint64_t exc) {
    Res r;
    r.v = kDefaultNaN;
    r.exc = exc;
    return r;
}

Res value(uint64_t v) {
    Res r;
    r.v = v;
    return r;
}

/// NaN propagation: the first NaN operand in order, quieted; VXSNAN when any operand is an SNaN.
/// Returns false when no operand is a NaN.
bool nan_result(std::initializer_list<uint64_t> ops, Res& r) {
    bool any = false, snan = false;
    uint64_t first = 0;
    for (uint64_t x : ops) {
        if (!is_nan(x)) continue;
        if (!any) first = x;
        any = true;
        snan |= is_snan(x);
    }
    if (!any) return false;
    r = value(quiet(first));
    if (snan) r.exc |= fpscr::VXSNAN;
    return true;
}

/// Value of a finite operand normalised so that its leading bit is bit `top` of a u128.
struct Wide {
    bool sign;
    int exp;
    u128 sig;
};
Wide widen(u128 sig, int exp, bool sign, int top) {
    const int sh = top - (bitlen(sig) - 1);
    return {sign, exp - sh, sig << sh};
}

/// Exact sum of two wide values whose leading bits are both at bit 125.
Res sum_round(const Env& env, Wide x, Wide y, const Format& f) {
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) std::swap(x, y);
    y.sig = shr_jam(y.sig, x.exp - y.exp);
    u128 s;
    if (x.sign == y.sign) {
        s = x.sig + y.sig;
    } else {
        s = x.sig - y.sig;
        if (s == 0) return value(env.rm == Rnd::Down ? kSign : 0);  // exact cancellation
    }
    return round_pack(env, x.sign, x.exp, s, f);
}

Res add_signed(const Env& env, uint64_t a, uint64_t b, bool neg_b, const Format& f) {
    Res r;
    if (nan_result({a, b}, r)) return r;
    const bool sa = is_neg(a), sb = is_neg(b) != neg_b;
    if (is_inf(a) || is_inf(b)) {
        if (is_inf(a) && is_inf(b) && sa != sb) return invalid(fpscr::VXISI);
        return value(kPosInf | ((is_inf(a) ? sa : sb) ? kSign : 0));
    }
    if (is_zero(a) && is_zero(b)) return value((sa == sb ? sa : env.rm == Rnd::Down) ? kSign : 0);
    if (is_zero(b)) return round_num(env, unpack(a), f);
    if (is_zero(a)) {
        Num n = unpack(b);
        n.sign = sb;
        return round_num(env, n, f);
    }
    const Num x = unpack(a), y = unpack(b);
    return sum_round(env, widen(x.sig, x.exp, sa, 125), widen(y.sig, y.exp, sb, 125), f);
}

/// floor(sqrt(x)) of a 128-bit integer below 2^126; exact tells if there is no remainder.
/// A double-precision estimate (good to ~2^-52 relative) refined by one integer Newton step is
/// within one of the answer; the final comparisons make it exact whatever the host computed.
uint64_t isqrt(u128 x, bool& exact) {
    uint64_t r = static_cast<uint64_t>(std::sqrt(static_cast<double>(x)));
    if (r != 0) r = static_cast<uint64_t>((u128(r) + x / r) >> 1);
    while (u128(r) * r > x) --r;
    while (u128(r + 1) * (r + 1) <= x) ++r;
    exact = u128(r) * r == x;
    return r;
}

}  // namespace

Res add(const Env& e, uint64_t a, uint64_t b, const Format& f) { return add_signed(e, a, b, false, f); }
Res sub(const Env& e, uint64_t a, uint64_t b, const Format& f) { return add_signed(e, a, b, true, f); }

Res mul(const Env& env, uint64_t a, uint64_t b, const Format& f) {
    Res r;
    const bool inf_zero = (is_inf(a) && is_zero(b)) || (is_zero(a) && is_inf(b));
    if (nan_result({a, b}, r)) return r;
    const bool sign = is_neg(a) != is_neg(b);
    if (inf_zero) return invalid(fpscr::VXIMZ);
    if (is_inf(a) || is_inf(b)) return value(kPosInf | (sign ? kSign : 0));
    if (is_zero(a) || is_zero(b)) return value(sign ? kSign : 0);
    const Num x = unpack(a), y = unpack(b);
    return round_pack(env, sign, x.exp + y.exp, u128(x.sig) * y.sig, f);
}

Res div(const Env& env, uint64_t a, uint64_t b, const Format& f) {
    Res r;
    if (nan_result({a, b}, r)) return r;
    const bool sign = is_neg(a) != is_neg(b);
    const uint64_t s = sign ? kSign : 0;
    if (is_inf(a) && is_inf(b)) return invalid(fpscr::VXIDI);
    if (is_zero(a) && is_zero(b)) return invalid(fpscr::VXZDZ);
    if (is_inf(a)) return value(kPosInf | s);
    if (is_inf(b) || is_zero(a)) return value(s);
    if (is_zero(b)) {
        r = value(kPosInf | s);
        r.exc = fpscr::ZX;
        return r;
    }
    const Num x = unpack(a), y = unpack(b);
    const int sx = 63 - (bitlen(x.sig) - 1), sy = 63 - (bitlen(y.sig) - 1);
    const u128 num = u128(x.sig << sx) << 64;
    const uint64_t den = y.sig << sy;
    u128 q = num / den;
    if (num % den) q |= 1;
    return round_pack(env, sign, (x.exp - sx) - (y.exp - sy) - 64, q, f);
}

Res sqrt(const Env& env, uint64_t b, const Format& f) {
    Res r;
    if (nan_result({b}, r)) return r;
    if (is_zero(b)) return value(b);
    if (is_neg(b)) return invalid(fpscr::VXSQRT);
    if (is_inf(b)) return value(b);
    const Num x = unpack(b);
    int sh = 124 - (bitlen(x.sig) - 1);
    if ((x.exp - sh) & 1) ++sh;  // even exponent so that it halves exactly
    bool exact = false;
    const u128 root = isqrt(u128(x.sig) << sh, exact);
    return round_pack(env, false, (x.exp - sh) / 2, exact ? root : (root | 1), f);
}

Res fma(const Env& env, uint64_t a, uint64_t c, uint64_t b, bool sub_b, const Format& f) {
    Res r;
    const bool inf_zero = (is_inf(a) && is_zero(c)) || (is_zero(a) && is_inf(c));
    if (nan_result({a, b, c}, r)) {
        if (inf_zero) r.exc |= fpscr::VXIMZ;  // inf*0 is invalid even when the addend is a NaN
        return r;
    }
    if (inf_zero) return invalid(fpscr::VXIMZ);
    const bool sp = is_neg(a) != is_neg(c), sb = is_neg(b) != sub_b;
    if (is_inf(a) || is_inf(c)) {
        if (is_inf(b) && sb != sp) return invalid(fpscr::VXISI);
        return value(kPosInf | (sp ? kSign : 0));
    }
    if (is_inf(b)) return value(kPosInf | (sb ? kSign : 0));
    const bool pzero = is_zero(a) || is_zero(c);
    if (pzero && is_zero(b)) return value((sp == sb ? sp : env.rm == Rnd::Down) ? kSign : 0);
    if (pzero) {
        Num n = unpack(b);
        n.sign = sb;
        return round_num(env, n, f);
    }
    const Num x = unpack(a), y = unpack(c);
    const u128 p = u128(x.sig) * y.sig;
    if (is_zero(b)) return round_pack(env, sp, x.exp + y.exp, p, f);
    const Num z = unpack(b);
    return sum_round(env, widen(p, x.exp + y.exp, sp, 125), widen(z.sig, z.exp, sb, 125), f);
}

Res recip(const Env& env, uint64_t b, const Format& f) { return div(env, kOne, b, f); }

Res rsqrt(const Env& env, uint64_t b, const Format& f, const Format& sqrt_fmt) {
    const Res s = sqrt(env, b, sqrt_fmt);
    if (is_nan(s.v)) return s;
    Res r = div(env, kOne, s.v, f);
    r.exc |= s.exc;
    r.fi = r.fi || s.fi;  // FI is undefined for estimates; report any inexact step, like QEMU
    return r;
}

Res round_to(const Env& env, uint64_t b, const Format& f) {
    if (is_nan(b)) {
        Res r = value(quiet(b) & ~((uint64_t(1) << (53 - f.prec)) - 1));
        if (is_snan(b)) r.exc = fpscr::VXSNAN;
        return r;
    }
    if (is_inf(b) || is_zero(b)) return value(b);
    return round_num(env, unpack(b), f);
}

Res round_int(uint64_t b, Rnd mode) {
    Res r;
    if (nan_result({b}, r)) return r;
    if (is_inf(b) || is_zero(b)) return value(b);
    const Num x = unpack(b);
    if (x.exp >= 0) return value(b);  // already integral
    u128 q;
    const Rest rest = split(x.sig, -x.exp, q);
    if (round_up(rest, mode, x.sign, q)) ++q;
    r = value(pack_double(x.sign, q, 0));
    r.fi = rest != Rest::Exact;
    return r;
}

Res to_int(uint64_t b, unsigned bits, bool is_signed, Rnd mode) {
    Res r;
    const uint64_t umax = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    const uint64_t smax = umax >> 1, smin_mag = smax + 1;
    const uint64_t smin = static_cast<uint64_t>(-static_cast<__int128>(smin_mag));
    auto saturate = [&](bool neg) {
        r.v = is_signed ? (neg ? smin : smax) : (neg ? 0 : umax);
        r.exc |= fpscr::VXCVI;
        return r;
    };
    if (is_nan(b)) {
        if (is_snan(b)) r.exc |= fpscr::VXSNAN;
        r.v = is_signed ? smin : 0;
        r.exc |= fpscr::VXCVI;
        return r;
    }
    if (is_inf(b)) return saturate(is_neg(b));
    if (is_zero(b)) return value(0);
    const Num x = unpack(b);
    if (x.exp > 64) return saturate(x.sign);
    u128 q;
    Rest rest = Rest::Exact;
    if (x.exp >= 0) {
        q = u128(x.sig) << x.exp;
    } else {
        rest = split(x.sig, -x.exp, q);
    }
    const bool inc = round_up(rest, mode, x.sign, q);
    if (inc) ++q;
    if (is_signed) {
        if (x.sign ? q > smin_mag : q > smax) return saturate(x.sign);
        r.v = x.sign ? static_cast<uint64_t>(-static_cast<__int128>(q)) : static_cast<uint64_t>(q);
    } else {
        if (x.sign && q != 0) return saturate(true);
        if (q > umax) return saturate(false);
        r.v = static_cast<uint64_t>(q);
    }
    if (rest != Rest::Exact) r.exc |= fpscr::XX;
    r.fi = rest != Rest::Exact;
    r.fr = inc;
    return r;
}

Res from_int(const Env& env, uint64_t v, bool is_signed, const Format& f) {
    const bool neg = is_signed && static_cast<int64_t>(v) < 0;
    const uint64_t mag = neg ? uint64_t(0) - v : v;
    if (mag == 0) return value(0);
    return round_pack(env, neg, 0, mag, f);
}

unsigned compare(uint64_t a, uint64_t b) {
    if (is_nan(a) || is_nan(b)) return 1;
    if (is_zero(a) && is_zero(b)) return 2;
    // Sign-magnitude to a monotonic unsigned key.
    auto key = [](uint64_t x) { return is_neg(x) ? ~x : (x | kSign); };
    const uint64_t ka = key(a), kb = key(b);
    return ka < kb ? 8 : ka > kb ? 4 : 2;
}

unsigned fprf_of(uint64_t v, const Format& f) {
    const bool neg = is_neg(v);
    if (is_nan(v)) return 0x11;
    if (is_inf(v)) return neg ? 0x09 : 0x05;
    if (is_zero(v)) return neg ? 0x12 : 0x02;
    const int be = static_cast<int>((v >> 52) & 0x7FF);
    const bool denorm = be == 0 || be - 1023 < f.emin;
    if (denorm) return neg ? 0x18 : 0x14;
    return neg ? 0x08 : 0x04;
}

uint64_t single_to_double(uint32_t w) {
    const uint64_t s = uint64_t(w >> 31) << 63;
    const unsigned be = (w >> 23) & 0xFF;
    const uint64_t frac = w & 0x7FFFFF;
    if (be == 0xFF) return s | kPosInf | (frac << 29);
    if (be == 0) {
        if (frac == 0) return s;
        return pack_double(s != 0, frac, -149);
    }
    return s | (uint64_t(be - 127 + 1023) << 52) | (frac << 29);
}

uint32_t double_to_single_store(uint64_t x) {
    const unsigned be = (x >> 52) & 0x7FF;
    const auto sign = static_cast<uint32_t>(x >> 63) << 31;
    if (be > 896 || (x & ~kSign) == 0) {
        // Bits 0:1 and 5:34 of the double (IBM numbering).
        return static_cast<uint32_t>(((x >> 32) & 0xC0000000u) | ((x >> 29) & 0x3FFFFFFFu));
    }
    if (be >= 874) {  // single denormal: shift the significand into place (truncating)
        const uint64_t m = (x & kFracMask) | (uint64_t(1) << 52);
        return sign | static_cast<uint32_t>(m >> (926 - be));
    }
    return sign;  // undefined by the ISA
}

uint32_t pack_single(uint64_t x) {
    const auto sign = static_cast<uint32_t>(x >> 63) << 31;
    if (is_nan(x) || is_inf(x)) return sign | 0x7F800000u | static_cast<uint32_t>((x & kFracMask) >> 29);
    if (is_zero(x)) return sign;
    const Num n = unpack(x);
    const int e = n.exp + bitlen(n.sig) - 1;
    // Below the single denormals (an enabled underflow's scaled result can still be there):
    // nothing of the significand is left.
    if (e < -126) return sign | (-149 - n.exp >= 64 ? 0u : static_cast<uint32_t>(n.sig >> (-149 - n.exp)));
    return sign | (uint32_t(e + 127) << 23) | (static_cast<uint32_t>(n.sig >> (-23 - (n.exp - e))) & 0x7FFFFF);
}

uint64_t half_to_double(uint16_t h) {
    const uint64_t s = uint64_t(h >> 15) << 63;
    const unsigned be = (h >> 10) & 0x1F;
    const uint64_t frac = h & 0x3FF;
    if (be == 0x1F) return s | kPosInf | (frac << 42);
    if (be == 0) {
        if (frac == 0) return s;
        return pack_double(s != 0, frac, -24);
    }
    return s | (uint64_t(be - 15 + 1023) << 52) | (frac << 42);
}

uint16_t pack_half(uint64_t x) {
    const auto sign = static_cast<uint16_t>((x >> 63) << 15);
    if (is_nan(x) || is_inf(x)) return static_cast<uint16_t>(sign | 0x7C00u | ((x & kFracMask) >> 42));
    if (is_zero(x)) return sign;
    const Num n = unpack(x);
    const int e = n.exp + bitlen(n.sig) - 1;
    if (e < -14) return static_cast<uint16_t>(sign | (-24 - n.exp >= 64 ? 0u : n.sig >> (-24 - n.exp)));
    return static_cast<uint16_t>(sign | (unsigned(e + 15) << 10) | ((n.sig >> (-10 - (n.exp - e))) & 0x3FF));
}

void summarize(CpuState& s) {
    uint64_t f = s.fpscr & ~(fpscr::VX | fpscr::FEX);
    if (f & fpscr::VX_ALL) f |= fpscr::VX;
    if (((f & fpscr::VX) && (f & fpscr::VE)) || ((f & fpscr::OX) && (f & fpscr::OE)) ||
        ((f & fpscr::UX) && (f & fpscr::UE)) || ((f & fpscr::ZX) && (f & fpscr::ZE)) ||
        ((f & fpscr::XX) && (f & fpscr::XE)))
        f |= fpscr::FEX;
    s.fpscr = f;
}

void raise(CpuState& s, uint64_t exc) {
    exc &= kExceptionBits;
    if (exc & ~s.fpscr) s.fpscr |= fpscr::FX;
    s.fpscr |= exc;
    summarize(s);
}

bool enabled(uint64_t f, uint64_t exc) {
    return ((exc & fpscr::VX_ALL) && (f & fpscr::VE)) || ((exc & fpscr::OX) && (f & fpscr::OE)) ||
           ((exc & fpscr::UX) && (f & fpscr::UE)) || ((exc & fpscr::ZX) && (f & fpscr::ZE)) ||
           ((exc & fpscr::XX) && (f & fpscr::XE));
}

bool deliver(CpuState& s, const Res& r, Vsr& dst, Class cls) {
    raise(s, r.exc);
    const bool suppressed = ((r.exc & fpscr::VX_ALL) && (s.fpscr & fpscr::VE)) ||
                            ((r.exc & fpscr::ZX) && (s.fpscr & fpscr::ZE));
    if (suppressed) {
        set_fr_fi(s, false, false);
        return false;
    }
    set_scalar(dst, r.v);
    set_fr_fi(s, r.fr, r.fi);
    switch (cls) {
        case Class::None: break;
        case Class::F64: set_fprf(s, fprf_of(r.v, kF64)); break;
        case Class::F32: set_fprf(s, fprf_of(r.v, kF32)); break;
        case Class::F16: set_fprf(s, fprf_of(r.v, kF16)); break;
    }
    return true;
}

}  // namespace ppcmig::cpu::fpu
