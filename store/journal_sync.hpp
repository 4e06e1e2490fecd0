// The sync thread: group commit. It makes durable (fdatasync) everything the
// journal's writer appended since its last sync, in one go for all of it, and
// reports "durable up to record N" — so many clients' batches share one
// fdatasync and the writer (the engine thread) never waits for the disk.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "store/journal.hpp"

namespace ccmon::store {

struct SyncReport {
  Sequence durable = 0;  // every record up to this one is on disk (when error == 0)
  int error = 0;         // errno of a failed fdatasync: records up to `durable` may be lost
  double seconds = 0;    // how long the fdatasync calls took
};

class JournalSync {
 public:
  // How long a Journal::Sync::kWithNext record waits at most for the record
  // or Journal::request_sync() that completes it. A backstop for a body whose
  // decoding failed half-way: no acknowledgement waits for such a record
  // alone (the writer asks for a sync whenever one might), so this bounds
  // only how long an unacknowledged record stays in the page cache — as
  // `state.sync: interval` does with its default period.
  static constexpr std::chrono::microseconds kWithNextBound{100'000};

  // interval == 0: sync as soon as something is written (group commit),
  // kWithNext records once their kSoon record comes or after
  // `with_next_bound`; otherwise every `interval`. `report` runs on the sync
  // thread after each sync that had something to do.
  JournalSync(Journal& journal, FileOps ops, std::chrono::microseconds interval,
              std::function<void(const SyncReport&)> report,
              std::chrono::microseconds with_next_bound = kWithNextBound);
  ~JournalSync();  // stop()
  JournalSync(const JournalSync&) = delete;
  JournalSync& operator=(const JournalSync&) = delete;

  // Syncs what is pending now, on the calling thread (clean shutdown), and
  // reports it like the thread does.
  void sync_now();
  // Ends the thread after its current sync (what is pending stays pending).
  void stop();

 private:
  void run();
  void sync(SyncJob job);

  Journal& journal_;
  FileOps ops_;
  std::chrono::microseconds interval_;
  std::chrono::microseconds with_next_bound_;
  std::function<void(const SyncReport&)> report_;
  std::mutex sync_mutex_;  // one sync at a time, thread or sync_now()
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ccmon::store
