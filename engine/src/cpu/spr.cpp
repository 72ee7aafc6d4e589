#include "ppcmig/cpu/spr.hpp"

#include <algorithm>
#include <array>

namespace ppcmig::cpu {

namespace {
using A = SprAccess;
using K = SprKind;
constexpr auto U = A::Problem, S = A::Supervisor, H = A::Hypervisor, N = A::None;

constexpr std::array kSprs = std::to_array<SprInfo>({
    {1, "XER", U, U, fam::All, K::Xer},
    {3, "DSCR_U", U, U, fam::P8up, K::DscrAlias},
    {8, "LR", U, U, fam::All, K::Lr},
    {9, "CTR", U, U, fam::All, K::Ctr},
    {13, "AMR_U", U, U, fam::All, K::AmrAlias},
    {17, "DSCR", S, S, fam::All, K::Plain},
    {18, "DSISR", S, S, fam::All, K::Plain},
    {19, "DAR", S, S, fam::All, K::Plain},
    {22, "DEC", S, S, fam::All, K::Dec},
    {25, "SDR1", H, H, fam::P7 | fam::P8 | fam::P9, K::Plain},
    {26, "SRR0", S, S, fam::All, K::Plain},
    {27, "SRR1", S, S, fam::All, K::Plain},
    {28, "CFAR", S, S, fam::All, K::Plain},
    {29, "AMR", S, S, fam::All, K::Plain},
    {48, "PIDR", S, S, fam::P9up, K::Plain},
    {61, "IAMR", S, S, fam::P8up, K::Plain},
    {128, "TFHAR", U, U, fam::P8 | fam::P9, K::Plain},
    {129, "TFIAR", U, U, fam::P8 | fam::P9, K::Plain},
    {130, "TEXASR", U, U, fam::P8 | fam::P9, K::Plain},
    {131, "TEXASRU", U, U, fam::P8 | fam::P9, K::TexasrU},
    {136, "CTRL", U, N, fam::All, K::Ctrl},
    {152, "CTRL_W", N, S, fam::All, K::Ctrl},
    {153, "FSCR", S, S, fam::P8up, K::Plain},
    {157, "UAMOR", S, S, fam::All, K::Plain},
    {159, "PSPB", S, S, fam::P8up, K::Plain},
    {176, "DPDES", S, H, fam::P8up, K::Plain},
    {180, "DAWR0", H, H, fam::P8up, K::Plain},
    {181, "DAWR1", H, H, fam::P10, K::Plain},
    {186, "RPR", H, H, fam::P8up, K::Plain},
    {187, "CIABR", H, H, fam::P8up, K::Plain},
    {188, "DAWRX0", H, H, fam::P8up, K::Plain},
    {189, "DAWRX1", H, H, fam::P10, K::Plain},
    {190, "HFSCR", H, H, fam::P8up, K::Plain},
    {256, "VRSAVE", U, U, fam::All, K::Plain},
    {259, "SPRG3_U", U, N, fam::All, K::Sprg3Alias},
    {268, "TB", U, N, fam::All, K::Tb},
    {269, "TBU", U, N, fam::All, K::Tbu},
    {272, "SPRG0", S, S, fam::All, K::Plain},
    {273, "SPRG1", S, S, fam::All, K::Plain},
    {274, "SPRG2", S, S, fam::All, K::Plain},
    {275, "SPRG3", S, S, fam::All, K::Plain},
    {284, "TBL_W", N, H, fam::All, K::TbWrite},
    {285, "TBU_W", N, H, fam::All, K::TbWrite},
    {286, "TBU40", N, H, fam::All, K::TbWrite},
    {287, "PVR", S, N, fam::All, K::ReadOnly},
    {304, "HSPRG0", H, H, fam::All, K::Plain},
    {305, "HSPRG1", H, H, fam::All, K::Plain},
    {306, "HDSISR", H, H, fam::All, K::Plain},
    {307, "HDAR", H, H, fam::All, K::Plain},
    {308, "SPURR", S, H, fam::All, K::Purr},
    {309, "PURR", S, H, fam::All, K::Purr},
    {310, "HDEC", H, H, fam::All, K::Plain},
    {313, "HRMOR", H, H, fam::All, K::Plain},
    {314, "HSRR0", H, H, fam::All, K::Plain},
    {315, "HSRR1", H, H, fam::All, K::Plain},
    {318, "LPCR", H, H, fam::All, K::Lpcr},
    {319, "LPIDR", H, H, fam::All, K::Plain},
    {336, "HMER", H, H, fam::All, K::Plain},
    {337, "HMEER", H, H, fam::All, K::Plain},
    {338, "PCR", H, H, fam::All, K::Pcr},
    {339, "HEIR", H, H, fam::P8up, K::Plain},
    {349, "AMOR", H, H, fam::All, K::Plain},
    {351, "VTB", S, H, fam::P8up, K::Purr},
    {446, "TIR", S, N, fam::P8up, K::ReadOnly},
    {464, "PTCR", H, H, fam::P9up, K::Plain},
    {468, "HASHKEYR", S, S, fam::P10, K::Plain},
    {469, "HASHPKEYR", H, H, fam::P10, K::Plain},
    {784, "SIER", S, S, fam::P8up, K::Plain},
    {785, "MMCR2", S, S, fam::P8up, K::Plain},
    {786, "MMCRA", S, S, fam::All, K::Plain},
    {787, "PMC1", S, S, fam::All, K::Plain},
    {788, "PMC2", S, S, fam::All, K::Plain},
    {789, "PMC3", S, S, fam::All, K::Plain},
    {790, "PMC4", S, S, fam::All, K::Plain},
    {791, "PMC5", S, S, fam::All, K::Plain},
    {792, "PMC6", S, S, fam::All, K::Plain},
    {795, "MMCR0", S, S, fam::All, K::Plain},
    {796, "SIAR", S, S, fam::All, K::Plain},
    {797, "SDAR", S, S, fam::All, K::Plain},
    {798, "MMCR1", S, S, fam::All, K::Plain},
    {804, "EBBHR", U, U, fam::P8up, K::Plain},
    {805, "EBBRR", U, U, fam::P8up, K::Plain},
    {806, "BESCR", U, U, fam::P8up, K::Plain},
    {815, "TAR", U, U, fam::P8up, K::Plain},
    {816, "ASDR", H, H, fam::P9up, K::Plain},
    {848, "IC", S, H, fam::P8up, K::Plain},
    {855, "PSSCR", S, S, fam::P9up, K::Plain},
    {896, "PPR", U, U, fam::All, K::Plain},
    {898, "PPR32", U, U, fam::All, K::Ppr32},
    {1023, "PIR", S, N, fam::All, K::ReadOnly},
});

}  // namespace

std::span<const SprInfo> spr_registry() { return kSprs; }

uint8_t family_bit(Family f) {
    switch (f) {
        case Family::Power7: return fam::P7;
        case Family::Power8: return fam::P8;
        case Family::Power9: return fam::P9;
        case Family::Power10: return fam::P10;
    }
    return 0;
}

const SprInfo* find_spr(unsigned num, Family f) {
    const auto it = std::lower_bound(kSprs.begin(), kSprs.end(), num,
                                     [](const SprInfo& s, unsigned n) { return s.num < n; });
    if (it == kSprs.end() || it->num != num || !(it->families & family_bit(f))) return nullptr;
    return &*it;
}

}  // namespace ppcmig::cpu
