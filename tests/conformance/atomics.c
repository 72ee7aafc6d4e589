/* C11 atomics on 8/16/32/64-bit objects (load-reserve/store-conditional loops and barriers on
 * PowerPC): fetch-add/sub/and/or/xor, exchange, strong and weak compare-exchange with every
 * memory order, atomic flags, fences, and a lock-free stack and spinlock driven by a
 * deterministic single-threaded schedule. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t hash = 0xcbbb9d5dc1059ed8ULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 29;
}

/* One set of operations per width; the packed neighbours must never be disturbed. */
#define WIDTH_TEST(T, NAME, FMT)                                                                              \
    static void test_##NAME(void) {                                                                           \
        static struct {                                                                                       \
            unsigned char before[3];                                                                          \
            _Atomic T v[4];                                                                                   \
            unsigned char after[3];                                                                           \
        } s;                                                                                                  \
        for (int i = 0; i < 3; ++i) s.before[i] = s.after[i] = (unsigned char)(0xA0 + i);                     \
        T x = (T)0x0123456789ABCDEFULL;                                                                       \
        for (int i = 0; i < 4; ++i) atomic_init(&s.v[i], (T)(x * (T)(i + 1)));                                \
        uint64_t acc = 0;                                                                                     \
        for (int k = 0; k < 300; ++k) {                                                                       \
            _Atomic T* p = &s.v[k & 3];                                                                       \
            T old;                                                                                            \
            switch (k % 9) {                                                                                  \
                case 0: old = atomic_fetch_add(p, (T)(k * 3 + 1)); break;                                     \
                case 1: old = atomic_fetch_sub_explicit(p, (T)k, memory_order_acq_rel); break;                 \
                case 2: old = atomic_fetch_and_explicit(p, (T)~(T)(1u << (k % (8 * sizeof(T) < 32 ? 8 * sizeof(T) : 31))), memory_order_acquire); break; \
                case 3: old = atomic_fetch_or_explicit(p, (T)(0x11u << (k % 4)), memory_order_release); break; \
                case 4: old = atomic_fetch_xor_explicit(p, (T)0x5A5A5A5A5A5A5A5AULL, memory_order_relaxed); break; \
                case 5: old = atomic_exchange(p, (T)(old_seed(k))); break;                                     \
                case 6: {                                                                                     \
                    T expected = atomic_load_explicit(p, memory_order_acquire);                               \
                    int ok = atomic_compare_exchange_strong(p, &expected, (T)(expected + 7));                 \
                    old = expected;                                                                           \
                    acc += (uint64_t)ok;                                                                      \
                    break;                                                                                    \
                }                                                                                             \
                case 7: {                                                                                     \
                    T expected = (T)(atomic_load(p) + 1); /* wrong on purpose: must fail */                   \
                    int ok = atomic_compare_exchange_strong_explicit(p, &expected, (T)0, memory_order_seq_cst, \
                                                                     memory_order_relaxed);                   \
                    old = expected; /* now holds the current value */                                         \
                    acc += (uint64_t)ok * 1000;                                                               \
                    break;                                                                                    \
                }                                                                                             \
                default: {                                                                                    \
                    T cur = atomic_load_explicit(p, memory_order_relaxed);                                    \
                    while (!atomic_compare_exchange_weak(p, &cur, (T)(cur * 3 + 1))) {                        \
                    }                                                                                         \
                    old = cur;                                                                                \
                    break;                                                                                    \
                }                                                                                             \
            }                                                                                                 \
            atomic_thread_fence(memory_order_seq_cst);                                                        \
            acc = acc * 31 + (uint64_t)old;                                                                   \
            if (k % 30 == 0)                                                                                  \
                printf(#NAME " k=%3d old=%" FMT " now=%" FMT " %" FMT " %" FMT " %" FMT "\n", k, old,         \
                       atomic_load(&s.v[0]), atomic_load(&s.v[1]), atomic_load(&s.v[2]), atomic_load(&s.v[3])); \
        }                                                                                                     \
        int guard = 1;                                                                                        \
        for (int i = 0; i < 3; ++i) guard &= s.before[i] == 0xA0 + i && s.after[i] == 0xA0 + i;               \
        printf(#NAME " acc=%016" PRIx64 " lockfree=%d guard=%d\n", acc, (int)atomic_is_lock_free(&s.v[0]),     \
               guard);                                                                                        \
        mix(acc);                                                                                             \
    }

static uint64_t old_seed(int k) { return (uint64_t)k * 0x9E3779B97F4A7C15ULL; }

WIDTH_TEST(uint8_t, u8, PRIu8)
WIDTH_TEST(uint16_t, u16, PRIu16)
WIDTH_TEST(uint32_t, u32, PRIu32)
WIDTH_TEST(uint64_t, u64, PRIu64)

/* Signed arithmetic through atomics (wraps like unsigned in the hardware, but the values are
 * kept in range here). */
static void signed_ops(void) {
    _Atomic int32_t a = -5;
    _Atomic int64_t b = INT64_MIN / 2;
    for (int k = 0; k < 50; ++k) {
        int32_t o1 = atomic_fetch_add(&a, k % 2 ? -k : k);
        int64_t o2 = atomic_fetch_sub(&b, (int64_t)k << 40);
        if (k % 10 == 0) printf("signed k=%d %d %" PRId64 "\n", k, o1, o2);
        mix((uint64_t)o1 ^ (uint64_t)o2);
    }
    printf("signed final %d %" PRId64 "\n", atomic_load(&a), atomic_load(&b));
}

/* Atomic flag spinlock and a Treiber stack, single-threaded but through the real atomic paths. */
static atomic_flag lock = ATOMIC_FLAG_INIT;
struct node {
    struct node* next;
    int value;
};
static _Atomic(struct node*) top;
static struct node pool[256];

static void push(struct node* n) {
    struct node* old = atomic_load_explicit(&top, memory_order_relaxed);
    do {
        n->next = old;
    } while (!atomic_compare_exchange_weak_explicit(&top, &old, n, memory_order_release, memory_order_relaxed));
}
static struct node* pop(void) {
    struct node* old = atomic_load_explicit(&top, memory_order_acquire);
    while (old && !atomic_compare_exchange_weak_explicit(&top, &old, old->next, memory_order_acquire,
                                                         memory_order_acquire)) {
    }
    return old;
}

static void structures(void) {
    int spins = 0, acquired = 0;
    for (int k = 0; k < 1000; ++k) {
        if (!atomic_flag_test_and_set_explicit(&lock, memory_order_acquire)) {
            ++acquired;
            /* a second attempt while held must fail */
            spins += atomic_flag_test_and_set(&lock);
            atomic_flag_clear_explicit(&lock, memory_order_release);
        }
    }
    printf("spinlock acquired=%d held-check=%d\n", acquired, spins);
    long sum = 0;
    int pops = 0;
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 256; i += 1 + round % 3) {
            pool[i].value = i * (round + 1);
            push(&pool[i]);
        }
        for (int i = 0; i < 100 + round * 5; ++i) {
            struct node* n = pop();
            if (!n) break;
            sum = sum * 7 % 1000000007 + n->value;
            ++pops;
        }
        while (pop()) ++pops;
    }
    printf("stack pops=%d sum=%ld empty=%d\n", pops, sum, atomic_load(&top) == NULL);
    mix((uint64_t)sum ^ (uint64_t)pops);
}

int main(void) {
    test_u8();
    test_u16();
    test_u32();
    test_u64();
    signed_ops();
    structures();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 19;
}
