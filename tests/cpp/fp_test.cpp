// Binary floating point: the FP core (rounding in every mode and format, exceptions, NaN rules,
// FPRF) checked against known answers and the host's IEEE arithmetic, and the FP/VSX
// instructions executed on a bare CPU (FPSCR, CR1/CR6, enabled-exception Program interrupts).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>

#include "bare_cpu.hpp"
#include "cpu/insns/fpu.hpp"

using namespace ppcmig;
namespace fpu = ppcmig::cpu::fpu;
namespace fs = ppcmig::cpu::fpscr;
using fpu::Rnd;

namespace {

uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }
double dbl(uint64_t b) { return std::bit_cast<double>(b); }
uint32_t fbits(float f) { return std::bit_cast<uint32_t>(f); }

fpu::Env env(Rnd m) { return {m, false, false}; }

constexpr uint64_t kMax = 0x7FEFFFFFFFFFFFFFull;
constexpr uint64_t kMinNormal = 0x0010000000000000ull;
constexpr uint64_t kInf = 0x7FF0000000000000ull;
constexpr uint64_t kQNaN = 0x7FF8000000000000ull;
constexpr uint64_t kSNaN = 0x7FF4000000000001ull;

bool has(uint64_t exc, uint64_t bit) { return (exc & bit) != 0; }

// ---------------------------------------------------------------- core: rounding

TEST(FpuCore, OneThirdInEveryModeAndFormat) {
    const uint64_t one = bits(1.0), three = bits(3.0);
    const auto rn = fpu::div(env(Rnd::Nearest), one, three, fpu::kF64);
    const auto rz = fpu::div(env(Rnd::Zero), one, three, fpu::kF64);
    const auto rp = fpu::div(env(Rnd::Up), one, three, fpu::kF64);
    const auto rm = fpu::div(env(Rnd::Down), one, three, fpu::kF64);
    EXPECT_EQ(rn.v, 0x3FD5555555555555ull);
    EXPECT_EQ(rz.v, 0x3FD5555555555555ull);
    EXPECT_EQ(rp.v, 0x3FD5555555555556ull);
    EXPECT_EQ(rm.v, 0x3FD5555555555555ull);
    EXPECT_TRUE(rn.fi && !rn.fr && has(rn.exc, fs::XX));
    EXPECT_TRUE(rp.fi && rp.fr);
    // Single precision: 1/3 = 0x3EAAAAAB (RN rounds up), as a double.
    const auto sn = fpu::div(env(Rnd::Nearest), one, three, fpu::kF32);
    const auto sz = fpu::div(env(Rnd::Zero), one, three, fpu::kF32);
    EXPECT_EQ(sn.v, bits(static_cast<double>(std::bit_cast<float>(0x3EAAAAABu))));
    EXPECT_EQ(sz.v, bits(static_cast<double>(std::bit_cast<float>(0x3EAAAAAAu))));
    EXPECT_TRUE(sn.fr);
    EXPECT_FALSE(sz.fr);
    // -1/3 in RM rounds away from zero.
    const auto nm = fpu::div(env(Rnd::Down), bits(-1.0), three, fpu::kF64);
    EXPECT_EQ(nm.v, 0xBFD5555555555556ull);
}

TEST(FpuCore, SinglePrecisionResultsAreRoundedOnce) {
    // 1 + (2^-24 + 2^-60): rounding to double first gives 1 + 2^-24, a tie that then rounds to
    // 1.0 in single; the exact sum is above the tie, so a single rounding gives 1 + 2^-23.
    const double small = std::ldexp(1.0, -24) + std::ldexp(1.0, -60);
    const double want = 1.0 + std::ldexp(1.0, -23);
    EXPECT_EQ(fpu::add(env(Rnd::Nearest), bits(1.0), bits(small), fpu::kF32).v, bits(want));
    // The same through the fused multiply-add: 1*1 + small.
    EXPECT_EQ(fpu::fma(env(Rnd::Nearest), bits(1.0), bits(1.0), bits(small), false, fpu::kF32).v, bits(want));
    // And frsp of a double that is not representable in single rounds directly.
    const double d = 1.0 + std::ldexp(1.0, -24) + std::ldexp(1.0, -52);
    EXPECT_EQ(fpu::round_to(env(Rnd::Nearest), bits(d), fpu::kF32).v, bits(want));
}

TEST(FpuCore, SignOfExactZeroFollowsRoundingMode) {
    EXPECT_EQ(fpu::sub(env(Rnd::Nearest), bits(2.5), bits(2.5), fpu::kF64).v, bits(0.0));
    EXPECT_EQ(fpu::sub(env(Rnd::Down), bits(2.5), bits(2.5), fpu::kF64).v, bits(-0.0));
    EXPECT_EQ(fpu::add(env(Rnd::Nearest), bits(-0.0), bits(-0.0), fpu::kF64).v, bits(-0.0));
    EXPECT_EQ(fpu::fma(env(Rnd::Down), bits(2.0), bits(3.0), bits(6.0), true, fpu::kF64).v, bits(-0.0));
    EXPECT_EQ(fpu::sqrt(env(Rnd::Nearest), bits(-0.0), fpu::kF64).v, bits(-0.0));
}

// ---------------------------------------------------------------- core: exceptions

