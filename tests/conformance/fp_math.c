/* Floating point: printf of doubles (%a %e %f %g), basic arithmetic on special values, sqrt,
 * fma, floor/ceil/round/trunc/rint, libm transcendental functions, float vs double, integer
 * conversions, rounding modes (fesetround), exception flags (fetestexcept, including the
 * PowerPC-specific invalid-operation causes), strtod and IBM long double. */
#define _GNU_SOURCE /* PowerPC FE_INVALID_* cause bits */
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash = 0x243F6A8885A308D3ULL;
static void mixd(double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    hash = (hash ^ v) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 31;
}
static void mixi(uint64_t v) {
    hash = (hash ^ v) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 31;
}
static uint64_t bits(double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}
static uint32_t fbits(float f) {
    uint32_t v;
    memcpy(&v, &f, 4);
    return v;
}

/* Names of the raised flags, in a fixed order. */
static const char* flags(void) {
    static char buf[64];
    int f = fetestexcept(FE_ALL_EXCEPT);
    snprintf(buf, sizeof buf, "%s%s%s%s%s", f & FE_INVALID ? "I" : "-", f & FE_DIVBYZERO ? "Z" : "-",
             f & FE_OVERFLOW ? "O" : "-", f & FE_UNDERFLOW ? "U" : "-", f & FE_INEXACT ? "X" : "-");
    return buf;
}

static volatile double vd[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 10.0, 0.1, -0.1, 1.0 / 3.0, 1e300, -1e300,
                               1e-300, DBL_MIN, DBL_MIN / 8, DBL_MAX, -DBL_MAX, DBL_EPSILON, 123456.789,
                               -98765.4321, 4503599627370496.0, 9007199254740993.0, M_PI, M_E, 0.0 / 0.0 * 0,
                               1.0 / 0.0 * 1, -1.0 / 0.0 * 1};
#define NVD (int)(sizeof vd / sizeof vd[0])

static void print_formats(void) {
    printf("== printf formats\n");
    for (int i = 0; i < NVD; ++i) {
        double d = vd[i];
        printf("%2d %016" PRIx64 " |%a|%.3a|%e|%.0e|%.15e|%f|%.2f|%g|%.17g|%10.4g|%-12.3e|%+g|\n", i, bits(d), d, d, d,
               d, d, fabs(d) < 1e20 ? d : 0.0, fabs(d) < 1e20 ? d : 0.0, d, d, d, d, d);
        mixd(d);
    }
    static const double more[] = {0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e21, 1e22, 1e23, 5e-324, 2.2250738585072009e-308,
                                  0.1 + 0.2, 1.0 - 1e-16, 999999.5, 0.000123456789};
    for (unsigned i = 0; i < sizeof more / sizeof more[0]; ++i)
        printf("more %.0f %.1f %.20g %.30e %A %La\n", more[i], more[i], more[i], more[i], more[i], (long double)more[i]);
}

static void arithmetic(void) {
    printf("== arithmetic on special values\n");
    for (int i = 0; i < NVD; ++i) {
        for (int j = 0; j < NVD; j += 3) {
            feclearexcept(FE_ALL_EXCEPT);
            double a = vd[i], b = vd[j];
            volatile double s = a + b, d = a - b, m = a * b, q = a / b;
            const char* f = flags();
            printf("%2d %2d %a %a %a %a %s %d%d%d%d\n", i, j, s, d, m, q, f, a < b, a == b, a > b, isunordered(a, b));
            mixd(s);
            mixd(d);
            mixd(m);
            mixd(q);
        }
    }
}

