// The partition state directory (ingest.kafka.state_dir, docs/kafka.md,
// "Partition-owned state"): where each Kafka partition's engine state is
// kept with the offset it reflects, so that whichever instance is assigned
// the partition next restores it and reads on from that offset.
//
// Layout: STATE_DIR/GROUP/TOPIC/PARTITION/ holds snapshot files in the state
// directory's format (store/snapshot_files.hpp: magic, CRC-32C, atomic
// write, the two newest kept) whose sequence is the partition's next offset
// and whose payload is an EngineService PartitionImage. GROUP is the
// consumer group id with every byte outside A-Z a-z 0-9 . _ - written %XX.
//
// Several machines share the directory (NFS, CephFS...). A writer never
// replaces a snapshot at a higher offset than its own (an instance that
// lost a partition without knowing it cannot undo its next owner's work);
// the check and the rename are not atomic across machines, which is the
// trade-off of a shared directory against a compacted topic (docs/kafka.md).
//
// Thread-safety: none of its own; used from the Kafka source's thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccmon::server {

class PartitionStore {
 public:
  PartitionStore(const std::filesystem::path& root, std::string_view group);

  struct Found {
    std::optional<std::string> image;  // the newest readable snapshot's payload
    std::int64_t next_offset = -1;     // its offset
    // Snapshots skipped as damaged: "PATH: CRC mismatch", ...
    std::vector<std::string> problems;
  };
  Found newest(const std::string& topic, std::int32_t partition) const;

  enum class Written { kOk, kStale, kFailed };
  // Writes `image` as the partition's snapshot at `next_offset` (>= 0).
  // kStale: a snapshot at a higher offset is there (nothing written);
  // kFailed: `error` says which step failed and why. `bytes`: the size written.
  Written write(const std::string& topic, std::int32_t partition, std::int64_t next_offset,
                std::string_view image, std::string& error, std::uint64_t& bytes) const;

  const std::filesystem::path& directory() const { return dir_; }

 private:
  std::filesystem::path dir_of(const std::string& topic, std::int32_t partition) const;
  std::filesystem::path dir_;
};

}  // namespace ccmon::server
