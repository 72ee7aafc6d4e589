/* Hash tables: an open-addressing table (linear probing, tombstones, resizing) with string keys
 * used for word frequencies of generated text, and a separately chained table with 64-bit keys
 * checked against a sorted reference array; FNV-1a and a 64-bit mixer as hash functions. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_out = 0x428a2f98d728ae22ULL;
static void mix(uint64_t v) {
    hash_out = (hash_out ^ v) * 0x9E3779B97F4A7C15ULL;
    hash_out ^= hash_out >> 32;
}

static uint32_t lcg = 2463534242u;
static uint32_t rnd(void) {
    lcg ^= lcg << 13;
    lcg ^= lcg >> 17;
    lcg ^= lcg << 5;
    return lcg;
}

static uint64_t fnv1a(const char* s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    while (*s) h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
    return h;
}

/* ---- open addressing, string keys ---- */
struct entry {
    char* key; /* NULL = empty, TOMB = deleted */
    long count;
};
static char tomb_marker;
#define TOMB (&tomb_marker)

struct table {
    struct entry* e;
    size_t cap, used, tombs;
    long probes;
};

static void t_init(struct table* t, size_t cap) {
    t->e = calloc(cap, sizeof *t->e);
    t->cap = cap;
    t->used = t->tombs = 0;
    t->probes = 0;
}
static struct entry* t_find_slot(struct table* t, const char* key, int for_insert) {
    size_t mask = t->cap - 1, i = (size_t)fnv1a(key) & mask;
    struct entry* first_tomb = NULL;
    for (;;) {
        ++t->probes;
        struct entry* e = &t->e[i];
        if (e->key == NULL) return for_insert && first_tomb ? first_tomb : e;
        if (e->key == TOMB) {
            if (!first_tomb) first_tomb = e;
        } else if (strcmp(e->key, key) == 0) {
            return e;
        }
        i = (i + 1) & mask;
    }
}
static void t_resize(struct table* t, size_t cap);
static void t_add(struct table* t, const char* key, long delta) {
    if ((t->used + t->tombs + 1) * 4 > t->cap * 3) t_resize(t, t->used * 4 > t->cap ? t->cap * 2 : t->cap);
    struct entry* e = t_find_slot(t, key, 1);
    if (e->key == NULL || e->key == TOMB) {
        if (e->key == TOMB) --t->tombs;
        e->key = strdup(key);
        e->count = 0;
        ++t->used;
    }
    e->count += delta;
}
static int t_remove(struct table* t, const char* key) {
    struct entry* e = t_find_slot(t, key, 0);
    if (e->key == NULL) return 0;
    free(e->key);
    e->key = TOMB;
    --t->used;
    ++t->tombs;
    return 1;
}
static void t_resize(struct table* t, size_t cap) {
    struct entry* old = t->e;
    size_t oldcap = t->cap;
    long probes = t->probes;
    t_init(t, cap);
    t->probes = probes;
    for (size_t i = 0; i < oldcap; ++i) {
        if (old[i].key && old[i].key != TOMB) {
            struct entry* e = t_find_slot(t, old[i].key, 1);
            *e = old[i];
            ++t->used;
        }
    }
    free(old);
}

