// SHA-256 (FIPS 180-4) of a byte string, so that both ends of a migration — and a Python driver
// with hashlib — can check that the stream arrived intact without comparing whole streams.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace ppcmig::util {

/// The 32-byte digest of `data`.
std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);

/// The digest as 64 lowercase hex digits (hashlib's hexdigest()).
std::string sha256_hex(std::span<const uint8_t> data);

}  // namespace ppcmig::util
