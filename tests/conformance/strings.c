/* String and memory functions on many sizes and alignments: strlen/strnlen/strchr/strrchr,
 * strcmp/strncmp/strcasecmp, strcpy/strncpy/stpcpy/strcat, strstr/strspn/strcspn/strpbrk,
 * strtok/strtok_r, memcpy/memmove (overlapping both ways)/memset/memcmp/memchr, snprintf with
 * many conversions and truncation, strtol/strtoul/atoi. Every result is checked against a
 * simple byte loop; glibc picks CPU-specific implementations, which is the point. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint64_t hash = 14695981039346656037ULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 1099511628211ULL;
}
static int errors;
static void check(int ok, const char* what, int a, int b) {
    if (!ok) {
        ++errors;
        if (errors < 50) printf("ERROR %s (%d,%d)\n", what, a, b);
    }
}
static int sign(int v) { return (v > 0) - (v < 0); }

static uint32_t seed = 12345;
static uint32_t rnd(void) {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

#define BUF 1200
static unsigned char A[BUF + 64], B[BUF + 64], C[BUF + 64];

static void fill(unsigned char* p, size_t n, unsigned char base) {
    for (size_t i = 0; i < n; ++i) p[i] = (unsigned char)((base + i * 7 + (i >> 3)) % 255 + 1); /* never NUL */
}

static size_t ref_strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}
static int ref_memcmp(const unsigned char* a, const unsigned char* b, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 511, 777, 1024};
#define NSIZES (int)(sizeof sizes / sizeof sizes[0])

static void lengths_and_search(void) {
    printf("== strlen / strchr / memchr\n");
    for (int si = 0; si < NSIZES; ++si) {
        size_t n = sizes[si];
        uint64_t acc = 0;
        for (size_t al = 0; al < 16; ++al) {
            char* s = (char*)A + al;
            fill((unsigned char*)s, n, (unsigned char)al);
            s[n] = 0;
            s[n + 1] = 'x';
            size_t l = strlen(s);
            check(l == n && l == ref_strlen(s), "strlen", (int)n, (int)al);
            check(strnlen(s, n / 2) == n / 2, "strnlen", (int)n, (int)al);
            char target = n ? s[n - 1] : 'q';
            char* c = strchr(s, target);
            char* r = strrchr(s, target);
            char* z = strchr(s, 0);
            check(z == s + n, "strchr0", (int)n, (int)al);
            void* m = memchr(s, target, n);
            void* rm = memrchr(s, target, n);
            size_t ci = c ? (size_t)(c - s) : 9999, ri = r ? (size_t)(r - s) : 9999;
            size_t mi = m ? (size_t)((char*)m - s) : 9999, rmi = rm ? (size_t)((char*)rm - s) : 9999;
            if (n) check(ci == mi && ri == rmi, "chr", (int)n, (int)al);
            acc = acc * 31 + l + ci * 3 + ri * 5 + mi * 7 + rmi * 11;
        }
        printf("n=%4zu acc=%016" PRIx64 "\n", n, acc);
        mix(acc);
    }
}

static void copies(void) {
    printf("== memcpy / memmove / memset / memcmp\n");
    for (int si = 0; si < NSIZES; ++si) {
        size_t n = sizes[si];
        uint64_t acc = 0;
        for (size_t sa = 0; sa < 8; ++sa) {
            for (size_t da = 0; da < 8; ++da) {
                fill(A, BUF, (unsigned char)(sa * 8 + da));
                memset(B, 0xEE, BUF);
                memcpy(B + da, A + sa, n);
                check(ref_memcmp(B + da, A + sa, n) == 0 && (da == 0 || B[da - 1] == 0xEE) && B[da + n] == 0xEE,
                      "memcpy", (int)n, (int)(sa * 8 + da));
                /* Overlapping moves in both directions. */
                memcpy(C, A, BUF);
                memmove(C + da + 3, C + sa, n);
                memcpy(B, A, BUF);
                for (size_t i = n; i-- > 0;) B[da + 3 + i] = A[sa + i];
                check(memcmp(C, B, BUF) == 0, "memmove up", (int)n, (int)(sa * 8 + da));
                memcpy(C, A, BUF);
                memmove(C + sa, C + da + 3, n);
                memcpy(B, A, BUF);
                for (size_t i = 0; i < n; ++i) B[sa + i] = A[da + 3 + i];
                check(memcmp(C, B, BUF) == 0, "memmove down", (int)n, (int)(sa * 8 + da));
                /* memset with a value whose top bit is set, then compare with a changed byte. */
                memset(C + da, 0xA5, n);
                size_t k = 0;
                while (k < n && C[da + k] == 0xA5) ++k;
                check(k == n && C[da + n] == B[da + n], "memset", (int)n, (int)da);
                memcpy(B, C, BUF);
                if (n) B[da + (sa * 13) % n] ^= (unsigned char)(1u << (sa % 8));
                int c1 = sign(memcmp(C + da, B + da, n)), c2 = ref_memcmp(C + da, B + da, n);
                check(c1 == c2, "memcmp", (int)n, (int)(sa * 8 + da));
                acc = acc * 131 + (uint64_t)(c1 + 1) + C[da + n / 2];
            }
        }
        printf("n=%4zu acc=%016" PRIx64 "\n", n, acc);
        mix(acc);
    }
}

