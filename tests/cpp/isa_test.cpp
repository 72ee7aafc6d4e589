// Instruction table, decoder and disassembler tests, plus execution of the prefixed (ISA 3.1),
// DFP and TM rows.
#include <gtest/gtest.h>

#include "bare_cpu.hpp"

#include <cstring>
#include <string>
#include <vector>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/cpu/model.hpp"
#include "ppcmig/isa/decoder.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/memory/guest_memory.hpp"

using namespace ppcmig::isa;

TEST(Decoder, EveryRowDecodesToItself) {
    const auto table = instruction_table();
    const auto& dec = Decoder::get();
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& s = table[i];
        const auto id = s.prefixed() ? dec.find_prefixed(uint32_t(s.match >> 32), uint32_t(s.match))
                                     : dec.find(uint32_t(s.match));
        ASSERT_TRUE(id.has_value()) << s.mnemonic;
        EXPECT_EQ(table[*id].mnemonic, s.mnemonic) << "row " << i;
    }
}

TEST(Decoder, PrefixedRowsAreWellFormed) {
    for (const auto& s : instruction_table()) {
        if (!s.prefixed()) continue;
        EXPECT_EQ(s.match >> 58, 1u) << s.mnemonic;                 // the prefix's primary opcode
        EXPECT_EQ(s.level, IsaLevel::v3_1) << s.mnemonic;
        EXPECT_EQ(derived_mask(s) >> 58, 0x3Fu) << s.mnemonic;
    }
}

namespace {

// Words as objdump lays them out: each case at the next free word, prefixed ones 8-byte aligned
// (padded with nop). Expected texts are GNU objdump 2.40's (-M power10).
struct Case {
    uint64_t image;
    bool prefixed;
    const char* text;
};

void check_cases(const std::vector<Case>& cases) {
    std::vector<uint32_t> words;
    std::vector<size_t> starts;
    for (const auto& c : cases) {
        if (c.prefixed && words.size() % 2) words.push_back(0x60000000);
        starts.push_back(words.size() * 4);
        if (c.prefixed) words.push_back(uint32_t(c.image >> 32));
        words.push_back(uint32_t(c.image));
    }
    std::vector<uint8_t> bytes;
    for (uint32_t w : words)
        for (int i = 3; i >= 0; --i) bytes.push_back(uint8_t(w >> (8 * i)));
    const auto lines = disassemble(bytes, 0, false);
    for (size_t i = 0; i < cases.size(); ++i) {
        const DisasmLine* found = nullptr;
        for (const auto& l : lines)
            if (l.address == starts[i]) found = &l;
        ASSERT_NE(found, nullptr) << cases[i].text;
        EXPECT_EQ(found->text, cases[i].text) << std::hex << cases[i].image;
    }
}

}  // namespace

TEST(Disasm, BasicForms) {
    EXPECT_EQ(disassemble_one(0x38640005, false, 0), "addi    r3,r4,5");
    EXPECT_EQ(disassemble_one(0x38600005, false, 0), "li      r3,5");
    EXPECT_EQ(disassemble_one(0x80640008, false, 0), "lwz     r3,8(r4)");
    EXPECT_EQ(disassemble_one(0x80600008, false, 0), "lwz     r3,8(0)");
    EXPECT_EQ(disassemble_one(0x7c832378, false, 0), "mr      r3,r4");
    EXPECT_EQ(disassemble_one(0x60000000, false, 0), "nop");
    EXPECT_EQ(disassemble_one(0x4e800020, false, 0), "blr");
    EXPECT_EQ(disassemble_one(0x41820008, false, 0x24), "beq     0x2c");
    EXPECT_EQ(disassemble_one(0x7c642e15, false, 0), "addo.   r3,r4,r5");
    EXPECT_EQ(disassemble_one(0x00000000, false, 0), ".long 0x0");
}