static void sqrt_fma_rounding(void) {
    printf("== sqrt fma rounding functions\n");
    for (int i = 0; i < NVD; ++i) {
        double a = vd[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile double r = sqrt(a);
        const char* f = flags();
        volatile double fm = fma(a, vd[(i + 7) % NVD], vd[(i + 3) % NVD]);
        printf("%2d sqrt=%a %s fma=%a fl=%g ce=%g ro=%g tr=%g ri=%g ne=%g fabs=%g copysign=%g fmod=%a\n", i, r, f, fm,
               floor(a), ceil(a), round(a), trunc(a), rint(a), nearbyint(a), fabs(a), copysign(3.0, a), fmod(a, 0.75));
        mixd(r);
        mixd(fm);
    }
    static const double halfway[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, 2.5000000000000004,
                                     -3.7, 3.7, 1e16 + 1, 4503599627370497.5};
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    static const char* mname[] = {"near", "up", "down", "zero"};
    for (int m = 0; m < 4; ++m) {
        fesetround(modes[m]);
        printf("mode %s get=%d\n", mname[m], fegetround() == modes[m]);
        for (unsigned i = 0; i < sizeof halfway / sizeof halfway[0]; ++i) {
            volatile double h = halfway[i];
            printf("  %-24.17g rint=%g nearbyint=%g lrint=%ld llrint=%lld\n", h, rint(h), nearbyint(h), lrint(h),
                   llrint(h));
        }
        volatile double one = 1.0, three = 3.0, ten = 10.0, big = 1e308, tiny = 1e-320;
        volatile double r1 = one / three, r2 = -one / three, r3 = sqrt(ten), r4 = big * ten, r5 = tiny / three;
        volatile double r6 = fma(one / three, three, -one);
        volatile float f1 = (float)(one / three), f2 = (float)one / (float)three, f3 = (float)r3;
        printf("  1/3=%a -1/3=%a sqrt10=%a big=%a tiny=%a fma=%a f=%a %a %a\n", r1, r2, r3, r4, r5, r6, f1, f2, f3);
        mixd(r1 + r2 + r3 + r5 + r6);
        mixi(fbits(f1) ^ fbits(f2));
    }
    fesetround(FE_TONEAREST);
}

static void exceptions(void) {
    printf("== exception flags\n");
    volatile double zero = 0.0, one = 1.0, inf = INFINITY, big = DBL_MAX, small = DBL_MIN, neg = -4.0;
    volatile double r;
#define TRY(label, expr)                                                                                  \
    do {                                                                                                  \
        feclearexcept(FE_ALL_EXCEPT);                                                                     \
        r = (expr);                                                                                       \
        printf("%-14s %-24a %s\n", label, r, flags());                                                    \
        mixd(r);                                                                                          \
    } while (0)
    TRY("1/0", one / zero);
    TRY("-1/0", -one / zero);
    TRY("0/0", zero / zero);
    TRY("inf-inf", inf - inf);
    TRY("inf*0", inf * zero);
    TRY("inf/inf", inf / inf);
    TRY("sqrt(-4)", sqrt(neg));
    TRY("max*2", big * 2.0);
    TRY("min*min", small * small);
    TRY("min/3", small / 3.0);
    TRY("1/3", one / 3.0);
    TRY("1+1", one + one);
    TRY("fmod(1,0)", fmod(one, zero));
    TRY("log(0)", log(zero));
    TRY("log(-1)", log(-one));
    TRY("exp(1000)", exp(1000.0 * one));
    TRY("exp(-1000)", exp(-1000.0 * one));
    TRY("pow(0,-1)", pow(zero, -one));
    TRY("float ovf", (double)(float)(big));
    TRY("float unf", (double)(float)(small));
#undef TRY
#if defined(FE_INVALID_SNAN)
    /* PowerPC: the individual invalid-operation causes (FPSCR VX* bits). */
    static const struct {
        const char* name;
        int bit;
    } vx[] = {{"snan", FE_INVALID_SNAN},  {"isi", FE_INVALID_ISI},       {"idi", FE_INVALID_IDI},
              {"zdz", FE_INVALID_ZDZ},    {"imz", FE_INVALID_IMZ},       {"compare", FE_INVALID_COMPARE},
              {"soft", FE_INVALID_SOFTWARE}, {"sqrt", FE_INVALID_SQRT}, {"intcvt", FE_INVALID_INTEGER_CONVERSION}};
    volatile double qnan = NAN;
    volatile uint64_t snan_bits = 0x7FF0000000000001ULL;
    double snan;
    memcpy(&snan, (const void*)&snan_bits, 8);
    volatile double vsnan = snan;
    for (int t = 0; t < 9; ++t) {
        feclearexcept(FE_ALL_EXCEPT | FE_ALL_INVALID);
        volatile double x = 0;
        volatile long l = 0;
        switch (t) {
            case 0: x = vsnan + one; break;
            case 1: x = inf - inf; break;
            case 2: x = inf / inf; break;
            case 3: x = zero / zero; break;
            case 4: x = inf * zero; break;
            case 5: l = __builtin_isless(qnan, one); l = qnan < one; break; /* ordered compare of NaN */
            case 6: feraiseexcept(FE_INVALID); break;
            case 7: x = sqrt(neg); break;
            case 8: l = lrint(big); break;
        }
        int f = fetestexcept(FE_ALL_EXCEPT | FE_ALL_INVALID);
        printf("cause %d:", t);
        for (int k = 0; k < 9; ++k)
            if (f & vx[k].bit & ~FE_INVALID) printf(" %s", vx[k].name);
        printf(" | invalid=%d %a %ld\n", !!(f & FE_INVALID), x, l);
    }
#endif
    feclearexcept(FE_ALL_EXCEPT);
}

typedef double (*fn1)(double);
static void libm(void) {
    printf("== libm\n");
    static const struct {
        const char* name;
        fn1 f;
    } fns[] = {{"sin", sin},     {"cos", cos},   {"tan", tan},     {"asin", asin},   {"acos", acos},
               {"atan", atan},   {"sinh", sinh}, {"cosh", cosh},   {"tanh", tanh},   {"exp", exp},
               {"exp2", exp2},   {"expm1", expm1}, {"log", log},   {"log2", log2},   {"log10", log10},
               {"log1p", log1p}, {"cbrt", cbrt}, {"erf", erf},     {"tgamma", tgamma}, {"lgamma", lgamma},
               {"asinh", asinh}, {"atanh", atanh}, {"logb", logb}};
    static const double xs[] = {0.0, -0.0, 0.25, 0.5, 0.75, 1.0, -1.0, 1.5, 2.0, 3.14159, 10.0, -7.5, 100.0, 1e-8,
                                 710.0, -745.5, 0.999, 1e10, NAN, INFINITY};
    for (unsigned k = 0; k < sizeof fns / sizeof fns[0]; ++k) {
        printf("%s:", fns[k].name);
        for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; ++i) {
            volatile double y = fns[k].f(xs[i]);
            printf(" %.17g", y);
            mixd(y);
        }
        printf("\n");
    }
    for (int i = -6; i <= 6; ++i) {
        for (int j = -4; j <= 4; ++j) {
            double x = i * 0.75, y = j * 1.25;
            volatile double p = pow(x, y), a = atan2(x, y), h = hypot(x, y), rm = j ? remainder(x, y) : 0,
                            fd = fdim(x, y), fx = fmax(x, y);
            printf("%5.2f %5.2f pow=%.17g atan2=%.17g hypot=%.17g rem=%g fdim=%g fmax=%g\n", x, y, p, a, h, rm, fd, fx);
            mixd(p + a + h);
        }
    }
    int e;
    for (int i = 0; i < NVD; ++i) {
        double fr = frexp(vd[i], &e);
        double ip, fp = modf(vd[i], &ip);
        printf("frexp %a %d modf %a %a ldexp %a ilogb %d scalbn %a\n", fr, (vd[i] == 0 || !isfinite(vd[i])) ? 0 : e, fp,
               ip, ldexp(vd[i], -3), isnan(vd[i]) || vd[i] == 0 || isinf(vd[i]) ? 0 : ilogb(vd[i]),
               scalbn(vd[i], 5));
    }
}

