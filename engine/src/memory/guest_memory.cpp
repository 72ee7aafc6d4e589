#include "ppcmig/memory/guest_memory.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace ppcmig::memory {

GuestMemory::GuestMemory(uint64_t size) : size_(size) {
    if (size == 0 || (size & (kPageSize - 1)) != 0)
        throw std::invalid_argument(fmt::format("guest memory size {:#x} is not a non-zero multiple of 4 KiB", size));
    // MAP_NORESERVE: large address spaces (user mode reserves 4 GiB) cost only what is touched.
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error(fmt::format("cannot map {} bytes of guest memory", size));
    base_ = static_cast<uint8_t*>(p);
    // Transparent huge pages, like QEMU's guest RAM: first-touch faults (a migration destination
    // writes every page) cost a fraction. Advisory; failure is harmless.
    (void)::madvise(p, size, MADV_HUGEPAGE);
    flags_.assign(size >> kPageShift, 0);
}

GuestMemory::~GuestMemory() { release(); }

GuestMemory::GuestMemory(GuestMemory&& o) noexcept
    : base_(std::exchange(o.base_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      flags_(std::move(o.flags_)),
      dirty_list_(std::move(o.dirty_list_)),
      all_dirty_(std::exchange(o.all_dirty_, false)) {}

GuestMemory& GuestMemory::operator=(GuestMemory&& o) noexcept {
    if (this != &o) {
        release();
        base_ = std::exchange(o.base_, nullptr);
        size_ = std::exchange(o.size_, 0);
        flags_ = std::move(o.flags_);
        dirty_list_ = std::move(o.dirty_list_);
        all_dirty_ = std::exchange(o.all_dirty_, false);
    }
    return *this;
}

void GuestMemory::release() {
    if (base_ != nullptr) ::munmap(base_, size_);
    base_ = nullptr;
}

void GuestMemory::write(uint64_t addr, std::span<const uint8_t> bytes) {
    if (!contains(addr, bytes.size()))
        throw std::out_of_range(fmt::format("write of {} bytes at {:#x} is outside guest memory", bytes.size(), addr));
    if (bytes.empty()) return;
    std::memcpy(base_ + addr, bytes.data(), bytes.size());
    mark_dirty(addr, bytes.size());
}

void GuestMemory::read(uint64_t addr, std::span<uint8_t> out) const {
    if (!contains(addr, out.size()))
        throw std::out_of_range(fmt::format("read of {} bytes at {:#x} is outside guest memory", out.size(), addr));
    if (!out.empty()) std::memcpy(out.data(), base_ + addr, out.size());
}

void GuestMemory::fill(uint64_t addr, uint8_t value, uint64_t len) {
    if (!contains(addr, len))
        throw std::out_of_range(fmt::format("fill of {} bytes at {:#x} is outside guest memory", len, addr));
    if (len == 0) return;
    if (value != 0) {
        std::memset(base_ + addr, value, len);
        mark_dirty(addr, len);
        return;
    }
    // Zeros into a page never written change nothing (it reads as zero): leave it untouched, so
    // that a guest's bss costs no host pages and no dirty pages.
    for (uint64_t a = addr, end = addr + len; a < end;) {
        const uint64_t page = a >> kPageShift;
        const uint64_t n = std::min(end, (page + 1) << kPageShift) - a;
        if (touched(page)) {
            std::memset(base_ + a, 0, n);
            mark_dirty(a, n);
        }
        a += n;
    }
}

bool GuestMemory::mark_dirty(uint64_t addr, uint64_t len) {
    if (len == 0) return false;
    bool code = false;
    const uint64_t first = addr >> kPageShift, last = (addr + len - 1) >> kPageShift;
    for (uint64_t p = first; p <= last; ++p) {
        code |= (flags_[p] & kPageCode) != 0;
        note_write(p);
    }
    return code;
}

std::vector<uint64_t> GuestMemory::collect_dirty() {
    if (!all_dirty_) {
        std::vector<uint64_t> pages = std::move(dirty_list_);
        dirty_list_.clear();
        std::sort(pages.begin(), pages.end());
        for (uint64_t p : pages) flags_[p] &= uint8_t(~kPageDirty);
        return pages;
    }
    // After mark_all_dirty: every page, eight flag bytes per step.
    constexpr uint64_t kDirtyBytes = 0x0101010101010101ULL * kPageDirty;
    std::vector<uint64_t> pages;
    const uint64_t n = flags_.size();
    uint64_t p = 0;
    for (; p + 8 <= n; p += 8) {
        uint64_t word;
        std::memcpy(&word, flags_.data() + p, sizeof word);
        if ((word & kDirtyBytes) == 0) continue;
        for (uint64_t q = p; q < p + 8; ++q) {
            if (flags_[q] & kPageDirty) {
                pages.push_back(q);
                flags_[q] &= uint8_t(~kPageDirty);
            }
        }
    }
    for (; p < n; ++p) {
        if (flags_[p] & kPageDirty) {
            pages.push_back(p);
            flags_[p] &= uint8_t(~kPageDirty);
        }
    }
    dirty_list_.clear();
    all_dirty_ = false;
    return pages;
}

uint64_t GuestMemory::dirty_count() const {
    if (!all_dirty_) return dirty_list_.size();
    uint64_t n = 0;
    for (uint8_t f : flags_) n += (f & kPageDirty) != 0;
    return n;
}

std::vector<uint64_t> GuestMemory::touched_pages() const {
    std::vector<uint64_t> pages;
    for (uint64_t p = 0; p < flags_.size(); ++p)
        if (flags_[p] & kPageTouched) pages.push_back(p);
    return pages;
}

void GuestMemory::mark_all_dirty() {
    for (auto& f : flags_) f |= kPageDirty;
    all_dirty_ = true;
    dirty_list_.clear();
}

}  // namespace ppcmig::memory
