#include "ppcmig/builds/build.hpp"

#include <array>

#include <fmt/format.h>

namespace ppcmig::builds {

namespace {

// History, oldest first. Only changesets whose mechanism the engine implements appear here;
// more arrive with the mechanisms they switch.
constexpr std::array kHistory = std::to_array<Changeset>({
    {"2.10/cas-prefers-compat",
     "pseries: CAS picks the newest compat mode the guest lists, raw mode only as a fallback (compat rework, d5fc133eed86 series)",
     [](Profile& p) { p.behaviour.cas_prefers_compat = true; }},
    {"2.10/icps-under-cores",
     "spapr: ICPs belong to the vCPU cores, one per existing vCPU (5bc8d26de20c); pseries-2.9 streams with maxcpus > cpus no longer load",
     [](Profile& p) { p.behaviour.icps_for_all_servers = false; }},
    {"2.10/dummy-icps",
     "spapr: dummy icp/server entries for absent vCPUs of pseries-2.9 and older, never sent, swallowing 6 bytes on load (46f7afa37096)",
     [](Profile& p) { p.behaviour.dummy_icps = true; }},
    {"4.1/hpt-mps-migrated",
     "spapr: migrate the hpt-max-page-size cap, unconditionally (0b8c89be7f7b); older destinations meet an unknown subsection",
     [](Profile& p) { p.behaviour.hpt_mps_sending = machine::HptMpsSending::Always; }},
    {"4.1/hpt-mps-pre-4.1",
     "spapr: do not send hpt-max-page-size for pseries-4.0 and older (3725ef1a944b, pre_4_1_migration)",
     [](Profile& p) { p.behaviour.hpt_mps_sending = machine::HptMpsSending::NotPre41; }},
    {"6.0/ic-switch-without-reboot",
     "spapr: ic-mode=dual switches XICS/XIVE at CAS without a CAS reboot [release unverified: before 7.2]",
     [](Profile& p) { p.behaviour.cas_reboot_on_ic_change = false; }},
    {"8.2/migrate-decr",
     "target/ppc: migrate the live DECR in spr[SPR_DECR] and re-arm it on load (578912ad7312)",
     [](Profile& p) { p.behaviour.dec_migrated = true; }},
});

constexpr std::array kBuilds = std::to_array<BuildDef>({
    {"2.6", "", "pseries-2.6"},
    {"2.7", "", "pseries-2.7"},
    {"2.7.1", "", "pseries-2.7"},
    {"2.8", "", "pseries-2.8"},
    {"2.9", "", "pseries-2.9"},
    // 2.10 as it was before 46f7afa37096: ICPs under cores, no dummies (C7).
    {"2.10-icps-unfixed", "2.10/icps-under-cores", "pseries-2.10"},
    {"2.10", "2.10/dummy-icps", "pseries-2.10"},
    {"2.11", "2.10/dummy-icps", "pseries-2.11"},
    {"2.12", "2.10/dummy-icps", "pseries-2.12"},
    {"3.0", "2.10/dummy-icps", "pseries-3.0"},
    {"3.1", "2.10/dummy-icps", "pseries-3.1"},
    {"4.0", "2.10/dummy-icps", "pseries-4.0"},
    // 4.1 development as it was before 3725ef1a944b (C8).
    {"4.1-hpt-mps-unconditional", "4.1/hpt-mps-migrated", "pseries-4.1"},
    {"4.1", "4.1/hpt-mps-pre-4.1", "pseries-4.1"},
    {"4.2", "4.1/hpt-mps-pre-4.1", "pseries-4.2"},
    {"5.0", "4.1/hpt-mps-pre-4.1", "pseries-5.0"},
    {"7.2", "6.0/ic-switch-without-reboot", "pseries-7.2"},
    {"8.1", "6.0/ic-switch-without-reboot", "pseries-8.1"},
    {"8.2", "8.2/migrate-decr", "pseries-8.2"},
    {"9.0", "8.2/migrate-decr", "pseries-9.0"},
    {"9.1", "8.2/migrate-decr", "pseries-9.1"},
    {"10.1", "8.2/migrate-decr", "pseries-10.1"},
    {"head", "8.2/migrate-decr", "pseries-10.1"},
});
}  // namespace

Profile base_profile() {
    Profile p;
    p.name = "2.6";
    p.newest_machine = machine::find_machine_version("pseries-2.6");
    p.behaviour.cas_prefers_compat = false;
    p.behaviour.cas_reboot_on_ic_change = true;
    p.behaviour.dec_migrated = false;
    p.behaviour.icps_for_all_servers = true;
    p.behaviour.dummy_icps = false;
    p.behaviour.hpt_mps_sending = machine::HptMpsSending::Absent;
    return p;
}

std::span<const Changeset> history() { return kHistory; }
std::span<const BuildDef> builds() { return kBuilds; }

Profile profile(std::string_view build) {
    for (const auto& b : kBuilds) {
        if (b.name != build) continue;
        Profile p = base_profile();
        p.name = std::string(b.name);
        p.newest_machine = machine::find_machine_version(b.machine);
        if (p.newest_machine == nullptr)
            throw std::logic_error(fmt::format("build {} names unknown machine version {}", b.name, b.machine));
        if (b.last.empty()) return p;
        for (const auto& c : kHistory) {
            c.apply(p);
            p.changesets.emplace_back(c.name);
            if (c.name == b.last) return p;
        }
        throw std::logic_error(fmt::format("build {} names unknown changeset {}", b.name, b.last));
    }
    std::string known;
    for (const auto& b : kBuilds) known += (known.empty() ? "" : ", ") + std::string(b.name);
    throw UnknownBuild(fmt::format("unknown build \"{}\" (known: {})", build, known));
}

}  // namespace ppcmig::builds