static void comparisons(void) {
    printf("== strcmp / strncmp / strcasecmp\n");
    for (int si = 0; si < NSIZES; ++si) {
        size_t n = sizes[si];
        int tally[3] = {0, 0, 0};
        for (size_t al = 0; al < 16; ++al) {
            char* a = (char*)A + al;
            char* b = (char*)B + (15 - al);
            fill((unsigned char*)a, n, 0x20);
            memcpy(b, a, n);
            a[n] = b[n] = 0;
            check(strcmp(a, b) == 0 && strncmp(a, b, n + 5) == 0, "strcmp eq", (int)n, (int)al);
            if (n) {
                size_t pos = (al * 37) % n;
                b[pos] = (char)(b[pos] + (al & 1 ? 1 : -1));
                if (b[pos] == 0) b[pos] = 1;
                int r = sign(strcmp(a, b));
                int ref = sign((unsigned char)a[pos] - (unsigned char)b[pos]);
                check(r == ref, "strcmp ne", (int)n, (int)al);
                check(strncmp(a, b, pos) == 0, "strncmp prefix", (int)n, (int)al);
                tally[r + 1]++;
                for (size_t i = 0; i < n; ++i) b[i] = (char)(isalpha((unsigned char)a[i]) ? a[i] ^ 0x20 : a[i]);
                check(strcasecmp(a, b) == 0, "strcasecmp", (int)n, (int)al);
                check(strncasecmp(a, b, n) == 0, "strncasecmp", (int)n, (int)al);
            }
        }
        printf("n=%4zu lt=%d eq=%d gt=%d\n", n, tally[0], tally[1], tally[2]);
        mix((uint64_t)(tally[0] * 100 + tally[2]));
    }
    static const char* words[] = {"", "a", "ab", "abc", "abd", "b", "ba", "\xff", "\x80", "A", "Z", "zz", "abcdefghijklmnopq", "abcdefghijklmnopr"};
    for (unsigned i = 0; i < 14; ++i) {
        for (unsigned j = 0; j < 14; ++j) printf("%c", "<=>"[sign(strcmp(words[i], words[j])) + 1]);
        printf(" %s\n", i < 7 ? words[i] : "(high)");
    }
}

static void copies_str(void) {
    printf("== strcpy / strncpy / stpcpy / strcat\n");
    for (int si = 0; si < NSIZES; ++si) {
        size_t n = sizes[si];
        uint64_t acc = 0;
        for (size_t al = 0; al < 8; ++al) {
            char* src = (char*)A + al;
            char* dst = (char*)B + (al * 3) % 8;
            fill((unsigned char*)src, n, 0x30);
            src[n] = 0;
            memset(B, 'Z', BUF);
            strcpy(dst, src);
            check(strcmp(dst, src) == 0, "strcpy", (int)n, (int)al);
            char* e = stpcpy(dst, src);
            check(e == dst + n, "stpcpy", (int)n, (int)al);
            memset(B, 'Z', BUF);
            strncpy(dst, src, n + 10);
            int pad = 1;
            for (size_t i = n; i < n + 10; ++i) pad &= dst[i] == 0;
            check(pad && dst[n + 10] == 'Z', "strncpy pad", (int)n, (int)al);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
            strncpy(dst, "0123456789", n < 5 ? n : 5); /* deliberately unterminated */
#pragma GCC diagnostic pop
            strcat(dst, "tail");
            size_t l = strlen(dst);
            acc = acc * 7 + l + (unsigned char)dst[l - 1];
        }
        printf("n=%4zu acc=%016" PRIx64 "\n", n, acc);
        mix(acc);
    }
}

