// VMX (AltiVec) instructions: rows and semantics. Element numbering is the ISA's big-endian one
// throughout (vreg.hpp); only the loads and stores look at MSR[LE].
#include <bit>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu/insns/vec_common.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto VMX = Category::Vmx;

template <class T>
constexpr unsigned lanes() { return 16 / sizeof(T); }

/// Clamps v to T's range, noting saturation.
template <class T>
T clamp_sat(s128 v, bool& sat) {
    constexpr s128 lo = static_cast<s128>(std::numeric_limits<T>::min());
    constexpr s128 hi = static_cast<s128>(std::numeric_limits<T>::max());
    if (v < lo) { sat = true; return std::numeric_limits<T>::min(); }
    if (v > hi) { sat = true; return std::numeric_limits<T>::max(); }
    return static_cast<T>(v);
}

Vsr& vrt(Cpu& c, const Decoded& d) { return vr(c.s, f_rt(d)); }
Vsr vra(Cpu& c, const Decoded& d) { return vr(c.s, f_ra(d)); }
Vsr vrb(Cpu& c, const Decoded& d) { return vr(c.s, f_rb(d)); }
Vsr vrc(Cpu& c, const Decoded& d) { return vr(c.s, f_rc(d)); }

// ---------------- generic element-wise shapes ----------------
/// VRT <- F(VRA[i], VRB[i]) for every element.
template <class T, T (*F)(T, T)>
int ew2(Cpu& c, const Decoded& d) {
    const Vsr a = vra(c, d), b = vrb(c, d);
    Vsr r;
    for (unsigned i = 0; i < lanes<T>(); ++i) vset<T>(r, i, F(vget<T>(a, i), vget<T>(b, i)));
    vrt(c, d) = r;
    return kNext;
}
/// Same, with saturation reported to VSCR[SAT].
template <class T, T (*F)(T, T, bool&)>
int ew2s(Cpu& c, const Decoded& d) {
    const Vsr a = vra(c, d), b = vrb(c, d);
    Vsr r;
    bool sat = false;
    for (unsigned i = 0; i < lanes<T>(); ++i) vset<T>(r, i, F(vget<T>(a, i), vget<T>(b, i), sat));
    vrt(c, d) = r;
    if (sat) set_sat(c.s);
    return kNext;
}
/// VRT <- F(VRB[i]).
template <class T, T (*F)(T)>
int ew1(Cpu& c, const Decoded& d) {
    const Vsr b = vrb(c, d);
    Vsr r;
    for (unsigned i = 0; i < lanes<T>(); ++i) vset<T>(r, i, F(vget<T>(b, i)));
    vrt(c, d) = r;
    return kNext;
}
/// VRT <- F(VRA[i], VRB[i], VRT[i]) (rotate-and-insert forms read the target).
template <class T, T (*F)(T, T, T)>
int ew2t(Cpu& c, const Decoded& d) {
    const Vsr a = vra(c, d), b = vrb(c, d), t = vrt(c, d);
    Vsr r;
    for (unsigned i = 0; i < lanes<T>(); ++i) vset<T>(r, i, F(vget<T>(a, i), vget<T>(b, i), vget<T>(t, i)));
    vrt(c, d) = r;
    return kNext;
}
/// Whole-register VX shapes.
template <Vsr (*F)(const Vsr&, const Vsr&)>
int whole2(Cpu& c, const Decoded& d) {
    vrt(c, d) = F(vra(c, d), vrb(c, d));
    return kNext;
}
template <Vsr (*F)(const Vsr&)>
int whole1(Cpu& c, const Decoded& d) {  // VRT, VRB
    vrt(c, d) = F(vrb(c, d));
    return kNext;
}
template <Vsr (*F)(const Vsr&)>
int whole1a(Cpu& c, const Decoded& d) {  // VRT, VRA
    vrt(c, d) = F(vra(c, d));
    return kNext;
}
template <Vsr (*F)(const Vsr&, const Vsr&, const Vsr&)>
int whole3(Cpu& c, const Decoded& d) {  // VA form: VRT, VRA, VRB, VRC
    vrt(c, d) = F(vra(c, d), vrb(c, d), vrc(c, d));
    return kNext;
}
/// Whole-register shapes that may saturate.
template <Vsr (*F)(const Vsr&, const Vsr&, bool&)>
int whole2s(Cpu& c, const Decoded& d) {
    bool sat = false;
    vrt(c, d) = F(vra(c, d), vrb(c, d), sat);
    if (sat) set_sat(c.s);
    return kNext;
}
template <Vsr (*F)(const Vsr&, const Vsr&, const Vsr&, bool&)>
int whole3s(Cpu& c, const Decoded& d) {
    bool sat = false;
    vrt(c, d) = F(vra(c, d), vrb(c, d), vrc(c, d), sat);
    if (sat) set_sat(c.s);
    return kNext;
}

// ---------------- integer arithmetic ----------------
template <class T> T add_m(T a, T b) { return static_cast<T>(a + b); }
template <class T> T sub_m(T a, T b) { return static_cast<T>(a - b); }
template <class T> T add_s(T a, T b, bool& sat) { return clamp_sat<T>(s128(a) + s128(b), sat); }
template <class T> T sub_s(T a, T b, bool& sat) { return clamp_sat<T>(s128(a) - s128(b), sat); }
uint32_t addcuw(uint32_t a, uint32_t b) { return static_cast<uint32_t>((uint64_t(a) + b) >> 32); }
uint32_t subcuw(uint32_t a, uint32_t b) { return a >= b ? 1 : 0; }  // carry of a + ~b + 1
template <class T> T avg(T a, T b) { return static_cast<T>((s128(a) + s128(b) + 1) >> 1); }
template <class T> T absd(T a, T b) { return a > b ? static_cast<T>(a - b) : static_cast<T>(b - a); }
template <class T> T vmax(T a, T b) { return a > b ? a : b; }
template <class T> T vmin(T a, T b) { return a < b ? a : b; }
template <class T> T neg(T a) { return static_cast<T>(T(0) - a); }

// Quadword add/subtract with carries (the VRC forms take the carry-in from VRC bit 127).
u128 add_carry(u128 a, u128 b, unsigned cin, bool& cout) {
    const u128 s = a + b;
    const bool c1 = s < a;
    const u128 r = s + cin;
    cout = c1 || r < s;
    return r;
}
Vsr vadduqm(const Vsr& a, const Vsr& b) { return vq(q(a) + q(b)); }
Vsr vaddcuq(const Vsr& a, const Vsr& b) { bool co; add_carry(q(a), q(b), 0, co); return vq(co); }
Vsr vsubuqm(const Vsr& a, const Vsr& b) { return vq(q(a) - q(b)); }
Vsr vsubcuq(const Vsr& a, const Vsr& b) { bool co; add_carry(q(a), ~q(b), 1, co); return vq(co); }
Vsr vaddeuqm(const Vsr& a, const Vsr& b, const Vsr& c) { bool co; return vq(add_carry(q(a), q(b), c.lo & 1, co)); }
Vsr vaddecuq(const Vsr& a, const Vsr& b, const Vsr& c) { bool co; add_carry(q(a), q(b), c.lo & 1, co); return vq(co); }
Vsr vsubeuqm(const Vsr& a, const Vsr& b, const Vsr& c) { bool co; return vq(add_carry(q(a), ~q(b), c.lo & 1, co)); }
Vsr vsubecuq(const Vsr& a, const Vsr& b, const Vsr& c) { bool co; add_carry(q(a), ~q(b), c.lo & 1, co); return vq(co); }

// Multiply even/odd: element i of the double-width result is the product of narrow element
// 2i (even) or 2i+1 (odd).
template <class N, class W, bool Odd>
Vsr mul_eo(const Vsr& a, const Vsr& b) {
    Vsr r;
    for (unsigned i = 0; i < lanes<W>(); ++i) {
        const unsigned k = 2 * i + (Odd ? 1 : 0);
        vset<W>(r, i, static_cast<W>(static_cast<W>(vget<N>(a, k)) * static_cast<W>(vget<N>(b, k))));
    }
    return r;
}
// 64x64 -> 128 even/odd (3.1): signedness through the 128-bit product.
template <bool Signed, bool Odd>
Vsr mul_eo_d(const Vsr& a, const Vsr& b) {
    const unsigned k = Odd ? 1 : 0;
    if constexpr (Signed)
        return vq(static_cast<u128>(s128(vget<int64_t>(a, k)) * s128(vget<int64_t>(b, k))));
    else
        return vq(u128(vget<uint64_t>(a, k)) * u128(vget<uint64_t>(b, k)));
}
template <class T> T mul_lo(T a, T b) { return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) * static_cast<std::make_unsigned_t<T>>(b)); }
int32_t mulhsw(int32_t a, int32_t b) { return static_cast<int32_t>((int64_t(a) * b) >> 32); }
uint32_t mulhuw(uint32_t a, uint32_t b) { return static_cast<uint32_t>((uint64_t(a) * b) >> 32); }
int64_t mulhsd(int64_t a, int64_t b) { return static_cast<int64_t>((s128(a) * b) >> 64); }
uint64_t mulhud(uint64_t a, uint64_t b) { return static_cast<uint64_t>((u128(a) * b) >> 64); }

// Multiply-sum: each word of the result sums the products of the narrow elements inside it
// plus the word of VRC.
template <class A, class B, bool Sat>
Vsr msum(const Vsr& a, const Vsr& b, const Vsr& c, bool& sat) {
    constexpr unsigned per = sizeof(int32_t) / sizeof(A);
    constexpr bool sgn = std::is_signed_v<A> || std::is_signed_v<B>;
    Vsr r;
    for (unsigned w = 0; w < 4; ++w) {
        s128 s = sgn ? s128(vget<int32_t>(c, w)) : s128(vget<uint32_t>(c, w));
        for (unsigned k = 0; k < per; ++k) s += s128(vget<A>(a, w * per + k)) * s128(vget<B>(b, w * per + k));
        if constexpr (Sat) {
            if (sgn) vset<int32_t>(r, w, clamp_sat<int32_t>(s, sat));
            else vset<uint32_t>(r, w, clamp_sat<uint32_t>(s, sat));
        } else {
            vset<uint32_t>(r, w, static_cast<uint32_t>(s));
        }
    }
    return r;
}
Vsr vmsumudm(const Vsr& a, const Vsr& b, const Vsr& c) {
    return vq(u128(a.hi) * b.hi + u128(a.lo) * b.lo + q(c));
}
Vsr vmsumcud(const Vsr& a, const Vsr& b, const Vsr& c) {
    const u128 p0 = u128(a.hi) * b.hi, p1 = u128(a.lo) * b.lo;
    const u128 s1 = p0 + p1;
    unsigned carry = s1 < p0 ? 1 : 0;
    const u128 s2 = s1 + q(c);
    carry += s2 < s1 ? 1 : 0;
    return vq(carry);
}

// Sum across.
Vsr vsum4ubs(const Vsr& a, const Vsr& b, bool& sat) {
    Vsr r;
    for (unsigned w = 0; w < 4; ++w) {
        s128 s = vget<uint32_t>(b, w);
        for (unsigned k = 0; k < 4; ++k) s += vget<uint8_t>(a, 4 * w + k);
        vset<uint32_t>(r, w, clamp_sat<uint32_t>(s, sat));
    }
    return r;
}
template <class N>
Vsr vsum4s(const Vsr& a, const Vsr& b, bool& sat) {
    constexpr unsigned per = 4 / sizeof(N);
    Vsr r;
    for (unsigned w = 0; w < 4; ++w) {
        s128 s = vget<int32_t>(b, w);
        for (unsigned k = 0; k < per; ++k) s += vget<N>(a, per * w + k);
        vset<int32_t>(r, w, clamp_sat<int32_t>(s, sat));
    }
    return r;
}
Vsr vsum2sws(const Vsr& a, const Vsr& b, bool& sat) {
    Vsr r{};
    for (unsigned j = 0; j < 2; ++j) {
        const s128 s = s128(vget<int32_t>(a, 2 * j)) + vget<int32_t>(a, 2 * j + 1) + vget<int32_t>(b, 2 * j + 1);
        vset<int32_t>(r, 2 * j + 1, clamp_sat<int32_t>(s, sat));
    }
    return r;
}
Vsr vsumsws(const Vsr& a, const Vsr& b, bool& sat) {
    Vsr r{};
    s128 s = vget<int32_t>(b, 3);
    for (unsigned k = 0; k < 4; ++k) s += vget<int32_t>(a, k);
    vset<int32_t>(r, 3, clamp_sat<int32_t>(s, sat));
    return r;
}

// Multiply-high-and-add halfwords.
template <bool Round>
Vsr vmhadd(const Vsr& a, const Vsr& b, const Vsr& c, bool& sat) {
    Vsr r;
    for (unsigned i = 0; i < 8; ++i) {
        int32_t p = int32_t(vget<int16_t>(a, i)) * vget<int16_t>(b, i);
        if (Round) p += 0x4000;
        vset<int16_t>(r, i, clamp_sat<int16_t>(s128(p >> 15) + vget<int16_t>(c, i), sat));
    }
    return r;
}
Vsr vmladduhm(const Vsr& a, const Vsr& b, const Vsr& c) {
    Vsr r;
    for (unsigned i = 0; i < 8; ++i)
        vset<uint16_t>(r, i, static_cast<uint16_t>(uint32_t(vget<uint16_t>(a, i)) * vget<uint16_t>(b, i) + vget<uint16_t>(c, i)));
    return r;
}