TEST(FpuCore, InvalidOperationsGiveTheDefaultNaNAndTheirCause) {
    const auto e = env(Rnd::Nearest);
    const auto isi = fpu::sub(e, kInf, kInf, fpu::kF64);
    EXPECT_EQ(isi.v, kQNaN);
    EXPECT_EQ(isi.exc, fs::VXISI);
    EXPECT_EQ(fpu::mul(e, bits(0.0), kInf, fpu::kF64).exc, fs::VXIMZ);
    EXPECT_EQ(fpu::div(e, bits(0.0), bits(-0.0), fpu::kF64).exc, fs::VXZDZ);
    EXPECT_EQ(fpu::div(e, kInf, kInf | fpu::kSign, fpu::kF64).exc, fs::VXIDI);
    const auto sq = fpu::sqrt(e, bits(-1.0), fpu::kF64);
    EXPECT_EQ(sq.v, kQNaN);
    EXPECT_EQ(sq.exc, fs::VXSQRT);
    EXPECT_EQ(fpu::fma(e, kInf, bits(1.0), kInf | fpu::kSign, false, fpu::kF64).exc, fs::VXISI);
    // An SNaN operand is quieted and signals VXSNAN; the result keeps its payload.
    const auto sn = fpu::add(e, bits(1.0), kSNaN, fpu::kF64);
    EXPECT_EQ(sn.v, kSNaN | fpu::kQuietBit);
    EXPECT_EQ(sn.exc, fs::VXSNAN);
    // Zero divide is not an invalid operation.
    const auto zd = fpu::div(e, bits(-3.0), bits(0.0), fpu::kF64);
    EXPECT_EQ(zd.v, kInf | fpu::kSign);
    EXPECT_EQ(zd.exc, fs::ZX);
}

TEST(FpuCore, NaNPrecedenceIsOperandOrderAThenBThenC) {
    const auto e = env(Rnd::Nearest);
    const uint64_t qa = 0x7FF8000000000AAAull, qb = 0xFFF8000000000BBBull, qc = 0x7FF8000000000CCCull;
    EXPECT_EQ(fpu::add(e, qa, qb, fpu::kF64).v, qa);
    EXPECT_EQ(fpu::add(e, bits(1.0), qb, fpu::kF64).v, qb);
    // fma(a, c, b) = a*c + b: precedence a, b, c (FRA, FRB, FRC).
    EXPECT_EQ(fpu::fma(e, bits(1.0), qc, qb, false, fpu::kF64).v, qb);
    EXPECT_EQ(fpu::fma(e, bits(1.0), qc, bits(2.0), false, fpu::kF64).v, qc);
    EXPECT_EQ(fpu::fma(e, qa, qc, qb, false, fpu::kF64).v, qa);
    // A QNaN first still yields VXSNAN for a later SNaN operand.
    const auto r = fpu::mul(e, qa, kSNaN, fpu::kF64);
    EXPECT_EQ(r.v, qa);
    EXPECT_EQ(r.exc, fs::VXSNAN);
    // inf*0 with a QNaN addend: the addend propagates and VXIMZ is still signalled.
    const auto imz = fpu::fma(e, kInf, bits(0.0), qb, false, fpu::kF64);
    EXPECT_EQ(imz.v, qb);
    EXPECT_EQ(imz.exc, fs::VXIMZ);
    // Negated results keep a NaN's sign (fnmadd).
    EXPECT_EQ(fpu::negate_result(qa), qa);
    EXPECT_EQ(fpu::negate_result(bits(2.0)), bits(-2.0));
}

TEST(FpuCore, OverflowByRoundingMode) {
    for (auto [m, pos, neg] : {std::tuple{Rnd::Nearest, kInf, kInf | fpu::kSign},
                               std::tuple{Rnd::Zero, kMax, kMax | fpu::kSign},
                               std::tuple{Rnd::Up, kInf, kMax | fpu::kSign},
                               std::tuple{Rnd::Down, kMax, kInf | fpu::kSign}}) {
        const auto p = fpu::mul(env(m), kMax, bits(2.0), fpu::kF64);
        const auto n = fpu::mul(env(m), kMax, bits(-2.0), fpu::kF64);
        EXPECT_EQ(p.v, pos);
        EXPECT_EQ(n.v, neg);
        EXPECT_EQ(p.exc, fs::OX | fs::XX);
        EXPECT_TRUE(p.fi);
    }
    // Single precision overflows at its own range.
    const auto s = fpu::mul(env(Rnd::Zero), bits(3e38), bits(2.0), fpu::kF32);
    EXPECT_EQ(s.v, bits(static_cast<double>(std::numeric_limits<float>::max())));
    EXPECT_TRUE(has(s.exc, fs::OX));
}

TEST(FpuCore, EnabledOverflowAndUnderflowDeliverExponentAdjustedResults) {
    const fpu::Env oe{Rnd::Nearest, true, false}, ue{Rnd::Nearest, false, true};
    const auto o = fpu::mul(oe, kMax, bits(4.0), fpu::kF64);
    EXPECT_EQ(o.exc, fs::OX);
    EXPECT_EQ(o.v, bits(std::ldexp(dbl(kMax), 2 - 1536)));
    const auto os = fpu::mul(oe, bits(3e38), bits(4.0), fpu::kF32);
    EXPECT_EQ(os.v, bits(static_cast<double>(static_cast<float>(std::ldexp(3e38 * 4.0, -192)))));
    // Tiny but exact: disabled underflow does not signal UX, enabled underflow does.
    const uint64_t tiny = bits(std::ldexp(1.0, -1070));
    const auto d = fpu::mul(env(Rnd::Nearest), tiny, bits(0.5), fpu::kF64);
    EXPECT_EQ(d.v, bits(std::ldexp(1.0, -1071)));
    EXPECT_EQ(d.exc, 0u);
    const auto u = fpu::mul(ue, tiny, bits(0.5), fpu::kF64);
    EXPECT_EQ(u.exc, fs::UX);
    EXPECT_EQ(u.v, bits(std::ldexp(1.0, -1071 + 1536)));
}

