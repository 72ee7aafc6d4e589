/* setjmp/longjmp: plain and nested jumps, unwinding out of deep recursion, longjmp(…, 0)
 * delivering 1, preservation of volatile locals and of callee-saved integer and floating-point
 * values, an exception-handling layer built on a stack of jmp_bufs, and a generator-like
 * ping-pong between two buffers. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t hash = 0xbb67ae8584caa73bULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 29;
}

static jmp_buf top;
static int depth_reached;

static void dive(int depth, int limit) {
    volatile char pad[64];
    memset((char*)pad, depth & 0xFF, sizeof pad);
    depth_reached = depth;
    if (depth == limit) longjmp(top, depth * 3 + (int)pad[5]);
    if (depth < limit) dive(depth + 1, limit);
    pad[0]++; /* not reached */
}

static void basic(void) {
    printf("== basic\n");
    for (int limit = 0; limit < 300; limit += 23) {
        volatile int counter = 0;
        int r = setjmp(top);
        counter++;
        if (r == 0) {
            dive(0, limit);
        } else {
            printf("limit=%3d r=%4d depth=%3d counter=%d\n", limit, r, depth_reached, counter);
            mix((uint64_t)r * 1000 + (uint64_t)counter);
        }
    }
    volatile int zero_case = 0;
    int r = setjmp(top);
    if (!r) {
        zero_case = 1;
        longjmp(top, 0);
    }
    printf("longjmp(0) gives %d (zero_case=%d)\n", r, zero_case);
}

/* Callee-saved registers must hold their values across setjmp/longjmp when the variables are
 * volatile; compute lots of values so the compiler uses r14-r31 and f14-f31. */
static jmp_buf regs_buf;
static volatile long sink;
static __attribute__((noinline)) void opaque_call(void) { sink++; }
static __attribute__((noinline)) void clobber(int k) {
    /* Values live across a call land in callee-saved registers, overwriting the caller's. */
    long a0 = k + 100, a1 = k * 3 + 1, a2 = k * 5 + 2, a3 = k * 7 + 3, a4 = k * 11 + 4, a5 = k * 13 + 5,
         a6 = k * 17 + 6, a7 = k * 19 + 7, a8 = k * 23 + 8, a9 = k * 29 + 9, a10 = k * 31 + 10, a11 = k * 37 + 11;
    double f0 = k * 0.5, f1 = k * 1.5, f2 = k * 2.5, f3 = k * 3.5, f4 = k * 4.5, f5 = k * 5.5, f6 = k * 6.5,
           f7 = k * 7.5, f8 = k * 8.5, f9 = k * 9.5;
    __asm__ volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7));
    __asm__ volatile("" : "+r"(a8), "+r"(a9), "+r"(a10), "+r"(a11), "+d"(f0), "+d"(f1), "+d"(f2), "+d"(f3));
    __asm__ volatile("" : "+d"(f4), "+d"(f5), "+d"(f6), "+d"(f7), "+d"(f8), "+d"(f9));
    opaque_call();
    __asm__ volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7));
    __asm__ volatile("" : "+r"(a8), "+r"(a9), "+r"(a10), "+r"(a11), "+d"(f0), "+d"(f1), "+d"(f2), "+d"(f3));
    __asm__ volatile("" : "+d"(f4), "+d"(f5), "+d"(f6), "+d"(f7), "+d"(f8), "+d"(f9));
    sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 +
           (long)(f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8 + f9);
    longjmp(regs_buf, k + 1);
}

static void registers(void) {
    printf("== preserved values\n");
    for (int k = 0; k < 8; ++k) {
        volatile long a = 11 * k, b = 22 * k, c = 33 * k, d = 44 * k, e = 55 * k, f = 66 * k;
        volatile double x = 0.5 * k, y = 1.25 * k, z = -3.75 * k, w = 1e100 * k;
        /* Non-volatile locals that are not modified after setjmp keep their values too. */
        long g = 77 * k + 1;
        double h = 0.125 * k + 2;
        int r = setjmp(regs_buf);
        if (r == 0) {
            a += 1;
            x += 1.0;
            clobber(k);
        }
        printf("  g=%ld h=%g sink=%ld\n", g, h, sink);
        printf("k=%d r=%d a=%ld b=%ld c=%ld d=%ld e=%ld f=%ld x=%g y=%g z=%g w=%g\n", k, r, a, b, c, d, e, f, x, y, z, w);
        mix((uint64_t)(a + b + c + d + e + f) ^ (uint64_t)(x * 4 + y * 8));
    }
}