TEST(Disasm, MatchesObjdump) {
    check_cases({
        // branches: hints, BH, invalid BO, absolute targets
        {0x40a00100, false, "bge     0x100"},
        {0x43250103, false, "bcla+   25,4*cr1+gt,0x100"},
        {0x4e800820, false, "blr     1"},
        {0x4c861821, false, "bnelrl  cr1,3"},
        {0x4f250421, false, "bcctrl+ 25,4*cr1+gt"},
        {0x4e000c60, false, "bdnztar 1"},
        {0x42a00100, false, ".long 0x42a00100"},
        {0x4c200020, false, ".long 0x4c200020"},
        {0x4b66d6d6, false, "ba      0xff66d6d4"},
        // traps
        {0x0c80f81f, false, "tweqi   r0,-2017"},
        {0x7e9ee008, false, "twle    r30,r28"},
        {0x7fe00008, false, "trap"},
        {0x0be18e45, false, "tdui    r1,-29115"},
        // invalid forms and ignored reserved bits
        {0x8c000000, false, ".long 0x8c000000"},
        {0xba3a7369, false, ".long 0xba3a7369"},
        {0xe0000000, false, ".long 0xe0000000"},
        {0xfaf14c96, false, ".long 0xfaf14c96"},
        {0x7c000228, false, ".long 0x7c000228"},
        {0x7c100026, false, ".long 0x7c100026"},
        {0x7c701026, false, "mfocrf  r3,1"},
        {0x7c6428df, false, "isel    r3,r4,r5,so"},
        {0x7c64281e, false, "isellt  r3,r4,r5"},
        {0xe0123456, false, "lq      r0,13392(r18)"},
        {0x2fd2b7a4, false, "cmpwi   cr7,r18,-18524"},
        // rotates and other extended mnemonics
        {0x54000000, false, "clrrwi  r0,r0,31"},
        {0x78000010, false, "rotld   r0,r0,r0"},
        {0x7aeb07e4, false, "clrrdi  r11,r23,0"},
        {0x7c642850, false, "subf    r3,r4,r5"},
        {0x7c0104ac, false, "sync    0,1"},
        {0x7c8004ac, false, "phwsync"},
        {0x7c2320ac, false, "dcbfl   r3,r4"},
        {0x7d03222c, false, "dcbtds  r3,r4"},
        {0x7e23222c, false, "dcbna   r3,r4"},
        {0x7c40003c, false, "pause_short"},
        {0x7c3482a6, false, "mfibatu r1,2"},
        {0x7c2323a6, false, "mttexasru r1"},
        {0x7eb042a6, false, "mfsprg  r21,0"},
        {0x44000002, false, "sc"},
        {0x44000022, false, "sc      1"},
        {0x4c000004, false, "lnia    r0"},
        // DFP
        {0xfc443004, false, "daddq   f2,f4,f6"},
        {0xfc452486, false, "dquaiq  5,f2,f4,2"},
        {0xec211cc6, false, "drintx  1,f1,f3,2"},
        {0xfc401fc4, false, "dcffixqq f2,v3"},
        {0xfc6117c4, false, "dctfixqq v3,f2"},
        {0xec851d46, false, "dtstsfi cr1,5,f3"},
        {0xfd011004, false, "daddq   f8,f0,f2"},
        // TM
        {0x7c00051d, false, "tbegin."},
        {0x7c20051d, false, "tbegin. 1"},
        {0x7e00055d, false, "tendall."},
        {0x7c0005dd, false, "tsuspend."},
        {0x7c2005dd, false, "tresume."},
        {0x7d80059c, false, "tcheck  cr3"},
        {0x7c83de9d, false, "tabortwci. 4,r3,-5"},
        {0x7c03075d, false, "treclaim. r3"},
        // prefixed
        {0x0603ffff3864fffbull, true, "paddi   r3,r4,-5"},
        {0x0610000138602345ull, true, "pla     r3,74565\t# 1242d"},
        {0x0603ffff3860ffffull, true, "pli     r3,-1"},
        {0x0610000088600008ull, true, "plbz    r3,8\t# 100"},
        {0x04000000e0850010ull, true, "plq     r4,16(r5)"},
        {0x04000000cc640008ull, true, "plxv    vs35,8(r4)"},
        {0x04000000e8640008ull, true, "plxvp   vs34,8(r4)"},
        {0x0700000000000000ull, true, "pnop"},
        {0x0500123480635678ull, true, "xxsplti32dx vs35,1,305419896"},
        {0x0500123480675678ull, true, "xxspltiw vs35,305419896"},
        {0x050000078864298full, true, "xxpermx vs35,vs36,vs37,vs38,7"},
        {0x050000c88864299full, true, "xxeval  vs35,vs36,vs37,vs38,200"},
        {0x0612a7033b4c9328ull, true, ".long 0x612a703"},  // R=1 with RA != 0
        {0x04000000e0000000ull, true, ".long 0x4000000"},  // plq RTp = RA
        {0x0402ce3fe13cdf92ull, true, "plq     r8,-5129642094(r28)"},
        {0x04017281f376a833ull, true, "pstq    r26,6216067123(r22)"},
        {0x04100000e4600008ull, true, "pld     r3,8\t# 168"},
        {0x0413fffff460fff8ull, true, "pstd    r3,-8\t# 160"},
    });
}

