/* libc-heavy benchmark: qsort of 1M 64-bit keys, then checksum via binary searches. */
#include <stdio.h>
#include <stdlib.h>

static unsigned long keys[1 << 20];

static int cmp(const void* a, const void* b) {
    unsigned long x = *(const unsigned long*)a, y = *(const unsigned long*)b;
    return (x > y) - (x < y);
}

int main(void) {
    unsigned long s = 0x9E3779B97F4A7C15UL, sum = 0;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; ++i) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        keys[i] = s;
    }
    qsort(keys, sizeof keys / sizeof keys[0], sizeof keys[0], cmp);
    for (unsigned i = 0; i < 200000; ++i) {
        unsigned long k = keys[(i * 2654435761u) & ((1 << 20) - 1)];
        unsigned long* p = bsearch(&k, keys, sizeof keys / sizeof keys[0], sizeof keys[0], cmp);
        sum += (unsigned long)(p - keys) ^ k;
    }
    printf("%lu\n", sum);
    return 0;
}