/* try/catch on top of setjmp. */
struct frame {
    jmp_buf env;
    struct frame* prev;
};
static struct frame* handlers;
static int thrown_code;
static const char* thrown_msg;

static void throw_error(int code, const char* msg) {
    thrown_code = code;
    thrown_msg = msg;
    struct frame* f = handlers;
    handlers = f->prev;
    longjmp(f->env, 1);
}

static int parse_digit(char ch) {
    if (ch < '0' || ch > '9') throw_error(ch, "not a digit");
    return ch - '0';
}

static long parse_number(const char* s) {
    long v = 0;
    if (!*s) throw_error(0, "empty");
    for (; *s; ++s) {
        v = v * 10 + parse_digit(*s);
        if (v > 1000000000L) throw_error((int)(v % 1000), "too large");
    }
    return v;
}

static long sum_list(const char* const* items, int n, int* failures) {
    volatile long total = 0; /* modified between setjmp and a later longjmp */
    for (int i = 0; i < n; ++i) {
        struct frame fr;
        fr.prev = handlers;
        handlers = &fr;
        if (setjmp(fr.env) == 0) {
            long v = parse_number(items[i]);
            handlers = fr.prev;
            total += v;
            printf("  ok   %-14s %ld\n", items[i], v);
        } else {
            ++*failures;
            printf("  fail %-14s %s (%d)\n", items[i], thrown_msg, thrown_code);
        }
    }
    return total;
}

static void exceptions(void) {
    printf("== exceptions\n");
    static const char* const items[] = {"12", "7x", "", "999", "123456789012", "0", "42", "-5", "88888888", "31415"};
    volatile int outer_caught = 0;
    struct frame outer;
    outer.prev = handlers;
    handlers = &outer;
    if (setjmp(outer.env) == 0) {
        int failures = 0;
        long t = sum_list(items, 10, &failures);
        printf("total=%ld failures=%d\n", t, failures);
        mix((uint64_t)t * 16 + (uint64_t)failures);
        throw_error(99, "rethrown to outer");
    } else {
        outer_caught = 1;
    }
    printf("outer caught=%d code=%d msg=%s handlers-empty=%d\n", outer_caught, thrown_code, thrown_msg, handlers == NULL);
}

/* Many jumps: loop implemented with longjmp. */
static jmp_buf loop_buf;
static void bump(volatile unsigned long* acc, long i) {
    *acc = *acc * 3 + (unsigned long)i; /* unsigned: wraps, no overflow UB */
    longjmp(loop_buf, (int)(i % 97) + 1);
}

static void jump_loop(void) {
    printf("== jump loop\n");
    volatile unsigned long acc = 1;
    volatile long i = 0, rsum = 0;
    int r = setjmp(loop_buf);
    rsum += r;
    if (i < 20000) {
        ++i;
        bump(&acc, i);
    }
    printf("iterations=%ld acc=%lu rsum=%ld\n", i, acc, rsum);
    mix((uint64_t)acc ^ (uint64_t)rsum);
}

/* sigsetjmp without saving the mask behaves like setjmp. */
static sigjmp_buf sbuf;
static void sig_variant(void) {
    printf("== sigsetjmp\n");
    volatile int n = 0;
    int r = sigsetjmp(sbuf, 0);
    if (r < 5) {
        ++n;
        siglongjmp(sbuf, r + 1);
    }
    printf("r=%d n=%d\n", r, n);
    r = _setjmp(top);
    if (r == 0) _longjmp(top, 17);
    printf("_setjmp r=%d\n", r);
    mix((uint64_t)(r + n));
}

int main(void) {
    basic();
    registers();
    exceptions();
    jump_loop();
    sig_variant();
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 9;
}
