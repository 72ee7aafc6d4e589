/* Structs, unions and bit-fields: signed/unsigned bit-fields of many widths (including fields
 * straddling storage units), packed and aligned layouts (sizeof/offsetof), structs passed and
 * returned by value (small ones in registers, large ones in memory), arrays of structs, flexible
 * array members, union type punning (the byte order shows, by design) and struct copies. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash = 0x9b05688c2b3e6c1fULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x100000001b3ULL;
    hash ^= hash >> 31;
}

struct flags {
    unsigned a : 1;
    unsigned b : 3;
    signed c : 5;
    unsigned d : 7;
    signed e : 12;
    unsigned f : 4;
    unsigned long long g : 33;
    signed long long h : 27;
    unsigned char i : 2;
    _Bool j : 1;
};

struct __attribute__((packed)) packed {
    char c;
    int32_t i;
    int16_t s;
    int64_t l;
    double d;
};

struct mixed {
    char c;
    double d;
    short s;
    int64_t l;
    char tail[3];
};

struct __attribute__((aligned(32))) aligned32 {
    int x;
};

struct vec3 {
    double x, y, z;
};
struct small2 {
    int32_t a, b;
};
struct tiny {
    char c;
};
struct big {
    int64_t v[12];
    char name[20];
};

static __attribute__((noinline)) struct vec3 cross(struct vec3 a, struct vec3 b) {
    struct vec3 r = {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    return r;
}
static __attribute__((noinline)) struct small2 swap2(struct small2 s) {
    struct small2 r = {s.b * 3, s.a - 7};
    return r;
}
static __attribute__((noinline)) struct tiny next_tiny(struct tiny t) {
    t.c = (char)(t.c + 1);
    return t;
}
static __attribute__((noinline)) struct big make_big(int seed, struct big base) {
    struct big b = base;
    for (int i = 0; i < 12; ++i) b.v[i] = b.v[i] * seed + i;
    snprintf(b.name, sizeof b.name, "big-%d", seed);
    return b;
}
static __attribute__((noinline)) int64_t sum_big(struct big b, struct small2 s, struct tiny t, double w) {
    int64_t r = s.a + s.b + t.c + (int64_t)w;
    for (int i = 0; i < 12; ++i) r += b.v[i];
    return r + (int64_t)strlen(b.name);
}

union pun {
    uint64_t u64;
    uint32_t u32[2];
    uint16_t u16[4];
    uint8_t u8[8];
    double d;
    float f[2];
};

struct list {
    size_t n;
    int32_t items[];
};

struct node {
    int kind;
    union {
        struct {
            int64_t value;
        } num;
        struct {
            char op;
            int left, right;
        } bin;
        char name[12];
    };
};

static void bitfields(void) {
    printf("== bit-fields\n");
    printf("sizeof(struct flags)=%zu\n", sizeof(struct flags));
    struct flags f;
    memset(&f, 0, sizeof f);
    uint64_t x = 0x0123456789ABCDEFULL;
    for (int k = 0; k < 60; ++k) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        f.a = (unsigned)(x & 1);
        f.b = (unsigned)(x >> 1);
        f.c = (signed)((int)(x >> 4) & 31) - 16;
        f.d = (unsigned)(x >> 9);
        f.e = (signed)((int)(x >> 16) & 4095) - 2048;
        f.f = (unsigned)(x >> 28);
        f.g = x >> 20;
        f.h = (signed long long)((int64_t)(x >> 37) & 0x7FFFFFF) - 0x4000000;
        f.i = (unsigned char)(x >> 60);
        f.j = (x >> 63) != 0;
        int t = f.c + 3; /* read-modify-write of a signed bit-field, kept in range */
        f.c = t > 15 ? t - 32 : t;
        f.d ^= 0x55;
        f.g += 12345;
        unsigned char raw[sizeof f];
        memcpy(raw, &f, sizeof f);
        printf("%d %u %3d %3u %5d %2u %10llu %9lld %u %d raw=", f.a, f.b, f.c, f.d, f.e, f.f,
               (unsigned long long)f.g, (long long)f.h, f.i, f.j);
        for (size_t i = 0; i < sizeof f; ++i) printf("%02x", raw[i]);
        printf("\n");
        mix((uint64_t)f.c ^ f.d ^ ((uint64_t)f.e << 8) ^ f.g ^ ((uint64_t)f.h << 3));
    }
}

static void layouts(void) {
    printf("== layouts\n");
    printf("packed: size=%zu off c=%zu i=%zu s=%zu l=%zu d=%zu\n", sizeof(struct packed), offsetof(struct packed, c),
           offsetof(struct packed, i), offsetof(struct packed, s), offsetof(struct packed, l), offsetof(struct packed, d));
    printf("mixed: size=%zu off c=%zu d=%zu s=%zu l=%zu tail=%zu align=%zu\n", sizeof(struct mixed),
           offsetof(struct mixed, c), offsetof(struct mixed, d), offsetof(struct mixed, s), offsetof(struct mixed, l),
           offsetof(struct mixed, tail), _Alignof(struct mixed));
    printf("aligned32: size=%zu align=%zu big=%zu node=%zu long double=%zu\n", sizeof(struct aligned32),
           _Alignof(struct aligned32), sizeof(struct big), sizeof(struct node), sizeof(long double));
    static struct packed parr[10];
    for (int i = 0; i < 10; ++i) {
        parr[i].c = (char)('a' + i);
        parr[i].i = i * -100000;
        parr[i].s = (int16_t)(i * 1000);
        parr[i].l = (int64_t)i << 40;
        parr[i].d = i / 8.0;
    }
    int64_t s = 0;
    for (int i = 0; i < 10; ++i) s += parr[i].i + parr[i].s + (parr[i].l >> 30) + (int64_t)(parr[i].d * 8) + parr[i].c;
    printf("packed array sum=%" PRId64 "\n", s);
    const unsigned char* raw = (const unsigned char*)&parr[3];
    printf("packed[3] bytes:");
    for (size_t i = 0; i < sizeof parr[3]; ++i) printf(" %02x", raw[i]);
    printf("\n");
    mix((uint64_t)s);
}

