// DFP and TM instructions: rows and semantics.
//
// Decimal floating point is decoded (so availability, the FP Unavailable interrupt and the
// disassembler are exact) but its arithmetic is not implemented in the engine: with MSR[FP]=1
// every DFP instruction raises the illegal-instruction Program interrupt.
//
// Transactional memory uses the minimal implementation the ISA allows: every transaction fails
// at its tbegin., so the processor never leaves Non-transactional state and the other TM
// instructions behave as they do outside a transaction.
#include <vector>

#include "cpu/insns/common.hpp"
#include "ppcmig/cpu/model.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto DFP = Category::Dfp;
constexpr auto TM = Category::Tm;

// ---------------- DFP ----------------
// Not implemented: the engine has no decimal arithmetic (see the file comment).
int dfp_unimplemented(Cpu& c, const Decoded& d) { return illegal(c, d); }

// ---------------- TM ----------------
constexpr uint64_t ibm64(unsigned bit) { return uint64_t(1) << (63 - bit); }
namespace texasr {
constexpr uint64_t FAILURE_PERSISTENT = ibm64(7);
constexpr uint64_t NESTING_OVERFLOW = ibm64(9);
constexpr uint64_t PRIV_HV = ibm64(34);
constexpr uint64_t PRIV_PR = ibm64(35);
constexpr uint64_t FS = ibm64(36);      ///< failure summary
constexpr uint64_t EXACT = ibm64(37);   ///< TFIAR holds the failing instruction exactly
}  // namespace texasr

/// MSR[TS] as the 2-bit value that the TM instructions copy into CR fields (0 = N, 1 = S, 2 = T).
unsigned msr_ts(const Cpu& c) {
    return ((c.s.msr & msr::TS0) ? 2u : 0u) | ((c.s.msr & msr::TS1) ? 1u : 0u);
}
/// CR0 = 0 || MSR[TS] || 0: what tend., tabort*., tsr. and treclaim. report.
void set_cr0_ts(Cpu& c) { set_crf(c.s, 0, msr_ts(c) << 1); }

uint64_t priv_bits(const Cpu& c, uint64_t hv, uint64_t pr) {
    return ((c.s.msr & msr::HV) ? hv : 0) | ((c.s.msr & msr::PR) ? pr : 0);
}

int tbegin(Cpu& c, const Decoded& d) {
    // The transaction fails as soon as it begins. The reason recorded (persistent nesting
    // overflow, exact TFIAR) is the implementation's choice and matches QEMU. Execution continues
    // at the failure handler, which is the next instruction; no register other than CR0 and the
    // TM SPRs changes because the checkpointed state is the state before tbegin.
    c.s.spr[sprn::TEXASR] = texasr::FAILURE_PERSISTENT | texasr::NESTING_OVERFLOW | texasr::FS |
                            texasr::EXACT | priv_bits(c, texasr::PRIV_HV, texasr::PRIV_PR);
    c.s.spr[sprn::TFIAR] = d.pc | priv_bits(c, 2, 1);
    c.s.spr[sprn::TFHAR] = c.ea(d.pc + 4);
    // CR0 = 0b101 || 0 signals the failure. QEMU 7.2 sets 0b1011 (SO as well); the ISA value is used.
    set_crf(c.s, 0, 0b1010);
    return kNext;
}

// tend., tabort., the conditional aborts and tsr.: outside a transaction they only set CR0.
// (Conditional aborts still evaluate their condition, which has no effect in N state.)
int tm_cr0_only(Cpu& c, const Decoded&) {
    set_cr0_ts(c);
    return kNext;
}

int tcheck(Cpu& c, const Decoded& d) {
    // CR[BF] = TDOOMED || MSR[TS] || 0; every transaction is doomed here (as in QEMU).
    set_crf(c.s, f_bf(d), 0b1000 | (msr_ts(c) << 1));
    return kNext;
}

int treclaim(Cpu& c, const Decoded& d) {
    const unsigned ts = msr_ts(c);
    if (ts == 0) return c.program(d, srr1::TM_BAD_THING);
    // Transactional or suspended state can only be reached through rfid with SRR1[TS] set (no
    // transaction ever starts here). Record the failure (cause from RA's low byte) unless one is
    // already recorded, and return to Non-transactional state.
    if (!(c.s.spr[sprn::TEXASR] & texasr::FS)) {
        const unsigned ra = f_ra(d);
        const uint64_t cause = (ra ? c.s.gpr[ra] : 0) & 0xFF;
        c.s.spr[sprn::TEXASR] = (c.s.spr[sprn::TEXASR] & ~(uint64_t(0xFF) << 56)) | (cause << 56) |
                                texasr::FS | texasr::EXACT | priv_bits(c, texasr::PRIV_HV, texasr::PRIV_PR);
        c.s.spr[sprn::TFIAR] = d.pc | priv_bits(c, 2, 1);
    }
    set_crf(c.s, 0, ts << 1);
    c.set_msr(c.s.msr & ~(msr::TS0 | msr::TS1));
    return kEndBlock;
}