// Multiply by 10 (3.0), quadword; the extended forms add the decimal digit in VRB[124:127].
Vsr vmul10uq(const Vsr& a) { return vq(q(a) * 10); }
Vsr vmul10cuq(const Vsr& a) { return vq((u128(a.hi) * 10 + ((u128(a.lo) * 10) >> 64)) >> 64); }
Vsr vmul10euq(const Vsr& a, const Vsr& b) { return vq(q(a) * 10 + (b.lo & 15)); }
Vsr vmul10ecuq(const Vsr& a, const Vsr& b) {
    const u128 lo = u128(a.lo) * 10 + (b.lo & 15);
    return vq((u128(a.hi) * 10 + (lo >> 64)) >> 64);
}

// Divide and modulo (3.1). Quotients the ISA leaves undefined (divide by zero, overflow,
// extended quotients that do not fit) are given as 0.
template <class T, bool Ext, bool Mod>
T vdiv(T a, T b) {
    using W = std::conditional_t<std::is_signed_v<T>, s128, u128>;
    if (b == 0) return 0;
    const W num = Ext ? static_cast<W>(static_cast<W>(a) * (W(1) << (8 * sizeof(T)))) : W(a);
    if constexpr (std::is_signed_v<T>) {
        if (!Ext && a == std::numeric_limits<T>::min() && b == -1) return 0;
    }
    const W qv = num / W(b);
    if (Mod) return static_cast<T>(num % W(b));
    if (Ext && (qv > W(std::numeric_limits<T>::max()) || qv < W(std::numeric_limits<T>::min()))) return 0;
    return static_cast<T>(qv);
}
// 128-bit forms, with a 256/128 long division for the extended ones.
u128 udiv256(u128 hi, u128 lo, u128 d, bool& overflow) {
    overflow = hi >= d;
    if (overflow) return 0;
    u128 rem = hi, quo = 0;
    for (int i = 127; i >= 0; --i) {
        const bool top = (rem >> 127) != 0;
        rem = (rem << 1) | ((lo >> i) & 1);
        quo <<= 1;
        if (top || rem >= d) {
            rem -= d;
            quo |= 1;
        }
    }
    return quo;
}
enum class QDiv { DivU, DivS, DiveU, DiveS, ModU, ModS };
template <QDiv K>
Vsr vdivq(const Vsr& va, const Vsr& vb) {
    const u128 a = q(va), b = q(vb);
    if (b == 0) return vq(0);
    const bool sa = (a >> 127) != 0, sb = (b >> 127) != 0;
    const u128 ua = sa ? -a : a, ub = sb ? -b : b;
    const u128 smin = u128(1) << 127;
    switch (K) {
        case QDiv::DivU: return vq(a / b);
        case QDiv::ModU: return vq(a % b);
        case QDiv::DivS:
            if (a == smin && b == ~u128(0)) return vq(0);
            return vq(sa != sb ? -(ua / ub) : ua / ub);
        case QDiv::ModS:
            if (a == smin && b == ~u128(0)) return vq(0);
            return vq(sa ? -(ua % ub) : ua % ub);
        case QDiv::DiveU: {
            bool ov;
            const u128 r = udiv256(a, 0, b, ov);
            return vq(ov ? 0 : r);
        }
        case QDiv::DiveS: {
            bool ov;
            const u128 r = udiv256(ua, 0, ub, ov);
            const bool negq = sa != sb;
            if (ov || (!negq && r >= smin) || (negq && r > smin)) return vq(0);
            return vq(negq ? -r : r);
        }
    }
    return vq(0);
}

// ---------------- logical ----------------
Vsr vand(const Vsr& a, const Vsr& b) { return {a.lo & b.lo, a.hi & b.hi}; }
Vsr vandc(const Vsr& a, const Vsr& b) { return {a.lo & ~b.lo, a.hi & ~b.hi}; }
Vsr vor(const Vsr& a, const Vsr& b) { return {a.lo | b.lo, a.hi | b.hi}; }
Vsr vxor(const Vsr& a, const Vsr& b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; }
Vsr vnor(const Vsr& a, const Vsr& b) { return {~(a.lo | b.lo), ~(a.hi | b.hi)}; }
Vsr vorc(const Vsr& a, const Vsr& b) { return {a.lo | ~b.lo, a.hi | ~b.hi}; }
Vsr vnand(const Vsr& a, const Vsr& b) { return {~(a.lo & b.lo), ~(a.hi & b.hi)}; }
Vsr veqv(const Vsr& a, const Vsr& b) { return {~(a.lo ^ b.lo), ~(a.hi ^ b.hi)}; }
Vsr vsel(const Vsr& a, const Vsr& b, const Vsr& c) {
    return {(b.lo & c.lo) | (a.lo & ~c.lo), (b.hi & c.hi) | (a.hi & ~c.hi)};
}

// ---------------- shifts and rotates ----------------
template <class T> constexpr unsigned bitsof() { return 8 * sizeof(T); }
template <class T> T shl(T a, T b) { return static_cast<T>(a << (b & (bitsof<T>() - 1))); }
template <class T> T shr(T a, T b) { return static_cast<T>(a >> (b & (bitsof<T>() - 1))); }
template <class T> T sra(T a, T b) {
    using S = std::make_signed_t<T>;
    return static_cast<T>(static_cast<S>(a) >> (b & (bitsof<T>() - 1)));
}
template <class T> T rotl(T a, T b) { return std::rotl(a, static_cast<int>(b & (bitsof<T>() - 1))); }

/// Mask with IBM bits mb..me of a W-bit element set (wrapping when mb > me).
template <class T>
T mask_be(unsigned mb, unsigned me) {
    constexpr unsigned w = bitsof<T>();
    const T a = static_cast<T>(~T(0) >> mb);
    const T b = static_cast<T>(~T(0) << (w - 1 - me));
    return mb <= me ? static_cast<T>(a & b) : static_cast<T>(a | b);
}
// vrlwnm/vrlwmi/vrldnm/vrldmi: VRB's element holds mb, me and the shift in its low bytes
// (mb in bits w-21..w-17 of a word, i.e. byte 1; me in byte 2; the shift in byte 3).
template <class T, bool Insert>
T rl_mask(T a, T ctl, T t) {
    constexpr unsigned m = bitsof<T>() - 1;
    const unsigned mb = static_cast<unsigned>(ctl >> 16) & m;
    const unsigned me = static_cast<unsigned>(ctl >> 8) & m;
    const unsigned sh = static_cast<unsigned>(ctl) & m;
    const T r = std::rotl(a, static_cast<int>(sh));
    const T mk = mask_be<T>(mb, me);
    return Insert ? static_cast<T>((r & mk) | (t & ~mk)) : static_cast<T>(r & mk);
}
uint64_t rldnm(uint64_t a, uint64_t ctl) { return rl_mask<uint64_t, false>(a, ctl, 0); }
uint32_t rlwnm(uint32_t a, uint32_t ctl) { return rl_mask<uint32_t, false>(a, ctl, 0); }

// Whole-register shifts by bits (VRB[125:127]) and octets (VRB[121:124]).
Vsr vsl(const Vsr& a, const Vsr& b) { return vq(q(a) << (b.lo & 7)); }
Vsr vsr(const Vsr& a, const Vsr& b) { return vq(q(a) >> (b.lo & 7)); }
Vsr vslo(const Vsr& a, const Vsr& b) {
    const unsigned n = static_cast<unsigned>((b.lo >> 3) & 15) * 8;
    return vq(n ? q(a) << n : q(a));
}
Vsr vsro(const Vsr& a, const Vsr& b) {
    const unsigned n = static_cast<unsigned>((b.lo >> 3) & 15) * 8;
    return vq(n ? q(a) >> n : q(a));
}
// Variable byte shifts: each byte shifts by its own count, pulling bits from its neighbour.
Vsr vslv(const Vsr& a, const Vsr& b) {
    const Bytes16 x = be_bytes(a), s = be_bytes(b);
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned pair = (unsigned(x[i]) << 8) | (i < 15 ? x[i + 1] : 0u);
        r[i] = static_cast<uint8_t>((pair << (s[i] & 7)) >> 8);
    }
    return from_be_bytes(r);
}
Vsr vsrv(const Vsr& a, const Vsr& b) {
    const Bytes16 x = be_bytes(a), s = be_bytes(b);
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned pair = ((i > 0 ? unsigned(x[i - 1]) : 0u) << 8) | x[i];
        r[i] = static_cast<uint8_t>(pair >> (s[i] & 7));
    }
    return from_be_bytes(r);
}
// Quadword shifts and rotates (3.1): the count is VRB[57:63].
unsigned qsh(const Vsr& b) { return static_cast<unsigned>(b.hi & 127); }
u128 rotl128(u128 x, unsigned n) { return n ? (x << n) | (x >> (128 - n)) : x; }
Vsr vslq(const Vsr& a, const Vsr& b) { return vq(q(a) << qsh(b)); }
Vsr vsrq(const Vsr& a, const Vsr& b) { return vq(q(a) >> qsh(b)); }
Vsr vsraq(const Vsr& a, const Vsr& b) { return vq(static_cast<u128>(static_cast<s128>(q(a)) >> qsh(b))); }
Vsr vrlq(const Vsr& a, const Vsr& b) { return vq(rotl128(q(a), qsh(b))); }
u128 mask128(unsigned mb, unsigned me) {
    const u128 ones = ~u128(0);
    const u128 x = ones >> mb, y = ones << (127 - me);
    return mb <= me ? (x & y) : (x | y);
}
// vrlqnm/vrlqmi: mb = VRB[41:47], me = VRB[49:55], shift = VRB[57:63].
Vsr vrlqnm(const Vsr& a, const Vsr& b) {
    const unsigned mb = static_cast<unsigned>(b.hi >> 16) & 127, me = static_cast<unsigned>(b.hi >> 8) & 127;
    return vq(rotl128(q(a), qsh(b)) & mask128(mb, me));
}
int vrlqmi(Cpu& c, const Decoded& d) {
    const Vsr a = vra(c, d), b = vrb(c, d), t = vrt(c, d);
    const unsigned mb = static_cast<unsigned>(b.hi >> 16) & 127, me = static_cast<unsigned>(b.hi >> 8) & 127;
    const u128 m = mask128(mb, me);
    vrt(c, d) = vq((rotl128(q(a), qsh(b)) & m) | (q(t) & ~m));
    return kNext;
}
// Shift left/right double by bit immediate (3.1): SH in bits 23-25.
template <bool Left>
int vshdbi(Cpu& c, const Decoded& d) {
    const unsigned sh = (d.word >> 6) & 7;
    const u128 a = q(vra(c, d)), b = q(vrb(c, d));
    if (sh == 0) vrt(c, d) = vq(Left ? a : b);
    else if (Left) vrt(c, d) = vq((a << sh) | (b >> (128 - sh)));
    else vrt(c, d) = vq((b >> sh) | (a << (128 - sh)));
    return kNext;
}

// ---------------- permutes ----------------
int vperm(Cpu& c, const Decoded& d) {
    const Bytes16 a = be_bytes(vra(c, d)), b = be_bytes(vrb(c, d)), x = be_bytes(vrc(c, d));
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned k = x[i] & 31;
        r[i] = k < 16 ? a[k] : b[k - 16];
    }
    vrt(c, d) = from_be_bytes(r);
    return kNext;
}
int vpermr(Cpu& c, const Decoded& d) {
    const Bytes16 a = be_bytes(vra(c, d)), b = be_bytes(vrb(c, d)), x = be_bytes(vrc(c, d));
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned k = 31 - (x[i] & 31);
        r[i] = k < 16 ? a[k] : b[k - 16];
    }
    vrt(c, d) = from_be_bytes(r);
    return kNext;
}
int vpermxor(Cpu& c, const Decoded& d) {
    const Bytes16 a = be_bytes(vra(c, d)), b = be_bytes(vrb(c, d)), x = be_bytes(vrc(c, d));
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) r[i] = static_cast<uint8_t>(a[x[i] >> 4] ^ b[x[i] & 15]);
    vrt(c, d) = from_be_bytes(r);
    return kNext;
}
int vsldoi(Cpu& c, const Decoded& d) {
    const unsigned sh = (d.word >> 6) & 15;
    const Bytes16 a = be_bytes(vra(c, d)), b = be_bytes(vrb(c, d));
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) r[i] = i + sh < 16 ? a[i + sh] : b[i + sh - 16];
    vrt(c, d) = from_be_bytes(r);
    return kNext;
}
template <class T, bool Low>
Vsr vmrg(const Vsr& a, const Vsr& b) {
    constexpr unsigned h = lanes<T>() / 2;
    Vsr r;
    for (unsigned i = 0; i < h; ++i) {
        vset<T>(r, 2 * i, vget<T>(a, i + (Low ? h : 0)));
        vset<T>(r, 2 * i + 1, vget<T>(b, i + (Low ? h : 0)));
    }
    return r;
}
template <bool Odd>
Vsr vmrgeo(const Vsr& a, const Vsr& b) {
    Vsr r;
    for (unsigned i = 0; i < 2; ++i) {
        vset<uint32_t>(r, 2 * i, vget<uint32_t>(a, 2 * i + (Odd ? 1 : 0)));
        vset<uint32_t>(r, 2 * i + 1, vget<uint32_t>(b, 2 * i + (Odd ? 1 : 0)));
    }
    return r;
}
template <class T>
int vsplt(Cpu& c, const Decoded& d) {
    const unsigned k = f_ra(d) & (lanes<T>() - 1);
    const T x = vget<T>(vrb(c, d), k);
    Vsr r;
    for (unsigned i = 0; i < lanes<T>(); ++i) vset<T>(r, i, x);
    vrt(c, d) = r;
    return kNext;
}
template <class T>
int vspltis(Cpu& c, const Decoded& d) {
    const T x = static_cast<T>(sext(f_ra(d), 5));
    Vsr r;
    for (unsigned i = 0; i < lanes<T>(); ++i) vset<T>(r, i, x);
    vrt(c, d) = r;
    return kNext;
}