static void float_vs_double(void) {
    printf("== float vs double\n");
    float fs = 0;
    double ds = 0;
    for (int i = 1; i <= 2000; ++i) {
        float fi = 1.0f / (float)i;
        fs += fi;
        ds += 1.0 / i;
        if (i % 250 == 0) printf("%4d %.9g %.17g %a %a\n", i, fs, ds, fs, ds);
    }
    volatile float a = 16777216.0f, b = 1.0f;
    volatile float c = a + b, d2 = sqrtf(2.0f * b), e = fmaf(a, b, b), f = 0.1f;
    printf("f: %a %a %a %.10f %a\n", c, d2, e, f, (double)f);
    mixi(fbits(c) ^ fbits(d2) ^ fbits(e));
    static const float fv[] = {0.1f, -2.5f, 3.4028235e38f, 1.17549435e-38f, 1e-45f, 7.0f, 123456789.0f};
    for (unsigned i = 0; i < sizeof fv / sizeof fv[0]; ++i) {
        volatile float x = fv[i];
        volatile double dx = x;
        volatile float back = (float)(dx * 3.0);
        printf("float %08" PRIx32 " %a %a %g %g %g %g\n", fbits(x), dx, back, sinf(x), expf(x / 1e38f), floorf(x),
               roundf(x * 0.5f));
        mixi(fbits(back));
    }
}

