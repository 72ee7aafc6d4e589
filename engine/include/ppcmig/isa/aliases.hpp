// Extended mnemonics (objdump's preferred spellings of base instructions): part of the
// instruction table, used only by the disassembler.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "ppcmig/isa/operand.hpp"

namespace ppcmig::isa {

/// How an alias prints a base operand.
enum class AliasXf : uint8_t {
    Same,       ///< the operand's value as the base prints it
    Neg,        ///< -value
    Rsub32,     ///< 32 - value
    Rsub64,     ///< 64 - value
    Sub31,      ///< 31 - value (e.g. clrrwi n = 31 - me)
    Sub63,      ///< 63 - value
    MeMinusMb1, ///< me - mb + 1 (extlwi n)
    CrBitOfBi,  ///< branch alias: the CR field of BI ("cr1")
    BfOfBt,     ///< crset etc print BT
    Omit8,      ///< printed only when the value is not 8 (dcbtds TH)
    Even,       ///< value with its low bit cleared (register pairs objdump prints even)
    Shr1,       ///< value >> 1 (xxspltd's doubleword from xxpermdi's DM)
    Num,        ///< the value as a plain number (mtfsfi's BF, mtfsb0's BT)
};

struct AliasOperand {
    Opnd field;
    AliasXf xf = AliasXf::Same;
};

/// Extra equality conditions beyond mask/match.
enum class AliasCond : uint8_t {
    None,
    RsEqRb,          ///< mr, not
    BaEqBb,          ///< crmove, crnot
    BtEqBaEqBb,      ///< crset, crclr
    ShPlusMbIs64,    ///< srdi: sh + mb == 64
    ShPlusMeIs63,    ///< sldi: sh + me == 63 (rldicr)
    ShPlusMbIs32,    ///< srwi: sh + mb == 32 && me == 31
    ShPlusMeIs31,    ///< slwi: mb == 0 && me == 31 - sh
    XtEqXaEqXb,      ///< xxlor vsA,vsB,vsB → xxmr
    XaEqXb,          ///< XA == XB (6-bit VSX fields): xxmr, xxlnot ...
    VaEqVb,          ///< vor v,a,a → vmr
};

struct Alias {
    std::string_view name;
    std::string_view base;       ///< base mnemonic in the instruction table
    uint64_t mask;               ///< extra image bits that must match
    uint64_t match;
    AliasCond cond;
    std::array<AliasOperand, 5> operands;
    bool append_rc = true;       ///< append "." when the base's Rc bit is set
};

/// All aliases, in priority order (first match wins for a given base).
std::span<const Alias> alias_table();

/// objdump's names for mfspr/mtspr with a given SPR number. An empty name means the plain
/// mfspr/mtspr form. index >= 0: the name takes that number as an operand ("mfsprg r3,2").
struct SprName {
    uint16_t spr;
    std::string_view mf;
    std::string_view mt;
    int8_t index = -1;
};
std::span<const SprName> spr_names();

}  // namespace ppcmig::isa
