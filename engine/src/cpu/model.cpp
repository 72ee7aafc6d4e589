#include "ppcmig/cpu/model.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ppcmig::cpu {

namespace {

// AT_HWCAP / AT_HWCAP2 bits (Linux uapi asm/cputable.h).
constexpr uint64_t kHw64 = 0x40000000, kHwAltivec = 0x10000000, kHwFpu = 0x08000000,
                   kHwArch206 = 0x00000100, kHwVsx = 0x00000080;
constexpr uint64_t kHw2Arch207 = 0x80000000, kHw2Isel = 0x08000000, kHw2Tar = 0x04000000,
                   kHw2VecCrypto = 0x02000000, kHw2Arch300 = 0x00800000, kHw2Ieee128 = 0x00400000,
                   kHw2Darn = 0x00200000, kHw2Arch31 = 0x00040000, kHw2Mma = 0x00020000;

// What qemu-user reports for these models, less PPC_FEATURE_HAS_DFP: the engine decodes and
// gates DFP but does not implement its arithmetic, so it must not advertise it.
constexpr uint64_t kHwServer = kHw64 | kHwAltivec | kHwFpu | kHwArch206 | kHwVsx;
constexpr uint64_t kHw2P8 = kHw2Arch207 | kHw2Isel | kHw2Tar | kHw2VecCrypto;
constexpr uint64_t kHw2P9 = kHw2P8 | kHw2Arch300 | kHw2Ieee128 | kHw2Darn;
constexpr uint64_t kHw2P10 = kHw2P9 | kHw2Arch31 | kHw2Mma;

constexpr uint32_t kFacP7 = kFacFp | kFacVmx | kFacVsx | kFacDfp;
constexpr uint32_t kFacP8 = kFacP7 | kFacTm;
constexpr uint32_t kFacP9 = kFacP8 | kFacDarn;
constexpr uint32_t kFacP10 = kFacP7 | kFacDarn | kFacMma;  // POWER10 dropped HTM

using isa::IsaLevel;
constexpr std::array kModels{
    CpuModel{"POWER7_v2.3", "power7", 0x003F0203, Family::Power7, IsaLevel::v2_06, kFacP7,
             model_bit::P7, kHwServer, kHw2Isel, 32},
    CpuModel{"POWER7+_v2.1", "power7+", 0x004A0201, Family::Power7, IsaLevel::v2_06, kFacP7,
             model_bit::P7P, kHwServer, kHw2Isel, 32},
    CpuModel{"POWER8E_v2.1", "power8e", 0x004B0201, Family::Power8, IsaLevel::v2_07, kFacP8,
             model_bit::P8E, kHwServer, kHw2P8, 32},
    CpuModel{"POWER8NVL_v1.0", "power8nvl", 0x004C0100, Family::Power8, IsaLevel::v2_07, kFacP8,
             model_bit::P8NVL, kHwServer, kHw2P8, 32},
    CpuModel{"POWER8_v2.0", "power8", 0x004D0200, Family::Power8, IsaLevel::v2_07, kFacP8,
             model_bit::P8, kHwServer, kHw2P8, 32},
    CpuModel{"POWER9_v2.2", "power9", 0x004E1202, Family::Power9, IsaLevel::v3_0, kFacP9,
             model_bit::P9, kHwServer, kHw2P9, 56},
    CpuModel{"POWER10_v2.0", "power10", 0x00800200, Family::Power10, IsaLevel::v3_1, kFacP10,
             model_bit::P10, kHwServer, kHw2P10, 56},
};

bool iequal_prefix(std::string_view name, std::string_view full) {
    // "POWER8" matches "POWER8_v2.0"; "power9_v2.2" matches exactly.
    if (name.size() > full.size()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(name[i])) !=
            std::tolower(static_cast<unsigned char>(full[i])))
            return false;
    return name.size() == full.size() || full[name.size()] == '_';
}

}  // namespace

std::string_view to_string(Family f) {
    switch (f) {
        case Family::Power7: return "POWER7";
        case Family::Power8: return "POWER8";
        case Family::Power9: return "POWER9";
        case Family::Power10: return "POWER10";
    }
    return "?";
}

std::span<const CpuModel> cpu_models() { return kModels; }

std::optional<CpuModel> find_model(std::string_view name) {
    for (const auto& m : kModels)
        if (iequal_prefix(name, m.name) || iequal_prefix(name, m.alias)) return m;
    return std::nullopt;
}

const CpuModel& default_model() { return kModels[5]; }

bool implements(const CpuModel& m, const isa::InsnSpec& s) {
    if (s.level > m.level) return false;
    if ((s.models & m.bit) == 0) return false;
    switch (s.category) {
        case isa::Category::FloatingPoint: return m.has(kFacFp);
        case isa::Category::Vmx: return m.has(kFacVmx);
        case isa::Category::Vsx: return m.has(kFacVsx);
        case isa::Category::Dfp: return m.has(kFacDfp);
        case isa::Category::Tm: return m.has(kFacTm);
        default: return true;
    }
}

}  // namespace ppcmig::cpu
