#include "store/fork_excluded_memory.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "tests/store/smaps.hpp"

namespace ccmon::store {
namespace {

// mincore(2) fails with ENOMEM when the page holding `p` is not mapped.
bool mapped(const void* p) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(p) / page * page;
  unsigned char resident = 0;
  return mincore(reinterpret_cast<void*>(start), 1, &resident) == 0;
}

TEST_CASE("a forked child has no mapping of fork-excluded memory; the parent keeps it") {
  std::pmr::memory_resource* memory = fork_excluded_memory();
  const auto kBytes = 3 * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) + 100;  // four pages
  auto* block = static_cast<unsigned char*>(memory->allocate(kBytes, alignof(std::uint64_t)));
  std::memset(block, 0x5a, kBytes);
  const auto heap = std::make_unique<std::uint64_t[]>(1024);  // ordinary memory, for contrast
  heap[0] = 1;
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    if (mapped(block)) code |= 1;
    if (mapped(block + kBytes - 1)) code |= 2;
    if (!mapped(heap.get())) code |= 4;
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  // 0: neither end of the block mapped in the child, the heap mapped.
  CHECK(WEXITSTATUS(status) == 0);
  // The parent's block is whole and still writable after the fork.
  CHECK(block[0] == 0x5a);
  CHECK(block[kBytes - 1] == 0x5a);
  block[kBytes - 1] = 0x33;
  CHECK(block[kBytes - 1] == 0x33);
  memory->deallocate(block, kBytes, alignof(std::uint64_t));
  CHECK_FALSE(mapped(block));  // given back to the kernel, not kept
  CHECK_FALSE(mapped(block + kBytes - 1));
}

TEST_CASE("fork-excluded memory is advised not to be copied on fork and to use huge pages") {
  std::pmr::memory_resource* memory = fork_excluded_memory();
  const std::size_t kBytes = std::size_t{4} << 20;
  void* block = memory->allocate(kBytes, alignof(std::uint64_t));
  const std::string flags = test::vm_flags(block);
  INFO("VmFlags:" << flags);
  REQUIRE_FALSE(flags.empty());
  CHECK(flags.find(" dc ") != std::string::npos);
  // The huge-page advice is a hint the kernel refuses when built without
  // transparent huge pages (no such sysfs directory).
  if (!test::huge_page_mode().empty()) {
    CHECK(flags.find(" hg ") != std::string::npos);
  } else {
    WARN("SKIPPED: this kernel has no transparent huge pages; the hg flag is not checked");
  }
  const auto heap = std::make_unique<std::uint64_t[]>(1 << 20);  // ordinary memory, for contrast
  CHECK(test::vm_flags(heap.get()).find(" dc ") == std::string::npos);
  memory->deallocate(block, kBytes, alignof(std::uint64_t));
}

TEST_CASE("fork-excluded memory is page-aligned and refuses a larger alignment") {
  std::pmr::memory_resource* memory = fork_excluded_memory();
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* p = memory->allocate(1, 1);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % page == 0);
  memory->deallocate(p, 1, 1);
  CHECK_FALSE(mapped(p));
  void* empty = memory->allocate(0, 1);  // a page, like any other request
  REQUIRE(empty != nullptr);
  CHECK(mapped(empty));
  memory->deallocate(empty, 0, 1);
  CHECK_FALSE(mapped(empty));
  CHECK_THROWS_AS(memory->allocate(64, 2 * page), std::bad_alloc);
  CHECK(memory->is_equal(*fork_excluded_memory()));
  CHECK_FALSE(memory->is_equal(*std::pmr::new_delete_resource()));
}

}  // namespace
}  // namespace ccmon::store
