// The machine-property predicates (pre-X-migration compat properties of the machine version),
// shared by every section adapter that evaluates them.
#pragma once

#include <optional>

#include "ppcmig/machine/machine_version.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

/// The value of `p` when it is a machine property (Always and Never included), else nullopt.
inline std::optional<bool> machine_property(Pred p, const machine::MachineVersion& v) {
    switch (p) {
        case Pred::Always: return true;
        case Pred::Never: return false;
        case Pred::Pre28Migration: return v.pre_2_8_migration;
        case Pred::Pre210Migration: return v.pre_2_10_migration;
        case Pred::NotPre210Migration: return !v.pre_2_10_migration;
        case Pred::Pre30Migration: return v.pre_3_0_migration;
        case Pred::NotPre41Migration: return !v.pre_4_1_migration;
        default: return std::nullopt;
    }
}

}  // namespace ppcmig::migration
