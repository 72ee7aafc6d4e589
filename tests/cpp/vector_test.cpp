// VMX and VSX instructions executed on a bare CPU: saturation and VSCR[SAT], permutes,
// big- vs little-endian loads and stores, CR6 from compare '.' forms, crypto known answers.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "bare_cpu.hpp"

using namespace ppcmig;
using Bytes = std::array<uint8_t, 16>;

namespace {

constexpr uint64_t kCode = 0x1000;
constexpr uint64_t kData = 0x8000;

// Instruction encoders (IBM field positions).
constexpr uint32_t vx(unsigned xo, unsigned t, unsigned a, unsigned b) {
    return (4u << 26) | (t << 21) | (a << 16) | (b << 11) | xo;
}
constexpr uint32_t va(unsigned xo, unsigned t, unsigned a, unsigned b, unsigned c) {
    return (4u << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | xo;
}
constexpr uint32_t vcmp(unsigned xo, unsigned t, unsigned a, unsigned b, bool rc) {
    return vx(xo, t, a, b) | (rc ? 0x400u : 0u);
}
constexpr uint32_t x31(unsigned xo, unsigned t, unsigned a, unsigned b) {
    return (31u << 26) | (t << 21) | (a << 16) | (b << 11) | (xo << 1);
}
/// XX1 load/store with a 6-bit VSR number.
constexpr uint32_t xx1(unsigned xo, unsigned xt, unsigned a, unsigned b) {
    return x31(xo, xt & 31, a, b) | (xt >> 5);
}
/// XX3 form (opcode 60) with 6-bit VSR numbers.
constexpr uint32_t xx3(unsigned xo8, unsigned t, unsigned a, unsigned b) {
    return (60u << 26) | ((t & 31) << 21) | ((a & 31) << 16) | ((b & 31) << 11) | (xo8 << 3) |
           ((a >> 5) << 2) | ((b >> 5) << 1) | (t >> 5);
}

struct VecCpu : test::BareCpu {
    explicit VecCpu(const char* model = "POWER10", bool le = false) : BareCpu(model) {
        if (le) cpu.set_msr(cpu.s.msr | cpu::msr::LE);
    }
    /// VR n from bytes in the ISA's (big-endian) element order.
    void setv(unsigned n, const Bytes& b) { setvs(32 + n, b); }
    Bytes getv(unsigned n) const { return getvs(32 + n); }
    void setvs(unsigned n, const Bytes& b) {
        auto* h = reinterpret_cast<uint8_t*>(&cpu.s.vsr[n]);
        for (unsigned i = 0; i < 16; ++i) h[15 - i] = b[i];
    }
    Bytes getvs(unsigned n) const {
        Bytes b;
        const auto* h = reinterpret_cast<const uint8_t*>(&cpu.s.vsr[n]);
        for (unsigned i = 0; i < 16; ++i) b[i] = h[15 - i];
        return b;
    }
    void exec(std::initializer_list<uint32_t> words) {
        put(kCode, words);
        run_at(kCode, words.size());
    }
    unsigned cr6() const { return (cpu.s.cr >> 4) & 0xF; }
};

Bytes iota(uint8_t start = 0) {
    Bytes b;
    for (unsigned i = 0; i < 16; ++i) b[i] = static_cast<uint8_t>(start + i);
    return b;
}
Bytes splat(uint8_t v) {
    Bytes b;
    b.fill(v);
    return b;
}
Bytes hex(const char* s) {
    Bytes b{};
    for (unsigned i = 0; i < 16; ++i) {
        auto nib = [](char c) { return static_cast<uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
        b[i] = static_cast<uint8_t>((nib(s[2 * i]) << 4) | nib(s[2 * i + 1]));
    }
    return b;
}
Bytes words(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    Bytes r;
    const uint32_t w[4] = {a, b, c, d};
    for (unsigned i = 0; i < 16; ++i) r[i] = static_cast<uint8_t>(w[i / 4] >> (24 - 8 * (i % 4)));
    return r;
}
Bytes dwords(uint64_t a, uint64_t b) {
    Bytes r;
    for (unsigned i = 0; i < 8; ++i) {
        r[i] = static_cast<uint8_t>(a >> (56 - 8 * i));
        r[8 + i] = static_cast<uint8_t>(b >> (56 - 8 * i));
    }
    return r;
}

Bytes gen_bytes() { return *rc::gen::arbitrary<Bytes>(); }

}  // namespace

// ---------------- saturation and VSCR[SAT] ----------------

TEST(VmxSaturate, UnsignedByteAddClampsAndSetsSat) {
    VecCpu c;
    c.setv(1, splat(200));
    c.setv(2, splat(100));
    c.exec({vx(512, 3, 1, 2)});  // vaddubs v3,v1,v2
    EXPECT_EQ(c.getv(3), splat(255));
    EXPECT_EQ(c.cpu.s.vscr & cpu::vscr::SAT, cpu::vscr::SAT);
}

TEST(VmxSaturate, SatIsStickyAndNotSetWithoutSaturation) {
    VecCpu c;
    c.setv(1, splat(10));
    c.setv(2, splat(20));
    c.exec({vx(512, 3, 1, 2)});
    EXPECT_EQ(c.getv(3), splat(30));
    EXPECT_EQ(c.cpu.s.vscr, 0u);
    c.cpu.s.vscr = cpu::vscr::SAT | cpu::vscr::NJ;
    c.exec({vx(512, 3, 1, 2)});
    EXPECT_EQ(c.cpu.s.vscr, cpu::vscr::SAT | cpu::vscr::NJ);  // a non-saturating op leaves it
}

RC_GTEST_PROP(VmxSaturate, SignedHalfwordAddMatchesClamp, (std::array<int16_t, 8> a, std::array<int16_t, 8> b)) {
    VecCpu c;
    Bytes ba, bb;
    for (unsigned i = 0; i < 8; ++i) {
        ba[2 * i] = static_cast<uint8_t>(a[i] >> 8), ba[2 * i + 1] = static_cast<uint8_t>(a[i]);
        bb[2 * i] = static_cast<uint8_t>(b[i] >> 8), bb[2 * i + 1] = static_cast<uint8_t>(b[i]);
    }
    c.setv(4, ba);
    c.setv(5, bb);
    c.exec({vx(832, 6, 4, 5)});  // vaddshs
    const Bytes r = c.getv(6);
    bool sat = false;
    for (unsigned i = 0; i < 8; ++i) {
        int s = a[i] + b[i];
        if (s > 32767) s = 32767, sat = true;
        if (s < -32768) s = -32768, sat = true;
        RC_ASSERT(static_cast<int16_t>((r[2 * i] << 8) | r[2 * i + 1]) == s);
    }
    RC_ASSERT(((c.cpu.s.vscr & cpu::vscr::SAT) != 0) == sat);
}

RC_GTEST_PROP(VmxSaturate, PackSignedWordsToSignedHalfwords, (std::array<int32_t, 4> a, std::array<int32_t, 4> b)) {
    VecCpu c;
    c.setv(1, words(uint32_t(a[0]), uint32_t(a[1]), uint32_t(a[2]), uint32_t(a[3])));
    c.setv(2, words(uint32_t(b[0]), uint32_t(b[1]), uint32_t(b[2]), uint32_t(b[3])));
    c.exec({vx(462, 3, 1, 2)});  // vpkswss
    const Bytes r = c.getv(3);
    bool sat = false;
    for (unsigned i = 0; i < 8; ++i) {
        int64_t v = i < 4 ? a[i] : b[i - 4];
        if (v > 32767) v = 32767, sat = true;
        if (v < -32768) v = -32768, sat = true;
        RC_ASSERT(static_cast<int16_t>((r[2 * i] << 8) | r[2 * i + 1]) == v);
    }
    RC_ASSERT(((c.cpu.s.vscr & cpu::vscr::SAT) != 0) == sat);
}

TEST(VmxSaturate, SumAcrossAndFloatConvert) {
    VecCpu c;
    c.setv(1, words(0x7FFFFFFF, 1, 0, 0));
    c.setv(2, words(0, 0, 0, 5));
    c.exec({vx(1928, 3, 1, 2)});  // vsumsws: 0x7fffffff + 1 + 5 saturates
    EXPECT_EQ(c.getv(3), words(0, 0, 0, 0x7FFFFFFF));
    EXPECT_TRUE(c.cpu.s.vscr & cpu::vscr::SAT);
    c.cpu.s.vscr = 0;
    // vctsxs v3,v2,0 on {1e10, -1e10, 2.5, NaN}: saturate, saturate, 2, 0.
    c.setv(2, words(0x501502F9, 0xD01502F9, 0x40200000, 0x7FC00000));
    c.exec({vx(970, 3, 0, 2)});
    EXPECT_EQ(c.getv(3), words(0x7FFFFFFF, 0x80000000, 2, 0));
    EXPECT_TRUE(c.cpu.s.vscr & cpu::vscr::SAT);
}

TEST(VmxFloat, NonJavaModeFlushesDenormals) {
    VecCpu c;
    // vaddfp v3,v1,v2 with a denormal plus zero: kept in Java mode, flushed (sign kept) with NJ.
    c.setv(1, words(0x00001000, 0x80001000, 0x3F800000, 0x00800000));
    c.setv(2, words(0, 0x80000000, 0, 0x80000000));
    c.exec({vx(10, 3, 1, 2)});
    EXPECT_EQ(c.getv(3), words(0x00001000, 0x80001000, 0x3F800000, 0x00800000));
    c.cpu.s.vscr = cpu::vscr::NJ;
    c.exec({vx(10, 3, 1, 2)});
    EXPECT_EQ(c.getv(3), words(0, 0x80000000, 0x3F800000, 0x00800000));
}

// ---------------- permutes ----------------

RC_GTEST_PROP(VmxPermute, VpermSelectsFromConcatenation, ()) {
    const Bytes a = gen_bytes(), b = gen_bytes(), x = gen_bytes();
    VecCpu c;
    c.setv(1, a);
    c.setv(2, b);
    c.setv(3, x);
    c.exec({va(43, 4, 1, 2, 3), va(59, 5, 1, 2, 3)});  // vperm v4 ; vpermr v5
    const Bytes r = c.getv(4), rr = c.getv(5);
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned k = x[i] & 31, kr = 31 - k;
        RC_ASSERT(r[i] == (k < 16 ? a[k] : b[k - 16]));
        RC_ASSERT(rr[i] == (kr < 16 ? a[kr] : b[kr - 16]));
    }
}

RC_GTEST_PROP(VmxPermute, VsldoiShiftsConcatenation, ()) {
    const Bytes a = gen_bytes(), b = gen_bytes();
    const unsigned sh = *rc::gen::inRange(0u, 16u);
    VecCpu c;
    c.setv(1, a);
    c.setv(2, b);
    c.exec({va(44, 3, 1, 2, 0) | (sh << 6)});
    const Bytes r = c.getv(3);
    for (unsigned i = 0; i < 16; ++i) RC_ASSERT(r[i] == (i + sh < 16 ? a[i + sh] : b[i + sh - 16]));
}

TEST(VmxPermute, MergeSplatPack) {
    VecCpu c;
    c.setv(1, iota(0));
    c.setv(2, iota(0x10));
    c.exec({vx(12, 3, 1, 2)});  // vmrghb
    EXPECT_EQ(c.getv(3), hex("00100111021203130414051506160717"));
    c.exec({vx(396, 3, 1, 2)});  // vmrglw
    EXPECT_EQ(c.getv(3), hex("08090a0b18191a1b0c0d0e0f1c1d1e1f"));
    c.exec({vx(524, 3, 5, 2)});  // vspltb v3,v2,5
    EXPECT_EQ(c.getv(3), splat(0x15));
    c.exec({vx(908, 3, 0x1C, 0)});  // vspltisw v3,-4
    EXPECT_EQ(c.getv(3), words(0xFFFFFFFC, 0xFFFFFFFC, 0xFFFFFFFC, 0xFFFFFFFC));
    c.exec({vx(14, 3, 1, 2)});  // vpkuhum: odd bytes of each
    EXPECT_EQ(c.getv(3), hex("01030507090b0d0f11131517191b1d1f"));
}

TEST(VsxPermute, PermdiSldwiAndByteReverse) {
    VecCpu c;
    c.setvs(1, iota(0));
    c.setvs(40, iota(0x10));
    c.exec({xx3(10, 2, 1, 40) | (1u << 8)});  // xxpermdi vs2,vs1,vs40,1
    EXPECT_EQ(c.getvs(2), hex("000102030405060718191a1b1c1d1e1f"));
    c.exec({xx3(2, 3, 1, 40) | (3u << 8)});  // xxsldwi vs3,vs1,vs40,3
    EXPECT_EQ(c.getvs(3), hex("0c0d0e0f101112131415161718191a1b"));
    c.exec({(60u << 26) | (4u << 21) | (31u << 16) | (1u << 11) | (475u << 2)});  // xxbrq vs4,vs1
    EXPECT_EQ(c.getvs(4), hex("0f0e0d0c0b0a09080706050403020100"));
    c.exec({(60u << 26) | (4u << 21) | (15u << 16) | (1u << 11) | (475u << 2)});  // xxbrw vs4,vs1
    EXPECT_EQ(c.getvs(4), hex("03020100070605040b0a09080f0e0d0c"));
}

// ---------------- loads and stores in both byte orders ----------------

class VecEndian : public ::testing::TestWithParam<bool> {};

TEST_P(VecEndian, LvxIgnoresLowBitsAndFollowsByteOrder) {
    const bool le = GetParam();
    VecCpu c("POWER9", le);
    std::vector<uint8_t> m(32);
    for (unsigned i = 0; i < 32; ++i) m[i] = static_cast<uint8_t>(0x40 + i);
    c.mem.write(kData, m);
    c.cpu.s.gpr[3] = kData + 16 + 7;  // unaligned: lvx uses EA & ~15
    c.exec({x31(103, 2, 0, 3)});       // lvx v2,0,r3
    Bytes expect;
    for (unsigned i = 0; i < 16; ++i) expect[i] = static_cast<uint8_t>(0x50 + (le ? 15 - i : i));
    EXPECT_EQ(c.getv(2), expect);
    // stvx writes the same image back.
    c.cpu.s.gpr[4] = kData + 0x100;
    c.exec({x31(231, 2, 0, 4)});
    std::array<uint8_t, 16> back{};
    c.mem.read(kData + 0x100, back);
    for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(back[i], 0x50 + i);
}

TEST_P(VecEndian, ElementLoadsLandWhereTheQuadwordPutsThem) {
    const bool le = GetParam();
    VecCpu c("POWER9", le);
    const uint8_t w[4] = {0xA1, 0xB2, 0xC3, 0xD4};
    c.mem.write(kData + 8, w);
    c.setv(2, splat(0xEE));
    c.cpu.s.gpr[3] = kData + 8;
    c.exec({x31(71, 2, 0, 3)});  // lvewx v2,0,r3
    const Bytes r = c.getv(2);
    // The word is element 2 (BE) or element 1 (LE, register bytes 4-7 reversed).
    if (!le) {
        EXPECT_EQ(r[8], 0xA1);
        EXPECT_EQ(r[11], 0xD4);
    } else {
        EXPECT_EQ(r[7], 0xA1);
        EXPECT_EQ(r[4], 0xD4);
    }
}

TEST_P(VecEndian, VsxElementLoads) {
    const bool le = GetParam();
    VecCpu c("POWER9", le);
    std::vector<uint8_t> m(16);
    for (unsigned i = 0; i < 16; ++i) m[i] = static_cast<uint8_t>(i);
    c.mem.write(kData + 3, m);  // unaligned is fine for VSX
    c.cpu.s.gpr[3] = kData + 3;
    c.exec({xx1(844, 33, 0, 3), xx1(780, 34, 0, 3), xx1(876, 35, 0, 3), xx1(268, 36, 0, 3)});
    // lxvd2x: each doubleword in the current byte order, element 0 from the lower address.
    EXPECT_EQ(c.getvs(33), le ? hex("07060504030201000f0e0d0c0b0a0908") : iota(0));
    // lxvw4x: each word in the current byte order.
    EXPECT_EQ(c.getvs(34), le ? hex("03020100070605040b0a09080f0e0d0c") : iota(0));
    // lxvb16x: byte order never matters.
    EXPECT_EQ(c.getvs(35), iota(0));
    // lxvx: the whole quadword in the current byte order.
    EXPECT_EQ(c.getvs(36), le ? hex("0f0e0d0c0b0a09080706050403020100") : iota(0));
}

RC_GTEST_PROP(VecEndianProp, StoreLoadRoundTripsInBothOrders, (bool le)) {
    const Bytes v = gen_bytes();
    const unsigned xo_ld = *rc::gen::element(844u, 780u, 812u, 876u, 268u);
    const unsigned xo_st = xo_ld == 844 ? 972u : xo_ld == 780 ? 908u : xo_ld == 812 ? 940u : xo_ld == 876 ? 1004u : 396u;
    VecCpu c("POWER9", le);
    c.setvs(7, v);
    c.cpu.s.gpr[3] = kData + *rc::gen::inRange(0u, 64u);
    c.exec({xx1(xo_st, 7, 0, 3), xx1(xo_ld, 50, 0, 3)});
    RC_ASSERT(c.getvs(50) == v);
}

TEST_P(VecEndian, LoadWithLength) {
    const bool le = GetParam();
    VecCpu c("POWER9", le);
    std::vector<uint8_t> m(16);
    for (unsigned i = 0; i < 16; ++i) m[i] = static_cast<uint8_t>(0x80 + i);
    c.mem.write(kData, m);
    c.cpu.s.gpr[3] = kData;
    c.cpu.s.gpr[4] = uint64_t(5) << 56;
    c.exec({xx1(269, 40, 3, 4), xx1(301, 41, 3, 4)});  // lxvl vs40 ; lxvll vs41
    Bytes e{};
    for (unsigned i = 0; i < 5; ++i) e[le ? 15 - i : i] = static_cast<uint8_t>(0x80 + i);
    EXPECT_EQ(c.getvs(40), e);
    Bytes l{};
    for (unsigned i = 0; i < 5; ++i) l[i] = static_cast<uint8_t>(0x80 + i);
    EXPECT_EQ(c.getvs(41), l);
}

INSTANTIATE_TEST_SUITE_P(BothOrders, VecEndian, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "LE" : "BE"; });

