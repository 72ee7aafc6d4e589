// pseries machine versions (pseries-2.1 … pseries-10.1, pseries-2.12-sxxm) and the class options
// that matter for migration. Like QEMU, each version is its next-newer version plus deltas; the
// table of deltas is the single source of truth for machine defaults.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// ---- User changesets: machine versions as an edited build sees them ----

/// set_cap_default: a cap's default on one machine version. With `inherit`, it is a line added
/// to that version's class options: every older version inherits it unless its own delta sets
/// the cap again (QEMU's spapr_machine_X_Y_class_options chain); otherwise only that version.
struct CapDefaultEdit {
    std::string machine;  ///< "pseries-9.0"
    CapId cap{};
    uint8_t value = 0;
    bool inherit = true;
};

/// add_machine: a new version with the class options of `based_on` (as edited), e.g. the next
/// release's "pseries-11.0" on top of pseries-10.1.
struct MachineAddition {
    std::string name;      ///< "pseries-MAJOR.MINOR"
    std::string based_on;  ///< an existing or previously added version
    bool alias_pseries = false;  ///< plain "pseries" means this one
};

/// An edit that does not fit the build: `index` into the cap edits (`addition` false) or the
/// additions, `key` the offending key ("machine", "name", "based_on", "alias_pseries").
class MachineEditError : public std::invalid_argument {
public:
    MachineEditError(bool addition, size_t index, std::string key, const std::string& message)
        : std::invalid_argument(message), addition(addition), index(index), key(std::move(key)) {}
    bool addition;
    size_t index;
    std::string key;
};

/// The machine versions of an engine build whose changesets edit them. MachineConfigs made with
/// it share ownership, so their version pointers stay valid.
class MachineVersionTable {
public:
    /// The versions up to `newest` (the build's own) rebuilt with `caps` applied, plus
    /// `additions` (in order; each may be based on an earlier one). Cap edits of added versions
    /// apply to them alone. Throws MachineEditError.
    static std::shared_ptr<const MachineVersionTable> make(const MachineVersion& newest,
                                                           std::span<const CapDefaultEdit> caps,
                                                           std::span<const MachineAddition> additions);
    /// By name; "pseries" is the alias. nullptr if the build does not have it.
    [[nodiscard]] const MachineVersion* find(std::string_view name) const;
    /// Oldest first (added versions in version order).
    [[nodiscard]] std::span<const MachineVersion> versions() const { return versions_; }
    /// What plain "pseries" means.
    [[nodiscard]] const MachineVersion& alias() const { return versions_[alias_]; }

private:
    std::vector<MachineVersion> versions_;
    size_t alias_ = 0;
};

}  // namespace ppcmig::machine
