// Extended mnemonics as GNU objdump prints them. Order matters: for a given base instruction
// the first alias whose bits and condition match is printed.
#include "ppcmig/isa/aliases.hpp"

#include <vector>

namespace ppcmig::isa {

namespace {
using enum Opnd;
using X = AliasXf;
using C = AliasCond;

constexpr uint64_t kRA = 0x1Full << 16, kRT = 0x1Full << 21, kRB = 0x1Full << 11;
constexpr uint64_t kMB = 0x1Full << 6, kME = 0x1Full << 1, kSH = 0x1Full << 11;
constexpr uint64_t kBO = 0x1Full << 21, kBI = 0x1Full << 16, kL10 = 1ull << 21, kBF = 7ull << 23;
constexpr uint64_t kSPR = 0x3FFull << 11, kBH = 3ull << 11;
constexpr uint64_t kMD_MB = 0x3Full << 5, kMD_SH = (0x1Full << 11) | 2;
constexpr uint64_t kTO = kRT, kUI = 0xFFFF;

constexpr uint64_t spr_field(unsigned n) { return (uint64_t(n & 31) << 16) | (uint64_t(n >> 5) << 11); }
constexpr uint64_t bo(unsigned v) { return uint64_t(v) << 21; }

Alias A(std::string_view name, std::string_view base, uint64_t mask, uint64_t match,
        std::array<AliasOperand, 5> ops, C cond = C::None, bool rc = true) {
    return Alias{name, base, mask, match, cond, ops, rc};
}

}  // namespace

std::span<const Alias> alias_table() {
    static const std::vector<Alias> t = [] {
        std::vector<Alias> v = {
            // addi / addis
            A("li", "addi", kRA, 0, {{{RT}, {SI}}}),
            A("lis", "addis", kRA, 0, {{{RT}, {SI}}}),
            // or / ori / xori / nor
            A("nop", "ori", kRA | kRT | kUI, 0, {}),
            A("xnop", "xori", kRA | kRT | kUI, 0, {}),
            A("mr", "or", 0, 0, {{{RA}, {RT}}}, C::RsEqRb),
            A("not", "nor", 0, 0, {{{RA}, {RT}}}, C::RsEqRb),
            // sub forms
            A("sub", "subf", 0, 0, {{{RT}, {RB}, {RA}}}),
            // compares
            A("cmpdi", "cmpi", kL10, kL10, {{{BF_OPT}, {RA}, {SI}}}),
            A("cmpwi", "cmpi", kL10, 0, {{{BF_OPT}, {RA}, {SI}}}),
            A("cmpldi", "cmpli", kL10, kL10, {{{BF_OPT}, {RA}, {UI}}}),
            A("cmplwi", "cmpli", kL10, 0, {{{BF_OPT}, {RA}, {UI}}}),
            A("cmpd", "cmp", kL10, kL10, {{{BF_OPT}, {RA}, {RB}}}),
            A("cmpw", "cmp", kL10, 0, {{{BF_OPT}, {RA}, {RB}}}),
            A("cmpld", "cmpl", kL10, kL10, {{{BF_OPT}, {RA}, {RB}}}),
            A("cmplw", "cmpl", kL10, 0, {{{BF_OPT}, {RA}, {RB}}}),
            // traps
            A("trap", "tw", kTO | kRA | kRB, bo(31), {}),
            A("tweq", "tw", kTO, bo(4), {{{RA}, {RB}}}),
            A("tdeq", "td", kTO, bo(4), {{{RA}, {RB}}}),
            A("twui", "twi", kTO, bo(31), {{{RA}, {SI}}}),
            // rotates
            A("rotlwi", "rlwinm", kMB | kME, (0ull << 6) | (31ull << 1), {{{RA}, {RT}, {SH5}}}),
            A("slwi", "rlwinm", 0, 0, {{{RA}, {RT}, {SH5}}}, C::ShPlusMeIs31),
            A("srwi", "rlwinm", 0, 0, {{{RA}, {RT}, {MB5, X::Rsub32}}}, C::ShPlusMbIs32),
            A("clrlwi", "rlwinm", kSH | kME, 31ull << 1, {{{RA}, {RT}, {MB5}}}),
            A("rotldi", "rldicl", kMD_MB, 0, {{{RA}, {RT}, {SH6}}}),
            A("clrldi", "rldicl", kMD_SH, 0, {{{RA}, {RT}, {MB6}}}),
            A("srdi", "rldicl", 0, 0, {{{RA}, {RT}, {MB6}}}, C::ShPlusMbIs64),
            A("sldi", "rldicr", 0, 0, {{{RA}, {RT}, {SH6}}}, C::ShPlusMeIs63),
            A("clrrdi", "rldicr", kMD_SH, 0, {{{RA}, {RT}, {MB6, X::Sub63}}}),
            // branches to LR / CTR
            A("blr", "bclr", kBO | kBI | kBH, bo(20), {}),
            A("bctr", "bcctr", kBO | kBI | kBH, bo(20), {}),
            // CR logical
            A("crset", "creqv", 0, 0, {{{BT}}}, C::BtEqBaEqBb),
            A("crclr", "crxor", 0, 0, {{{BT}}}, C::BtEqBaEqBb),
            A("crmove", "cror", 0, 0, {{{BT}, {BA}}}, C::BaEqBb),
            A("crnot", "crnor", 0, 0, {{{BT}, {BA}}}, C::BaEqBb),
            // moves
            A("mtcr", "mtcrf", 0xFFull << 12, 0xFFull << 12, {{{RT}}}),
            A("hwsync", "sync", 7ull << 21, 0, {}),
            A("lwsync", "sync", 7ull << 21, 1ull << 21, {}),
            A("ptesync", "sync", 7ull << 21, 2ull << 21, {}),
            A("mftbu", "mftb", kSPR, spr_field(269), {{{RT}}}),
            A("mftb", "mftb", kSPR, spr_field(268), {{{RT}}}),
        };
        // mfspr / mtspr extended forms for the common SPRs.
        struct SprAlias { unsigned n; std::string_view mf, mt; };
        static constexpr SprAlias sprs[] = {
            {1, "mfxer", "mtxer"}, {8, "mflr", "mtlr"}, {9, "mfctr", "mtctr"},
            {256, "mfvrsave", "mtvrsave"}, {26, "mfsrr0", "mtsrr0"}, {27, "mfsrr1", "mtsrr1"},
            {287, "mfpvr", ""}, {815, "mftar", "mttar"}, {19, "mfdar", "mtdar"}, {18, "mfdsisr", "mtdsisr"},
            {22, "mfdec", "mtdec"}, {25, "mfsdr1", "mtsdr1"}, {28, "mfcfar", "mtcfar"},
            {3, "mfdscr", "mtdscr"}, {17, "mfdscr", "mtdscr"}, {13, "mfamr", "mtamr"}, {29, "mfamr", "mtamr"},
            {896, "mfppr", "mtppr"}, {898, "mfppr32", "mtppr32"}, {318, "mflpcr", "mtlpcr"},
            {319, "mflpidr", "mtlpidr"}, {314, "mfhsrr0", "mthsrr0"}, {315, "mfhsrr1", "mthsrr1"},
            {153, "mffscr", "mtfscr"}, {1023, "mfpir", ""},
        };
        for (const auto& s : sprs) {
            v.push_back(A(s.mf, "mfspr", kSPR, spr_field(s.n), {{{RT}}}));
            if (!s.mt.empty()) v.push_back(A(s.mt, "mtspr", kSPR, spr_field(s.n), {{{RT}}}));
        }
        return v;
    }();
    return t;
}

}  // namespace ppcmig::isa
