// Whole-machine migration streams in QEMU's format: header, configuration, the `ram` section,
// FULL device sections with footers, EOF and the vmdesc JSON trailer; and the loader that
// enforces QEMU's rules and reports QEMU's message chain.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

inline constexpr uint32_t kQemuVmMagic = 0x5145564D;  // "QEVM"
inline constexpr uint32_t kQemuVmVersion = 3;

/// Saves the machine's complete state (RAM in one pass, then every device) as a stream.
std::vector<uint8_t> save_machine(machine::SpaprMachine& m);

/// Live pre-copy parameters (virtual time: the 512 MHz time base).
struct PrecopyParams {
    uint64_t bandwidth = 64ull << 20;     ///< bytes per virtual millisecond
    uint64_t downtime_ns = 1'000'000;     ///< stop when the rest would transfer within this
    unsigned max_iterations = 30;         ///< then stop and copy whatever is still dirty
};

struct PrecopyStats {
    unsigned iterations = 0;
    uint64_t pages_sent = 0;
    uint64_t final_pages = 0;             ///< pages copied while stopped
    uint64_t downtime_ns = 0;             ///< transfer time of the stop-and-copy phase
    uint64_t stop_time = 0;               ///< time base when the guest was stopped
    std::vector<uint64_t> dirty_per_iteration;
};

/// Live migration: a full RAM pass and iterations over the dirty log while the guest keeps
/// running on `m` (each pass takes the virtual time its transfer needs at the bandwidth), until
/// the remaining dirty pages fit the downtime or the iterations run out; then stop-and-copy of
/// the remaining pages and every device. Returns the complete stream.
std::vector<uint8_t> save_machine_live(machine::SpaprMachine& m, const PrecopyParams& p, PrecopyStats& stats);

/// Loads a stream into a machine configured on the destination side. Throws LoadError whose
/// chain ends with "load of migration failed: <strerror>"; warnings go to `warnings`.
void load_machine(machine::SpaprMachine& m, std::span<const uint8_t> stream, std::vector<std::string>& warnings);

/// True when the 4 KiB page at `page` is all zeros (sent as a zero page).
bool page_is_zero(const uint8_t* page);

/// The RAM block name the machine registers (QEMU's idstr of the main RAM block).
std::string ram_block_name(const machine::SpaprMachine& m);

/// Identifies a vmstate dump (describe_machine's output) and the version of its layout.
inline constexpr std::string_view kVmstateDumpFormat = "ppcmig-vmstate-dump";
inline constexpr int kVmstateDumpFormatVersion = 1;

/// The static description of everything the machine registers for migration, as JSON: the
/// configuration section (machine type), the `ram` section (version 4, its blocks), every
/// registered section in registration order (idstr, instance, whether it is ever sent, the
/// vmsd as describe(vmsd, state) gives it: checked fields carry the value this machine would
/// compare incoming ones with, subsections whether needed() holds now), and the spapr caps
/// (default, effective, command line). Reads the machine's current state; runs no hook.
/// Deterministic: the same machine configuration gives the same text.
nlohmann::json describe_machine(machine::SpaprMachine& m);

}  // namespace ppcmig::migration
