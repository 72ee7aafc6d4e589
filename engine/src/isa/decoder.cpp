#include "ppcmig/isa/decoder.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

namespace ppcmig::isa {

namespace {
constexpr unsigned kMaxKeyBits = 12;
}

const Decoder& Decoder::get() {
    static const Decoder decoder;
    return decoder;
}

Decoder::Decoder() : primaries_(64) {
    const auto table = instruction_table();
    masks_.reserve(table.size());
    for (const auto& s : table) masks_.push_back(derived_mask(s));

    auto more_specific = [&](uint16_t a, uint16_t b) {
        const int pa = std::popcount(masks_[a]), pb = std::popcount(masks_[b]);
        return pa != pb ? pa > pb : a < b;
    };

    for (unsigned p = 0; p < 64; ++p) {
        std::vector<uint16_t> rows;
        for (uint16_t i = 0; i < table.size(); ++i)
            if (!table[i].prefixed() && ((table[i].match >> 26) & 63) == p) rows.push_back(i);
        Primary& pr = primaries_[p];
        // Key: the bits below the primary opcode that most rows constrain (ties: higher bits).
        std::vector<std::pair<unsigned, unsigned>> counts;  // (count, bit)
        for (unsigned b = 0; b < 26; ++b) {
            unsigned c = 0;
            for (auto r : rows) c += (masks_[r] >> b) & 1;
            if (!rows.empty() && c * 2 >= rows.size() && c > 0) counts.emplace_back(c, b);
        }
        std::sort(counts.begin(), counts.end(), [](auto x, auto y) {
            return x.first != y.first ? x.first > y.first : x.second > y.second;
        });
        for (size_t i = 0; i < counts.size() && i < kMaxKeyBits; ++i) pr.key_bits.push_back(counts[i].second);
        std::sort(pr.key_bits.begin(), pr.key_bits.end());
        const size_t nb = size_t(1) << pr.key_bits.size();
        pr.bucket_start.assign(nb + 1, 0);
        std::vector<std::vector<uint16_t>> buckets(nb);
        for (auto r : rows) {
            for (size_t v = 0; v < nb; ++v) {
                bool ok = true;
                for (size_t k = 0; k < pr.key_bits.size() && ok; ++k) {
                    const unsigned b = pr.key_bits[k];
                    if ((masks_[r] >> b) & 1) ok = ((table[r].match >> b) & 1) == ((v >> k) & 1);
                }
                if (ok) buckets[v].push_back(r);
            }
        }
        for (size_t v = 0; v < nb; ++v) {
            std::sort(buckets[v].begin(), buckets[v].end(), more_specific);
            pr.bucket_start[v] = static_cast<uint32_t>(pr.candidates.size());
            pr.candidates.insert(pr.candidates.end(), buckets[v].begin(), buckets[v].end());
        }
        pr.bucket_start[nb] = static_cast<uint32_t>(pr.candidates.size());
    }
    for (uint16_t i = 0; i < table.size(); ++i)
        if (table[i].prefixed()) prefixed_.push_back(i);
    std::sort(prefixed_.begin(), prefixed_.end(), more_specific);
}

std::optional<uint16_t> Decoder::find(uint32_t word) const {
    const Primary& pr = primaries_[word >> 26];
    size_t v = 0;
    for (size_t k = 0; k < pr.key_bits.size(); ++k) v |= size_t((word >> pr.key_bits[k]) & 1) << k;
    const auto table = instruction_table();
    for (uint32_t i = pr.bucket_start[v]; i < pr.bucket_start[v + 1]; ++i) {
        const uint16_t r = pr.candidates[i];
        if ((word & masks_[r]) == table[r].match) return r;
    }
    return std::nullopt;
}

std::optional<uint16_t> Decoder::find_prefixed(uint32_t prefix, uint32_t suffix) const {
    const uint64_t image = (uint64_t(prefix) << 32) | suffix;
    const auto table = instruction_table();
    for (auto r : prefixed_)
        if ((image & masks_[r]) == table[r].match) return r;
    return std::nullopt;
}

}  // namespace ppcmig::isa
