// The parameter block of ppcmig's guests (scenarios/guests/ABI.md: "PPCMIGP1" at the symbol
// guest_params, one 64-bit field per parameter at offset P_<key>, in the image's byte order).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ppcmig/memory/elf_image.hpp"

namespace ppcmig::memory {

/// The image with parameter fields set, the way a loader patches the image before running it.
/// Throws ElfError for an image without a parameter block, or a key it does not have (naming the
/// keys it has).
ElfImage with_guest_params(const ElfImage& image, const std::map<std::string, uint64_t>& params);

/// The parameter names of the image's block, in field order (empty without a block).
std::map<uint64_t, std::string> guest_param_fields(const ElfImage& image);

}  // namespace ppcmig::memory