TEST(Disasm, InvalidPrefixedSuffixDecodesAlone) {
    // A prefix whose suffix does not form a prefixed instruction prints as .long, and the suffix
    // is disassembled by itself.
    const std::vector<uint8_t> bytes = {0x04, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00};
    const auto lines = disassemble(bytes, 0, false);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].text, ".long 0x4000000");
    EXPECT_EQ(lines[1].text, "lwz     r0,0(0)");
    // Little-endian prefixed: the prefix is still the first word.
    const std::vector<uint8_t> le = {0x00, 0x00, 0x00, 0x06, 0x05, 0x00, 0x60, 0x38};
    const auto l2 = disassemble(le, 0, true);
    ASSERT_EQ(l2.size(), 1u);
    EXPECT_EQ(l2[0].length, 8u);
    EXPECT_EQ(l2[0].text, "pli     r3,5");
}

// ---------------------------------------------------------------- execution

namespace {

using namespace ppcmig;

// BareCpu that stops at the first interrupt (recorded in env.taken).
struct Machine : test::BareCpu {
    explicit Machine(const char* model) : BareCpu(model) { env.catch_interrupts = true; }
    void put_bytes(uint64_t addr, const std::vector<uint8_t>& b) { mem.write(addr, b); }
    /// Runs the words at 0x1000 followed by an illegal word that stops the run.
    void run(std::initializer_list<uint32_t> words) {
        put(0x1000, words);
        put(0x1000 + 4 * words.size(), {0});
        cpu.s.nip = 0x1000;
        cpu.run(1000);
    }
};

constexpr uint32_t kIllegal = 0;

}  // namespace

TEST(Prefixed, PaddiAndPcRelative) {
    Machine m("POWER10");
    m.cpu.s.gpr[4] = 100;
    m.run({0x0603ffff, 0x3864fffb,    // paddi r3,r4,-5 (the prefix's high SI bits are ones)
           0x06100000, 0x38a01000,    // pla r5,0x1000 (at 0x1008)
           0x06000000, 0x38c00000});  // pli r6,0
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].srr0, 0x1018u);  // ran to the stop word
    EXPECT_EQ(m.cpu.s.gpr[3], 95u);
    EXPECT_EQ(m.cpu.s.gpr[5], 0x1008u + 0x1000u);
    EXPECT_EQ(m.cpu.s.gpr[6], 0u);
}

TEST(Prefixed, LoadsAndStores) {
    Machine m("POWER10");
    m.put_bytes(0x2000, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    m.cpu.s.gpr[4] = 0x2000 - 8;
    m.cpu.s.gpr[20] = 0xAABBCCDDEEFF0011ull;
    m.run({0x04000000, 0xe4640008,    // pld r3,8(r4)
           0x06000000, 0xa8e4000e,    // plha r7,14(r4)   (bytes 7,8 -> 0x0708)
           0x04000000, 0xa5040008,    // plwa r8,8(r4)
           0x04000000, 0xe1440008,    // plq r10,8(r4)
           0x04000000, 0xf6840018});  // pstd r20,24(r4)  (0x2010)
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::Program);
    EXPECT_EQ(m.cpu.s.gpr[3], 0x0102030405060708ull);
    EXPECT_EQ(m.cpu.s.gpr[7], 0x0708u);
    EXPECT_EQ(m.cpu.s.gpr[8], 0x01020304u);
    EXPECT_EQ(m.cpu.s.gpr[10], 0x0102030405060708ull);
    EXPECT_EQ(m.cpu.s.gpr[11], 0x090A0B0C0D0E0F10ull);
    EXPECT_EQ(m.cpu.load<uint64_t>(0x2010), 0xAABBCCDDEEFF0011ull);
}

