#include "store/snapshot_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "store/crc32c.hpp"
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

// Hands `text` over in pieces of many sizes (1, 2, 4, 8 bytes, odd ones,
// and one of 1.5 MB), each piece its own write.
void produce_in_pieces(const PayloadSink& write, std::string_view text) {
  static constexpr std::size_t kSizes[] = {1, 2, 4, 8, 3, 1'500'000, 8, 8, 7};
  std::size_t pos = 0;
  for (std::size_t i = 0; pos < text.size(); ++i) {
    const std::size_t n = std::min(kSizes[i % std::size(kSizes)], text.size() - pos);
    write(text.substr(pos, n));
    pos += n;
  }
}

std::string sample_payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

TEST_CASE("a streamed snapshot reads back whole, and is the file write_snapshot makes") {
  TempDir streamed, whole;
  const std::string payload = sample_payload((std::size_t{7} << 20) / 2);
  const auto p = write_snapshot_payload(
      streamed.path(), 9, [&](const PayloadSink& write) { produce_in_pieces(write, payload); });
  REQUIRE(p.error == 0);
  CHECK(p.payload_bytes == payload.size());
  // Not a snapshot until committed: only the `.tmp` file exists.
  CHECK(list_snapshots(streamed.path()).empty());
  const auto w = commit_snapshot(streamed.path(), 9, p.payload_bytes);
  REQUIRE(w.error == 0);
  CHECK(w.bytes == kSnapshotHeaderBytes + payload.size());
  const auto files = list_snapshots(streamed.path());
  REQUIRE(files.size() == 1);
  const auto read = read_snapshot(files[0]);
  REQUIRE(read.ok);
  CHECK(read.payload == payload);

  // The header, byte by byte (snapshot_files.hpp): magic, version 1, the
  // CRC-32C of everything after it, the sequence and the payload length.
  const auto le = [](const std::string& b, std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(b[at + i])} << 8 * i;
    return v;
  };
  const auto slurp = [](const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string file = slurp(files[0].path);
  REQUIRE(file.size() == 32 + payload.size());
  CHECK(file.substr(0, 8) == "CCMONSNP");
  CHECK(le(file, 8, 4) == 1);
  CHECK(le(file, 12, 4) == crc32c(std::string_view(file).substr(16)));
  CHECK(le(file, 16, 8) == 9);
  CHECK(le(file, 24, 8) == payload.size());
  CHECK(file.substr(32) == payload);

  REQUIRE(write_snapshot(whole.path(), 9, payload).error == 0);
  CHECK(slurp(files[0].path) == slurp(list_snapshots(whole.path()).at(0).path));
}

TEST_CASE("a streamed write that fails part-way lets the producer finish and leaves no file") {
  TempDir dir;
  REQUIRE(write_snapshot(dir.path(), 1, "one").error == 0);
  FileOps fails_second = FileOps::system();
  int calls = 0;
  fails_second.pwrite = [&calls](int fd, const void* data, std::size_t size,
                                 off_t offset) -> ssize_t {
    if (++calls >= 2) {
      errno = ENOSPC;
      return -1;
    }
    return ::pwrite(fd, data, size, offset);
  };
  const std::string payload = sample_payload(std::size_t{3} << 20);
  std::size_t produced = 0;
  const auto p = write_snapshot_payload(
      dir.path(), 2,
      [&](const PayloadSink& write) {
        produce_in_pieces(write, payload);
        produced = payload.size();
      },
      fails_second);
  CHECK(calls >= 2);
  CHECK(produced == payload.size());
  CHECK(p.error == ENOSPC);
  CHECK(p.step == "write");
  CHECK_FALSE(fs::exists(dir.path() / "snapshot-00000000000000000002.bin.tmp"));
  const auto files = list_snapshots(dir.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].sequence == 1);
}

TEST_CASE("a commit whose fdatasync fails removes the file and keeps the older snapshots") {
  TempDir dir;
  REQUIRE(write_snapshot(dir.path(), 1, "one").error == 0);
  const auto p =
      write_snapshot_payload(dir.path(), 2, [](const PayloadSink& write) { write("two"); });
  REQUIRE(p.error == 0);
  FileOps failing = FileOps::system();
  failing.fdatasync = [](int) {
    errno = EIO;
    return -1;
  };
  const auto w = commit_snapshot(dir.path(), 2, p.payload_bytes, failing);
  CHECK(w.error == EIO);
  CHECK(w.step == "fdatasync");
  CHECK_FALSE(fs::exists(dir.path() / "snapshot-00000000000000000002.bin.tmp"));
  const auto files = list_snapshots(dir.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].sequence == 1);
}

TEST_CASE("a commit of a file shorter than its writer said fails and removes it") {
  TempDir dir;
  const auto p =
      write_snapshot_payload(dir.path(), 3, [](const PayloadSink& write) { write("three"); });
  REQUIRE(p.error == 0);
  const auto w = commit_snapshot(dir.path(), 3, p.payload_bytes + 1);
  CHECK(w.error == EIO);
  CHECK(w.step == "read");
  CHECK(list_snapshots(dir.path()).empty());
  CHECK_FALSE(fs::exists(dir.path() / "snapshot-00000000000000000003.bin.tmp"));
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
