// Disassembler derived from the instruction table, printing GNU objdump's mnemonics and operand
// syntax (extended mnemonics where objdump uses them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ppcmig::isa {

/// One disassembled instruction.
struct DisasmLine {
    uint64_t address;
    uint32_t word;     ///< first word (prefix for prefixed instructions)
    uint32_t suffix;   ///< second word of a prefixed instruction, else 0
    unsigned length;   ///< 4 or 8
    std::string text;  ///< e.g. "addi    r3,r4,5" or ".long 0x0"
};

/// Disassembles one instruction image at pc. prefixed: image is (prefix << 32) | suffix.
std::string disassemble_one(uint64_t image, bool prefixed, uint64_t pc);

/// Disassembles a byte buffer as a sequence of instructions in the given byte order.
std::vector<DisasmLine> disassemble(std::span<const uint8_t> bytes, uint64_t address, bool little_endian);

}  // namespace ppcmig::isa
