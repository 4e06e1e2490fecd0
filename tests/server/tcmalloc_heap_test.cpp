// ccmond's heap under TCMalloc (server/heap_tcmalloc.cpp): built and run
// only where ccmond links TCMalloc, so not in the sanitizer builds.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

#include "server/huge_page_heap.hpp"
#include "tests/store/smaps.hpp"

namespace ccmon::server {
namespace {

TEST_CASE("after use_huge_pages_for_heap, TCMalloc's heap grows in mappings advised hg") {
  constexpr std::size_t kBytes = std::size_t{64} << 20;  // past TCMalloc's free pages
  // Before: TCMalloc's own system allocator, no advice.
  void* before = std::malloc(kBytes);
  REQUIRE(before != nullptr);
  std::memset(before, 1, kBytes);
  CHECK(test::vm_flags(before).find(" hg ") == std::string::npos);

  CHECK(use_huge_pages_for_heap().find("TCMalloc") != std::string::npos);
  void* after = std::malloc(kBytes);
  REQUIRE(after != nullptr);
  std::memset(after, 2, kBytes);
  const std::string mode = test::huge_page_mode();
  if (mode.empty()) {
    WARN("SKIPPED: this kernel has no transparent huge pages; the hg flag is not checked");
  } else {
    CHECK(test::vm_flags(after).find(" hg ") != std::string::npos);
  }
  const long huge_at_first_touch = test::anon_huge_kib(after);
  if (const std::string why = test::no_collapse_reason(); !why.empty()) {
    WARN("SKIPPED: " << why << "; no collapse");
  } else if (huge_at_first_touch < 2048) {
    WARN(
        "SKIPPED: the kernel gave 4 KiB pages at the first touch (no huge page free); "
        "AnonHugePages "
        << huge_at_first_touch << " kB");
  } else {
    // The heap's new mapping is remembered: collapse_heap() reaches it (its
    // pieces already in huge pages count) and leaves it in huge pages.
    CHECK(collapse_heap() >= kBytes);
    CHECK(test::anon_huge_kib(after) >= 2048);
  }
  std::free(after);
  std::free(before);
}

}  // namespace
}  // namespace ccmon::server
