/* Bit manipulation: popcount, clz/ctz/clrsb/ffs builtins checked against portable loops, byte
 * swaps, parity, bit reversal, Gray codes, Morton interleaving, power-of-two rounding, bit-field
 * extract/insert, byte-wise compares and a bitwise and table-driven CRC-32. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OPQ(x) ({ __auto_type v_ = (x); __asm__ volatile("" : "+r"(v_)); v_; })

static uint64_t hash = 0xcbf29ce484222325ULL;
static void mix(uint64_t v) {
    hash ^= v;
    hash *= 0x100000001b3ULL;
    hash ^= hash >> 29;
}

static int slow_popcount(uint64_t v) {
    int n = 0;
    for (; v; v >>= 1) n += (int)(v & 1);
    return n;
}
static int slow_clz(uint64_t v) {
    int n = 0;
    for (uint64_t m = 1ULL << 63; m && !(v & m); m >>= 1) ++n;
    return n;
}
static int slow_ctz(uint64_t v) {
    if (!v) return 64;
    int n = 0;
    while (!(v & 1)) {
        v >>= 1;
        ++n;
    }
    return n;
}
static uint64_t slow_bswap64(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xFF);
    return r;
}
static uint64_t reverse_bits64(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
}
static uint64_t slow_reverse(uint64_t v) {
    uint64_t r = 0;
    for (int i = 0; i < 64; ++i) r |= ((v >> i) & 1) << (63 - i);
    return r;
}
static uint32_t reverse_bits32(uint32_t v) {
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
    return __builtin_bswap32(v);
}
static uint64_t next_pow2(uint64_t v) {
    if (v <= 1) return 1;
    return v > (1ULL << 63) ? 0 : 1ULL << (64 - __builtin_clzll(v - 1));
}
static uint64_t spread_bits(uint32_t x) {
    uint64_t v = x;
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFULL;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFULL;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v | (v << 2)) & 0x3333333333333333ULL;
    v = (v | (v << 1)) & 0x5555555555555555ULL;
    return v;
}
static uint32_t compact_bits(uint64_t v) {
    v &= 0x5555555555555555ULL;
    v = (v | (v >> 1)) & 0x3333333333333333ULL;
    v = (v | (v >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    v = (v | (v >> 4)) & 0x00FF00FF00FF00FFULL;
    v = (v | (v >> 8)) & 0x0000FFFF0000FFFFULL;
    v = (v | (v >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)v;
}
/* Byte-wise equality mask, like the cmpb instruction computes. */
static uint64_t byte_eq_mask(uint64_t a, uint64_t b) {
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i)
        if (((a >> (8 * i)) & 0xFF) == ((b >> (8 * i)) & 0xFF)) r |= 0xFFULL << (8 * i);
    return r;
}
/* Has-zero-byte trick used by string functions. */
static int has_zero_byte(uint64_t v) { return ((v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL) != 0; }

static uint64_t state = 0x853c49e6748fea9bULL;
static uint64_t rnd(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
}

static void check_counts(void) {
    printf("== counts\n");
    int bad = 0;
    for (int k = 0; k < 600; ++k) {
        uint64_t v = rnd();
        switch (k % 6) { /* sparse and dense patterns too */
            case 1: v &= v >> 17; break;
            case 2: v = v >> (k % 64); break;
            case 3: v = 1ULL << (k % 64); break;
            case 4: v = ~0ULL << (k % 64); break;
            default: break;
        }
        v = OPQ(v);
        uint32_t w = (uint32_t)v;
        int pc = __builtin_popcountll(v), pcw = __builtin_popcount(w);
        int lz = v ? __builtin_clzll(v) : 64, tz = v ? __builtin_ctzll(v) : 64;
        int lzw = w ? __builtin_clz(w) : 32, tzw = w ? __builtin_ctz(w) : 32;
        int par = __builtin_parityll(v), parw = __builtin_parity(w);
        int ffs = __builtin_ffsll((long long)v), crs = __builtin_clrsbll((long long)v);
        if (pc != slow_popcount(v) || lz != slow_clz(v) || tz != slow_ctz(v) || par != (slow_popcount(v) & 1) ||
            ffs != (v ? slow_ctz(v) + 1 : 0))
            ++bad;
        printf("%016" PRIx64 " pc=%2d/%2d lz=%2d/%2d tz=%2d/%2d par=%d%d ffs=%2d clrsb=%2d\n", v, pc, pcw, lz, lzw, tz,
               tzw, par, parw, ffs, crs);
        mix((uint64_t)(pc | lz << 7 | tz << 14 | par << 21) ^ ((uint64_t)ffs << 22) ^ ((uint64_t)crs << 29) ^ v);
    }
    printf("count mismatches: %d\n", bad);
}

static void check_swaps(void) {
    printf("== swaps and reversal\n");
    int bad = 0;
    for (int k = 0; k < 300; ++k) {
        uint64_t v = OPQ(rnd());
        uint64_t b64 = __builtin_bswap64(v);
        uint32_t b32 = __builtin_bswap32((uint32_t)v);
        uint16_t b16 = __builtin_bswap16((uint16_t)v);
        uint64_t rev = reverse_bits64(v);
        uint32_t rev32 = reverse_bits32((uint32_t)(v >> 7));
        if (b64 != slow_bswap64(v) || rev != slow_reverse(v) || reverse_bits64(rev) != v) ++bad;
        unsigned char bytes[8];
        memcpy(bytes, &v, 8); /* native order: differs between BE and LE by design */
        printf("%016" PRIx64 " %016" PRIx64 " %08" PRIx32 " %04x %016" PRIx64 " %08" PRIx32 " first=%02x\n", v, b64,
               b32, b16, rev, rev32, bytes[0]);
        mix(b64 ^ rev ^ b32 ^ rev32);
    }
    printf("swap mismatches: %d\n", bad);
}

static void check_misc(void) {
    printf("== gray, morton, pow2, fields\n");
    for (uint32_t i = 0; i < 64; ++i) {
        uint32_t g = i ^ (i >> 1), back = g;
        for (uint32_t s = 1; s < 32; s <<= 1) back ^= back >> s;
        printf("gray %2u -> %2u -> %2u\n", i, g, back);
        mix(g * 64 + back);
    }
    for (int k = 0; k < 100; ++k) {
        uint32_t x = (uint32_t)rnd(), y = (uint32_t)rnd();
        uint64_t m = spread_bits(x) | (spread_bits(y) << 1);
        printf("morton %08" PRIx32 " %08" PRIx32 " %016" PRIx64 " ok=%d\n", x, y, m,
               compact_bits(m) == x && compact_bits(m >> 1) == y);
        mix(m);
    }
    for (int k = 0; k < 70; ++k) {
        uint64_t v = k < 66 ? (k < 2 ? (uint64_t)k : (1ULL << (k - 2)) + (k & 1)) : rnd();
        v = OPQ(v);
        printf("np2 %" PRIu64 " -> %" PRIu64 " ispow2=%d lowbit=%" PRIx64 " clearlow=%" PRIx64 "\n", v, next_pow2(v),
               v && !(v & (v - 1)), v & (0 - v), v & (v - 1));
        mix(next_pow2(v));
    }
    for (int k = 0; k < 120; ++k) {
        uint64_t v = rnd(), ins = rnd();
        unsigned pos = (unsigned)(k * 7) % 60, len = 1 + (unsigned)k % (64 - pos);
        uint64_t mask = len == 64 ? ~0ULL : ((1ULL << len) - 1);
        uint64_t ext = (v >> pos) & mask;
        uint64_t put = (v & ~(mask << pos)) | ((ins & mask) << pos);
        int64_t sext = (int64_t)(ext << (64 - len)) >> (64 - len);
        printf("field %2u:%2u ext=%" PRIx64 " sext=%" PRId64 " put=%016" PRIx64 "\n", pos, len, ext, sext, put);
        mix(ext ^ put ^ (uint64_t)sext);
    }
    for (int k = 0; k < 80; ++k) {
        uint64_t a = rnd(), b = a ^ (rnd() & rnd() & rnd() & 0xFF00FF00FFFF00FFULL);
        uint64_t z = k % 3 ? a : a & ~(0xFFULL << (8 * (k % 8)));
        printf("bytes %016" PRIx64 " %016" PRIx64 " eq=%016" PRIx64 " zero=%d\n", a, b, byte_eq_mask(a, b),
               has_zero_byte(z));
        mix(byte_eq_mask(a, b) + (uint64_t)has_zero_byte(z));
    }
}

static uint32_t crc_table[256];
static void crc_init(void) {
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc_fast(const unsigned char* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
static uint32_t crc_slow(const unsigned char* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void check_crc(void) {
    printf("== crc32\n");
    crc_init();
    static unsigned char buf[4096];
    for (size_t i = 0; i < sizeof buf; ++i) buf[i] = (unsigned char)(rnd() >> 56);
    printf("crc(\"123456789\")=%08" PRIx32 "\n", crc_fast((const unsigned char*)"123456789", 9));
    for (size_t n = 0; n <= sizeof buf; n = n * 2 + 1) {
        uint32_t f = crc_fast(buf, n), s = crc_slow(buf, n);
        printf("crc n=%4zu %08" PRIx32 " %s\n", n, f, f == s ? "ok" : "MISMATCH");
        mix(f);
    }
}

int main(void) {
    check_counts();
    check_swaps();
    check_misc();
    check_crc();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 20;
}
