// VSX loads, stores, moves, logical and permute instructions: rows and semantics.
#include <vector>

#include "cpu/insns/common.hpp"

namespace ppcmig::cpu::insn {
namespace {

const std::vector<InsnSpec>& rows() {
    static const std::vector<InsnSpec> t = {};
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_vsx() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
