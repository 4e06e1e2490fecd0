#include "store/snapshot_files.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <string>

#include "store/state_lock.hpp"
#include "tests/store/temp_dir.hpp"

namespace ccmon::store {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

void flip_bit(const fs::path& p, std::size_t offset) {
  std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x10));
}

TEST_CASE("snapshots are written whole, read back, and only the two newest are kept") {
  TempDir dir;
  CHECK(write_snapshot(dir.path(), 10, "state at ten").error == 0);
  CHECK(write_snapshot(dir.path(), 20, "state at twenty").error == 0);
  const auto w = write_snapshot(dir.path(), 30, "state at thirty");
  CHECK(w.error == 0);
  CHECK(w.bytes == kSnapshotHeaderBytes + 15);
  CHECK(w.oldest_kept == 20);
  const auto files = list_snapshots(dir.path());
  REQUIRE(files.size() == 2);
  CHECK(files[0].sequence == 30);
  CHECK(files[1].sequence == 20);
  const auto r = read_snapshot(files[0]);
  REQUIRE(r.ok);
  CHECK(r.payload == "state at thirty");
  for (const auto& e : fs::directory_iterator(dir.path())) {
    CHECK(e.path().extension() != ".tmp");
  }
}

TEST_CASE("a flipped bit anywhere in a snapshot file is found") {
  TempDir dir;
  REQUIRE(write_snapshot(dir.path(), 7, "some state bytes").error == 0);
  const auto file = list_snapshots(dir.path()).at(0);
  const std::size_t size = kSnapshotHeaderBytes + 16;
  for (std::size_t offset = 0; offset < size; ++offset) {
    INFO("bit flipped at byte " << offset);
    flip_bit(file.path, offset);
    CHECK_FALSE(read_snapshot(file).ok);
    flip_bit(file.path, offset);  // back
  }
  CHECK(read_snapshot(file).ok);
}

TEST_CASE("a truncated snapshot and one renamed to another sequence are refused") {
  TempDir dir;
  REQUIRE(write_snapshot(dir.path(), 5, "payload").error == 0);
  auto file = list_snapshots(dir.path()).at(0);
  fs::resize_file(file.path, kSnapshotHeaderBytes + 3);
  CHECK(read_snapshot(file).problem == "truncated: 3 of 7 payload bytes");
  REQUIRE(write_snapshot(dir.path(), 6, "payload").error == 0);
  fs::rename(dir.path() / "snapshot-00000000000000000006.bin",
             dir.path() / "snapshot-00000000000000000009.bin");
  file = list_snapshots(dir.path()).at(0);
  CHECK(file.sequence == 9);
  CHECK(read_snapshot(file).problem == "holds sequence 6, not that of its name");
}

TEST_CASE("a snapshot write that fails (ENOSPC) leaves the kept snapshots as they were") {
  TempDir dir;
  REQUIRE(write_snapshot(dir.path(), 1, "one").error == 0);
  FileOps full = FileOps::system();
  full.pwrite = [](int, const void*, std::size_t, off_t) -> ssize_t {
    errno = ENOSPC;
    return -1;
  };
  const auto w = write_snapshot(dir.path(), 2, "two", full);
  CHECK(w.error == ENOSPC);
  CHECK(w.step == "write");
  const auto files = list_snapshots(dir.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].sequence == 1);
  CHECK_FALSE(fs::exists(dir.path() / "snapshot-00000000000000000002.bin.tmp"));
}

TEST_CASE("the lock is refused while held, naming the holder's pid, and free once released") {
  TempDir dir;
  std::string error;
  bool in_use = true;
  auto first = StateLock::acquire(dir.path() / "state", error, in_use);
  CHECK_FALSE(in_use);
  REQUIRE(first);
  long pid = 0;
  CHECK(StateLock::held_by_other(dir.path() / "state", pid));
  CHECK(pid == ::getpid());
  // flock locks belong to the open file description: a second open in the
  // same process conflicts as another process's would.
  auto second = StateLock::acquire(dir.path() / "state", error, in_use);
  CHECK_FALSE(second);
  CHECK(in_use);
  std::string expected = "state directory ";
  expected += (dir.path() / "state").string();
  expected += " is in use by another ccmond (pid ";
  expected += std::to_string(::getpid());
  expected += ")";
  CHECK(error == expected);
  first.reset();
  CHECK_FALSE(StateLock::held_by_other(dir.path() / "state", pid));
  CHECK(StateLock::acquire(dir.path() / "state", error, in_use));
}

}  // namespace
}  // namespace ccmon::store