// ---------------- compares and CR6 ----------------

TEST(VmxCompare, DotFormsSetCr6) {
    VecCpu c;
    c.setv(1, iota(0));
    c.setv(2, iota(0));
    c.setv(3, iota(1));
    c.cpu.s.cr = 0;
    c.exec({vcmp(6, 4, 1, 2, true)});  // vcmpequb. all equal
    EXPECT_EQ(c.getv(4), splat(0xFF));
    EXPECT_EQ(c.cr6(), 0x8u);
    c.exec({vcmp(6, 4, 1, 3, true)});  // none equal
    EXPECT_EQ(c.getv(4), splat(0));
    EXPECT_EQ(c.cr6(), 0x2u);
    Bytes mixed = iota(0);
    mixed[3] = 0x55;
    c.setv(5, mixed);
    c.exec({vcmp(774, 4, 5, 1, true)});  // vcmpgtsb.: only element 3 greater
    EXPECT_EQ(c.cr6(), 0x0u);
    c.cpu.s.cr = 0xFFFFFFFF;
    c.exec({vcmp(6, 4, 1, 3, false)});  // no '.': CR untouched
    EXPECT_EQ(c.cpu.s.cr, 0xFFFFFFFFu);
}

TEST(VmxCompare, NotEqualOrZeroAndBounds) {
    VecCpu c;
    Bytes a = splat(7), b = splat(7);
    a[9] = 0;
    b[9] = 0;
    c.setv(1, a);
    c.setv(2, b);
    c.exec({vcmp(263, 3, 1, 2, true)});  // vcmpnezb.: equal but zero in element 9
    Bytes e{};
    e[9] = 0xFF;
    EXPECT_EQ(c.getv(3), e);
    EXPECT_EQ(c.cr6(), 0x0u);
    // vcmpbfp.: all within bounds sets CR6[2]
    c.setv(1, words(0x3F800000, 0xBF800000, 0, 0x40000000));  // 1, -1, 0, 2
    c.setv(2, words(0x40000000, 0x40000000, 0x40000000, 0x40000000));
    c.exec({vcmp(966, 3, 1, 2, true)});
    EXPECT_EQ(c.getv(3), splat(0));
    EXPECT_EQ(c.cr6(), 0x2u);
}

