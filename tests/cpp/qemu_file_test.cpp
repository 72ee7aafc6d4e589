#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "ppcmig/migration/qemu_file.hpp"

using namespace ppcmig::migration;

TEST(QemuFile, BigEndianPrimitivesAndCountedStrings) {
    StreamWriter w;
    w.be32(0x5145564D);
    w.be32(3);
    w.u8(7);
    w.counted("pseries-2.7");
    w.be16(0xBEEF);
    w.be64(0x0102030405060708ull);
    const std::vector<uint8_t> head = {0x51, 0x45, 0x56, 0x4D, 0, 0, 0, 3, 7, 11, 'p'};
    ASSERT_GE(w.size(), head.size());
    EXPECT_TRUE(std::equal(head.begin(), head.end(), w.data().begin()));
    StreamReader r(w.data());
    EXPECT_EQ(r.be32(), 0x5145564Du);
    EXPECT_EQ(r.be32(), 3u);
    EXPECT_EQ(r.peek(), 7);
    EXPECT_EQ(r.u8(), 7);
    std::string name;
    EXPECT_TRUE(r.counted(name));
    EXPECT_EQ(name, "pseries-2.7");
    EXPECT_EQ(r.be16(), 0xBEEF);
    EXPECT_EQ(r.be64(), 0x0102030405060708ull);
    EXPECT_EQ(r.error(), 0);
    EXPECT_EQ(r.peek(), -1);
    EXPECT_THROW(w.counted(std::string(256, 'x')), std::length_error);
}

TEST(QemuFile, ReadingPastTheEndIsAStickyEio) {
    const std::vector<uint8_t> data = {0x00, 0x01, 0x02};
    StreamReader r(data);
    EXPECT_EQ(r.be32(), 0x00010200u);  // the missing byte reads as zero
    EXPECT_EQ(r.error(), -EIO);
    EXPECT_EQ(r.u8(), 0);
    EXPECT_EQ(r.error(), -EIO);
    const std::vector<uint8_t> cut = {5, 'a', 'b'};
    StreamReader r2(cut);
    std::string s;
    EXPECT_FALSE(r2.counted(s));
    EXPECT_EQ(s, "ab");
}

RC_GTEST_PROP(QemuFile, WriteThenReadRoundTrips, (std::vector<uint64_t> values, std::string text)) {
    if (text.size() > 255) text.resize(255);
    StreamWriter w;
    for (uint64_t v : values) {
        w.be64(v);
        w.be32(static_cast<uint32_t>(v));
        w.be16(static_cast<uint16_t>(v));
        w.u8(static_cast<uint8_t>(v));
    }
    w.counted(text);
    StreamReader r(w.data());
    for (uint64_t v : values) {
        RC_ASSERT(r.be64() == v);
        RC_ASSERT(r.be32() == static_cast<uint32_t>(v));
        RC_ASSERT(r.be16() == static_cast<uint16_t>(v));
        RC_ASSERT(r.u8() == static_cast<uint8_t>(v));
    }
    std::string back;
    RC_ASSERT(r.counted(back));
    RC_ASSERT(back == text);
    RC_ASSERT(r.remaining() == 0u);
    RC_ASSERT(r.error() == 0);
}

TEST(QemuFile, ReserveKeepsTheBytesAndGrowsGeometrically) {
    StreamWriter w;
    w.be32(0x01020304);
    w.reserve(100);
    const size_t cap = w.data().capacity();
    EXPECT_GE(cap, 104u);
    w.reserve(cap);  // more than is left: at least doubles, so repeated RAM passes stay amortised
    EXPECT_GE(w.data().capacity(), 2 * cap);
    EXPECT_EQ(w.data(), (std::vector<uint8_t>{1, 2, 3, 4}));
}

RC_GTEST_PROP(QemuFile, ShortIntegersReadTheRestAsZeros, (std::vector<uint8_t> data)) {
    // Fewer bytes than the integer needs: the ones there are the high bytes, then -EIO.
    if (data.size() >= 8) data.resize(7);
    StreamReader r(data);
    uint64_t want = 0;
    for (size_t i = 0; i < 8; ++i) want = (want << 8) | (i < data.size() ? data[i] : 0);
    RC_ASSERT(r.be64() == want);
    RC_ASSERT(r.error() == -EIO);
    RC_ASSERT(r.remaining() == 0u);
}
