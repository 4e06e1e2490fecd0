#include "store/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

#include "store/crc32c.hpp"
#include "store/text.hpp"

namespace ccmon::store {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSuffix = ".log";

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string segment_name(Sequence first) {
  std::string digits = std::to_string(first);
  std::string name(20 - std::min<std::size_t>(20, digits.size()), '0');
  name += digits;
  name += kSuffix;
  return name;
}

// The segments of the journal directory, by first record number.
std::vector<SegmentInfo> list_segments(const fs::path& dir) {
  std::vector<SegmentInfo> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 20 + kSuffix.size() || !name.ends_with(kSuffix)) continue;
    Sequence first = 0;
    const auto [end, err] = std::from_chars(name.data(), name.data() + 20, first);
    if (err != std::errc() || end != name.data() + 20) continue;
    out.push_back({entry.path(), first, static_cast<std::uint64_t>(entry.file_size()), 0, false});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw fs::filesystem_error("cannot read journal segment", path,
                               std::error_code(errno, std::generic_category()));
  }
  // Sized once and read in one call: a segment is up to tens of MiB, and a
  // character iterator spent a tenth of a restart's time here.
  std::string bytes(static_cast<std::size_t>(fs::file_size(path)), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  // Short means a read error (nothing writes a segment while it is read):
  // cut it as a torn tail and acknowledged records would be deleted.
  if (static_cast<std::size_t>(in.gcount()) != bytes.size()) {
    throw fs::filesystem_error("cannot read all of journal segment", path,
                               std::error_code(EIO, std::generic_category()));
  }
  return bytes;
}

// Counts the records after damage at `offset` that their length fields still
// delimit (best effort: the damaged one counts as one).
std::uint64_t count_records_from(std::string_view bytes, std::size_t offset) {
  std::uint64_t n = 0;
  while (offset < bytes.size()) {
    ++n;
    if (bytes.size() - offset < kRecordHeaderBytes) break;
    const std::uint32_t length = get_u32(bytes.data() + offset);
    if (length > kMaxRecordBytes) break;
    offset += kRecordHeaderBytes + length;
  }
  return n;
}

}  // namespace

fs::path journal_dir(const fs::path& state_dir) {
  return state_dir / "journal";
}

JournalScan scan_journal(const fs::path& state_dir, Sequence after,
                         const std::function<bool(Sequence, std::string_view)>& record) {
  JournalScan scan;
  scan.segments = list_segments(journal_dir(state_dir));
  auto& damage = scan.damage;
  Sequence expected = 0;  // next record number, once the first segment read sets it
  for (std::size_t i = 0; i < scan.segments.size(); ++i) {
    SegmentInfo& seg = scan.segments[i];
    if (damage.found) {
      // After the damage: cut whole, counted as far as lengths delimit.
      const std::string bytes = read_file(seg.path);
      damage.cut_records += count_records_from(bytes, 0);
      damage.cut_bytes += bytes.size();
      continue;
    }
    if (scan.first == 0 && seg.bytes != 0) scan.first = seg.first;
    const bool wholly_before = i + 1 < scan.segments.size() && scan.segments[i + 1].first != 0 &&
                               scan.segments[i + 1].first - 1 <= after && expected == 0;
    if (wholly_before) continue;  // covered by a snapshot: not needed, not read
    if (expected == 0 && seg.first > after + 1 && seg.bytes != 0) {
      // No snapshot covers the records before this segment.
      damage = {true, seg.path,
                0,    0,
                0,    concat("records ", after + 1, " to ", seg.first - 1, " are missing")};
      --i;  // count this segment as cut
      continue;
    }
    if (expected != 0 && seg.first != expected) {
      damage = {true,
                scan.segments[i - 1].path,
                scan.segments[i - 1].bytes,
                0,
                0,
                concat("segment ", seg.path.filename().string(), " does not follow record ",
                       expected - 1)};
      --i;  // count this segment as cut
      continue;
    }
    const std::string bytes = read_file(seg.path);
    seg.read = true;
    expected = seg.first;
    std::size_t offset = 0;
    while (offset < bytes.size()) {
      const std::size_t left = bytes.size() - offset;
      std::string reason;
      std::uint32_t length = 0;
      if (left < kRecordHeaderBytes) {
        reason = "torn record header";
      } else if ((length = get_u32(bytes.data() + offset)) > kMaxRecordBytes) {
        reason = concat("record length ", length, " over the limit");
      } else if (left - kRecordHeaderBytes < length) {
        reason = concat("torn record (", left, " of ", kRecordHeaderBytes + length, " bytes)");
      } else {
        const std::string_view payload(bytes.data() + offset + kRecordHeaderBytes, length);
        if (crc32c(payload) != get_u32(bytes.data() + offset + 4)) {
          reason = concat("CRC mismatch in record ", expected);
        } else if (expected > after && record && !record(expected, payload)) {
          reason = concat("record ", expected, " cannot be read");
        } else {
          scan.last = expected++;
          ++seg.records;
          offset += kRecordHeaderBytes + length;
          continue;
        }
      }
      reason += concat(" at offset ", offset);
      damage = {true,  seg.path, offset, count_records_from(bytes, offset), bytes.size() - offset,
                reason};
      break;
    }
    scan.good_bytes += offset;
    if (damage.found) continue;
  }
  return scan;
}

