// Disassembler derived from the instruction table. The output follows GNU objdump
// (`objdump -M power10`): its mnemonics, extended mnemonics and operand syntax, and its notion of
// which encodings are invalid forms (printed as ".long").
#include "ppcmig/isa/disasm.hpp"

#include <array>
#include <bit>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "ppcmig/isa/aliases.hpp"
#include "ppcmig/isa/decoder.hpp"
#include "ppcmig/isa/insn.hpp"

namespace ppcmig::isa {

namespace {

// ---------------------------------------------------------------- text helpers

std::string crbit_name(int64_t v) {
    static constexpr const char* names[] = {"lt", "gt", "eq", "so"};
    const int64_t field = v / 4, bit = v % 4;
    if (field == 0) return names[bit];
    return fmt::format("4*cr{}+{}", field, names[bit]);
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

/// Branch targets: absolute ones print as 32-bit values (as objdump does), relative ones as
/// full addresses.
std::string target_text(int64_t v, uint64_t pc, bool aa) {
    const uint64_t t = aa ? (static_cast<uint64_t>(v) & 0xFFFFFFFFu) : pc + static_cast<uint64_t>(v);
    return fmt::format("{:#x}", t);
}

std::string format_operand(Opnd o, int64_t v, uint64_t pc, bool aa) {
    switch (o) {
        case Opnd::RT: case Opnd::RA: case Opnd::RB: case Opnd::RC: case Opnd::RS_OPT: return fmt::format("r{}", v);
        case Opnd::RA0: return v == 0 ? "0" : fmt::format("r{}", v);
        case Opnd::FRT: case Opnd::FRA: case Opnd::FRB: case Opnd::FRC: return fmt::format("f{}", v);
        case Opnd::FRTp: case Opnd::FRAp: case Opnd::FRBp: return fmt::format("f{}", v & ~int64_t(1));  // as objdump
        case Opnd::VRT: case Opnd::VRA: case Opnd::VRB: case Opnd::VRC: return fmt::format("v{}", v);
        case Opnd::XT_X: case Opnd::XA_X: case Opnd::XB_X: case Opnd::XC_X: case Opnd::XT_DQ:
        case Opnd::XS_DS: case Opnd::XT_8: case Opnd::XT_PO: case Opnd::XTP: case Opnd::XT_8RR:
            return fmt::format("vs{}", v);
        case Opnd::BF: case Opnd::BFA: case Opnd::BF_OPT: return fmt::format("cr{}", v);
        case Opnd::BT: case Opnd::BA: case Opnd::BB: case Opnd::BI: case Opnd::BC: case Opnd::BI_CR:
            return crbit_name(v);
        case Opnd::LI: case Opnd::BD: return target_text(v, pc, aa);
        default: return fmt::format("{}", v);
    }
}

/// Operands objdump leaves out when they are zero (and nothing printed follows them).
bool optional_when_zero(Opnd o) {
    switch (o) {
        case Opnd::EH: case Opnd::BH: case Opnd::L_MT: case Opnd::TH: case Opnd::CT: case Opnd::L_DCBF:
        case Opnd::WC: case Opnd::IH: case Opnd::R: case Opnd::BF_OPT: case Opnd::L_SYNC:
        case Opnd::A_TBEGIN: case Opnd::A_TEND: case Opnd::LEV: case Opnd::FL1: case Opnd::W: case Opnd::BFW:
        case Opnd::RS_OPT: case Opnd::RIC: case Opnd::PRS: case Opnd::R_TLB:
            return true;
        default: return false;
    }
}

bool is_displacement(Opnd o) { return o == Opnd::D || o == Opnd::DS || o == Opnd::DQ || o == Opnd::D34; }

/// One operand about to be printed.
struct Item {
    Opnd o;
    int64_t v;
    bool omit = false;   ///< the alias leaves it out
    bool plain = false;  ///< printed as a plain number whatever the field
};

std::vector<std::string> render(const std::vector<Item>& items, uint64_t pc, bool aa) {
    // Trailing optional zeros go first (from the end); BF_OPT goes wherever it is.
    size_t end = items.size();
    while (end > 0 && (items[end - 1].omit || (optional_when_zero(items[end - 1].o) && items[end - 1].v == 0))) --end;
    std::vector<std::string> out;
    for (size_t i = 0; i < end; ++i) {
        const Item& it = items[i];
        if (it.omit || ((it.o == Opnd::BF_OPT || it.o == Opnd::CT) && it.v == 0)) continue;  // leading optionals
        if (is_displacement(it.o) && i + 1 < end) {
            const Item& base = items[i + 1];
            out.push_back(fmt::format("{}({})", it.v, format_operand(base.o, base.v, pc, aa)));
            ++i;
            continue;
        }
        out.push_back(it.plain ? fmt::format("{}", it.v) : format_operand(it.o, it.v, pc, aa));
    }
    return out;
}

std::vector<Item> row_items(const InsnSpec& s, uint64_t image) {
    std::vector<Item> items;
    for (Opnd o : s.operands) {
        if (o == Opnd::None) break;
        items.push_back({o, operand_value(o, image)});
    }
    return items;
}

std::vector<Item> alias_items(const Alias& a, uint64_t image) {
    std::vector<Item> items;
    for (const auto& op : a.operands) {
        if (op.field == Opnd::None) break;
        const int64_t v = operand_value(op.field, image);
        Item it{op.field, v};
        switch (op.xf) {
            case AliasXf::Same: break;
            case AliasXf::Neg: it.v = -v; break;
            case AliasXf::Rsub32: it.v = 32 - v; break;
            case AliasXf::Rsub64: it.v = 64 - v; break;
            case AliasXf::Sub31: it.v = 31 - v; break;
            case AliasXf::Sub63: it.v = 63 - v; break;
            case AliasXf::Omit8: it.omit = v == 8; break;
            case AliasXf::Even: it.v = v & ~int64_t(1); break;
            case AliasXf::Shr1: it.v = v >> 1; break;
            case AliasXf::Num: it.plain = true; break;
            default: break;
        }
        items.push_back(it);
    }
    return items;
}

// ---------------------------------------------------------------- aliases

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
        case AliasCond::XtEqXaEqXb:
            return operand_value(Opnd::XT_X, image) == operand_value(Opnd::XA_X, image) &&
                   operand_value(Opnd::XA_X, image) == operand_value(Opnd::XB_X, image);
        case AliasCond::XaEqXb: return operand_value(Opnd::XA_X, image) == operand_value(Opnd::XB_X, image);
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

const SprName* spr_name(unsigned n) {
    static const auto table = [] {
        std::array<const SprName*, 1024> t{};
        for (const auto& s : spr_names()) t[s.spr] = &s;
        return t;
    }();
    return n < 1024 ? table[n] : nullptr;
}

std::string suffixes(const InsnSpec& s, uint64_t image) {
    std::string r;
    if ((s.flags & F_OE) && ((image >> 10) & 1)) r += 'o';
    if ((s.flags & F_Rc) && (image & 1)) r += '.';
    if ((s.flags & F_LK) && (image & 1)) r += 'l';
    if ((s.flags & F_AA) && ((image >> 1) & 1)) r += 'a';
    return r;
}

// ---------------------------------------------------------------- special families

/// Conditional branches (bc, bclr, bcctr, bctar): extended mnemonics, hints and BO validity.
/// Returns nullopt for a BO objdump rejects.
std::optional<std::string> branch_text(const InsnSpec& s, uint64_t image, uint64_t pc) {
    const auto w = static_cast<uint32_t>(image);
    const unsigned bo = (w >> 21) & 31, bi = (w >> 16) & 31, bh = (w >> 11) & 3;
    const bool is_bc = s.mnemonic == "bc";
    const bool lk = w & 1, aa = is_bc && ((w >> 1) & 1);
    const std::string_view tail = is_bc ? "" : s.mnemonic == "bclr" ? "lr" : s.mnemonic == "bcctr" ? "ctr" : "tar";
    const bool is_ctr = s.mnemonic == "bcctr";
    const std::string la = std::string(lk ? "l" : "") + (aa ? "a" : "");
    const int64_t bd = is_bc ? operand_value(Opnd::BD, image) : 0;
    // The operand after the condition: the target of bc, or BH when it is not zero.
    auto last = [&](std::vector<std::string>& ops) {
        if (is_bc) ops.push_back(target_text(bd, pc, aa));
        else if (bh != 0) ops.push_back(fmt::format("{}", bh));
    };
    auto raw = [&](const char* hint) {
        std::vector<std::string> ops{fmt::format("{}", bo), crbit_name(bi)};
        last(ops);
        return join_operands(std::string(s.mnemonic) + la + hint, ops);
    };
    switch (bo & 0x14) {
        case 0x00: {  // 0000z/0001z/0100z/0101z: decrement CTR and test a CR bit
            if ((bo & 1) && !is_bc) return std::nullopt;
            if (is_ctr) return raw("");
            const char* name = (bo & 8) ? ((bo & 2) ? "bdzt" : "bdnzt") : ((bo & 2) ? "bdzf" : "bdnzf");
            std::vector<std::string> ops{crbit_name(bi)};
            last(ops);
            return join_operands(std::string(name) + std::string(tail) + la, ops);
        }
        case 0x04: {  // 001at/011at: test a CR bit
            const unsigned at = bo & 3;
            if (at == 1 && !is_bc) return std::nullopt;
            const char* hint = at == 2 ? "-" : at == 3 ? "+" : "";
            static constexpr const char* t_true[] = {"lt", "gt", "eq", "so"};
            static constexpr const char* t_false[] = {"ge", "le", "ne", "ns"};
            const std::string name = std::string("b") + ((bo & 8) ? t_true[bi % 4] : t_false[bi % 4]);
            std::vector<std::string> ops;
            if (bi / 4 != 0 || (!is_bc && bh != 0)) ops.push_back(fmt::format("cr{}", bi / 4));
            last(ops);
            return join_operands(name + std::string(tail) + la + hint, ops);
        }
        case 0x10: {  // 1a00t/1a01t: decrement CTR only
            const bool a = bo & 8, t = bo & 1;
            const char* hint = a ? (t ? "+" : "-") : "";
            if (!a && t && !(is_bc && bi == 0)) return std::nullopt;
            if (is_ctr || bi != 0) return raw(hint);
            std::vector<std::string> ops;
            last(ops);
            return join_operands(std::string((bo & 2) ? "bdz" : "bdnz") + std::string(tail) + la + hint, ops);
        }
        default: {  // 1z1zz: branch always
            if (bo != 20) return std::nullopt;
            if (is_bc || bi != 0) return raw("");
            std::vector<std::string> ops;
            last(ops);
            return join_operands(std::string("b") + std::string(tail) + la, ops);
        }
    }
}

/// Traps with a TO value objdump names (tweq, tdlgti, twui ...).
std::optional<std::string> trap_text(const InsnSpec& s, uint64_t image) {
    const auto w = static_cast<uint32_t>(image);
    const unsigned to = (w >> 21) & 31;
    const char* cond = nullptr;
    switch (to) {
        case 1: cond = "lgt"; break;
        case 2: cond = "llt"; break;
        case 4: cond = "eq"; break;
        case 5: cond = "lge"; break;
        case 6: cond = "lle"; break;
        case 8: cond = "gt"; break;
        case 12: cond = "ge"; break;
        case 16: cond = "lt"; break;
        case 20: cond = "le"; break;
        case 24: cond = "ne"; break;
        case 31: cond = "u"; break;
        default: return std::nullopt;
    }
    const bool imm = s.mnemonic == "twi" || s.mnemonic == "tdi";
    const std::string name = std::string(s.mnemonic.substr(0, 2)) + cond + (imm ? "i" : "");
    const Opnd last = imm ? Opnd::SI : Opnd::RB;
    return join_operands(name, {format_operand(Opnd::RA, operand_value(Opnd::RA, image), 0, false),
                                format_operand(last, operand_value(last, image), 0, false)});
}

bool has_operand(const InsnSpec& s, Opnd o) {
    for (Opnd x : s.operands)
        if (x == o) return true;
    return false;
}

/// Prefixed D-form instructions with the R bit: pc-relative forms print the displacement alone,
/// followed by the target address as a comment.
std::optional<std::string> prefixed_text(const InsnSpec& s, uint64_t image, uint64_t pc) {
    const bool r = operand_value(Opnd::R, image) != 0;
    const auto w = static_cast<uint32_t>(image);
    const unsigned rt = (w >> 21) & 31, ra = (w >> 16) & 31;
    if (s.mnemonic == "paddi") {
        const int64_t si = operand_value(Opnd::SI34, image);
        if (r) return fmt::format("{}r{},{}\t# {:x}", pad("pla"), rt, si, pc + static_cast<uint64_t>(si));
        if (ra == 0) return fmt::format("{}r{},{}", pad("pli"), rt, si);
        return std::nullopt;
    }
    const Opnd target = s.operands[0];
    int64_t tv = operand_value(target, image);
    if (s.mnemonic == "plq" || s.mnemonic == "pstq") tv &= ~int64_t(1);  // objdump prints the pair's even register
    const int64_t d = operand_value(Opnd::D34, image);
    const std::string t = format_operand(target, tv, pc, false);
    if (r) return fmt::format("{}{},{}\t# {:x}", pad(s.mnemonic), t, d, pc + static_cast<uint64_t>(d));
    return fmt::format("{}{},{}({})", pad(s.mnemonic), t, d, format_operand(Opnd::RA0, ra, pc, false));
}

// ---------------------------------------------------------------- validity

/// Encodings objdump prints as ".long" although a row matches: invalid forms (ISA "invalid
/// form" rules as objdump checks them) and reserved field values.
bool invalid_form(const InsnSpec& s, uint64_t image) {
    const auto w = static_cast<uint32_t>(image);
    const unsigned rt = (w >> 21) & 31, ra = (w >> 16) & 31, rb = (w >> 11) & 31;
    if (s.prefixed() && has_operand(s, Opnd::R) && operand_value(Opnd::R, image) && ra != 0) return true;
    // Odd DFP quad targets are invalid, except for dcffixqq, which objdump prints as the pair.
    for (Opnd o : s.operands)
        if (o == Opnd::FRTp && (rt & 1) && s.mnemonic != "dcffixqq") return true;
    enum class Rule { LoadUpdate, StoreUpdate, Lmw, Lq, Stq, Lqarx, Lswi, Lswx, OneHotFxm, Dcbf, Sync, Wait, Plq };
    static const std::map<std::string_view, Rule> rules = [] {
        std::map<std::string_view, Rule> m;
        for (auto n : {"lbzu", "lhzu", "lhau", "lwzu", "ldu", "lbzux", "lhzux", "lhaux", "lwzux", "lwaux", "ldux"})
            m[n] = Rule::LoadUpdate;
        for (auto n : {"stbu", "sthu", "stwu", "stdu", "stbux", "sthux", "stwux", "stdux", "lfsu", "lfdu", "stfsu",
                       "stfdu", "lfsux", "lfdux", "stfsux", "stfdux"})
            m[n] = Rule::StoreUpdate;
        m["lmw"] = Rule::Lmw;
        m["lq"] = Rule::Lq;
        m["stq"] = Rule::Stq;
        m["stqcx."] = Rule::Stq;
        m["lqarx"] = Rule::Lqarx;
        m["lswi"] = Rule::Lswi;
        m["lswx"] = Rule::Lswx;
        m["mfocrf"] = Rule::OneHotFxm;
        m["mtocrf"] = Rule::OneHotFxm;
        m["dcbf"] = Rule::Dcbf;
        m["sync"] = Rule::Sync;
        m["wait"] = Rule::Wait;
        m["plq"] = Rule::Plq;
        return m;
    }();
    const auto it = rules.find(s.mnemonic);
    if (it == rules.end()) return false;
    switch (it->second) {
        case Rule::LoadUpdate: return ra == 0 || ra == rt;
        case Rule::StoreUpdate: return ra == 0;
        case Rule::Lmw: return ra >= rt;
        case Rule::Lq: return (rt & 1) || rt == ra;
        case Rule::Stq: return (rt & 1) != 0;
        case Rule::Lqarx: return (rt & 1) || rt == ra || rt == rb;
        case Rule::Lswi: return rt == ra;
        case Rule::Lswx: return rt == ra || rt == rb;
        case Rule::OneHotFxm: return std::popcount((w >> 12) & 0xFFu) != 1;
        case Rule::Dcbf: { const unsigned l = rt & 7; return l == 2 || l == 5 || l == 7; }
        case Rule::Sync: { const unsigned l = rt & 7; return l == 3 || l >= 6; }
        case Rule::Wait: return (rt & 3) == 3;
        case Rule::Plq: return rt == ra;
    }
    return false;
}

/// Reserved bits objdump ignores but the decoder (like the hardware reference) does not:
/// the disassembler retries without them. (mnemonic, ignored image bits)
struct Lenient {
    std::string_view mnemonic;
    uint32_t ignore;
};
constexpr Lenient kLenient[] = {
    {"isel", 1u},     // bit 31
    {"lq", 0xFu},     // bits 28-31 of the DQ form
    {"sc", 0xF01Cu},  // bits 16-19 and 27-29
};

struct Found {
    uint16_t id;
    bool lenient;
};

std::optional<Found> lookup(uint64_t image, bool prefixed) {
    const auto& dec = Decoder::get();
    const auto table = instruction_table();
    const auto hi = static_cast<uint32_t>(image >> 32), lo = static_cast<uint32_t>(image);
    std::optional<uint16_t> id = prefixed ? dec.find_prefixed(hi, lo) : dec.find(lo);
    bool lenient = false;
    if (!id && !prefixed) {
        for (const auto& l : kLenient) {
            const auto w = static_cast<uint32_t>(image);
            if (!(w & l.ignore)) continue;
            const auto alt = dec.find(w & ~l.ignore);
            if (alt && table[*alt].mnemonic == l.mnemonic) {
                id = alt;
                lenient = true;
                break;
            }
        }
    }
    if (!id || invalid_form(table[*id], image)) return std::nullopt;
    return Found{*id, lenient};
}

std::string long_text(uint64_t image, bool prefixed) {
    return fmt::format(".long {:#x}", static_cast<uint32_t>(prefixed ? image >> 32 : image));
}

std::string format_found(const InsnSpec& s, uint64_t image, uint64_t pc, bool lenient, bool prefixed) {
    const bool aa = (s.flags & F_AA) && ((image >> 1) & 1);
    if (s.category == Category::Branch && s.mnemonic != "b") {
        auto b = branch_text(s, image, pc);
        return b ? *b : long_text(image, prefixed);
    }
    if (s.mnemonic == "tw" || s.mnemonic == "td" || s.mnemonic == "twi" || s.mnemonic == "tdi") {
        const bool trap_all = s.mnemonic == "tw" && ((image >> 11) & 0x7FFF) == (31u << 10);  // "trap"
        if (!trap_all)
            if (auto t = trap_text(s, image)) return *t;
    }
    if (s.prefixed() && has_operand(s, Opnd::R))
        if (auto p = prefixed_text(s, image, pc)) return *p;
    if (s.mnemonic == "mfspr" || s.mnemonic == "mtspr") {
        const auto n = static_cast<unsigned>(operand_value(Opnd::SPR, image));
        const auto rt = operand_value(Opnd::RT, image);
        if (const SprName* sp = spr_name(n)) {
            const bool mf = s.mnemonic == "mfspr";
            const std::string_view name = mf ? sp->mf : sp->mt;
            if (!name.empty()) {
                std::vector<std::string> ops{fmt::format("r{}", rt)};
                if (sp->index >= 0) ops.insert(mf ? ops.end() : ops.begin(), fmt::format("{}", sp->index));
                return join_operands(name, ops);
            }
        }
    }
    if (!lenient) {
        const auto& by_base = aliases_by_base();
        if (auto it = by_base.find(s.mnemonic); it != by_base.end()) {
            for (const Alias* a : it->second) {
                if ((image & a->mask) != a->match || !alias_cond(a->cond, image)) continue;
                std::string name(a->name);
                if (a->append_rc) name += suffixes(s, image);
                return join_operands(name, render(alias_items(*a, image), pc, aa));
            }
        }
    }
    return join_operands(std::string(s.mnemonic) + suffixes(s, image), render(row_items(s, image), pc, aa));
}

}  // namespace

std::string disassemble_one(uint64_t image, bool prefixed, uint64_t pc) {
    const auto f = lookup(image, prefixed);
    if (!f) return long_text(image, prefixed);
    return format_found(instruction_table()[f->id], image, pc, f->lenient, prefixed);
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
        // A prefix whose suffix does not form a valid prefixed instruction prints as ".long" and
        // the suffix is disassembled on its own, as objdump does.
        if (Decoder::is_prefix(w) && off + 8 <= bytes.size()) {
            const uint32_t sfx = word_at(off + 4);
            const uint64_t image = (uint64_t(w) << 32) | sfx;
            if (lookup(image, true)) {
                out.push_back({pc, w, sfx, 8, disassemble_one(image, true, pc)});
                off += 8;
                continue;
            }
        }
        out.push_back({pc, w, 0, 4, disassemble_one(w, false, pc)});
        off += 4;
    }
    return out;
}

}  // namespace ppcmig::isa
