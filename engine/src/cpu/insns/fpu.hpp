// Binary floating-point core shared by the FP and VSX instructions: exact IEEE arithmetic in
// integers (bit-exact in every rounding mode, independent of the host FPU), Power ISA NaN rules,
// exception detection, FPSCR bookkeeping and FPRF classes.
//
// Values travel as double-format bit patterns (the FPR representation); single- and
// half-precision results are double-format values that happen to be representable in the
// narrower format. Helpers convert to and from the narrow storage encodings.
#pragma once

#include <cstdint>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/cpu/state.hpp"

namespace ppcmig::cpu::fpu {

/// Rounding modes: the first four in FPSCR[RN] encoding.
enum class Rnd : uint8_t { Nearest = 0, Zero = 1, Up = 2, Down = 3, NearAway = 4 };

inline Rnd rn_of(uint64_t fpscr) { return static_cast<Rnd>(fpscr & 3); }

/// A binary format: precision (with the implicit bit), exponent range, and the exponent
/// adjustment the ISA applies to results of enabled overflow/underflow.
struct Format {
    int prec;
    int emin;
    int emax;
    int adjust;
};
inline constexpr Format kF64{53, -1022, 1023, 1536};
inline constexpr Format kF32{24, -126, 127, 192};
inline constexpr Format kF16{11, -14, 15, 24};

/// How an operation rounds and whether it delivers exponent-adjusted results when overflow
/// or underflow is enabled (FPSCR[OE]/[UE]); only arithmetic instructions and frsp adjust.
struct Env {
    Rnd rm = Rnd::Nearest;
    bool scale_ox = false;
    bool scale_ux = false;
};
/// The environment of an instruction under the given FPSCR.
inline Env env_of(uint64_t fpscr, bool scaling) {
    return {rn_of(fpscr), scaling && (fpscr & fpscr::OE) != 0, scaling && (fpscr & fpscr::UE) != 0};
}

/// Result of one operation: the value (double format), the exception bits it raised (FPSCR
/// masks of the VX causes, OX, UX, ZX, XX) and the FR/FI status it implies.
struct Res {
    uint64_t v = 0;
    uint64_t exc = 0;
    bool fr = false;
    bool fi = false;
};

inline constexpr uint64_t kSign = uint64_t(1) << 63;
inline constexpr uint64_t kQuietBit = uint64_t(1) << 51;
inline constexpr uint64_t kDefaultNaN = 0x7FF8000000000000ull;
inline constexpr uint64_t kOne = 0x3FF0000000000000ull;
inline constexpr uint64_t kPosInf = 0x7FF0000000000000ull;

inline bool is_nan(uint64_t x) { return (x & ~kSign) > kPosInf; }
inline bool is_snan(uint64_t x) { return is_nan(x) && !(x & kQuietBit); }
inline bool is_inf(uint64_t x) { return (x & ~kSign) == kPosInf; }
inline bool is_zero(uint64_t x) { return (x & ~kSign) == 0; }
inline bool is_neg(uint64_t x) { return (x & kSign) != 0; }
inline bool is_denorm(uint64_t x) { return ((x >> 52) & 0x7FF) == 0 && !is_zero(x); }
inline uint64_t quiet(uint64_t x) { return x | kQuietBit; }
/// Negation of a result: NaNs keep their sign (ISA: fnmadd & co).
inline uint64_t negate_result(uint64_t x) { return is_nan(x) ? x : x ^ kSign; }

// ---- arithmetic (double-format operands, result rounded to the given format) ----
Res add(const Env& e, uint64_t a, uint64_t b, const Format& f);
Res sub(const Env& e, uint64_t a, uint64_t b, const Format& f);
Res mul(const Env& e, uint64_t a, uint64_t b, const Format& f);
Res div(const Env& e, uint64_t a, uint64_t b, const Format& f);
Res sqrt(const Env& e, uint64_t b, const Format& f);
/// a*c + b (or a*c - b); NaN precedence a, b, c. The caller negates for the fnm* forms.
Res fma(const Env& e, uint64_t a, uint64_t c, uint64_t b, bool sub_b, const Format& f);
/// Reciprocal and reciprocal-square-root estimates. The ISA only bounds their error; the
/// engine delivers what QEMU does: 1/x rounded to the format, and 1/sqrt(x) with the square
/// root first rounded to sqrt_fmt.
Res recip(const Env& e, uint64_t b, const Format& f);
Res rsqrt(const Env& e, uint64_t b, const Format& f, const Format& sqrt_fmt = kF64);
/// Rounds a double to a narrower format (frsp, xsrsp, xscvdpsp ...). NaNs are quieted and
/// their fraction truncated to the format.
Res round_to(const Env& e, uint64_t b, const Format& f);
/// Rounds to an integral value in the given mode. fi reports inexactness; exc only VXSNAN.
Res round_int(uint64_t b, Rnd mode);
/// Converts to a bits-wide integer (fcti*, xscvdp[su]x[dw]s): v holds the integer (sign- or
/// zero-extended to 64 bits), saturated with VXCVI when out of range or NaN.
Res to_int(uint64_t b, unsigned bits, bool is_signed, Rnd mode);
/// Converts an integer to the format (fcfid*, xscv[su]xd[ds]p ...).
Res from_int(const Env& e, uint64_t v, bool is_signed, const Format& f);

/// Comparison as a CR/FPCC nibble: 8 less, 4 greater, 2 equal, 1 unordered.
unsigned compare(uint64_t a, uint64_t b);

// ---- classes ----
/// FPRF (C || FPCC) of a double-format value classified in the given format.
unsigned fprf_of(uint64_t v, const Format& f);

// ---- storage-format conversions ----
/// lfs/lxssp: single storage format to double format, exactly (SNaNs stay signalling).
uint64_t single_to_double(uint32_t w);
/// stfs/stxssp: the ISA's SINGLE() bit selection (no rounding; truncates out-of-range values).
uint32_t double_to_single_store(uint64_t x);
/// Packs a double-format value that is representable in single (NaN fractions truncated); a
/// value below the single denormals (a scaled, still tiny result) packs as a signed zero.
uint32_t pack_single(uint64_t x);
uint64_t half_to_double(uint16_t h);
uint16_t pack_half(uint64_t x);

// ---- FPSCR ----
inline constexpr uint64_t kExceptionBits = fpscr::OX | fpscr::UX | fpscr::ZX | fpscr::XX | fpscr::VX_ALL;
/// Recomputes the VX and FEX summary bits.
void summarize(CpuState& s);
/// ORs exception bits into the FPSCR: FX is set when any of them goes from 0 to 1.
void raise(CpuState& s, uint64_t exc);
/// True when any exception in exc is enabled by the FPSCR.
bool enabled(uint64_t fpscr, uint64_t exc);
inline void set_fprf(CpuState& s, unsigned cls) {
    s.fpscr = (s.fpscr & ~fpscr::FPRF) | (uint64_t(cls & 0x1F) << 12);
}
inline void set_fpcc(CpuState& s, unsigned cc) {
    s.fpscr = (s.fpscr & ~(fpscr::FPRF & ~fpscr::C)) | (uint64_t(cc & 0xF) << 12);
}
inline void set_fr_fi(CpuState& s, bool fr, bool fi) {
    s.fpscr = (s.fpscr & ~(fpscr::FR | fpscr::FI)) | (fr ? fpscr::FR : 0) | (fi ? fpscr::FI : 0);
}
/// MSR[FE0 FE1] select a floating-point exception mode other than "ignore".
inline bool fe_mode(const CpuState& s) { return (s.msr & (msr::FE0 | msr::FE1)) != 0; }

/// How a scalar instruction reports its result class.
enum class Class : uint8_t { None, F64, F32, F16 };

/// Writes a scalar result: doubleword 0 of the VSR, doubleword 1 set to 0 (ISA 3.1 defines this
/// for every FPR and VSX scalar target; earlier versions left it undefined).
inline void set_scalar(Vsr& dst, uint64_t v) {
    dst.hi = v;
    dst.lo = 0;
}

/// Scalar result delivery: raises r.exc, then (unless an enabled invalid-operation or
/// zero-divide exception suppresses it) writes r.v to dst and sets FR/FI and FPRF; a suppressed
/// result clears FR/FI. Returns true when the result was written.
bool deliver(CpuState& s, const Res& r, Vsr& dst, Class cls);

}  // namespace ppcmig::cpu::fpu
