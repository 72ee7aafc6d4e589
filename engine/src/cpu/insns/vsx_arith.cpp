// VSX floating-point arithmetic, conversion and compare instructions: rows and semantics.
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
std::span<const InsnSpec> table_vsx_arith() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