TEST(FpuCore, UnderflowIsDetectedBeforeRounding) {
    // (1 - 2^-53) * 2^-1022 is tiny; it rounds (a tie, to even) up to 2^-1022. The Power ISA
    // detects tininess before rounding, so UX is set although the result is normal.
    const auto r = fpu::mul(env(Rnd::Nearest), 0x3FEFFFFFFFFFFFFFull, kMinNormal, fpu::kF64);
    EXPECT_EQ(r.v, kMinNormal);
    EXPECT_EQ(r.exc, fs::UX | fs::XX);
    EXPECT_TRUE(r.fi && r.fr);
    // Underflow to zero with loss of accuracy.
    const auto z = fpu::mul(env(Rnd::Nearest), kMinNormal, bits(1e-300), fpu::kF64);
    EXPECT_EQ(z.v, 0u);
    EXPECT_EQ(z.exc, fs::UX | fs::XX);
    // Denormal results keep gradual underflow.
    const auto g = fpu::div(env(Rnd::Nearest), kMinNormal, bits(3.0), fpu::kF64);
    EXPECT_EQ(g.v, bits(dbl(kMinNormal) / 3.0));
    EXPECT_TRUE(fpu::is_denorm(g.v));
}

TEST(FpuCore, FprfClasses) {
    using fpu::kF32;
    using fpu::kF64;
    EXPECT_EQ(fpu::fprf_of(kQNaN, kF64), 0x11u);
    EXPECT_EQ(fpu::fprf_of(kInf | fpu::kSign, kF64), 0x09u);
    EXPECT_EQ(fpu::fprf_of(bits(-1.5), kF64), 0x08u);
    EXPECT_EQ(fpu::fprf_of(0x800FFFFFFFFFFFFFull, kF64), 0x18u);
    EXPECT_EQ(fpu::fprf_of(bits(-0.0), kF64), 0x12u);
    EXPECT_EQ(fpu::fprf_of(bits(0.0), kF64), 0x02u);
    EXPECT_EQ(fpu::fprf_of(1, kF64), 0x14u);
    EXPECT_EQ(fpu::fprf_of(bits(2.0), kF64), 0x04u);
    EXPECT_EQ(fpu::fprf_of(kInf, kF64), 0x05u);
    // Single-precision results are classified in single format: 1e-40 is a single denormal.
    EXPECT_EQ(fpu::fprf_of(bits(1e-40), kF32), 0x14u);
    EXPECT_EQ(fpu::fprf_of(bits(1e-40), kF64), 0x04u);
}

TEST(FpuCore, ConvertToIntegerSaturatesWithVXCVI) {
    auto cvt = [](double d, unsigned b, bool s, Rnd m = Rnd::Zero) { return fpu::to_int(bits(d), b, s, m); };
    EXPECT_EQ(cvt(1e10, 32, true).v, 0x7FFFFFFFu);
    EXPECT_EQ(cvt(1e10, 32, true).exc, fs::VXCVI);
    EXPECT_EQ(cvt(-1e10, 32, true).v, static_cast<uint64_t>(int64_t{INT32_MIN}));
    EXPECT_EQ(cvt(-1.0, 64, false).v, 0u);
    EXPECT_EQ(cvt(-1.0, 64, false).exc, fs::VXCVI);
    // -0.4 truncates to -0 = 0: inexact, not invalid.
    EXPECT_EQ(cvt(-0.4, 32, false).v, 0u);
    EXPECT_EQ(cvt(-0.4, 32, false).exc, fs::XX);
    EXPECT_EQ(cvt(1e30, 64, false).v, ~uint64_t(0));
    EXPECT_EQ(fpu::to_int(kInf, 64, true, Rnd::Zero).v, 0x7FFFFFFFFFFFFFFFull);
    const auto nan = fpu::to_int(kSNaN, 64, true, Rnd::Zero);
    EXPECT_EQ(nan.v, 0x8000000000000000ull);
    EXPECT_EQ(nan.exc, fs::VXCVI | fs::VXSNAN);
    EXPECT_EQ(fpu::to_int(kQNaN, 32, false, Rnd::Zero).v, 0u);
    // The range check applies to the rounded value: 2^31 - 0.5 rounds (to even) to 2^31.
    EXPECT_EQ(cvt(2147483647.5, 32, true, Rnd::Nearest).exc, fs::VXCVI);
    EXPECT_EQ(cvt(2147483647.5, 32, true, Rnd::Zero).v, 0x7FFFFFFFu);
    EXPECT_EQ(cvt(-2147483648.4, 32, true, Rnd::Nearest).v, static_cast<uint64_t>(int64_t{INT32_MIN}));
    EXPECT_EQ(cvt(2.5, 64, true, Rnd::Nearest).v, 2u);
    EXPECT_EQ(cvt(-2.5, 64, true, Rnd::Down).v, static_cast<uint64_t>(int64_t{-3}));
}

TEST(FpuCore, RoundToIntegralModes) {
    EXPECT_EQ(fpu::round_int(bits(2.5), Rnd::NearAway).v, bits(3.0));
    EXPECT_EQ(fpu::round_int(bits(-2.5), Rnd::NearAway).v, bits(-3.0));
    EXPECT_EQ(fpu::round_int(bits(2.5), Rnd::Nearest).v, bits(2.0));
    EXPECT_EQ(fpu::round_int(bits(-0.5), Rnd::Up).v, bits(-0.0));
    EXPECT_EQ(fpu::round_int(bits(0.25), Rnd::Down).v, bits(0.0));
    EXPECT_EQ(fpu::round_int(kSNaN, Rnd::Zero).exc, fs::VXSNAN);
}

