#include "store/journal_sync.hpp"

#include <cerrno>

#include "store/thread_name.hpp"

namespace ccmon::store {

JournalSync::JournalSync(Journal& journal, FileOps ops, std::chrono::microseconds interval,
                         std::function<void(const SyncReport&)> report,
                         std::chrono::microseconds with_next_bound)
    : journal_(journal),
      ops_(std::move(ops)),
      interval_(interval),
      with_next_bound_(with_next_bound),
      report_(std::move(report)) {
  thread_ = std::thread([this] {
    name_this_thread("ccmon-sync");
    run();
  });
}

JournalSync::~JournalSync() {
  stop();
}

void JournalSync::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  journal_.stop_waiting();
  if (thread_.joinable()) thread_.join();
}

void JournalSync::run() {
  for (;;) {
    SyncJob job;
    if (interval_.count() == 0) {
      job = journal_.wait_unsynced(with_next_bound_);
    } else {
      std::unique_lock lock(stop_mutex_);
      stop_cv_.wait_for(lock, interval_, [this] { return stop_; });
      lock.unlock();
      job = journal_.take_unsynced();
    }
    {
      std::lock_guard lock(stop_mutex_);
      if (stop_) {
        sync(std::move(job));  // what it already took
        return;
      }
    }
    sync(std::move(job));
  }
}

void JournalSync::sync(SyncJob job) {
  if (job.upto == 0 && job.files.empty() && !job.directory) return;
  std::lock_guard lock(sync_mutex_);
  const auto start = std::chrono::steady_clock::now();
  int error = 0;
  for (const auto& file : job.files) {
    if (ops_.fdatasync(file->get()) != 0 && error == 0) error = errno;
  }
  // A new segment's directory entry must be durable too.
  if (job.directory && error == 0) error = sync_directory(journal_.directory());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (report_ && job.upto != 0) report_({job.upto, error, seconds});
}

void JournalSync::sync_now() {
  sync(journal_.take_unsynced());
}

}  // namespace ccmon::store
