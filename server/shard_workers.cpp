#include "server/shard_workers.hpp"

#include <string>

#include "store/thread_name.hpp"

namespace ccmon::server {

ShardWorkers::ShardWorkers(std::size_t shards) : errors_(shards) {
  for (std::size_t i = 1; i < shards; ++i) {
    threads_.emplace_back([this, i] {
      store::name_this_thread("ccmon-shard-" + std::to_string(i));
      work(i);
    });
  }
}

ShardWorkers::~ShardWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void ShardWorkers::run(const std::function<void(std::size_t)>& job) {
  if (threads_.empty()) return job(0);
  {
    std::lock_guard lock(mutex_);
    job_ = &job;
    pending_ = threads_.size();
    ++generation_;
    for (auto& e : errors_) e = nullptr;
  }
  start_.notify_all();
  try {
    job(0);
  } catch (...) {
    errors_[0] = std::current_exception();
  }
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return pending_ == 0; });
  job_ = nullptr;
  for (auto& e : errors_) {
    if (e) std::rethrow_exception(e);
  }
}

void ShardWorkers::work(std::size_t shard) {
  std::size_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    const auto* job = job_;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*job)(shard);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    errors_[shard] = error;
    if (--pending_ == 0) done_.notify_one();
  }
}

}  // namespace ccmon::server
