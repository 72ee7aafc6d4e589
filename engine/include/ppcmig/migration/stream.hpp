// Whole-machine migration streams in QEMU's format: header, configuration, the `ram` section,
// FULL device sections with footers, EOF and the vmdesc JSON trailer; and the loader that
// enforces QEMU's rules and reports QEMU's message chain.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

inline constexpr uint32_t kQemuVmMagic = 0x5145564D;  // "QEVM"
inline constexpr uint32_t kQemuVmVersion = 3;

/// Saves the machine's complete state (RAM in one pass, then every device) as a stream.
std::vector<uint8_t> save_machine(machine::SpaprMachine& m);

/// Loads a stream into a machine configured on the destination side. Throws LoadError whose
/// chain ends with "load of migration failed: <strerror>"; warnings go to `warnings`.
void load_machine(machine::SpaprMachine& m, std::span<const uint8_t> stream, std::vector<std::string>& warnings);

/// The RAM block name the machine registers (QEMU's idstr of the main RAM block).
std::string ram_block_name(const machine::SpaprMachine& m);

}  // namespace ppcmig::migration
