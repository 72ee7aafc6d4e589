// CPU compatibility modes of pseries guests: the compat table (logical PVRs, PCR bits, ISA
// levels, thread limits) and the per-family PCR capabilities, with QEMU's validity rules.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ppcmig/cpu/model.hpp"
#include "ppcmig/isa/insn.hpp"

namespace ppcmig::machine {

/// PCR bits (IBM numbering: VEC_DIS is bit 0, the COMPAT bits 58-62).
namespace pcr {
inline constexpr uint64_t VEC_DIS = uint64_t(1) << 63;
inline constexpr uint64_t VSX_DIS = uint64_t(1) << 62;
inline constexpr uint64_t TM_DIS = uint64_t(1) << 61;
inline constexpr uint64_t MMA_DIS = uint64_t(1) << 60;
inline constexpr uint64_t COMPAT_3_10 = 0x20;
inline constexpr uint64_t COMPAT_3_00 = 0x10;
inline constexpr uint64_t COMPAT_2_07 = 0x08;
inline constexpr uint64_t COMPAT_2_06 = 0x04;
inline constexpr uint64_t COMPAT_2_05 = 0x02;
}  // namespace pcr

/// Logical (architected) PVRs.
namespace logical_pvr {
inline constexpr uint32_t V2_04 = 0x0F000001, V2_05 = 0x0F000002, V2_06 = 0x0F000003,
                          V2_06_PLUS = 0x0F100003, V2_07 = 0x0F000004, V3_00 = 0x0F000005,
                          V3_10 = 0x0F000006, V3_10_P11 = 0x0F000007;
}

/// One compatibility mode (ordered oldest to newest in the table; order matters).
struct CompatMode {
    std::string_view name;  ///< as max-cpu-compat spells it: "power7"
    uint32_t pvr;           ///< logical PVR
    uint64_t pcr;           ///< PCR bits before masking with the family's pcr_mask
    uint64_t pcr_level;     ///< the COMPAT bit that names this level
    unsigned max_vthreads;
    isa::IsaLevel isa;      ///< newest ISA level instructions may have in this mode
};

/// Compat-related class data of a CPU family.
struct FamilyCompat {
    uint32_t spapr_logical_pvr;  ///< the newest logical PVR the family can present
    uint64_t pcr_mask;           ///< PCR bits the register can hold
    uint64_t pcr_supported;      ///< COMPAT levels the family can run in
};

/// The compat table (newest behaviour), oldest first.
std::span<const CompatMode> compat_modes();
const CompatMode* find_compat_by_name(std::string_view name);
const CompatMode* find_compat_by_pvr(uint32_t pvr);
FamilyCompat family_compat(cpu::Family f);

/// What a release knows of compat modes (engine builds differ).
struct CompatRules {
    /// The newest mode in the release's table; newer logical PVRs are unknown to it.
    uint32_t newest_pvr = logical_pvr::V3_10_P11;
    /// c0b2f0dd6ba7: a CPU cannot take a logical PVR newer than its own, even when the PCR
    /// level matches (POWER10 and power11 share COMPAT_3_10).
    bool logical_pvr_bound = true;
};

/// True when the release's table has this mode.
bool compat_known(uint32_t compat_pvr, const CompatRules& rules = {});

/// QEMU's pcc_compat: is `compat_pvr` a mode this CPU can run in, between min_pvr and max_pvr
/// (0 = no bound) in table order?
bool compat_valid(const cpu::CpuModel& m, uint32_t compat_pvr, uint32_t min_pvr = 0, uint32_t max_pvr = 0,
                  const CompatRules& rules = {});

/// The PCR value a vCPU holds in a compat mode (0 for raw mode).
uint64_t compat_pcr(const cpu::CpuModel& m, uint32_t compat_pvr);

/// A rejected compat setting, with QEMU's message.
class CompatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// ppc_set_compat's checks: throws CompatError("Unknown compatibility PVR 0x%08x") or
/// ("Compatibility PVR 0x%08x not valid for CPU"). Returns the PCR to install.
uint64_t check_set_compat(const cpu::CpuModel& m, uint32_t compat_pvr, const CompatRules& rules = {});

/// Threads per core allowed in a compat mode (raw mode: the CPU's own limit).
unsigned compat_max_vthreads(uint32_t compat_pvr, unsigned smp_threads);

}  // namespace ppcmig::machine
