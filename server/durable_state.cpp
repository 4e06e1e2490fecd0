#include "server/durable_state.hpp"

#include <spdlog/spdlog.h>

#include "server/huge_page_heap.hpp"
#include "store/snapshot_files.hpp"
#include "store/thread_name.hpp"

namespace ccmon::server {
namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double unix_seconds(std::filesystem::file_time_type t) {
  const auto sys = std::chrono::file_clock::to_sys(t);
  return std::chrono::duration<double>(sys.time_since_epoch()).count();
}

}  // namespace

std::unique_ptr<DurableState> DurableState::open(const config::DurableConfig& options,
                                                 SelfMetrics& metrics, std::string& error,
                                                 bool& in_use, store::FileOps ops,
                                                 std::chrono::microseconds with_next_bound) {
  auto lock = store::StateLock::acquire(options.dir, error, in_use);
  if (!lock) return nullptr;
  return std::unique_ptr<DurableState>(new DurableState(
      options, metrics.enable_state(), std::move(*lock), std::move(ops), with_next_bound));
}

DurableState::DurableState(config::DurableConfig options, StateMetrics& metrics,
                           store::StateLock lock, store::FileOps ops,
                           std::chrono::microseconds with_next_bound)
    : options_(std::move(options)),
      dir_(options_.dir),
      ops_(std::move(ops)),
      with_next_bound_(with_next_bound),
      metrics_(metrics),
      lock_(std::move(lock)),
      last_snapshot_(std::chrono::steady_clock::now()),
      snapshot_unix_seconds_(unix_now()) {}

DurableState::~DurableState() {
  if (sync_) sync_->stop();
  join_snapshot();
}

DurableState::Recovery DurableState::recover(
    const std::function<store::Sequence(std::string_view)>& restore,
    const std::function<bool(std::string_view)>& replay) {
  const auto start = std::chrono::steady_clock::now();
  Recovery r;
  store::remove_temporary_snapshots(dir_);
  if (restore) {
    for (const auto& file : store::list_snapshots(dir_)) {
      auto read = store::read_snapshot(file);
      std::string problem = read.problem;
      if (read.ok) {
        try {
          r.sequence = restore(read.payload);
          r.snapshot = file.sequence;
          r.from_snapshot = true;
          snapshot_unix_seconds_ = unix_seconds(file.written);
          spdlog::info("state: restored snapshot {} ({} bytes)", file.path.string(), file.bytes);
          break;
        } catch (const std::exception& e) {
          problem = e.what();
        }
      }
      ++r.fallbacks;
      spdlog::error("state: snapshot {} is unusable ({}); falling back to the one before",
                    file.path.string(), problem);
    }
  }
  auto last_log = start;
  auto scan = store::scan_journal(dir_, r.sequence, [&](store::Sequence s, std::string_view p) {
    // A record with a good CRC that the reader refuses (a journal written by
    // a newer ccmond, or a bug) is cut like damage, so nothing after it is
    // applied out of order.
    if (!replay(p)) return false;
    ++r.replayed;
    r.sequence = s;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log > std::chrono::seconds(5)) {
      last_log = now;
      spdlog::info("state: replaying the journal: {} records so far (record {})", r.replayed, s);
    }
    return true;
  });
  if (scan.damage.found) {
    r.cut_records = scan.damage.cut_records;
    spdlog::error(
        "state: journal damaged ({} in {}): cutting {} records ({} bytes) after record {}",
        scan.damage.reason, scan.damage.segment.string(), scan.damage.cut_records,
        scan.damage.cut_bytes, scan.last);
    if (int e = store::cut_journal(scan)) {
      spdlog::error("state: cannot cut the damaged journal: {}", store::error_text(e));
    }
  }
  journal_ = std::make_unique<store::Journal>(dir_, scan, r.sequence + 1,
                                              store::JournalOptions{.ops = ops_});
  const auto end = std::chrono::steady_clock::now();
  r.seconds = std::chrono::duration<double>(end - start).count();
  metrics_.recovery_cut_records->Increment(static_cast<double>(r.cut_records));
  metrics_.snapshot_fallbacks->Increment(static_cast<double>(r.fallbacks));
  metrics_.replayed_records->Increment(static_cast<double>(r.replayed));
  metrics_.replay_duration->Set(r.seconds);
  metrics_.writable->Set(1);
  last_snapshot_ = end;
  return r;
}

void DurableState::start_sync(std::function<void(const store::SyncReport&)> report) {
  const auto interval = options_.sync == config::SyncMode::kAlways
                            ? std::chrono::microseconds(0)
                            : std::chrono::microseconds(options_.sync_interval);
  sync_ = std::make_unique<store::JournalSync>(
      *journal_, ops_, interval,
      [this, report = std::move(report)](const store::SyncReport& r) {
        metrics_.fsync_duration->Observe(r.seconds);
        if (r.error != 0) {
          metrics_.write_errors->Increment();
          spdlog::error("state: fdatasync of the journal failed: {}", store::error_text(r.error));
        }
        report(r);
      },
      with_next_bound_);
}

