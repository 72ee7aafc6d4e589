// System instructions: sc, rfid, MSR and SPR moves, synchronisation, cache/TLB/SLB management
// (privilege-checked no-ops in real mode), wait/stop.
#include <vector>

#include "cpu/insns/common.hpp"
#include "ppcmig/cpu/spr.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto ST = Category::Storage;
constexpr auto PV = Category::Privileged;
constexpr auto HY = Category::Hypervisor;
constexpr auto SUP = Privilege::Supervisor;
constexpr auto HYP = Privilege::Hypervisor;

SprAccess current_level(const Cpu& c) {
    if (c.s.msr & msr::PR) return SprAccess::Problem;
    return (c.s.msr & msr::HV) ? SprAccess::Hypervisor : SprAccess::Supervisor;
}

// An SPR access that is not allowed: privileged when the state is too low, illegal otherwise.
int spr_denied(Cpu& c, const Decoded& d, unsigned n, const SprInfo* info, SprAccess need) {
    const bool pr = (c.s.msr & msr::PR) != 0;
    if (info == nullptr || need == SprAccess::None) return c.program(d, (pr && (n & 0x10)) ? srr1::PRIVILEGED : srr1::ILLEGAL);
    return c.program(d, srr1::PRIVILEGED);
}

// Problem-state access to an SPR of a facility the OS has not enabled: FSCR gates DSCR, TAR and
// the EBB registers (POWER8 and later); the TM SPRs need MSR[TM]. Returns a Flow, or -1 if the
// access may proceed.
int facility_gate(Cpu& c, const Decoded& d, unsigned n) {
    if (!(c.s.msr & msr::PR) || c.model().family == Family::Power7) return -1;
    struct Gate { unsigned lo, hi, fscr_bit, ic; };
    static constexpr Gate gates[] = {
        {sprn::DSCR_U, sprn::DSCR_U, 2, fscr_ic::DSCR},
        {sprn::TAR, sprn::TAR, 8, fscr_ic::TAR},
        {804, 806, 7, fscr_ic::EBB},  // EBBHR, EBBRR, BESCR
    };
    for (const Gate& g : gates)
        if (n >= g.lo && n <= g.hi && !(c.s.spr[sprn::FSCR] & (uint64_t(1) << g.fscr_bit)))
            return c.facility_unavailable(d, g.ic);
    if (n >= sprn::TFHAR && n <= sprn::TEXASRU && !(c.s.msr & msr::TM)) return c.facility_unavailable(d, fscr_ic::TM);
    return -1;
}

uint64_t read_dec(Cpu& c) {
    const uint64_t elapsed = c.env().timebase(c) - c.s.dec_base_tb;
    const unsigned bits = (c.s.spr[sprn::LPCR] & lpcr::LD) ? c.model().dec_bits : 32;
    const uint64_t v = c.s.spr[sprn::DEC] - elapsed;
    if (bits >= 64) return v;
    return static_cast<uint64_t>(sext(v & ((uint64_t(1) << bits) - 1), bits)) & (bits == 32 ? 0xFFFFFFFFull : ~uint64_t(0));
}

int mfspr(Cpu& c, const Decoded& d) {
    const unsigned n = f_spr(d);
    // Fast path for the user-level SPRs that compiled code moves constantly.
    if (n == sprn::LR) { c.s.gpr[f_rt(d)] = c.s.lr; return kNext; }
    if (n == sprn::CTR) { c.s.gpr[f_rt(d)] = c.s.ctr; return kNext; }
    const SprInfo* info = find_spr(n, c.model().family);
    if (info == nullptr || info->read == SprAccess::None || info->read > current_level(c))
        return spr_denied(c, d, n, info, info ? info->read : SprAccess::None);
    if (const int gated = facility_gate(c, d, n); gated >= 0) return gated;
    uint64_t v = 0;
    switch (info->kind) {
        case SprKind::Lr: v = c.s.lr; break;
        case SprKind::Ctr: v = c.s.ctr; break;
        case SprKind::Xer: v = c.s.xer; break;
        case SprKind::Tb: v = c.env().timebase(c); break;
        case SprKind::Tbu: v = c.env().timebase(c) >> 32; break;
        case SprKind::Purr: v = c.env().timebase(c); break;
        case SprKind::Dec: v = read_dec(c); break;
        case SprKind::TexasrU: v = c.s.spr[sprn::TEXASR] >> 32; break;
        case SprKind::Sprg3Alias: v = c.s.spr[sprn::SPRG3]; break;
        case SprKind::DscrAlias: v = c.s.spr[sprn::DSCR]; break;
        case SprKind::AmrAlias: v = c.s.spr[sprn::AMR]; break;
        case SprKind::Ppr32: v = c.s.spr[sprn::PPR] >> 32; break;
        case SprKind::Ctrl: v = c.s.spr[sprn::CTRL_R]; break;
        default: v = c.s.spr[n]; break;
    }
    c.s.gpr[f_rt(d)] = v;
    return kNext;
}

