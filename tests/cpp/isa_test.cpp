#include <gtest/gtest.h>

#include "ppcmig/isa/decoder.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/isa/insn.hpp"

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
