/* Switch statements: dense switches compiled to jump tables (signed and unsigned selectors, with
 * and without offsets), sparse switches (binary decision trees), fall-through, switch on chars in
 * a tokenizer, an enum-driven state machine, nested switches and computed goto dispatch. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t hash = 0x510e527fade682d1ULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 27;
}

/* Each case computes something different so the compiler emits a jump table rather than a
 * lookup table. */
static __attribute__((noinline)) int dense(int x, int y) {
    switch (x) {
        case 0: return y + 17;
        case 1: return y - 3;
        case 2: return y * 1000;
        case 3: return x * 5 + y;
        case 4: return y ^ 44;
        case 5: return y | 12345;
        case 6: return -y - 77;
        case 7: return (int)((unsigned)y << 10);
        case 8: return y >> 3;
        case 9: return y % 81 + 1;
        case 10: return (y & 1010) + 1;
        case 11: return ~y;
        case 12: return y * y;
        case 13: return 13 * 13 * 13 - y;
        case 14: return y / 7;
        case 15: return y & 15;
        case 16: return (int)((unsigned)y >> 8);
        case 17: return y - 1700;
        case 18: return y * 18 + 1;
        case 19: return y + 361;
        case 20: return y / 3 + 2020;
        case 21: return y * 21 - 5;
        case 22: return y * 3 + x;
        case 23: return (y ^ 2323) + 1;
        case 24: return -y;
        case 25: return y % 625;
        case 26: return y + 26 * y;
        case 27: return 729 - y;
        case 28: return y > 28 ? 28 : y;
        case 29: return y * 2 - 29;
        case 30: return (y & 30) | 1;
        case 31: return 961 + (y & 7);
        default: return -1;
    }
}

/* Offset range: the compiler subtracts the base before indexing the table. */
static __attribute__((noinline)) const char* offset_names(long x) {
    switch (x) {
        case 1000: return "thousand";
        case 1001: return "thousand-one";
        case 1002: return "thousand-two";
        case 1003: return "thousand-three";
        case 1005: return "thousand-five";
        case 1006: return "thousand-six";
        case 1008: return "thousand-eight";
        case 1009: return "thousand-nine";
        case 1010: return "thousand-ten";
        case 1012: return "thousand-twelve";
        default: return "other";
    }
}

static __attribute__((noinline)) int negative_cases(int x) {
    switch (x) {
        case -8: return 1;
        case -7: return 2;
        case -6: return 3;
        case -5: return 5;
        case -4: return 8;
        case -3: return 13;
        case -2: return 21;
        case -1: return 34;
        case 0: return 55;
        case 1: return 89;
        case 2: return 144;
        default: return 0;
    }
}

static __attribute__((noinline)) unsigned sparse(uint64_t x) {
    switch (x) {
        case 1: return 1;
        case 10: return 2;
        case 100: return 3;
        case 1000: return 4;
        case 10000: return 5;
        case 100000: return 6;
        case 1000000: return 7;
        case 0xFFFFFFFFull: return 8;
        case 0x100000000ull: return 9;
        case 0xDEADBEEFCAFEull: return 10;
        case 0x8000000000000000ull: return 11;
        case ~0ull: return 12;
        default: return 0;
    }
}

static __attribute__((noinline)) int fallthrough(int x) {
    int r = 0;
    switch (x & 7) {
        case 0: r += 1; /* fall through */
        case 1: r += 10; /* fall through */
        case 2: r += 100; break;
        case 3: r += 1000; /* fall through */
        case 4: r += 10000; /* fall through */
        case 5: r *= 3; break;
        case 6: r = -1; /* fall through */
        default: r -= 5;
    }
    return r;
}

