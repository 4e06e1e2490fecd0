// The io threads: one io_context per thread (the "io_context per CPU"
// design of Asio's HTTP server 2 example), each connection placed on one of
// them round-robin when it is accepted. From its first read on, all of a
// connection's handlers run on that context's thread.
//
// Why not one io_context run by every io thread: a shared context hands a
// ready handler to whichever thread waits, waking it through the
// scheduler's lock and condition variable, and a connection's buffers move
// between cores. With a context each the io threads took less CPU under
// batched WebSocket ingestion, the engine thread slightly more
// (docs/benchmarks.md, "After the run at 59643e6: a context per io
// thread"). The price: a long handler (rendering a large /metrics) stalls
// every other connection of its thread for its whole length, where other io
// threads used to take their handlers; and connections never move, so two
// busy ones may share a thread while another idles.
//
// Context 0 is the main thread's: the daemon's signals, timers, acceptors and
// queue_log followers live there. Thread-safety: next() may be called from
// any thread; run() once, from the main thread; stop() from any thread, not
// from two at once.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <vector>

namespace ccmon::server {

class IoPool {
 public:
  // `threads` io threads (at least 1), each with its context.
  explicit IoPool(unsigned threads = default_threads());
  // One per core, at most 8: ccmond's io threads.
  static unsigned default_threads();
  // Destroys context 0 first: its handlers may own objects of the other
  // contexts (a pending accept holds the socket made for the next one),
  // never the other way round.
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // The main thread's context.
  boost::asio::io_context& main() { return *contexts_.front(); }
  // The context of the next connection, round-robin over all of them,
  // starting after the main one (which also runs the acceptors).
  boost::asio::io_context& next();
  std::size_t size() const { return contexts_.size(); }
  // Every context's executor, the main one first.
  std::vector<boost::asio::any_io_executor> executors();

  // Runs context 0 on the calling thread and each other context on a thread
  // of its own named ccmon-io-N; returns once all have stopped. Contexts
  // other than the main one wait for work until stop(); the main one returns
  // as soon as it has none (as io_context::run does).
  void run();
  // Stops every context: run() returns once their threads have left their
  // current handlers. Handlers not yet run are destroyed with the pool.
  void stop();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;  // of contexts 1..n-1: they start with no work
  std::atomic<std::size_t> next_{1};
};

}  // namespace ccmon::server
