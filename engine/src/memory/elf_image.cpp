#include "ppcmig/memory/elf_image.hpp"

#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace ppcmig::memory {

namespace {

constexpr uint16_t kEmPpc64 = 21;
constexpr uint32_t kPtLoad = 1, kPtPhdr = 6;

struct Reader {
    const std::vector<uint8_t>& b;
    bool le;
    const std::string& what;
    template <class T>
    T get(uint64_t off) const {
        if (off > b.size() || sizeof(T) > b.size() - off)
            throw ElfError(fmt::format("{}: truncated ELF (need {} bytes at offset {:#x}, file has {})", what,
                                       sizeof(T), off, b.size()));
        uint64_t v = 0;
        for (size_t i = 0; i < sizeof(T); ++i) {
            const uint64_t byte = b[off + i];
            v |= le ? (byte << (8 * i)) : (byte << (8 * (sizeof(T) - 1 - i)));
        }
        return static_cast<T>(v);
    }
};

}  // namespace

std::vector<std::pair<std::string, uint64_t>> ElfImage::symbols() const {
    static const std::string what = "ELF image";
    const Reader r{bytes, little_endian, what};
    std::vector<std::pair<std::string, uint64_t>> out;
    const auto shoff = r.get<uint64_t>(0x28);
    const auto shentsize = r.get<uint16_t>(0x3A), shnum = r.get<uint16_t>(0x3C);
    if (shoff == 0 || shentsize < 64) return out;
    auto section = [&](unsigned i) { return shoff + uint64_t(i) * shentsize; };
    for (unsigned i = 0; i < shnum; ++i) {
        const uint64_t sh = section(i);
        if (r.get<uint32_t>(sh + 4) != 2) continue;  // SHT_SYMTAB
        const uint64_t off = r.get<uint64_t>(sh + 0x18), size = r.get<uint64_t>(sh + 0x20);
        const uint32_t link = r.get<uint32_t>(sh + 0x28);
        if (link >= shnum) throw ElfError("ELF image: symbol table names a missing string table");
        const uint64_t strtab = r.get<uint64_t>(section(link) + 0x18);
        for (uint64_t e = off; e + 24 <= off + size; e += 24) {
            const uint64_t name = strtab + r.get<uint32_t>(e);
            std::string s;
            for (uint64_t k = name; r.get<uint8_t>(k) != 0; ++k) s.push_back(static_cast<char>(r.get<uint8_t>(k)));
            out.emplace_back(std::move(s), r.get<uint64_t>(e + 8));
        }
    }
    return out;
}

std::optional<uint64_t> ElfImage::file_offset_of(uint64_t vaddr) const {
    for (const auto& s : segments)
        if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return s.file_offset + (vaddr - s.vaddr);
    return std::nullopt;
}

ElfImage ElfImage::read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ElfError(fmt::format("{}: cannot open file", path.string()));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse(std::move(bytes), path.string());
}

ElfImage ElfImage::parse(std::vector<uint8_t> bytes, const std::string& what) {
    if (bytes.size() < 64 || bytes[0] != 0x7F || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F')
        throw ElfError(fmt::format("{}: not an ELF file (bad magic)", what));
    if (bytes[4] != 2) throw ElfError(fmt::format("{}: not a 64-bit ELF (EI_CLASS={})", what, bytes[4]));
    if (bytes[5] != 1 && bytes[5] != 2)
        throw ElfError(fmt::format("{}: unknown byte order (EI_DATA={})", what, bytes[5]));
    ElfImage img;
    img.little_endian = bytes[5] == 1;
    const Reader r{bytes, img.little_endian, what};
    const auto type = r.get<uint16_t>(16);
    if (type != 2 && type != 3) throw ElfError(fmt::format("{}: not an executable (e_type={})", what, type));
    const auto machine = r.get<uint16_t>(18);
    if (machine != kEmPpc64) throw ElfError(fmt::format("{}: not a ppc64 ELF (e_machine={})", what, machine));
    img.entry = r.get<uint64_t>(24);
    const auto phoff = r.get<uint64_t>(32);
    const auto flags = r.get<uint32_t>(48);
    img.phentsize = r.get<uint16_t>(54);
    img.phnum = r.get<uint16_t>(56);
    // e_flags[1:0] == 2 marks ELFv2; anything else is treated as ELFv1 (function descriptors),
    // as the Linux kernel and qemu-user do, whatever the byte order.
    img.abi_version = (flags & 3) == 2 ? 2 : 1;
    if (img.phentsize < 56) throw ElfError(fmt::format("{}: program header entries too small ({})", what, img.phentsize));
    uint64_t first_load_off = ~uint64_t(0), first_load_vaddr = 0;
    for (unsigned i = 0; i < img.phnum; ++i) {
        const uint64_t p = phoff + uint64_t(i) * img.phentsize;
        const auto ptype = r.get<uint32_t>(p);
        if (ptype == kPtPhdr) img.phdr_vaddr = r.get<uint64_t>(p + 16);
        if (ptype != kPtLoad) continue;
        ElfSegment s{};
        s.flags = r.get<uint32_t>(p + 4);
        s.file_offset = r.get<uint64_t>(p + 8);
        s.vaddr = r.get<uint64_t>(p + 16);
        s.filesz = r.get<uint64_t>(p + 32);
        s.memsz = r.get<uint64_t>(p + 40);
        if (s.filesz > s.memsz)
            throw ElfError(fmt::format("{}: segment {} has filesz {:#x} > memsz {:#x}", what, i, s.filesz, s.memsz));
        if (s.file_offset > bytes.size() || s.filesz > bytes.size() - s.file_offset)
            throw ElfError(fmt::format("{}: segment {} extends past the end of the file", what, i));
        if (s.file_offset < first_load_off) {
            first_load_off = s.file_offset;
            first_load_vaddr = s.vaddr;
        }
        img.segments.push_back(s);
    }
    if (img.segments.empty()) throw ElfError(fmt::format("{}: no PT_LOAD segments", what));
    if (img.phdr_vaddr == 0 && first_load_off == 0) img.phdr_vaddr = first_load_vaddr + phoff;
    img.bytes = std::move(bytes);
    return img;
}

void ElfImage::load(GuestMemory& mem) const {
    for (const auto& s : segments) {
        if (!mem.contains(s.vaddr, s.memsz))
            throw ElfError(fmt::format("segment at {:#x} (+{:#x}) does not fit in guest memory of {:#x} bytes",
                                       s.vaddr, s.memsz, mem.size()));
        mem.write(s.vaddr, std::span<const uint8_t>(bytes).subspan(s.file_offset, s.filesz));
        mem.fill(s.vaddr + s.filesz, 0, s.memsz - s.filesz);
    }
}

uint64_t ElfImage::end_address() const {
    uint64_t end = 0;
    for (const auto& s : segments) end = std::max(end, s.vaddr + s.memsz);
    return end;
}

uint64_t ElfImage::read64(const GuestMemory& mem, uint64_t vaddr) const {
    uint8_t b[8];
    mem.read(vaddr, b);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= little_endian ? (uint64_t(b[i]) << (8 * i)) : (uint64_t(b[i]) << (8 * (7 - i)));
    return v;
}

}  // namespace ppcmig::memory
