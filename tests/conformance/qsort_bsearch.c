/* qsort with several comparators, element sizes (1 to 40 bytes) and array sizes (0 to 20000),
 * including already-sorted, reversed, all-equal and organ-pipe inputs; bsearch; a hand-written
 * merge sort and heap sort checked against qsort. Comparators are total orders (ties broken by
 * an index) so the output does not depend on which algorithm glibc picks. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash = 0x3c6ef372fe94f82bULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x100000001b3ULL;
    hash ^= hash >> 32;
}

static uint64_t rs = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void) {
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 0x2545F4914F6CDD1DULL;
}

static long ncompares;

static int cmp_int(const void* a, const void* b) {
    ++ncompares;
    int x = *(const int*)a, y = *(const int*)b;
    return (x > y) - (x < y);
}
static int cmp_int_desc(const void* a, const void* b) { return cmp_int(b, a); }
static int cmp_u8(const void* a, const void* b) {
    ++ncompares;
    return (int)*(const unsigned char*)a - (int)*(const unsigned char*)b;
}
static int cmp_i16(const void* a, const void* b) {
    ++ncompares;
    return (int)*(const int16_t*)a - (int)*(const int16_t*)b;
}
static int cmp_u64(const void* a, const void* b) {
    ++ncompares;
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return (x > y) - (x < y);
}
static int cmp_double(const void* a, const void* b) {
    ++ncompares;
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

struct rec12 {
    int32_t key;
    int32_t idx;
    int32_t payload;
};
static int cmp_rec12(const void* a, const void* b) {
    ++ncompares;
    const struct rec12 *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

struct rec40 {
    char name[24];
    double score;
    int64_t idx;
    int32_t pad;
};
static int cmp_rec40(const void* a, const void* b) {
    ++ncompares;
    const struct rec40 *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->score != y->score) return x->score > y->score ? -1 : 1; /* descending score */
    return (x->idx > y->idx) - (x->idx < y->idx);
}
static int cmp_str_ptr(const void* a, const void* b) {
    ++ncompares;
    return strcmp(*(const char* const*)a, *(const char* const*)b);
}

enum shape { RANDOM, SORTED, REVERSED, EQUAL, ORGAN, FEWKEYS, NSHAPES };
static const char* shape_name[] = {"random", "sorted", "reversed", "equal", "organ", "fewkeys"};

static int32_t shaped(enum shape s, size_t i, size_t n) {
    switch (s) {
        case RANDOM: return (int32_t)(rnd() >> 33) - (1 << 29);
        case SORTED: return (int32_t)i * 3;
        case REVERSED: return (int32_t)(n - i) * 3;
        case EQUAL: return 42;
        case ORGAN: return (int32_t)(i < n / 2 ? i : n - i);
        default: return (int32_t)(rnd() % 5);
    }
}

static uint64_t checksum(const void* p, size_t bytes) {
    const unsigned char* c = p;
    uint64_t h = 0;
    for (size_t i = 0; i < bytes; ++i) h = h * 257 + c[i] + 1;
    return h;
}

static const size_t counts[] = {0, 1, 2, 3, 5, 7, 8, 16, 31, 100, 1000, 4096, 20000};
#define NCOUNTS (sizeof counts / sizeof counts[0])

static void ints(void) {
    printf("== int arrays\n");
    static int a[20000], b[20000];
    for (size_t ci = 0; ci < NCOUNTS; ++ci) {
        size_t n = counts[ci];
        for (int s = 0; s < NSHAPES; ++s) {
            for (size_t i = 0; i < n; ++i) a[i] = b[i] = shaped((enum shape)s, i, n);
            ncompares = 0;
            qsort(a, n, sizeof a[0], cmp_int);
            int ok = 1;
            for (size_t i = 1; i < n; ++i) ok &= a[i - 1] <= a[i];
            qsort(b, n, sizeof b[0], cmp_int_desc);
            for (size_t i = 0; i < n; ++i) ok &= a[i] == b[n - 1 - i];
            /* bsearch for present and absent keys */
            int found = 0, absent = 0;
            for (size_t i = 0; i < n; i += 1 + n / 50) {
                int key = a[i];
                int* p = bsearch(&key, a, n, sizeof a[0], cmp_int);
                found += p != NULL && *p == key;
                key = a[i] + 1;
                if (i + 1 < n && a[i + 1] != key) absent += bsearch(&key, a, n, sizeof a[0], cmp_int) == NULL;
            }
            printf("n=%5zu %-8s ok=%d found=%d absent=%d min=%d max=%d sum=%016" PRIx64 "\n", n, shape_name[s], ok, found,
                   absent, n ? a[0] : 0, n ? a[n - 1] : 0, checksum(a, n * sizeof a[0]));
            mix(checksum(a, n * sizeof a[0]) + (uint64_t)ok);
        }
    }
}

