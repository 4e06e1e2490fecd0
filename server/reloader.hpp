// Runs configuration reloads one at a time on a thread of its own: reading
// the file and zone data, and waiting for the engine to take the new rules,
// never hold up an I/O thread. SIGHUP and POST /-/reload both queue here.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <thread>

#include "server/server_context.hpp"

namespace ccmon::server {

class Reloader {
 public:
  // `reload` does the work and may block; it runs on the reload thread only.
  explicit Reloader(std::function<ReloadOutcome()> reload);
  ~Reloader();
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Queues a reload; `done`, if given, is called with its outcome on the
  // reload thread. Thread-safe. Requests after stop() are not run.
  void request(std::function<void(ReloadOutcome)> done = {});

  // Runs what is queued, then joins the thread.
  void stop();

 private:
  std::function<ReloadOutcome()> reload_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
};

}  // namespace ccmon::server
