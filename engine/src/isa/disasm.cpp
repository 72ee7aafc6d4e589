#include "ppcmig/isa/disasm.hpp"

#include <map>
#include <string_view>

#include <fmt/format.h>

#include "ppcmig/isa/aliases.hpp"
#include "ppcmig/isa/decoder.hpp"
#include "ppcmig/isa/insn.hpp"

namespace ppcmig::isa {

namespace {

std::string crbit_name(int64_t v) {
    static constexpr const char* names[] = {"lt", "gt", "eq", "so"};
    const int64_t field = v / 4, bit = v % 4;
    if (field == 0) return names[bit];
    return fmt::format("4*cr{}+{}", field, names[bit]);
}

bool optional_when_zero(Opnd o) {
    switch (o) {
        case Opnd::EH: case Opnd::BH: case Opnd::L_MT: case Opnd::TH: case Opnd::CT: case Opnd::L_DCBF:
        case Opnd::WC: case Opnd::IH: case Opnd::R: case Opnd::BF_OPT: case Opnd::L_SYNC:
            return true;
        default: return false;
    }
}

bool is_displacement(Opnd o) { return o == Opnd::D || o == Opnd::DS || o == Opnd::DQ || o == Opnd::D34; }

std::string format_operand(Opnd o, int64_t v, uint64_t pc, bool aa) {
    switch (o) {
        case Opnd::RT: case Opnd::RA: case Opnd::RB: case Opnd::RC: return fmt::format("r{}", v);
        case Opnd::RA0: return v == 0 ? "0" : fmt::format("r{}", v);
        case Opnd::FRT: case Opnd::FRA: case Opnd::FRB: case Opnd::FRC: return fmt::format("f{}", v);
        case Opnd::VRT: case Opnd::VRA: case Opnd::VRB: case Opnd::VRC: return fmt::format("v{}", v);
        case Opnd::XT_X: case Opnd::XA_X: case Opnd::XB_X: case Opnd::XC_X: case Opnd::XT_DQ:
        case Opnd::XS_DS: case Opnd::XT_8:
            return fmt::format("vs{}", v);
        case Opnd::BF: case Opnd::BFA: case Opnd::BF_OPT: return fmt::format("cr{}", v);
        case Opnd::BT: case Opnd::BA: case Opnd::BB: case Opnd::BI: case Opnd::BC: case Opnd::BI_CR:
            return crbit_name(v);
        case Opnd::LI: case Opnd::BD: {
            const uint64_t target = aa ? static_cast<uint64_t>(v) : pc + static_cast<uint64_t>(v);
            return fmt::format("{:#x}", target);
        }
        default: return fmt::format("{}", v);
    }
}

std::string pad(std::string_view mnemonic) {
    std::string s(mnemonic);
    if (s.size() < 7) s.resize(7, ' ');
    return s + ' ';
}

std::string join_operands(std::string_view mnemonic, const std::vector<std::string>& ops) {
    if (ops.empty()) return std::string(mnemonic);
    std::string s = pad(mnemonic);
    for (size_t i = 0; i < ops.size(); ++i) {
        if (i) s += ',';
        s += ops[i];
    }
    return s;
}

// Operands of a row or alias, with D(RA) folding.
template <class Ops>
std::vector<std::string> operand_texts(const Ops& ops, uint64_t image, uint64_t pc, bool aa,
                                       int64_t (*value)(const typename Ops::value_type&, uint64_t),
                                       Opnd (*field)(const typename Ops::value_type&)) {
    std::vector<std::string> out;
    for (size_t i = 0; i < ops.size(); ++i) {
        const Opnd o = field(ops[i]);
        if (o == Opnd::None) break;
        const int64_t v = value(ops[i], image);
        if (optional_when_zero(o) && v == 0) {
            // Only trailing optional operands are dropped; a BF_OPT in front is dropped too.
            bool trailing = o == Opnd::BF_OPT;
            for (size_t j = i + 1; j < ops.size() && !trailing; ++j) trailing = field(ops[j]) == Opnd::None;
            if (i + 1 == ops.size()) trailing = true;
            if (trailing) continue;
        }
        if (is_displacement(o) && i + 1 < ops.size()) {
            const Opnd base = field(ops[i + 1]);
            out.push_back(fmt::format("{}({})", v, format_operand(base, value(ops[i + 1], image), pc, aa)));
            ++i;
            continue;
        }
        out.push_back(format_operand(o, v, pc, aa));
    }
    return out;
}

int64_t row_value(const Opnd& o, uint64_t image) { return operand_value(o, image); }
Opnd row_field(const Opnd& o) { return o; }

int64_t alias_value(const AliasOperand& a, uint64_t image) {
    const int64_t v = operand_value(a.field, image);
    switch (a.xf) {
        case AliasXf::Same: return v;
        case AliasXf::Neg: return -v;
        case AliasXf::Rsub32: return 32 - v;
        case AliasXf::Rsub64: return 64 - v;
        case AliasXf::Sub31: return 31 - v;
        case AliasXf::Sub63: return 63 - v;
        default: return v;
    }
}
Opnd alias_field(const AliasOperand& a) { return a.field; }

bool alias_cond(AliasCond c, uint64_t image) {
    const auto w = static_cast<uint32_t>(image);
    const unsigned rt = (w >> 21) & 31, ra = (w >> 16) & 31, rb = (w >> 11) & 31;
    const unsigned mb = (w >> 6) & 31, me = (w >> 1) & 31;
    switch (c) {
        case AliasCond::None: return true;
        case AliasCond::RsEqRb: return rt == rb;
        case AliasCond::BaEqBb: return ra == rb;
        case AliasCond::BtEqBaEqBb: return rt == ra && ra == rb;
        case AliasCond::ShPlusMbIs64: {
            const auto sh = operand_value(Opnd::SH6, image), m = operand_value(Opnd::MB6, image);
            return sh != 0 && sh + m == 64;
        }
        case AliasCond::ShPlusMeIs63: {
            const auto sh = operand_value(Opnd::SH6, image), m = operand_value(Opnd::MB6, image);
            return sh + m == 63;
        }
        case AliasCond::ShPlusMbIs32: return rb != 0 && rb + mb == 32 && me == 31;
        case AliasCond::ShPlusMeIs31: return mb == 0 && me == 31 - rb && rb != 0;
        case AliasCond::XtEqXaEqXb: return false;
        case AliasCond::XaEqXb: return ra == rb;
        case AliasCond::VaEqVb: return ra == rb;
    }
    return false;
}

// Aliases grouped by base mnemonic (built once, read-only).
const std::map<std::string_view, std::vector<const Alias*>>& aliases_by_base() {
    static const auto m = [] {
        std::map<std::string_view, std::vector<const Alias*>> r;
        for (const auto& a : alias_table()) r[a.base].push_back(&a);
        return r;
    }();
    return m;
}

std::string suffixes(const InsnSpec& s, uint64_t image) {
    std::string r;
    if ((s.flags & F_OE) && ((image >> 10) & 1)) r += 'o';
    if ((s.flags & F_Rc) && (image & 1)) r += '.';
    if ((s.flags & F_LK) && (image & 1)) r += 'l';
    if ((s.flags & F_AA) && ((image >> 1) & 1)) r += 'a';
    return r;
}

// Conditional-branch extended mnemonics (bne cr1,target; bdnz; beqlr; ...).
std::string branch_alias(const InsnSpec& s, uint64_t image, uint64_t pc) {
    const auto w = static_cast<uint32_t>(image);
    const unsigned bo = (w >> 21) & 31, bi = (w >> 16) & 31, bh = (w >> 11) & 3;
    const bool lk = w & 1, aa = s.mnemonic == "bc" && ((w >> 1) & 1);
    std::string_view tail = s.mnemonic == "bc" ? "" : s.mnemonic == "bclr" ? "lr" : s.mnemonic == "bcctr" ? "ctr" : "tar";
    if (s.mnemonic != "bc" && bh != 0) return {};
    if (s.mnemonic == "bctar") return {};
    static constexpr const char* t_true[] = {"lt", "gt", "eq", "so"};
    static constexpr const char* t_false[] = {"ge", "le", "ne", "ns"};
    std::string name, hint;
    bool uses_cr = false, crbit_operand = false;
    if ((bo & 0x1C) == 0x04 || (bo & 0x1C) == 0x0C) {
        name = std::string("b") + (((bo & 0x1C) == 0x0C) ? t_true[bi % 4] : t_false[bi % 4]);
        uses_cr = true;
        if ((bo & 3) == 2) hint = "-";
        else if ((bo & 3) == 3) hint = "+";
        else if ((bo & 3) == 1) return {};
    } else if ((bo & 0x16) == 0x10 || (bo & 0x16) == 0x12) {
        if (s.mnemonic == "bcctr") return {};
        name = (bo & 0x16) == 0x10 ? "bdnz" : "bdz";
        if (bi != 0) return {};
        if (bo & 0x08) hint = (bo & 1) ? "+" : "-";
        else if (bo & 1) return {};
    } else if ((bo & 0x1E) == 0x00 || (bo & 0x1E) == 0x02 || (bo & 0x1E) == 0x08 || (bo & 0x1E) == 0x0A) {
        if (s.mnemonic == "bcctr") return {};
        static constexpr const char* n[] = {"bdnzf", "", "bdzf", "", "", "", "", "", "bdnzt", "", "bdzt"};
        name = n[bo & 0x1E];
        crbit_operand = true;
    } else {
        return {};
    }
    std::string mn = name + std::string(tail) + (lk ? "l" : "") + (aa ? "a" : "") + hint;
    std::vector<std::string> ops;
    if (crbit_operand) ops.push_back(crbit_name(bi));
    else if (uses_cr && bi / 4 != 0) ops.push_back(fmt::format("cr{}", bi / 4));
    if (s.mnemonic == "bc") ops.push_back(format_operand(Opnd::BD, operand_value(Opnd::BD, image), pc, aa));
    return join_operands(mn, ops);
}

}  // namespace

std::string disassemble_one(uint64_t image, bool prefixed, uint64_t pc) {
    const auto& dec = Decoder::get();
    const auto id = prefixed ? dec.find_prefixed(static_cast<uint32_t>(image >> 32), static_cast<uint32_t>(image))
                             : dec.find(static_cast<uint32_t>(image));
    if (!id) return fmt::format(".long {:#x}", static_cast<uint32_t>(prefixed ? image >> 32 : image));
    const InsnSpec& s = instruction_table()[*id];
    const bool aa = (s.flags & F_AA) && ((image >> 1) & 1);

    if (s.category == Category::Branch && s.mnemonic != "b") {
        std::string b = branch_alias(s, image, pc);
        if (!b.empty()) {
            // blr/bctr and friends are plain aliases; try those first when they match.
            const auto& by_base = aliases_by_base();
            if (auto it = by_base.find(s.mnemonic); it != by_base.end()) {
                for (const Alias* a : it->second)
                    if ((image & a->mask) == a->match && alias_cond(a->cond, image))
                        return std::string(a->name) + ((image & 1) ? "l" : "");
            }
            return b;
        }
    }
    const auto& by_base = aliases_by_base();
    if (auto it = by_base.find(s.mnemonic); it != by_base.end()) {
        for (const Alias* a : it->second) {
            if ((image & a->mask) != a->match || !alias_cond(a->cond, image)) continue;
            auto ops = operand_texts(a->operands, image, pc, aa, alias_value, alias_field);
            std::string name(a->name);
            if (a->append_rc) name += suffixes(s, image);
            return join_operands(name, ops);
        }
    }
    auto ops = operand_texts(s.operands, image, pc, aa, row_value, row_field);
    return join_operands(std::string(s.mnemonic) + suffixes(s, image), ops);
}

std::vector<DisasmLine> disassemble(std::span<const uint8_t> bytes, uint64_t address, bool little_endian) {
    std::vector<DisasmLine> out;
    auto word_at = [&](size_t off) {
        uint32_t w = 0;
        for (unsigned i = 0; i < 4; ++i) {
            const uint32_t b = bytes[off + i];
            w |= little_endian ? (b << (8 * i)) : (b << (24 - 8 * i));
        }
        return w;
    };
    size_t off = 0;
    while (off + 4 <= bytes.size()) {
        const uint32_t w = word_at(off);
        const uint64_t pc = address + off;
        if (Decoder::is_prefix(w) && off + 8 <= bytes.size() && Decoder::get().find_prefixed(w, word_at(off + 4))) {
            const uint32_t sfx = word_at(off + 4);
            out.push_back({pc, w, sfx, 8, disassemble_one((uint64_t(w) << 32) | sfx, true, pc)});
            off += 8;
            continue;
        }
        out.push_back({pc, w, 0, 4, disassemble_one(w, false, pc)});
        off += 4;
    }
    return out;
}

}  // namespace ppcmig::isa