int mtspr(Cpu& c, const Decoded& d) {
    const unsigned n = f_spr(d);
    if (n == sprn::LR) { c.s.lr = c.s.gpr[f_rt(d)]; return kNext; }
    if (n == sprn::CTR) { c.s.ctr = c.s.gpr[f_rt(d)]; return kNext; }
    const SprInfo* info = find_spr(n, c.model().family);
    if (info == nullptr || info->write == SprAccess::None || info->write > current_level(c))
        return spr_denied(c, d, n, info, info ? info->write : SprAccess::None);
    if (const int gated = facility_gate(c, d, n); gated >= 0) return gated;
    const uint64_t v = c.s.gpr[f_rt(d)];
    switch (info->kind) {
        case SprKind::Lr: c.s.lr = v; break;
        case SprKind::Ctr: c.s.ctr = v; break;
        case SprKind::Xer:
            c.s.xer = v & (xer::SO | xer::OV | xer::CA | xer::OV32 | xer::CA32 | 0x7F);
            break;
        case SprKind::Dec:
            c.s.spr[sprn::DEC] = v;
            c.s.dec_base_tb = c.env().timebase(c);
            c.env().on_dec_write(c);
            return kEndBlock;
        case SprKind::TexasrU:
            c.s.spr[sprn::TEXASR] = (c.s.spr[sprn::TEXASR] & 0xFFFFFFFFull) | (v << 32);
            break;
        case SprKind::DscrAlias: c.s.spr[sprn::DSCR] = v; break;
        case SprKind::AmrAlias: c.s.spr[sprn::AMR] = v; break;
        case SprKind::Ppr32:
            c.s.spr[sprn::PPR] = (c.s.spr[sprn::PPR] & 0xFFFFFFFFull) | ((v & 0xFFFFFFFF) << 32);
            break;
        case SprKind::Ctrl: c.s.spr[sprn::CTRL_R] = v & 1; break;  // the run latch
        case SprKind::TbWrite: break;  // the machine owns the time base
        case SprKind::Pcr:
            c.s.spr[n] = v;
            c.flush_blocks();  // decode gating may depend on PCR
            return kEndBlock;
        default: c.s.spr[n] = v; break;
    }
    return kNext;
}

int mftb(Cpu& c, const Decoded& d) {
    const unsigned n = f_spr(d);
    if (n == sprn::TB) c.s.gpr[f_rt(d)] = c.env().timebase(c);
    else if (n == sprn::TBU) c.s.gpr[f_rt(d)] = c.env().timebase(c) >> 32;
    else return illegal(c, d);
    return kNext;
}

// MSR write rules shared by mtmsrd/mtmsr/rfid: HV/ME/S only change in hypervisor state, and
// entering problem state forces EE/IR/DR on.
uint64_t msr_merge(const Cpu& c, uint64_t cur, uint64_t want) {
    constexpr uint64_t S = uint64_t(1) << 22;
    if (!(cur & msr::HV)) want = (want & ~(msr::HV | msr::ME | S)) | (cur & (msr::HV | msr::ME | S));
    if (want & msr::PR) want |= msr::EE | msr::IR | msr::DR;
    (void)c;
    return want;
}

int mfmsr(Cpu& c, const Decoded& d) { c.s.gpr[f_rt(d)] = c.s.msr; return kNext; }