static void conversions(void) {
    printf("== conversions\n");
    static const double cv[] = {0.0, 0.4, 0.5, 0.6, 1.5, -1.5, 2.5, -2.5, 1e9, -1e9, 2147483647.0, -2147483648.0,
                                4294967295.0, 9.2e18, -9.2e18, 1.8e19, 123.999, -0.999};
    for (unsigned i = 0; i < sizeof cv / sizeof cv[0]; ++i) {
        volatile double d = cv[i];
        long long ll = (long long)d;
        int iv = (d > -2147483649.0 && d < 2147483648.0) ? (int)d : 0;
        unsigned long long ull = d >= 0 && d < 1.8446744073709552e19 ? (unsigned long long)d : 0;
        unsigned uv = d >= 0 && d < 4294967296.0 ? (unsigned)d : 0;
        printf("%.17g -> %lld %d %llu %u lround=%ld\n", d, ll, iv, ull, uv, lround(d));
        mixi((uint64_t)ll ^ (uint64_t)iv ^ ull ^ uv);
    }
    static const int64_t iv[] = {0, 1, -1, 9007199254740993LL, -9007199254740993LL, INT64_MAX, INT64_MIN, 123456789};
    for (unsigned i = 0; i < sizeof iv / sizeof iv[0]; ++i) {
        volatile int64_t x = iv[i];
        volatile uint64_t ux = (uint64_t)iv[i];
        volatile double d = (double)x, du = (double)ux;
        volatile float f = (float)x, fu = (float)ux;
        volatile int32_t x32 = (int32_t)x;
        volatile double d32 = x32;
        printf("%" PRId64 " -> %a %a %a %a %a\n", x, d, du, f, fu, d32);
        mixd(d + du);
    }
    static const char* strs[] = {"0", "1e-320", "0x1.8p3", "-0x1p-1074", "3.14159265358979323846264338327950288",
                                 "1e400", "-1e-400", "nan", "-inf", "2.2250738585072011e-308", "123456789012345678901234567890",
                                 "0.1", "4.9406564584124654e-324", "1.7976931348623157e308"};
    for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; ++i) {
        double d = strtod(strs[i], NULL);
        float f = strtof(strs[i], NULL);
        char back[64];
        snprintf(back, sizeof back, "%.17g", d);
        double again = strtod(back, NULL);
        printf("strtod(%s) = %a (%s) float %a roundtrip=%d\n", strs[i], d, back, f,
               isnan(d) ? 1 : bits(d) == bits(again));
        mixd(d);
    }
}

static void long_double(void) {
    printf("== long double\n");
    /* volatile: keep the compiler from folding IBM double-double arithmetic at build time */
    volatile long double three = 3.0L, two = 2.0L, one = 1.0L;
    long double x = one;
    for (int i = 1; i <= 30; ++i) {
        x = x * three / two + one / (long double)i;
        if (i % 3 == 0) printf("%2d %.30Lg %.10Le\n", i, x, x);
    }
    long double third = one / three, s = sqrtl(two);
    printf("third=%.32Lf sqrt2=%.32Lf prod=%.32Lg\n", third, s, s * s);
    double hi = (double)x, lo = (double)(x - (long double)hi);
    printf("split %a %a\n", hi, lo);
    mixd(hi);
    mixd(lo);
}

int main(void) {
    print_formats();
    arithmetic();
    sqrt_fma_rounding();
    exceptions();
    libm();
    float_vs_double();
    conversions();
    long_double();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 113) + 5;
}
