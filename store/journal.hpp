// The command journal: numbered records in append-only segment files
// `journal/<first sequence, 20 digits>.log` under the state directory.
//
// A record is `u32 length | u32 CRC-32C of the payload | payload` (little
// endian); records are numbered from 1 without gaps across segments, a
// segment's name being the number of its first record. Recovery reads them in
// order and stops at the first record that is torn (the file ends inside it),
// corrupt (CRC mismatch, a length over kMaxRecordBytes) or out of sequence:
// everything from there on is cut (docs/ingestion.md, "Acknowledgements").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_ops.hpp"

namespace ccmon::store {

using Sequence = std::uint64_t;  // record number, from 1; 0 means "none"

inline constexpr std::size_t kRecordHeaderBytes = 8;
inline constexpr std::uint32_t kMaxRecordBytes = 1u << 30;  // a larger length is damage

std::filesystem::path journal_dir(const std::filesystem::path& state_dir);

struct SegmentInfo {
  std::filesystem::path path;
  Sequence first = 0;         // from the name
  std::uint64_t bytes = 0;    // file size
  std::uint64_t records = 0;  // good records read (0 when skipped unread)
  bool read = false;          // false: wholly before `after`, not read
};

struct JournalDamage {
  bool found = false;
  std::filesystem::path segment;  // where the good records end
  std::uint64_t offset = 0;       // good bytes in that segment
  std::uint64_t cut_records = 0;  // the damaged record and those after it that could be delimited
  std::uint64_t cut_bytes = 0;    // bytes after `offset`, later segments included
  std::string reason;             // e.g. "torn record at offset 120 (12 of 48 bytes)"
};

struct JournalScan {
  std::vector<SegmentInfo> segments;  // in sequence order, damaged and cut ones included
  Sequence first = 0;                 // first record present (0: none)
  Sequence last = 0;                  // last good record (0: none)
  std::uint64_t good_bytes = 0;       // of the segments read, up to the damage
  JournalDamage damage;
};

// Reads the journal of `state_dir` without modifying anything, calling
// `record(sequence, payload)` for every good record numbered above `after`,
// in order (segments wholly at or below `after` are not even read). When
// `record` returns false the record counts as damage there (its reader
// cannot read it). A missing journal directory is an empty journal. Throws
// std::filesystem::filesystem_error when a directory or file cannot be read.
JournalScan scan_journal(const std::filesystem::path& state_dir, Sequence after,
                         const std::function<bool(Sequence, std::string_view)>& record = {});

// Cuts the damage `scan` found: truncates its segment at the last good record
// and deletes every later segment, then syncs. 0 or errno.
int cut_journal(const JournalScan& scan);

// Deletes the segments whose records are all at or below `covered` (a
// snapshot holds them), never the newest segment. Returns how many.
std::size_t delete_segments_through(const std::filesystem::path& state_dir, Sequence covered);

// What the sync thread must make durable: the files written since the last
// sync and the last record they hold.
struct SyncJob {
  Sequence upto = 0;
  std::vector<std::shared_ptr<FileDescriptor>> files;
  bool directory = false;  // a segment was created: sync the journal directory too
};

struct JournalOptions {
  std::uint64_t segment_bytes = 64u << 20;  // a new segment past this size
  FileOps ops = FileOps::system();
};

// The writer. append()/roll() are called from one thread (the engine
// thread); take_unsynced()/wait_unsynced() from the sync thread.
class Journal {
 public:
  // Continues after `scan` (its damage already cut): appends to its last
  // segment, or starts a new segment when `next` (the first number to write)
  // is beyond scan.last + 1 — a snapshot covers more than the journal holds.
  // Throws std::system_error when the directory cannot be created.
  Journal(std::filesystem::path state_dir, const JournalScan& scan, Sequence next,
          JournalOptions options = {});
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  struct Appended {
    int error = 0;      // errno of a failed write (ENOSPC, EIO...); 0 on success
    Sequence last = 0;  // number of the last record written
    std::uint64_t bytes = 0;
  };
  // When the sync thread should make the records durable: kSoon wakes it
  // at once (someone waits for them); kWithNext lets it wait for a kSoon
  // record or `deferred_bound` (wait_unsynced), whichever comes first — for
  // a record whose acknowledgement waits for a later one anyway (the parts
  // of one HTTP body), so that the body takes one fdatasync, not one a part.
  enum class Sync { kSoon, kWithNext };
  // Writes the records with one pwrite(2) (page cache; durable once a sync
  // covers `last`). On failure nothing of them stays in the journal and the
  // numbers are not used.
  Appended append(std::span<const std::string_view> payloads, Sync sync = Sync::kSoon);

  // The next append starts a new segment (after a snapshot, so that old
  // segments can be deleted whole). No effect while the segment is empty.
  void roll();

  Sequence written() const { return written_; }  // writer thread
  const std::filesystem::path& directory() const { return dir_; }

  // Writer thread: the kWithNext records written so far are complete (the
  // record that was to follow will not come): wake the sync thread for them.
  void request_sync();

  // Sync thread: what was written since the last call (upto 0: nothing).
  SyncJob take_unsynced();
  // Same, waiting until a kSoon record is written, a kWithNext record has
  // waited `deferred_bound`, or stop_waiting() is called.
  SyncJob wait_unsynced(std::chrono::microseconds deferred_bound);
  void stop_waiting();

 private:
  int open_segment(Sequence first);
  SyncJob take_locked();

  std::filesystem::path dir_;
  JournalOptions options_;
  std::shared_ptr<FileDescriptor> file_;  // current segment
  std::uint64_t offset_ = 0;              // its good bytes
  bool roll_ = false;
  bool stale_tail_ = false;  // a failed write may have left bytes past offset_
  Sequence written_ = 0;
  Sequence next_ = 1;

  std::mutex mutex_;  // guards what follows: shared with the sync thread
  std::condition_variable changed_;
  Sequence unsynced_upto_ = 0;
  std::vector<std::shared_ptr<FileDescriptor>> unsynced_files_;
  bool unsynced_directory_ = false;
  bool sync_soon_ = false;  // a kSoon record is among the unsynced ones
  std::chrono::steady_clock::time_point deferred_since_;  // the first kWithNext one's write
  bool stop_ = false;
};

}  // namespace ccmon::store
