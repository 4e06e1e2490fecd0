#include "store/fork_excluded_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <new>

namespace ccmon::store {
namespace {

std::size_t page_size() {
  static const auto size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

std::size_t mapped_length(std::size_t bytes) {
  const std::size_t page = page_size();
  return (std::max<std::size_t>(bytes, 1) + page - 1) / page * page;
}

class ForkExcludedMemory final : public std::pmr::memory_resource {
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    if (alignment > page_size()) throw std::bad_alloc();  // mappings align to pages
    const std::size_t length = mapped_length(bytes);
    void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Should it be refused (ENOMEM past vm.max_map_count, say), the memory
    // is shared with a child like any other: slower, not wrong.
    (void)madvise(p, length, MADV_DONTFORK);
    (void)madvise(p, length, MADV_HUGEPAGE);  // a hint: refused or ignored, 4 KiB pages
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t) override {
    munmap(p, mapped_length(bytes));
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }
};

}  // namespace

std::pmr::memory_resource* fork_excluded_memory() {
  static auto* const memory = new ForkExcludedMemory;
  return memory;
}

}  // namespace ccmon::store
