// An allocator for large tables whose all-zero value means "empty" (a block cache, page
// generations): the storage comes from calloc, so a fresh table costs no memset and its pages
// are faulted in only when used, and constructing an element without arguments leaves it zero.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

namespace ppcmig::util {

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
        void* p = std::calloc(n, sizeof(T));
        if (p == nullptr) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t /*n*/) noexcept { std::free(p); }

    /// Without arguments: the element is already zero.
    template <class U>
    void construct(U* /*p*/) noexcept {}
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }

    template <class U>
    bool operator==(const ZeroedAllocator<U>& /*other*/) const noexcept { return true; }
};

}  // namespace ppcmig::util
