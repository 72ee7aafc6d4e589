#include "ppcmig/machine/compat.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace ppcmig::machine {

namespace {
using namespace pcr;
using isa::IsaLevel;

constexpr std::array kModes{
    CompatMode{"power6", logical_pvr::V2_05,
               COMPAT_3_10 | COMPAT_3_00 | COMPAT_2_07 | COMPAT_2_06 | COMPAT_2_05 | TM_DIS | VSX_DIS,
               COMPAT_2_05, 2, IsaLevel::v2_05},
    CompatMode{"power7", logical_pvr::V2_06, COMPAT_3_10 | COMPAT_3_00 | COMPAT_2_07 | COMPAT_2_06 | TM_DIS,
               COMPAT_2_06, 4, IsaLevel::v2_06},
    CompatMode{"power7+", logical_pvr::V2_06_PLUS, COMPAT_3_10 | COMPAT_3_00 | COMPAT_2_07 | COMPAT_2_06 | TM_DIS,
               COMPAT_2_06, 4, IsaLevel::v2_06},
    CompatMode{"power8", logical_pvr::V2_07, COMPAT_3_10 | COMPAT_3_00 | COMPAT_2_07, COMPAT_2_07, 8,
               IsaLevel::v2_07},
    // POWER9 hardware has 4 threads, but 8 keeps POWER8-compat guests from losing threads.
    CompatMode{"power9", logical_pvr::V3_00, COMPAT_3_10 | COMPAT_3_00, COMPAT_3_00, 8, IsaLevel::v3_0},
    CompatMode{"power10", logical_pvr::V3_10, COMPAT_3_10, COMPAT_3_10, 8, IsaLevel::v3_1},
    CompatMode{"power11", logical_pvr::V3_10_P11, COMPAT_3_10, COMPAT_3_10, 8, IsaLevel::v3_1},
};

size_t index_of(uint32_t pvr) {
    for (size_t i = 0; i < kModes.size(); ++i)
        if (kModes[i].pvr == pvr) return i;
    return kModes.size();
}

}  // namespace

std::span<const CompatMode> compat_modes() { return kModes; }

const CompatMode* find_compat_by_name(std::string_view name) {
    for (const auto& m : kModes)
        if (m.name == name) return &m;
    return nullptr;
}

const CompatMode* find_compat_by_pvr(uint32_t pvr) {
    const size_t i = index_of(pvr);
    return i < kModes.size() ? &kModes[i] : nullptr;
}

FamilyCompat family_compat(cpu::Family f) {
    switch (f) {
        case cpu::Family::Power7:
            return {logical_pvr::V2_06_PLUS, VEC_DIS | VSX_DIS | COMPAT_2_05, COMPAT_2_06 | COMPAT_2_05};
        case cpu::Family::Power8:
            return {logical_pvr::V2_07, TM_DIS | COMPAT_2_06 | COMPAT_2_05, COMPAT_2_07 | COMPAT_2_06 | COMPAT_2_05};
        case cpu::Family::Power9:
            return {logical_pvr::V3_00, COMPAT_2_05 | COMPAT_2_06 | COMPAT_2_07,
                    COMPAT_3_00 | COMPAT_2_07 | COMPAT_2_06 | COMPAT_2_05};
        case cpu::Family::Power10:
            return {logical_pvr::V3_10, COMPAT_2_05 | COMPAT_2_06 | COMPAT_2_07 | COMPAT_3_00,
                    COMPAT_3_10 | COMPAT_3_00 | COMPAT_2_07 | COMPAT_2_06 | COMPAT_2_05};
    }
    return {};
}

bool compat_known(uint32_t compat_pvr, const CompatRules& rules) {
    const size_t i = index_of(compat_pvr);
    return i < kModes.size() && i <= index_of(rules.newest_pvr);
}

bool compat_valid(const cpu::CpuModel& m, uint32_t compat_pvr, uint32_t min_pvr, uint32_t max_pvr, const CompatRules& rules) {
    const size_t i = index_of(compat_pvr);
    if (!compat_known(compat_pvr, rules)) return false;
    if (min_pvr != 0 && i < index_of(min_pvr)) return false;
    if (max_pvr != 0 && i > index_of(max_pvr)) return false;
    const FamilyCompat fc = family_compat(m.family);
    // A CPU cannot present a logical PVR newer than its own (POWER10 vs power11 share a level).
    if (rules.logical_pvr_bound && i > index_of(fc.spapr_logical_pvr)) return false;
    return (fc.pcr_supported & kModes[i].pcr_level) != 0;
}

uint64_t compat_pcr(const cpu::CpuModel& m, uint32_t compat_pvr) {
    if (compat_pvr == 0) return 0;
    const CompatMode* mode = find_compat_by_pvr(compat_pvr);
    return mode ? (mode->pcr & family_compat(m.family).pcr_mask) : 0;
}

uint64_t check_set_compat(const cpu::CpuModel& m, uint32_t compat_pvr, const CompatRules& rules) {
    if (compat_pvr == 0) return 0;
    if (!compat_known(compat_pvr, rules))
        throw CompatError(fmt::format("Unknown compatibility PVR 0x{:08x}", compat_pvr));
    if (!compat_valid(m, compat_pvr, 0, 0, rules)) throw CompatError(fmt::format("Compatibility PVR 0x{:08x} not valid for CPU", compat_pvr));
    return compat_pcr(m, compat_pvr);
}

unsigned compat_max_vthreads(uint32_t compat_pvr, unsigned smp_threads) {
    const CompatMode* mode = find_compat_by_pvr(compat_pvr);
    return mode ? std::min(smp_threads, mode->max_vthreads) : smp_threads;
}

}  // namespace ppcmig::machine