static void other_sizes(void) {
    printf("== element sizes\n");
    static unsigned char u8[5000];
    static int16_t i16[5000];
    static uint64_t u64[5000];
    static double dbl[5000];
    for (size_t n = 1; n <= 5000; n = n * 3 + 1) {
        for (size_t i = 0; i < n; ++i) {
            uint64_t r = rnd();
            u8[i] = (unsigned char)r;
            i16[i] = (int16_t)(r >> 16);
            u64[i] = r;
            dbl[i] = (double)(int64_t)r / 1e9 * ((r & 1) ? 1 : -1e-5);
        }
        qsort(u8, n, 1, cmp_u8);
        qsort(i16, n, 2, cmp_i16);
        qsort(u64, n, 8, cmp_u64);
        qsort(dbl, n, 8, cmp_double);
        int ok = 1;
        for (size_t i = 1; i < n; ++i)
            ok &= u8[i - 1] <= u8[i] && i16[i - 1] <= i16[i] && u64[i - 1] <= u64[i] && dbl[i - 1] <= dbl[i];
        printf("n=%4zu ok=%d u8=%u..%u i16=%d..%d u64=%016" PRIx64 "..%016" PRIx64 " dbl=%.6g..%.6g med=%.6g\n", n, ok,
               u8[0], u8[n - 1], i16[0], i16[n - 1], u64[0], u64[n - 1], dbl[0], dbl[n - 1], dbl[n / 2]);
        mix(checksum(u8, n) ^ checksum(i16, 2 * n) ^ checksum(u64, 8 * n) ^ checksum(dbl, 8 * n));
    }
}

static void records(void) {
    printf("== records\n");
    static struct rec12 r12[3000];
    for (size_t i = 0; i < 3000; ++i) {
        r12[i].key = (int32_t)(rnd() % 100);
        r12[i].idx = (int32_t)i;
        r12[i].payload = (int32_t)(rnd() >> 40);
    }
    qsort(r12, 3000, sizeof r12[0], cmp_rec12);
    uint64_t h = 0;
    for (size_t i = 0; i < 3000; ++i) h = h * 31 + (uint64_t)r12[i].payload;
    printf("rec12 first=(%d,%d) last=(%d,%d) h=%016" PRIx64 "\n", r12[0].key, r12[0].idx, r12[2999].key, r12[2999].idx,
           h);
    mix(h);

    static const char* syll[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi"};
    static struct rec40 r40[600];
    memset(r40, 0, sizeof r40);
    for (size_t i = 0; i < 600; ++i) {
        int ns = 1 + (int)(rnd() % 3);
        for (int k = 0; k < ns; ++k) strcat(r40[i].name, syll[rnd() % 8]);
        r40[i].score = (double)(rnd() % 1000) / 8.0;
        r40[i].idx = (int64_t)i;
    }
    qsort(r40, 600, sizeof r40[0], cmp_rec40);
    for (size_t i = 0; i < 600; i += 13)
        printf("  %-8s %7.3f %3" PRId64 "\n", r40[i].name, r40[i].score, r40[i].idx);
    mix(checksum(r40, sizeof r40));

    static char words[400][12];
    static const char* ptrs[400];
    for (int i = 0; i < 400; ++i) {
        snprintf(words[i], sizeof words[i], "%c%c%c%03d", 'a' + (int)(rnd() % 26), 'a' + (int)(rnd() % 26),
                 'a' + (int)(rnd() % 26), i);
        ptrs[i] = words[i];
    }
    qsort(ptrs, 400, sizeof ptrs[0], cmp_str_ptr);
    for (int i = 0; i < 400; i += 20) printf("  word %s\n", ptrs[i]);
    for (int i = 0; i < 400; ++i) mix(checksum(ptrs[i], strlen(ptrs[i])));
}

/* Reference sorts. */
static void merge_sort(int* a, int* tmp, size_t n) {
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}
static void sift(int* a, size_t root, size_t n) {
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n) return;
        if (c + 1 < n && a[c + 1] > a[c]) ++c;
        if (a[root] >= a[c]) return;
        int t = a[root];
        a[root] = a[c];
        a[c] = t;
        root = c;
    }
}
static void heap_sort(int* a, size_t n) {
    for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
    for (size_t e = n; e-- > 1;) {
        int t = a[0];
        a[0] = a[e];
        a[e] = t;
        sift(a, 0, e);
    }
}

static void reference(void) {
    printf("== reference sorts\n");
    static int a[8000], b[8000], c[8000], tmp[8000];
    for (size_t n = 0; n <= 8000; n = n ? n * 2 : 1) {
        size_t m = n > 8000 ? 8000 : n;
        for (size_t i = 0; i < m; ++i) a[i] = b[i] = c[i] = (int)(rnd() % 1000) - 500;
        qsort(a, m, sizeof a[0], cmp_int);
        merge_sort(b, tmp, m);
        heap_sort(c, m);
        printf("n=%4zu merge=%d heap=%d\n", m, memcmp(a, b, m * sizeof a[0]) == 0, memcmp(a, c, m * sizeof a[0]) == 0);
        mix(checksum(a, m * sizeof a[0]));
    }
}

int main(void) {
    ints();
    other_sizes();
    records();
    reference();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 4;
}