// After an MSR write: enabling a floating-point exception mode while FPSCR[FEX] is already set
// raises the FP-enabled Program interrupt, with SRR0 at the next instruction.
int after_msr_write(Cpu& c, const Decoded& d) {
    if ((c.s.msr & (msr::FE0 | msr::FE1)) && (c.s.fpscr & fpscr::FEX))
        return c.interrupt({Vector::Program, d.next(), srr1::FP_ENABLED | srr1::ADDR_NEXT, 0, d.word});
    return kEndBlock;
}
int mtmsrd(Cpu& c, const Decoded& d) {
    const uint64_t rs = c.s.gpr[f_rt(d)];
    if ((d.word >> 16) & 1) {  // L=1: EE and RI only
        const uint64_t m = msr::EE | msr::RI;
        c.set_msr((c.s.msr & ~m) | (rs & m));
        return kEndBlock;
    }
    // TS/TM are not written by mtmsrd outside transactional rules (unchanged here).
    const uint64_t keep = msr::TS0 | msr::TS1 | msr::TM;
    c.set_msr(msr_merge(c, c.s.msr, (rs & ~keep) | (c.s.msr & keep)));
    return after_msr_write(c, d);
}
int mtmsr(Cpu& c, const Decoded& d) {
    const uint64_t rs = c.s.gpr[f_rt(d)];
    if ((d.word >> 16) & 1) {
        const uint64_t m = msr::EE | msr::RI;
        c.set_msr((c.s.msr & ~m) | (rs & m));
        return kEndBlock;
    }
    const uint64_t low = 0xFFFFFFFFull;
    c.set_msr(msr_merge(c, c.s.msr, (c.s.msr & ~low) | (rs & low)));
    return after_msr_write(c, d);
}

int rfid(Cpu& c, const Decoded&) {
    const uint64_t srr0 = c.s.spr[sprn::SRR0], srr1 = c.s.spr[sprn::SRR1];
    c.set_msr(msr_merge(c, c.s.msr, srr1));
    c.s.nip = c.ea(srr0 & ~uint64_t(3));
    c.s.reserve_addr = ~uint64_t(0);
    return kJump;
}
int hrfid(Cpu& c, const Decoded&) {
    const uint64_t srr0 = c.s.spr[sprn::HSRR0], srr1 = c.s.spr[sprn::HSRR1];
    c.set_msr(msr_merge(c, c.s.msr, srr1));
    c.s.nip = c.ea(srr0 & ~uint64_t(3));
    c.s.reserve_addr = ~uint64_t(0);
    return kJump;
}

int sc(Cpu& c, const Decoded& d) {
    const unsigned lev = (d.word >> 5) & 0x7F;
    return c.env().system_call(c, lev, d.pc);
}

int nop(Cpu&, const Decoded&) { return kNext; }
int context_sync(Cpu&, const Decoded&) { return kEndBlock; }
int sync(Cpu& c, const Decoded& d) {
    // L values 0-2 (hwsync, lwsync, ptesync) and ISA 3.1's 4/5 (stncisync, stcisync) are defined.
    const unsigned l = (d.word >> 21) & 7;
    if (l == 3 || l > 5) return illegal(c, d);
    return kNext;
}
int icbi(Cpu& c, const Decoded& d) {
    c.invalidate_code(ea_x(c, d) & ~uint64_t(127), 128);
    return c.store_flow();
}
int dcbz(Cpu& c, const Decoded& d) {
    const uint64_t ea = ea_x(c, d) & ~uint64_t(127);  // POWER cache blocks are 128 bytes
    static constexpr uint8_t zeros[128] = {};
    c.store_bytes(ea, zeros, sizeof zeros);
    return c.store_flow();
}
int dcb_check(Cpu& c, const Decoded& d) {
    // Touch/flush instructions never fault on addresses outside RAM (they are hints), but
    // dcbf's L field has reserved values.
    (void)c;
    (void)d;
    return kNext;
}
int dcbf(Cpu& c, const Decoded& d) {
    const unsigned l = (d.word >> 21) & 7;
    if (l == 2 || l > 4) return illegal(c, d);
    return kNext;
}
int slbmfx(Cpu& c, const Decoded& d) {  // no SLB in real mode: reads as an invalid entry
    c.s.gpr[f_rt(d)] = 0;
    return kNext;
}
int slbfee(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = 0;
    set_crf(c.s, 0, so_bit(c.s));  // not found
    return kNext;
}
int wait(Cpu& c, const Decoded& d) {
    // wait WC: resume is immediate here; the machine's idle model lives in H_CEDE.
    const unsigned wc = (d.word >> 21) & 3;
    if (wc == 3) return illegal(c, d);
    return kEndBlock;
}
int stop(Cpu&, const Decoded&) { return kEndBlock; }

