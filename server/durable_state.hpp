// The daemon's side of the state directory (docs/architecture.md, "Durable
// state"): the lock, recovery, the journal writer with its sync thread, and
// the snapshot thread. The engine runner drives it from the engine thread;
// the bytes of records and snapshots are the runner's (server/state_records,
// the state codec).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "config/config.hpp"
#include "server/self_metrics.hpp"
#include "store/journal.hpp"
#include "store/journal_sync.hpp"
#include "store/snapshot_child.hpp"
#include "store/state_lock.hpp"

namespace ccmon::server {

class DurableState {
 public:
  // Takes the lock of options.dir (creating the directory). nullptr with
  // `error` set ("state directory DIR is in use by another ccmond (pid N)")
  // when it cannot; `in_use` says it is another daemon's (the daemon then
  // exits 2, else 1).
  // `with_next_bound`: the sync thread's backstop for records written
  // kWithNext (store::JournalSync; tests lengthen it).
  static std::unique_ptr<DurableState> open(
      const config::DurableConfig& options, SelfMetrics& metrics, std::string& error, bool& in_use,
      store::FileOps ops = store::FileOps::system(),
      std::chrono::microseconds with_next_bound = store::JournalSync::kWithNextBound);
  ~DurableState();

  struct Recovery {
    store::Sequence sequence = 0;   // last record restored
    std::uint64_t replayed = 0;     // journal records applied
    std::uint64_t cut_records = 0;  // torn or corrupt, cut
    std::uint64_t fallbacks = 0;    // damaged snapshots skipped
    store::Sequence snapshot = 0;   // sequence of the snapshot used
    bool from_snapshot = false;     // false: none was usable, the state started empty
    double seconds = 0;
  };
  // Engine thread, once, first. `restore(payload)` decodes a snapshot into
  // the state and returns the record it covers, or throws (the snapshot is
  // then skipped and counted); nullptr when snapshots cannot be read (no
  // codec): the journal is then replayed from its start. `replay(payload)`
  // applies one record; false when it cannot be read (treated as damage).
  // Damage is cut; then the journal is open for appends.
  Recovery recover(const std::function<store::Sequence(std::string_view)>& restore,
                   const std::function<bool(std::string_view)>& replay);

  // Starts the sync thread; `report` runs on it after each sync.
  void start_sync(std::function<void(const store::SyncReport&)> report);

  // Engine thread: appends one record (see store::Journal::append); counts
  // bytes, records and errors, and keeps ccmon_state_writable: any failure
  // sets it to 0, and only a stored batch sets it back to 1 (a small tick
  // record can still fit where a batch does not).
  enum class RecordKind { kBatch, kTick };
  // `sync`: see store::Journal::Sync.
  store::Journal::Appended append(std::string_view record, RecordKind kind = RecordKind::kBatch,
                                  store::Journal::Sync sync = store::Journal::Sync::kSoon);
  store::Sequence written() const { return journal_->written(); }
  // Engine thread: see store::Journal::request_sync (nothing before recover()).
  void request_sync() {
    if (journal_) journal_->request_sync();
  }

  // Engine thread: whether a snapshot is due (interval or journal growth)
  // and none is being written.
  bool snapshot_due(std::chrono::steady_clock::time_point now) const;
  // Engine thread: writes the state as of record `sequence` in the
  // background, then deletes what it makes unnecessary; the journal rolls to
  // a new segment first. `encode` hands the bytes to the sink it is given:
  // it runs in a forked child (store/snapshot_child.hpp), which streams them
  // to the file, so the engine thread is held only for the fork; when the
  // fork fails (counted and logged) it runs here into memory and the bytes
  // are written on the snapshot thread.
  void write_snapshot(store::Sequence sequence,
                      const std::function<void(const store::PayloadSink&)>& encode);
  // Same, on the calling thread (clean shutdown); waits for one in flight.
  void write_snapshot_now(store::Sequence sequence, std::string payload, double encode_seconds);
  // Seconds since the newest snapshot (or since open while there is none).
  double snapshot_age_seconds() const;

  // Clean shutdown: sync what is written (reporting it), stop the threads.
  void sync_and_stop();

  const config::DurableConfig& options() const { return options_; }

 private:
  DurableState(config::DurableConfig options, StateMetrics& metrics, store::StateLock lock,
               store::FileOps ops, std::chrono::microseconds with_next_bound);
  void write_snapshot_blocking(store::Sequence sequence, const std::string& payload,
                               double encode_seconds);
  // Snapshot thread: the bookkeeping after a write, in-process or a child's.
  void snapshot_written(store::Sequence sequence, const store::SnapshotWrite& w, double seconds);
  void join_snapshot();

  config::DurableConfig options_;
  std::filesystem::path dir_;
  store::FileOps ops_;  // the journal's and snapshots' writes and syncs (tests inject failures)
  std::chrono::microseconds with_next_bound_;
  StateMetrics& metrics_;
  store::StateLock lock_;
  std::unique_ptr<store::Journal> journal_;
  std::unique_ptr<store::JournalSync> sync_;

  // Snapshot bookkeeping: written_at_ on the engine thread; the rest shared.
  std::chrono::steady_clock::time_point last_snapshot_;
  std::uint64_t journal_bytes_since_snapshot_ = 0;
  std::thread snapshot_thread_;
  std::atomic<bool> snapshot_running_{false};
  std::atomic<double> snapshot_unix_seconds_{0};
};

}  // namespace ccmon::server