TEST(FpuCore, StorageFormatConversions) {
    // lfs keeps an SNaN signalling; stfs selects bits (no rounding) and denormalises.
    EXPECT_EQ(fpu::single_to_double(0x7FA00000u), 0x7FF4000000000000ull);
    EXPECT_EQ(fpu::single_to_double(0x00000001u), bits(std::ldexp(1.0, -149)));
    EXPECT_EQ(fpu::double_to_single_store(bits(std::ldexp(1.0, -149))), 1u);
    EXPECT_EQ(fpu::double_to_single_store(bits(1.0 + std::ldexp(1.0, -30))), fbits(1.0f));
    EXPECT_EQ(fpu::pack_half(bits(65504.0)), 0x7BFFu);
    EXPECT_EQ(fpu::half_to_double(0x0001), bits(std::ldexp(1.0, -24)));
    EXPECT_EQ(fpu::round_to(env(Rnd::Nearest), bits(65520.0), fpu::kF16).v, kInf);
    // xscvdpsp with underflow enabled: a value far below the single range stays tiny after the
    // 192 exponent adjustment; it packs as a signed zero (found by the fuzz test under UBSan).
    const fpu::Env ue{Rnd::Nearest, false, true};
    const auto far = fpu::round_to(ue, bits(-std::ldexp(1.0, -800)), fpu::kF32);
    EXPECT_EQ(far.exc & fs::UX, fs::UX);
    EXPECT_EQ(fpu::pack_single(far.v), 0x80000000u);
    EXPECT_EQ(fpu::pack_single(bits(std::ldexp(1.0, -149))), 1u);
    EXPECT_EQ(fpu::pack_half(bits(std::ldexp(1.0, -200))), 0u);
}

// ---------------------------------------------------------------- core vs host IEEE (RN)

/// Non-NaN doubles spread uniformly over sign, exponent (infinities included) and fraction.
rc::Gen<uint64_t> finite_double() {
    return rc::gen::map(rc::gen::tuple(rc::gen::inRange<uint64_t>(0, 2), rc::gen::inRange<uint64_t>(0, 2048),
                                       rc::gen::inRange<uint64_t>(0, uint64_t(1) << 52)),
                        [](const std::tuple<uint64_t, uint64_t, uint64_t>& t) {
                            const auto [s, e, f] = t;
                            return (s << 63) | (e << 52) | (e == 2047 ? 0 : f);
                        });
}
/// A double whose exponent is close to x's (cancellation, ties and carries are likely).
rc::Gen<uint64_t> near_double(uint64_t x) {
    return rc::gen::map(rc::gen::tuple(rc::gen::inRange<int>(-3, 4), rc::gen::inRange<uint64_t>(0, 2),
                                       rc::gen::inRange<int>(0, 3), rc::gen::inRange<uint64_t>(0, uint64_t(1) << 52)),
                        [x](const std::tuple<int, uint64_t, int, uint64_t>& t) {
                            const auto [de, s, kind, f] = t;
                            const int e = std::clamp(static_cast<int>((x >> 52) & 0x7FF) + de, 0, 2046);
                            // kind 0: random fraction; 1: x's fraction; 2: few low bits set
                            const uint64_t frac = kind == 0 ? f : kind == 1 ? (x & ((uint64_t(1) << 52) - 1)) : (f & 0xF);
                            return (s << 63) | (uint64_t(e) << 52) | frac;
                        });
}
rc::Gen<uint32_t> finite_float() {
    return rc::gen::map(finite_double(), [](uint64_t d) {
        // Reuse the double generator's spread: sign, 8-bit exponent, 23-bit fraction.
        const auto e = static_cast<uint32_t>((d >> 52) & 0xFF);
        return static_cast<uint32_t>(d >> 63) << 31 | (e == 255 ? 0x7F800000u : e << 23) |
               (e == 255 ? 0 : static_cast<uint32_t>(d & 0x7FFFFF));
    });
}

RC_GTEST_PROP(FpuHost, DoubleArithmeticMatchesHostRoundToNearest, ()) {
    const uint64_t a = *finite_double(), b = *rc::gen::oneOf(finite_double(), near_double(a));
    const uint64_t p = bits(dbl(a) * dbl(b));
    const uint64_t c = *rc::gen::oneOf(finite_double(), near_double(p), rc::gen::just(p ^ fpu::kSign));
    const auto e = env(Rnd::Nearest);
    auto same = [](uint64_t got, double want) {
        return std::isnan(want) ? fpu::is_nan(got) : got == bits(want);
    };
    RC_ASSERT(same(fpu::add(e, a, b, fpu::kF64).v, dbl(a) + dbl(b)));
    RC_ASSERT(same(fpu::sub(e, a, b, fpu::kF64).v, dbl(a) - dbl(b)));
    RC_ASSERT(same(fpu::mul(e, a, b, fpu::kF64).v, dbl(a) * dbl(b)));
    RC_ASSERT(same(fpu::div(e, a, b, fpu::kF64).v, dbl(a) / dbl(b)));
    RC_ASSERT(same(fpu::sqrt(e, a, fpu::kF64).v, std::sqrt(dbl(a))));
    RC_ASSERT(same(fpu::fma(e, a, b, c, false, fpu::kF64).v, std::fma(dbl(a), dbl(b), dbl(c))));
}

RC_GTEST_PROP(FpuHost, SingleArithmeticOnSinglesMatchesHostFloat, ()) {
    const float x = std::bit_cast<float>(*finite_float()), y = std::bit_cast<float>(*finite_float());
    const uint64_t a = bits(x), b = bits(y);
    const auto e = env(Rnd::Nearest);
    auto same = [](uint64_t got, float want) {
        return std::isnan(want) ? fpu::is_nan(got) : got == bits(static_cast<double>(want));
    };
    RC_ASSERT(same(fpu::add(e, a, b, fpu::kF32).v, x + y));
    RC_ASSERT(same(fpu::mul(e, a, b, fpu::kF32).v, x * y));
    RC_ASSERT(same(fpu::div(e, a, b, fpu::kF32).v, x / y));
    RC_ASSERT(same(fpu::sqrt(e, a, fpu::kF32).v, std::sqrt(x)));
    // Double-format operands rounded to single: frsp equals the host's double-to-float cast.
    const uint64_t d = *finite_double();
    RC_ASSERT(same(fpu::round_to(e, d, fpu::kF32).v, static_cast<float>(dbl(d))));
}