static void searching(void) {
    printf("== strstr / strspn / strcspn / strpbrk / strtok\n");
    static char text[4096];
    size_t len = 0;
    static const char* vocab[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"};
    while (len < sizeof text - 40) {
        const char* w = vocab[rnd() % 12];
        size_t wl = strlen(w);
        memcpy(text + len, w, wl);
        len += wl;
        text[len++] = " ,;. "[rnd() % 5];
    }
    text[len] = 0;
    for (int i = 0; i < 12; ++i) {
        const char* p = text;
        int count = 0;
        size_t first = 0;
        while ((p = strstr(p, vocab[i])) != NULL) {
            if (!count) first = (size_t)(p - text);
            ++count;
            ++p;
        }
        char* q = strpbrk(text + first, ",;.");
        printf("%-8s count=%3d first=%4zu pbrk=%zu\n", vocab[i], count, first, q ? (size_t)(q - text) : 0);
        mix((uint64_t)count * 10000 + first);
    }
    printf("strstr miss=%d empty=%d long=%d\n", strstr(text, "omega") == NULL, strstr(text, "") == text,
           strstr(text, "alphaalphaalphaalphaalphaalphaalphaalpha") == NULL);
    printf("spn=%zu cspn=%zu\n", strspn(text, "abcdefghijklmnopqrstuvwxyz"), strcspn(text, ",;"));
    char copy[4096];
    memcpy(copy, text, len + 1);
    int ntok = 0;
    size_t lensum = 0;
    for (char* t = strtok(copy, " ,;."); t; t = strtok(NULL, " ,;.")) {
        ++ntok;
        lensum += strlen(t);
        if (ntok <= 8) printf("tok %s\n", t);
    }
    printf("tokens=%d chars=%zu\n", ntok, lensum);
    char line[] = "key1=val1;key2=val2;;key3=;=val4;key5=val5";
    char *save1, *save2;
    for (char* kv = strtok_r(line, ";", &save1); kv; kv = strtok_r(NULL, ";", &save1)) {
        char* k = strtok_r(kv, "=", &save2);
        char* v = strtok_r(NULL, "=", &save2);
        printf("kv [%s] [%s]\n", k ? k : "-", v ? v : "-");
    }
    mix((uint64_t)ntok * 100000 + lensum);
}

static void formatting(void) {
    printf("== snprintf\n");
    char buf[300];
    static const long long lv[] = {0, 1, -1, 42, -42, 255, 65535, 2147483647, -2147483648LL, LLONG_MAX, LLONG_MIN, 1000000000000LL};
    for (unsigned i = 0; i < sizeof lv / sizeof lv[0]; ++i) {
        int n = snprintf(buf, sizeof buf, "[%d|%5d|%-5d|%05d|%+d|% d|%x|%#x|%X|%o|%#o|%lld|%llu|%llx|%20lld|%-20lld|%.3lld|%hhd|%hd|%c]",
                         (int)lv[i], (int)lv[i], (int)lv[i], (int)lv[i], (int)lv[i], (int)lv[i], (unsigned)lv[i],
                         (unsigned)lv[i], (unsigned)lv[i], (unsigned)lv[i], (unsigned)lv[i], lv[i],
                         (unsigned long long)lv[i], (unsigned long long)lv[i], lv[i], lv[i], lv[i], (signed char)lv[i],
                         (short)lv[i], (int)('A' + (i % 26)));
        printf("%3d %s\n", n, buf);
        mix((uint64_t)n);
    }
    static const char* strs[] = {"", "x", "hello", "hello, world", "a much longer string that goes on"};
    for (unsigned i = 0; i < 5; ++i) {
        int n = snprintf(buf, sizeof buf, "<%s|%10s|%-10s|%.3s|%*s|%-*.*s>", strs[i], strs[i], strs[i], strs[i], 8, strs[i],
                         12, 4, strs[i]);
        printf("%3d %s\n", n, buf);
    }
    /* Truncation: the return value is the untruncated length. */
    for (size_t cap = 0; cap < 24; cap += 3) {
        memset(buf, '#', 40);
        int n = snprintf(buf, cap, "%s-%d-%s", "truncate", 123456, "me");
        buf[39] = 0;
        printf("cap=%2zu ret=%d buf=%s\n", cap, n, cap ? buf : "(untouched)");
        mix((uint64_t)n + cap);
    }
    int pos1 = 0, pos2 = 0;
    snprintf(buf, sizeof buf, "abc%ndef%nghi", &pos1, &pos2);
    printf("%%n: %d %d %s %%%%\n", pos1, pos2, buf);
}

static void parsing(void) {
    printf("== strtol / strtoul / atoi\n");
    static const char* in[] = {"0", "123", "-123", "  +77xyz", "0x1F", "0X1f", "017", "08", "zz", "9223372036854775807",
                               "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                               "18446744073709551615", "18446744073709551616", "   -0", "1010", "777", "ff", "-1"};
    static const int bases[] = {0, 10, 16, 8, 2, 36};
    for (unsigned i = 0; i < sizeof in / sizeof in[0]; ++i) {
        printf("%-24s", in[i]);
        for (unsigned b = 0; b < 6; ++b) {
            char* end;
            errno = 0;
            long v = strtol(in[i], &end, bases[b]);
            int e1 = errno;
            errno = 0;
            unsigned long u = strtoul(in[i], NULL, bases[b]);
            int e2 = errno;
            printf(" %ld/%lu/%td%s%s", v, u, end - in[i], e1 == ERANGE ? "R" : "", e2 == ERANGE ? "r" : "");
            mix((uint64_t)v ^ u);
        }
        printf(" atoi=%d\n", (int)atol(in[i]));
    }
}

int main(void) {
    lengths_and_search();
    copies();
    comparisons();
    copies_str();
    searching();
    formatting();
    parsing();
    printf("errors %d\nhash %016" PRIx64 "\n", errors, hash);
    return errors ? 1 : (int)(hash % 100) + 11;
}