int trechkpt(Cpu& c, const Decoded& d) {
    // There is never a checkpoint to reinstate: TM Bad Thing in every state.
    return c.program(d, srr1::TM_BAD_THING);
}

/// A DFP row (level 2.05 unless given).
InsnSpec drow(std::string_view name, uint64_t match, std::array<isa::Opnd, 6> ops, uint16_t flags,
              uint64_t free_bits = 0, IsaLevel lvl = L205) {
    return row(name, match, ops, lvl, DFP, flags, dfp_unimplemented, Privilege::Problem, free_bits);
}
/// A TM row: level 2.07, only on the models that implement TM.
InsnSpec trow(std::string_view name, uint64_t match, std::array<isa::Opnd, 6> ops, uint16_t flags,
              isa::ExecFn fn, Privilege priv = Privilege::Problem) {
    InsnSpec s = row(name, match, ops, L207, TM, flags, fn, priv);
    s.models = model_bit::TmCapable;
    return s;
}

const std::vector<InsnSpec>& rows() {
    constexpr uint16_t Rc = isa::F_Rc, RcF = isa::F_RcFixed;
    // Reserved fields the reference decoders ignore (so they are not part of the encoding).
    constexpr uint64_t kRA = uint64_t(31) << 16, kB9_10 = uint64_t(3) << 21, kB13_15 = uint64_t(7) << 16,
                       kB12_15 = uint64_t(15) << 16;
    static const std::vector<InsnSpec> t = {
        // Arithmetic
        drow("dadd", isa::xo10(59, 2), {FRT, FRA, FRB}, Rc),
        drow("daddq", isa::xo10(63, 2), {FRTp, FRAp, FRBp}, Rc),
        drow("dsub", isa::xo10(59, 514), {FRT, FRA, FRB}, Rc),
        drow("dsubq", isa::xo10(63, 514), {FRTp, FRAp, FRBp}, Rc),
        drow("dmul", isa::xo10(59, 34), {FRT, FRA, FRB}, Rc),
        drow("dmulq", isa::xo10(63, 34), {FRTp, FRAp, FRBp}, Rc),
        drow("ddiv", isa::xo10(59, 546), {FRT, FRA, FRB}, Rc),
        drow("ddivq", isa::xo10(63, 546), {FRTp, FRAp, FRBp}, Rc),
        // Compare and test
        drow("dcmpo", isa::xo10(59, 130), {BF, FRA, FRB}, 0, kB9_10),
        drow("dcmpoq", isa::xo10(63, 130), {BF, FRAp, FRBp}, 0, kB9_10),
        drow("dcmpu", isa::xo10(59, 642), {BF, FRA, FRB}, 0, kB9_10),
        drow("dcmpuq", isa::xo10(63, 642), {BF, FRAp, FRBp}, 0, kB9_10),
        drow("dtstdc", isa::xo9(59, 194), {BF, FRA, DSH}, 0, kB9_10),
        drow("dtstdcq", isa::xo9(63, 194), {BF, FRAp, DSH}, 0, kB9_10),
        drow("dtstdg", isa::xo9(59, 226), {BF, FRA, DSH}, 0, kB9_10),
        drow("dtstdgq", isa::xo9(63, 226), {BF, FRAp, DSH}, 0, kB9_10),
        drow("dtstex", isa::xo10(59, 162), {BF, FRA, FRB}, 0, kB9_10),
        drow("dtstexq", isa::xo10(63, 162), {BF, FRAp, FRBp}, 0, kB9_10),
        drow("dtstsf", isa::xo10(59, 674), {BF, FRA, FRB}, 0, kB9_10),
        drow("dtstsfq", isa::xo10(63, 674), {BF, FRA, FRBp}, 0, kB9_10),
        drow("dtstsfi", isa::xo10(59, 675), {BF, UIM6, FRB}, 0, 0, L300),
        drow("dtstsfiq", isa::xo10(63, 675), {BF, UIM6, FRBp}, 0, 0, L300),
        // Quantum adjustment and rounding (Z23 form: 8-bit XO in bits 23-30)
        drow("dquai", isa::xo9(59, 67), {SIMM5, FRT, FRB, RMC}, Rc),
        drow("dquaiq", isa::xo9(63, 67), {SIMM5, FRTp, FRBp, RMC}, Rc),
        drow("dqua", isa::xo9(59, 3), {FRT, FRA, FRB, RMC}, Rc),
        drow("dquaq", isa::xo9(63, 3), {FRTp, FRAp, FRBp, RMC}, Rc),
        drow("drrnd", isa::xo9(59, 35), {FRT, FRA, FRB, RMC}, Rc),
        drow("drrndq", isa::xo9(63, 35), {FRTp, FRA, FRBp, RMC}, Rc),
        drow("drintx", isa::xo9(59, 99), {W, FRT, FRB, RMC}, Rc, uint64_t(15) << 17),
        drow("drintxq", isa::xo9(63, 99), {W, FRTp, FRBp, RMC}, Rc, uint64_t(15) << 17),
        drow("drintn", isa::xo9(59, 227), {W, FRT, FRB, RMC}, Rc, uint64_t(15) << 17),
        drow("drintnq", isa::xo9(63, 227), {W, FRTp, FRBp, RMC}, Rc, uint64_t(15) << 17),
        // Format conversion
        drow("dctdp", isa::xo10(59, 258), {FRT, FRB}, Rc, kRA),
        drow("dctqpq", isa::xo10(63, 258), {FRTp, FRB}, Rc, kRA),
        drow("drsp", isa::xo10(59, 770), {FRT, FRB}, Rc, kRA),
        drow("drdpq", isa::xo10(63, 770), {FRTp, FRBp}, Rc, kRA),
        drow("dcffix", isa::xo10(59, 802), {FRT, FRB}, Rc, 0, L206),
        drow("dcffixq", isa::xo10(63, 802), {FRTp, FRB}, Rc, kRA),
        drow("dctfix", isa::xo10(59, 290), {FRT, FRB}, Rc, kRA),
        drow("dctfixq", isa::xo10(63, 290), {FRT, FRBp}, Rc, kRA),
        drow("dcffixqq", isa::xo10(63, 994), {FRTp, VRB}, 0, 0, L310),
        drow("dctfixqq", isa::xo10(63, 994) | (1u << 16), {VRT, FRBp}, 0, 0, L310),
        // BCD and exponent
        drow("ddedpd", isa::xo10(59, 322), {SP2, FRT, FRB}, Rc, kB13_15),
        drow("ddedpdq", isa::xo10(63, 322), {SP2, FRTp, FRBp}, Rc, kB13_15),
        drow("denbcd", isa::xo10(59, 834), {S1, FRT, FRB}, Rc, kB12_15),
        drow("denbcdq", isa::xo10(63, 834), {S1, FRTp, FRBp}, Rc, kB12_15),
        drow("dxex", isa::xo10(59, 354), {FRT, FRB}, Rc, kRA),
        drow("dxexq", isa::xo10(63, 354), {FRT, FRBp}, Rc, kRA),
        drow("diex", isa::xo10(59, 866), {FRT, FRA, FRB}, Rc),
        drow("diexq", isa::xo10(63, 866), {FRTp, FRA, FRBp}, Rc),
        // Shift significand (Z22 form: 9-bit XO in bits 22-30)
        drow("dscli", isa::xo9(59, 66), {FRT, FRA, DSH}, Rc),
        drow("dscliq", isa::xo9(63, 66), {FRTp, FRAp, DSH}, Rc),
        drow("dscri", isa::xo9(59, 98), {FRT, FRA, DSH}, Rc),
        drow("dscriq", isa::xo9(63, 98), {FRTp, FRAp, DSH}, Rc),

        // Transactional memory
        trow("tbegin.", isa::xo10(31, 654) | 1, {A_TBEGIN}, RcF, tbegin),
        trow("tend.", isa::xo10(31, 686) | 1, {A_TEND}, RcF, tm_cr0_only),
        trow("tabort.", isa::xo10(31, 910) | 1, {RA}, RcF, tm_cr0_only),
        trow("tabortwc.", isa::xo10(31, 782) | 1, {TO, RA, RB}, RcF, tm_cr0_only),
        trow("tabortwci.", isa::xo10(31, 846) | 1, {TO, RA, SIMM5_16}, RcF, tm_cr0_only),
        trow("tabortdc.", isa::xo10(31, 814) | 1, {TO, RA, RB}, RcF, tm_cr0_only),
        trow("tabortdci.", isa::xo10(31, 878) | 1, {TO, RA, SIMM5_16}, RcF, tm_cr0_only),
        trow("tsr.", isa::xo10(31, 750) | 1, {A_TBEGIN}, RcF, tm_cr0_only),
        trow("tcheck", isa::xo10(31, 718), {BF}, 0, tcheck),
        trow("treclaim.", isa::xo10(31, 942) | 1, {RA}, RcF | isa::F_EndsBlock, treclaim, Privilege::Supervisor),
        trow("trechkpt.", isa::xo10(31, 1006) | 1, {}, RcF, trechkpt, Privilege::Supervisor),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_dfp_tm() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
