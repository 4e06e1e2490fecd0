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
#include <functional>
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
// Equivalent to write_snapshot_payload then commit_snapshot.
SnapshotWrite write_snapshot(const std::filesystem::path& state_dir, Sequence sequence,
                             std::string_view payload, const FileOps& ops = FileOps::system());

// write_snapshot in two halves, for a payload too large to hold whole: the
// snapshot process streams the state codec's bytes to the file, and the
// daemon commits the file once the process is gone (store/snapshot_child.hpp).
//
// The first half creates the `.tmp` file of `sequence` and writes to it,
// after room for the header, each piece `produce` hands to the sink it is
// given (one ops.pwrite per piece: give blocks, not bytes). A failed write
// is remembered and the rest of the pieces dropped, so `produce` runs to
// its end either way; on any failure the `.tmp` file is removed.
// Exceptions from `produce` propagate (after the removal).
using PayloadSink = std::function<void(std::string_view bytes)>;
struct SnapshotPayloadWrite {
  int error = 0;                    // errno of the failed step; 0 on success
  std::string step;                 // "open", "write"
  std::uint64_t payload_bytes = 0;  // on success
};
SnapshotPayloadWrite write_snapshot_payload(const std::filesystem::path& state_dir,
                                            Sequence sequence,
                                            const std::function<void(const PayloadSink&)>& produce,
                                            const FileOps& ops = FileOps::system());

// The second half: reads the `.tmp` file back for its CRC-32C (from the page
// cache: the payload is not held in memory), writes the header, then
// fdatasync, rename and the rest as write_snapshot does. `payload_bytes`
// must be what the first half reported; a shorter file fails with step
// "read". On failure the `.tmp` file is removed. Any thread.
SnapshotWrite commit_snapshot(const std::filesystem::path& state_dir, Sequence sequence,
                              std::uint64_t payload_bytes, const FileOps& ops = FileOps::system());

// Deletes the `.tmp` file of `sequence`, if any: what a snapshot process
// that died half-way left.
void remove_temporary_snapshot(const std::filesystem::path& state_dir, Sequence sequence);

// Deletes leftover `.tmp` snapshot files (a crash during a write).
void remove_temporary_snapshots(const std::filesystem::path& state_dir);

}  // namespace ccmon::store