// Pack: VRA's elements then VRB's, narrowed. Mode: modulo, or saturating with the source and
// destination signedness given by S and D.
enum class Pk { Mod, Sat };
template <class S, class D, Pk M>
Vsr vpk(const Vsr& a, const Vsr& b, bool& sat) {
    constexpr unsigned n = lanes<S>();
    Vsr r;
    for (unsigned i = 0; i < 2 * n; ++i) {
        const S x = i < n ? vget<S>(a, i) : vget<S>(b, i - n);
        vset<D>(r, i, M == Pk::Mod ? static_cast<D>(x) : clamp_sat<D>(s128(x), sat));
    }
    return r;
}
Vsr vpkpx(const Vsr& a, const Vsr& b) {
    Vsr r;
    for (unsigned i = 0; i < 8; ++i) {
        const uint32_t w = i < 4 ? vget<uint32_t>(a, i) : vget<uint32_t>(b, i - 4);
        const uint32_t p = (((w >> 24) & 1) << 15) | (((w >> 19) & 31) << 10) | (((w >> 11) & 31) << 5) | ((w >> 3) & 31);
        vset<uint16_t>(r, i, static_cast<uint16_t>(p));
    }
    return r;
}
template <class S, class D, bool Low>
Vsr vupk(const Vsr& b) {
    constexpr unsigned n = lanes<D>();
    Vsr r;
    for (unsigned i = 0; i < n; ++i) vset<D>(r, i, static_cast<D>(vget<S>(b, i + (Low ? n : 0))));
    return r;
}
template <bool Low>
Vsr vupkpx(const Vsr& b) {
    Vsr r;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t h = vget<uint16_t>(b, i + (Low ? 4 : 0));
        const uint32_t w = ((h & 0x8000) ? 0xFF000000u : 0u) | (((h >> 10) & 31) << 16) | (((h >> 5) & 31) << 8) | (h & 31);
        vset<uint32_t>(r, i, w);
    }
    return r;
}

// Bit gathering.
Vsr vgbbd(const Vsr& b) {
    Vsr r;
    for (unsigned dw = 0; dw < 2; ++dw) {
        const uint64_t x = vget<uint64_t>(b, dw);
        uint64_t y = 0;
        for (unsigned j = 0; j < 8; ++j)      // source byte j
            for (unsigned k = 0; k < 8; ++k)  // bit k of it (0 = msb)
                if ((x >> (63 - (8 * j + k))) & 1) y |= uint64_t(1) << (63 - (8 * k + j));
        vset<uint64_t>(r, dw, y);
    }
    return r;
}
// Bit permutes: VRB holds the bit indexes, VRA the data.
Vsr vbpermq(const Vsr& a, const Vsr& b) {
    const Bytes16 idx = be_bytes(b);
    const u128 src = q(a);
    uint64_t bitsv = 0;
    for (unsigned i = 0; i < 16; ++i)
        if (idx[i] < 128 && ((src >> (127 - idx[i])) & 1)) bitsv |= uint64_t(1) << (15 - i);
    return Vsr{0, bitsv};
}
Vsr vbpermd(const Vsr& a, const Vsr& b) {
    Vsr r;
    for (unsigned dw = 0; dw < 2; ++dw) {
        const uint64_t src = vget<uint64_t>(a, dw);
        uint64_t bitsv = 0;
        for (unsigned j = 0; j < 8; ++j) {
            const unsigned k = vget<uint8_t>(b, 8 * dw + j);
            if (k < 64 && ((src >> (63 - k)) & 1)) bitsv |= uint64_t(1) << (7 - j);
        }
        vset<uint64_t>(r, dw, bitsv);
    }
    return r;
}

// Carry-less multiply-sum.
u128 clmul(uint64_t a, uint64_t b) {
    u128 r = 0;
    for (unsigned i = 0; i < 64; ++i)
        if ((b >> i) & 1) r ^= u128(a) << i;
    return r;
}
template <class N, class W>
Vsr vpmsum(const Vsr& a, const Vsr& b) {
    Vsr r;
    for (unsigned i = 0; i < lanes<W>(); ++i)
        vset<W>(r, i, static_cast<W>(clmul(vget<N>(a, 2 * i), vget<N>(b, 2 * i)) ^
                                     clmul(vget<N>(a, 2 * i + 1), vget<N>(b, 2 * i + 1))));
    return r;
}
Vsr vpmsumd(const Vsr& a, const Vsr& b) { return vq(clmul(a.hi, b.hi) ^ clmul(a.lo, b.lo)); }

// ---------------- AES and SHA-2 ----------------
const uint8_t* aes_sbox() {
    static const std::array<uint8_t, 256> t = [] {
        // Multiplicative inverse in GF(2^8) followed by the affine transform (FIPS-197 5.1.1).
        std::array<uint8_t, 256> s{};
        auto mul = [](unsigned x, unsigned y) {
            unsigned p = 0;
            for (; y; y >>= 1, x = (x << 1) ^ ((x & 0x80) ? 0x11B : 0))
                if (y & 1) p ^= x;
            return p & 0xFF;
        };
        for (unsigned x = 0; x < 256; ++x) {
            unsigned inv = 0;
            if (x)
                for (unsigned y = 1; y < 256; ++y)
                    if (mul(x, y) == 1) { inv = y; break; }
            unsigned b = inv, r = inv;
            for (unsigned i = 0; i < 4; ++i) {
                b = ((b << 1) | (b >> 7)) & 0xFF;
                r ^= b;
            }
            s[x] = static_cast<uint8_t>(r ^ 0x63);
        }
        return s;
    }();
    return t.data();
}
const uint8_t* aes_inv_sbox() {
    static const std::array<uint8_t, 256> t = [] {
        std::array<uint8_t, 256> s{};
        const uint8_t* f = aes_sbox();
        for (unsigned x = 0; x < 256; ++x) s[f[x]] = static_cast<uint8_t>(x);
        return s;
    }();
    return t.data();
}
uint8_t xtime(uint8_t x) { return static_cast<uint8_t>((x << 1) ^ ((x & 0x80) ? 0x1B : 0)); }
uint8_t gmul(uint8_t x, unsigned y) {
    uint8_t p = 0;
    for (; y; y >>= 1, x = xtime(x))
        if (y & 1) p ^= x;
    return p;
}
// The state is column-major: register byte 4c+r is row r of column c.
Bytes16 sub_bytes(const Bytes16& s, const uint8_t* box) {
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) r[i] = box[s[i]];
    return r;
}
Bytes16 shift_rows(const Bytes16& s, bool inverse) {
    Bytes16 r;
    for (unsigned col = 0; col < 4; ++col)
        for (unsigned row = 0; row < 4; ++row) {
            const unsigned from = inverse ? (col + 4 - row) % 4 : (col + row) % 4;
            r[4 * col + row] = s[4 * from + row];
        }
    return r;
}
Bytes16 mix_columns(const Bytes16& s, bool inverse) {
    static constexpr unsigned fwd[4] = {2, 3, 1, 1}, inv[4] = {14, 11, 13, 9};
    const unsigned* m = inverse ? inv : fwd;
    Bytes16 r;
    for (unsigned col = 0; col < 4; ++col)
        for (unsigned row = 0; row < 4; ++row) {
            uint8_t v = 0;
            for (unsigned k = 0; k < 4; ++k) v ^= gmul(s[4 * col + k], m[(k + 4 - row) % 4]);
            r[4 * col + row] = v;
        }
    return r;
}
Vsr vcipher(const Vsr& a, const Vsr& b) {
    const Bytes16 s = mix_columns(shift_rows(sub_bytes(be_bytes(a), aes_sbox()), false), false);
    return vxor(from_be_bytes(s), b);
}
Vsr vcipherlast(const Vsr& a, const Vsr& b) {
    return vxor(from_be_bytes(shift_rows(sub_bytes(be_bytes(a), aes_sbox()), false)), b);
}
Vsr vncipher(const Vsr& a, const Vsr& b) {
    const Vsr t = vxor(from_be_bytes(sub_bytes(shift_rows(be_bytes(a), true), aes_inv_sbox())), b);
    return from_be_bytes(mix_columns(be_bytes(t), true));
}
Vsr vncipherlast(const Vsr& a, const Vsr& b) {
    return vxor(from_be_bytes(sub_bytes(shift_rows(be_bytes(a), true), aes_inv_sbox())), b);
}
Vsr vsbox(const Vsr& a) { return from_be_bytes(sub_bytes(be_bytes(a), aes_sbox())); }

// ST is bit 16, SIX bits 17-20.
int vshasigmaw(Cpu& c, const Decoded& d) {
    const bool st = (d.word >> 15) & 1;
    const unsigned six = (d.word >> 11) & 15;
    const Vsr a = vra(c, d);
    Vsr r;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t x = vget<uint32_t>(a, i);
        const bool one = (six >> (3 - i)) & 1;
        uint32_t y;
        if (!st) y = one ? (std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10)) : (std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3));
        else y = one ? (std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25)) : (std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22));
        vset<uint32_t>(r, i, y);
    }
    vrt(c, d) = r;
    return kNext;
}
int vshasigmad(Cpu& c, const Decoded& d) {
    const bool st = (d.word >> 15) & 1;
    const unsigned six = (d.word >> 11) & 15;
    const Vsr a = vra(c, d);
    Vsr r;
    for (unsigned i = 0; i < 2; ++i) {
        const uint64_t x = vget<uint64_t>(a, i);
        const bool one = (six >> (3 - 2 * i)) & 1;
        uint64_t y;
        if (!st) y = one ? (std::rotr(x, 19) ^ std::rotr(x, 61) ^ (x >> 6)) : (std::rotr(x, 1) ^ std::rotr(x, 8) ^ (x >> 7));
        else y = one ? (std::rotr(x, 14) ^ std::rotr(x, 18) ^ std::rotr(x, 41)) : (std::rotr(x, 28) ^ std::rotr(x, 34) ^ std::rotr(x, 39));
        vset<uint64_t>(r, i, y);
    }
    vrt(c, d) = r;
    return kNext;
}

// ---------------- compares ----------------
template <class T> bool p_eq(T a, T b) { return a == b; }
template <class T> bool p_gt(T a, T b) { return a > b; }
template <class T> bool p_ne(T a, T b) { return a != b; }
template <class T> bool p_nez(T a, T b) { return a != b || a == 0 || b == 0; }

/// CR6 from an all-true / all-false summary (the '.' forms).
void set_cr6(CpuState& s, bool all, bool none) { set_crf(s, 6, (all ? 8u : 0u) | (none ? 2u : 0u)); }
bool rc21(const Decoded& d) { return (d.word >> 10) & 1; }

template <class T, bool (*P)(T, T)>
int vcmp(Cpu& c, const Decoded& d) {
    const Vsr a = vra(c, d), b = vrb(c, d);
    Vsr r;
    bool all = true, none = true;
    for (unsigned i = 0; i < lanes<T>(); ++i) {
        const bool x = P(vget<T>(a, i), vget<T>(b, i));
        vset<T>(r, i, x ? static_cast<T>(~T(0)) : T(0));
        all = all && x;
        none = none && !x;
    }
    vrt(c, d) = r;
    if (rc21(d)) set_cr6(c.s, all, none);
    return kNext;
}
template <bool Signed>
int vcmpq_cr(Cpu& c, const Decoded& d) {  // vcmpsq/vcmpuq BF,VRA,VRB
    const u128 a = q(vra(c, d)), b = q(vrb(c, d));
    unsigned v;
    if (Signed) v = s128(a) < s128(b) ? 8 : s128(a) > s128(b) ? 4 : 2;
    else v = a < b ? 8 : a > b ? 4 : 2;
    set_crf(c.s, f_bf(d), v);
    return kNext;
}

// ---------------- counts, parity, sign extension ----------------
template <class T> T clz(T a) { return static_cast<T>(std::countl_zero(a)); }
template <class T> T ctz(T a) { return static_cast<T>(std::countr_zero(a)); }
template <class T> T popcnt(T a) { return static_cast<T>(std::popcount(a)); }
template <class T> T prty(T a) {
    unsigned p = 0;
    for (unsigned k = 0; k < sizeof(T); ++k) p ^= static_cast<unsigned>(a >> (8 * k)) & 1;
    return static_cast<T>(p);
}
Vsr vprtybq(const Vsr& b) {
    unsigned p = 0;
    for (unsigned k = 0; k < 16; ++k) p ^= vget<uint8_t>(b, k) & 1;
    return Vsr{p, 0};
}
template <class S, class T> T exts(T a) { return static_cast<T>(static_cast<S>(a)); }
Vsr vextsd2q(const Vsr& b) { return vq(static_cast<u128>(s128(static_cast<int64_t>(b.lo)))); }

template <bool Trailing>
int vcntlsbb(Cpu& c, const Decoded& d) {  // vclzlsbb/vctzlsbb RT,VRB
    const Bytes16 b = be_bytes(vrb(c, d));
    unsigned n = 0;
    for (unsigned i = 0; i < 16; ++i) {
        if (b[Trailing ? 15 - i : i] & 1) break;
        ++n;
    }
    c.s.gpr[f_rt(d)] = n;
    return kNext;
}

