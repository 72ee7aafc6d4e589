// DFP and TM (decoded and gated) instructions: rows and semantics.
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
std::span<const InsnSpec> table_dfp_tm() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
