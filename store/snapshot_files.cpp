#include "store/snapshot_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

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

SnapshotWrite write_snapshot(const fs::path& state_dir, Sequence sequence, std::string_view payload,
                             const FileOps& ops) {
  SnapshotWrite w;
  std::string header(kMagic);
  put_le(header, kSnapshotFileVersion, 4);
  put_le(header, 0, 4);  // CRC, set below
  put_le(header, sequence, 8);
  put_le(header, payload.size(), 8);
  Crc32c crc;
  crc.process(header.data() + 16, 16);
  crc.process(payload.data(), payload.size());
  const std::uint32_t sum = crc.checksum();
  for (int i = 0; i < 4; ++i) header[12 + i] = static_cast<char>((sum >> (8 * i)) & 0xff);

  const fs::path final_path = state_dir / file_name(sequence);
  fs::path tmp_path = final_path;
  tmp_path += kTemporary;
  auto fail = [&](const char* step, int error) {
    ::unlink(tmp_path.c_str());
    w.error = error;
    w.step = step;
    return w;
  };
  FileDescriptor fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return fail("open", errno);
  if (int e = write_all(ops, fd.get(), header, 0)) return fail("write", e);
  if (int e = write_all(ops, fd.get(), payload, static_cast<off_t>(header.size()))) {
    return fail("write", e);
  }
  if (ops.fdatasync(fd.get()) != 0) return fail("fdatasync", errno);
  fd = FileDescriptor();
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) return fail("rename", errno);
  if (int e = sync_directory(state_dir)) {
    w.error = e;
    w.step = "fsync of the directory";
    return w;
  }
  w.bytes = header.size() + payload.size();
  const auto kept = list_snapshots(state_dir);
  for (std::size_t i = kSnapshotsKept; i < kept.size(); ++i) {
    std::error_code ec;
    fs::remove(kept[i].path, ec);
  }
  w.oldest_kept =
      kept.empty() ? sequence : kept[std::min(kept.size(), kSnapshotsKept) - 1].sequence;
  return w;
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