// Count leading/trailing zeros under mask, deposit/extract, centrifuge (per doubleword, 3.1).
uint64_t clzdm(uint64_t a, uint64_t m) {
    uint64_t n = 0;
    for (int i = 63; i >= 0; --i) {
        if (!((m >> i) & 1)) continue;
        if ((a >> i) & 1) break;
        ++n;
    }
    return n;
}
uint64_t ctzdm(uint64_t a, uint64_t m) {
    uint64_t n = 0;
    for (unsigned i = 0; i < 64; ++i) {
        if (!((m >> i) & 1)) continue;
        if ((a >> i) & 1) break;
        ++n;
    }
    return n;
}
uint64_t pdep(uint64_t a, uint64_t m) {
    uint64_t r = 0;
    unsigned k = 0;
    for (unsigned i = 0; i < 64; ++i)
        if ((m >> i) & 1) r |= ((a >> k++) & 1) << i;
    return r;
}
uint64_t pext(uint64_t a, uint64_t m) {
    uint64_t r = 0;
    unsigned k = 0;
    for (unsigned i = 0; i < 64; ++i)
        if ((m >> i) & 1) r |= ((a >> i) & 1) << k++;
    return r;
}
uint64_t cfuge(uint64_t a, uint64_t m) {
    // Bits under the mask go to the right end, the others to the left, each keeping its order.
    const unsigned ones = static_cast<unsigned>(std::popcount(m));
    const uint64_t right = pext(a, m), left = pext(a, ~m);
    return ones == 64 ? right : (left << ones) | right;
}

// vgnb RT,VRB,N: every Nth bit of VRB starting at bit 0, left-justified in RT.
int vgnb(Cpu& c, const Decoded& d) {
    const unsigned n = (d.word >> 16) & 7;
    if (n < 2) return illegal(c, d);
    const u128 b = q(vrb(c, d));
    uint64_t r = 0;
    for (unsigned i = 0, j = 0; i < 128; i += n, ++j) r |= static_cast<uint64_t>((b >> (127 - i)) & 1) << (63 - j);
    c.s.gpr[f_rt(d)] = r;
    return kNext;
}

// ---------------- element extract and insert ----------------
// vextractub & co.: the element at byte UIM goes right-justified into doubleword 0.
template <unsigned N>
int vextract(Cpu& c, const Decoded& d) {
    const unsigned uim = (d.word >> 16) & 15;
    const Bytes16 b = be_bytes(vrb(c, d));
    uint64_t x = 0;
    for (unsigned k = 0; k < N; ++k) x = (x << 8) | (uim + k < 16 ? b[uim + k] : 0u);
    vrt(c, d) = Vsr{0, x};
    return kNext;
}
// vinsertb & co.: the rightmost N bytes of VRB doubleword 0 go to byte UIM of VRT.
template <unsigned N>
int vinsert(Cpu& c, const Decoded& d) {
    const unsigned uim = (d.word >> 16) & 15;
    const Bytes16 b = be_bytes(vrb(c, d));
    Bytes16 t = be_bytes(vrt(c, d));
    for (unsigned k = 0; k < N && uim + k < 16; ++k) t[uim + k] = b[8 - N + k];
    vrt(c, d) = from_be_bytes(t);
    return kNext;
}
// vextu[bhw][lr]x RT,RA,VRB: N bytes at byte index GPR[RA] (left) or from the right end.
template <unsigned N, bool Right>
int vextux(Cpu& c, const Decoded& d) {
    const unsigned idx = static_cast<unsigned>(c.s.gpr[f_ra(d)] & 15);
    const Bytes16 b = be_bytes(vrb(c, d));
    const int start = Right ? 16 - int(N) - int(idx) : int(idx);
    uint64_t x = 0;
    for (unsigned k = 0; k < N; ++k) {
        const int p = start + int(k);
        x = (x << 8) | ((p >= 0 && p < 16) ? b[static_cast<unsigned>(p)] : 0u);
    }
    c.s.gpr[f_rt(d)] = x;
    return kNext;
}
// vextd[ubhw/d]v[lr]x VRT,VRA,VRB,RC (3.1): from the 32-byte VRA||VRB at GPR[RC] & 31.
template <unsigned N, bool Right>
int vextdx(Cpu& c, const Decoded& d) {
    const unsigned idx = static_cast<unsigned>(c.s.gpr[f_rc(d)] & 31);
    const Bytes16 a = be_bytes(vra(c, d)), b = be_bytes(vrb(c, d));
    const int start = Right ? 32 - int(N) - int(idx) : int(idx);
    uint64_t x = 0;
    for (unsigned k = 0; k < N; ++k) {
        const int p = start + int(k);
        const unsigned v = (p >= 0 && p < 16) ? a[static_cast<unsigned>(p)] : (p >= 16 && p < 32) ? b[static_cast<unsigned>(p - 16)] : 0u;
        x = (x << 8) | v;
    }
    vrt(c, d) = Vsr{0, x};
    return kNext;
}
// Insert N bytes of value v at byte position pos of VRT (bytes past the end are dropped: the
// ISA leaves such indexes undefined).
void insert_bytes(Vsr& t, int pos, uint64_t v, unsigned n) {
    Bytes16 x = be_bytes(t);
    for (unsigned k = 0; k < n; ++k) {
        const int p = pos + int(k);
        if (p >= 0 && p < 16) x[static_cast<unsigned>(p)] = static_cast<uint8_t>(v >> (8 * (n - 1 - k)));
    }
    t = from_be_bytes(x);
}
// vins[bhwd][lr]x VRT,RA,RB: value GPR[RB], index GPR[RA].
template <unsigned N, bool Right>
int vinsx(Cpu& c, const Decoded& d) {
    const int idx = static_cast<int>(c.s.gpr[f_ra(d)] & 15);
    insert_bytes(vrt(c, d), Right ? 16 - int(N) - idx : idx, c.s.gpr[f_rb(d)], N);
    return kNext;
}
// vins[bhw]v[lr]x VRT,RA,VRB: the element right-justified in VRB doubleword 0, index GPR[RA].
template <unsigned N, bool Right>
int vinsvx(Cpu& c, const Decoded& d) {
    const int idx = static_cast<int>(c.s.gpr[f_ra(d)] & 15);
    insert_bytes(vrt(c, d), Right ? 16 - int(N) - idx : idx, vrb(c, d).hi, N);
    return kNext;
}
// vinsw/vinsd VRT,RB,UIM.
template <unsigned N>
int vinsgpr(Cpu& c, const Decoded& d) {
    insert_bytes(vrt(c, d), int((d.word >> 16) & 15), c.s.gpr[f_rb(d)], N);
    return kNext;
}

// ---------------- 3.1 masks and strings ----------------
template <class T>
Vsr vexpandm(const Vsr& b) {
    Vsr r;
    using S = std::make_signed_t<T>;
    for (unsigned i = 0; i < lanes<T>(); ++i)
        vset<T>(r, i, static_cast<T>(static_cast<S>(vget<T>(b, i)) >> (bitsof<T>() - 1)));
    return r;
}
Vsr vexpandqm(const Vsr& b) { return vq((b.hi >> 63) ? ~u128(0) : 0); }
template <class T>
int vextractm(Cpu& c, const Decoded& d) {
    const Vsr b = vrb(c, d);
    uint64_t r = 0;
    for (unsigned i = 0; i < lanes<T>(); ++i) r = (r << 1) | (vget<T>(b, i) >> (bitsof<T>() - 1));
    c.s.gpr[f_rt(d)] = r;
    return kNext;
}
int vextractqm(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = vrb(c, d).hi >> 63;
    return kNext;
}
template <class T>
Vsr mask_from_bits(uint64_t m) {
    constexpr unsigned n = lanes<T>();
    Vsr r;
    for (unsigned i = 0; i < n; ++i) vset<T>(r, i, ((m >> (n - 1 - i)) & 1) ? static_cast<T>(~T(0)) : T(0));
    return r;
}
template <class T>
int mtvsrm(Cpu& c, const Decoded& d) {
    vrt(c, d) = mask_from_bits<T>(c.s.gpr[f_rb(d)]);
    return kNext;
}
int mtvsrqm(Cpu& c, const Decoded& d) {
    vrt(c, d) = vq((c.s.gpr[f_rb(d)] & 1) ? ~u128(0) : 0);
    return kNext;
}
int mtvsrbmi(Cpu& c, const Decoded& d) {
    const uint64_t bm = (((d.word >> 6) & 0x3FF) << 6) | (((d.word >> 16) & 31) << 1) | (d.word & 1);
    vrt(c, d) = mask_from_bits<uint8_t>(bm);
    return kNext;
}
// vcntmb[bhwd] RT,VRB,MP: elements whose msb equals MP, counted into the top bits of RT.
template <class T>
int vcntmb(Cpu& c, const Decoded& d) {
    const unsigned mp = (d.word >> 16) & 1;
    const Vsr b = vrb(c, d);
    uint64_t n = 0;
    for (unsigned i = 0; i < lanes<T>(); ++i) n += (vget<T>(b, i) >> (bitsof<T>() - 1)) == mp ? 1 : 0;
    constexpr unsigned shift = sizeof(T) == 1 ? 56 : sizeof(T) == 2 ? 57 : sizeof(T) == 4 ? 58 : 59;
    c.s.gpr[f_rt(d)] = n << shift;
    return kNext;
}
// vstri[bh][lr]: elements up to the first zero element, the rest cleared; CR6[2] = found.
template <class T, bool Right>
int vstri(Cpu& c, const Decoded& d) {
    const Vsr b = vrb(c, d);
    Vsr r{};
    bool found = false;
    for (unsigned k = 0; k < lanes<T>(); ++k) {
        const unsigned i = Right ? lanes<T>() - 1 - k : k;
        const T x = vget<T>(b, i);
        if (x == 0) { found = true; break; }
        vset<T>(r, i, x);
    }
    vrt(c, d) = r;
    if (rc21(d)) set_crf(c.s, 6, found ? 2u : 0u);
    return kNext;
}
// vclrlb/vclrrb VRT,VRA,RB: keep the rightmost (left: leftmost) n = min(GPR[RB],16) bytes.
template <bool Right>
int vclrb(Cpu& c, const Decoded& d) {
    const uint64_t n = std::min<uint64_t>(c.s.gpr[f_rb(d)], 16);
    Bytes16 a = be_bytes(vra(c, d));
    for (unsigned i = 0; i < 16; ++i) {
        const bool keep = Right ? i < n : i >= 16 - n;
        if (!keep) a[i] = 0;
    }
    vrt(c, d) = from_be_bytes(a);
    return kNext;
}

// ---------------- VSCR ----------------
int mfvscr(Cpu& c, const Decoded& d) {
    vrt(c, d) = Vsr{c.s.vscr, 0};
    return kNext;
}
int mtvscr(Cpu& c, const Decoded& d) {
    c.s.vscr = static_cast<uint32_t>(vrb(c, d).lo) & (vscr::NJ | vscr::SAT);
    return kNext;
}

// ---------------- floating point (single precision, round to nearest, no exceptions) --------
constexpr uint32_t kDefaultNaN = 0x7FC00000;
bool isnan32(uint32_t x) { return (x & 0x7F800000) == 0x7F800000 && (x & 0x7FFFFF) != 0; }
bool isden32(uint32_t x) { return (x & 0x7F800000) == 0 && (x & 0x7FFFFF) != 0; }
uint32_t quiet32(uint32_t x) { return x | 0x00400000; }

/// Non-Java mode (VSCR[NJ]=1): denormal operands and results read as zero of the same sign.
struct FpCtx {
    bool nj;
    uint32_t in(uint32_t x) const { return nj && isden32(x) ? (x & 0x80000000u) : x; }
    uint32_t out(uint32_t x) const { return nj && isden32(x) ? (x & 0x80000000u) : x; }
};
float ff(uint32_t x) { return std::bit_cast<float>(x); }
uint32_t fb(float f) { return std::bit_cast<uint32_t>(f); }

/// Result bits of a host computation: an invalid operation's NaN becomes the default NaN.
uint32_t fres(const FpCtx& fc, float r) {
    const uint32_t x = fb(r);
    return isnan32(x) ? kDefaultNaN : fc.out(x);
}

uint32_t f_add(const FpCtx& fc, uint32_t a, uint32_t b) {
    a = fc.in(a), b = fc.in(b);
    if (isnan32(a)) return quiet32(a);
    if (isnan32(b)) return quiet32(b);
    return fres(fc, ff(a) + ff(b));
}
uint32_t f_sub(const FpCtx& fc, uint32_t a, uint32_t b) {
    a = fc.in(a), b = fc.in(b);
    if (isnan32(a)) return quiet32(a);
    if (isnan32(b)) return quiet32(b);
    return fres(fc, ff(a) - ff(b));
}
uint32_t f_max(const FpCtx& fc, uint32_t a, uint32_t b) {
    a = fc.in(a), b = fc.in(b);
    if (isnan32(a)) return quiet32(a);
    if (isnan32(b)) return quiet32(b);
    const float x = ff(a), y = ff(b);
    if (x == y) return (a & b & 0x80000000u) ? a : (a & 0x7FFFFFFFu);  // max(-0,+0) = +0
    return fc.out(x > y ? a : b);
}
uint32_t f_min(const FpCtx& fc, uint32_t a, uint32_t b) {
    a = fc.in(a), b = fc.in(b);
    if (isnan32(a)) return quiet32(a);
    if (isnan32(b)) return quiet32(b);
    const float x = ff(a), y = ff(b);
    if (x == y) return (a | b) & 0x80000000u ? (a | 0x80000000u) : a;  // min(-0,+0) = -0
    return fc.out(x < y ? a : b);
}
// Unary estimates and roundings.
uint32_t f_re(const FpCtx& fc, uint32_t b) {
    b = fc.in(b);
    if (isnan32(b)) return quiet32(b);
    return fres(fc, 1.0f / ff(b));
}
uint32_t f_rsqrte(const FpCtx& fc, uint32_t b) {
    b = fc.in(b);
    if (isnan32(b)) return quiet32(b);
    return fres(fc, 1.0f / std::sqrt(ff(b)));
}
uint32_t f_expte(const FpCtx& fc, uint32_t b) {
    b = fc.in(b);
    if (isnan32(b)) return quiet32(b);
    return fres(fc, std::exp2(ff(b)));
}
uint32_t f_loge(const FpCtx& fc, uint32_t b) {
    b = fc.in(b);
    if (isnan32(b)) return quiet32(b);
    return fres(fc, std::log2(ff(b)));
}
template <int Mode>  // 0 nearest-even, 1 toward zero, 2 +inf, 3 -inf
uint32_t f_rfi(const FpCtx& fc, uint32_t b) {
    b = fc.in(b);
    if (isnan32(b)) return quiet32(b);
    const float x = ff(b);
    float r;
    switch (Mode) {
        case 0: r = std::nearbyint(x); break;  // the host rounds to nearest even
        case 1: r = std::trunc(x); break;
        case 2: r = std::ceil(x); break;
        default: r = std::floor(x); break;
    }
    return fb(std::copysign(r, x));
}

