// ELF64 PowerPC images: parsing and loading PT_LOAD segments into guest memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ppcmig/memory/guest_memory.hpp"

namespace ppcmig::memory {

/// A malformed or unsupported ELF file; the message says what and where.
class ElfError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ElfSegment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t file_offset;
    uint64_t filesz;
    uint32_t flags;  ///< PF_R/PF_W/PF_X
};

/// A parsed ELF64 ppc64 executable.
struct ElfImage {
    bool little_endian = false;
    unsigned abi_version = 1;     ///< 1: ELFv1 (function descriptors), 2: ELFv2
    uint64_t entry = 0;           ///< e_entry as written (a descriptor address for ELFv1)
    uint64_t phdr_vaddr = 0;      ///< where the program headers are mapped (for AT_PHDR)
    uint16_t phnum = 0;
    uint16_t phentsize = 0;
    std::vector<ElfSegment> segments;
    std::vector<uint8_t> bytes;   ///< the whole file

    /// Parses a file; throws ElfError with the file name and the reason.
    static ElfImage read(const std::filesystem::path& path);
    /// Parses bytes already in memory; `what` names them in errors.
    static ElfImage parse(std::vector<uint8_t> bytes, const std::string& what);

    /// Copies every PT_LOAD segment into mem (zero-filling .bss). Throws ElfError if a segment
    /// does not fit.
    void load(GuestMemory& mem) const;
    /// Highest address any segment occupies (end of .bss).
    [[nodiscard]] uint64_t end_address() const;
    /// The symbol table (SHT_SYMTAB) as name -> value, in table order; empty when stripped.
    [[nodiscard]] std::vector<std::pair<std::string, uint64_t>> symbols() const;
    /// File offset of virtual address `vaddr` inside a PT_LOAD segment's file bytes, if any.
    [[nodiscard]] std::optional<uint64_t> file_offset_of(uint64_t vaddr) const;
    /// Reads a 64-bit value from the loaded image at vaddr in the image's byte order.
    [[nodiscard]] uint64_t read64(const GuestMemory& mem, uint64_t vaddr) const;
};

}  // namespace ppcmig::memory
