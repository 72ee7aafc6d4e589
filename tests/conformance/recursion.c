/* Recursion: Ackermann, naive Fibonacci, Towers of Hanoi, N-queens, permutations, mutual
 * recursion, McCarthy 91, a recursive-descent expression evaluator, flood fill, partition
 * counting and deep (thousands of frames) recursion with large frames. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t hash = 0xa54ff53a5f1d36f1ULL;
static void mix(uint64_t v) {
    hash = (hash ^ v) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 28;
}

static long calls;

static unsigned long ackermann(unsigned long m, unsigned long n) {
    ++calls;
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

static unsigned long fib(unsigned n) {
    ++calls;
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static long moves;
static void hanoi(int n, char from, char to, char via, int print) {
    if (n == 0) return;
    hanoi(n - 1, from, via, to, print);
    ++moves;
    if (print) printf("  disc %d %c->%c\n", n, from, to);
    mix((uint64_t)(n * 9 + (from - 'A') * 3 + (to - 'A')));
    hanoi(n - 1, via, to, from, print);
}

static int queens_solutions;
static int first_solution[16];
static void queens(int n, int row, int* cols, unsigned long usedc, unsigned long d1, unsigned long d2) {
    if (row == n) {
        if (queens_solutions++ == 0) memcpy(first_solution, cols, sizeof(int) * (size_t)n);
        return;
    }
    for (int c = 0; c < n; ++c) {
        unsigned long bc = 1UL << c, b1 = 1UL << (row + c), b2 = 1UL << (row - c + n);
        if ((usedc & bc) || (d1 & b1) || (d2 & b2)) continue;
        cols[row] = c;
        queens(n, row + 1, cols, usedc | bc, d1 | b1, d2 | b2);
    }
}

static int perm_count;
static void permute(char* s, int k, int n) {
    if (k == n) {
        ++perm_count;
        if (perm_count <= 30 || perm_count % 97 == 0) printf("  perm %4d %s\n", perm_count, s);
        for (int i = 0; i < n; ++i) mix((uint64_t)(unsigned char)s[i] << (i % 8));
        return;
    }
    for (int i = k; i < n; ++i) {
        char t = s[k];
        s[k] = s[i];
        s[i] = t;
        permute(s, k + 1, n);
        t = s[k];
        s[k] = s[i];
        s[i] = t;
    }
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static int mc91(int n) { return n > 100 ? n - 10 : mc91(mc91(n + 11)); }

/* Recursive-descent evaluator: expr := term (('+'|'-') term)*, term := factor (('*'|'/'|'%') factor)*,
 * factor := number | '(' expr ')' | '-' factor. Division by zero yields an error flag. */
struct parser {
    const char* p;
    int err;
};
static long parse_expr(struct parser* ps);
static long parse_factor(struct parser* ps) {
    while (*ps->p == ' ') ++ps->p;
    if (*ps->p == '(') {
        ++ps->p;
        long v = parse_expr(ps);
        while (*ps->p == ' ') ++ps->p;
        if (*ps->p == ')') ++ps->p;
        else ps->err = 1;
        return v;
    }
    if (*ps->p == '-') {
        ++ps->p;
        return -parse_factor(ps);
    }
    long v = 0;
    if (*ps->p < '0' || *ps->p > '9') ps->err = 1;
    while (*ps->p >= '0' && *ps->p <= '9') v = v * 10 + (*ps->p++ - '0');
    return v;
}
static long parse_term(struct parser* ps) {
    long v = parse_factor(ps);
    for (;;) {
        while (*ps->p == ' ') ++ps->p;
        char op = *ps->p;
        if (op != '*' && op != '/' && op != '%') return v;
        ++ps->p;
        long r = parse_factor(ps);
        if (op == '*') v *= r;
        else if (r == 0) ps->err = 2;
        else if (op == '/') v /= r;
        else v %= r;
    }
}
static long parse_expr(struct parser* ps) {
    long v = parse_term(ps);
    for (;;) {
        while (*ps->p == ' ') ++ps->p;
        char op = *ps->p;
        if (op != '+' && op != '-') return v;
        ++ps->p;
        long r = parse_term(ps);
        v = op == '+' ? v + r : v - r;
    }
}

#define GW 40
#define GH 20
static char grid[GH][GW + 1];
static int flood(int y, int x, char from, char to) {
    if (y < 0 || y >= GH || x < 0 || x >= GW || grid[y][x] != from) return 0;
    grid[y][x] = to;
    return 1 + flood(y + 1, x, from, to) + flood(y - 1, x, from, to) + flood(y, x + 1, from, to) +
           flood(y, x - 1, from, to);
}

