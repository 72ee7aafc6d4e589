// Byte-level reading and writing of QEMU migration streams (QEMUFile semantics): big-endian
// integers, counted strings (one length byte), peeking ahead, and a sticky read error — reading
// past the end records -EIO and yields zeros, so callers check error() at the points QEMU does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ppcmig::migration {

class StreamWriter {
public:
    void u8(uint8_t v) { buf_.push_back(v); }
    void be16(uint16_t v);
    void be32(uint32_t v);
    void be64(uint64_t v);
    void bytes(std::span<const uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
    void zeros(size_t n) { buf_.insert(buf_.end(), n, 0); }
    /// Makes room for `additional` more bytes in one allocation (at least doubling, so repeated
    /// calls stay amortised): a RAM pass knows its size up front, and growing a large stream
    /// step by step would copy it again at every step.
    void reserve(size_t additional);
    /// One length byte then the bytes; throws std::length_error at 256 bytes or more.
    void counted(std::string_view s);
    [[nodiscard]] size_t size() const { return buf_.size(); }
    [[nodiscard]] const std::vector<uint8_t>& data() const { return buf_; }
    std::vector<uint8_t> take() { return std::move(buf_); }

private:
    std::vector<uint8_t> buf_;
};

class StreamReader {
public:
    explicit StreamReader(std::span<const uint8_t> data) : data_(data) {}

    uint8_t u8();
    uint16_t be16();
    uint32_t be32();
    uint64_t be64();
    /// Copies n bytes out (zeros past the end, with the sticky error set).
    void bytes(std::span<uint8_t> out);
    void skip(size_t n);
    /// Reads a counted string; returns false (and leaves `out` partial) if it was cut short.
    bool counted(std::string& out);
    /// The byte `ahead` positions from the current one, without consuming; -1 past the end.
    [[nodiscard]] int peek(size_t ahead = 0) const;

    [[nodiscard]] size_t offset() const { return pos_; }
    [[nodiscard]] size_t remaining() const { return pos_ < data_.size() ? data_.size() - pos_ : 0; }
    /// 0, or -EIO once a read went past the end (sticky, as QEMUFile's error).
    [[nodiscard]] int error() const { return error_; }

private:
    /// Big-endian integer of N bytes; the byte-wise path (zeros and -EIO past the end) only
    /// when fewer than N remain.
    template <size_t N>
    uint64_t be();
    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    int error_ = 0;
};

}  // namespace ppcmig::migration