RC_GTEST_PROP(VmxCompare, UnsignedWordGreaterThan, ()) {
    const Bytes a = gen_bytes(), b = gen_bytes();
    VecCpu c;
    c.setv(1, a);
    c.setv(2, b);
    c.exec({vcmp(646, 3, 1, 2, true)});  // vcmpgtuw.
    const Bytes r = c.getv(3);
    bool all = true, none = true;
    for (unsigned w = 0; w < 4; ++w) {
        uint32_t x = 0, y = 0;
        for (unsigned k = 0; k < 4; ++k) x = (x << 8) | a[4 * w + k], y = (y << 8) | b[4 * w + k];
        const bool t = x > y;
        all = all && t;
        none = none && !t;
        for (unsigned k = 0; k < 4; ++k) RC_ASSERT(r[4 * w + k] == (t ? 0xFF : 0));
    }
    RC_ASSERT(c.cr6() == ((all ? 8u : 0u) | (none ? 2u : 0u)));
}

// ---------------- crypto known answers ----------------

TEST(VmxCrypto, SboxKnownValues) {
    VecCpu c;
    c.setv(1, hex("00015325ff10a0c0e3d4f7c89a000000"));
    c.exec({vx(1480, 2, 1, 0)});  // vsbox v2,v1
    EXPECT_EQ(c.getv(2), hex("637ced3f16cae0ba114868e8b8636363"));
}

