#include "ppcmig/builds/build.hpp"

#include <fmt/format.h>

namespace ppcmig::builds {

namespace {
using machine::CompatMigration;
using machine::CpuSanity;
using machine::RamBlockNaming;
namespace lpvr = machine::logical_pvr;

// History, oldest first, then the changesets that only exist on branches. Only changesets whose
// mechanism the engine implements appear here. "[release approx]": the commit is known, the
// release it first shipped in is inferred.
constexpr std::array kHistory = std::to_array<Changeset>({
    {"2.7/power-insns-flags",
     "target-ppc: POWER7/POWER8 classes gain PPC_64H, PPC_CILDST, PPC2_PM_ISA206 (4e0806110c8b, b781537560e3, 7778a575c705) and POWER7 PPC_64BX (dfdd3e43620a); the cpu section's insns_flags EQUAL check now fails 2.6 streams",
     [](Profile& p) { p.behaviour.insns_flags_release = 27; }},
    {"2.8/cpu-sanity-scratch",
     "target-ppc: msr_mask/insns_flags/insns_flags2/nb_BATs read into scratch and ignored, forged 2.6-compatible on save for pre-2.8-migration machines (16a2497bd44c, 146c11f16f12)",
     [](Profile& p) { p.behaviour.cpu_sanity = CpuSanity::Scratch; }},
    {"2.8/phb-64bit-mmio-window",
     "spapr_pci: add a 64-bit MMIO window (daa2369): realize splits an old-style window into 32- and 64-bit parts, but spapr_pci still _EQUAL-checks the windows, so pseries-2.3..2.7 streams from 2.7 no longer load [C3]",
     [](Profile& p) { p.behaviour.phb_migration = machine::PhbMigration::SplitEqual; }},
    {"2.8/phb-pre-2.8-migration",
     "spapr: fix 2.7<->2.8 migration of PCI host bridge (5c4537bded40): the window values are read into scratch and ignored, sent forged as 2.7 had them only while the PHB's pre-2.8-migration is set (pseries-2.7 and older)",
     [](Profile& p) { p.behaviour.phb_migration = machine::PhbMigration::Scratch; }},
    {"2.8/power9",
     "target-ppc: POWER9 CPU models [release approx]",
     [](Profile& p) { p.behaviour.newest_family = cpu::Family::Power9; }},
    {"2.10/cas-prefers-compat",
     "pseries: CAS picks the newest compat mode the guest lists, raw mode only as a fallback (compat rework, d5fc133eed86 series)",
     [](Profile& p) {
         p.behaviour.cas_prefers_compat = true;
         p.behaviour.cas_update_unconditional = true;
     }},
    {"2.10/compat-migrated",
     "ppc: migrate compat_pvr in cpu/compat and validate the incoming PVR/compat mode, not for pseries-2.9 and older (d5fc133eed86)",
     [](Profile& p) { p.behaviour.compat_migration = CompatMigration::NotPre210; }},
    {"2.10/tb-frozen-while-paused",
     "spapr: the guest clock counts only while the VM runs, but pre_save re-reads the host clock, so a VM paused before migration still sends the pause (42043e4f1241) [release approx]",
     [](Profile& p) { p.behaviour.tb_while_paused = machine::TbWhilePaused::FrozenReread; }},
    {"2.10/icps-under-cores",
     "spapr: ICPs belong to the vCPU cores, one per existing vCPU (5bc8d26de20c); pseries-2.9 streams with maxcpus > cpus no longer load",
     [](Profile& p) { p.behaviour.icps_for_all_servers = false; }},
    {"2.10/dummy-icps",
     "spapr: dummy icp/server entries for absent vCPUs of pseries-2.9 and older, never sent, swallowing 6 bytes on load (46f7afa37096)",
     [](Profile& p) { p.behaviour.dummy_icps = true; }},
    {"2.11/power9-compat",
     "ppc: power9 (ISA 3.00) compat mode [release approx]",
     [](Profile& p) { p.behaviour.compat.newest_pvr = lpvr::V3_00; }},
    {"2.12/spapr-caps",
     "spapr: machine capabilities (cap-htm, cap-vsx, cap-dfp, cap-cfpc …): per-machine defaults checked at start, migrated as spapr/cap/* subsections, compared after load (David Gibson's caps series)",
     [](Profile& p) { p.behaviour.spapr_caps = true; }},
    {"2.12/forge-tlbie",
     "target/ppc: the forged pre-2.8 mig_insns_flags always carry PPC_MEM_TLBIE, which POWER9 lacks (bce009645b9f) [release approx]",
     [](Profile& p) { p.behaviour.forge_tlbie = true; }},
    {"3.0/spapr-cpu-state",
     "spapr: per-vCPU spapr_cpu section for the VPA state, not for pseries-2.12 and older (pre-3.0-migration)",
     [](Profile& p) { p.behaviour.spapr_cpu_state = true; }},
    {"4.1/tb-paused-not-reread",
     "spapr: a VM already paused when migration starts sends its frozen time base (d14f33976282) [release approx]",
     [](Profile& p) { p.behaviour.tb_while_paused = machine::TbWhilePaused::Frozen; }},
    {"4.1/hpt-mps-migrated",
     "spapr: migrate the hpt-max-page-size cap, unconditionally (0b8c89be7f7b); older destinations meet an unknown subsection",
     [](Profile& p) { p.behaviour.hpt_mps_sending = machine::HptMpsSending::Always; }},
    {"4.1/hpt-mps-pre-4.1",
     "spapr: do not send hpt-max-page-size for pseries-4.0 and older (3725ef1a944b, pre_4_1_migration)",
     [](Profile& p) { p.behaviour.hpt_mps_sending = machine::HptMpsSending::NotPre41; }},
    {"5.0/ram-memory-backend",
     "spapr: main RAM is a memory backend; its RAM block takes the backend's canonical path for pseries-3.1 and older",
     [](Profile& p) { p.behaviour.ram_block_naming = RamBlockNaming::BackendUnfixed; }},
    {"5.0/ramblock-legacy-id",
     "hostmem: the machine's RAM backend keeps the legacy RAM block id (d96c4d5f193e, x-use-canonical-path-for-ramblock-id=false)",
     [](Profile& p) { p.behaviour.ram_block_naming = RamBlockNaming::Backend; }},
    {"6.0/power10",
     "target/ppc: POWER10 CPU models and the power10 compat mode [release approx]",
     [](Profile& p) {
         p.behaviour.newest_family = cpu::Family::Power10;
         p.behaviour.compat.newest_pvr = lpvr::V3_10;
     }},
    {"6.0/ic-switch-without-reboot",
     "spapr: ic-mode=dual switches XICS/XIVE at CAS without a CAS reboot [release unverified: before 7.2]",
     [](Profile& p) { p.behaviour.cas_reboot_on_ic_change = false; }},
    {"8.2/migrate-decr",
     "target/ppc: migrate the live DECR in spr[SPR_DECR] and re-arm it on load (578912ad7312)",
     [](Profile& p) { p.behaviour.dec_migrated = true; }},
    {"9.1/migrate-ail-mode-3",
     "spapr: migrate the ail-mode-3 cap (Jul 2024, also in 9.0-stable); before, a cap overridden on either side went unnoticed",
     [](Profile& p) { p.behaviour.ail_mode_3_migrated = true; }},
    {"10.0/power11-compat",
     "target/ppc: power11 compat mode, same PCR level (COMPAT_3_10) as power10 [release approx]",
     [](Profile& p) { p.behaviour.compat.newest_pvr = lpvr::V3_10_P11; }},
    {"10.1/compat-logical-pvr-bound",
     "target/ppc: a CPU cannot take a compat mode newer than its own logical PVR: POWER10 refuses power11 (c0b2f0dd6ba7) [release approx]",
     [](Profile& p) { p.behaviour.compat.logical_pvr_bound = true; }},
    // Branch-only: David Gibson's "Clean up compatibility mode handling" RFCv2 (Nov 2016), as tested
    // in seed 000. Its final form landed in 2.10.
    {"2.8-rfc/compat-rework",
     "RFCv2 compat rework: CAS prefers compat modes and re-applies the mode unconditionally, compat_pvr migrated for every machine version (no backward-migration hacks), incoming PVR validated",
     [](Profile& p) {
         p.behaviour.cas_prefers_compat = true;
         p.behaviour.cas_update_unconditional = true;
         p.behaviour.compat_migration = CompatMigration::Always;
     },
     false},
    // Branch-only: David Gibson's cap-xics/cap-xive proposal for 4.2 (seed 001), never merged.
    {"4.2-rfc/cap-xics-xive",
     "spapr: the interrupt controllers become caps cap-xics/cap-xive (ic-mode an alias), migrated as caps; pseries-4.1 sources never send them, so the destination assumes its defaults",
     [](Profile& p) { p.behaviour.ic_caps = true; },
     false},
    {"2.8-rfc/compat-pcr-complement",
     "RFCv2 'ppc: Migrate compatibility mode': post_load re-applies the compat mode with the CPU's PCR mask minus the mode's bits, the complement of what CAS installs [plausible mechanism: the thread never named the cause]; resumed compat-mode guests run as ISA 2.05 and trap",
     [](Profile& p) { p.behaviour.rfc_compat_pcr_complement = true; },
     false},
});

constexpr std::array kBuilds = std::to_array<BuildDef>({
    {"2.6", "", "pseries-2.6"},
    {"2.7", "2.7/power-insns-flags", "pseries-2.7"},
    // 2.7-stable: the 2.8 sanity-field fix backported.
    {"2.7.1", "2.7/power-insns-flags", "pseries-2.7", {"2.8/cpu-sanity-scratch"}},
    // The series of seed 000 on top of the 2.8 development tree.
    {"2.8-compat-rfc", "2.8/power9", "pseries-2.8", {"2.8-rfc/compat-rework", "2.8-rfc/compat-pcr-complement"}},
    // 2.8 development as it was before 5c4537bded40 (C3).
    {"2.8-phb-unfixed", "2.8/phb-64bit-mmio-window", "pseries-2.8"},
    {"2.8", "2.8/power9", "pseries-2.8"},
    {"2.9", "2.8/power9", "pseries-2.9"},
    // 2.10 as it was before 46f7afa37096: ICPs under cores, no dummies (C7).
    {"2.10-icps-unfixed", "2.10/icps-under-cores", "pseries-2.10"},
    {"2.10", "2.10/dummy-icps", "pseries-2.10"},
    {"2.11", "2.11/power9-compat", "pseries-2.11"},
    {"2.12", "2.12/forge-tlbie", "pseries-2.12"},
    {"3.0", "3.0/spapr-cpu-state", "pseries-3.0"},
    {"3.1", "3.0/spapr-cpu-state", "pseries-3.1"},
    {"4.0", "3.0/spapr-cpu-state", "pseries-4.0"},
    // 4.1 development as it was before 3725ef1a944b (C8).
    {"4.1-hpt-mps-unconditional", "4.1/hpt-mps-migrated", "pseries-4.1"},
    {"4.1", "4.1/hpt-mps-pre-4.1", "pseries-4.1"},
    {"4.2", "4.1/hpt-mps-pre-4.1", "pseries-4.2"},
    {"4.2-capxics", "4.1/hpt-mps-pre-4.1", "pseries-4.2", {"4.2-rfc/cap-xics-xive"}},
    // 5.0 development as it was before d96c4d5f193e (C15).
    {"5.0-ramblock-unfixed", "5.0/ram-memory-backend", "pseries-5.0"},
    {"5.0", "5.0/ramblock-legacy-id", "pseries-5.0"},
    {"7.2", "6.0/ic-switch-without-reboot", "pseries-7.2"},
    {"8.1", "6.0/ic-switch-without-reboot", "pseries-8.1"},
    {"8.2", "8.2/migrate-decr", "pseries-8.2"},
    {"9.0", "8.2/migrate-decr", "pseries-9.0"},
    {"9.1", "9.1/migrate-ail-mode-3", "pseries-9.1"},
    // 10.0: power11 compat without the logical-PVR bound (C17).
    {"10.0", "10.0/power11-compat", "pseries-10.0"},
    {"10.1", "10.1/compat-logical-pvr-bound", "pseries-10.1"},
    {"head", "10.1/compat-logical-pvr-bound", "pseries-10.1"},
});

}  // namespace

machine::ReleaseLimits Profile::limits() const {
    machine::ReleaseLimits l;
    l.newest = newest_machine;
    l.newest_family = behaviour.newest_family;
    l.compat = behaviour.compat;
    l.caps = behaviour.spapr_caps;
    l.versions = versions;
    return l;
}

const machine::MachineVersion& Profile::pseries() const { return versions ? versions->alias() : *newest_machine; }

std::vector<const machine::MachineVersion*> Profile::machine_versions() const {
    std::vector<const machine::MachineVersion*> out;
    if (versions) {
        for (const auto& v : versions->versions()) out.push_back(&v);
    } else {
        for (const auto& v : machine::machine_versions())
            if (machine::at_most(v, newest_machine->major, newest_machine->minor)) out.push_back(&v);
    }
    return out;
}

Profile base_profile() {
    Profile p;
    p.name = "2.6";
    p.newest_machine = machine::find_machine_version("pseries-2.6");
    auto& b = p.behaviour;
    b.cas_prefers_compat = false;
    b.cas_reboot_on_ic_change = true;
    b.dec_migrated = false;
    b.icps_for_all_servers = true;
    b.dummy_icps = false;
    b.hpt_mps_sending = machine::HptMpsSending::Absent;
    b.cpu_sanity = CpuSanity::Equal;
    b.insns_flags_release = 26;
    b.forge_tlbie = false;
    b.compat_migration = CompatMigration::None;
    b.rfc_compat_pcr_complement = false;
    b.newest_family = cpu::Family::Power8;
    b.compat.newest_pvr = lpvr::V2_07;  // power6, power7, power7+, power8
    b.compat.logical_pvr_bound = false;
    b.ram_block_naming = RamBlockNaming::Region;
    b.ail_mode_3_migrated = false;
    b.cas_update_unconditional = false;
    b.tb_while_paused = machine::TbWhilePaused::Counts;
    b.spapr_cpu_state = false;
    b.spapr_caps = false;
    b.phb_migration = machine::PhbMigration::Equal;
    return p;
}

std::span<const Changeset> history() { return kHistory; }
std::span<const BuildDef> builds() { return kBuilds; }

const Changeset* find_changeset(std::string_view name) {
    for (const auto& c : kHistory)
        if (c.name == name) return &c;
    return nullptr;
}

Profile profile(std::string_view build) {
    for (const auto& b : kBuilds) {
        if (b.name != build) continue;
        Profile p = base_profile();
        p.name = std::string(b.name);
        p.newest_machine = machine::find_machine_version(b.machine);
        if (p.newest_machine == nullptr)
            throw std::logic_error(fmt::format("build {} names unknown machine version {}", b.name, b.machine));
        if (!b.last.empty()) {
            bool found = false;
            for (const auto& c : kHistory) {
                if (!c.mainline) continue;
                c.apply(p);
                p.changesets.emplace_back(c.name);
                if (c.name == b.last) {
                    found = true;
                    break;
                }
            }
            if (!found) throw std::logic_error(fmt::format("build {} names unknown changeset {}", b.name, b.last));
        }
        for (const auto name : b.extra) {
            if (name.empty()) continue;
            const Changeset* c = find_changeset(name);
            if (c == nullptr) throw std::logic_error(fmt::format("build {} names unknown changeset {}", b.name, name));
            c->apply(p);
            p.changesets.emplace_back(c->name);
        }
        return p;
    }
    std::string known;
    for (const auto& b : kBuilds) known += (known.empty() ? "" : ", ") + std::string(b.name);
    throw UnknownBuild(fmt::format("unknown build \"{}\" (known: {})", build, known));
}

machine::MachineConfig parse_config(const Profile& p, std::span<const std::string> args) {
    return machine::MachineConfig::parse_args(args, p.limits());
}

}  // namespace ppcmig::builds
