#include "ppcmig/memory/guest_params.hpp"

#include <cstring>

#include <fmt/format.h>

namespace ppcmig::memory {

namespace {
constexpr char kMagic[8] = {'P', 'P', 'C', 'M', 'I', 'G', 'P', '1'};
}

std::map<uint64_t, std::string> guest_param_fields(const ElfImage& image) {
    std::map<uint64_t, std::string> fields;
    for (const auto& [name, value] : image.symbols())
        if (name.starts_with("P_")) fields[value] = name.substr(2);
    return fields;
}

ElfImage with_guest_params(const ElfImage& image, const std::map<std::string, uint64_t>& params) {
    if (params.empty()) return image;
    std::optional<uint64_t> block;
    for (const auto& [name, value] : image.symbols())
        if (name == "guest_params") block = value;
    const auto base = block ? image.file_offset_of(*block) : std::nullopt;
    if (!base || *base + sizeof kMagic > image.bytes.size() || std::memcmp(&image.bytes[*base], kMagic, sizeof kMagic) != 0)
        throw ElfError("guest image has no parameter block (symbol guest_params with magic PPCMIGP1)");
    const auto fields = guest_param_fields(image);
    std::vector<uint8_t> bytes = image.bytes;
    for (const auto& [key, value] : params) {
        uint64_t offset = 0;
        bool found = false;
        std::string known;
        for (const auto& [off, name] : fields) {
            known += (known.empty() ? "" : ", ") + name;
            if (name == key) offset = off, found = true;
        }
        if (!found) throw ElfError(fmt::format("guest has no parameter \"{}\" (parameters: {})", key, known));
        const uint64_t at = *base + offset;
        if (at + 8 > bytes.size()) throw ElfError(fmt::format("guest parameter \"{}\" lies outside the image", key));
        for (int i = 0; i < 8; ++i) {
            const int shift = image.little_endian ? 8 * i : 8 * (7 - i);
            bytes[at + static_cast<size_t>(i)] = static_cast<uint8_t>(value >> shift);
        }
    }
    return ElfImage::parse(std::move(bytes), "guest image with parameters");
}

}  // namespace ppcmig::memory
