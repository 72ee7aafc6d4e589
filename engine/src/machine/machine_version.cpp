#include "ppcmig/machine/machine_version.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include <fmt/format.h>

namespace ppcmig::machine {

namespace {

using namespace capval;

// Newest-first list of versions with the deltas each applies on top of the next newer one
// (QEMU's spapr_machine_X_Y_class_options chain). Deltas not relevant to migration are omitted.
struct Step {
    unsigned major, minor;
    std::function<void(MachineVersion&)> delta;
};

void caps(MachineVersion& v, CapId id, uint8_t val) { v.default_caps[static_cast<size_t>(id)] = val; }

std::vector<Step> steps() {
    return {
        {10, 1, [](MachineVersion&) {}},
        {10, 0, [](MachineVersion&) {}},
        {9, 2, [](MachineVersion&) {}},
        {9, 1, [](MachineVersion&) {}},
        {9, 0, [](MachineVersion&) {}},
        {8, 2, [](MachineVersion& v) { v.default_cpu = "POWER9"; }},
        {8, 1, [](MachineVersion&) {}},
        {8, 0, [](MachineVersion&) {}},
        {7, 2, [](MachineVersion&) {}},
        {7, 1, [](MachineVersion&) {}},
        {7, 0, [](MachineVersion&) {}},
        {6, 2, [](MachineVersion&) {}},
        {6, 1, [](MachineVersion&) {}},
        {6, 0, [](MachineVersion&) {}},
        {5, 2, [](MachineVersion&) {}},
        {5, 1, [](MachineVersion&) {}},
        {5, 0, [](MachineVersion&) {}},
        {4, 2, [](MachineVersion& v) {
             caps(v, CapId::CcfAssist, OFF);
             caps(v, CapId::Fwnmi, OFF);
         }},
        {4, 1, [](MachineVersion&) {}},
        {4, 0, [](MachineVersion& v) {
             v.irq = IrqBackend::Xics;
             v.pre_4_1_migration = true;
         }},
        {3, 1, [](MachineVersion& v) {
             v.default_cpu = "POWER8";
             v.hostmem_canonical_ramblock_id = true;
             v.update_dt_enabled = false;
             caps(v, CapId::Cfpc, BROKEN);
             caps(v, CapId::Sbbc, BROKEN);
             caps(v, CapId::Ibs, BROKEN);
             caps(v, CapId::LargeDecr, OFF);
         }},
        {3, 0, [](MachineVersion& v) {
             v.legacy_irq_allocation = true;
             v.nr_xirqs = 0x400;
             v.irq = IrqBackend::XicsLegacy;
         }},
        {2, 12, [](MachineVersion& v) {
             v.pre_3_0_migration = true;
             caps(v, CapId::HptMaxPageSize, 0);  // 0: derived from the host at init
         }},
        {2, 11, [](MachineVersion& v) { caps(v, CapId::Htm, ON); }},
        {2, 10, [](MachineVersion&) {}},
        {2, 9, [](MachineVersion& v) {
             v.pre_2_10_migration = true;
             v.pre_2_10_has_unused_icps = true;
             v.resize_hpt = ResizeHpt::Disabled;
         }},
        {2, 8, [](MachineVersion&) {}},
        {2, 7, [](MachineVersion& v) {
             v.pre_2_8_migration = true;
             v.default_cpu = "POWER7";
         }},
        {2, 6, [](MachineVersion&) {}},
        {2, 5, [](MachineVersion&) {}},
        {2, 4, [](MachineVersion&) {}},
        {2, 3, [](MachineVersion&) {}},
        {2, 2, [](MachineVersion&) {}},
        {2, 1, [](MachineVersion&) {}},
    };
}

// Latest class defaults (spapr_machine_class_init), before any version delta.
MachineVersion latest_base() {
    MachineVersion v;
    caps(v, CapId::Htm, OFF);
    caps(v, CapId::Vsx, ON);
    caps(v, CapId::Dfp, ON);
    caps(v, CapId::Cfpc, WORKAROUND);
    caps(v, CapId::Sbbc, WORKAROUND);
    caps(v, CapId::Ibs, WORKAROUND);
    caps(v, CapId::HptMaxPageSize, 16);
    caps(v, CapId::NestedKvmHv, OFF);
    caps(v, CapId::LargeDecr, ON);
    caps(v, CapId::CcfAssist, ON);
    caps(v, CapId::Fwnmi, ON);
    caps(v, CapId::RptInvalidate, OFF);
    caps(v, CapId::AilMode3, ON);
    caps(v, CapId::NestedPapr, OFF);
    caps(v, CapId::Dawr1, ON);
    return v;
}

std::vector<MachineVersion> build_table() {
    std::vector<MachineVersion> newest_first;
    MachineVersion cur = latest_base();
    bool first = true;
    for (const auto& s : steps()) {
        s.delta(cur);
        cur.major = s.major;
        cur.minor = s.minor;
        cur.name = fmt::format("pseries-{}.{}", s.major, s.minor);
        cur.is_latest = first;
        first = false;
        newest_first.push_back(cur);
        if (s.major == 2 && s.minor == 12) {
            // pseries-2.12-sxxm: 2.12 with the speculative-execution mitigations on.
            MachineVersion sx = cur;
            sx.name = "pseries-2.12-sxxm";
            sx.sxxm = true;
            caps(sx, CapId::Cfpc, WORKAROUND);
            caps(sx, CapId::Sbbc, WORKAROUND);
            caps(sx, CapId::Ibs, FIXED_CCD);
            newest_first.push_back(sx);
        }
    }
    std::vector<MachineVersion> oldest_first(newest_first.rbegin(), newest_first.rend());
    // Keep -sxxm right after its base version.
    std::stable_sort(oldest_first.begin(), oldest_first.end(), [](const MachineVersion& a, const MachineVersion& b) {
        return a.major != b.major ? a.major < b.major : a.minor != b.minor ? a.minor < b.minor : (!a.sxxm && b.sxxm);
    });
    return oldest_first;
}

}  // namespace

std::string_view to_string(IrqBackend b) {
    switch (b) {
        case IrqBackend::XicsLegacy: return "legacy";
        case IrqBackend::Xics: return "xics";
        case IrqBackend::Dual: return "dual";
    }
    return "?";
}

std::span<const MachineVersion> machine_versions() {
    static const std::vector<MachineVersion> table = build_table();
    return table;
}

const MachineVersion* find_machine_version(std::string_view name) {
    const auto all = machine_versions();
    if (name == "pseries") return &latest_machine_version();
    for (const auto& v : all)
        if (v.name == name) return &v;
    return nullptr;
}

const MachineVersion* find_machine_version(std::string_view name, const MachineVersion& newest) {
    if (name == "pseries") return &newest;
    const MachineVersion* v = find_machine_version(name);
    return v != nullptr && at_most(*v, newest.major, newest.minor) ? v : nullptr;
}

const MachineVersion& latest_machine_version() { return machine_versions().back(); }

bool at_most(const MachineVersion& v, unsigned major, unsigned minor) {
    return v.major < major || (v.major == major && v.minor <= minor);
}

}  // namespace ppcmig::machine
