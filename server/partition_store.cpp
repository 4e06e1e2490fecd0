#include "server/partition_store.hpp"

#include <system_error>

#include "store/snapshot_files.hpp"

namespace ccmon::server {
namespace fs = std::filesystem;

namespace {

std::string escaped(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '.' ||
        c == '_' || c == '-') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  // "." and ".." name no directory of their own.
  if (out == "." || out == "..") out = "%2E" + out.substr(1);
  return out;
}

}  // namespace

PartitionStore::PartitionStore(const fs::path& root, std::string_view group)
    : dir_(root / escaped(group)) {}

fs::path PartitionStore::dir_of(const std::string& topic, std::int32_t partition) const {
  return dir_ / escaped(topic) / std::to_string(partition);
}

PartitionStore::Found PartitionStore::newest(const std::string& topic,
                                             std::int32_t partition) const {
  Found found;
  // A partition with no directory has no snapshot yet; one that cannot be
  // looked at (a share gone, permissions) is a problem, not "none".
  std::error_code ec;
  const auto status = fs::status(dir_of(topic, partition), ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    found.problems.push_back(dir_of(topic, partition).string() + ": " + ec.message());
    return found;
  }
  if (status.type() != fs::file_type::not_found && status.type() != fs::file_type::directory) {
    found.problems.push_back(dir_of(topic, partition).string() + ": not a directory");
    return found;
  }
  std::vector<store::SnapshotFile> files;
  try {
    files = store::list_snapshots(dir_of(topic, partition));
  } catch (const std::exception& e) {
    found.problems.push_back(dir_of(topic, partition).string() + ": " + e.what());
    return found;
  }
  for (const auto& f : files) {
    auto read = store::read_snapshot(f);
    if (!read.ok) {
      found.problems.push_back(f.path.string() + ": " + read.problem);
      continue;
    }
    found.image = std::move(read.payload);
    found.next_offset = static_cast<std::int64_t>(f.sequence);
    break;
  }
  return found;
}

PartitionStore::Written PartitionStore::write(const std::string& topic, std::int32_t partition,
                                              std::int64_t next_offset, std::string_view image,
                                              std::string& error, std::uint64_t& bytes) const {
  const fs::path dir = dir_of(topic, partition);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return Written::kFailed;
  }
  try {
    const auto existing = store::list_snapshots(dir);
    if (!existing.empty() &&
        existing.front().sequence > static_cast<store::Sequence>(next_offset)) {
      return Written::kStale;
    }
  } catch (const std::exception& e) {
    error = dir.string() + ": " + e.what();
    return Written::kFailed;
  }
  const auto w = store::write_snapshot(dir, static_cast<store::Sequence>(next_offset), image);
  if (w.error != 0) {
    error = w.step + " in " + dir.string() + ": " + store::error_text(w.error);
    return Written::kFailed;
  }
  bytes = w.bytes;
  return Written::kOk;
}

}  // namespace ccmon::server
