#include "ppcmig/migration/qemu_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ppcmig::migration {

namespace {

template <size_t N>
std::array<uint8_t, N> big_endian(uint64_t v) {
    std::array<uint8_t, N> b{};
    for (size_t i = 0; i < N; ++i) b[i] = static_cast<uint8_t>(v >> (8 * (N - 1 - i)));
    return b;
}

}  // namespace

void StreamWriter::be16(uint16_t v) { bytes(big_endian<2>(v)); }
void StreamWriter::be32(uint32_t v) { bytes(big_endian<4>(v)); }
void StreamWriter::be64(uint64_t v) { bytes(big_endian<8>(v)); }
void StreamWriter::reserve(size_t additional) {
    const size_t need = buf_.size() + additional;
    if (need > buf_.capacity()) buf_.reserve(std::max(need, 2 * buf_.capacity()));
}
void StreamWriter::counted(std::string_view s) {
    if (s.size() > 255) throw std::length_error(fmt::format("counted string of {} bytes (at most 255): {}", s.size(), s));
    u8(static_cast<uint8_t>(s.size()));
    bytes(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

uint8_t StreamReader::u8() {
    if (pos_ >= data_.size()) {
        error_ = -EIO;
        return 0;
    }
    return data_[pos_++];
}
template <size_t N>
uint64_t StreamReader::be() {
    uint64_t v = 0;
    if (remaining() >= N) {
        for (size_t i = 0; i < N; ++i) v = (v << 8) | data_[pos_ + i];
        pos_ += N;
    } else {
        for (size_t i = 0; i < N; ++i) v = (v << 8) | u8();
    }
    return v;
}
uint16_t StreamReader::be16() { return static_cast<uint16_t>(be<2>()); }
uint32_t StreamReader::be32() { return static_cast<uint32_t>(be<4>()); }
uint64_t StreamReader::be64() { return be<8>(); }
void StreamReader::bytes(std::span<uint8_t> out) {
    const size_t n = std::min(out.size(), remaining());
    if (n) std::memcpy(out.data(), data_.data() + pos_, n);
    if (n < out.size()) {
        std::memset(out.data() + n, 0, out.size() - n);
        error_ = -EIO;
    }
    pos_ += n;
}
void StreamReader::skip(size_t n) {
    if (n > remaining()) {
        pos_ = data_.size();
        error_ = -EIO;
        return;
    }
    pos_ += n;
}
bool StreamReader::counted(std::string& out) {
    const size_t len = u8();
    out.clear();
    if (error_) return false;
    const size_t n = std::min(len, remaining());
    out.assign(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    if (n < len) {
        error_ = -EIO;
        return false;
    }
    return true;
}
int StreamReader::peek(size_t ahead) const {
    return pos_ + ahead < data_.size() ? data_[pos_ + ahead] : -1;
}

}  // namespace ppcmig::migration
