// Snapshot files `snapshot-<sequence, 20 digits>.bin` in the state directory:
// the whole state as of journal record <sequence>, written atomically.
//
// Layout (little endian): 8-byte magic "CCMONSNP", u32 file-format version
// (kSnapshotFileVersion), u32 CRC-32C of everything after this field, u64
// sequence, u64 payload length, payload (the state codec's bytes,
// core/persist/state_codec.hpp). The newest file and the one before it are
// kept: when the newest is damaged, start falls back to the previous one plus
// the journal after it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_ops.hpp"
#include "store/journal.hpp"

namespace ccmon::store {

inline constexpr std::uint32_t kSnapshotFileVersion = 1;
inline constexpr std::size_t kSnapshotHeaderBytes = 32;
inline constexpr std::size_t kSnapshotsKept = 2;

struct SnapshotFile {
  std::filesystem::path path;
  Sequence sequence = 0;    // from the name
  std::uint64_t bytes = 0;  // file size
  std::filesystem::file_time_type written{};
};

// The snapshot files of `state_dir`, newest (highest sequence) first.
// Leftover `.tmp` files are not listed.
std::vector<SnapshotFile> list_snapshots(const std::filesystem::path& state_dir);

struct SnapshotRead {
  bool ok = false;
  std::string payload;  // when ok
  std::string problem;  // when not: "CRC mismatch", "truncated: 100 of 4096 bytes", ...
};

// Reads one snapshot file and checks its magic, version, sequence and CRC.
SnapshotRead read_snapshot(const SnapshotFile& file);

struct SnapshotWrite {
  int error = 0;             // errno of the failed step; 0 on success
  std::string step;          // which step failed: "write", "fdatasync", "rename", ...
  std::uint64_t bytes = 0;   // file size written
  Sequence oldest_kept = 0;  // sequence of the oldest snapshot now kept
};

// Writes `payload` as the snapshot at `sequence`: `.tmp`, fdatasync, rename,
// fsync of the directory; then deletes all but the kSnapshotsKept newest.
// On failure the temporary file is removed and nothing else changes.
SnapshotWrite write_snapshot(const std::filesystem::path& state_dir, Sequence sequence,
                             std::string_view payload, const FileOps& ops = FileOps::system());

// Deletes leftover `.tmp` snapshot files (a crash during a write).
void remove_temporary_snapshots(const std::filesystem::path& state_dir);

}  // namespace ccmon::store
