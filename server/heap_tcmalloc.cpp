// use_huge_pages_for_heap for a ccmond linked with TCMalloc (gperftools).
#include <gperftools/malloc_extension.h>

#include "server/huge_page_heap.hpp"

namespace ccmon::server {
namespace {

// TCMalloc asks its system allocator for memory whenever its page heap
// grows (in steps of at least 1 MiB) and never unmaps it; this one hands it
// 2 MiB-aligned mappings advised for huge pages, or falls back to the
// allocator it replaced. Called with TCMalloc's lock held.
class HugePageSysAllocator final : public SysAllocator {
 public:
  explicit HugePageSysAllocator(SysAllocator* fallback) : fallback_(fallback) {}
  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    std::size_t actual = 0;
    if (void* p = map_heap_huge_pages(size, alignment, actual)) {
      if (actual_size != nullptr) *actual_size = actual;
      return p;
    }
    return fallback_ == nullptr ? nullptr : fallback_->Alloc(size, actual_size, alignment);
  }

 private:
  SysAllocator* fallback_;
};

}  // namespace

std::string use_huge_pages_for_heap() {
  MallocExtension* extension = MallocExtension::instance();
  // Never destroyed: TCMalloc keeps using it until the process ends.
  static auto* const allocator = new HugePageSysAllocator(extension->GetSystemAllocator());
  extension->SetSystemAllocator(allocator);
  return "heap: TCMalloc grows it in 2 MiB-aligned mappings advised for transparent huge pages";
}

}  // namespace ccmon::server