TEST(Prefixed, PcRelativeLoadAndInvalidForm) {
    Machine m("POWER10");
    // pld r3,0x100 (pc-relative from 0x1000) then an invalid R=1 form with RA=4.
    m.put_bytes(0x1100, {0, 0, 0, 0, 0, 0, 0x12, 0x34});
    m.run({0x04100000, 0xe4600100, 0x04100000, 0xe4640000});
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.cpu.s.gpr[3], 0x1234u);
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::Program);
    EXPECT_EQ(m.env.taken[0].srr0, 0x1008u);
    EXPECT_EQ(m.env.taken[0].srr1_bits, cpu::srr1::ILLEGAL);
}

TEST(Prefixed, FloatingPointSingle) {
    Machine m("POWER10");
    m.put_bytes(0x2000, {0x3f, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01});  // 1.5f, then a denormal
    m.cpu.s.gpr[4] = 0x2000;
    m.run({0x06000000, 0xc0640000,    // plfs f3,0(r4)
           0x06000000, 0xc0840004,    // plfs f4,4(r4)
           0x06000000, 0xd0640010});  // pstfs f3,16(r4)
    EXPECT_EQ(m.cpu.s.vsr[3].hi, 0x3FF8000000000000ull);
    EXPECT_EQ(m.cpu.s.vsr[4].hi, 0x36A0000000000000ull);  // 2^-149
    EXPECT_EQ(m.cpu.load<uint32_t>(0x2010), 0x3FC00000u);
}

TEST(Prefixed, FacilityChecks) {
    Machine m("POWER10");
    m.cpu.set_msr(cpu::msr::SF | cpu::msr::ME);  // FP, VEC, VSX all off
    m.cpu.s.gpr[4] = 0x2000;
    m.run({0x06000000, 0xc0640000});  // plfs
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::FpUnavailable);
    m.env.taken.clear();
    m.cpu.set_msr(cpu::msr::SF | cpu::msr::ME | cpu::msr::VEC);  // VMX only
    m.run({0x04000000, 0xcc640000,    // plxv vs35 (TX=1: needs VMX only)
           0x04000000, 0xc8640000});  // plxv vs3 (TX=0: needs VSX)
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::VsxUnavailable);
    EXPECT_EQ(m.env.taken[0].srr0, 0x1008u);
}

TEST(Prefixed, CrossingSixtyFourBytesIsAlignment) {
    Machine m("POWER10");
    m.put(0x103C, {0x04000000, 0xe4640000});
    m.cpu.s.nip = 0x103C;
    m.cpu.run(10);
    ASSERT_FALSE(m.env.taken.empty());
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::Alignment);
}

TEST(Prefixed, VsxLoadsInBothByteOrders) {
    for (bool le : {false, true}) {
        Machine m("POWER10");
        if (le) m.cpu.set_msr(m.cpu.s.msr | cpu::msr::LE);
        std::vector<uint8_t> b(32);
        for (int i = 0; i < 32; ++i) b[i] = uint8_t(i);
        m.put_bytes(0x2000, b);
        m.cpu.s.gpr[4] = 0x2000;
        m.run({0x04000000, 0xcc640000,    // plxv vs35,0(r4)
               0x04000000, 0xe8640000,    // plxvp vs34,0(r4)  (vs34, vs35)
               0x04000000, 0xf8640040});  // pstxvp vs34,64(r4)
        const cpu::Vsr& v34 = m.cpu.s.vsr[34];
        // Big-endian: register byte i = storage byte i; little-endian: reversed, pair swapped.
        if (!le) {
            EXPECT_EQ(v34.hi, 0x0001020304050607ull);
            EXPECT_EQ(v34.lo, 0x08090A0B0C0D0E0Full);
            EXPECT_EQ(m.cpu.s.vsr[35].hi, 0x1011121314151617ull);
        } else {
            EXPECT_EQ(v34.hi, 0x1F1E1D1C1B1A1918ull);
            EXPECT_EQ(m.cpu.s.vsr[35].lo, 0x0706050403020100ull);
        }
        for (int i = 0; i < 32; ++i) EXPECT_EQ(m.cpu.load<uint8_t>(0x2040 + i), uint8_t(i)) << i << " le=" << le;
    }
}