template <uint32_t (*F)(const FpCtx&, uint32_t, uint32_t)>
int fp2(Cpu& c, const Decoded& d) {
    const FpCtx fc{(c.s.vscr & vscr::NJ) != 0};
    const Vsr a = vra(c, d), b = vrb(c, d);
    Vsr r;
    for (unsigned i = 0; i < 4; ++i) vset<uint32_t>(r, i, F(fc, vget<uint32_t>(a, i), vget<uint32_t>(b, i)));
    vrt(c, d) = r;
    return kNext;
}
template <uint32_t (*F)(const FpCtx&, uint32_t)>
int fp1(Cpu& c, const Decoded& d) {
    const FpCtx fc{(c.s.vscr & vscr::NJ) != 0};
    const Vsr b = vrb(c, d);
    Vsr r;
    for (unsigned i = 0; i < 4; ++i) vset<uint32_t>(r, i, F(fc, vget<uint32_t>(b, i)));
    vrt(c, d) = r;
    return kNext;
}
// vmaddfp VRT,VRA,VRC,VRB = A*C+B; vnmsubfp = -(A*C-B). One rounding; NaN operands propagate
// in the order A, B, C and are never negated.
template <bool NegSub>
int fmadd(Cpu& c, const Decoded& d) {
    const FpCtx fc{(c.s.vscr & vscr::NJ) != 0};
    const Vsr va = vra(c, d), vb = vrb(c, d), vc = vrc(c, d);
    Vsr r;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t a = fc.in(vget<uint32_t>(va, i)), b = fc.in(vget<uint32_t>(vb, i)), cc = fc.in(vget<uint32_t>(vc, i));
        uint32_t x;
        if (isnan32(a)) x = quiet32(a);
        else if (isnan32(b)) x = quiet32(b);
        else if (isnan32(cc)) x = quiet32(cc);
        else {
            const float p = std::fma(ff(a), ff(cc), NegSub ? -ff(b) : ff(b));
            x = fb(p);
            if (isnan32(x)) x = kDefaultNaN;
            else {
                x = fc.out(x);
                if (NegSub) x ^= 0x80000000u;
            }
        }
        vset<uint32_t>(r, i, x);
    }
    vrt(c, d) = r;
    return kNext;
}
// Conversions with the scale 2^UIM (UIM in the VRA field).
template <bool Signed>
int vcfx(Cpu& c, const Decoded& d) {
    const unsigned uim = f_ra(d);
    const Vsr b = vrb(c, d);
    Vsr r;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t w = vget<uint32_t>(b, i);
        // int -> float rounds once; the power-of-two scale is exact for these magnitudes.
        const float f = Signed ? static_cast<float>(static_cast<int32_t>(w)) : static_cast<float>(w);
        vset<uint32_t>(r, i, fb(std::ldexp(f, -static_cast<int>(uim))));
    }
    vrt(c, d) = r;
    return kNext;
}
template <bool Signed>
int vctxs(Cpu& c, const Decoded& d) {
    const FpCtx fc{(c.s.vscr & vscr::NJ) != 0};
    const unsigned uim = f_ra(d);
    const Vsr b = vrb(c, d);
    Vsr r;
    bool sat = false;
    for (unsigned i = 0; i < 4; ++i) {
        const uint32_t w = fc.in(vget<uint32_t>(b, i));
        uint32_t out;
        if (isnan32(w)) {
            out = 0;
        } else {
            const double x = std::trunc(std::ldexp(static_cast<double>(ff(w)), static_cast<int>(uim)));
            if (Signed) {
                if (x > 2147483647.0) { out = 0x7FFFFFFF; sat = true; }
                else if (x < -2147483648.0) { out = 0x80000000u; sat = true; }
                else out = static_cast<uint32_t>(static_cast<int32_t>(x));
            } else {
                if (x > 4294967295.0) { out = 0xFFFFFFFFu; sat = true; }
                else if (x < 0) { out = 0; sat = true; }
                else out = static_cast<uint32_t>(x);
            }
        }
        vset<uint32_t>(r, i, out);
    }
    vrt(c, d) = r;
    if (sat) set_sat(c.s);
    return kNext;
}
// Compares: 0 eq, 1 ge, 2 gt, 3 bounds.
template <int K>
int vcmpfp(Cpu& c, const Decoded& d) {
    const FpCtx fc{(c.s.vscr & vscr::NJ) != 0};
    const Vsr a = vra(c, d), b = vrb(c, d);
    Vsr r;
    bool all = true, none = true;
    for (unsigned i = 0; i < 4; ++i) {
        const float x = ff(fc.in(vget<uint32_t>(a, i))), y = ff(fc.in(vget<uint32_t>(b, i)));
        uint32_t v;
        if (K == 3) {
            v = (!(x <= y) ? 0x80000000u : 0u) | (!(x >= -y) ? 0x40000000u : 0u);
        } else {
            const bool t = K == 0 ? x == y : K == 1 ? x >= y : x > y;
            v = t ? 0xFFFFFFFFu : 0u;
        }
        vset<uint32_t>(r, i, v);
        all = all && v == 0xFFFFFFFFu;
        none = none && v == 0;
    }
    vrt(c, d) = r;
    if (rc21(d)) {
        if (K == 3) set_crf(c.s, 6, none ? 2u : 0u);  // all within bounds
        else set_cr6(c.s, all, none);
    }
    return kNext;
}

// ---------------- loads and stores ----------------
// Element loads: the element lands where a full quadword load of the aligned quadword would
// put it; the other bytes of VRT are left as they were (the ISA leaves them undefined).
template <unsigned N>
int lve(Cpu& c, const Decoded& d) {
    const uint64_t ea = ea_x(c, d) & ~uint64_t(N - 1);
    uint8_t m[N];
    c.load_bytes(ea, m, N);
    Bytes16 t = be_bytes(vrt(c, d));
    const unsigned eb = static_cast<unsigned>(ea & 15);
    for (unsigned k = 0; k < N; ++k) {
        const unsigned pos = eb + k;
        t[c.little_endian() ? 15 - pos : pos] = m[k];
    }
    vrt(c, d) = from_be_bytes(t);
    return kNext;
}
template <unsigned N>
int stve(Cpu& c, const Decoded& d) {
    const uint64_t ea = ea_x(c, d) & ~uint64_t(N - 1);
    const Bytes16 t = be_bytes(vrt(c, d));
    uint8_t m[N];
    const unsigned eb = static_cast<unsigned>(ea & 15);
    for (unsigned k = 0; k < N; ++k) {
        const unsigned pos = eb + k;
        m[k] = t[c.little_endian() ? 15 - pos : pos];
    }
    c.store_bytes(ea, m, N);
    return c.store_flow();
}
int lvx(Cpu& c, const Decoded& d) {
    vrt(c, d) = load16(c, ea_x(c, d) & ~uint64_t(15), c.little_endian());
    return kNext;
}
int stvx(Cpu& c, const Decoded& d) {
    store16(c, ea_x(c, d) & ~uint64_t(15), vrt(c, d), c.little_endian());
    return c.store_flow();
}
template <bool Right>
int lvs(Cpu& c, const Decoded& d) {
    const unsigned sh = static_cast<unsigned>(ea_x(c, d) & 15);
    Bytes16 r;
    for (unsigned i = 0; i < 16; ++i) r[i] = static_cast<uint8_t>(Right ? 16 - sh + i : sh + i);
    vrt(c, d) = from_be_bytes(r);
    return kNext;
}

// ---------------- table ----------------
void vcrow(std::string_view name, std::string_view dot, unsigned xo, IsaLevel lvl, isa::ExecFn fn,
           std::vector<InsnSpec>& out) {
    out.push_back(row(name, isa::vc(xo), {VRT, VRA, VRB}, lvl, VMX, 0, fn));
    out.push_back(row(dot, isa::vc(xo) | 0x400, {VRT, VRA, VRB}, lvl, VMX, 0, fn));
}