RC_GTEST_PROP(FpuHost, DirectedModesBracketTheExactResult, ()) {
    const uint64_t a = *finite_double(), b = *rc::gen::oneOf(finite_double(), near_double(a));
    const auto dn = fpu::div(env(Rnd::Down), a, b, fpu::kF64);
    const auto up = fpu::div(env(Rnd::Up), a, b, fpu::kF64);
    const auto zr = fpu::div(env(Rnd::Zero), a, b, fpu::kF64);
    const auto ne = fpu::div(env(Rnd::Nearest), a, b, fpu::kF64);
    RC_PRE(!fpu::is_nan(ne.v));
    RC_ASSERT(dbl(dn.v) <= dbl(ne.v));
    RC_ASSERT(dbl(ne.v) <= dbl(up.v));
    RC_ASSERT(zr.v == (std::signbit(dbl(ne.v)) ? up.v : dn.v));
    // Inexact exactly when the directed results differ (or overflow occurred).
    RC_ASSERT(ne.fi == (dn.v != up.v || (ne.exc & fs::OX) != 0));
}

RC_GTEST_PROP(FpuHost, IntegerConversionsMatchHost, ()) {
    const auto i = *rc::gen::arbitrary<int64_t>();
    RC_ASSERT(fpu::from_int(env(Rnd::Nearest), static_cast<uint64_t>(i), true, fpu::kF64).v == bits(static_cast<double>(i)));
    RC_ASSERT(fpu::from_int(env(Rnd::Nearest), static_cast<uint64_t>(i), false, fpu::kF64).v ==
              bits(static_cast<double>(static_cast<uint64_t>(i))));
    RC_ASSERT(fpu::from_int(env(Rnd::Nearest), static_cast<uint64_t>(i), true, fpu::kF32).v ==
              bits(static_cast<double>(static_cast<float>(i))));
    const double d = dbl(*finite_double());
    if (std::fabs(d) < 9.2e18) {
        RC_ASSERT(fpu::to_int(bits(d), 64, true, Rnd::Zero).v == static_cast<uint64_t>(static_cast<int64_t>(d)));
        RC_ASSERT(fpu::round_int(bits(d), Rnd::Down).v == bits(std::floor(d)));
        RC_ASSERT(fpu::round_int(bits(d), Rnd::Up).v == bits(std::ceil(d)));
        RC_ASSERT(fpu::round_int(bits(d), Rnd::NearAway).v == bits(std::round(d)));
    }
}

RC_GTEST_PROP(FpuHost, SingleLoadStoreRoundTripsEveryFloat, ()) {
    const uint32_t w = *rc::gen::arbitrary<uint32_t>();
    RC_ASSERT(fpu::double_to_single_store(fpu::single_to_double(w)) == w);
    RC_ASSERT(fpu::pack_single(fpu::single_to_double(w)) == w);
}

// ---------------------------------------------------------------- instructions on a CPU

constexpr uint64_t kCode = 0x1000;
constexpr uint64_t kData = 0x8000;

constexpr uint32_t a_form(unsigned op, unsigned xo, unsigned t, unsigned a, unsigned b, unsigned c, bool rc = false) {
    return (op << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | (xo << 1) | (rc ? 1u : 0u);
}
constexpr uint32_t x_form(unsigned op, unsigned xo, unsigned t, unsigned a, unsigned b, bool rc = false) {
    return (op << 26) | (t << 21) | (a << 16) | (b << 11) | (xo << 1) | (rc ? 1u : 0u);
}
constexpr uint32_t d_form(unsigned op, unsigned t, unsigned a, int16_t d) {
    return (op << 26) | (t << 21) | (a << 16) | static_cast<uint16_t>(d);
}
/// XX3 from the instruction's match value, with 6-bit VSR numbers.
constexpr uint32_t xx3(uint32_t match, unsigned t, unsigned a, unsigned b) {
    return match | ((t & 31) << 21) | ((a & 31) << 16) | ((b & 31) << 11) | ((a >> 5) << 2) | ((b >> 5) << 1) | (t >> 5);
}
constexpr uint32_t xx2(uint32_t match, unsigned t, unsigned b) { return xx3(match, t, 0, b); }

constexpr uint32_t FADD = a_form(63, 21, 0, 0, 0, 0), FADDS = a_form(59, 21, 0, 0, 0, 0);
constexpr uint32_t FDIV = a_form(63, 18, 0, 0, 0, 0), FMUL = a_form(63, 25, 0, 0, 0, 0);
constexpr uint32_t FMADD = a_form(63, 29, 0, 0, 0, 0), FNMADD = a_form(63, 31, 0, 0, 0, 0);

struct FpCpu : test::BareCpu {
    FpCpu() { env.catch_interrupts = true; }
    uint64_t& f(unsigned n) { return cpu.s.vsr[n].hi; }
    /// Executes one instruction word at kCode.
    void exec(uint32_t w) {
        put(kCode, {w});
        run_at(kCode, 1);
    }
    bool interrupted() const { return !env.taken.empty(); }
    void set_fpscr(uint64_t v) {
        cpu.s.fpscr = v;
        fpu::summarize(cpu.s);
    }
};

TEST(FpInsn, ArithmeticSetsResultFprfAndCr1) {
    FpCpu b;
    b.f(1) = bits(1.5);
    b.f(2) = bits(0.25);
    b.cpu.s.vsr[3].lo = 0x1234;
    b.exec(FADD | (3 << 21) | (1 << 16) | (2 << 11) | 1);  // fadd. f3,f1,f2
    EXPECT_EQ(b.f(3), bits(1.75));
    EXPECT_EQ(b.cpu.s.vsr[3].lo, 0u);  // ISA 3.1: doubleword 1 of the VSR is set to 0
    EXPECT_EQ((b.cpu.s.fpscr >> 12) & 0x1F, 0x04u);  // +normal
    EXPECT_EQ(b.cpu.s.fpscr & (fs::FI | fs::FR | fs::XX), 0u);
    EXPECT_EQ((b.cpu.s.cr >> 24) & 0xF, 0u);  // CR1 = FX FEX VX OX
    // An inexact single result: FI/FR/XX and FX (XX went 0 -> 1), visible in CR1.
    b.f(2) = bits(0.1);
    b.exec(FADDS | (3 << 21) | (1 << 16) | (2 << 11) | 1);
    EXPECT_EQ(b.f(3), bits(static_cast<double>(1.5f + 0.1f)));
    EXPECT_TRUE(b.cpu.s.fpscr & fs::XX);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::FI);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::FX);
    EXPECT_EQ((b.cpu.s.cr >> 24) & 0xF, 8u);
    // FX is only set on a 0 -> 1 transition: clear it and repeat the inexact operation.
    b.cpu.s.fpscr &= ~fs::FX;
    b.exec(FADDS | (3 << 21) | (1 << 16) | (2 << 11));
    EXPECT_FALSE(b.cpu.s.fpscr & fs::FX);
}