// FIPS-197 Appendix B: AES-128 with key 2b7e1516..., plaintext 3243f6a8..., every round key of
// Appendix A.1; then decryption with vncipher.
TEST(VmxCrypto, Aes128EncryptDecrypt) {
    static const char* rk[11] = {
        "2b7e151628aed2a6abf7158809cf4f3c", "a0fafe1788542cb123a339392a6c7605",
        "f2c295f27a96b9435935807a7359f67f", "3d80477d4716fe3e1e237e446d7a883b",
        "ef44a541a8525b7fb671253bdb0bad00", "d4d1c6f87c839d87caf2b8bc11f915bc",
        "6d88a37a110b3efddbf98641ca0093fd", "4e54f70e5f5fc9f384a64fb24ea6dc4f",
        "ead27321b58dbad2312bf5607f8d292f", "ac7766f319fadc2128d12941575c006e",
        "d014f9a8c9ee2589e13f0cc8b6630ca6"};
    VecCpu c;
    c.setv(1, hex("3243f6a8885a308d313198a2e0370734"));
    c.setv(2, hex(rk[0]));
    c.exec({vx(1220, 1, 1, 2)});  // vxor: initial AddRoundKey
    EXPECT_EQ(c.getv(1), hex("193de3bea0f4e22b9ac68d2ae9f84808"));
    for (unsigned r = 1; r <= 10; ++r) {
        c.setv(2, hex(rk[r]));
        c.exec({vx(r < 10 ? 1288 : 1289, 1, 1, 2)});  // vcipher / vcipherlast
        if (r == 1) {
            EXPECT_EQ(c.getv(1), hex("a49c7ff2689f352b6b5bea43026a5049"));
        }
    }
    EXPECT_EQ(c.getv(1), hex("3925841d02dc09fbdc118597196a0b32"));
    c.setv(2, hex(rk[10]));
    c.exec({vx(1220, 1, 1, 2)});
    for (int r = 9; r >= 0; --r) {
        c.setv(2, hex(rk[r]));
        c.exec({vx(r > 0 ? 1352 : 1353, 1, 1, 2)});  // vncipher / vncipherlast
    }
    EXPECT_EQ(c.getv(1), hex("3243f6a8885a308d313198a2e0370734"));
}

