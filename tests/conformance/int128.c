/* 128-bit integers (__int128): add/sub with carries, 64x64->128 and 128x128 multiplication,
 * division and modulo (libgcc's __divti3/__udivti3/__modti3), shifts, comparisons, decimal
 * printing, factorials, Fibonacci numbers, modular exponentiation, Miller-Rabin primality and
 * integer square roots. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

#define OPQ(x) ({ __auto_type v_ = (x); __asm__ volatile("" : "+r"(v_)); v_; })

static uint64_t hash = 0x1f83d9abfb41bd6bULL;
static void mix128(u128 v) {
    for (int i = 0; i < 2; ++i) {
        hash = (hash ^ (uint64_t)(v >> (64 * i))) * 0x9E3779B97F4A7C15ULL;
        hash ^= hash >> 29;
    }
}

static char* u128_str(u128 v, char* buf) {
    char tmp[48];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (int i = 0; i < n; ++i) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}
static char* i128_str(i128 v, char* buf) {
    if (v < 0) {
        buf[0] = '-';
        u128_str((u128)0 - (u128)v, buf + 1);
        return buf;
    }
    return u128_str((u128)v, buf);
}
static void hex128(u128 v, char* buf) {
    snprintf(buf, 40, "%016" PRIx64 "%016" PRIx64, (uint64_t)(v >> 64), (uint64_t)v);
}

static u128 mulmod(u128 a, u128 b, u128 m) {
    /* a, b < m < 2^64: the product fits in 128 bits. */
    return (a * b) % m;
}
static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
    u128 r = 1, x = b % m;
    while (e) {
        if (e & 1) r = mulmod(r, x, m);
        x = mulmod(x, x, m);
        e >>= 1;
    }
    return (uint64_t)r;
}
static int is_prime(uint64_t n) {
    if (n < 2) return 0;
    static const uint64_t small[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    for (int i = 0; i < 12; ++i) {
        if (n == small[i]) return 1;
        if (n % small[i] == 0) return 0;
    }
    uint64_t d = n - 1;
    int s = 0;
    while (!(d & 1)) {
        d >>= 1;
        ++s;
    }
    for (int i = 0; i < 12; ++i) {
        uint64_t x = powmod(small[i], d, n);
        if (x == 1 || x == n - 1) continue;
        int composite = 1;
        for (int r = 1; r < s; ++r) {
            x = (uint64_t)mulmod(x, x, n);
            if (x == n - 1) {
                composite = 0;
                break;
            }
        }
        if (composite) return 0;
    }
    return 1;
}
static u128 isqrt128(u128 n) {
    if (n < 2) return n;
    u128 x = (u128)1 << ((128 - (n >> 64 ? __builtin_clzll((uint64_t)(n >> 64)) : 64 + __builtin_clzll((uint64_t)n)) + 1) / 2);
    for (;;) {
        u128 y = (x + n / x) / 2;
        if (y >= x) return x;
        x = y;
    }
}

static const i128 vals[] = {0, 1, -1, 2, -3, 10, 1000000007, -999999999999LL, (i128)INT64_MAX, (i128)INT64_MIN,
                            (i128)UINT64_MAX, ((i128)1 << 100) + 12345, -((i128)1 << 90) - 77,
                            (i128)(((u128)0x7FFFFFFFFFFFFFFFULL << 64) | 0xFFFFFFFFFFFFFFFFULL),
                            (i128)((u128)1 << 127), (i128)(((u128)0x0123456789ABCDEFULL << 64) | 0xFEDCBA9876543210ULL)};
#define NV (int)(sizeof vals / sizeof vals[0])

int main(void) {
    char b1[48], b2[48], b3[48], b4[48], b5[48];
    printf("== arithmetic\n");
    for (int i = 0; i < NV; ++i) {
        for (int j = 0; j < NV; ++j) {
            i128 a = OPQ(vals[i]), b = OPQ(vals[j]);
            u128 ua = (u128)a, ub = (u128)b;
            u128 sum = ua + ub, dif = ua - ub, prd = ua * ub;
            i128 q = 0, r = 0;
            i128 minv = (i128)((u128)1 << 127);
            if (b != 0 && !(a == minv && b == -1)) {
                q = a / b;
                r = a % b;
            }
            u128 uq = ub ? ua / ub : 0, ur = ub ? ua % ub : 0;
            hex128(sum, b1);
            hex128(dif, b2);
            hex128(prd, b3);
            printf("%2d %2d %s %s %s q=%s r=%s", i, j, b1, b2, b3, i128_str(q, b4), i128_str(r, b5));
            printf(" uq=%s ur=%s %d%d%d\n", u128_str(uq, b4), u128_str(ur, b5), a < b, ua < ub, a == b);
            mix128(sum ^ dif ^ prd ^ (u128)q ^ (u128)r ^ uq ^ ur);
        }
    }
    printf("== shifts\n");
    u128 v = ((u128)0x8123456789ABCDEFULL << 64) | 0x0FEDCBA987654321ULL;
    for (int s = 0; s < 128; s += 5) {
        unsigned sh = OPQ((unsigned)s);
        hex128(v << sh, b1);
        hex128(v >> sh, b2);
        hex128((u128)((i128)v >> sh), b3);
        printf("%3d %s %s %s\n", s, b1, b2, b3);
        mix128((v << sh) ^ (v >> sh));
    }
    printf("== 64x64 products\n");
    uint64_t x = 0xDEADBEEFCAFEBABEULL;
    for (int k = 0; k < 50; ++k) {
        x = x * 0x5851F42D4C957F2DULL + 0x14057B7EF767814FULL;
        uint64_t y = OPQ(x ^ (x >> 29));
        u128 p = (u128)x * y;
        i128 sp = (i128)(int64_t)x * (int64_t)y;
        hex128(p, b1);
        hex128((u128)sp, b2);
        printf("%016" PRIx64 " * %016" PRIx64 " = %s s=%s\n", x, y, b1, b2);
        mix128(p ^ (u128)sp);
    }
    printf("== factorials\n");
    u128 f = 1;
    for (unsigned n = 1; n <= 34; ++n) {
        f *= n;
        printf("%2u! = %s\n", n, u128_str(f, b1));
    }
    mix128(f);
    printf("== fibonacci\n");
    u128 fa = 0, fb = 1;
    for (int n = 0; n <= 185; ++n) {
        if (n % 10 == 0 || n > 180) printf("F%d = %s\n", n, u128_str(fa, b1));
        u128 t = fa + fb;
        fa = fb;
        fb = t;
    }
    mix128(fa);
    printf("== primes\n");
    int count = 0;
    uint64_t last = 0;
    for (uint64_t n = 0xFFFFFFFFFFFFFFFFULL; n > 0xFFFFFFFFFFFFF000ULL; n -= 2) {
        if (is_prime(n)) {
            if (count < 12) printf("prime %" PRIu64 "\n", n);
            ++count;
            last = n;
        }
    }
    printf("count=%d last=%" PRIu64 "\n", count, last);
    static const uint64_t tests[] = {1, 2, 97, 561, 1105, 4294967291ULL, 4294967297ULL, 1000000007ULL,
                                     999999999989ULL, 3215031751ULL, 18446744073709551557ULL, 9223372036854775783ULL};
    for (unsigned i = 0; i < sizeof tests / sizeof tests[0]; ++i)
        printf("is_prime(%" PRIu64 ")=%d 2^(n-1) mod n=%" PRIu64 "\n", tests[i], is_prime(tests[i]),
               tests[i] > 1 ? powmod(2, tests[i] - 1, tests[i]) : 0);
    mix128(((u128)count << 64) | last);
    printf("== square roots\n");
    u128 n = 1;
    for (int k = 0; k < 40; ++k) {
        n = n * 7 + (u128)k * 0x9E3779B97F4A7C15ULL;
        u128 r = isqrt128(n);
        int ok = r * r <= n && (r + 1) * (r + 1) > n;
        printf("isqrt(%s)=%s ok=%d\n", u128_str(n, b1), u128_str(r, b2), ok);
        mix128(r);
    }
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 5;
}