TEST(FpInsn, FnmaddRoundsBeforeNegating) {
    // a*c + b just below 2^31 - 2^-22... in round-up mode: round(x) then negate differs from
    // rounding -x upwards.
    FpCpu b;
    b.set_fpscr(2);  // RN = round toward +inf
    b.f(1) = bits(-std::ldexp(1.0, -80));
    b.f(2) = bits(1.0);
    b.f(3) = bits(2147483647.0);
    b.exec(FNMADD | (4 << 21) | (1 << 16) | (3 << 11) | (2 << 6));  // fnmadd f4,f1,f2,f3
    EXPECT_EQ(b.f(4), bits(-2147483647.0));
}

TEST(FpInsn, InvalidOperationDisabledAndEnabled) {
    FpCpu b;
    b.f(1) = bits(0.0);
    b.f(2) = bits(0.0);
    b.f(3) = bits(7.0);
    b.exec(FDIV | (3 << 21) | (1 << 16) | (2 << 11));
    EXPECT_EQ(b.f(3), kQNaN);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXZDZ);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VX);
    EXPECT_EQ((b.cpu.s.fpscr >> 12) & 0x1F, 0x11u);
    EXPECT_FALSE(b.interrupted());
    // VE=1 with MSR[FE0 FE1]=0: the target is not updated, FEX is set, no interrupt.
    b.set_fpscr(fs::VE);
    b.f(3) = bits(7.0);
    b.exec(FDIV | (3 << 21) | (1 << 16) | (2 << 11));
    EXPECT_EQ(b.f(3), bits(7.0));
    EXPECT_TRUE(b.cpu.s.fpscr & fs::FEX);
    EXPECT_FALSE(b.interrupted());
    // Now with MSR[FE0 FE1]=11: precise Floating-Point Enabled Program interrupt at the fdiv.
    b.set_fpscr(fs::VE);
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::FE0 | cpu::msr::FE1);
    b.exec(FDIV | (3 << 21) | (1 << 16) | (2 << 11) | 1);
    ASSERT_TRUE(b.interrupted());
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::Program);
    EXPECT_EQ(b.env.taken[0].srr1_bits, cpu::srr1::FP_ENABLED);
    EXPECT_EQ(b.env.taken[0].srr0, kCode);
    EXPECT_EQ(b.f(3), bits(7.0));
    EXPECT_EQ((b.cpu.s.cr >> 24) & 0xF, 0xEu);  // FX FEX VX set in CR1 before the interrupt
}

TEST(FpInsn, EnabledOverflowWritesTheAdjustedResultThenInterrupts) {
    FpCpu b;
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::FE0 | cpu::msr::FE1);
    b.set_fpscr(fs::OE);
    b.f(1) = kMax;
    b.f(2) = bits(4.0);
    b.exec(FMUL | (3 << 21) | (1 << 16) | (2 << 6));  // fmul f3,f1,f2
    ASSERT_TRUE(b.interrupted());
    EXPECT_EQ(b.env.taken[0].srr1_bits, cpu::srr1::FP_ENABLED);
    EXPECT_EQ(b.f(3), bits(std::ldexp(dbl(kMax), 2 - 1536)));
    EXPECT_TRUE(b.cpu.s.fpscr & fs::OX);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::FEX);
}

TEST(FpInsn, EnabledInexactStillWritesTheResult) {
    FpCpu b;
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::FE0);
    b.set_fpscr(fs::XE);
    b.f(1) = bits(1.0);
    b.f(2) = bits(3.0);
    b.exec(FDIV | (3 << 21) | (1 << 16) | (2 << 11));
    ASSERT_TRUE(b.interrupted());
    EXPECT_EQ(b.f(3), bits(1.0 / 3.0));
}

