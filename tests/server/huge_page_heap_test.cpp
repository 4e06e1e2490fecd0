#include "server/huge_page_heap.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "tests/store/smaps.hpp"

namespace ccmon::server {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

TEST_CASE("huge-page mappings are 2 MiB-aligned, in whole 2 MiB pages, advised hg") {
  std::size_t actual = 0;
  void* p = map_huge_page_aligned(5 * kMiB + 1, 8192, actual);
  REQUIRE(p != nullptr);
  CHECK(actual == 6 * kMiB);
  CHECK(address(p) % (2 * kMiB) == 0);
  auto* bytes = static_cast<unsigned char*>(p);
  bytes[0] = 1;
  bytes[actual - 1] = 2;  // the whole length is writable
  CHECK(bytes[0] + bytes[actual - 1] == 3);
  if (!test::huge_page_mode().empty()) {
    CHECK(test::vm_flags(p).find(" hg ") != std::string::npos);
  } else {
    WARN("SKIPPED: this kernel has no transparent huge pages; the hg flag is not checked");
  }
  CHECK(munmap(p, actual) == 0);

  std::size_t big = 0;
  void* q = map_huge_page_aligned(1, 8 * kMiB, big);  // a larger alignment is kept
  REQUIRE(q != nullptr);
  CHECK(address(q) % (8 * kMiB) == 0);
  CHECK(big == 2 * kMiB);
  CHECK(munmap(q, big) == 0);

  std::size_t none = 0;
  void* r = map_huge_page_aligned(0, 1, none);  // nothing asked: one huge page
  REQUIRE(r != nullptr);
  CHECK(none == 2 * kMiB);
  CHECK(munmap(r, none) == 0);
}

TEST_CASE(
    "a size or alignment too large, or not a power of two, gives null and leaves actual alone") {
  std::size_t actual = 7;
  CHECK(map_huge_page_aligned(std::numeric_limits<std::size_t>::max(), 1, actual) == nullptr);
  CHECK(map_huge_page_aligned(kMiB, std::size_t{1} << 63, actual) == nullptr);
  CHECK(map_huge_page_aligned(kMiB, 3 * 4096, actual) == nullptr);  // not a power of two
  CHECK(actual == 7);
}

// A 4 MiB heap mapping (remembered for collapse_heap(), never unmapped),
// filled with 0x11 and in huge pages; null, after saying why, where the
// collapse cannot be tested.
unsigned char* touched_huge_heap() {
  if (const std::string why = test::no_collapse_reason(); !why.empty()) {
    WARN("SKIPPED: " << why << "; nothing to collapse");
    return nullptr;
  }
  std::size_t actual = 0;
  auto* heap = static_cast<unsigned char*>(map_heap_huge_pages(4 * kMiB, 8192, actual));
  REQUIRE(heap != nullptr);
  REQUIRE(actual == 4 * kMiB);
  std::memset(heap, 0x11, actual);
  if (const long kib = test::anon_huge_kib(heap); kib != 4096) {
    WARN(
        "SKIPPED: the kernel gave 4 KiB pages at the first touch (no huge page free); "
        "AnonHugePages "
        << kib << " kB");
    return nullptr;
  }
  return heap;
}

// What collapse_heap() exists for: a fork write-protects the parent's
// pages, a write while the child lives splits a huge page into 4 KiB ones,
// and they stay split after the child is gone until collapsed.
TEST_CASE("collapse_heap puts a heap mapping split by a fork back into huge pages") {
  unsigned char* const heap = touched_huge_heap();
  if (heap == nullptr) return;
  const std::size_t actual = 4 * kMiB;
  int go[2];
  REQUIRE(pipe(go) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // keeps the pages shared until the parent has written
    char c = 0;
    close(go[1]);
    const bool read_one = read(go[0], &c, 1) == 1;
    _exit(read_one && heap[actual - 1] == 0x11 ? 0 : 1);
  }
  close(go[0]);
  for (std::size_t at = 0; at < actual; at += 4096) heap[at] = 0x22;  // copied, split
  const long split = test::anon_huge_kib(heap);
  REQUIRE(write(go[1], "x", 1) == 1);
  close(go[1]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));  // the child saw its own copy
  CHECK(split < 4096);
  CHECK(test::anon_huge_kib(heap) == split);  // still split with the child gone
  CHECK(collapse_heap() >= actual);
  CHECK(test::anon_huge_kib(heap) == 4096);
  CHECK(heap[0] == 0x22);  // the contents survive the collapse
  CHECK(heap[4096 + 1] == 0x11);
  // Not unmapped: the heap's ranges are remembered for the process's life.
}

TEST_CASE("collapse_heap leaves a 2 MiB piece with a page given back as it is") {
  unsigned char* const heap = touched_huge_heap();
  if (heap == nullptr) return;
  // As an allocator gives memory back: one page of the second huge page.
  unsigned char* hole = heap + 2 * kMiB + 8192;
  REQUIRE(madvise(hole, 4096, MADV_DONTNEED) == 0);
  CHECK(test::anon_huge_kib(heap) == 2048);  // split by the hole
  collapse_heap();
  CHECK(test::anon_huge_kib(heap) == 2048);  // not collapsed: that would fill the hole
  unsigned char in_memory = 1;
  REQUIRE(mincore(hole, 4096, &in_memory) == 0);
  CHECK((in_memory & 1) == 0);
}

}  // namespace
}  // namespace ccmon::server