static int by_count(const void* a, const void* b) {
    const struct entry *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void words(void) {
    printf("== word frequencies\n");
    static const char* syl[] = {"ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "qui", "ro", "sa", "tu"};
    struct table t;
    t_init(&t, 16);
    char w[32];
    long total = 0;
    for (int i = 0; i < 60000; ++i) {
        /* Zipf-like: short words are much more common. */
        int ns = 1 + (int)(__builtin_ctz(rnd() | 0x10) % 4);
        w[0] = 0;
        for (int k = 0; k < ns; ++k) strcat(w, syl[rnd() % (k == 0 ? 16 : 6)]);
        t_add(&t, w, 1);
        ++total;
        if (i % 7 == 0 && ns == 4) t_remove(&t, w); /* some deletions */
    }
    printf("distinct=%zu cap=%zu tombs=%zu total=%ld probes=%ld\n", t.used, t.cap, t.tombs, total, t.probes);
    struct entry* arr = malloc(t.used * sizeof *arr);
    size_t n = 0;
    for (size_t i = 0; i < t.cap; ++i)
        if (t.e[i].key && t.e[i].key != TOMB) arr[n++] = t.e[i];
    qsort(arr, n, sizeof *arr, by_count);
    for (size_t i = 0; i < n && i < 40; ++i) printf("%-12s %ld\n", arr[i].key, arr[i].count);
    uint64_t h = 0;
    for (size_t i = 0; i < n; ++i) h = h * 1000003 + fnv1a(arr[i].key) + (uint64_t)arr[i].count;
    printf("all=%016" PRIx64 "\n", h);
    mix(h);
    /* lookups of absent keys */
    int absent = 0;
    for (int i = 0; i < 1000; ++i) {
        snprintf(w, sizeof w, "zz%d", i);
        absent += t_find_slot(&t, w, 0)->key == NULL;
    }
    printf("absent=%d\n", absent);
    for (size_t i = 0; i < t.cap; ++i)
        if (t.e[i].key && t.e[i].key != TOMB) free(t.e[i].key);
    free(t.e);
    free(arr);
}

/* ---- separate chaining, integer keys ---- */
struct cnode {
    uint64_t key;
    uint64_t val;
    struct cnode* next;
};
struct chained {
    struct cnode** b;
    size_t nb, n;
};
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    return z ^ (z >> 33);
}
static void c_put(struct chained* c, uint64_t k, uint64_t v) {
    if (c->n >= c->nb * 2) {
        size_t nb = c->nb * 2;
        struct cnode** b = calloc(nb, sizeof *b);
        for (size_t i = 0; i < c->nb; ++i) {
            struct cnode* p = c->b[i];
            while (p) {
                struct cnode* nx = p->next;
                size_t j = mix64(p->key) & (nb - 1);
                p->next = b[j];
                b[j] = p;
                p = nx;
            }
        }
        free(c->b);
        c->b = b;
        c->nb = nb;
    }
    size_t j = mix64(k) & (c->nb - 1);
    for (struct cnode* p = c->b[j]; p; p = p->next)
        if (p->key == k) {
            p->val = v;
            return;
        }
    struct cnode* p = malloc(sizeof *p);
    p->key = k;
    p->val = v;
    p->next = c->b[j];
    c->b[j] = p;
    ++c->n;
}
static int c_get(const struct chained* c, uint64_t k, uint64_t* v) {
    for (struct cnode* p = c->b[mix64(k) & (c->nb - 1)]; p; p = p->next)
        if (p->key == k) {
            *v = p->val;
            return 1;
        }
    return 0;
}
static int cmp_u64(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return (x > y) - (x < y);
}

static void integers(void) {
    printf("== chained integer table\n");
    struct chained c = {calloc(4, sizeof(struct cnode*)), 4, 0};
    enum { N = 20000 };
    static uint64_t keys[N];
    for (int i = 0; i < N; ++i) {
        keys[i] = ((uint64_t)rnd() << 32 | rnd()) % 50000; /* duplicates on purpose */
        c_put(&c, keys[i], (uint64_t)i);
    }
    qsort(keys, N, sizeof keys[0], cmp_u64);
    size_t distinct = 0;
    for (int i = 0; i < N; ++i)
        if (i == 0 || keys[i] != keys[i - 1]) keys[distinct++] = keys[i];
    int ok = 1;
    uint64_t vsum = 0;
    for (size_t i = 0; i < distinct; ++i) {
        uint64_t v;
        ok &= c_get(&c, keys[i], &v);
        vsum += v;
    }
    int misses = 0;
    for (uint64_t k = 50000; k < 51000; ++k) {
        uint64_t v;
        misses += !c_get(&c, k, &v);
    }
    size_t longest = 0, empty = 0;
    for (size_t i = 0; i < c.nb; ++i) {
        size_t len = 0;
        for (struct cnode* p = c.b[i]; p; p = p->next) ++len;
        if (len > longest) longest = len;
        empty += len == 0;
    }
    printf("n=%zu distinct=%zu buckets=%zu ok=%d vsum=%" PRIu64 " misses=%d longest=%zu empty=%zu\n", c.n, distinct,
           c.nb, ok, vsum, misses, longest, empty);
    for (size_t i = 0; i < distinct; i += distinct / 25) {
        uint64_t v = 0;
        c_get(&c, keys[i], &v);
        printf("  key %5" PRIu64 " -> %5" PRIu64 "\n", keys[i], v);
    }
    mix(vsum ^ c.n ^ longest);
    for (size_t i = 0; i < c.nb; ++i) {
        struct cnode* p = c.b[i];
        while (p) {
            struct cnode* nx = p->next;
            free(p);
            p = nx;
        }
    }
    free(c.b);
}

int main(void) {
    words();
    integers();
    printf("hash %016" PRIx64 "\n", hash_out);
    return (int)(hash_out % 100) + 8;
}
