#include <array>
#include <vector>

#include "ppcmig/isa/insn.hpp"

namespace ppcmig::isa {

std::string_view to_string(IsaLevel l) {
    switch (l) {
        case IsaLevel::v2_01: return "2.01";
        case IsaLevel::v2_02: return "2.02";
        case IsaLevel::v2_03: return "2.03";
        case IsaLevel::v2_04: return "2.04";
        case IsaLevel::v2_05: return "2.05";
        case IsaLevel::v2_06: return "2.06";
        case IsaLevel::v2_07: return "2.07";
        case IsaLevel::v3_0: return "3.0";
        case IsaLevel::v3_1: return "3.1";
    }
    return "?";
}

std::string_view to_string(Category c) {
    switch (c) {
        case Category::FixedPoint: return "fixed-point";
        case Category::Branch: return "branch";
        case Category::ConditionRegister: return "cr";
        case Category::FloatingPoint: return "fp";
        case Category::Vmx: return "vmx";
        case Category::Vsx: return "vsx";
        case Category::Dfp: return "dfp";
        case Category::Tm: return "tm";
        case Category::Storage: return "storage";
        case Category::Privileged: return "privileged";
        case Category::Hypervisor: return "hypervisor";
    }
    return "?";
}

uint64_t derived_mask(const InsnSpec& s) {
    uint64_t covered = 0;
    for (Opnd o : s.operands) covered |= operand_bits(o);
    if (s.flags & F_Rc) covered |= 1;
    if (s.flags & F_OE) covered |= uint64_t(1) << 10;
    if (s.flags & F_LK) covered |= 1;
    if (s.flags & F_AA) covered |= 2;
    covered |= s.free_bits;
    const uint64_t all = s.prefixed() ? ~uint64_t(0) : 0xFFFFFFFFull;
    return (all & ~covered) | s.extra_mask;
}

std::span<const InsnSpec> instruction_table() {
    static const std::vector<InsnSpec> table = [] {
        std::vector<InsnSpec> t;
        for (auto part : {table_fixed_point(), table_branch_cr(), table_system(), table_floating_point(),
                          table_vmx(), table_vsx(), table_vsx_arith(), table_dfp_tm(), table_prefixed()})
            t.insert(t.end(), part.begin(), part.end());
        return t;
    }();
    return table;
}

}  // namespace ppcmig::isa