static unsigned long partitions(int n, int max) {
    if (n == 0) return 1;
    if (n < 0 || max == 0) return 0;
    return partitions(n - max, max) + partitions(n, max - 1);
}

/* Deep recursion with a big frame: exercises stack growth. */
static uint64_t deep(int n, uint64_t acc) {
    volatile uint64_t frame[32];
    for (int i = 0; i < 32; ++i) frame[i] = acc + (uint64_t)i * (uint64_t)n;
    if (n == 0) return acc;
    uint64_t r = deep(n - 1, acc * 31 + frame[n % 32]);
    return r ^ frame[(n * 7) % 32];
}

int main(void) {
    printf("== ackermann\n");
    for (unsigned long m = 0; m <= 3; ++m) {
        for (unsigned long n = 0; n <= (m < 3 ? 8 : 6); ++n) {
            calls = 0;
            unsigned long a = ackermann(m, n);
            printf("A(%lu,%lu)=%lu calls=%ld\n", m, n, a, calls);
            mix(a * 1000003 + (uint64_t)calls);
        }
    }
    printf("== fibonacci\n");
    for (unsigned n = 0; n <= 25; ++n) {
        calls = 0;
        unsigned long f = fib(n);
        printf("fib(%u)=%lu calls=%ld\n", n, f, calls);
        mix(f);
    }
    printf("== hanoi\n");
    for (int n = 1; n <= 16; ++n) {
        moves = 0;
        hanoi(n, 'A', 'C', 'B', n <= 4);
        printf("hanoi(%d) moves=%ld\n", n, moves);
    }
    printf("== queens\n");
    for (int n = 1; n <= 10; ++n) {
        int cols[16];
        queens_solutions = 0;
        queens(n, 0, cols, 0, 0, 0);
        printf("queens(%2d)=%4d first:", n, queens_solutions);
        for (int i = 0; i < n && queens_solutions; ++i) printf(" %d", first_solution[i]);
        printf("\n");
        mix((uint64_t)queens_solutions);
    }
    printf("== permutations\n");
    char s[] = "abcdefg";
    perm_count = 0;
    permute(s, 0, 7);
    printf("permutations=%d\n", perm_count);
    printf("== mutual, mc91, partitions\n");
    for (unsigned n = 0; n < 3000; n += 137) printf("even(%u)=%d odd=%d\n", n, is_even(n), is_odd(n));
    for (int n = 0; n <= 120; n += 5) printf("mc91(%d)=%d\n", n, mc91(n));
    for (int n = 0; n <= 44; n += 4) {
        unsigned long p = partitions(n, n);
        printf("p(%d)=%lu\n", n, p);
        mix(p);
    }
    printf("== expressions\n");
    static const char* exprs[] = {"1+2*3", "(1+2)*3", "100/7", "100%7", "-(4-10)*-3", "2*(3+(4*(5+(6*(7+8)))))",
                                  "1/0", "((((((((((1))))))))))", "9999999*9999999", "7-3-2-1", "8/4/2", "17%5%3",
                                  "(1+", "2*x", "  12 +  30  ", "-(-(-(5)))", "1000000000*1000000000/1000"};
    for (unsigned i = 0; i < sizeof exprs / sizeof exprs[0]; ++i) {
        struct parser ps = {exprs[i], 0};
        long v = parse_expr(&ps);
        if (*ps.p && !ps.err) ps.err = 3;
        printf("%-28s = %ld err=%d\n", exprs[i], ps.err ? 0 : v, ps.err);
        mix((uint64_t)v + (uint64_t)ps.err);
    }
    printf("== flood fill\n");
    for (int y = 0; y < GH; ++y) {
        for (int x = 0; x < GW; ++x) grid[y][x] = ((x * 7 + y * 13) % 11 < 3 || (x % 9 == 4 && y % 5 != 2)) ? '#' : '.';
        grid[y][GW] = 0;
    }
    int regions = 0;
    char label = 'a';
    for (int y = 0; y < GH; ++y)
        for (int x = 0; x < GW; ++x)
            if (grid[y][x] == '.') {
                int sz = flood(y, x, '.', label);
                ++regions;
                label = label == 'z' ? 'a' : (char)(label + 1);
                mix((uint64_t)sz);
            }
    for (int y = 0; y < GH; ++y) printf("  %s\n", grid[y]);
    printf("regions=%d\n", regions);
    printf("== deep\n");
    for (int n = 10; n <= 20000; n *= 3) {
        uint64_t r = deep(n, 1);
        printf("deep(%d)=%016" PRIx64 "\n", n, r);
        mix(r);
    }
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 17;
}