static void by_value(void) {
    printf("== pass and return by value\n");
    struct vec3 a = {1, 2, 3}, b = {-4, 0.5, 6};
    for (int k = 0; k < 10; ++k) {
        struct vec3 c = cross(a, b);
        printf("cross %g %g %g\n", c.x, c.y, c.z);
        a = b;
        b = c;
        b.x /= 16;
        b.y /= 16;
        b.z /= 16;
    }
    struct small2 s = {5, 9};
    struct tiny t = {'A'};
    struct big bg;
    memset(&bg, 0, sizeof bg);
    for (int i = 0; i < 12; ++i) bg.v[i] = i * 11;
    for (int k = 1; k <= 12; ++k) {
        s = swap2(s);
        t = next_tiny(t);
        bg = make_big(k % 5 - 2, bg);
        int64_t r = sum_big(bg, s, t, k * 2.5);
        printf("k=%2d s=(%d,%d) t=%c big=%s v0=%" PRId64 " v11=%" PRId64 " sum=%" PRId64 "\n", k, s.a, s.b, t.c, bg.name,
               bg.v[0], bg.v[11], r);
        mix((uint64_t)r);
    }
    struct big copy = bg, *heap = malloc(sizeof *heap);
    *heap = copy;
    heap->v[5] = 555;
    printf("copy v5=%" PRId64 " heap v5=%" PRId64 " equal-names=%d\n", copy.v[5], heap->v[5],
           strcmp(copy.name, heap->name) == 0);
    free(heap);
}

static void unions(void) {
    printf("== unions\n");
    union pun p;
    static const double ds[] = {1.0, -2.5, 0.1, 1e300, 5e-324};
    for (unsigned i = 0; i < 5; ++i) {
        p.d = ds[i];
        printf("d=%g u64=%016" PRIx64 " u32=%08" PRIx32 ",%08" PRIx32 " u16=%04x u8=%02x%02x f0=%a\n", p.d, p.u64,
               p.u32[0], p.u32[1], p.u16[0], p.u8[0], p.u8[7], (double)p.f[0]);
        mix(p.u32[0]);
    }
    p.u64 = 0;
    for (int i = 0; i < 8; ++i) p.u8[i] = (uint8_t)(0x11 * (i + 1));
    printf("u8 seq -> u64=%016" PRIx64 " u16[1]=%04x u32[1]=%08x\n", p.u64, p.u16[1], p.u32[1]);
    struct node nodes[4];
    nodes[0].kind = 0;
    nodes[0].num.value = -42;
    nodes[1].kind = 1;
    nodes[1].bin.op = '+';
    nodes[1].bin.left = 0;
    nodes[1].bin.right = 2;
    nodes[2].kind = 2;
    strcpy(nodes[2].name, "variable");
    nodes[3] = nodes[1];
    nodes[3].bin.op = '*';
    for (int i = 0; i < 4; ++i) {
        switch (nodes[i].kind) {
            case 0: printf("node %d num %" PRId64 "\n", i, nodes[i].num.value); break;
            case 1: printf("node %d bin %c %d %d\n", i, nodes[i].bin.op, nodes[i].bin.left, nodes[i].bin.right); break;
            default: printf("node %d name %s\n", i, nodes[i].name); break;
        }
    }
}

static void flexible(void) {
    printf("== flexible arrays\n");
    for (size_t n = 0; n < 200; n = n * 2 + 3) {
        struct list* l = malloc(sizeof *l + n * sizeof l->items[0]);
        l->n = n;
        for (size_t i = 0; i < n; ++i) l->items[i] = (int32_t)(i * i) - (int32_t)n;
        int64_t s = 0;
        for (size_t i = 0; i < l->n; ++i) s += l->items[i];
        printf("n=%3zu sum=%" PRId64 "\n", n, s);
        mix((uint64_t)s);
        free(l);
    }
}

/* Array of structs sorted by hand and compound literals. */
struct point {
    int16_t x, y;
    uint8_t tag;
};
static void arrays(void) {
    printf("== arrays of structs\n");
    struct point pts[64];
    for (int i = 0; i < 64; ++i) pts[i] = (struct point){(int16_t)((i * 37) % 64 - 32), (int16_t)((i * 11) % 17), (uint8_t)i};
    for (int i = 1; i < 64; ++i) {
        struct point key = pts[i];
        int j = i - 1;
        while (j >= 0 && (pts[j].x > key.x || (pts[j].x == key.x && pts[j].tag > key.tag))) {
            pts[j + 1] = pts[j];
            --j;
        }
        pts[j + 1] = key;
    }
    for (int i = 0; i < 64; i += 4) printf("(%d,%d,#%u) ", pts[i].x, pts[i].y, pts[i].tag);
    printf("\nsizeof(point)=%zu\n", sizeof(struct point));
    for (int i = 0; i < 64; ++i) mix((uint64_t)(pts[i].x * 1000 + pts[i].y * 10) + pts[i].tag);
}

int main(void) {
    bitfields();
    layouts();
    by_value();
    unions();
    flexible();
    arrays();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 14;
}
