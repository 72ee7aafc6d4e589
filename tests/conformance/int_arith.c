/* Integer arithmetic: 8/16/32/64-bit signed and unsigned add/sub/mul/div/mod, division by
 * constants (magic-number sequences at -O2), overflow through unsigned types, shifts, rotates,
 * sign/zero extension, comparisons and conditional selects. Deterministic, no UB. */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

/* Hide a value from the optimizer so the operation is really executed at run time. */
#define OPQ(x) ({ __auto_type v_ = (x); __asm__ volatile("" : "+r"(v_)); v_; })

static uint64_t hash = 1469598103934665603ULL;
static void mix(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        hash ^= (v >> (8 * i)) & 0xFF;
        hash *= 1099511628211ULL;
    }
}

static const int64_t s64[] = {
    0, 1, -1, 2, -2, 3, -3, 7, -7, 10, -10, 100, 255, 256, -256, 65535, 65536,
    INT32_MAX, INT32_MIN, (int64_t)UINT32_MAX, (int64_t)UINT32_MAX + 1, INT64_MAX, INT64_MIN,
    INT64_MIN + 1, 0x123456789abcdef0LL, -0x123456789abcdef0LL, 0x00000000deadbeefLL,
    0x7fffffff00000000LL, 1000000007LL, -999999937LL,
};
#define NS64 (int)(sizeof s64 / sizeof s64[0])

static void signed64(void) {
    printf("== signed 64\n");
    for (int i = 0; i < NS64; ++i) {
        for (int j = 0; j < NS64; ++j) {
            int64_t a = OPQ(s64[i]), b = OPQ(s64[j]);
            uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
            int64_t sum = (int64_t)(ua + ub), dif = (int64_t)(ua - ub), prd = (int64_t)(ua * ub);
            int64_t q = 0, r = 0;
            int divok = b != 0 && !(a == INT64_MIN && b == -1);
            if (divok) {
                q = a / b;
                r = a % b;
            }
            int cmp = (a < b) ? -1 : (a > b) ? 1 : 0;
            printf("%3d %3d %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %c%" PRId64 " %" PRId64 " %d\n", i, j,
                   (uint64_t)sum, (uint64_t)dif, (uint64_t)prd, divok ? '=' : '!', q, r, cmp);
            mix((uint64_t)sum ^ (uint64_t)dif ^ (uint64_t)prd ^ (uint64_t)q ^ ((uint64_t)r << 1));
        }
    }
}

static void unsigned64(void) {
    printf("== unsigned 64\n");
    for (int i = 0; i < NS64; ++i) {
        for (int j = 0; j < NS64; ++j) {
            uint64_t a = OPQ((uint64_t)s64[i]), b = OPQ((uint64_t)s64[j]);
            uint64_t q = b ? a / b : 0, r = b ? a % b : 0;
            unsigned __int128 full = (unsigned __int128)a * b;
            uint64_t hi = (uint64_t)(full >> 64);
            int ltu = a < b, geu = a >= b;
            printf("%3d %3d q=%" PRIu64 " r=%" PRIu64 " hi=%016" PRIx64 " %d%d\n", i, j, q, r, hi, ltu, geu);
            mix(q ^ r ^ hi);
        }
    }
}

static const int32_t s32[] = {0, 1, -1, 2, -2, 5, -5, 9, 13, -13, 127, -128, 32767, -32768, 65536,
                              INT32_MAX, INT32_MIN, INT32_MIN + 1, 0x12345678, -0x12345678, 46341, 1 << 30};
#define NS32 (int)(sizeof s32 / sizeof s32[0])

