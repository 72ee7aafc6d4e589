// The SPR registry: every SPR the engine knows, its name, access privilege per direction and
// the CPU families that implement it. mfspr/mtspr and state dumps derive from it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ppcmig/cpu/model.hpp"

namespace ppcmig::cpu {

/// Who may access an SPR in one direction.
enum class SprAccess : uint8_t { None, Problem, Supervisor, Hypervisor };

/// How reads and writes behave beyond the raw spr[] slot.
enum class SprKind : uint8_t {
    Plain, Lr, Ctr, Xer, Tb, Tbu, Dec, Purr, ReadOnly, Ctrl, TexasrU, Sprg3Alias, Ppr32, DscrAlias,
    AmrAlias, TbWrite, Pcr, Lpcr,
};

/// Family bits for SprInfo::families.
namespace fam {
inline constexpr uint8_t P7 = 1, P8 = 2, P9 = 4, P10 = 8;
inline constexpr uint8_t All = P7 | P8 | P9 | P10, P8up = P8 | P9 | P10, P9up = P9 | P10;
}  // namespace fam

struct SprInfo {
    uint16_t num;
    std::string_view name;
    SprAccess read;
    SprAccess write;
    uint8_t families;
    SprKind kind;
};

/// All registered SPRs, ordered by number.
std::span<const SprInfo> spr_registry();
/// The SPR of that number implemented by the family, or nullptr.
const SprInfo* find_spr(unsigned num, Family f);
/// Family bit of a family (for SprInfo::families).
uint8_t family_bit(Family f);

}  // namespace ppcmig::cpu
