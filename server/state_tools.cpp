#include "server/state_tools.hpp"

#include <chrono>
#include <filesystem>
#include <optional>

#include "config/config.hpp"
#include "server/state_codec_binding.hpp"
#include "server/state_records.hpp"
#include "store/journal.hpp"
#include "store/snapshot_files.hpp"
#include "store/state_lock.hpp"

namespace ccmon::server {
namespace fs = std::filesystem;

namespace {

bool is_state_dir(const std::string& dir, std::ostream& err) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return true;
  err << "ccmond: " << dir << " is not a directory\n";
  return false;
}

double age_seconds(fs::file_time_type t) {
  return std::chrono::duration<double>(fs::file_time_type::clock::now() - t).count();
}

// Decodes a snapshot payload into throwaway objects, as a start would.
std::optional<std::string> decode_problem(const StateCodec& codec, const std::string& payload,
                                          store::Sequence& covered) {
  const config::Config defaults;
  core::Deduplicator dedup(defaults.dedup);
  core::SlaEvaluator sla(defaults.sla_rules);
  try {
    // As many shards as the image was written by: whatever state.shards is
    // (within its range, docs/configuration.md).
    const std::uint32_t shards = codec.shard_count(payload);
    if (shards < 1 || shards > 64) {
      return "written by " + std::to_string(shards) + " shards, outside state.shards' 1..64";
    }
    core::ShardedEngine engine(defaults.engine, shards);
    covered = state_records::decode_extra(codec.decode(payload, engine, dedup, sla)).sequence;
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

}  // namespace

int check_state(const std::string& dir, std::ostream& out, std::ostream& err) {
  if (!is_state_dir(dir, err)) return 2;
  int status = 0;
  long pid = 0;
  if (store::StateLock::held_by_other(dir, pid)) {
    out << dir << ": in use by ccmond (pid " << pid << "); checked read-only as it is now\n";
  }
  const auto codec = state_codec();
  std::optional<store::Sequence> restored;  // the snapshot a start would use
  out << "snapshots:\n";
  const auto snapshots = store::list_snapshots(dir);
  if (snapshots.empty()) out << "  none\n";
  for (const auto& file : snapshots) {
    out << "  " << file.path.filename().string() << "  record " << file.sequence << "  "
        << file.bytes << " bytes  " << static_cast<long long>(age_seconds(file.written))
        << " s old  ";
    const auto read = store::read_snapshot(file);
    std::optional<std::string> problem;
    if (!read.ok) problem = read.problem;
    store::Sequence covered = file.sequence;
    if (!problem && codec) problem = decode_problem(*codec, read.payload, covered);
    if (problem) {
      out << "DAMAGED: " << *problem << "\n";
      if (!restored && codec) status = 1;  // a start would fall back past it
    } else {
      out << "valid\n";
      if (!restored && codec) restored = covered;
    }
  }
  if (!codec && !snapshots.empty()) {
    out << "  (this ccmond has no state codec: a start replays the journal from its start)\n";
  }
  const store::Sequence after = restored.value_or(0);
  std::uint64_t replayed = 0;
  store::JournalScan scan;
  try {
    scan = store::scan_journal(dir, after, [&](store::Sequence, std::string_view bytes) {
      try {
        state_records::decode_record(bytes);
      } catch (const state_records::RecordError&) {
        return false;
      }
      ++replayed;
      return true;
    });
  } catch (const fs::filesystem_error& e) {
    err << "ccmond: " << e.what() << "\n";
    return 1;
  }
  out << "journal:\n";
  if (scan.segments.empty()) out << "  none\n";
  for (const auto& seg : scan.segments) {
    out << "  " << seg.path.filename().string() << "  from record " << seg.first << "  "
        << seg.bytes << " bytes  ";
    if (seg.read) {
      out << seg.records << " good records\n";
    } else {
      out << "covered by the snapshot\n";
    }
  }
  out << "a start would restore: ";
  if (restored) {
    out << "the snapshot at record " << *restored << " and ";
  } else {
    out << "no snapshot, ";
  }
  out << replayed << " journal records (up to record " << std::max(after, scan.last) << ")\n";
  if (scan.damage.found) {
    status = 1;
    out << "damage: " << scan.damage.reason << " in " << scan.damage.segment.filename().string()
        << ": a start would cut " << scan.damage.cut_records << " records ("
        << scan.damage.cut_bytes << " bytes)\n";
  }
  out << (status == 0 ? "state is intact\n" : "state is damaged: a start would lose what is cut\n");
  return status;
}

int reset_state(const std::string& dir, std::ostream& out, std::ostream& err) {
  if (!is_state_dir(dir, err)) return 2;
  long pid = 0;
  if (store::StateLock::held_by_other(dir, pid)) {
    err << "ccmond: state directory " << dir << " is in use by another ccmond (pid " << pid
        << "); stop it first\n";
    return 2;
  }
  std::size_t removed = 0;
  for (const auto& file : store::list_snapshots(dir)) removed += fs::remove(file.path) ? 1 : 0;
  store::remove_temporary_snapshots(dir);
  const fs::path journal = store::journal_dir(dir);
  std::error_code ec;
  if (fs::exists(journal, ec)) {
    for (const auto& e : fs::directory_iterator(journal)) removed += fs::remove(e.path()) ? 1 : 0;
  }
  out << dir << ": " << removed << " files deleted; the next start begins with an empty state\n";
  return 0;
}

}  // namespace ccmon::server
