#include "store/snapshot_child.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <new>
#include <stdexcept>
#include <string>

#include "tests/store/temp_dir.hpp"

namespace ccmon::store {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

TEST_CASE("a child process writes the state as it was at the fork") {
  TempDir dir;
  std::string state = "state at the fork";
  int error = 0;
  auto child = ChildSnapshot::start(
      dir.path(), 7, [&state](const PayloadSink& write) { write(state); }, FileOps::system(),
      error);
  REQUIRE(child);
  // The parent goes on changing its state: the child's copy does not see it.
  state = "changed after the fork";
  const auto r = child->wait();
  CHECK(r.write.error == 0);
  CHECK(r.write.bytes == kSnapshotHeaderBytes + 17);
  const auto files = list_snapshots(dir.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].sequence == 7);
  const auto read = read_snapshot(files[0]);
  REQUIRE(read.ok);
  CHECK(read.payload == "state at the fork");
}

TEST_CASE("the child inherits no descriptor but its report pipe and 0-2") {
  TempDir dir;
  // Stands for the state directory's lock and the listening sockets.
  const FileDescriptor held(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY));
  REQUIRE(held.valid());
  const int fd = held.get();
  struct stat dir_stat {};
  REQUIRE(::fstat(fd, &dir_stat) == 0);
  int error = 0;
  auto child = ChildSnapshot::start(
      dir.path(), 1,
      [fd, dir_stat](const PayloadSink& write) {
        // The child opens its `.tmp` file before encoding, which may take
        // the freed number: inherited means the number still names the
        // directory.
        struct stat now {};
        const bool inherited = ::fstat(fd, &now) == 0 && now.st_dev == dir_stat.st_dev &&
                               now.st_ino == dir_stat.st_ino;
        const std::string s = inherited ? "open" : "closed";
        write(s);
      },
      FileOps::system(), error);
  REQUIRE(child);
  REQUIRE(child->wait().write.error == 0);
  const auto read = read_snapshot(list_snapshots(dir.path()).at(0));
  REQUIRE(read.ok);
  CHECK(read.payload == "closed");
  CHECK(::fcntl(fd, F_GETFD) != -1);  // the parent's stays open
}

TEST_CASE("a child that fails to encode or to write is reported, and leaves no file") {
  TempDir dir;
  int error = 0;
  auto thrower = ChildSnapshot::start(
      dir.path(), 3, [](const PayloadSink&) { throw std::runtime_error("no memory"); },
      FileOps::system(), error);
  REQUIRE(thrower);
  const auto r = thrower->wait();
  CHECK(r.write.error == EIO);
  CHECK(r.write.step == "snapshot process");

  FileOps full = FileOps::system();
  full.pwrite = [](int, const void*, std::size_t, off_t) -> ssize_t {
    errno = ENOSPC;
    return -1;
  };
  auto no_space = ChildSnapshot::start(
      dir.path(), 4, [](const PayloadSink& write) { write("four"); }, full, error);
  REQUIRE(no_space);
  const auto w = no_space->wait();
  CHECK(w.write.error == ENOSPC);
  CHECK(w.write.step == "write");
  CHECK(list_snapshots(dir.path()).empty());
  for (const auto& entry : fs::directory_iterator(dir.path())) FAIL(entry.path());
}

TEST_CASE("a child killed half-way through its stream leaves no `.tmp` file") {
  TempDir dir;
  int error = 0;
  auto child = ChildSnapshot::start(
      dir.path(), 5,
      [](const PayloadSink& write) {
        const std::string block(std::size_t{1} << 20, 'x');
        for (int i = 0; i < 2; ++i) write(block);
        ::raise(SIGKILL);  // as the kernel's OOM killer would
      },
      FileOps::system(), error);
  REQUIRE(child);
  const auto r = child->wait();
  CHECK(r.write.error == EIO);
  CHECK(r.write.step == "snapshot process");
  for (const auto& entry : fs::directory_iterator(dir.path())) FAIL(entry.path());
}

TEST_CASE("a child that runs out of memory says so") {
  TempDir dir;
  int error = 0;
  auto child = ChildSnapshot::start(
      dir.path(), 6, [](const PayloadSink&) { throw std::bad_alloc(); }, FileOps::system(), error);
  REQUIRE(child);
  const auto r = child->wait();
  CHECK(r.write.error == ENOMEM);
  CHECK(r.write.step == "encode");
  for (const auto& entry : fs::directory_iterator(dir.path())) FAIL(entry.path());
}

}  // namespace
}  // namespace ccmon::store
