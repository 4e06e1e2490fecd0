// The partition state directory (server/partition_store.hpp) on a real
// temporary directory: layout, newest-first reading, the fallback past a
// damaged snapshot, and the refusal to go back to a lower offset.
#include "server/partition_store.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using ccmon::server::PartitionStore;

namespace {

struct TempDir {
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ccmon-partition-store-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

PartitionStore::Written write(const PartitionStore& store, std::int64_t offset,
                              const std::string& image) {
  std::string error;
  std::uint64_t bytes = 0;
  const auto w = store.write("events", 3, offset, image, error, bytes);
  INFO(error);
  if (w == PartitionStore::Written::kOk) CHECK(bytes > image.size());  // a header precedes it
  return w;
}

}  // namespace

TEST_CASE("a partition's snapshots are read back newest first", "[kafka][partition_store]") {
  TempDir tmp;
  const PartitionStore store(tmp.path, "ccmon/eu west");
  // The group id is escaped into one directory name.
  CHECK(store.directory() == tmp.path / "ccmon%2Feu%20west");

  auto none = store.newest("events", 3);
  CHECK_FALSE(none.image);
  CHECK(none.next_offset == -1);
  CHECK(none.problems.empty());

  REQUIRE(write(store, 10, "state at 10") == PartitionStore::Written::kOk);
  REQUIRE(write(store, 25, "state at 25") == PartitionStore::Written::kOk);
  CHECK(fs::is_directory(store.directory() / "events" / "3"));
  auto found = store.newest("events", 3);
  REQUIRE(found.image);
  CHECK(*found.image == "state at 25");
  CHECK(found.next_offset == 25);
  // Another partition has nothing.
  CHECK_FALSE(store.newest("events", 4).image);
}

TEST_CASE("a damaged newest snapshot falls back to the one before", "[kafka][partition_store]") {
  TempDir tmp;
  const PartitionStore store(tmp.path, "g");
  REQUIRE(write(store, 10, "state at 10") == PartitionStore::Written::kOk);
  REQUIRE(write(store, 25, "state at 25") == PartitionStore::Written::kOk);
  // Flip the last byte of the newest file: its CRC no longer matches.
  fs::path newest;
  for (const auto& e : fs::directory_iterator(store.directory() / "events" / "3")) {
    if (newest.empty() || e.path().filename() > newest.filename()) newest = e.path();
  }
  {
    std::fstream f(newest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-1, std::ios::end);
    const char c = static_cast<char>(f.get());
    f.seekp(-1, std::ios::end);
    f.put(static_cast<char>(c ^ 1));
  }
  auto found = store.newest("events", 3);
  REQUIRE(found.image);
  CHECK(*found.image == "state at 10");
  CHECK(found.next_offset == 10);
  REQUIRE(found.problems.size() == 1);
  CHECK(found.problems[0].find("CRC") != std::string::npos);
}

TEST_CASE("a snapshot never replaces one at a higher offset", "[kafka][partition_store]") {
  TempDir tmp;
  const PartitionStore store(tmp.path, "g");
  REQUIRE(write(store, 40, "new owner at 40") == PartitionStore::Written::kOk);
  // An instance that lost the partition without knowing it, behind.
  CHECK(write(store, 30, "old owner at 30") == PartitionStore::Written::kStale);
  CHECK(*store.newest("events", 3).image == "new owner at 40");
  // The same offset again (nothing new since) is written over.
  CHECK(write(store, 40, "again at 40") == PartitionStore::Written::kOk);
}

TEST_CASE("an unwritable directory is a failure naming it", "[kafka][partition_store]") {
  TempDir tmp;
  // A file where the group's directory should be.
  std::ofstream(tmp.path / "g") << "not a directory";
  const PartitionStore store(tmp.path, "g");
  std::string error;
  std::uint64_t bytes = 0;
  CHECK(store.write("events", 3, 5, "x", error, bytes) == PartitionStore::Written::kFailed);
  CHECK(error.find((tmp.path / "g").string()) != std::string::npos);
}
