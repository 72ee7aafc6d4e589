// MachineConfig: a pseries guest configured exactly as QEMU users write it
// ("-machine pseries-2.7,max-cpu-compat=power7,cap-htm=off -cpu POWER8 -smp 2 -m 512M -accel tcg"),
// with a structured form and QEMU's error texts for bad options.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/cpu/model.hpp"
#include "ppcmig/machine/caps.hpp"
#include "ppcmig/machine/compat.hpp"
#include "ppcmig/machine/machine_version.hpp"

namespace ppcmig::machine {

/// Interrupt-controller mode as the ic-mode property names it.
enum class IcMode : uint8_t { Legacy, Xics, Xive, Dual };
std::string_view to_string(IcMode m);

/// A rejected configuration: `option` is the option as given ("-machine pseries-2.7,cap-x=y"),
/// `message` QEMU's text, `hint` an optional hint line.
/// QEMU-style option text split into arguments: whitespace separates, single or double quotes
/// group (as a shell would for a command line written in one string).
std::vector<std::string> split_options(std::string_view options);

class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string option, std::string message, std::string hint = {});
    std::string option, message, hint;
    /// The release does not know what was asked for (machine version, CPU model, compat mode):
    /// the configuration is not meaningful for this build, rather than refused by it.
    bool unknown_to_build = false;
    ConfigError& unknown() {
        unknown_to_build = true;
        return *this;
    }
};

/// What one release (engine build) knows: its machine versions, CPU models and compat modes.
struct ReleaseLimits {
    const MachineVersion* newest = nullptr;           ///< newest machine version (null: every one)
    cpu::Family newest_family = cpu::Family::Power10; ///< newest CPU family with models
    CompatRules compat{};
    bool caps = true;                                 ///< the spapr capabilities exist (2.12+)
    /// A build edited by a user changeset: its own machine-version table (cap defaults, added
    /// versions), consulted instead of the shipped one (`newest` is then ignored).
    std::shared_ptr<const MachineVersionTable> versions;
};

/// The modelled KVM host's CPU when -host-cpu is not given.
inline constexpr std::string_view kDefaultHostCpu = "POWER9";

struct MachineConfig {
    const MachineVersion* version = nullptr;  ///< resolved machine version (never null after parse)
    /// Owns `version` when it comes from an edited build's table (ReleaseLimits::versions).
    std::shared_ptr<const MachineVersionTable> version_table;
    cpu::CpuModel cpu{};                       ///< resolved CPU model
    bool cpu_is_host = false;                  ///< "-cpu host" (kvm-hv)
    uint32_t max_compat_pvr = 0;               ///< max-cpu-compat as a logical PVR (0: none)
    bool compat_from_cpu_property = false;     ///< set through the legacy "-cpu X,compat=Y"
    std::array<std::optional<uint8_t>, kCapCount> cap_cmdline{};  ///< caps the user set
    std::optional<IcMode> ic_mode_cmdline;
    unsigned smp = 1;
    unsigned max_cpus = 1;                     ///< -smp maxcpus= (possible vCPUs; hotplug is not modelled)
    unsigned threads = 1;
    uint64_t ram_bytes = uint64_t(512) << 20;
    Accel accel = Accel::Tcg;
    KvmHost kvm_host{};
    std::string host_cpu{kDefaultHostCpu};     ///< what "-cpu host" means under kvm-hv; the host's large decrementer
    std::vector<std::string> warnings;         ///< QEMU warnings produced while parsing

    /// Parses QEMU-style options. Throws ConfigError. `newest` is the newest machine version
    /// the engine build knows (null: every version).
    static MachineConfig parse(std::string_view options, const MachineVersion* newest = nullptr);
    static MachineConfig parse_args(std::span<const std::string> argv, const MachineVersion* newest = nullptr);
    /// Parses with what a release knows: newer machine versions are unsupported, newer CPU
    /// models unknown, newer compat modes invalid.
    static MachineConfig parse_args(std::span<const std::string> argv, const ReleaseLimits& limits);
    static MachineConfig parse(std::string_view options, const ReleaseLimits& limits);

    /// Defaults for this machine version, CPU and max-cpu-compat (with the host-derived
    /// hpt-max-page-size of pseries-2.12 and older resolved for the accelerator).
    [[nodiscard]] CapValues default_caps() const;
    /// Defaults overridden by the command line.
    [[nodiscard]] CapValues effective_caps() const;
    /// ic-mode in force (the user's, else the machine class's backend).
    [[nodiscard]] IcMode ic_mode() const;
    /// Checks the caps against the accelerator (spapr_caps_apply): throws ConfigError naming
    /// the -machine option, appends warnings.
    void apply_caps(std::vector<std::string>& warnings) const;
    /// Canonical QEMU-style text that parses back to this configuration.
    [[nodiscard]] std::string to_args() const;
};

}  // namespace ppcmig::machine
