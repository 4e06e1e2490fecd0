#include "store/journal.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "store/crc32c.hpp"
#include "store/journal_sync.hpp"
#include "tests/store/temp_dir.hpp"

namespace ccmon::store {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

struct Replayed {
  std::vector<std::pair<Sequence, std::string>> records;
  std::function<bool(Sequence, std::string_view)> sink() {
    return [this](Sequence s, std::string_view p) {
      records.emplace_back(s, std::string(p));
      return true;
    };
  }
};

void append_all(Journal& j, std::vector<std::string_view> payloads) {
  const auto r = j.append(payloads);
  REQUIRE(r.error == 0);
}

// What a JournalSync reports, collected from its thread.
struct ReportLog {
  std::mutex m;
  std::condition_variable cv;
  std::vector<SyncReport> reports;
  std::function<void(const SyncReport&)> sink() {
    return [this](const SyncReport& r) {
      std::lock_guard lock(m);
      reports.push_back(r);
      cv.notify_all();
    };
  }
  // Whether a report up to `s` came within 10 s.
  bool wait_for(Sequence s) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, std::chrono::seconds(10),
                       [&] { return !reports.empty() && reports.back().durable >= s; });
  }
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

fs::path only_segment(const fs::path& dir) {
  const auto scan = scan_journal(dir, 0);
  REQUIRE(scan.segments.size() == 1);
  return scan.segments[0].path;
}

TEST_CASE("CRC-32C is the Castagnoli CRC (RFC 3720 B.4 check value)") {
  // The standard check value of CRC-32C over "123456789" is 0xE3069283.
  CHECK(crc32c("123456789") == 0xE3069283u);
  // RFC 3720 B.4: 32 bytes of zeros -> 0x8A9136AA.
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
}

TEST_CASE("records come back in order with their numbers, across segments and reopening") {
  TempDir dir;
  {
    Journal j(dir.path(), scan_journal(dir.path(), 0), 1, {.segment_bytes = 30});
    append_all(j, {"alpha", "beta"});  // 2 * 8 + 9 = 25 bytes: segment 1
    append_all(j, {"gamma"});          // still segment 1 (25 < 30): 38 bytes
    append_all(j, {"delta"});          // past 30: segment 4
    CHECK(j.written() == 4);
  }
  Replayed r;
  auto scan = scan_journal(dir.path(), 0, r.sink());
  CHECK_FALSE(scan.damage.found);
  REQUIRE(scan.segments.size() == 2);
  CHECK(scan.segments[0].first == 1);
  CHECK(scan.segments[1].first == 4);
  CHECK(scan.last == 4);
  CHECK(r.records == std::vector<std::pair<Sequence, std::string>>{
                         {1, "alpha"}, {2, "beta"}, {3, "gamma"}, {4, "delta"}});
  {
    Journal j(dir.path(), scan, scan.last + 1);
    append_all(j, {"epsilon"});
    CHECK(j.written() == 5);
  }
  Replayed after3;
  scan = scan_journal(dir.path(), 3, after3.sink());
  CHECK(after3.records ==
        std::vector<std::pair<Sequence, std::string>>{{4, "delta"}, {5, "epsilon"}});
}

TEST_CASE("a torn last record is cut at every byte offset, and the journal goes on after it") {
  TempDir master;
  {
    Journal j(master.path(), scan_journal(master.path(), 0), 1);
    append_all(j, {"first record", "second"});
    append_all(j, {"the last record, torn"});  // 8 + 21 bytes
  }
  const std::string whole = read_bytes(only_segment(master.path()));
  const std::size_t last_start = 2 * 8 + 12 + 6;  // 34
  REQUIRE(whole.size() == last_start + 8 + 21);
  for (std::size_t cut = last_start; cut < whole.size(); ++cut) {
    INFO("file cut at byte " << cut);
    TempDir dir;
    fs::create_directories(journal_dir(dir.path()));
    const fs::path seg = journal_dir(dir.path()) / "00000000000000000001.log";
    write_bytes(seg, whole.substr(0, cut));
    Replayed r;
    auto scan = scan_journal(dir.path(), 0, r.sink());
    CHECK(scan.last == 2);
    REQUIRE(r.records.size() == 2);
    // Cut exactly at the record boundary: nothing torn, nothing to count.
    CHECK(scan.damage.found == (cut != last_start));
    if (cut != last_start) {
      CHECK(scan.damage.cut_records == 1);
      CHECK(scan.damage.cut_bytes == cut - last_start);
      CHECK(scan.damage.offset == last_start);
    }
    REQUIRE(cut_journal(scan) == 0);
    CHECK(fs::file_size(seg) == last_start);
    {
      Journal j(dir.path(), scan, scan.last + 1);
      append_all(j, {"after the cut"});
      CHECK(j.written() == 3);
    }
    Replayed again;
    scan = scan_journal(dir.path(), 0, again.sink());
    CHECK_FALSE(scan.damage.found);
    CHECK(again.records.back() == std::pair<Sequence, std::string>{3, "after the cut"});
  }
}