std::vector<InsnSpec> build_rows() {
    using isa::vx;
    using isa::va;
    using isa::xo10;
    constexpr uint16_t S = isa::F_Store;
    constexpr std::array<isa::Opnd, 6> V3{VRT, VRA, VRB}, V2B{VRT, VRB}, V4{VRT, VRA, VRB, VRC};
    std::vector<InsnSpec> t = {
        // Loads and stores
        row("lvebx", xo10(31, 7), {VRT, RA0, RB}, L203, VMX, 0, lve<1>),
        row("lvehx", xo10(31, 39), {VRT, RA0, RB}, L203, VMX, 0, lve<2>),
        row("lvewx", xo10(31, 71), {VRT, RA0, RB}, L203, VMX, 0, lve<4>),
        row("lvx", xo10(31, 103), {VRT, RA0, RB}, L203, VMX, 0, lvx),
        row("lvxl", xo10(31, 359), {VRT, RA0, RB}, L203, VMX, 0, lvx),
        row("stvebx", xo10(31, 135), {VRT, RA0, RB}, L203, VMX, S, stve<1>),
        row("stvehx", xo10(31, 167), {VRT, RA0, RB}, L203, VMX, S, stve<2>),
        row("stvewx", xo10(31, 199), {VRT, RA0, RB}, L203, VMX, S, stve<4>),
        row("stvx", xo10(31, 231), {VRT, RA0, RB}, L203, VMX, S, stvx),
        row("stvxl", xo10(31, 487), {VRT, RA0, RB}, L203, VMX, S, stvx),
        row("lvsl", xo10(31, 6), {VRT, RA0, RB}, L203, VMX, 0, lvs<false>),
        row("lvsr", xo10(31, 38), {VRT, RA0, RB}, L203, VMX, 0, lvs<true>),
        row("mfvscr", vx(1540), {VRT}, L203, VMX, 0, mfvscr),
        row("mtvscr", vx(1604), {VRB}, L203, VMX, 0, mtvscr),
        // Integer add/subtract
        row("vaddubm", vx(0), V3, L203, VMX, 0, ew2<uint8_t, add_m<uint8_t>>),
        row("vadduhm", vx(64), V3, L203, VMX, 0, ew2<uint16_t, add_m<uint16_t>>),
        row("vadduwm", vx(128), V3, L203, VMX, 0, ew2<uint32_t, add_m<uint32_t>>),
        row("vaddudm", vx(192), V3, L207, VMX, 0, ew2<uint64_t, add_m<uint64_t>>),
        row("vadduqm", vx(256), V3, L207, VMX, 0, whole2<vadduqm>),
        row("vaddcuq", vx(320), V3, L207, VMX, 0, whole2<vaddcuq>),
        row("vaddcuw", vx(384), V3, L203, VMX, 0, ew2<uint32_t, addcuw>),
        row("vaddubs", vx(512), V3, L203, VMX, 0, ew2s<uint8_t, add_s<uint8_t>>),
        row("vadduhs", vx(576), V3, L203, VMX, 0, ew2s<uint16_t, add_s<uint16_t>>),
        row("vadduws", vx(640), V3, L203, VMX, 0, ew2s<uint32_t, add_s<uint32_t>>),
        row("vaddsbs", vx(768), V3, L203, VMX, 0, ew2s<int8_t, add_s<int8_t>>),
        row("vaddshs", vx(832), V3, L203, VMX, 0, ew2s<int16_t, add_s<int16_t>>),
        row("vaddsws", vx(896), V3, L203, VMX, 0, ew2s<int32_t, add_s<int32_t>>),
        row("vsububm", vx(1024), V3, L203, VMX, 0, ew2<uint8_t, sub_m<uint8_t>>),
        row("vsubuhm", vx(1088), V3, L203, VMX, 0, ew2<uint16_t, sub_m<uint16_t>>),
        row("vsubuwm", vx(1152), V3, L203, VMX, 0, ew2<uint32_t, sub_m<uint32_t>>),
        row("vsubudm", vx(1216), V3, L207, VMX, 0, ew2<uint64_t, sub_m<uint64_t>>),
        row("vsubuqm", vx(1280), V3, L207, VMX, 0, whole2<vsubuqm>),
        row("vsubcuq", vx(1344), V3, L207, VMX, 0, whole2<vsubcuq>),
        row("vsubcuw", vx(1408), V3, L203, VMX, 0, ew2<uint32_t, subcuw>),
        row("vsububs", vx(1536), V3, L203, VMX, 0, ew2s<uint8_t, sub_s<uint8_t>>),
        row("vsubuhs", vx(1600), V3, L203, VMX, 0, ew2s<uint16_t, sub_s<uint16_t>>),
        row("vsubuws", vx(1664), V3, L203, VMX, 0, ew2s<uint32_t, sub_s<uint32_t>>),
        row("vsubsbs", vx(1792), V3, L203, VMX, 0, ew2s<int8_t, sub_s<int8_t>>),
        row("vsubshs", vx(1856), V3, L203, VMX, 0, ew2s<int16_t, sub_s<int16_t>>),
        row("vsubsws", vx(1920), V3, L203, VMX, 0, ew2s<int32_t, sub_s<int32_t>>),
        row("vaddeuqm", va(60), V4, L207, VMX, 0, whole3<vaddeuqm>),
        row("vaddecuq", va(61), V4, L207, VMX, 0, whole3<vaddecuq>),
        row("vsubeuqm", va(62), V4, L207, VMX, 0, whole3<vsubeuqm>),
        row("vsubecuq", va(63), V4, L207, VMX, 0, whole3<vsubecuq>),
        // Max/min/average/absolute difference
        row("vmaxub", vx(2), V3, L203, VMX, 0, ew2<uint8_t, vmax<uint8_t>>),
        row("vmaxuh", vx(66), V3, L203, VMX, 0, ew2<uint16_t, vmax<uint16_t>>),
        row("vmaxuw", vx(130), V3, L203, VMX, 0, ew2<uint32_t, vmax<uint32_t>>),
        row("vmaxud", vx(194), V3, L207, VMX, 0, ew2<uint64_t, vmax<uint64_t>>),
        row("vmaxsb", vx(258), V3, L203, VMX, 0, ew2<int8_t, vmax<int8_t>>),
        row("vmaxsh", vx(322), V3, L203, VMX, 0, ew2<int16_t, vmax<int16_t>>),
        row("vmaxsw", vx(386), V3, L203, VMX, 0, ew2<int32_t, vmax<int32_t>>),
        row("vmaxsd", vx(450), V3, L207, VMX, 0, ew2<int64_t, vmax<int64_t>>),
        row("vminub", vx(514), V3, L203, VMX, 0, ew2<uint8_t, vmin<uint8_t>>),
        row("vminuh", vx(578), V3, L203, VMX, 0, ew2<uint16_t, vmin<uint16_t>>),
        row("vminuw", vx(642), V3, L203, VMX, 0, ew2<uint32_t, vmin<uint32_t>>),
        row("vminud", vx(706), V3, L207, VMX, 0, ew2<uint64_t, vmin<uint64_t>>),
        row("vminsb", vx(770), V3, L203, VMX, 0, ew2<int8_t, vmin<int8_t>>),
        row("vminsh", vx(834), V3, L203, VMX, 0, ew2<int16_t, vmin<int16_t>>),
        row("vminsw", vx(898), V3, L203, VMX, 0, ew2<int32_t, vmin<int32_t>>),
        row("vminsd", vx(962), V3, L207, VMX, 0, ew2<int64_t, vmin<int64_t>>),
        row("vavgub", vx(1026), V3, L203, VMX, 0, ew2<uint8_t, avg<uint8_t>>),
        row("vavguh", vx(1090), V3, L203, VMX, 0, ew2<uint16_t, avg<uint16_t>>),
        row("vavguw", vx(1154), V3, L203, VMX, 0, ew2<uint32_t, avg<uint32_t>>),
        row("vavgsb", vx(1282), V3, L203, VMX, 0, ew2<int8_t, avg<int8_t>>),
        row("vavgsh", vx(1346), V3, L203, VMX, 0, ew2<int16_t, avg<int16_t>>),
        row("vavgsw", vx(1410), V3, L203, VMX, 0, ew2<int32_t, avg<int32_t>>),
        row("vabsdub", vx(1027), V3, L300, VMX, 0, ew2<uint8_t, absd<uint8_t>>),
        row("vabsduh", vx(1091), V3, L300, VMX, 0, ew2<uint16_t, absd<uint16_t>>),
        row("vabsduw", vx(1155), V3, L300, VMX, 0, ew2<uint32_t, absd<uint32_t>>),
        // Multiply
        row("vmuloub", vx(8), V3, L203, VMX, 0, whole2<mul_eo<uint8_t, uint16_t, true>>),
        row("vmulouh", vx(72), V3, L203, VMX, 0, whole2<mul_eo<uint16_t, uint32_t, true>>),
        row("vmulouw", vx(136), V3, L207, VMX, 0, whole2<mul_eo<uint32_t, uint64_t, true>>),
        row("vmuloud", vx(200), V3, L310, VMX, 0, whole2<mul_eo_d<false, true>>),
        row("vmulosb", vx(264), V3, L203, VMX, 0, whole2<mul_eo<int8_t, int16_t, true>>),
        row("vmulosh", vx(328), V3, L203, VMX, 0, whole2<mul_eo<int16_t, int32_t, true>>),
        row("vmulosw", vx(392), V3, L207, VMX, 0, whole2<mul_eo<int32_t, int64_t, true>>),
        row("vmulosd", vx(456), V3, L310, VMX, 0, whole2<mul_eo_d<true, true>>),
        row("vmuleub", vx(520), V3, L203, VMX, 0, whole2<mul_eo<uint8_t, uint16_t, false>>),
        row("vmuleuh", vx(584), V3, L203, VMX, 0, whole2<mul_eo<uint16_t, uint32_t, false>>),
        row("vmuleuw", vx(648), V3, L207, VMX, 0, whole2<mul_eo<uint32_t, uint64_t, false>>),
        row("vmuleud", vx(712), V3, L310, VMX, 0, whole2<mul_eo_d<false, false>>),
        row("vmulesb", vx(776), V3, L203, VMX, 0, whole2<mul_eo<int8_t, int16_t, false>>),
        row("vmulesh", vx(840), V3, L203, VMX, 0, whole2<mul_eo<int16_t, int32_t, false>>),
        row("vmulesw", vx(904), V3, L207, VMX, 0, whole2<mul_eo<int32_t, int64_t, false>>),
        row("vmulesd", vx(968), V3, L310, VMX, 0, whole2<mul_eo_d<true, false>>),
        row("vmuluwm", vx(137), V3, L207, VMX, 0, ew2<uint32_t, mul_lo<uint32_t>>),
        row("vmulld", vx(457), V3, L310, VMX, 0, ew2<uint64_t, mul_lo<uint64_t>>),
        row("vmulhsw", vx(905), V3, L310, VMX, 0, ew2<int32_t, mulhsw>),
        row("vmulhuw", vx(649), V3, L310, VMX, 0, ew2<uint32_t, mulhuw>),
        row("vmulhsd", vx(969), V3, L310, VMX, 0, ew2<int64_t, mulhsd>),
        row("vmulhud", vx(713), V3, L310, VMX, 0, ew2<uint64_t, mulhud>),
        row("vmhaddshs", va(32), V4, L203, VMX, 0, whole3s<vmhadd<false>>),
        row("vmhraddshs", va(33), V4, L203, VMX, 0, whole3s<vmhadd<true>>),
        row("vmladduhm", va(34), V4, L203, VMX, 0, whole3<vmladduhm>),
        row("vmsumudm", va(35), V4, L300, VMX, 0, whole3<vmsumudm>),
        row("vmsumubm", va(36), V4, L203, VMX, 0, whole3s<msum<uint8_t, uint8_t, false>>),
        row("vmsummbm", va(37), V4, L203, VMX, 0, whole3s<msum<int8_t, uint8_t, false>>),
        row("vmsumuhm", va(38), V4, L203, VMX, 0, whole3s<msum<uint16_t, uint16_t, false>>),
        row("vmsumuhs", va(39), V4, L203, VMX, 0, whole3s<msum<uint16_t, uint16_t, true>>),
        row("vmsumshm", va(40), V4, L203, VMX, 0, whole3s<msum<int16_t, int16_t, false>>),
        row("vmsumshs", va(41), V4, L203, VMX, 0, whole3s<msum<int16_t, int16_t, true>>),
        row("vmsumcud", va(23), V4, L310, VMX, 0, whole3<vmsumcud>),
        row("vsum4ubs", vx(1544), V3, L203, VMX, 0, whole2s<vsum4ubs>),
        row("vsum4sbs", vx(1800), V3, L203, VMX, 0, whole2s<vsum4s<int8_t>>),
        row("vsum4shs", vx(1608), V3, L203, VMX, 0, whole2s<vsum4s<int16_t>>),
        row("vsum2sws", vx(1672), V3, L203, VMX, 0, whole2s<vsum2sws>),
        row("vsumsws", vx(1928), V3, L203, VMX, 0, whole2s<vsumsws>),
        row("vmul10cuq", vx(1), {VRT, VRA}, L300, VMX, 0, whole1a<vmul10cuq>),
        row("vmul10ecuq", vx(65), V3, L300, VMX, 0, whole2<vmul10ecuq>),
        row("vmul10uq", vx(513), {VRT, VRA}, L300, VMX, 0, whole1a<vmul10uq>),
        row("vmul10euq", vx(577), V3, L300, VMX, 0, whole2<vmul10euq>),
        // Divide/modulo (3.1)
        row("vdivuw", vx(139), V3, L310, VMX, 0, ew2<uint32_t, vdiv<uint32_t, false, false>>),
        row("vdivsw", vx(395), V3, L310, VMX, 0, ew2<int32_t, vdiv<int32_t, false, false>>),
        row("vdiveuw", vx(651), V3, L310, VMX, 0, ew2<uint32_t, vdiv<uint32_t, true, false>>),
        row("vdivesw", vx(907), V3, L310, VMX, 0, ew2<int32_t, vdiv<int32_t, true, false>>),
        row("vmoduw", vx(1675), V3, L310, VMX, 0, ew2<uint32_t, vdiv<uint32_t, false, true>>),
        row("vmodsw", vx(1931), V3, L310, VMX, 0, ew2<int32_t, vdiv<int32_t, false, true>>),
        row("vdivud", vx(203), V3, L310, VMX, 0, ew2<uint64_t, vdiv<uint64_t, false, false>>),
        row("vdivsd", vx(459), V3, L310, VMX, 0, ew2<int64_t, vdiv<int64_t, false, false>>),
        row("vdiveud", vx(715), V3, L310, VMX, 0, ew2<uint64_t, vdiv<uint64_t, true, false>>),
        row("vdivesd", vx(971), V3, L310, VMX, 0, ew2<int64_t, vdiv<int64_t, true, false>>),
        row("vmodud", vx(1739), V3, L310, VMX, 0, ew2<uint64_t, vdiv<uint64_t, false, true>>),
        row("vmodsd", vx(1995), V3, L310, VMX, 0, ew2<int64_t, vdiv<int64_t, false, true>>),
        row("vdivuq", vx(11), V3, L310, VMX, 0, whole2<vdivq<QDiv::DivU>>),
        row("vdivsq", vx(267), V3, L310, VMX, 0, whole2<vdivq<QDiv::DivS>>),
        row("vdiveuq", vx(523), V3, L310, VMX, 0, whole2<vdivq<QDiv::DiveU>>),
        row("vdivesq", vx(779), V3, L310, VMX, 0, whole2<vdivq<QDiv::DiveS>>),
        row("vmoduq", vx(1547), V3, L310, VMX, 0, whole2<vdivq<QDiv::ModU>>),
        row("vmodsq", vx(1803), V3, L310, VMX, 0, whole2<vdivq<QDiv::ModS>>),
        // Logical
        row("vand", vx(1028), V3, L203, VMX, 0, whole2<vand>),
        row("vandc", vx(1092), V3, L203, VMX, 0, whole2<vandc>),
        row("vor", vx(1156), V3, L203, VMX, 0, whole2<vor>),
        row("vxor", vx(1220), V3, L203, VMX, 0, whole2<vxor>),
        row("vnor", vx(1284), V3, L203, VMX, 0, whole2<vnor>),
        row("vorc", vx(1348), V3, L207, VMX, 0, whole2<vorc>),
        row("vnand", vx(1412), V3, L207, VMX, 0, whole2<vnand>),
        row("veqv", vx(1668), V3, L207, VMX, 0, whole2<veqv>),
        row("vsel", va(42), V4, L203, VMX, 0, whole3<vsel>),
        // Shifts and rotates
        row("vrlb", vx(4), V3, L203, VMX, 0, ew2<uint8_t, rotl<uint8_t>>),
        row("vrlh", vx(68), V3, L203, VMX, 0, ew2<uint16_t, rotl<uint16_t>>),
        row("vrlw", vx(132), V3, L203, VMX, 0, ew2<uint32_t, rotl<uint32_t>>),
        row("vrld", vx(196), V3, L207, VMX, 0, ew2<uint64_t, rotl<uint64_t>>),
        row("vrlq", vx(5), V3, L310, VMX, 0, whole2<vrlq>),
        row("vslb", vx(260), V3, L203, VMX, 0, ew2<uint8_t, shl<uint8_t>>),
        row("vslh", vx(324), V3, L203, VMX, 0, ew2<uint16_t, shl<uint16_t>>),
        row("vslw", vx(388), V3, L203, VMX, 0, ew2<uint32_t, shl<uint32_t>>),
        row("vsld", vx(1476), V3, L207, VMX, 0, ew2<uint64_t, shl<uint64_t>>),
        row("vslq", vx(261), V3, L310, VMX, 0, whole2<vslq>),
        row("vsrb", vx(516), V3, L203, VMX, 0, ew2<uint8_t, shr<uint8_t>>),
        row("vsrh", vx(580), V3, L203, VMX, 0, ew2<uint16_t, shr<uint16_t>>),
        row("vsrw", vx(644), V3, L203, VMX, 0, ew2<uint32_t, shr<uint32_t>>),
        row("vsrd", vx(1732), V3, L207, VMX, 0, ew2<uint64_t, shr<uint64_t>>),
        row("vsrq", vx(517), V3, L310, VMX, 0, whole2<vsrq>),
        row("vsrab", vx(772), V3, L203, VMX, 0, ew2<uint8_t, sra<uint8_t>>),
        row("vsrah", vx(836), V3, L203, VMX, 0, ew2<uint16_t, sra<uint16_t>>),
        row("vsraw", vx(900), V3, L203, VMX, 0, ew2<uint32_t, sra<uint32_t>>),
        row("vsrad", vx(964), V3, L207, VMX, 0, ew2<uint64_t, sra<uint64_t>>),
        row("vsraq", vx(773), V3, L310, VMX, 0, whole2<vsraq>),
        row("vsl", vx(452), V3, L203, VMX, 0, whole2<vsl>),
        row("vsr", vx(708), V3, L203, VMX, 0, whole2<vsr>),
        row("vslo", vx(1036), V3, L203, VMX, 0, whole2<vslo>),
        row("vsro", vx(1100), V3, L203, VMX, 0, whole2<vsro>),
        row("vslv", vx(1860), V3, L300, VMX, 0, whole2<vslv>),
        row("vsrv", vx(1796), V3, L300, VMX, 0, whole2<vsrv>),
        row("vrlwmi", vx(133), V3, L300, VMX, 0, ew2t<uint32_t, rl_mask<uint32_t, true>>),
        row("vrldmi", vx(197), V3, L300, VMX, 0, ew2t<uint64_t, rl_mask<uint64_t, true>>),
        row("vrlwnm", vx(389), V3, L300, VMX, 0, ew2<uint32_t, rlwnm>),
        row("vrldnm", vx(453), V3, L300, VMX, 0, ew2<uint64_t, rldnm>),
        row("vrlqmi", vx(69), V3, L310, VMX, 0, vrlqmi),
        row("vrlqnm", vx(325), V3, L310, VMX, 0, whole2<vrlqnm>),
        row("vsldbi", va(22), {VRT, VRA, VRB}, L310, VMX, 0, vshdbi<true>, Privilege::Problem, 0x1C0),
        row("vsrdbi", va(22) | 0x200, {VRT, VRA, VRB}, L310, VMX, 0, vshdbi<false>, Privilege::Problem, 0x1C0),
        // Permute and formatting
        row("vperm", va(43), V4, L203, VMX, 0, vperm),
        row("vpermr", va(59), V4, L300, VMX, 0, vpermr),
        row("vpermxor", va(45), V4, L207, VMX, 0, vpermxor),
        row("vsldoi", va(44), {VRT, VRA, VRB, SHB}, L203, VMX, 0, vsldoi),
        row("vmrghb", vx(12), V3, L203, VMX, 0, whole2<vmrg<uint8_t, false>>),
        row("vmrghh", vx(76), V3, L203, VMX, 0, whole2<vmrg<uint16_t, false>>),
        row("vmrghw", vx(140), V3, L203, VMX, 0, whole2<vmrg<uint32_t, false>>),
        row("vmrglb", vx(268), V3, L203, VMX, 0, whole2<vmrg<uint8_t, true>>),
        row("vmrglh", vx(332), V3, L203, VMX, 0, whole2<vmrg<uint16_t, true>>),
        row("vmrglw", vx(396), V3, L203, VMX, 0, whole2<vmrg<uint32_t, true>>),
        row("vmrgew", vx(1932), V3, L207, VMX, 0, whole2<vmrgeo<false>>),
        row("vmrgow", vx(1676), V3, L207, VMX, 0, whole2<vmrgeo<true>>),
        row("vspltb", vx(524), {VRT, VRB, UIMM4}, L203, VMX, 0, vsplt<uint8_t>),
        row("vsplth", vx(588), {VRT, VRB, UIMM3}, L203, VMX, 0, vsplt<uint16_t>),
        row("vspltw", vx(652), {VRT, VRB, UIMM2}, L203, VMX, 0, vsplt<uint32_t>),
        row("vspltisb", vx(780), {VRT, SIMM5}, L203, VMX, 0, vspltis<uint8_t>),
        row("vspltish", vx(844), {VRT, SIMM5}, L203, VMX, 0, vspltis<uint16_t>),
        row("vspltisw", vx(908), {VRT, SIMM5}, L203, VMX, 0, vspltis<uint32_t>),
        row("vpkuhum", vx(14), V3, L203, VMX, 0, whole2s<vpk<uint16_t, uint8_t, Pk::Mod>>),
        row("vpkuwum", vx(78), V3, L203, VMX, 0, whole2s<vpk<uint32_t, uint16_t, Pk::Mod>>),
        row("vpkudum", vx(1102), V3, L207, VMX, 0, whole2s<vpk<uint64_t, uint32_t, Pk::Mod>>),
        row("vpkuhus", vx(142), V3, L203, VMX, 0, whole2s<vpk<uint16_t, uint8_t, Pk::Sat>>),
        row("vpkuwus", vx(206), V3, L203, VMX, 0, whole2s<vpk<uint32_t, uint16_t, Pk::Sat>>),
        row("vpkudus", vx(1230), V3, L207, VMX, 0, whole2s<vpk<uint64_t, uint32_t, Pk::Sat>>),
        row("vpkshus", vx(270), V3, L203, VMX, 0, whole2s<vpk<int16_t, uint8_t, Pk::Sat>>),
        row("vpkswus", vx(334), V3, L203, VMX, 0, whole2s<vpk<int32_t, uint16_t, Pk::Sat>>),
        row("vpksdus", vx(1358), V3, L207, VMX, 0, whole2s<vpk<int64_t, uint32_t, Pk::Sat>>),
        row("vpkshss", vx(398), V3, L203, VMX, 0, whole2s<vpk<int16_t, int8_t, Pk::Sat>>),
        row("vpkswss", vx(462), V3, L203, VMX, 0, whole2s<vpk<int32_t, int16_t, Pk::Sat>>),
        row("vpksdss", vx(1486), V3, L207, VMX, 0, whole2s<vpk<int64_t, int32_t, Pk::Sat>>),
        row("vpkpx", vx(782), V3, L203, VMX, 0, whole2<vpkpx>),
        row("vupkhsb", vx(526), V2B, L203, VMX, 0, whole1<vupk<int8_t, int16_t, false>>),
        row("vupkhsh", vx(590), V2B, L203, VMX, 0, whole1<vupk<int16_t, int32_t, false>>),
        row("vupkhsw", vx(1614), V2B, L207, VMX, 0, whole1<vupk<int32_t, int64_t, false>>),
        row("vupklsb", vx(654), V2B, L203, VMX, 0, whole1<vupk<int8_t, int16_t, true>>),
        row("vupklsh", vx(718), V2B, L203, VMX, 0, whole1<vupk<int16_t, int32_t, true>>),
        row("vupklsw", vx(1742), V2B, L207, VMX, 0, whole1<vupk<int32_t, int64_t, true>>),
        row("vupkhpx", vx(846), V2B, L203, VMX, 0, whole1<vupkpx<false>>),
        row("vupklpx", vx(974), V2B, L203, VMX, 0, whole1<vupkpx<true>>),
        row("vgbbd", vx(1292), V2B, L207, VMX, 0, whole1<vgbbd>),
        row("vbpermq", vx(1356), V3, L207, VMX, 0, whole2<vbpermq>),
        row("vbpermd", vx(1484), V3, L300, VMX, 0, whole2<vbpermd>),
        row("vextractub", vx(525), {VRT, VRB, UIMM4}, L300, VMX, 0, vextract<1>),
        row("vextractuh", vx(589), {VRT, VRB, UIMM4}, L300, VMX, 0, vextract<2>),
        row("vextractuw", vx(653), {VRT, VRB, UIMM4}, L300, VMX, 0, vextract<4>),
        row("vextractd", vx(717), {VRT, VRB, UIMM4}, L300, VMX, 0, vextract<8>),
        row("vinsertb", vx(781), {VRT, VRB, UIMM4}, L300, VMX, 0, vinsert<1>),
        row("vinserth", vx(845), {VRT, VRB, UIMM4}, L300, VMX, 0, vinsert<2>),
        row("vinsertw", vx(909), {VRT, VRB, UIMM4}, L300, VMX, 0, vinsert<4>),
        row("vinsertd", vx(973), {VRT, VRB, UIMM4}, L300, VMX, 0, vinsert<8>),
        row("vextublx", vx(1549), {RT, RA, VRB}, L300, VMX, 0, vextux<1, false>),
        row("vextuhlx", vx(1613), {RT, RA, VRB}, L300, VMX, 0, vextux<2, false>),
        row("vextuwlx", vx(1677), {RT, RA, VRB}, L300, VMX, 0, vextux<4, false>),
        row("vextubrx", vx(1805), {RT, RA, VRB}, L300, VMX, 0, vextux<1, true>),
        row("vextuhrx", vx(1869), {RT, RA, VRB}, L300, VMX, 0, vextux<2, true>),
        row("vextuwrx", vx(1933), {RT, RA, VRB}, L300, VMX, 0, vextux<4, true>),
        row("vextdubvlx", va(24), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<1, false>),
        row("vextdubvrx", va(25), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<1, true>),
        row("vextduhvlx", va(26), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<2, false>),
        row("vextduhvrx", va(27), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<2, true>),
        row("vextduwvlx", va(28), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<4, false>),
        row("vextduwvrx", va(29), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<4, true>),
        row("vextddvlx", va(30), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<8, false>),
        row("vextddvrx", va(31), {VRT, VRA, VRB, RC}, L310, VMX, 0, vextdx<8, true>),
        row("vinsblx", vx(527), {VRT, RA, RB}, L310, VMX, 0, vinsx<1, false>),
        row("vinshlx", vx(591), {VRT, RA, RB}, L310, VMX, 0, vinsx<2, false>),
        row("vinswlx", vx(655), {VRT, RA, RB}, L310, VMX, 0, vinsx<4, false>),
        row("vinsdlx", vx(719), {VRT, RA, RB}, L310, VMX, 0, vinsx<8, false>),
        row("vinsbrx", vx(783), {VRT, RA, RB}, L310, VMX, 0, vinsx<1, true>),
        row("vinshrx", vx(847), {VRT, RA, RB}, L310, VMX, 0, vinsx<2, true>),
        row("vinswrx", vx(911), {VRT, RA, RB}, L310, VMX, 0, vinsx<4, true>),
        row("vinsdrx", vx(975), {VRT, RA, RB}, L310, VMX, 0, vinsx<8, true>),
        row("vinsbvlx", vx(15), {VRT, RA, VRB}, L310, VMX, 0, vinsvx<1, false>),
        row("vinshvlx", vx(79), {VRT, RA, VRB}, L310, VMX, 0, vinsvx<2, false>),
        row("vinswvlx", vx(143), {VRT, RA, VRB}, L310, VMX, 0, vinsvx<4, false>),
        row("vinsbvrx", vx(271), {VRT, RA, VRB}, L310, VMX, 0, vinsvx<1, true>),
        row("vinshvrx", vx(335), {VRT, RA, VRB}, L310, VMX, 0, vinsvx<2, true>),
        row("vinswvrx", vx(399), {VRT, RA, VRB}, L310, VMX, 0, vinsvx<4, true>),
        row("vinsw", vx(207), {VRT, RB, UIMM4}, L310, VMX, 0, vinsgpr<4>),
        row("vinsd", vx(463), {VRT, RB, UIMM4}, L310, VMX, 0, vinsgpr<8>),
        // Count, parity, negate, sign extension (VX 1538: sub-opcode in the VRA field)
        row("vclzb", vx(1794), V2B, L207, VMX, 0, ew1<uint8_t, clz<uint8_t>>),
        row("vclzh", vx(1858), V2B, L207, VMX, 0, ew1<uint16_t, clz<uint16_t>>),
        row("vclzw", vx(1922), V2B, L207, VMX, 0, ew1<uint32_t, clz<uint32_t>>),
        row("vclzd", vx(1986), V2B, L207, VMX, 0, ew1<uint64_t, clz<uint64_t>>),
        row("vpopcntb", vx(1795), V2B, L207, VMX, 0, ew1<uint8_t, popcnt<uint8_t>>),
        row("vpopcnth", vx(1859), V2B, L207, VMX, 0, ew1<uint16_t, popcnt<uint16_t>>),
        row("vpopcntw", vx(1923), V2B, L207, VMX, 0, ew1<uint32_t, popcnt<uint32_t>>),
        row("vpopcntd", vx(1987), V2B, L207, VMX, 0, ew1<uint64_t, popcnt<uint64_t>>),
        row("vclzlsbb", vx(1538) | (0u << 16), {RT, VRB}, L300, VMX, 0, vcntlsbb<false>),
        row("vctzlsbb", vx(1538) | (1u << 16), {RT, VRB}, L300, VMX, 0, vcntlsbb<true>),
        row("vnegw", vx(1538) | (6u << 16), V2B, L300, VMX, 0, ew1<uint32_t, neg<uint32_t>>),
        row("vnegd", vx(1538) | (7u << 16), V2B, L300, VMX, 0, ew1<uint64_t, neg<uint64_t>>),
        row("vprtybw", vx(1538) | (8u << 16), V2B, L300, VMX, 0, ew1<uint32_t, prty<uint32_t>>),
        row("vprtybd", vx(1538) | (9u << 16), V2B, L300, VMX, 0, ew1<uint64_t, prty<uint64_t>>),
        row("vprtybq", vx(1538) | (10u << 16), V2B, L300, VMX, 0, whole1<vprtybq>),
        row("vextsb2w", vx(1538) | (16u << 16), V2B, L300, VMX, 0, ew1<uint32_t, exts<int8_t, uint32_t>>),
        row("vextsh2w", vx(1538) | (17u << 16), V2B, L300, VMX, 0, ew1<uint32_t, exts<int16_t, uint32_t>>),
        row("vextsb2d", vx(1538) | (24u << 16), V2B, L300, VMX, 0, ew1<uint64_t, exts<int8_t, uint64_t>>),
        row("vextsh2d", vx(1538) | (25u << 16), V2B, L300, VMX, 0, ew1<uint64_t, exts<int16_t, uint64_t>>),
        row("vextsw2d", vx(1538) | (26u << 16), V2B, L300, VMX, 0, ew1<uint64_t, exts<int32_t, uint64_t>>),
        row("vextsd2q", vx(1538) | (27u << 16), V2B, L310, VMX, 0, whole1<vextsd2q>),
        row("vctzb", vx(1538) | (28u << 16), V2B, L300, VMX, 0, ew1<uint8_t, ctz<uint8_t>>),
        row("vctzh", vx(1538) | (29u << 16), V2B, L300, VMX, 0, ew1<uint16_t, ctz<uint16_t>>),
        row("vctzw", vx(1538) | (30u << 16), V2B, L300, VMX, 0, ew1<uint32_t, ctz<uint32_t>>),
        row("vctzd", vx(1538) | (31u << 16), V2B, L300, VMX, 0, ew1<uint64_t, ctz<uint64_t>>),
        row("vclzdm", vx(1924), V3, L310, VMX, 0, ew2<uint64_t, clzdm>),
        row("vctzdm", vx(1988), V3, L310, VMX, 0, ew2<uint64_t, ctzdm>),
        row("vpdepd", vx(1485), V3, L310, VMX, 0, ew2<uint64_t, pdep>),
        row("vpextd", vx(1421), V3, L310, VMX, 0, ew2<uint64_t, pext>),
        row("vcfuged", vx(1357), V3, L310, VMX, 0, ew2<uint64_t, cfuge>),
        row("vgnb", vx(1228), {RT, VRB, UIMM3}, L310, VMX, 0, vgnb),
        // Masks (VX 1602: sub-opcode in the VRA field)
        row("vexpandbm", vx(1602) | (0u << 16), V2B, L310, VMX, 0, whole1<vexpandm<uint8_t>>),
        row("vexpandhm", vx(1602) | (1u << 16), V2B, L310, VMX, 0, whole1<vexpandm<uint16_t>>),
        row("vexpandwm", vx(1602) | (2u << 16), V2B, L310, VMX, 0, whole1<vexpandm<uint32_t>>),
        row("vexpanddm", vx(1602) | (3u << 16), V2B, L310, VMX, 0, whole1<vexpandm<uint64_t>>),
        row("vexpandqm", vx(1602) | (4u << 16), V2B, L310, VMX, 0, whole1<vexpandqm>),
        row("vextractbm", vx(1602) | (8u << 16), {RT, VRB}, L310, VMX, 0, vextractm<uint8_t>),
        row("vextracthm", vx(1602) | (9u << 16), {RT, VRB}, L310, VMX, 0, vextractm<uint16_t>),
        row("vextractwm", vx(1602) | (10u << 16), {RT, VRB}, L310, VMX, 0, vextractm<uint32_t>),
        row("vextractdm", vx(1602) | (11u << 16), {RT, VRB}, L310, VMX, 0, vextractm<uint64_t>),
        row("vextractqm", vx(1602) | (12u << 16), {RT, VRB}, L310, VMX, 0, vextractqm),
        row("mtvsrbm", vx(1602) | (16u << 16), {VRT, RB}, L310, VMX, 0, mtvsrm<uint8_t>),
        row("mtvsrhm", vx(1602) | (17u << 16), {VRT, RB}, L310, VMX, 0, mtvsrm<uint16_t>),
        row("mtvsrwm", vx(1602) | (18u << 16), {VRT, RB}, L310, VMX, 0, mtvsrm<uint32_t>),
        row("mtvsrdm", vx(1602) | (19u << 16), {VRT, RB}, L310, VMX, 0, mtvsrm<uint64_t>),
        row("mtvsrqm", vx(1602) | (20u << 16), {VRT, RB}, L310, VMX, 0, mtvsrqm),
        row("vcntmbb", vx(1602) | (12u << 17), {RT, VRB, W}, L310, VMX, 0, vcntmb<uint8_t>),
        row("vcntmbh", vx(1602) | (13u << 17), {RT, VRB, W}, L310, VMX, 0, vcntmb<uint16_t>),
        row("vcntmbw", vx(1602) | (14u << 17), {RT, VRB, W}, L310, VMX, 0, vcntmb<uint32_t>),
        row("vcntmbd", vx(1602) | (15u << 17), {RT, VRB, W}, L310, VMX, 0, vcntmb<uint64_t>),
        // mtvsrbmi VRT,bm: the 16-bit bm is split over bits 11-25 and 31 (DX form, XO 10).
        row("mtvsrbmi", isa::op(4) | (10u << 1), {VRT}, L310, VMX, 0, mtvsrbmi, Privilege::Problem,
            0x001FFFC1),
        // Strings (3.1)
        row("vstribl", vx(13) | (0u << 16), V2B, L310, VMX, 0, vstri<uint8_t, false>),
        row("vstribl.", vx(13) | (0u << 16) | 0x400, V2B, L310, VMX, 0, vstri<uint8_t, false>),
        row("vstribr", vx(13) | (1u << 16), V2B, L310, VMX, 0, vstri<uint8_t, true>),
        row("vstribr.", vx(13) | (1u << 16) | 0x400, V2B, L310, VMX, 0, vstri<uint8_t, true>),
        row("vstrihl", vx(13) | (2u << 16), V2B, L310, VMX, 0, vstri<uint16_t, false>),
        row("vstrihl.", vx(13) | (2u << 16) | 0x400, V2B, L310, VMX, 0, vstri<uint16_t, false>),
        row("vstrihr", vx(13) | (3u << 16), V2B, L310, VMX, 0, vstri<uint16_t, true>),
        row("vstrihr.", vx(13) | (3u << 16) | 0x400, V2B, L310, VMX, 0, vstri<uint16_t, true>),
        row("vclrlb", vx(397), {VRT, VRA, RB}, L310, VMX, 0, vclrb<false>),
        row("vclrrb", vx(461), {VRT, VRA, RB}, L310, VMX, 0, vclrb<true>),
        // Carry-less multiply and crypto (2.07)
        row("vpmsumb", vx(1032), V3, L207, VMX, 0, whole2<vpmsum<uint8_t, uint16_t>>),
        row("vpmsumh", vx(1096), V3, L207, VMX, 0, whole2<vpmsum<uint16_t, uint32_t>>),
        row("vpmsumw", vx(1160), V3, L207, VMX, 0, whole2<vpmsum<uint32_t, uint64_t>>),
        row("vpmsumd", vx(1224), V3, L207, VMX, 0, whole2<vpmsumd>),
        row("vcipher", vx(1288), V3, L207, VMX, 0, whole2<vcipher>),
        row("vcipherlast", vx(1289), V3, L207, VMX, 0, whole2<vcipherlast>),
        row("vncipher", vx(1352), V3, L207, VMX, 0, whole2<vncipher>),
        row("vncipherlast", vx(1353), V3, L207, VMX, 0, whole2<vncipherlast>),
        row("vsbox", vx(1480), {VRT, VRA}, L207, VMX, 0, whole1a<vsbox>),
        // ST (bit 16) and SIX (bits 17-20) have no operand kind yet: left free in the mask.
        row("vshasigmaw", vx(1666), {VRT, VRA}, L207, VMX, 0, vshasigmaw, Privilege::Problem, 0xF800),
        row("vshasigmad", vx(1730), {VRT, VRA}, L207, VMX, 0, vshasigmad, Privilege::Problem, 0xF800),
        // Floating point
        row("vaddfp", vx(10), V3, L203, VMX, 0, fp2<f_add>),
        row("vsubfp", vx(74), V3, L203, VMX, 0, fp2<f_sub>),
        row("vmaxfp", vx(1034), V3, L203, VMX, 0, fp2<f_max>),
        row("vminfp", vx(1098), V3, L203, VMX, 0, fp2<f_min>),
        row("vmaddfp", va(46), {VRT, VRA, VRC, VRB}, L203, VMX, 0, fmadd<false>),
        row("vnmsubfp", va(47), {VRT, VRA, VRC, VRB}, L203, VMX, 0, fmadd<true>),
        row("vrefp", vx(266), V2B, L203, VMX, 0, fp1<f_re>),
        row("vrsqrtefp", vx(330), V2B, L203, VMX, 0, fp1<f_rsqrte>),
        row("vexptefp", vx(394), V2B, L203, VMX, 0, fp1<f_expte>),
        row("vlogefp", vx(458), V2B, L203, VMX, 0, fp1<f_loge>),
        row("vrfin", vx(522), V2B, L203, VMX, 0, fp1<f_rfi<0>>),
        row("vrfiz", vx(586), V2B, L203, VMX, 0, fp1<f_rfi<1>>),
        row("vrfip", vx(650), V2B, L203, VMX, 0, fp1<f_rfi<2>>),
        row("vrfim", vx(714), V2B, L203, VMX, 0, fp1<f_rfi<3>>),
        row("vcfux", vx(778), {VRT, VRB, UIMM5}, L203, VMX, 0, vcfx<false>),
        row("vcfsx", vx(842), {VRT, VRB, UIMM5}, L203, VMX, 0, vcfx<true>),
        row("vctuxs", vx(906), {VRT, VRB, UIMM5}, L203, VMX, 0, vctxs<false>),
        row("vctsxs", vx(970), {VRT, VRB, UIMM5}, L203, VMX, 0, vctxs<true>),
        // Quadword compares into a CR field (3.1)
        row("vcmpuq", vx(257), {BF, VRA, VRB}, L310, VMX, 0, vcmpq_cr<false>),
        row("vcmpsq", vx(321), {BF, VRA, VRB}, L310, VMX, 0, vcmpq_cr<true>),
    };
    // Compares (VC form: Rc in bit 21 gives the '.' form that sets CR6)
    vcrow("vcmpequb", "vcmpequb.", 6, L203, vcmp<uint8_t, p_eq<uint8_t>>, t);
    vcrow("vcmpequh", "vcmpequh.", 70, L203, vcmp<uint16_t, p_eq<uint16_t>>, t);
    vcrow("vcmpequw", "vcmpequw.", 134, L203, vcmp<uint32_t, p_eq<uint32_t>>, t);
    vcrow("vcmpequd", "vcmpequd.", 199, L207, vcmp<uint64_t, p_eq<uint64_t>>, t);
    vcrow("vcmpequq", "vcmpequq.", 455, L310, vcmp<u128, p_eq<u128>>, t);
    vcrow("vcmpgtub", "vcmpgtub.", 518, L203, vcmp<uint8_t, p_gt<uint8_t>>, t);
    vcrow("vcmpgtuh", "vcmpgtuh.", 582, L203, vcmp<uint16_t, p_gt<uint16_t>>, t);
    vcrow("vcmpgtuw", "vcmpgtuw.", 646, L203, vcmp<uint32_t, p_gt<uint32_t>>, t);
    vcrow("vcmpgtud", "vcmpgtud.", 711, L207, vcmp<uint64_t, p_gt<uint64_t>>, t);
    vcrow("vcmpgtuq", "vcmpgtuq.", 647, L310, vcmp<u128, p_gt<u128>>, t);
    vcrow("vcmpgtsb", "vcmpgtsb.", 774, L203, vcmp<int8_t, p_gt<int8_t>>, t);
    vcrow("vcmpgtsh", "vcmpgtsh.", 838, L203, vcmp<int16_t, p_gt<int16_t>>, t);
    vcrow("vcmpgtsw", "vcmpgtsw.", 902, L203, vcmp<int32_t, p_gt<int32_t>>, t);
    vcrow("vcmpgtsd", "vcmpgtsd.", 967, L207, vcmp<int64_t, p_gt<int64_t>>, t);
    vcrow("vcmpgtsq", "vcmpgtsq.", 903, L310, vcmp<s128, p_gt<s128>>, t);
    vcrow("vcmpneb", "vcmpneb.", 7, L300, vcmp<uint8_t, p_ne<uint8_t>>, t);
    vcrow("vcmpneh", "vcmpneh.", 71, L300, vcmp<uint16_t, p_ne<uint16_t>>, t);
    vcrow("vcmpnew", "vcmpnew.", 135, L300, vcmp<uint32_t, p_ne<uint32_t>>, t);
    vcrow("vcmpnezb", "vcmpnezb.", 263, L300, vcmp<uint8_t, p_nez<uint8_t>>, t);
    vcrow("vcmpnezh", "vcmpnezh.", 327, L300, vcmp<uint16_t, p_nez<uint16_t>>, t);
    vcrow("vcmpnezw", "vcmpnezw.", 391, L300, vcmp<uint32_t, p_nez<uint32_t>>, t);
    vcrow("vcmpeqfp", "vcmpeqfp.", 198, L203, vcmpfp<0>, t);
    vcrow("vcmpgefp", "vcmpgefp.", 454, L203, vcmpfp<1>, t);
    vcrow("vcmpgtfp", "vcmpgtfp.", 710, L203, vcmpfp<2>, t);
    vcrow("vcmpbfp", "vcmpbfp.", 966, L203, vcmpfp<3>, t);
    return t;
}

const std::vector<InsnSpec>& rows() {
    static const std::vector<InsnSpec> t = build_rows();
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_vmx() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