int cut_journal(const JournalScan& scan) {
  if (!scan.damage.found) return 0;
  bool after = false;
  for (const auto& seg : scan.segments) {
    if (after) {
      std::error_code ec;
      fs::remove(seg.path, ec);
      if (ec) return ec.value();
    } else if (seg.path == scan.damage.segment) {
      after = true;
      if (scan.damage.offset == 0) {
        std::error_code ec;
        fs::remove(seg.path, ec);
        if (ec) return ec.value();
        continue;
      }
      if (::truncate(seg.path.c_str(), static_cast<off_t>(scan.damage.offset)) != 0) return errno;
      FileDescriptor fd(::open(seg.path.c_str(), O_WRONLY | O_CLOEXEC));
      if (!fd.valid() || ::fsync(fd.get()) != 0) return errno;
    }
  }
  return sync_directory(journal_dir(scan.damage.segment.parent_path().parent_path()));
}

std::size_t delete_segments_through(const fs::path& state_dir, Sequence covered) {
  const auto segments = list_segments(journal_dir(state_dir));
  std::size_t deleted = 0;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i + 1].first - 1 > covered) break;
    std::error_code ec;
    if (fs::remove(segments[i].path, ec)) ++deleted;
  }
  if (deleted != 0) sync_directory(journal_dir(state_dir));
  return deleted;
}

Journal::Journal(fs::path state_dir, const JournalScan& scan, Sequence next, JournalOptions options)
    : dir_(journal_dir(state_dir)), options_(std::move(options)) {
  fs::create_directories(dir_);
  written_ = std::max(scan.last, next == 0 ? Sequence{0} : next - 1);
  next_ = written_ + 1;
  // Append to the last segment when it ends exactly where we go on;
  // otherwise the next append opens a new one.
  // (After damage, always a new segment: the cut one may be named for a
  // record that is gone.)
  if (!scan.segments.empty() && !scan.damage.found && scan.last + 1 == next_) {
    const auto& last = scan.segments.back();
    FileDescriptor fd(::open(last.path.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.valid()) {
      file_ = std::make_shared<FileDescriptor>(std::move(fd));
      offset_ = last.bytes;
    }
  }
}

Journal::~Journal() = default;

int Journal::open_segment(Sequence first) {
  const fs::path path = dir_ / segment_name(first);
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno;
  if (file_) {
    // The previous segment still needs its last sync: keep it in the job.
    std::lock_guard lock(mutex_);
    if (std::find(unsynced_files_.begin(), unsynced_files_.end(), file_) == unsynced_files_.end()) {
      unsynced_files_.push_back(file_);
    }
  }
  file_ = std::make_shared<FileDescriptor>(std::move(fd));
  offset_ = 0;
  stale_tail_ = false;
  roll_ = false;
  std::lock_guard lock(mutex_);
  unsynced_directory_ = true;
  return 0;
}

void Journal::roll() {
  if (file_ && offset_ != 0) roll_ = true;
}

Journal::Appended Journal::append(std::span<const std::string_view> payloads, Sync sync) {
  if (payloads.empty()) return {0, written_, 0};
  if (!file_ || roll_ || offset_ >= options_.segment_bytes) {
    if (int err = open_segment(next_)) return {err, 0, 0};
  }
  std::string buffer;
  std::size_t size = 0;
  for (auto p : payloads) size += kRecordHeaderBytes + p.size();
  buffer.reserve(size);
  for (auto p : payloads) {
    put_u32(buffer, static_cast<std::uint32_t>(p.size()));
    put_u32(buffer, crc32c(p));
    buffer.append(p);
  }
  const off_t at = static_cast<off_t>(offset_);
  if (int err = write_all(options_.ops, file_->get(), buffer, at)) {
    // Take back what part of it reached the file; if even that fails, the
    // next write overwrites it and truncates after itself.
    stale_tail_ = ::ftruncate(file_->get(), at) != 0;
    return {err, 0, 0};
  }
  offset_ += buffer.size();
  if (stale_tail_) stale_tail_ = ::ftruncate(file_->get(), static_cast<off_t>(offset_)) != 0;
  next_ += payloads.size();
  written_ = next_ - 1;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // The sync thread waits for the first record after a sync, then for a
    // kSoon one: only those wake it (a futex wake costs the writer more
    // than the write, measured: 1.7 % of the engine thread).
    wake = unsynced_upto_ == 0 || (sync == Sync::kSoon && !sync_soon_);
    if (sync == Sync::kSoon) {
      sync_soon_ = true;
    } else if (unsynced_upto_ == 0) {
      deferred_since_ = std::chrono::steady_clock::now();
    }
    unsynced_upto_ = written_;
    if (std::find(unsynced_files_.begin(), unsynced_files_.end(), file_) == unsynced_files_.end()) {
      unsynced_files_.push_back(file_);
    }
  }
  if (wake) changed_.notify_one();
  return {0, written_, buffer.size()};
}

void Journal::request_sync() {
  {
    std::lock_guard lock(mutex_);
    if (unsynced_upto_ == 0 || sync_soon_) return;
    sync_soon_ = true;
  }
  changed_.notify_one();
}

SyncJob Journal::take_locked() {
  SyncJob job;
  job.upto = unsynced_upto_;
  job.files = std::move(unsynced_files_);
  job.directory = unsynced_directory_;
  unsynced_files_.clear();
  unsynced_upto_ = 0;
  unsynced_directory_ = false;
  sync_soon_ = false;
  return job;
}

SyncJob Journal::take_unsynced() {
  std::lock_guard lock(mutex_);
  return take_locked();
}

SyncJob Journal::wait_unsynced(std::chrono::microseconds deferred_bound) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return stop_ || unsynced_upto_ != 0; });
  // Only kWithNext records so far: wait for the record that completes them.
  changed_.wait_until(lock, deferred_since_ + deferred_bound,
                      [this] { return stop_ || sync_soon_; });
  return take_locked();
}

void Journal::stop_waiting() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
}

}  // namespace ccmon::store