static void width32(void) {
    printf("== 32 bit\n");
    for (int i = 0; i < NS32; ++i) {
        for (int j = 0; j < NS32; ++j) {
            int32_t a = OPQ(s32[i]), b = OPQ(s32[j]);
            uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
            int32_t prd = (int32_t)(ua * ub);
            int32_t q = 0, r = 0;
            if (b != 0 && !(a == INT32_MIN && b == -1)) {
                q = a / b;
                r = a % b;
            }
            uint32_t uq = ub ? ua / ub : 0, ur = ub ? ua % ub : 0;
            int64_t wide = (int64_t)a * b;
            uint32_t mulhwu = (uint32_t)(((uint64_t)ua * ub) >> 32);
            printf("%2d %2d %08" PRIx32 " %08" PRIx32 " %" PRId32 " %" PRId32 " %" PRIu32 " %" PRIu32 " %" PRId64
                   " %08" PRIx32 "\n",
                   i, j, (uint32_t)(ua + ub), (uint32_t)prd, q, r, uq, ur, wide, mulhwu);
            mix((uint64_t)wide ^ q ^ ((uint64_t)uq << 32) ^ ur ^ (uint32_t)r);
        }
    }
}

static void small_widths(void) {
    printf("== 8/16 bit\n");
    for (int v = -300; v <= 300; v += 7) {
        int x = OPQ(v);
        signed char sc = (signed char)x;
        unsigned char uc = (unsigned char)x;
        short ss = (short)(x * 211);
        unsigned short us = (unsigned short)(x * 211);
        signed char sum8 = (signed char)(sc + (signed char)100);
        unsigned char sat = (unsigned)uc + 77u > 255u ? 255 : (unsigned char)(uc + 77);
        short sq = (short)(ss / (short)7);
        printf("%4d sc=%4d uc=%3u ss=%6d us=%5u sum8=%4d sat=%3u sq=%6d ext=%08x\n", x, sc, uc, ss, us, sum8, sat, sq,
               (unsigned)(int)sc);
        mix((uint64_t)(uint8_t)sc | ((uint64_t)us << 8) | ((uint64_t)(uint16_t)sq << 24) | ((uint64_t)sat << 40));
    }
}

static void div_by_constants(void) {
    printf("== division by constants\n");
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int k = 0; k < 300; ++k) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t u = OPQ(x >> (k % 64));
        int64_t s = (int64_t)u;
        uint32_t u32 = (uint32_t)u;
        int32_t s32v = (int32_t)u32;
        printf("%016" PRIx64 " u/3=%" PRIu64 " u%%10=%" PRIu64 " u/1000=%" PRIu64 " s/7=%" PRId64 " s%%-5=%" PRId64
               " s/16=%" PRId64 " w/10=%" PRIu32 " w%%13=%" PRIu32 " sw/-3=%" PRId32 " sw%%8=%" PRId32 "\n",
               u, u / 3, u % 10, u / 1000, s / 7, s % -5, s / 16, u32 / 10, u32 % 13, s32v / -3, s32v % 8);
        mix(u / 3 + u % 10 + (uint64_t)(s / 7) + (uint64_t)(s % -5) + (uint64_t)(s32v / -3));
    }
}

static uint64_t rotl64(uint64_t v, unsigned s) { return (v << (s & 63)) | (v >> ((64 - s) & 63)); }
static uint32_t rotl32(uint32_t v, unsigned s) { return (v << (s & 31)) | (v >> ((32 - s) & 31)); }

