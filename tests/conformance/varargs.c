/* Variadic functions: integer sums, mixed int/long/double/long double/pointer/struct arguments
 * driven by a type string, more arguments than fit in registers (stack spill of both GPR and
 * FPR arguments), va_copy, forwarding a va_list through several levels, and vsnprintf. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t hash = 0x6a09e667f3bcc908ULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
}
static uint64_t dbits(double d) {
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}

static long sum_ints(int n, ...) {
    va_list ap;
    va_start(ap, n);
    long s = 0;
    for (int i = 0; i < n; ++i) s += va_arg(ap, int) * (long)(i + 1);
    va_end(ap);
    return s;
}

static double sum_doubles(int n, ...) {
    va_list ap;
    va_start(ap, n);
    double s = 0;
    for (int i = 0; i < n; ++i) s = s * 1.5 + va_arg(ap, double);
    va_end(ap);
    return s;
}

struct small {
    char c;
    short s;
};
struct pair {
    int32_t a;
    float f;
};
struct big {
    int64_t v[5];
    char tag[8];
};

/* Type string: i=int, l=long, u=unsigned long long, d=double, f=float (promoted), L=long double,
 * s=string, c=char (promoted), S=struct small, P=struct pair, B=struct big. */
static void describe(char* out, size_t cap, const char* types, va_list ap) {
    size_t pos = 0;
    for (const char* t = types; *t && pos + 80 < cap; ++t) {
        switch (*t) {
            case 'i': pos += (size_t)snprintf(out + pos, cap - pos, "i%d ", va_arg(ap, int)); break;
            case 'l': pos += (size_t)snprintf(out + pos, cap - pos, "l%ld ", va_arg(ap, long)); break;
            case 'u': pos += (size_t)snprintf(out + pos, cap - pos, "u%llu ", va_arg(ap, unsigned long long)); break;
            case 'd': pos += (size_t)snprintf(out + pos, cap - pos, "d%a ", va_arg(ap, double)); break;
            case 'f': pos += (size_t)snprintf(out + pos, cap - pos, "f%g ", va_arg(ap, double)); break;
            case 'L': pos += (size_t)snprintf(out + pos, cap - pos, "L%.25Lg ", va_arg(ap, long double)); break;
            case 's': pos += (size_t)snprintf(out + pos, cap - pos, "s'%s' ", va_arg(ap, const char*)); break;
            case 'c': pos += (size_t)snprintf(out + pos, cap - pos, "c%c ", va_arg(ap, int)); break;
            case 'S': {
                struct small x = va_arg(ap, struct small);
                pos += (size_t)snprintf(out + pos, cap - pos, "S{%c,%d} ", x.c, x.s);
                break;
            }
            case 'P': {
                struct pair x = va_arg(ap, struct pair);
                pos += (size_t)snprintf(out + pos, cap - pos, "P{%d,%g} ", x.a, x.f);
                break;
            }
            case 'B': {
                struct big x = va_arg(ap, struct big);
                pos += (size_t)snprintf(out + pos, cap - pos, "B{%" PRId64 ",%" PRId64 ",%s} ", x.v[0], x.v[4], x.tag);
                break;
            }
        }
    }
}

static void show(const char* types, ...) {
    char buf[2048];
    va_list ap, copy;
    va_start(ap, types);
    va_copy(copy, ap);
    describe(buf, sizeof buf, types, ap);
    char again[2048];
    describe(again, sizeof again, types, copy); /* a copy walks the same arguments */
    va_end(copy);
    va_end(ap);
    printf("%-12s %s%s\n", types, buf, strcmp(buf, again) ? " COPY-MISMATCH" : "");
    for (const char* p = buf; *p; ++p) mix((uint64_t)(unsigned char)*p);
}

/* Several levels of va_list forwarding. */
static int level3(char* out, size_t cap, const char* fmt, va_list ap) { return vsnprintf(out, cap, fmt, ap); }
static int level2(char* out, size_t cap, const char* fmt, va_list ap) {
    va_list c;
    va_copy(c, ap);
    int n = level3(out, cap, fmt, c);
    va_end(c);
    return n;
}
static int level1(char* out, size_t cap, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = level2(out, cap, fmt, ap);
    va_end(ap);
    return n;
}

/* Fixed parameters in registers, then a variadic tail that must come from the stack. */
static double many(int a1, double d1, int a2, double d2, int a3, double d3, int a4, double d4, int a5, double d5,
                   int n, ...) {
    va_list ap;
    va_start(ap, n);
    double s = a1 + d1 + a2 + d2 + a3 + d3 + a4 + d4 + a5 + d5;
    for (int i = 0; i < n; ++i) s += (i & 1) ? va_arg(ap, double) : (double)va_arg(ap, long);
    va_end(ap);
    return s;
}