/* Tokenizer: switch on characters. */
enum tok { T_NUM, T_IDENT, T_OP, T_LPAREN, T_RPAREN, T_STR, T_SPACE, T_BAD, T_COUNT };
static const char* tok_name[] = {"num", "ident", "op", "(", ")", "str", "space", "bad"};
static void tokenize(const char* s, int counts[T_COUNT]) {
    while (*s) {
        enum tok t;
        const char* start = s;
        switch (*s) {
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                while (*s >= '0' && *s <= '9') ++s;
                t = T_NUM;
                break;
            case '+': case '-': case '*': case '/': case '%': case '=': case '<': case '>': case '!': case '&': case '|':
                ++s;
                if (*s == '=' || (*s == *start && (*s == '&' || *s == '|' || *s == '+' || *s == '-'))) ++s;
                t = T_OP;
                break;
            case '(': ++s; t = T_LPAREN; break;
            case ')': ++s; t = T_RPAREN; break;
            case '"':
                ++s;
                while (*s && *s != '"') ++s;
                if (*s) ++s;
                t = T_STR;
                break;
            case ' ': case '\t': case '\n':
                while (*s == ' ' || *s == '\t' || *s == '\n') ++s;
                t = T_SPACE;
                break;
            default:
                if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_') {
                    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || (*s >= '0' && *s <= '9')) ++s;
                    t = T_IDENT;
                } else {
                    ++s;
                    t = T_BAD;
                }
        }
        counts[t]++;
        if (t != T_SPACE) printf("  %-5s '%.*s'\n", tok_name[t], (int)(s - start), start);
        mix((uint64_t)t * 131 + (uint64_t)(s - start));
    }
}

/* State machine: run-length decode "3a2b10c" style strings, with escapes. */
enum state { S_COUNT, S_CHAR, S_ESC, S_ERR };
static int rle_decode(const char* in, char* out, int cap) {
    enum state st = S_COUNT;
    int n = 0, len = 0;
    for (; *in; ++in) {
        char c = *in;
        switch (st) {
            case S_COUNT:
                switch (c) {
                    case '0' ... '9': n = n * 10 + (c - '0'); break;
                    case '\\': st = S_ESC; break;
                    default: st = S_CHAR; --in; break;
                }
                break;
            case S_ESC:
                st = S_CHAR;
                /* fall through */
            case S_CHAR:
                if (n == 0) n = 1;
                while (n-- > 0 && len < cap - 1) out[len++] = c;
                n = 0;
                if (st == S_CHAR) st = S_COUNT;
                break;
            case S_ERR: return -1;
        }
    }
    out[len] = 0;
    return st == S_COUNT ? len : -1;
}

/* A tiny register VM dispatched with computed goto (labels as values). */
static long run_vm(const unsigned char* code, long a0) {
    static void* const ops[] = {&&op_halt, &&op_inc, &&op_dec, &&op_dbl, &&op_add, &&op_jnz, &&op_swap, &&op_mulk, &&op_neg};
    long r0 = a0, r1 = 0, steps = 0;
    const unsigned char* pc = code;
#define NEXT                   \
    do {                       \
        ++steps;               \
        goto* ops[*pc++ % 9]; \
    } while (0)
    NEXT;
op_inc: r0++; NEXT;
op_dec: r0--; NEXT;
op_dbl: r0 += r0; NEXT;
op_add: r1 += r0; NEXT;
op_jnz: {
    unsigned char off = *pc++;
    if (r0 != 0) pc -= off;
    NEXT;
}
op_swap: {
    long t = r0;
    r0 = r1;
    r1 = t;
    NEXT;
}
op_mulk: r0 = r0 * (long)(*pc++); NEXT;
op_neg: r0 = -r0; NEXT;
op_halt:
#undef NEXT
    return r1 * 1000 + steps;
}

