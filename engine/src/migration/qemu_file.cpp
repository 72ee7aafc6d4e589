#include "ppcmig/migration/qemu_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ppcmig::migration {

void StreamWriter::be16(uint16_t v) {
    u8(static_cast<uint8_t>(v >> 8));
    u8(static_cast<uint8_t>(v));
}
void StreamWriter::be32(uint32_t v) {
    be16(static_cast<uint16_t>(v >> 16));
    be16(static_cast<uint16_t>(v));
}
void StreamWriter::be64(uint64_t v) {
    be32(static_cast<uint32_t>(v >> 32));
    be32(static_cast<uint32_t>(v));
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
uint16_t StreamReader::be16() {
    const uint16_t hi = u8();
    return static_cast<uint16_t>((hi << 8) | u8());
}
uint32_t StreamReader::be32() {
    const uint32_t hi = be16();
    return (hi << 16) | be16();
}
uint64_t StreamReader::be64() {
    const uint64_t hi = be32();
    return (hi << 32) | be32();
}
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
