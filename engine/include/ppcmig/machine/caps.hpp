// spapr capabilities: names, value domains, defaults and CPU-derived overrides, parsing, and
// the apply-time policy per accelerator with QEMU's error and warning texts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/cpu/model.hpp"

namespace ppcmig::machine {

/// Capability index (also the order of the spapr/cap/* subsections in the stream).
enum class CapId : uint8_t {
    Htm, Vsx, Dfp, Cfpc, Sbbc, Ibs, HptMaxPageSize, NestedKvmHv, LargeDecr, CcfAssist, Fwnmi,
    RptInvalidate, AilMode3, NestedPapr, Dawr1,
};
inline constexpr size_t kCapCount = 15;

/// Value domains.
enum class CapType : uint8_t { Bool, Tristate, Ibs, PageSize };

/// Tristate and IBS values (a higher value is a superset of the lower ones).
namespace capval {
inline constexpr uint8_t OFF = 0, ON = 1;
inline constexpr uint8_t BROKEN = 0, WORKAROUND = 1, FIXED = 2;
inline constexpr uint8_t FIXED_IBS = 2, FIXED_CCD = 3, FIXED_NA = 4;
}  // namespace capval

struct CapInfo {
    CapId id;
    std::string_view name;   ///< property name without "cap-": "hpt-max-page-size"
    std::string_view sname;  ///< vmstate subsection suffix: "hpt_maxpagesize"
    CapType type;
    /// CPU-derived override (default_caps_with_cpu): when the CPU cannot run in this logical
    /// PVR's compat mode within max-cpu-compat, the default becomes cpu_override_value.
    uint32_t cpu_min_pvr;    ///< 0: no CPU-derived override
    uint8_t cpu_override_value;
};

using CapValues = std::array<uint8_t, kCapCount>;

std::span<const CapInfo> cap_table();
const CapInfo& cap_info(CapId id);
const CapInfo* find_cap(std::string_view name);

/// Text of a value ("on", "workaround", "fixed-ccd", "64K"...).
std::string cap_value_text(CapId id, uint8_t v);

/// A rejected capability value or setting; message() is QEMU's text, hint() its hint line.
class CapError : public std::runtime_error {
public:
    CapError(std::string msg, std::string hint = {}) : std::runtime_error(std::move(msg)), hint_(std::move(hint)) {}
    [[nodiscard]] const std::string& hint() const { return hint_; }

private:
    std::string hint_;
};

/// Parses the value of `-machine cap-<name>=<text>`; throws CapError with QEMU's message.
uint8_t parse_cap_value(const CapInfo& cap, std::string_view text);

/// spapr_caps_post_migration's verdict on one cap: the incoming level `src` against what the
/// destination runs. Error text when src is higher (the load fails), warning text when lower,
/// nullopt when equal. `name` without "cap-".
struct CapLevelVerdict {
    bool error;
    std::string message;
};
std::optional<CapLevelVerdict> compare_cap_level(std::string_view name, uint8_t src, uint8_t dst);

/// Defaults adjusted for a CPU model and max-cpu-compat (QEMU's default_caps_with_cpu).
CapValues default_caps_with_cpu(const CapValues& machine_defaults, const cpu::CpuModel& cpu, uint32_t max_compat_pvr);

/// Accelerator models.
enum class Accel : uint8_t { Tcg, KvmHv };
std::string_view to_string(Accel a);

/// What the (modelled) KVM-HV host supports; defaults describe a POWER9 host (MachineConfig's
/// default -host-cpu), MachineConfig derives the large decrementer from its -host-cpu.
struct KvmHost {
    uint8_t max_cfpc = capval::WORKAROUND;
    uint8_t max_sbbc = capval::WORKAROUND;
    uint8_t max_ibs = capval::WORKAROUND;
    bool ail_mode_3 = true;
    bool rpt_invalidate = false;
    bool nested_hv = false;
    unsigned host_page_shift = 16;  ///< 64 KiB pages, as ppc64 hosts use
    /// Width of the host's large decrementer as QEMU's KVM init reads it (the host CPU node's
    /// "ibm,dec-bits" device-tree property); 0: the host has none (POWER8 and older).
    unsigned large_decr_bits = 56;
};

/// The large decrementer a host of this CPU model advertises: its width when wider than the
/// 32-bit decrementer, else 0 (no "ibm,dec-bits" on the host).
[[nodiscard]] unsigned host_large_decr_bits(const cpu::CpuModel& host);

/// Valid KvmHost::large_decr_bits: 0, or a width from 33 to 64 bits.
inline constexpr unsigned kMinLargeDecrBits = 33, kMaxLargeDecrBits = 64;

/// Apply-time checks of effective caps (spapr_caps_apply). Throws CapError on a fatal error,
/// appends warnings (QEMU's "warning:" texts without the prefix) otherwise.
void apply_caps(const CapValues& eff, const cpu::CpuModel& cpu, uint32_t max_compat_pvr, Accel accel,
                unsigned smp_threads, const KvmHost& host, std::vector<std::string>& warnings);

}  // namespace ppcmig::machine
