// Decoder derived from the instruction table: instruction image -> table row.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ppcmig/isa/insn.hpp"

namespace ppcmig::isa {

/// Immutable lookup structure built once from instruction_table().
class Decoder {
public:
    /// The process-wide decoder (built on first use; read-only afterwards).
    static const Decoder& get();

    /// Row index for a 32-bit instruction word, or nullopt if no row matches.
    [[nodiscard]] std::optional<uint16_t> find(uint32_t word) const;
    /// Row index for a prefixed instruction (prefix word, suffix word), or nullopt.
    [[nodiscard]] std::optional<uint16_t> find_prefixed(uint32_t prefix, uint32_t suffix) const;

    /// True when the word is a prefix (primary opcode 1).
    static constexpr bool is_prefix(uint32_t word) { return (word >> 26) == 1; }

private:
    Decoder();
    struct Primary {
        std::vector<unsigned> key_bits;          // bit positions (LSB numbering) forming the key
        std::vector<uint32_t> bucket_start;      // size 2^k + 1, into candidates
        std::vector<uint16_t> candidates;        // row indices, most specific first
    };
    std::vector<Primary> primaries_;  // 64
    std::vector<uint16_t> prefixed_;  // most specific first
    std::vector<uint64_t> masks_;     // derived mask per row
};

}  // namespace ppcmig::isa
