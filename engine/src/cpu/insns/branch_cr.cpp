// Branch and condition-register instructions: rows and semantics.
#include <vector>

#include "cpu/insns/common.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto BR = Category::Branch;
constexpr auto CR = Category::ConditionRegister;

int b(Cpu& c, const Decoded& d) {
    const int64_t li = sext(d.word & 0x03FFFFFC, 26);
    const bool aa = (d.word >> 1) & 1, lk = d.word & 1;
    if (lk) c.s.lr = c.ea(d.pc + 4);
    c.s.nip = c.ea(aa ? static_cast<uint64_t>(li) : d.pc + static_cast<uint64_t>(li));
    return kJump;
}

// BO decoding shared by bc/bclr/bcctr/bctar. Returns whether the branch is taken.
bool bo_taken(Cpu& c, unsigned bo, unsigned bi, bool may_dec_ctr) {
    bool ctr_ok = true;
    if (!(bo & 4) && may_dec_ctr) {
        c.s.ctr -= 1;
        const uint64_t ctr = c.sf() ? c.s.ctr : (c.s.ctr & 0xFFFFFFFF);
        ctr_ok = (ctr != 0) != ((bo >> 1) & 1);
    }
    const bool cond_ok = (bo & 0x10) || (get_crbit(c.s, bi) == (((bo >> 3) & 1) != 0));
    return ctr_ok && cond_ok;
}

int bc(Cpu& c, const Decoded& d) {
    const unsigned bo = f_rt(d), bi = f_ra(d);
    const bool aa = (d.word >> 1) & 1, lk = d.word & 1;
    const bool taken = bo_taken(c, bo, bi, true);
    if (lk) c.s.lr = c.ea(d.pc + 4);
    if (!taken) {
        c.s.nip = c.ea(d.pc + 4);
        return kJump;
    }
    const int64_t bd = sext(d.word & 0xFFFC, 16);
    c.s.nip = c.ea(aa ? static_cast<uint64_t>(bd) : d.pc + static_cast<uint64_t>(bd));
    return kJump;
}

int bclr(Cpu& c, const Decoded& d) {
    const unsigned bo = f_rt(d), bi = f_ra(d);
    const uint64_t target = c.s.lr & ~uint64_t(3);
    const bool taken = bo_taken(c, bo, bi, true);
    if (d.word & 1) c.s.lr = c.ea(d.pc + 4);
    c.s.nip = c.ea(taken ? target : d.pc + 4);
    return kJump;
}

int bcctr(Cpu& c, const Decoded& d) {
    const unsigned bo = f_rt(d), bi = f_ra(d);
    if (!(bo & 4)) return illegal(c, d);  // decrementing CTR here is an invalid form
    const uint64_t target = c.s.ctr & ~uint64_t(3);
    const bool taken = bo_taken(c, bo, bi, false);
    if (d.word & 1) c.s.lr = c.ea(d.pc + 4);
    c.s.nip = c.ea(taken ? target : d.pc + 4);
    return kJump;
}

int bctar(Cpu& c, const Decoded& d) {
    // Problem state needs FSCR[TAR]; otherwise a Facility Unavailable interrupt.
    if ((c.s.msr & msr::PR) && !(c.s.spr[sprn::FSCR] & (uint64_t(1) << 8)))
        return c.facility_unavailable(d, fscr_ic::TAR);
    const unsigned bo = f_rt(d), bi = f_ra(d);
    const uint64_t target = c.s.spr[sprn::TAR] & ~uint64_t(3);
    const bool taken = bo_taken(c, bo, bi, true);
    if (d.word & 1) c.s.lr = c.ea(d.pc + 4);
    c.s.nip = c.ea(taken ? target : d.pc + 4);
    return kJump;
}

enum class CrK { And, Or, Xor, Nand, Nor, Eqv, Andc, Orc };
template <CrK K>
int crop(Cpu& c, const Decoded& d) {
    const bool a = get_crbit(c.s, f_ra(d)), bb = get_crbit(c.s, f_rb(d));
    bool r = false;
    switch (K) {
        case CrK::And: r = a && bb; break;
        case CrK::Or: r = a || bb; break;
        case CrK::Xor: r = a != bb; break;
        case CrK::Nand: r = !(a && bb); break;
        case CrK::Nor: r = !(a || bb); break;
        case CrK::Eqv: r = a == bb; break;
        case CrK::Andc: r = a && !bb; break;
        case CrK::Orc: r = a || !bb; break;
    }
    set_crbit(c.s, f_rt(d), r);
    return kNext;
}

int mcrf(Cpu& c, const Decoded& d) {
    set_crf(c.s, f_bf(d), get_crf(c.s, f_bfa(d)));
    return kNext;
}

const std::vector<InsnSpec>& rows() {
    constexpr uint16_t Br = isa::F_Branch, LK = isa::F_LK, AA = isa::F_AA;
    static const std::vector<InsnSpec> t = {
        row("b", isa::op(18), {LI}, L201, BR, Br | LK | AA, b),
        row("bc", isa::op(16), {BO, BI, BD}, L201, BR, Br | LK | AA, bc),
        row("bclr", isa::xo10(19, 16), {BO, BI, BH}, L201, BR, Br | LK, bclr),
        row("bcctr", isa::xo10(19, 528), {BO, BI, BH}, L201, BR, Br | LK, bcctr),
        row("bctar", isa::xo10(19, 560), {BO, BI, BH}, L207, BR, Br | LK, bctar),
        row("crand", isa::xo10(19, 257), {BT, BA, BB}, L201, CR, 0, crop<CrK::And>),
        row("cror", isa::xo10(19, 449), {BT, BA, BB}, L201, CR, 0, crop<CrK::Or>),
        row("crxor", isa::xo10(19, 193), {BT, BA, BB}, L201, CR, 0, crop<CrK::Xor>),
        row("crnand", isa::xo10(19, 225), {BT, BA, BB}, L201, CR, 0, crop<CrK::Nand>),
        row("crnor", isa::xo10(19, 33), {BT, BA, BB}, L201, CR, 0, crop<CrK::Nor>),
        row("creqv", isa::xo10(19, 289), {BT, BA, BB}, L201, CR, 0, crop<CrK::Eqv>),
        row("crandc", isa::xo10(19, 129), {BT, BA, BB}, L201, CR, 0, crop<CrK::Andc>),
        row("crorc", isa::xo10(19, 417), {BT, BA, BB}, L201, CR, 0, crop<CrK::Orc>),
        row("mcrf", isa::xo10(19, 0), {BF, BFA}, L201, CR, 0, mcrf),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_branch_cr() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
