// Operand fields of Power ISA instruction formats: where each lives in the instruction image and
// how it reads. The image of a 32-bit instruction is the word itself; of a prefixed (8-byte)
// instruction it is (prefix << 32) | suffix, so suffix fields keep their 32-bit positions.
#pragma once

#include <cstdint>

namespace ppcmig::isa {

/// Every operand field the instruction table can name. The name says the field and how it prints.
enum class Opnd : uint8_t {
    None,
    // General-purpose registers
    RT,   ///< bits 6-10 (also RS)
    RA,   ///< bits 11-15
    RA0,  ///< bits 11-15, the value 0 means literal 0 ("(RA|0)")
    RB,   ///< bits 16-20
    RC,   ///< bits 21-25 (maddhd and friends)
    // Floating-point registers
    FRT, FRA, FRB, FRC,
    // Vector registers
    VRT, VRA, VRB, VRC,
    // VSX registers (5-bit field plus an extension bit)
    XT_X,   ///< T + TX (bit 31), XX1/XX2/XX3/X forms
    XA_X,   ///< A + AX (bit 29)
    XB_X,   ///< B + BX (bit 30)
    XC_X,   ///< C + CX (bit 28), XX4
    XT_DQ,  ///< T + TX (bit 28), DQ form lxv/stxv
    XS_DS,  ///< VRS+32 in DS-form (stxsd...), bits 6-10 naming vs32..63
    XT_8,   ///< 6-bit xxspltib etc.: T + TX bit 31 (alias of XT_X for documentation)
    // Condition register
    BF,    ///< bits 6-8, CR field
    BFA,   ///< bits 11-13
    BF_OPT,///< BF printed only when non-zero (cmpwi etc.)
    BT,    ///< bits 6-10, CR bit
    BA,    ///< bits 11-15, CR bit
    BB,    ///< bits 16-20, CR bit
    BO,    ///< bits 6-10
    BI,    ///< bits 11-15
    BH,    ///< bits 19-20
    BC,    ///< bits 21-25 (isel CR bit)
    // Immediates
    SI,    ///< bits 16-31 signed
    UI,    ///< bits 16-31 unsigned
    D,     ///< bits 16-31 signed displacement, prints as D(RA)
    DS,    ///< bits 16-29 << 2 signed
    DQ,    ///< bits 16-27 << 4 signed
    D34,   ///< prefixed: d0 (18 bits of prefix) || d1 (16 bits) signed
    SI34,  ///< prefixed paddi immediate, same bits as D34
    R,     ///< prefixed R bit (prefix bit 11)
    L10,   ///< bit 10 (cmp L)
    L_SYNC,///< bits 8-10 (sync L, 3-bit in ISA 3.1)
    L_MT,  ///< bit 15 (mtmsrd L)
    TO,    ///< bits 6-10
    SH5,   ///< bits 16-20
    SH6,   ///< MD/XS: bits 16-20 || bit 30 (XS form uses bit 30 too)
    MB5,   ///< bits 21-25
    ME5,   ///< bits 26-30
    MB6,   ///< MD: bits 21-26 as mb5 || mb0:4
    NB,    ///< bits 16-20 (lswi), 0 means 32
    SPR,   ///< bits 11-20, halves swapped
    TBR,   ///< like SPR (mftb)
    FXM,   ///< bits 12-19
    FXM1,  ///< mtocrf/mfocrf one-hot field bits 12-19 (with bit 11 set)
    FLM,   ///< bits 7-14
    FL1,   ///< bit 6 L in mtfsf
    W,     ///< bit 15
    U,     ///< bits 16-19
    BFW,   ///< mtfsfi W bit (bit 15)
    LEV,   ///< bits 20-26 (sc LEV)
    LI,    ///< bits 6-29 << 2 branch target
    BD,    ///< bits 16-29 << 2 branch target
    SIMM5, ///< bits 11-15 signed (vspltis*)
    UIMM5, ///< bits 11-15 unsigned (vsplt*)
    UIMM4, ///< bits 12-15 unsigned (vextract ...)
    UIMM3, ///< bits 13-15
    UIMM2, ///< bits 14-15
    SHB,   ///< bits 22-25 (vsldoi)
    DCM,   ///< bits 16-21 dcmx (xststdcdp)
    IMM8,  ///< bits 13-20 (xxspltib)
    DM,    ///< bits 22-23 (xxpermdi)
    SHW,   ///< bits 22-23 (xxsldwi)
    UIM2_X,///< bits 14-15 (xxspltw)
    RMC,   ///< bits 21-22 (xsrqpi)
    EH,    ///< bit 31 (larx hint)
    CT,    ///< bits 7-10 (dcbt TH? / icbt)
    TH,    ///< bits 6-10 (dcbt TH)
    L_DCBF,///< bits 8-10
    WC,    ///< bits 9-10 (wait)
    PS,    ///< bit 22 (bcdadd.)
    L_DARN,///< bits 14-15
    IH,    ///< bits 8-10 (slbia)
    A_TBEGIN, ///< bit 10 (tbegin. R)
    CY,    ///< bits 21-22 (addex)
    BI_CR, ///< setbc BI as crbit
    FC,    ///< bits 16-20 (lwat function code)
    DRM,   ///< bits 18-20 (mffscrni)
    RM,    ///< bits 19-20 (mffscrni)
    XO_D,  ///< addpcis split d0:d1:d2
    // Prefixed (ISA 3.1) fields; "prefix bits" count within the prefix word.
    XT_PO,    ///< T (bits 6-10) + TX in bit 5 of the suffix opcode (plxv/pstxv)
    XTP,      ///< VSR pair: Tp (bits 6-9) * 2 + TX (bit 10) * 32 (lxvp/plxvp...)
    XT_8RR,   ///< T (bits 6-10) + TX (bit 15), 8RR:D form (xxsplti32dx ...)
    IX,       ///< bit 14 (xxsplti32dx word index)
    IMM32,    ///< prefix bits 16-31 || suffix bits 16-31, unsigned
    UIM3_P,   ///< prefix bits 29-31 (xxpermx)
    IMM8_P,   ///< prefix bits 24-31 (xxeval)
    // DFP and TM fields.
    FRTp,     ///< bits 6-10, an even FPR pair (DFP quad targets)
    FRAp,     ///< bits 11-15, an FPR pair (DFP quad source; printed even)
    FRBp,     ///< bits 16-20, an FPR pair (DFP quad source; printed even)
    DSH,      ///< bits 16-21 unsigned (DFP shift count, DCM, DGM)
    UIM6,     ///< bits 10-15 unsigned (dtstsfi)
    SP2,      ///< bits 11-12 (ddedpd SP)
    S1,       ///< bit 11 (denbcd S)
    A_TEND,   ///< bit 6 (tend. A)
    SIMM5_16, ///< bits 16-20 signed (tabortwci. SI)
    // Book III fields.
    RS_OPT,   ///< bits 6-10, a GPR objdump omits when it is r0 and last (tlbie RS)
    RIC,      ///< bits 12-13 (tlbie)
    PRS,      ///< bit 14 (tlbie)
    R_TLB,    ///< bit 15 (tlbie)
    DCMX_V,   ///< xvtstdc[ds]p DCMX: dc (bit 25) || dm (bit 29) || dx (bits 11-15)
    ImplicitZero ///< placeholder, never extracted
};

/// The instruction-image bits covered by an operand (for deriving the encoding mask).
uint64_t operand_bits(Opnd o);

/// The operand's value read from an instruction image (sign-extended where the field is signed,
/// scaled where the field is scaled, so DS reads as a byte displacement).
int64_t operand_value(Opnd o, uint64_t image);

}  // namespace ppcmig::isa
