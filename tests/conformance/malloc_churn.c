/* Heap churn: thousands of malloc/calloc/realloc/free operations of sizes from 1 byte to
 * 600 KiB (large ones go through mmap), with every block filled with a pattern that is verified
 * before it is freed or resized; aligned allocations; a linked list and a growing vector. No
 * addresses are printed: only contents, counts and checksums. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash = 0x5be0cd19137e2179ULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 30;
}

static uint64_t rs = 0x0DDB1A5E5BAD5EEDULL;
static uint64_t rnd(void) {
    rs += 0x9E3779B97F4A7C15ULL;
    uint64_t z = rs;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

struct slot {
    unsigned char* p;
    size_t size;
    unsigned char seed;
};

#define NSLOTS 700
static struct slot slots[NSLOTS];
static long corrupt;

/* Block contents depend only on the position, so any prefix can be verified after realloc.
 * Small blocks are patterned byte by byte; big ones are memset and stamped every 61 bytes (and
 * sampled in between) to keep the instruction count reasonable for an interpreter. */
static unsigned char stamp(size_t i, unsigned char seed) { return (unsigned char)(seed + i * 13 + (i >> 9) + 1); }
static void pattern(unsigned char* p, size_t n, unsigned char seed) {
    if (n <= 512) {
        for (size_t i = 0; i < n; ++i) p[i] = i % 61 == 0 ? stamp(i, seed) : (unsigned char)(seed ^ (i & 0x3F));
        return;
    }
    for (size_t i = 0; i < 512; ++i) p[i] = i % 61 == 0 ? stamp(i, seed) : (unsigned char)(seed ^ (i & 0x3F));
    memset(p + 512, seed, n - 512);
    for (size_t i = 549; i < n; i += 61) p[i] = stamp(i, seed);
}
static int verify(const unsigned char* p, size_t n, unsigned char seed) {
    size_t head = n < 512 ? n : 512;
    for (size_t i = 0; i < head; ++i)
        if (p[i] != (i % 61 == 0 ? stamp(i, seed) : (unsigned char)(seed ^ (i & 0x3F)))) return 0;
    for (size_t i = 549; i < n; i += 61)
        if (p[i] != stamp(i, seed) || p[i - 30] != seed) return 0;
    if (n <= 512) return 1;
    size_t last = n - 1;
    return p[last] == (last >= 549 && (last - 549) % 61 == 0 ? stamp(last, seed) : seed);
}

static size_t pick_size(void) {
    uint64_t r = rnd();
    switch (r % 16) {
        case 0: return 0;
        case 1: case 2: case 3: case 4: case 5: return 1 + (size_t)(r >> 8) % 24;
        case 6: case 7: case 8: case 9: return 1 + (size_t)(r >> 8) % 512;
        case 10: case 11: case 12: return 1 + (size_t)(r >> 8) % 8192;
        case 13: case 14: return 1 + (size_t)(r >> 8) % 40000;
        default: return 140000 + (size_t)(r >> 8) % 300000; /* above the mmap threshold */
    }
}

static void churn(void) {
    printf("== churn\n");
    long nmalloc = 0, ncalloc = 0, nrealloc = 0, nfree = 0;
    size_t live = 0, peak = 0;
    for (int step = 1; step <= 12000; ++step) {
        struct slot* s = &slots[rnd() % NSLOTS];
        uint64_t op = rnd() % 10;
        if (s->p == NULL && s->size == 0 && op < 7) {
            size_t n = pick_size();
            if (op < 5) {
                s->p = malloc(n);
                ++nmalloc;
            } else {
                s->p = calloc(n, 1);
                ++ncalloc;
                static const unsigned char zeros[4096];
                for (size_t i = 0; s->p && i < n; i += sizeof zeros)
                    if (memcmp(s->p + i, zeros, n - i < sizeof zeros ? n - i : sizeof zeros) != 0) {
                        ++corrupt;
                        break;
                    }
            }
            if (s->p == NULL && n) {
                printf("allocation of %zu failed\n", n);
                continue;
            }
            s->size = n;
            s->seed = (unsigned char)rnd();
            if (s->p) pattern(s->p, n, s->seed);
            live += n;
        } else if (s->p != NULL && op < 4) {
            /* realloc: grow or shrink, the common prefix must survive */
            size_t n = pick_size();
            if (n == 0) n = 1;
            unsigned char* q = realloc(s->p, n);
            ++nrealloc;
            if (!q) {
                printf("realloc to %zu failed\n", n);
                continue;
            }
            size_t keep = n < s->size ? n : s->size;
            if (!verify(q, keep, s->seed)) ++corrupt;
            live = live - s->size + n;
            s->p = q;
            s->size = n;
            pattern(q, n, s->seed);
        } else if (s->p != NULL || s->size != 0) {
            if (!verify(s->p, s->size, s->seed)) ++corrupt;
            free(s->p);
            ++nfree;
            live -= s->size;
            s->p = NULL;
            s->size = 0;
        } else {
            free(NULL); /* harmless */
        }
        if (live > peak) peak = live;
        if (step % 500 == 0) {
            int used = 0;
            uint64_t h = 0;
            for (int i = 0; i < NSLOTS; ++i) {
                if (slots[i].p) {
                    ++used;
                    h = h * 31 + slots[i].size + (slots[i].size ? slots[i].p[slots[i].size / 2] : 0);
                }
            }
            printf("step %5d used=%3d live=%9zu peak=%9zu m=%ld c=%ld r=%ld f=%ld corrupt=%ld h=%016" PRIx64 "\n", step,
                   used, live, peak, nmalloc, ncalloc, nrealloc, nfree, corrupt, h);
            mix(h ^ live);
        }
    }
    for (int i = 0; i < NSLOTS; ++i) {
        if (slots[i].p && !verify(slots[i].p, slots[i].size, slots[i].seed)) ++corrupt;
        free(slots[i].p);
        slots[i].p = NULL;
        slots[i].size = 0;
    }
    printf("final corrupt=%ld\n", corrupt);
}