TEST(Prefixed, ImmediateSplatsAndPermutes) {
    Machine m("POWER10");
    m.cpu.s.vsr[36] = cpu::Vsr{.lo = 0x08090A0B0C0D0E0Full, .hi = 0x0001020304050607ull};  // bytes 00..0F
    m.cpu.s.vsr[37] = cpu::Vsr{.lo = 0x18191A1B1C1D1E1Full, .hi = 0x1011121314151617ull};
    m.cpu.s.vsr[38] = cpu::Vsr{.lo = 0, .hi = 0xE0E1E2E3E4E5E6F0ull};  // selectors in window 7
    m.run({0x05001234, 0x80635678,    // xxsplti32dx vs35,1,0x12345678
           0x05001234, 0x80475678,    // xxspltiw vs34,0x12345678
           0x05003FC0, 0x80250000,    // xxspltidp vs33,0x3FC00000 (1.5f)
           0x05000007, 0x8804298f});  // xxpermx vs32,vs36,vs37,vs38,7
    EXPECT_EQ(m.cpu.s.vsr[35].hi & 0xFFFFFFFFu, 0x12345678u);
    EXPECT_EQ(m.cpu.s.vsr[35].lo & 0xFFFFFFFFu, 0x12345678u);
    EXPECT_EQ(m.cpu.s.vsr[34].hi, 0x1234567812345678ull);
    EXPECT_EQ(m.cpu.s.vsr[34].lo, 0x1234567812345678ull);
    EXPECT_EQ(m.cpu.s.vsr[33].hi, 0x3FF8000000000000ull);
    EXPECT_EQ(m.cpu.s.vsr[33].lo, 0x3FF8000000000000ull);
    // Selectors 0xE0..0xE6 pick bytes 0..6 of vs36, 0xF0 byte 0 of vs37; selectors outside the
    // window (the zero bytes) give zero.
    EXPECT_EQ(m.cpu.s.vsr[32].hi, 0x0001020304050610ull);
    EXPECT_EQ(m.cpu.s.vsr[32].lo, 0u);
}

TEST(Prefixed, BlendAndEval) {
    Machine m("POWER10");
    m.cpu.s.vsr[36] = cpu::Vsr{.lo = 0x1111111111111111ull, .hi = 0x1111111111111111ull};
    m.cpu.s.vsr[37] = cpu::Vsr{.lo = 0x2222222222222222ull, .hi = 0x2222222222222222ull};
    m.cpu.s.vsr[38] = cpu::Vsr{.lo = 0x0080000000000000ull, .hi = 0x8000000000000000ull};
    m.run({0x05000000, 0x8464298f,    // xxblendvb vs35,vs36,vs37,vs38
           0x05000000, 0x844429bf,    // xxblendvd vs34,vs36,vs37,vs38
           0x0500007F, 0x8824299f});  // xxeval vs33,vs36,vs37,vs38,127 (a | b | c)
    EXPECT_EQ(m.cpu.s.vsr[35].hi, 0x2211111111111111ull);
    EXPECT_EQ(m.cpu.s.vsr[35].lo, 0x1122111111111111ull);
    EXPECT_EQ(m.cpu.s.vsr[34].hi, 0x2222222222222222ull);
    EXPECT_EQ(m.cpu.s.vsr[34].lo, 0x1111111111111111ull);
    EXPECT_EQ(m.cpu.s.vsr[33].hi, 0xB333333333333333ull);
    EXPECT_EQ(m.cpu.s.vsr[33].lo, 0x33B3333333333333ull);
}

