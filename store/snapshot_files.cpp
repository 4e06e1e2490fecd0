#include "store/snapshot_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "store/crc32c.hpp"
#include "store/text.hpp"

namespace ccmon::store {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "CCMONSNP";
constexpr std::string_view kPrefix = "snapshot-";
constexpr std::string_view kSuffix = ".bin";
constexpr std::string_view kTemporary = ".tmp";

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string file_name(Sequence sequence) {
  std::string digits = std::to_string(sequence);
  std::string name(kPrefix);
  name.append(20 - std::min<std::size_t>(20, digits.size()), '0');
  name += digits;
  name += kSuffix;
  return name;
}

}  // namespace

std::vector<SnapshotFile> list_snapshots(const fs::path& state_dir) {
  std::vector<SnapshotFile> out;
  std::error_code ec;
  if (!fs::is_directory(state_dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(state_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != kPrefix.size() + 20 + kSuffix.size() || !name.starts_with(kPrefix) ||
        !name.ends_with(kSuffix)) {
      continue;
    }
    Sequence sequence = 0;
    const char* digits = name.data() + kPrefix.size();
    const auto [end, err] = std::from_chars(digits, digits + 20, sequence);
    if (err != std::errc() || end != digits + 20) continue;
    out.push_back({entry.path(), sequence, static_cast<std::uint64_t>(entry.file_size(ec)),
                   entry.last_write_time(ec)});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.sequence > b.sequence; });
  return out;
}

SnapshotRead read_snapshot(const SnapshotFile& file) {
  SnapshotRead r;
  std::ifstream in(file.path, std::ios::binary);
  if (!in) {
    r.problem = "cannot read: ";
    r.problem += std::strerror(errno);
    return r;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kSnapshotHeaderBytes) {
    r.problem = concat("truncated header (", bytes.size(), " bytes)");
    return r;
  }
  if (std::string_view(bytes.data(), kMagic.size()) != kMagic) {
    r.problem = "not a ccmon snapshot (bad magic)";
    return r;
  }
  const auto version = get_le(bytes.data() + 8, 4);
  if (version != kSnapshotFileVersion) {
    r.problem = concat("snapshot file format version ", version, ", this ccmond reads ",
                       kSnapshotFileVersion);
    return r;
  }
  const auto sequence = get_le(bytes.data() + 16, 8);
  const auto length = get_le(bytes.data() + 24, 8);
  if (bytes.size() - kSnapshotHeaderBytes != length) {
    r.problem = concat("truncated: ", bytes.size() - kSnapshotHeaderBytes, " of ", length,
                       " payload bytes");
    return r;
  }
  const auto crc = static_cast<std::uint32_t>(get_le(bytes.data() + 12, 4));
  if (crc32c(std::string_view(bytes).substr(16)) != crc) {
    r.problem = "CRC mismatch";
    return r;
  }
  if (sequence != file.sequence) {
    r.problem = concat("holds sequence ", sequence, ", not that of its name");
    return r;
  }
  r.ok = true;
  r.payload = bytes.substr(kSnapshotHeaderBytes);
  return r;
}

namespace {

fs::path temporary_path(const fs::path& state_dir, Sequence sequence) {
  fs::path p = state_dir / file_name(sequence);
  p += kTemporary;
  return p;
}

}  // namespace

SnapshotPayloadWrite write_snapshot_payload(const fs::path& state_dir, Sequence sequence,
                                            const std::function<void(const PayloadSink&)>& produce,
                                            const FileOps& ops) {
  SnapshotPayloadWrite w;
  const fs::path tmp_path = temporary_path(state_dir, sequence);
  FileDescriptor fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    w.error = errno;
    w.step = "open";
    return w;
  }
  auto offset = static_cast<off_t>(kSnapshotHeaderBytes);
  int error = 0;
  // After a failed write the rest is dropped: the producer runs to its end.
  const PayloadSink write = [&](std::string_view bytes) {
    if (error == 0 && !bytes.empty()) error = write_all(ops, fd.get(), bytes, offset);
    offset += static_cast<off_t>(bytes.size());
  };
  try {
    produce(write);
  } catch (...) {
    ::unlink(tmp_path.c_str());
    throw;
  }
  if (error != 0) {
    ::unlink(tmp_path.c_str());
    w.error = error;
    w.step = "write";
    return w;
  }
  w.payload_bytes = static_cast<std::uint64_t>(offset) - kSnapshotHeaderBytes;
  return w;
}