TEST(VmxCrypto, ShaSigmaKnownValues) {
    VecCpu c;
    // SHA-256 round 0 of "abc": Sigma0(a) and Sigma1(e); message schedule sigma1(0x18) (W17).
    c.setv(1, words(0x6a09e667, 0x510e527f, 0x00000018, 0x6a09e667));
    c.exec({vx(1666, 2, 1, 0) | (1u << 15) | (0x6u << 11)});  // vshasigmaw v2,v1,1,0b0110
    EXPECT_EQ(c.getv(2), words(0xce20b47e, 0x3587272b, 0x63000c00, 0xce20b47e));
    c.exec({vx(1666, 3, 1, 0) | (0xFu << 11)});  // vshasigmaw v3,v1,0,0b1111: sigma1 everywhere
    EXPECT_EQ(c.getv(3), words(0xcfe5da3c, 0xe3640132, 0x000f0000, 0xcfe5da3c));
    // SHA-512: Sigma0/Sigma1 of the initial a and e; sigma0/sigma1 of a pattern.
    c.setv(1, dwords(0x6a09e667f3bcc908, 0x510e527fade682d1));
    c.exec({vx(1730, 2, 1, 0) | (1u << 15) | (0x2u << 11)});  // ST=1, SIX: dw0 Sigma0, dw1 Sigma1
    EXPECT_EQ(c.getv(2), dwords(0x08c4db56aac80c2a, 0x9427e33bb5c9dbca));
    c.setv(1, dwords(0x0123456789abcdef, 0x0123456789abcdef));
    c.exec({vx(1730, 2, 1, 0) | (0u << 15) | (0x2u << 11)});  // ST=0: sigma0, sigma1
    EXPECT_EQ(c.getv(2), dwords(0x6f92c77c6c4f1aa1, 0x70a3460dbbd4317a));
}