TEST_CASE("a flipped bit in a record ends the journal there; later records and segments are cut") {
  TempDir dir;
  {
    Journal j(dir.path(), scan_journal(dir.path(), 0), 1, {.segment_bytes = 30});
    append_all(j, {"one", "two", "three"});  // 8+3, 8+3, 8+5 = 35: segment 1
    append_all(j, {"four"});                 // 35 >= 30: segment 4
  }
  auto scan = scan_journal(dir.path(), 0);
  REQUIRE(scan.segments.size() == 2);
  const fs::path first = scan.segments[0].path;
  std::string bytes = read_bytes(first);
  bytes[8 + 3 + 8] ^= 0x04;  // first payload byte of record 2
  write_bytes(first, bytes);

  Replayed r;
  scan = scan_journal(dir.path(), 0, r.sink());
  REQUIRE(scan.damage.found);
  CHECK(scan.last == 1);
  CHECK(r.records.size() == 1);
  CHECK(scan.damage.reason.find("CRC mismatch in record 2") != std::string::npos);
  // Records 2 and 3 in the damaged segment, record 4 in the next one.
  CHECK(scan.damage.cut_records == 3);
  REQUIRE(cut_journal(scan) == 0);
  scan = scan_journal(dir.path(), 0);
  CHECK_FALSE(scan.damage.found);
  CHECK(scan.last == 1);
  CHECK(scan.segments.size() == 1);
}

TEST_CASE("a record its reader refuses ends the journal like damage") {
  TempDir dir;
  {
    Journal j(dir.path(), scan_journal(dir.path(), 0), 1);
    append_all(j, {"good", "from a newer version", "after"});
  }
  std::vector<Sequence> seen;
  const auto scan = scan_journal(dir.path(), 0, [&](Sequence s, std::string_view p) {
    seen.push_back(s);
    return p != "from a newer version";
  });
  REQUIRE(scan.damage.found);
  CHECK(scan.last == 1);
  CHECK(seen == std::vector<Sequence>{1, 2});
  CHECK(scan.damage.reason == "record 2 cannot be read at offset 12");  // 8 + 4
  CHECK(scan.damage.cut_records == 2);
}

TEST_CASE("a length beyond the limit is damage, not an allocation") {
  TempDir dir;
  fs::create_directories(journal_dir(dir.path()));
  write_bytes(journal_dir(dir.path()) / "00000000000000000001.log",
              std::string("\xff\xff\xff\xff\0\0\0\0", 8));
  const auto scan = scan_journal(dir.path(), 0);
  REQUIRE(scan.damage.found);
  CHECK(scan.damage.reason.find("over the limit") != std::string::npos);
  CHECK(scan.last == 0);
}

TEST_CASE("segments wholly covered by a snapshot are deleted, never the newest") {
  TempDir dir;
  {
    Journal j(dir.path(), scan_journal(dir.path(), 0), 1);
    append_all(j, {"a", "b"});
    j.roll();
    append_all(j, {"c"});  // segment 3
    j.roll();
    append_all(j, {"d"});  // segment 4
  }
  CHECK(delete_segments_through(dir.path(), 2) == 1);  // segment 1 (records 1, 2)
  CHECK(delete_segments_through(dir.path(), 2) == 0);  // segment 3 still needed
  CHECK(delete_segments_through(dir.path(), 100) == 1);
  const auto scan = scan_journal(dir.path(), 3);
  REQUIRE(scan.segments.size() == 1);
  CHECK(scan.segments[0].first == 4);
  CHECK(scan.last == 4);
}

TEST_CASE("a journal that continues after a snapshot starts its segment at the snapshot's next") {
  TempDir dir;
  Journal j(dir.path(), scan_journal(dir.path(), 0), 11);  // snapshot covers 1..10
  append_all(j, {"eleven"});
  const auto scan = scan_journal(dir.path(), 10);
  REQUIRE(scan.segments.size() == 1);
  CHECK(scan.segments[0].first == 11);
  CHECK_FALSE(scan.damage.found);
  // Without that snapshot the records before are missing: damage.
  const auto bare = scan_journal(dir.path(), 0);
  CHECK(bare.damage.found);
}

TEST_CASE("a failed write (ENOSPC) leaves nothing behind and the numbers are reused") {
  TempDir dir;
  bool full = false;
  FileOps ops = FileOps::system();
  auto real = ops.pwrite;
  ops.pwrite = [&](int fd, const void* data, std::size_t size, off_t offset) -> ssize_t {
    if (!full) return real(fd, data, size, offset);
    // A disk that takes part of the write, then is full.
    if (size > 5) return real(fd, data, 5, offset);
    errno = ENOSPC;
    return -1;
  };
  Journal j(dir.path(), scan_journal(dir.path(), 0), 1, {.ops = ops});
  append_all(j, {"kept"});
  full = true;
  const auto failed = j.append(std::vector<std::string_view>{"refused record"});
  CHECK(failed.error == ENOSPC);
  CHECK(j.written() == 1);
  CHECK(fs::file_size(only_segment(dir.path())) == 8 + 4);  // the partial write taken back
  full = false;
  append_all(j, {"after space returned"});
  CHECK(j.written() == 2);
  Replayed r;
  const auto scan = scan_journal(dir.path(), 0, r.sink());
  CHECK_FALSE(scan.damage.found);
  CHECK(r.records ==
        std::vector<std::pair<Sequence, std::string>>{{1, "kept"}, {2, "after space returned"}});
}

