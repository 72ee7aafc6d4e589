#include "ppcmig/isa/operand.hpp"

#include "ppcmig/util/bits.hpp"

namespace ppcmig::isa {

namespace {

struct Field {
    unsigned first, last;  // IBM numbering within the 32-bit (suffix) word
};

constexpr uint64_t word_bits(Field f) {
    unsigned width = f.last - f.first + 1;
    return ((uint64_t(1) << width) - 1) << (31 - f.last);
}
constexpr uint64_t prefix_bits(Field f) { return word_bits(f) << 32; }

constexpr Field kRT{6, 10}, kRA{11, 15}, kRB{16, 20}, kRC{21, 25}, kME{26, 30};

}  // namespace

uint64_t operand_bits(Opnd o) {
    switch (o) {
        case Opnd::None:
        case Opnd::ImplicitZero: return 0;
        case Opnd::RT: case Opnd::FRT: case Opnd::VRT: case Opnd::BT: case Opnd::BO:
        case Opnd::TO: case Opnd::XS_DS: case Opnd::TH:
            return word_bits(kRT);
        case Opnd::RA: case Opnd::RA0: case Opnd::FRA: case Opnd::VRA: case Opnd::BA:
        case Opnd::BI: case Opnd::SIMM5: case Opnd::UIMM5: case Opnd::BI_CR:
            return word_bits(kRA);
        case Opnd::RB: case Opnd::FRB: case Opnd::VRB: case Opnd::BB: case Opnd::SH5:
        case Opnd::NB: case Opnd::FC:
            return word_bits(kRB);
        case Opnd::RC: case Opnd::FRC: case Opnd::VRC: case Opnd::MB5: case Opnd::BC:
            return word_bits(kRC);
        case Opnd::XT_X: case Opnd::XT_8: return word_bits(kRT) | word_bits({31, 31});
        case Opnd::XA_X: return word_bits(kRA) | word_bits({29, 29});
        case Opnd::XB_X: return word_bits(kRB) | word_bits({30, 30});
        case Opnd::XC_X: return word_bits(kRC) | word_bits({28, 28});
        case Opnd::XT_DQ: return word_bits(kRT) | word_bits({28, 28});
        case Opnd::BF: case Opnd::BF_OPT: return word_bits({6, 8});
        case Opnd::BFA: return word_bits({11, 13});
        case Opnd::BH: return word_bits({19, 20});
        case Opnd::SI: case Opnd::UI: case Opnd::D: return word_bits({16, 31});
        case Opnd::DS: return word_bits({16, 29});
        case Opnd::DQ: return word_bits({16, 27});
        case Opnd::D34: case Opnd::SI34: return prefix_bits({14, 31}) | word_bits({16, 31});
        case Opnd::R: return prefix_bits({11, 11});
        case Opnd::L10: return word_bits({10, 10});
        case Opnd::L_SYNC: return word_bits({8, 10});
        case Opnd::L_MT: return word_bits({15, 15});
        case Opnd::SH6: return word_bits(kRB) | word_bits({30, 30});
        case Opnd::ME5: return word_bits(kME);
        case Opnd::MB6: return word_bits({21, 26});
        case Opnd::SPR: case Opnd::TBR: return word_bits({11, 20});
        case Opnd::FXM: return word_bits({12, 19});
        case Opnd::FXM1: return word_bits({12, 19});
        case Opnd::FLM: return word_bits({7, 14});
        case Opnd::FL1: return word_bits({6, 6});
        case Opnd::W: case Opnd::BFW: return word_bits({15, 15});
        case Opnd::U: return word_bits({16, 19});
        case Opnd::LEV: return word_bits({20, 26});
        case Opnd::LI: return word_bits({6, 29});
        case Opnd::BD: return word_bits({16, 29});
        case Opnd::UIMM4: return word_bits({12, 15});
        case Opnd::UIMM3: return word_bits({13, 15});
        case Opnd::UIMM2: case Opnd::UIM2_X: case Opnd::L_DARN: return word_bits({14, 15});
        case Opnd::SHB: return word_bits({22, 25});
        case Opnd::DCM: return word_bits({9, 15});
        case Opnd::IMM8: return word_bits({13, 20});
        case Opnd::DM: case Opnd::SHW: return word_bits({22, 23});
        case Opnd::RMC: case Opnd::CY: return word_bits({21, 22});
        case Opnd::EH: return word_bits({31, 31});
        case Opnd::CT: return word_bits({7, 10});
        case Opnd::L_DCBF: case Opnd::IH: return word_bits({8, 10});
        case Opnd::WC: return word_bits({9, 10});
        case Opnd::PS: return word_bits({22, 22});
        case Opnd::A_TBEGIN: return word_bits({10, 10});
        case Opnd::DRM: return word_bits({18, 20});
        case Opnd::RM: return word_bits({19, 20});
        case Opnd::XO_D: return word_bits({11, 25}) | word_bits({31, 31});
        case Opnd::XT_PO: return word_bits(kRT) | word_bits({5, 5});
        case Opnd::XTP: return word_bits({6, 10});
        case Opnd::XT_8RR: return word_bits(kRT) | word_bits({15, 15});
        case Opnd::IX: return word_bits({14, 14});
        case Opnd::IMM32: return prefix_bits({16, 31}) | word_bits({16, 31});
        case Opnd::UIM3_P: return prefix_bits({29, 31});
        case Opnd::IMM8_P: return prefix_bits({24, 31});
        case Opnd::FRTp: return word_bits(kRT);
        case Opnd::FRAp: return word_bits(kRA);
        case Opnd::FRBp: return word_bits(kRB);
        case Opnd::DSH: return word_bits({16, 21});
        case Opnd::UIM6: return word_bits({10, 15});
        case Opnd::SP2: return word_bits({11, 12});
        case Opnd::S1: return word_bits({11, 11});
        case Opnd::A_TEND: return word_bits({6, 6});
        case Opnd::SIMM5_16: return word_bits(kRB);
        case Opnd::RS_OPT: return word_bits(kRT);
        case Opnd::RIC: return word_bits({12, 13});
        case Opnd::PRS: return word_bits({14, 14});
        case Opnd::R_TLB: return word_bits({15, 15});
        case Opnd::DCMX_V: return word_bits(kRA) | word_bits({25, 25}) | word_bits({29, 29});
    }
    return 0;
}

int64_t operand_value(Opnd o, uint64_t image) {
    const auto w = static_cast<uint32_t>(image);
    const auto p = static_cast<uint32_t>(image >> 32);
    switch (o) {
        case Opnd::None:
        case Opnd::ImplicitZero: return 0;
        case Opnd::RT: case Opnd::FRT: case Opnd::VRT: case Opnd::BT: case Opnd::BO:
        case Opnd::TO: case Opnd::TH:
            return bits(w, 6, 10);
        case Opnd::XS_DS: return 32 + bits(w, 6, 10);
        case Opnd::RA: case Opnd::RA0: case Opnd::FRA: case Opnd::VRA: case Opnd::BA:
        case Opnd::BI: case Opnd::UIMM5: case Opnd::BI_CR:
            return bits(w, 11, 15);
        case Opnd::SIMM5: return sext(bits(w, 11, 15), 5);
        case Opnd::RB: case Opnd::FRB: case Opnd::VRB: case Opnd::BB: case Opnd::SH5:
        case Opnd::FC:
            return bits(w, 16, 20);
        case Opnd::NB: { auto n = bits(w, 16, 20); return n == 0 ? 32 : n; }
        case Opnd::RC: case Opnd::FRC: case Opnd::VRC: case Opnd::MB5: case Opnd::BC:
            return bits(w, 21, 25);
        case Opnd::XT_X: case Opnd::XT_8: return bits(w, 6, 10) | (bits(w, 31, 31) << 5);
        case Opnd::XA_X: return bits(w, 11, 15) | (bits(w, 29, 29) << 5);
        case Opnd::XB_X: return bits(w, 16, 20) | (bits(w, 30, 30) << 5);
        case Opnd::XC_X: return bits(w, 21, 25) | (bits(w, 28, 28) << 5);
        case Opnd::XT_DQ: return bits(w, 6, 10) | (bits(w, 28, 28) << 5);
        case Opnd::BF: case Opnd::BF_OPT: return bits(w, 6, 8);
        case Opnd::BFA: return bits(w, 11, 13);
        case Opnd::BH: return bits(w, 19, 20);
        case Opnd::SI: case Opnd::D: return sext(bits(w, 16, 31), 16);
        case Opnd::UI: return bits(w, 16, 31);
        case Opnd::DS: return sext(bits(w, 16, 29), 14) * 4;
        case Opnd::DQ: return sext(bits(w, 16, 27), 12) * 16;
        case Opnd::D34: case Opnd::SI34:
            return sext((uint64_t(bits(p, 14, 31)) << 16) | bits(w, 16, 31), 34);
        case Opnd::R: return bits(p, 11, 11);
        case Opnd::L10: return bits(w, 10, 10);
        case Opnd::L_SYNC: return bits(w, 8, 10);
        case Opnd::L_MT: return bits(w, 15, 15);
        case Opnd::SH6: return bits(w, 16, 20) | (bits(w, 30, 30) << 5);
        case Opnd::ME5: return bits(w, 26, 30);
        case Opnd::MB6: return bits(w, 21, 25) | (bits(w, 26, 26) << 5);
        case Opnd::SPR: case Opnd::TBR: return bits(w, 11, 15) | (bits(w, 16, 20) << 5);
        case Opnd::FXM: case Opnd::FXM1: return bits(w, 12, 19);
        case Opnd::FLM: return bits(w, 7, 14);
        case Opnd::FL1: return bits(w, 6, 6);
        case Opnd::W: case Opnd::BFW: return bits(w, 15, 15);
        case Opnd::U: return bits(w, 16, 19);
        case Opnd::LEV: return bits(w, 20, 26);
        case Opnd::LI: return sext(bits(w, 6, 29), 24) * 4;
        case Opnd::BD: return sext(bits(w, 16, 29), 14) * 4;
        case Opnd::UIMM4: return bits(w, 12, 15);
        case Opnd::UIMM3: return bits(w, 13, 15);
        case Opnd::UIMM2: case Opnd::UIM2_X: case Opnd::L_DARN: return bits(w, 14, 15);
        case Opnd::SHB: return bits(w, 22, 25);
        case Opnd::DCM: return bits(w, 9, 15);
        case Opnd::IMM8: return bits(w, 13, 20);
        case Opnd::DM: case Opnd::SHW: return bits(w, 22, 23);
        case Opnd::RMC: case Opnd::CY: return bits(w, 21, 22);
        case Opnd::EH: return bits(w, 31, 31);
        case Opnd::CT: return bits(w, 7, 10);
        case Opnd::L_DCBF: case Opnd::IH: return bits(w, 8, 10);
        case Opnd::WC: return bits(w, 9, 10);
        case Opnd::PS: return bits(w, 22, 22);
        case Opnd::A_TBEGIN: return bits(w, 10, 10);
        case Opnd::DRM: return bits(w, 18, 20);
        case Opnd::RM: return bits(w, 19, 20);
        case Opnd::XO_D:
            return sext((uint64_t(bits(w, 16, 25)) << 6) | (bits(w, 11, 15) << 1) | bits(w, 31, 31),
                        16);
        case Opnd::XT_PO: return bits(w, 6, 10) | (bits(w, 5, 5) << 5);
        case Opnd::XTP: return bits(w, 6, 9) * 2 + bits(w, 10, 10) * 32;
        case Opnd::XT_8RR: return bits(w, 6, 10) | (bits(w, 15, 15) << 5);
        case Opnd::IX: return bits(w, 14, 14);
        case Opnd::IMM32: return (uint64_t(bits(p, 16, 31)) << 16) | bits(w, 16, 31);
        case Opnd::UIM3_P: return bits(p, 29, 31);
        case Opnd::IMM8_P: return bits(p, 24, 31);
        case Opnd::FRTp: return bits(w, 6, 10);
        case Opnd::FRAp: return bits(w, 11, 15);
        case Opnd::FRBp: return bits(w, 16, 20);
        case Opnd::DSH: return bits(w, 16, 21);
        case Opnd::UIM6: return bits(w, 10, 15);
        case Opnd::SP2: return bits(w, 11, 12);
        case Opnd::S1: return bits(w, 11, 11);
        case Opnd::A_TEND: return bits(w, 6, 6);
        case Opnd::SIMM5_16: return sext(bits(w, 16, 20), 5);
        case Opnd::RS_OPT: return bits(w, 6, 10);
        case Opnd::RIC: return bits(w, 12, 13);
        case Opnd::PRS: return bits(w, 14, 14);
        case Opnd::R_TLB: return bits(w, 15, 15);
        case Opnd::DCMX_V: return (bits(w, 25, 25) << 6) | (bits(w, 29, 29) << 5) | bits(w, 11, 15);
    }
    return 0;
}

}  // namespace ppcmig::isa