static void aligned(void) {
    printf("== aligned allocations\n");
    for (size_t al = 8; al <= 65536; al *= 4) {
        int ok = 1;
        void* ps[20];
        for (int k = 0; k < 20; ++k) {
            size_t n = 1 + (size_t)k * 777;
            void* p = NULL;
            if (k % 2) {
                if (posix_memalign(&p, al, n) != 0) p = NULL;
            } else {
                p = aligned_alloc(al, (n + al - 1) / al * al);
            }
            ok &= p != NULL && ((uintptr_t)p % al) == 0;
            if (p) memset(p, k, n);
            ps[k] = p;
        }
        for (int k = 0; k < 20; ++k) {
            const unsigned char* c = ps[k];
            ok &= c == NULL || (c[0] == (unsigned char)k && c[(size_t)k * 777] == (unsigned char)k);
            free(ps[k]);
        }
        printf("align %6zu ok=%d\n", al, ok);
        mix(al + (uint64_t)ok);
    }
}

struct item {
    struct item* next;
    int64_t value;
    char label[16];
};

static void lists(void) {
    printf("== linked list and vector\n");
    struct item* head = NULL;
    for (int i = 0; i < 2000; ++i) {
        struct item* it = malloc(sizeof *it);
        it->value = (int64_t)(rnd() % 100000) - 50000;
        snprintf(it->label, sizeof it->label, "item%d", i);
        /* insert sorted */
        struct item** pp = &head;
        while (*pp && (*pp)->value < it->value) pp = &(*pp)->next;
        it->next = *pp;
        *pp = it;
    }
    int64_t prev = INT64_MIN, sum = 0;
    int sorted = 1, n = 0;
    for (struct item* it = head; it; it = it->next) {
        sorted &= it->value >= prev;
        prev = it->value;
        sum += it->value;
        if (n++ % 100 == 0) printf("  %s %" PRId64 "\n", it->label, it->value);
    }
    printf("list n=%d sorted=%d sum=%" PRId64 "\n", n, sorted, sum);
    mix((uint64_t)sum);
    /* remove every third node */
    int removed = 0;
    for (struct item** pp = &head; *pp;) {
        if (((*pp)->value % 3 + 3) % 3 == 0) {
            struct item* dead = *pp;
            *pp = dead->next;
            free(dead);
            ++removed;
        } else {
            pp = &(*pp)->next;
        }
    }
    printf("removed=%d\n", removed);
    while (head) {
        struct item* nx = head->next;
        free(head);
        head = nx;
    }
    size_t cap = 1, len = 0;
    uint32_t* vec = malloc(cap * sizeof *vec);
    for (uint32_t i = 0; i < 200000; ++i) {
        if (len == cap) {
            cap = cap * 3 / 2 + 1;
            vec = realloc(vec, cap * sizeof *vec);
        }
        vec[len++] = i * 2654435761u;
    }
    uint64_t vs = 0;
    for (size_t i = 0; i < len; ++i) vs = vs * 3 + vec[i];
    printf("vector len=%zu cap=%zu sum=%016" PRIx64 "\n", len, cap, vs);
    mix(vs);
    free(vec);
}

int main(void) {
    churn();
    aligned();
    lists();
    printf("hash %016" PRIx64 "\n", hash);
    return corrupt ? 1 : (int)(hash % 100) + 6;
}