TEST(FpInsn, FpscrMoves) {
    FpCpu b;
    // mtfsfi 7,3: RN = round toward -inf; mffs reads it back; the move sets FPR dword 1 to 0.
    b.exec(x_form(63, 134, 7 << 2, 0, 3 << 1));
    EXPECT_EQ(b.cpu.s.fpscr & fs::RN, 3u);
    b.cpu.s.vsr[5].lo = 99;
    b.exec(x_form(63, 583, 5, 0, 0));
    EXPECT_EQ(b.f(5), 3u);
    EXPECT_EQ(b.cpu.s.vsr[5].lo, 0u);
    // mtfsb1 of an exception bit sets FX (0 -> 1); FEX/VX cannot be set explicitly.
    b.exec(x_form(63, 38, 21, 0, 0));  // mtfsb1 21 = VXSOFT
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXSOFT);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VX);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::FX);
    b.exec(x_form(63, 70, 2, 0, 0));  // mtfsb0 VX: ignored while a cause is set
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VX);
    // mcrfs cr2,0: CR2 = FX FEX VX OX, then FX is cleared.
    b.exec(x_form(63, 64, 2 << 2, 0, 0));
    EXPECT_EQ((b.cpu.s.cr >> 20) & 0xF, 0xAu);
    EXPECT_FALSE(b.cpu.s.fpscr & fs::FX);
    // mcrfs cr3,5 (VXSOFT VXSQRT VXCVI field) clears VXSOFT and so VX.
    b.exec(x_form(63, 64, 3 << 2, 5 << 2, 0));
    EXPECT_EQ((b.cpu.s.cr >> 16) & 0xF, 0x4u);
    EXPECT_FALSE(b.cpu.s.fpscr & fs::VX);
    // mtfsf 0xFF with L=1 writes everything except the FEX/VX summaries.
    b.f(6) = 0x00000007'FFFFFFFFull & ~(fs::VE | fs::OE | fs::UE | fs::ZE | fs::XE);
    b.exec(x_form(63, 711, 0, 0xFF << 1, 6) | (1u << 25));
    EXPECT_EQ(b.cpu.s.fpscr >> 32, 7u);  // DRN
    EXPECT_EQ(b.cpu.s.fpscr & (uint64_t(1) << 11), 0u);  // reserved bit 52 stays 0
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VX);
    EXPECT_FALSE(b.cpu.s.fpscr & fs::FEX);
    // mffsl returns only the control and non-sticky status fields.
    b.exec(x_form(63, 583, 7, 24, 0));
    EXPECT_EQ(b.f(7), b.cpu.s.fpscr & 0x00000007'0007F0FFull);
    // mffscrni 1 (round toward zero) returns the old control fields.
    b.exec(x_form(63, 583, 8, 23, 1));
    EXPECT_EQ(b.cpu.s.fpscr & fs::RN, 1u);
    EXPECT_EQ(b.f(8), b.f(7) & 0x00000007'000000FFull);
}

TEST(FpInsn, MtfsfEnablingAPendingExceptionInterrupts) {
    FpCpu b;
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::FE0 | cpu::msr::FE1);
    b.set_fpscr(fs::ZX | fs::FX);
    b.exec(x_form(63, 38, 27, 0, 0));  // mtfsb1 27 = ZE
    ASSERT_TRUE(b.interrupted());
    EXPECT_EQ(b.env.taken[0].srr1_bits, cpu::srr1::FP_ENABLED);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::FEX);
}

TEST(FpInsn, ConvertAndCompare) {
    FpCpu b;
    b.f(1) = bits(-2.75);
    b.exec(x_form(63, 15, 2, 0, 1));  // fctiwz f2,f1
    EXPECT_EQ(static_cast<uint32_t>(b.f(2)), static_cast<uint32_t>(-2));
    EXPECT_TRUE(b.cpu.s.fpscr & fs::XX);
    b.f(1) = bits(3e9);
    b.set_fpscr(0);
    b.exec(x_form(63, 14, 2, 0, 1));  // fctiw: saturates
    EXPECT_EQ(static_cast<uint32_t>(b.f(2)), 0x7FFFFFFFu);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXCVI);
    b.f(1) = bits(1.0);
    b.f(2) = kQNaN;
    b.set_fpscr(0);
    b.exec(x_form(63, 32, 5 << 2, 1, 2));  // fcmpo cr5,f1,f2
    EXPECT_EQ((b.cpu.s.cr >> 8) & 0xF, 1u);
    EXPECT_EQ((b.cpu.s.fpscr >> 12) & 0xF, 1u);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXVC);
    b.set_fpscr(0);
    b.exec(x_form(63, 0, 5 << 2, 1, 2));  // fcmpu: no VXVC for a QNaN
    EXPECT_FALSE(b.cpu.s.fpscr & fs::VXVC);
    b.f(3) = bits(1e-40);
    b.exec(x_form(63, 12, 4, 0, 3));  // frsp: a single-precision denormal
    EXPECT_EQ(b.f(4), bits(static_cast<double>(static_cast<float>(1e-40))));
    EXPECT_EQ((b.cpu.s.fpscr >> 12) & 0x1F, 0x14u);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::UX);
}

TEST(FpInsn, LoadsAndStores) {
    FpCpu b;
    b.cpu.s.gpr[4] = kData;
    const uint8_t one_f[4] = {0x3F, 0x80, 0x00, 0x00};  // 1.0f big-endian
    b.mem.write(kData, one_f);
    b.exec(d_form(48, 1, 4, 0));  // lfs f1,0(r4)
    EXPECT_EQ(b.f(1), bits(1.0));
    b.f(2) = bits(0.1);
    b.exec(d_form(52, 2, 4, 8));  // stfs f2,8(r4)
    EXPECT_EQ(b.cpu.load<uint32_t>(kData + 8), fbits(static_cast<float>(0.1)) & ~1u);  // truncated
    b.exec(d_form(54, 2, 4, 16));  // stfd f2,16(r4)
    EXPECT_EQ(b.cpu.load<uint64_t>(kData + 16), bits(0.1));
    b.cpu.store<uint32_t>(kData + 24, 0xFFFFFFFEu);
    b.cpu.s.gpr[5] = 24;
    b.exec(x_form(31, 855, 3, 4, 5));  // lfiwax f3,r4,r5
    EXPECT_EQ(b.f(3), 0xFFFFFFFFFFFFFFFEull);
    b.exec(x_form(31, 887, 3, 4, 5));  // lfiwzx
    EXPECT_EQ(b.f(3), 0xFFFFFFFEull);
    b.cpu.s.gpr[5] = 32;
    b.exec(x_form(31, 983, 2, 4, 5));  // stfiwx f2,r4,r5
    EXPECT_EQ(b.cpu.load<uint32_t>(kData + 32), static_cast<uint32_t>(bits(0.1)));
    b.exec(d_form(51, 6, 4, 8));  // lfdu f6,8(r4): updates r4
    EXPECT_EQ(b.cpu.s.gpr[4], kData + 8);
    b.exec(d_form(51, 6, 0, 8));  // lfdu with RA=0 is an invalid form
    ASSERT_TRUE(b.interrupted());
    EXPECT_EQ(b.env.taken[0].srr1_bits, cpu::srr1::ILLEGAL);
}

