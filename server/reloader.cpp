#include "server/reloader.hpp"

#include <boost/asio/post.hpp>

#include "store/thread_name.hpp"

namespace ccmon::server {

Reloader::Reloader(std::function<ReloadOutcome()> reload)
    : reload_(std::move(reload)), thread_([this] {
        store::name_this_thread("ccmon-reload");
        io_.run();
      }) {}

Reloader::~Reloader() {
  stop();
}

void Reloader::request(std::function<void(ReloadOutcome)> done) {
  boost::asio::post(io_, [this, done = std::move(done)] {
    const ReloadOutcome outcome = reload_();
    if (done) done(outcome);
  });
}

void Reloader::stop() {
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ccmon::server