store::Journal::Appended DurableState::append(std::string_view record, RecordKind kind,
                                              store::Journal::Sync sync) {
  const std::string_view records[] = {record};
  auto a = journal_->append(records, sync);
  if (a.error != 0) {
    metrics_.write_errors->Increment();
    metrics_.writable->Set(0);
    return a;
  }
  if (kind == RecordKind::kBatch) metrics_.writable->Set(1);
  metrics_.journal_records->Increment();
  metrics_.journal_written_bytes->Increment(static_cast<double>(a.bytes));
  journal_bytes_since_snapshot_ += a.bytes;
  return a;
}

bool DurableState::snapshot_due(std::chrono::steady_clock::time_point now) const {
  if (snapshot_running_) return false;
  return journal_bytes_since_snapshot_ >= options_.snapshot_journal_bytes ||
         now - last_snapshot_ >= std::chrono::microseconds(options_.snapshot_interval);
}

void DurableState::join_snapshot() {
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

void DurableState::write_snapshot(store::Sequence sequence,
                                  const std::function<void(const store::PayloadSink&)>& encode) {
  join_snapshot();  // the previous one has finished (snapshot_due said so)
  journal_->roll();
  last_snapshot_ = std::chrono::steady_clock::now();
  journal_bytes_since_snapshot_ = 0;
  snapshot_running_ = true;
  int error = 0;
  if (auto child = store::ChildSnapshot::start(dir_, sequence, encode, ops_, error)) {
    snapshot_thread_ = std::thread([this, sequence, child = std::move(*child)]() mutable {
      store::name_this_thread("ccmon-snapshot");
      const auto r = child.wait();
      snapshot_written(sequence, r.write, r.child_seconds + r.commit_seconds);
      // The child is gone: the heap's huge pages its fork split, rejoined
      // (before the next snapshot may start: snapshot_running_ still set).
      const auto collapse_start = std::chrono::steady_clock::now();
      const std::size_t collapsed = collapse_heap();
      const double collapse_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - collapse_start).count();
      metrics_.heap_collapse_duration->Set(collapse_seconds);
      metrics_.heap_huge_pages->Set(static_cast<double>(collapsed));
      spdlog::debug("state: {} MiB of the heap in huge pages after the snapshot ({:.1f} ms)",
                    collapsed >> 20, collapse_seconds * 1e3);
      snapshot_running_ = false;
    });
    return;
  }
  spdlog::warn("state: cannot fork the snapshot process ({}); encoding on the engine thread",
               store::error_text(error));
  const auto start = std::chrono::steady_clock::now();
  std::string payload;
  encode([&payload](std::string_view bytes) { payload.append(bytes); });
  const double encode_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  snapshot_thread_ = std::thread([this, sequence, payload = std::move(payload), encode_seconds] {
    store::name_this_thread("ccmon-snapshot");
    write_snapshot_blocking(sequence, payload, encode_seconds);
    snapshot_running_ = false;
  });
}

void DurableState::write_snapshot_now(store::Sequence sequence, std::string payload,
                                      double encode_seconds) {
  join_snapshot();
  journal_->roll();
  write_snapshot_blocking(sequence, payload, encode_seconds);
}

void DurableState::write_snapshot_blocking(store::Sequence sequence, const std::string& payload,
                                           double encode_seconds) {
  const auto start = std::chrono::steady_clock::now();
  const auto w = store::write_snapshot(dir_, sequence, payload, ops_);
  snapshot_written(
      sequence, w,
      encode_seconds +
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

void DurableState::snapshot_written(store::Sequence sequence, const store::SnapshotWrite& w,
                                    double seconds) {
  if (w.error != 0) {
    metrics_.write_errors->Increment();
    spdlog::error("state: snapshot at record {} not written ({} failed: {}); keeping the previous",
                  sequence, w.step, store::error_text(w.error));
    return;
  }
  snapshot_unix_seconds_ = unix_now();
  metrics_.snapshot_duration->Set(seconds);
  metrics_.snapshot_size->Set(static_cast<double>(w.bytes));
  const auto deleted = store::delete_segments_through(dir_, w.oldest_kept);
  spdlog::debug("state: snapshot at record {} written ({} bytes, {:.3f} s); {} segments deleted",
                sequence, w.bytes, seconds, deleted);
}

double DurableState::snapshot_age_seconds() const {
  return unix_now() - snapshot_unix_seconds_.load();
}

void DurableState::sync_and_stop() {
  join_snapshot();
  if (sync_) {
    sync_->stop();
    sync_->sync_now();
  }
}

}  // namespace ccmon::server