const std::vector<InsnSpec>& rows() {
    constexpr uint16_t Br = isa::F_Branch, End = isa::F_EndsBlock, S = isa::F_Store, RcF = isa::F_RcFixed;
    static const std::vector<InsnSpec> t = {
        row("sc", isa::op(17) | 2, {LEV}, L201, ST, Br, sc),
        row("rfid", isa::xo10(19, 18), {}, L201, PV, Br, rfid, SUP),
        row("hrfid", isa::xo10(19, 274), {}, L201, HY, Br, hrfid, HYP),
        row("isync", isa::xo10(19, 150), {}, L201, ST, End, context_sync),
        row("sync", isa::xo10(31, 598), {L_SYNC, UIMM2}, L201, ST, 0, sync),  // L, SC (ISA 3.1)
        row("eieio", isa::xo10(31, 854), {}, L201, ST, 0, nop),
        row("icbi", isa::xo10(31, 982), {RA0, RB}, L201, ST, S, icbi),
        row("icbt", isa::xo10(31, 22), {CT, RA0, RB}, L206, ST, 0, nop),
        row("dcbt", isa::xo10(31, 278), {RA0, RB, TH}, L201, ST, 0, dcb_check),
        row("dcbtst", isa::xo10(31, 246), {RA0, RB, TH}, L201, ST, 0, dcb_check),
        row("dcbst", isa::xo10(31, 54), {RA0, RB}, L201, ST, 0, dcb_check),
        row("dcbf", isa::xo10(31, 86), {RA0, RB, L_DCBF}, L201, ST, 0, dcbf),
        row("dcbz", isa::xo10(31, 1014), {RA0, RB}, L201, ST, S, dcbz),
        row("mftb", isa::xo10(31, 371), {RT, TBR}, L201, ST, 0, mftb),
        row("mfspr", isa::xo10(31, 339), {RT, SPR}, L201, ST, 0, mfspr),
        row("mtspr", isa::xo10(31, 467), {SPR, RT}, L201, ST, 0, mtspr),
        row("mfmsr", isa::xo10(31, 83), {RT}, L201, PV, 0, mfmsr, SUP),
        row("mtmsr", isa::xo10(31, 146), {RT, L_MT}, L201, PV, End, mtmsr, SUP),
        row("mtmsrd", isa::xo10(31, 178), {RT, L_MT}, L201, PV, End, mtmsrd, SUP),
        row("tlbie", isa::xo10(31, 306), {RB, RT, RIC, PRS, R_TLB}, L201, HY, 0, nop, HYP),
        row("tlbiel", isa::xo10(31, 274), {RB, RS_OPT, RIC, PRS, R_TLB}, L201, PV, 0, nop, SUP),
        row("tlbsync", isa::xo10(31, 566), {}, L201, HY, 0, nop, HYP),
        row("slbia", isa::xo10(31, 498), {IH}, L201, PV, 0, nop, SUP),
        row("slbie", isa::xo10(31, 434), {RB}, L201, PV, 0, nop, SUP),
        row("slbmte", isa::xo10(31, 402), {RT, RB}, L201, PV, 0, nop, SUP),
        row("slbmfev", isa::xo10(31, 851), {RT, RB, L_MT}, L201, PV, 0, slbmfx, SUP),
        row("slbmfee", isa::xo10(31, 915), {RT, RB, L_MT}, L201, PV, 0, slbmfx, SUP),
        row("slbfee.", isa::xo10(31, 979) | 1, {RT, RB}, L205, PV, RcF, slbfee, SUP),
        row("slbsync", isa::xo10(31, 338), {}, L300, PV, 0, nop, SUP),
        row("wait", isa::xo10(31, 30), {WC}, L300, ST, End, wait),
        row("stop", isa::xo10(19, 370), {}, L300, HY, End, stop, HYP),
        row("msgsnd", isa::xo10(31, 206), {RB}, L207, HY, 0, nop, HYP),
        row("msgclr", isa::xo10(31, 238), {RB}, L207, HY, 0, nop, HYP),
        row("msgsndp", isa::xo10(31, 142), {RB}, L207, PV, 0, nop, SUP),
        row("msgclrp", isa::xo10(31, 174), {RB}, L207, PV, 0, nop, SUP),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_system() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
