// SHA-256 through OpenSSL's libcrypto (hardware SHA extensions where the CPU has them): every
// cell hashes its streams, so the digest is on the runner's hot path.
#include "ppcmig/util/sha256.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace ppcmig::util {

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
    std::array<uint8_t, 32> out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
        throw std::runtime_error("SHA-256 failed (libcrypto)");
    return out;
}

std::string sha256_hex(std::span<const uint8_t> data) {
    const auto d = sha256(data);
    return fmt::format("{:02x}", fmt::join(d, ""));
}

}  // namespace ppcmig::util