TEST(VmxCrypto, PolynomialMultiplySum) {
    VecCpu c;
    // vpmsumd: (x+1)*(x+1) = x^2+1 in dw 0; dw 1 contributes 0.
    c.setv(1, dwords(3, 0));
    c.setv(2, dwords(3, 7));
    c.exec({vx(1224, 3, 1, 2)});
    EXPECT_EQ(c.getv(3), dwords(0, 5));
}

// ---------------- moves and facility checks ----------------

TEST(VsxMove, MoveToFromGprAndFacilityByRegisterHalf) {
    VecCpu c;
    c.cpu.s.gpr[4] = 0x1122334455667788;
    c.exec({xx1(179, 40, 4, 0), xx1(51, 40, 5, 0)});  // mtvsrd vs40,r4 ; mfvsrd r5,vs40
    EXPECT_EQ(c.cpu.s.gpr[5], 0x1122334455667788u);
    EXPECT_EQ(c.cpu.s.vsr[40].hi, 0x1122334455667788u);
    c.exec({xx1(115, 40, 6, 0)});  // mfvsrwz r6,vs40
    EXPECT_EQ(c.cpu.s.gpr[6], 0x55667788u);
    // With MSR[VEC]=0, a VSR in 32-63 raises Vector Unavailable; VSR 0-31 needs MSR[FP].
    c.env.catch_interrupts = true;
    c.cpu.set_msr(c.cpu.s.msr & ~cpu::msr::VEC);
    c.exec({xx1(179, 40, 4, 0)});
    ASSERT_EQ(c.env.taken.size(), 1u);
    EXPECT_EQ(c.env.taken[0].vector, cpu::Vector::VmxUnavailable);
    c.exec({xx1(179, 3, 4, 0)});  // mtvsrd vs3,r4 still works (FP is on)
    EXPECT_EQ(c.env.taken.size(), 1u);
    EXPECT_EQ(c.cpu.s.vsr[3].hi, 0x1122334455667788u);
    c.cpu.set_msr(c.cpu.s.msr & ~cpu::msr::FP);
    c.exec({xx1(179, 3, 4, 0)});
    ASSERT_EQ(c.env.taken.size(), 2u);
    EXPECT_EQ(c.env.taken[1].vector, cpu::Vector::FpUnavailable);
}