TEST_CASE("the sync thread reports durability up to the last record written, and errors") {
  TempDir dir;
  std::atomic<int> fail_errno{0};
  FileOps ops = FileOps::system();
  auto real = ops.fdatasync;
  ops.fdatasync = [&](int fd) {
    if (int e = fail_errno.load()) {
      errno = e;
      return -1;
    }
    return real(fd);
  };
  Journal j(dir.path(), scan_journal(dir.path(), 0), 1);
  ReportLog log;
  JournalSync sync(j, ops, std::chrono::microseconds(0), log.sink());
  append_all(j, {"a", "b", "c"});
  REQUIRE(log.wait_for(3));
  CHECK(log.reports.back().error == 0);
  fail_errno = EIO;
  append_all(j, {"d"});
  REQUIRE(log.wait_for(4));
  CHECK(log.reports.back().error == EIO);
  sync.stop();
}

// The sync thread's wait, called on this thread: a job taken at once has
// its records; a wait the test cannot end would hang (ctest's timeout).
TEST_CASE("a record written kWithNext waits for the one that completes it, or for its bound") {
  TempDir dir;
  Journal j(dir.path(), scan_journal(dir.path(), 0), 1);
  const std::string_view first[] = {"part 1"};
  const std::string_view second[] = {"part 2"};
  constexpr std::chrono::hours kNever{1};
  SECTION("a kSoon record after it: one job for both") {
    REQUIRE(j.append(first, Journal::Sync::kWithNext).error == 0);
    REQUIRE(j.append(second, Journal::Sync::kSoon).error == 0);
    CHECK(j.wait_unsynced(kNever).upto == 2);
  }
  SECTION("request_sync() completes it") {
    REQUIRE(j.append(first, Journal::Sync::kWithNext).error == 0);
    j.request_sync();
    CHECK(j.wait_unsynced(kNever).upto == 1);
  }
  SECTION("alone, it waits out its bound, then is synced alone") {
    // A lower bound on the time (the wait may overrun it, never fall short),
    // counted from before the write: the bound runs from the write.
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(j.append(first, Journal::Sync::kWithNext).error == 0);
    CHECK(j.wait_unsynced(std::chrono::milliseconds(50)).upto == 1);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
  }
}

// The wait on the sync thread: a kWithNext record is not synced until the
// kSoon record after it is written (one report for both).
TEST_CASE("the sync thread syncs a body's parts once, at its last part") {
  TempDir dir;
  std::atomic<int> syncs{0};
  FileOps ops = FileOps::system();
  auto real = ops.fdatasync;
  ops.fdatasync = [&](int fd) {
    ++syncs;
    return real(fd);
  };
  Journal j(dir.path(), scan_journal(dir.path(), 0), 1);
  ReportLog log;
  JournalSync sync(j, ops, std::chrono::microseconds(0), log.sink(),
                   std::chrono::hours(1));  // no backstop within the test
  const std::string_view part[] = {"part"};
  for (int i = 0; i < 3; ++i) REQUIRE(j.append(part, Journal::Sync::kWithNext).error == 0);
  REQUIRE(j.append(part, Journal::Sync::kSoon).error == 0);
  REQUIRE(log.wait_for(1));  // the first report, whatever it covers
  {
    std::lock_guard lock(log.m);
    CHECK(log.reports.front().durable == 4);
    CHECK(log.reports.size() == 1);
  }
  CHECK(syncs == 1);
  sync.stop();
}

// Runs only inside tests/store/tmpfs_enospc_test.py, which mounts a small
// tmpfs in a private mount namespace and names it in CCMON_TMPFS_DIR.
TEST_CASE("a real full disk: appends fail with ENOSPC and succeed again once space returns",
          "[.tmpfs]") {
  const char* root = std::getenv("CCMON_TMPFS_DIR");
  REQUIRE(root != nullptr);
  const fs::path dir = fs::path(root) / "state";
  Journal j(dir, scan_journal(dir, 0), 1);
  const std::string payload(4000, 'x');
  const fs::path ballast = fs::path(root) / "ballast";
  {
    // Fill the file system with ballast until it refuses more.
    std::ofstream out(ballast, std::ios::binary);
    const std::string block(4096, 'b');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  Journal::Appended r;
  for (int i = 0; i < 100 && (r = j.append(std::vector<std::string_view>{payload})).error == 0;
       ++i) {
  }
  CHECK(r.error == ENOSPC);
  const Sequence before = j.written();
  fs::remove(ballast);  // space returns
  r = j.append(std::vector<std::string_view>{payload});
  CHECK(r.error == 0);
  CHECK(r.last == before + 1);
  Replayed rep;
  const auto scan = scan_journal(dir, 0, rep.sink());
  CHECK_FALSE(scan.damage.found);
  CHECK(scan.last == before + 1);
}

}  // namespace
}  // namespace ccmon::store
