#include "server/huge_page_heap.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // Linux 6.1; older C library headers lack it
#endif

namespace ccmon::server {

void* map_huge_page_aligned(std::size_t bytes, std::size_t alignment, std::size_t& actual) {
  // A power of two (0 taken as 1), else the trimmed ends need not be whole pages.
  if ((alignment & (alignment - 1)) != 0) return nullptr;
  const std::size_t align = std::max(kHugePageBytes, alignment);
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  bytes = std::max<std::size_t>(bytes, 1);
  if (bytes > kMax - kHugePageBytes || align > kMax / 2) return nullptr;
  const std::size_t length = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (length > kMax - align) return nullptr;
  // Over-map by the alignment, then give back the ends: mmap aligns only
  // to 4 KiB, and a huge page needs a 2 MiB-aligned range.
  const std::size_t span = length + align;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto lo = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t start = (lo + align - 1) / align * align;
  if (start > lo) munmap(raw, start - lo);
  const std::uintptr_t tail = lo + span - (start + length);
  if (tail > 0) munmap(reinterpret_cast<void*>(start + length), tail);
  void* p = reinterpret_cast<void*>(start);
  (void)madvise(p, length, MADV_HUGEPAGE);  // a hint: refused or ignored, 4 KiB pages
  actual = length;
  return p;
}

namespace {

// The heap's mappings, appended under the allocator's lock and read by
// collapse_heap(): an entry is written before the count that publishes it,
// and never changed after. Fixed, because the allocator may not allocate.
struct Range {
  void* start;
  std::size_t length;
};
constexpr std::size_t kMaxRanges = 16384;  // at least 32 GiB of heap in 2 MiB steps
std::array<Range, kMaxRanges> heap_ranges;
std::atomic<std::size_t> heap_range_count{0};

// Whether the kernel has transparent huge pages and they are not `never`.
// Read at each collapse: MADV_COLLAPSE itself ignores the setting, and an
// operator may change it while the daemon runs.
bool huge_pages_on() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  return std::getline(f, mode) && mode.find("[never]") == std::string::npos;
}

}  // namespace

void* map_heap_huge_pages(std::size_t bytes, std::size_t alignment, std::size_t& actual) {
  void* p = map_huge_page_aligned(bytes, alignment, actual);
  const std::size_t n = heap_range_count.load(std::memory_order_relaxed);
  if (p != nullptr && n < kMaxRanges) {
    heap_ranges[n] = {p, actual};
    heap_range_count.store(n + 1, std::memory_order_release);
  }
  return p;
}

std::size_t collapse_heap() {
  if (!huge_pages_on()) return 0;
  const std::size_t n = heap_range_count.load(std::memory_order_acquire);
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t per_huge = kHugePageBytes / page;
  std::vector<unsigned char> resident;
  std::size_t collapsed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto* start = static_cast<unsigned char*>(heap_ranges[i].start);
    const std::size_t length = heap_ranges[i].length;
    resident.resize(length / page);
    if (mincore(start, length, resident.data()) != 0) continue;
    for (std::size_t at = 0; at < length; at += kHugePageBytes) {
      // Only where every page is in memory: a collapse fills the holes, and
      // the holes are memory TCMalloc gave back (or never touched). A page
      // given back between mincore and the collapse is filled again: rare,
      // and one huge page at most.
      const auto first = resident.begin() + static_cast<std::ptrdiff_t>(at / page);
      const bool whole = std::all_of(first, first + static_cast<std::ptrdiff_t>(per_huge),
                                     [](unsigned char r) { return (r & 1) != 0; });
      if (whole && madvise(start + at, kHugePageBytes, MADV_COLLAPSE) == 0) {
        collapsed += kHugePageBytes;
      }
    }
  }
  return collapsed;
}

}  // namespace ccmon::server
