#include "server/io_pool.hpp"

#include <algorithm>
#include <string>
#include <thread>

#include "store/thread_name.hpp"

namespace ccmon::server {

IoPool::IoPool(unsigned threads) {
  if (threads == 0) threads = 1;
  for (unsigned i = 0; i < threads; ++i) {
    // One thread runs each: a handler posted from inside one of its own
    // handlers goes to that thread's private queue, taking no lock (posting
    // from any other thread stays safe).
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    if (i != 0) guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

unsigned IoPool::default_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}

IoPool::~IoPool() {
  guards_.clear();
  for (auto& c : contexts_) c.reset();  // in order, the main one first
}

boost::asio::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

std::vector<boost::asio::any_io_executor> IoPool::executors() {
  std::vector<boost::asio::any_io_executor> out;
  for (auto& c : contexts_) out.push_back(c->get_executor());
  return out;
}

void IoPool::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] {
      store::name_this_thread("ccmon-io-" + std::to_string(i));
      contexts_[i]->run();
    });
  }
  contexts_.front()->run();
  for (auto& t : threads) t.join();
}

void IoPool::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
}

}  // namespace ccmon::server
