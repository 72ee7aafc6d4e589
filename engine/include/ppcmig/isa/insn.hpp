// The instruction table's row type: the one source of truth for decoding, disassembly,
// availability (ISA level, category, privilege, models) and execution of every instruction.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "ppcmig/isa/operand.hpp"

namespace ppcmig::cpu {
class Cpu;
struct Decoded;
}  // namespace ppcmig::cpu

namespace ppcmig::isa {

/// Power ISA version in which an instruction first appeared (Book I/III-S, server category).
enum class IsaLevel : uint8_t { v2_01, v2_02, v2_03, v2_04, v2_05, v2_06, v2_07, v3_0, v3_1 };

std::string_view to_string(IsaLevel l);

/// Broad category; gates which facility must be enabled and which models implement it.
enum class Category : uint8_t {
    FixedPoint,
    Branch,
    ConditionRegister,
    FloatingPoint,
    Vmx,
    Vsx,
    Dfp,
    Tm,
    Storage,     ///< sync, cache and atomic memory management usable from problem state
    Privileged,  ///< Book III supervisor instructions
    Hypervisor,  ///< Book III hypervisor instructions
};

std::string_view to_string(Category c);

/// Minimum privilege needed to execute without a privileged-instruction interrupt.
enum class Privilege : uint8_t { Problem, Supervisor, Hypervisor };

/// Row flags.
enum InsnFlags : uint16_t {
    F_None = 0,
    F_Rc = 1 << 0,        ///< bit 31 is Rc: mnemonic gets "." when set
    F_OE = 1 << 1,        ///< bit 21 is OE: mnemonic gets "o" when set
    F_LK = 1 << 2,        ///< bit 31 is LK: mnemonic gets "l"
    F_AA = 1 << 3,        ///< bit 30 is AA: mnemonic gets "a"
    F_Prefixed = 1 << 4,  ///< 8-byte prefixed instruction (ISA 3.1)
    F_Branch = 1 << 5,    ///< may change the flow (ends a pre-decoded block)
    F_EndsBlock = 1 << 6, ///< context-synchronising or mode-changing: ends a pre-decoded block
    F_RcFixed = 1 << 7,   ///< the '.' is part of the mnemonic (bit 31 must be 1)
    F_Store = 1 << 8,     ///< writes guest memory (self-modifying-code invalidation)
    F_NoRcOk = 1 << 9,    ///< bit 31 is reserved but ignored by the reference decoders
};

/// CPU models are named by a bit each; a row can restrict itself to a subset.
using ModelMask = uint16_t;
inline constexpr ModelMask kAllModels = 0xFFFF;

/// Semantic handler. Returns the flow after the instruction (see cpu::Flow).
using ExecFn = int (*)(cpu::Cpu&, const cpu::Decoded&);

/// One instruction of the table.
struct InsnSpec {
    std::string_view mnemonic;
    uint64_t match;                  ///< image bits that identify the instruction
    std::array<Opnd, 6> operands;    ///< in assembler syntax order
    IsaLevel level;
    Category category;
    Privilege privilege;
    uint16_t flags;
    ExecFn exec;
    uint64_t extra_mask = 0;         ///< bits beyond the derived mask (rarely needed)
    uint64_t free_bits = 0;          ///< bits the derived mask must leave free (ignored fields)
    ModelMask models = kAllModels;   ///< further restriction beyond level and category

    [[nodiscard]] bool prefixed() const { return (flags & F_Prefixed) != 0; }
    [[nodiscard]] unsigned length() const { return prefixed() ? 8 : 4; }
};

/// Mask of image bits a row must match: every bit not covered by an operand or a flag bit.
uint64_t derived_mask(const InsnSpec& s);

/// The whole table (all categories), in a stable order. Index into it is an instruction id.
std::span<const InsnSpec> instruction_table();

// Per-category parts of the table; instruction_table() concatenates them.
std::span<const InsnSpec> table_fixed_point();
std::span<const InsnSpec> table_branch_cr();
std::span<const InsnSpec> table_system();
std::span<const InsnSpec> table_floating_point();
std::span<const InsnSpec> table_vmx();
std::span<const InsnSpec> table_vsx();
std::span<const InsnSpec> table_vsx_arith();
std::span<const InsnSpec> table_dfp_tm();
std::span<const InsnSpec> table_prefixed();

// Encoding helpers for table rows (IBM bit numbering: bit 0 is the most significant).
constexpr uint64_t op(unsigned primary) { return uint64_t(primary) << 26; }
/// X/XL/XFX/XFL forms: 10-bit extended opcode in bits 21-30.
constexpr uint64_t xo10(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 1); }
/// XO form: 9-bit extended opcode in bits 22-30.
constexpr uint64_t xo9(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 1); }
/// MD form: 3-bit extended opcode in bits 27-29.
constexpr uint64_t md(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 2); }
/// MDS form: 4-bit extended opcode in bits 27-30.
constexpr uint64_t mds(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 1); }
/// A form: 5-bit extended opcode in bits 26-30.
constexpr uint64_t a5(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 1); }
/// VX form: 11-bit extended opcode in bits 21-31.
constexpr uint64_t vx(unsigned xo) { return op(4) | uint64_t(xo); }
/// VA form: 6-bit extended opcode in bits 26-31.
constexpr uint64_t va(unsigned xo) { return op(4) | uint64_t(xo); }
/// VC form: 10-bit extended opcode in bits 22-31 (bit 21 is Rc).
constexpr uint64_t vc(unsigned xo) { return op(4) | uint64_t(xo); }
/// DS form: 2-bit extended opcode in bits 30-31.
constexpr uint64_t ds(unsigned primary, unsigned xo) { return op(primary) | uint64_t(xo); }
/// DQ form: 3-bit extended opcode in bits 29-31.
constexpr uint64_t dq(unsigned primary, unsigned xo) { return op(primary) | uint64_t(xo); }
/// XX1 forms (10-bit XO in bits 21-30, TX in bit 31).
constexpr uint64_t xx1(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 1); }
/// XX2 forms: 9-bit XO in bits 21-29.
constexpr uint64_t xx2(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 2); }
/// XX3 forms: 8-bit XO in bits 21-28.
constexpr uint64_t xx3(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 3); }
/// XX4 forms: 2-bit XO in bits 26-27.
constexpr uint64_t xx4(unsigned primary, unsigned xo) { return op(primary) | (uint64_t(xo) << 4); }
/// A prefix word: type (bits 6-7) and further bits, placed in the image's high half.
constexpr uint64_t prefix(unsigned type, unsigned bits8_11 = 0) {
    return (uint64_t(1) << 58) | (uint64_t(type) << 56) | (uint64_t(bits8_11) << 52);
}

}  // namespace ppcmig::isa
