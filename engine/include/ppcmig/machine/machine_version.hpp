// pseries machine versions (pseries-2.1 … pseries-10.1, pseries-2.12-sxxm) and the class options
// that matter for migration. Like QEMU, each version is its next-newer version plus deltas; the
// table of deltas is the single source of truth for machine defaults.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ppcmig/machine/caps.hpp"

namespace ppcmig::machine {

/// Interrupt-controller backend of a machine class.
enum class IrqBackend : uint8_t { XicsLegacy, Xics, Dual };
std::string_view to_string(IrqBackend b);

/// HPT resizing default.
enum class ResizeHpt : uint8_t { Disabled, Enabled, Required };

/// Class options of one machine version.
struct MachineVersion {
    std::string name;         ///< "pseries-2.7"
    unsigned major = 0, minor = 0;
    bool sxxm = false;        ///< pseries-2.12-sxxm
    bool is_latest = false;   ///< aliased as plain "pseries"
    // Migration compatibility properties.
    bool pre_2_8_migration = false;    ///< CPU and PHB forge pre-2.8 EQUAL fields
    bool pre_2_10_migration = false;   ///< no cpu/compat subsection
    bool pre_2_10_has_unused_icps = false;  ///< dummy icp/server entries
    bool pre_3_0_migration = false;    ///< mig_slb_nr sent; no spapr_cpu VPA state
    bool pre_4_1_migration = false;    ///< hpt-max-page-size cap not sent
    bool legacy_irq_allocation = false;
    /// hostmem's x-use-canonical-path-for-ramblock-id=true (machines older than 4.0): a memory
    /// backend names its RAM block by its QOM path (C15).
    bool hostmem_canonical_ramblock_id = false;
    uint32_t nr_xirqs = 0x1000;
    IrqBackend irq = IrqBackend::Dual;
    ResizeHpt resize_hpt = ResizeHpt::Enabled;
    bool update_dt_enabled = true;
    std::string_view default_cpu = "POWER10";
    CapValues default_caps{};
};

/// All versions, oldest first (pseries-2.12-sxxm right after pseries-2.12).
std::span<const MachineVersion> machine_versions();
/// By name ("pseries" is the latest); nullptr if unknown.
const MachineVersion* find_machine_version(std::string_view name);
/// As an engine build whose newest machine is `newest` sees it: newer versions do not exist
/// and "pseries" aliases `newest` (so "-M pseries" differs between builds, as in QEMU).
const MachineVersion* find_machine_version(std::string_view name, const MachineVersion& newest);
/// The newest version.
const MachineVersion& latest_machine_version();

/// Version ordering helper: true if v is major.minor or older.
bool at_most(const MachineVersion& v, unsigned major, unsigned minor);

}  // namespace ppcmig::machine
