/* Integer benchmark: bitwise CRC-32 and a 64-bit mixing hash over a generated buffer. */
#include <unistd.h>

static unsigned char buf[1 << 16];

static void print_u64(unsigned long v) {
    char out[32];
    int i = 31;
    out[i--] = '\n';
    do { out[i--] = (char)('0' + v % 10); v /= 10; } while (v);
    write(1, out + i + 1, 31 - i);
}

int main(void) {
    unsigned long x = 88172645463325252UL;
    for (unsigned i = 0; i < sizeof buf; ++i) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    unsigned crc = 0xFFFFFFFFu;
    unsigned long h = 1469598103934665603UL;
    for (int r = 0; r < 40; ++r) {
        for (unsigned i = 0; i < sizeof buf; ++i) {
            crc ^= buf[i];
            for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
            h = (h ^ buf[i]) * 1099511628211UL;
            h ^= h >> 29;
        }
    }
    print_u64(crc);
    print_u64(h);
    return 0;
}