// VSX matches (opcode 60).
constexpr uint32_t XSADDDP = 0xF0000100, XVADDDP = 0xF0000300, XVCMPGTDP_DOT = 0xF0000758,
                   XSCVDPSP = 0xF0000424, XVCVDPSXWS = 0xF0000360, XSMAXJDP = 0xF0000480,
                   XSTSTDCDP = 0xF00005A8, XVMADDASP = 0xF0000208;

TEST(VsxArith, ScalarZeroesDoublewordOne) {
    FpCpu b;
    b.cpu.s.vsr[40] = {7, bits(1.0)};
    b.cpu.s.vsr[41] = {8, bits(2.0)};
    b.cpu.s.vsr[42] = {9, 9};
    b.exec(xx3(XSADDDP, 42, 40, 41));
    EXPECT_EQ(b.cpu.s.vsr[42].hi, bits(3.0));
    EXPECT_EQ(b.cpu.s.vsr[42].lo, 0u);
    EXPECT_EQ((b.cpu.s.fpscr >> 12) & 0x1F, 0x04u);
}

TEST(VsxArith, VectorEnabledExceptionSuppressesTheWholeTarget) {
    FpCpu b;
    b.cpu.s.vsr[1] = {bits(1.0), kInf};  // lo = element 1, hi = element 0
    b.cpu.s.vsr[2] = {bits(2.0), kInf | fpu::kSign};
    b.cpu.s.vsr[3] = {11, 22};
    b.set_fpscr(fs::VE);
    b.exec(xx3(XVADDDP, 3, 1, 2));
    EXPECT_EQ(b.cpu.s.vsr[3], (cpu::Vsr{11, 22}));
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXISI);
    b.set_fpscr(0);
    b.exec(xx3(XVADDDP, 3, 1, 2));
    EXPECT_EQ(b.cpu.s.vsr[3], (cpu::Vsr{bits(3.0), kQNaN}));
    EXPECT_EQ((b.cpu.s.fpscr >> 12) & 0x1F, 0u);  // vector forms leave FPRF alone
}

TEST(VsxArith, VectorCompareDotSetsCr6) {
    FpCpu b;
    b.cpu.s.vsr[1] = {bits(5.0), bits(5.0)};
    b.cpu.s.vsr[2] = {bits(1.0), bits(1.0)};
    b.exec(xx3(XVCMPGTDP_DOT, 3, 1, 2));
    EXPECT_EQ(b.cpu.s.vsr[3], (cpu::Vsr{~uint64_t(0), ~uint64_t(0)}));
    EXPECT_EQ((b.cpu.s.cr >> 4) & 0xF, 8u);  // all true
    b.exec(xx3(XVCMPGTDP_DOT, 3, 2, 1));
    EXPECT_EQ((b.cpu.s.cr >> 4) & 0xF, 2u);  // all false
}

TEST(VsxArith, ConversionsPlaceWordsLikeTheIsa) {
    FpCpu b;
    b.cpu.s.vsr[1] = {bits(-7.9), bits(1.5)};
    b.exec(xx2(XSCVDPSP, 2, 1));  // single in words 0 and 1
    EXPECT_EQ(b.cpu.s.vsr[2].hi, (uint64_t(fbits(1.5f)) << 32) | fbits(1.5f));
    EXPECT_EQ(b.cpu.s.vsr[2].lo, 0u);
    b.cpu.s.vsr[1] = {bits(-7.9), kQNaN};
    b.exec(xx2(XVCVDPSXWS, 2, 1));  // NaN -> 0x80000000 (VXCVI), -7.9 -> -7
    EXPECT_EQ(b.cpu.s.vsr[2].hi, 0x8000000080000000ull);
    EXPECT_EQ(b.cpu.s.vsr[2].lo, 0xFFFFFFF9FFFFFFF9ull);
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXCVI);
}

TEST(VsxArith, MaxTypeJAndDataClassTest) {
    FpCpu b;
    b.cpu.s.vsr[1].hi = bits(-0.0);
    b.cpu.s.vsr[2].hi = bits(0.0);
    b.exec(xx3(XSMAXJDP, 3, 1, 2));
    EXPECT_EQ(b.cpu.s.vsr[3].hi, bits(0.0));
    b.cpu.s.vsr[1].hi = kSNaN;
    b.exec(xx3(XSMAXJDP, 3, 1, 2));
    EXPECT_EQ(b.cpu.s.vsr[3].hi, kSNaN);  // type J returns the NaN as is
    EXPECT_TRUE(b.cpu.s.fpscr & fs::VXSNAN);
    // xststdcdp cr1,vs4,0x03 (either denormal): sign || match.
    b.cpu.s.vsr[4].hi = 0x8000000000000001ull;
    b.exec(xx2(XSTSTDCDP, 1 << 2, 4) | (0x03u << 16));
    EXPECT_EQ((b.cpu.s.cr >> 24) & 0xF, 0xAu);
}

TEST(VsxArith, SinglePrecisionVectorFma) {
    FpCpu b;
    auto w4 = [](float a, float c, float d, float e) {
        return cpu::Vsr{(uint64_t(fbits(d)) << 32) | fbits(e), (uint64_t(fbits(a)) << 32) | fbits(c)};
    };
    b.cpu.s.vsr[1] = w4(1.5f, 2.0f, -3.0f, 1e30f);
    b.cpu.s.vsr[2] = w4(2.0f, 0.25f, 3.0f, 1e30f);
    b.cpu.s.vsr[3] = w4(1.0f, 1.0f, 9.0f, 0.0f);
    b.exec(xx3(XVMADDASP, 3, 1, 2));  // XT = XA*XB + XT
    EXPECT_EQ(b.cpu.s.vsr[3], w4(4.0f, 1.5f, 0.0f, std::numeric_limits<float>::infinity()));
    EXPECT_TRUE(b.cpu.s.fpscr & fs::OX);
}

}  // namespace
