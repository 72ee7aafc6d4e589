#include "ppcmig/util/zeroed_allocator.hpp"

#include <sys/mman.h>

namespace ppcmig::util {

void* map_zero_pages(std::size_t bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
}

void unmap_pages(void* p, std::size_t bytes) noexcept { (void)::munmap(p, bytes); }

}  // namespace ppcmig::util