/* Non-variadic function with more arguments than argument registers (GPR and FPR). */
static double spill(double f1, double f2, double f3, double f4, double f5, double f6, double f7, double f8, double f9,
                    double f10, double f11, double f12, double f13, double f14, double f15, long i1, long i2, long i3,
                    long i4, long i5, long i6, long i7, long i8, long i9, long i10) {
    return f1 - f2 + f3 - f4 + f5 - f6 + f7 - f8 + f9 - f10 + f11 - f12 + f13 - f14 + f15 * 2 +
           (double)(i1 - i2 + i3 - i4 + i5 - i6 + i7 - i8 + i9 * 3 - i10 * 5);
}

static uint64_t max_u64(int n, ...) {
    va_list ap;
    va_start(ap, n);
    uint64_t m = 0;
    while (n--) {
        uint64_t v = va_arg(ap, uint64_t);
        if (v > m) m = v;
    }
    va_end(ap);
    return m;
}

int main(void) {
    printf("== sums\n");
    for (int k = 0; k < 20; ++k) {
        long s = sum_ints(k, 1 * k, -2, 3 * k, -4, 5, 600000 * k, -7, 8, 9 * k, 10, -11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
        double d = sum_doubles(k, 0.5, 1.25 * k, -2.0, 3e10, 1e-5 * k, 7.0, 8.5, -9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                               15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0);
        printf("k=%2d ints=%ld doubles=%a (%.10g)\n", k, s, d, d);
        mix((uint64_t)s ^ dbits(d));
    }
    printf("== mixed\n");
    struct small sm = {'q', -1234};
    struct pair pr = {77, 2.5f};
    struct big bg = {{1, 2, 3, 4, -5}, "bigtag"};
    long double ld = 1.0L / 3.0L;
    show("i", 42);
    show("iii", 1, 2, 3);
    show("ld", -9000000000L, 3.25);
    show("dddddddddddddddd", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0);
    show("ididididididid", 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5);
    show("fcs", 1.25f, 'z', "string arg");
    show("SPB", sm, pr, bg);
    show("iSiPiBi", 1, sm, 2, pr, 3, bg, 4);
    show("L", ld);
    show("iLdL", 7, ld * 3, 0.1, -ld);
    show("uuuuuuuuuu", 1ULL, 2ULL << 40, ~0ULL, 3ULL, 4ULL, 5ULL, 6ULL, 7ULL, 8ULL, 0x8000000000000000ULL);
    show("sisdsLsBsS", "a", 1, "b", 2.0, "c", ld, "d", bg, "e", sm);
    for (int k = 0; k < 40; ++k) {
        char a[12][8];
        for (int i = 0; i < 12; ++i) snprintf(a[i], sizeof a[i], "w%d", k + i);
        switch (k % 4) {
            case 0: show("ilds", k, (long)k * -1000000007L, k / 7.0, "tail"); break;
            case 1: show("dliSd", k * 1e100, (long)k, -k, sm, -k * 1e-100); break;
            case 2: show("cPuL", 'a' + k % 26, pr, (unsigned long long)k << 50, ld * k); break;
            default: show("fBisi", (float)k / 3.0f, bg, k * k, a[k % 12], k - 99); break;
        }
    }
    printf("== forwarding\n");
    char buf[256];
    for (int k = 0; k < 15; ++k) {
        int n = level1(buf, sizeof buf, "%d|%s|%.3f|%c|%lx|%5.1e|%%|%p", k, "fwd", k * 0.333, 'A' + k, 0xABCDEFUL * k,
                       k * 1234.5, (void*)0);
        printf("%2d %s\n", n, buf);
        mix((uint64_t)n);
    }
    printf("== many\n");
    for (int k = 0; k < 10; ++k) {
        double r = many(1, 0.5, 2, 0.25, 3, 0.125, 4, 1e10, 5, -1e10, k, 10L, 1.5, 20L, 2.5, 30L, 3.5, 40L, 4.5, 50L, 5.5);
        double s = spill(k, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15.5, k, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        printf("%d %a %a max=%" PRIx64 "\n", k, r, s,
               max_u64(k, 5ULL, 0xFFFF0000FFFFULL, 3ULL, 0x8000000000000001ULL, 7ULL, 9ULL, 2ULL, 1ULL, 0ULL, 4ULL));
        mix(dbits(r) ^ dbits(s));
    }
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 90) + 30;
}