TEST(VmxVscr, MoveToAndFromVscr) {
    VecCpu c;
    c.setv(1, words(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF));
    c.exec({vx(1604, 0, 0, 1), vx(1540, 2, 0, 0)});  // mtvscr v1 ; mfvscr v2
    EXPECT_EQ(c.cpu.s.vscr, cpu::vscr::NJ | cpu::vscr::SAT);
    EXPECT_EQ(c.getv(2), words(0, 0, 0, 0x00010001));
}

TEST(VmxAvailability, Power8LacksIsa30Instructions) {
    VecCpu c("POWER8");
    c.env.catch_interrupts = true;
    c.exec({vx(1027, 3, 1, 2)});  // vabsdub (ISA 3.0)
    ASSERT_EQ(c.env.taken.size(), 1u);
    EXPECT_EQ(c.env.taken[0].vector, cpu::Vector::Program);
}

TEST(VsxAvailability, Isa30LoadsUseVecForUpperHalf) {
    VecCpu c("POWER9");
    c.env.catch_interrupts = true;
    c.cpu.s.gpr[3] = kData;
    c.cpu.set_msr(c.cpu.s.msr & ~cpu::msr::VSX);
    c.exec({xx1(268, 33, 0, 3)});  // lxvx vs33: needs MSR[VEC] only
    EXPECT_TRUE(c.env.taken.empty());
    c.exec({xx1(268, 1, 0, 3)});  // lxvx vs1: needs MSR[VSX]
    ASSERT_EQ(c.env.taken.size(), 1u);
    EXPECT_EQ(c.env.taken[0].vector, cpu::Vector::VsxUnavailable);
    c.exec({xx1(844, 33, 0, 3)});  // lxvd2x vs33: a 2.06 load, MSR[VSX] whatever the register
    ASSERT_EQ(c.env.taken.size(), 2u);
    EXPECT_EQ(c.env.taken[1].vector, cpu::Vector::VsxUnavailable);
}