void remove_temporary_snapshot(const fs::path& state_dir, Sequence sequence) {
  ::unlink(temporary_path(state_dir, sequence).c_str());
}

namespace {

// commit_snapshot; `payload` (when not null) is the payload the file holds,
// so that its CRC need not be read back.
SnapshotWrite commit(const fs::path& state_dir, Sequence sequence, std::uint64_t payload_bytes,
                     const std::string_view* payload, const FileOps& ops) {
  SnapshotWrite w;
  const fs::path tmp_path = temporary_path(state_dir, sequence);
  auto fail = [&](const char* step, int error) {
    ::unlink(tmp_path.c_str());
    w.error = error;
    w.step = step;
    return w;
  };
  FileDescriptor fd(::open(tmp_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return fail("open", errno);
  std::string header(kMagic);
  put_le(header, kSnapshotFileVersion, 4);
  put_le(header, 0, 4);  // CRC, set below
  put_le(header, sequence, 8);
  put_le(header, payload_bytes, 8);
  Crc32c crc;
  crc.process(header.data() + 16, 16);
  // The CRC covers the payload's length, known only once it was written:
  // a streamed payload is read back (from the page cache) rather than kept.
  // A write-back error the writer did not see (the snapshot process is
  // gone) still reaches the fdatasync below: since Linux 4.16 an unseen
  // error is reported to a descriptor opened after it.
  if (payload != nullptr) crc.process(payload->data(), payload->size());
  const std::size_t chunk_bytes = payload != nullptr ? 0 : std::size_t{1} << 20;
  const auto chunk = std::make_unique_for_overwrite<char[]>(chunk_bytes);
  for (std::uint64_t done = 0; payload == nullptr && done < payload_bytes;) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, payload_bytes - done));
    const ssize_t n =
        ::pread(fd.get(), chunk.get(), want, static_cast<off_t>(kSnapshotHeaderBytes + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read", errno);
    if (n == 0) return fail("read", EIO);  // shorter than its writer said
    crc.process(chunk.get(), static_cast<std::size_t>(n));
    done += static_cast<std::uint64_t>(n);
  }
  const std::uint32_t sum = crc.checksum();
  for (int i = 0; i < 4; ++i) header[12 + i] = static_cast<char>((sum >> (8 * i)) & 0xff);
  if (int e = write_all(ops, fd.get(), header, 0)) return fail("write", e);
  if (ops.fdatasync(fd.get()) != 0) return fail("fdatasync", errno);
  fd = FileDescriptor();
  const fs::path final_path = state_dir / file_name(sequence);
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) return fail("rename", errno);
  if (int e = sync_directory(state_dir)) {
    w.error = e;
    w.step = "fsync of the directory";
    return w;
  }
  w.bytes = kSnapshotHeaderBytes + payload_bytes;
  const auto kept = list_snapshots(state_dir);
  for (std::size_t i = kSnapshotsKept; i < kept.size(); ++i) {
    std::error_code ec;
    fs::remove(kept[i].path, ec);
  }
  w.oldest_kept =
      kept.empty() ? sequence : kept[std::min(kept.size(), kSnapshotsKept) - 1].sequence;
  return w;
}

}  // namespace

SnapshotWrite commit_snapshot(const fs::path& state_dir, Sequence sequence,
                              std::uint64_t payload_bytes, const FileOps& ops) {
  return commit(state_dir, sequence, payload_bytes, nullptr, ops);
}

SnapshotWrite write_snapshot(const fs::path& state_dir, Sequence sequence, std::string_view payload,
                             const FileOps& ops) {
  const auto p = write_snapshot_payload(
      state_dir, sequence, [payload](const PayloadSink& write) { write(payload); }, ops);
  if (p.error != 0) {
    SnapshotWrite w;
    w.error = p.error;
    w.step = p.step;
    return w;
  }
  return commit(state_dir, sequence, p.payload_bytes, &payload, ops);
}

void remove_temporary_snapshots(const fs::path& state_dir) {
  std::error_code ec;
  if (!fs::is_directory(state_dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(state_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kPrefix) && name.ends_with(kTemporary)) fs::remove(entry.path(), ec);
  }
}

}  // namespace ccmon::store