static void shifts(void) {
    printf("== shifts and rotates\n");
    static const uint64_t vals[] = {1, 0x8000000000000001ULL, 0xF0F0F0F00F0F0F0FULL, 0x0123456789ABCDEFULL,
                                    0xFFFFFFFFFFFFFFFFULL, 0x8000000000000000ULL};
    for (unsigned vi = 0; vi < sizeof vals / sizeof vals[0]; ++vi) {
        for (unsigned sh = 0; sh < 64; ++sh) {
            uint64_t v = OPQ(vals[vi]);
            unsigned s = OPQ(sh);
            int64_t sv = (int64_t)v;
            uint32_t w = (uint32_t)v;
            int32_t sw = (int32_t)w;
            uint64_t shl = v << s, shr = v >> s;
            int64_t sar = sv >> s; /* arithmetic in GCC (implementation-defined, not UB) */
            uint32_t wl = s < 32 ? w << s : 0, wr = s < 32 ? w >> s : 0;
            int32_t war = s < 32 ? sw >> s : (sw < 0 ? -1 : 0);
            printf("%u %2u %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %08" PRIx32 " %08" PRIx32
                   " %08" PRIx32 " %08" PRIx32 "\n",
                   vi, s, shl, shr, (uint64_t)sar, rotl64(v, s), wl, wr, (uint32_t)war, rotl32(w, s));
            mix(shl ^ shr ^ (uint64_t)sar ^ rotl64(v, s) ^ wl ^ ((uint64_t)wr << 32) ^ rotl32(w, s));
        }
    }
}

static void masks_and_selects(void) {
    printf("== masks, selects, comparisons\n");
    uint64_t x = 88172645463325252ULL;
    long acc = 0;
    for (int k = 0; k < 200; ++k) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t a = OPQ(x), b = OPQ(x * 0x2545F4914F6CDD1DULL);
        int64_t sa = (int64_t)a, sb = (int64_t)b;
        uint64_t mn = a < b ? a : b, mx = a > b ? a : b;
        int64_t smn = sa < sb ? sa : sb;
        uint64_t fld = (a >> 13) & 0x7FF;
        uint64_t ins = (a & ~(0xFFFULL << 20)) | ((b & 0xFFF) << 20);
        uint64_t andc = a & ~b, orc = a | ~b, eqv = ~(a ^ b), nand = ~(a & b), nor = ~(a | b);
        int64_t absv = sa < 0 ? (int64_t)(0 - (uint64_t)sa) : sa;
        acc += (sa < sb) + 2 * (a < b) + 4 * (sa == sb) + 8 * ((uint32_t)a < (uint32_t)b) + 16 * ((int32_t)a < (int32_t)b);
        printf("%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %" PRId64 " %03" PRIx64 " %016" PRIx64 " %016" PRIx64
               " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %ld\n",
               mn, mx, (uint64_t)smn, absv, fld, ins, andc, orc, eqv, nand, nor, (uint64_t)-(int64_t)(a & 1), acc);
        mix(mn ^ mx ^ ins ^ andc ^ orc ^ eqv ^ (uint64_t)acc);
    }
}

static void accumulate(void) {
    printf("== long loops\n");
    uint64_t s = 0, p = 1;
    uint32_t s32sum = 0;
    for (uint32_t i = 1; i <= 100000; ++i) {
        s += (uint64_t)i * i;
        p = p * (i | 1) + (p >> 61);
        s32sum = s32sum * 31u + i;
    }
    printf("sum squares=%" PRIu64 " poly=%016" PRIx64 " s32=%08" PRIx32 "\n", s, p, s32sum);
    mix(s ^ p ^ s32sum);
    /* Greatest common divisors and modular inverses. */
    for (int64_t a = 1; a < 60; a += 7) {
        for (int64_t m = 61; m < 400; m += 53) {
            int64_t g0 = a, g1 = m, x0 = 1, x1 = 0;
            while (g1) {
                int64_t qq = g0 / g1, t = g0 - qq * g1;
                g0 = g1;
                g1 = t;
                t = x0 - qq * x1;
                x0 = x1;
                x1 = t;
            }
            int64_t inv = ((x0 % m) + m) % m;
            printf("gcd(%" PRId64 ",%" PRId64 ")=%" PRId64 " inv=%" PRId64 "\n", a, m, g0, inv);
            mix((uint64_t)(g0 * 1000 + inv));
        }
    }
}

int main(void) {
    signed64();
    unsigned64();
    width32();
    small_widths();
    div_by_constants();
    shifts();
    masks_and_selects();
    accumulate();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 120) + 3;
}
