/* Integer benchmark: sieve of Eratosthenes, repeated, plus a checksum. Prints one line. */
#include <unistd.h>
#include <string.h>

static unsigned char sieve[1 << 20];

static void print_u64(unsigned long v) {
    char buf[32];
    int i = 31;
    buf[i--] = '\n';
    do { buf[i--] = (char)('0' + v % 10); v /= 10; } while (v);
    write(1, buf + i + 1, 31 - i);
}

int main(void) {
    unsigned long total = 0;
    for (int round = 0; round < 12; ++round) {
        for (unsigned i = 0; i < sizeof sieve; ++i) sieve[i] = 1;
        sieve[0] = sieve[1] = 0;
        for (unsigned i = 2; i * i < sizeof sieve; ++i)
            if (sieve[i])
                for (unsigned j = i * i; j < sizeof sieve; j += i) sieve[j] = 0;
        for (unsigned i = 0; i < sizeof sieve; ++i) total += sieve[i] ? i ^ (unsigned)round : 0;
    }
    print_u64(total);
    return 0;
}
