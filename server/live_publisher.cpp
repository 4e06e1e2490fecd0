#include "server/live_publisher.hpp"

#include "store/thread_name.hpp"

namespace ccmon::server {

LivePublisher::LivePublisher(std::function<void(const View&)> publish,
                             std::function<void()> skipped)
    : publish_(std::move(publish)), skipped_(std::move(skipped)), thread_([this] {
        store::name_this_thread("ccmon-live");
        run();
      }) {}

LivePublisher::~LivePublisher() {
  stop();
}

void LivePublisher::offer(std::shared_ptr<const View> view) {
  bool replaced = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    replaced = waiting_ != nullptr;
    waiting_ = std::move(view);
  }
  wake_.notify_one();
  // Counted on the offering thread: the publisher thread may be busy.
  if (replaced) skipped_();
}

void LivePublisher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    waiting_.reset();
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LivePublisher::run() {
  for (;;) {
    std::shared_ptr<const View> view;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || waiting_ != nullptr; });
      if (stopping_) return;
      view = std::move(waiting_);
    }
    publish_(*view);
  }
}

}  // namespace ccmon::server