static __attribute__((noinline)) int nested(int a, int b) {
    switch (a % 4) {
        case 0:
            switch (b % 3) {
                case 0: return 1;
                case 1: return 2;
                default: return 3;
            }
        case 1:
            switch (b % 5) {
                case 0: return 10;
                case 2: return 12;
                case 4: return 14;
                default: return 19;
            }
        case 2: return b % 7 == 3 ? 20 : 21;
        default:
            switch ((a + b) & 3) {
                case 0: return 30;
                case 1: return 31;
                case 2: return 32;
                case 3: return 33;
            }
    }
    return -1;
}

int main(void) {
    printf("== dense\n");
    long total = 0;
    for (int x = -5; x <= 40; ++x) {
        int d = dense(x, x * 37 - 89);
        total += d;
        printf("dense(%d)=%d\n", x, d);
    }
    for (int k = 0; k < 200000; ++k) total += dense((k * 7) % 37, k % 10000 - 5000);
    printf("dense total=%ld\n", total);
    mix((uint64_t)total);
    printf("== offset\n");
    for (long x = 995; x <= 1015; ++x) printf("%ld %s\n", x, offset_names(x));
    printf("== negative\n");
    for (int x = -10; x <= 4; ++x) {
        printf("neg(%d)=%d\n", x, negative_cases(x));
        mix((uint64_t)negative_cases(x));
    }
    printf("== sparse\n");
    static const uint64_t sv[] = {0, 1, 2, 10, 11, 100, 1000, 9999, 10000, 100000, 1000000, 0xFFFFFFFFull,
                                  0x100000000ull, 0xDEADBEEFCAFEull, 0x8000000000000000ull, ~0ull, 0x7FFFFFFFFFFFFFFFull};
    for (unsigned i = 0; i < sizeof sv / sizeof sv[0]; ++i) {
        printf("sparse(%" PRIx64 ")=%u\n", sv[i], sparse(sv[i]));
        mix(sparse(sv[i]));
    }
    printf("== fallthrough\n");
    for (int x = 0; x < 16; ++x) printf("ft(%d)=%d\n", x, fallthrough(x));
    printf("== tokens\n");
    int counts[T_COUNT] = {0};
    tokenize("x1 = (alpha+42)*beta_2 - \"a string\" >= 7 && !done || y-- != 0 @ # z", counts);
    tokenize("while (i < 100) { i += 3; total = total * 2 % 1000003; }", counts);
    for (int t = 0; t < T_COUNT; ++t) printf("count %s=%d\n", tok_name[t], counts[t]);
    printf("== rle\n");
    static const char* rle[] = {"3a2b10c", "abc", "5\\3x", "12-", "", "2\\\\1z", "100.", "3"};
    for (unsigned i = 0; i < sizeof rle / sizeof rle[0]; ++i) {
        char out[200];
        int n = rle_decode(rle[i], out, sizeof out);
        printf("rle(%s)=%d %s\n", rle[i], n, n >= 0 ? out : "(error)");
        mix((uint64_t)n);
    }
    printf("== vm\n");
    /* r0 = a0; loop: r1 += r0; r0--; jnz loop -> r1 = a0*(a0+1)/2 */
    static const unsigned char prog1[] = {4, 2, 5, 4, 0};
    /* r0 = a0*3; neg; neg; dbl; add; swap; inc; add; halt */
    static const unsigned char prog2[] = {7, 3, 8, 8, 3, 4, 6, 1, 4, 0};
    for (long a = 1; a <= 2000; a = a * 3 + 1) {
        long r1 = run_vm(prog1, a), r2 = run_vm(prog2, a);
        printf("vm a=%ld prog1=%ld prog2=%ld\n", a, r1, r2);
        mix((uint64_t)r1 ^ (uint64_t)r2);
    }
    printf("== nested\n");
    for (int a = 0; a < 8; ++a) {
        for (int b = 0; b < 12; ++b) printf("%3d", nested(a, b));
        printf("\n");
    }
    long nsum = 0;
    for (int k = 0; k < 100000; ++k) nsum += nested(k, k / 3);
    printf("nested sum=%ld\n", nsum);
    mix((uint64_t)nsum);
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 12;
}
