// Threads that apply a sharded engine's shards side by side (docs/architecture.md
// "Sharding"): shard 0 on the engine thread, each other shard on a worker of
// its own, the engine thread waiting until all are done, so the engine's
// state is still touched by one batch at a time.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ccmon::server {

class ShardWorkers {
 public:
  // `shards` >= 1: starts shards - 1 threads (none for one shard).
  explicit ShardWorkers(std::size_t shards);
  ~ShardWorkers();
  ShardWorkers(const ShardWorkers&) = delete;
  ShardWorkers& operator=(const ShardWorkers&) = delete;

  // Runs job(i) for every shard i, 0 on the calling thread and the others on
  // their workers, and returns when all returned. An exception of a job is
  // rethrown here (the first, by shard). One run at a time: called from the
  // engine thread only.
  void run(const std::function<void(std::size_t)>& job);

 private:
  void work(std::size_t shard);

  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t generation_ = 0;  // one per run
  std::size_t pending_ = 0;     // workers not done with this run
  bool stopping_ = false;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> threads_;
};

}  // namespace ccmon::server