TEST(VsxScalarLoad, Doubleword1ZeroFromIsa30UnchangedBefore) {
    for (const char* model : {"POWER8", "POWER9"}) {
        VecCpu c(model);
        const uint8_t m[8] = {0x3F, 0xF0, 0, 0, 0, 0, 0, 1};
        c.mem.write(kData, m);
        c.cpu.s.gpr[3] = kData;
        c.cpu.s.vsr[5] = cpu::Vsr{0x5555, 0x6666};
        c.exec({xx1(588, 5, 0, 3)});  // lxsdx vs5,0,r3
        EXPECT_EQ(c.cpu.s.vsr[5].hi, 0x3FF0000000000001u) << model;
        EXPECT_EQ(c.cpu.s.vsr[5].lo, std::string_view(model) == "POWER8" ? 0x5555u : 0u) << model;
    }
}

TEST(VsxScalarLoad, SingleToDoubleKeepsSignallingNaN) {
    VecCpu c;
    const uint8_t m[4] = {0x7F, 0x80, 0x00, 0x01};  // single sNaN
    c.mem.write(kData, m);
    c.cpu.s.gpr[3] = kData;
    c.exec({xx1(524, 5, 0, 3)});  // lxsspx
    EXPECT_EQ(c.cpu.s.vsr[5].hi, 0x7FF0000020000000u);
    c.exec({xx1(652, 5, 0, 3)});  // stxsspx back
    uint8_t back[4];
    c.mem.read(kData, back);
    EXPECT_EQ(std::vector<uint8_t>(back, back + 4), std::vector<uint8_t>(m, m + 4));
}
