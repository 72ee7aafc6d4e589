// CPU models (POWER7 … POWER10): PVR, family, ISA level, facilities. Instruction availability is
// derived from these and the instruction table; SPR availability from these and the SPR registry.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ppcmig/isa/insn.hpp"

namespace ppcmig::cpu {

enum class Family : uint8_t { Power7, Power8, Power9, Power10 };

std::string_view to_string(Family f);

/// Facilities a model implements.
enum Facility : uint32_t {
    kFacFp = 1 << 0,
    kFacVmx = 1 << 1,
    kFacVsx = 1 << 2,
    kFacDfp = 1 << 3,
    kFacTm = 1 << 4,
    kFacDarn = 1 << 5,
    kFacMma = 1 << 6,
};

struct CpuModel {
    std::string_view name;        ///< QEMU's model name (e.g. "POWER8", "POWER9_v2.2")
    std::string_view alias;       ///< short alias ("power8")
    uint32_t pvr;
    Family family;
    isa::IsaLevel level;
    uint32_t facilities;
    isa::ModelMask bit;           ///< this model's bit for InsnSpec::models
    uint64_t hwcap;               ///< AT_HWCAP a Linux kernel reports on it
    uint64_t hwcap2;              ///< AT_HWCAP2
    unsigned dec_bits;            ///< width of the large decrementer (32 when not supported)
    [[nodiscard]] bool has(Facility f) const { return (facilities & f) != 0; }
};

/// Model bits for InsnSpec::models.
namespace model_bit {
inline constexpr isa::ModelMask P7 = 1 << 0, P7P = 1 << 1, P8 = 1 << 2, P8E = 1 << 3, P8NVL = 1 << 4,
                                P9 = 1 << 5, P10 = 1 << 6;
inline constexpr isa::ModelMask TmCapable = P8 | P8E | P8NVL | P9;
}  // namespace model_bit

/// All models in a stable order.
std::span<const CpuModel> cpu_models();
/// Find by name or alias, case-insensitive; nullopt if unknown.
std::optional<CpuModel> find_model(std::string_view name);
/// The default model for user-mode runs (as qemu-ppc64's default: POWER9).
const CpuModel& default_model();

/// True when the model implements the instruction (level, facility, model restriction).
bool implements(const CpuModel& m, const isa::InsnSpec& s);

}  // namespace ppcmig::cpu
