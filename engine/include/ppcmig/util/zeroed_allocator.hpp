// An allocator for large tables whose all-zero value means "empty" (a block cache, page
// generations): large storage is mapped anonymously, so a fresh table costs no memset and its
// pages are faulted in only when used (calloc would clear memory it recycles from the heap,
// touching every page), and constructing an element without arguments leaves it zero.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace ppcmig::util {

/// `bytes` of fresh zero pages in a mapping of their own (std::bad_alloc when none), and back.
void* map_zero_pages(std::size_t bytes);
void unmap_pages(void* p, std::size_t bytes) noexcept;

/// For vectors sized once (`std::vector<T, ZeroedAllocator<T>> v(n)` is n zero elements without
/// writing them). Growing a vector after shrinking it would leave the old values in place: use
/// assign/fill for that.
template <class T>
class ZeroedAllocator {
    static_assert(std::is_trivially_default_constructible_v<T> && std::is_trivially_destructible_v<T>,
                  "zero bytes must be a valid T");

public:
    using value_type = T;

    ZeroedAllocator() noexcept = default;
    template <class U>
    explicit ZeroedAllocator(const ZeroedAllocator<U>& /*other*/) noexcept {}

    T* allocate(std::size_t n) {
        if (n > kMaxBytes / sizeof(T)) throw std::bad_alloc();
        if (n * sizeof(T) >= kMapBytes) return static_cast<T*>(map_zero_pages(n * sizeof(T)));
        void* p = std::calloc(n, sizeof(T));
        if (p == nullptr) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) >= kMapBytes) unmap_pages(p, n * sizeof(T));
        else std::free(p);
    }

    /// Without arguments: the element is already zero.
    template <class U>
    void construct(U* /*p*/) noexcept {}
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }

    template <class U>
    bool operator==(const ZeroedAllocator<U>& /*other*/) const noexcept { return true; }

private:
    static constexpr std::size_t kMapBytes = std::size_t(64) << 10;  // from here on: its own mapping
    static constexpr std::size_t kMaxBytes = std::size_t(1) << 40;
};

}  // namespace ppcmig::util
