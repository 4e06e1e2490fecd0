// use_huge_pages_for_heap for a ccmond on the C library's malloc
// (CCMON_ALLOCATOR=system, and the sanitizer builds): it has no hook for
// how its heap grows, so the heap stays in the pages the kernel's default
// policy gives.
#include "server/huge_page_heap.hpp"

namespace ccmon::server {

std::string use_huge_pages_for_heap() {
  return "heap: the system malloc, no huge pages requested for it (CCMON_ALLOCATOR)";
}

}  // namespace ccmon::server