TEST(Dfp, FacilityThenIllegal) {
    Machine m("POWER9");
    m.cpu.set_msr(cpu::msr::SF | cpu::msr::ME);
    m.run({0xec221804});  // dadd f1,f2,f3
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::FpUnavailable);
    m.env.taken.clear();
    m.cpu.set_msr(cpu::msr::SF | cpu::msr::ME | cpu::msr::FP);
    m.run({0xec221804});
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::Program);
    EXPECT_EQ(m.env.taken[0].srr1_bits, cpu::srr1::ILLEGAL);
    EXPECT_EQ(m.env.taken[0].srr0, 0x1000u);
}

TEST(Tm, FacilityAndModels) {
    {
        Machine m("POWER9");  // MSR[TM] = 0
        m.run({0x7c00051d});
        ASSERT_EQ(m.env.taken.size(), 1u);
        EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::FacilityUnavailable);
        EXPECT_EQ(m.cpu.s.spr[cpu::sprn::FSCR] >> 56, cpu::fscr_ic::TM);
    }
    {
        Machine m("POWER10");  // no TM at all
        m.cpu.set_msr(m.cpu.s.msr | cpu::msr::TM);
        m.run({0x7c00051d});
        ASSERT_EQ(m.env.taken.size(), 1u);
        EXPECT_EQ(m.env.taken[0].vector, cpu::Vector::Program);
        EXPECT_EQ(m.env.taken[0].srr1_bits, cpu::srr1::ILLEGAL);
    }
}

TEST(Tm, TransactionsFailImmediately) {
    Machine m("POWER8");
    m.cpu.set_msr(m.cpu.s.msr | cpu::msr::TM | cpu::msr::PR);
    m.run({0x7c00051d,    // tbegin.
           0x7d000026,    // mfcr r8
           0x7c00055d,    // tend.
           0x7d200026,    // mfcr r9
           0x7d80059c,    // tcheck cr3
           0x7c0005dd,    // tsuspend.
           0x7c83de9d,    // tabortwci. 4,r3,-5
           0x7d400026});  // mfcr r10
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].srr0, 0x1020u);
    EXPECT_EQ(m.cpu.s.gpr[8] >> 28, 0b1010u);  // failure
    EXPECT_EQ(m.cpu.s.gpr[9] >> 28, 0u);
    EXPECT_EQ((m.cpu.s.gpr[10] >> 16) & 0xF, 0b1000u);  // tcheck: doomed, N state
    EXPECT_EQ(m.cpu.s.gpr[10] >> 28, 0u);
    const uint64_t texasr = m.cpu.s.spr[cpu::sprn::TEXASR];
    EXPECT_EQ(texasr >> 56, 0x01u);                             // failure persistent
    EXPECT_TRUE(texasr & (uint64_t(1) << (63 - 36)));          // failure summary
    EXPECT_TRUE(texasr & (uint64_t(1) << (63 - 35)));          // failed in problem state
    EXPECT_EQ(m.cpu.s.spr[cpu::sprn::TFHAR], 0x1004u);
    EXPECT_EQ(m.cpu.s.spr[cpu::sprn::TFIAR], 0x1001u);
    EXPECT_EQ(m.cpu.s.msr & (cpu::msr::TS0 | cpu::msr::TS1), 0u);
}

TEST(Tm, ReclaimAndRecheckpoint) {
    Machine m("POWER9");
    m.cpu.set_msr(m.cpu.s.msr | cpu::msr::TM | cpu::msr::PR);
    m.run({0x7c03075d});  // treclaim. r3 in problem state
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].srr1_bits, cpu::srr1::PRIVILEGED);
    m.env.taken.clear();
    m.cpu.set_msr((m.cpu.s.msr & ~cpu::msr::PR));
    m.run({0x7c03075d});  // supervisor, Non-transactional: TM Bad Thing
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].srr1_bits, cpu::srr1::TM_BAD_THING);
    m.env.taken.clear();
    m.run({0x7c0007dd});  // trechkpt.
    ASSERT_EQ(m.env.taken.size(), 1u);
    EXPECT_EQ(m.env.taken[0].srr1_bits, cpu::srr1::TM_BAD_THING);
}
