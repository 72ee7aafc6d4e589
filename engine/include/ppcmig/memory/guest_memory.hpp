// Guest RAM: one flat, lazily-committed host mapping with a per-page dirty log (for live
// migration) and per-page code marks (for invalidating pre-decoded blocks on self-modifying code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ppcmig::memory {

inline constexpr unsigned kPageShift = 12;               ///< TARGET_PAGE_SIZE on ppc
inline constexpr uint64_t kPageSize = uint64_t(1) << kPageShift;

/// Page flag bits kept per 4 KiB page.
enum PageFlag : uint8_t {
    kPageDirty = 1,  ///< written since the dirty log was last collected
    kPageCode = 2,   ///< pre-decoded blocks exist for this page
    /// Ever written (by the guest or the host). Never cleared: a page without it reads as zero,
    /// so comparing two memories needs only the pages either has touched.
    kPageTouched = 4,
};

/// A flat guest-physical (or, in user mode, guest-virtual) address space [0, size).
/// Move-only; the mapping is released on destruction. Fresh memory reads as zero.
class GuestMemory {
public:
    explicit GuestMemory(uint64_t size);
    ~GuestMemory();
    GuestMemory(GuestMemory&& other) noexcept;
    GuestMemory& operator=(GuestMemory&& other) noexcept;
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;

    [[nodiscard]] uint64_t size() const { return size_; }
    [[nodiscard]] uint64_t page_count() const { return size_ >> kPageShift; }
    [[nodiscard]] uint8_t* data() { return base_; }
    [[nodiscard]] const uint8_t* data() const { return base_; }

    /// True if [addr, addr+len) lies inside RAM (overflow-safe).
    [[nodiscard]] bool contains(uint64_t addr, uint64_t len) const {
        return len <= size_ && addr <= size_ - len;
    }

    /// Page flags, indexed by page number (addr >> kPageShift).
    [[nodiscard]] uint8_t* page_flags() { return flags_.data(); }
    [[nodiscard]] uint8_t page_flag(uint64_t page) const { return flags_[page]; }
    /// Whether the page was ever written (a page that was not reads as zero).
    [[nodiscard]] bool touched(uint64_t page) const { return (flags_[page] & kPageTouched) != 0; }

    /// Host-side writes (loader, migration): copy bytes in and mark pages dirty.
    void write(uint64_t addr, std::span<const uint8_t> bytes);
    void read(uint64_t addr, std::span<uint8_t> out) const;
    /// Zeros into a page never written leave it untouched and clean (it reads as zero already).
    void fill(uint64_t addr, uint8_t value, uint64_t len);

    /// Marks every page of [addr, addr+len) dirty. Returns true if any of them holds code.
    bool mark_dirty(uint64_t addr, uint64_t len);
    /// A write to `page` (the CPU's store path once a page is not yet dirty): dirty and touched.
    void note_write(uint64_t page) {
        if (!(flags_[page] & kPageDirty)) dirty_list_.push_back(page);
        flags_[page] |= kPageDirty | kPageTouched;
    }

    /// Dirty-log collection: the dirty pages in ascending order; clears their dirty flags.
    std::vector<uint64_t> collect_dirty();
    /// Number of pages currently marked dirty.
    [[nodiscard]] uint64_t dirty_count() const;
    /// Marks every page dirty (start of a migration's first pass).
    void mark_all_dirty();
    /// Pages ever written, in ascending order (every other page reads as zero).
    [[nodiscard]] std::vector<uint64_t> touched_pages() const;

    /// Code marks (managed by the CPU's block cache).
    void set_code(uint64_t page) { flags_[page] |= kPageCode; }
    void clear_code(uint64_t page) { flags_[page] &= uint8_t(~kPageCode); }

private:
    void release();
    uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
    std::vector<uint8_t> flags_;
    /// Pages that became dirty since the last collection, in that order (unless all_dirty_):
    /// a collection costs what was written, not the size of RAM.
    std::vector<uint64_t> dirty_list_;
    bool all_dirty_ = false;
};

}  // namespace ppcmig::memory
