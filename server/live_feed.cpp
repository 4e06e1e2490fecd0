#include "server/live_feed.hpp"

#include <utility>
#include <vector>

namespace ccmon::server {

void LiveFeed::configure(const LiveOptions& options) {
  std::lock_guard lock(mutex_);
  options_ = options;
  resend_state_ = true;
}

void LiveFeed::publish(const View& view) {
  std::lock_guard render_lock(render_mutex_);
  LiveOptions options;
  bool resend = false;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(viewers_, [](const auto& v) { return v.second.expired(); });
    if (viewers_.empty()) {
      // Nobody watching: rendering every series each second would cost as
      // much as with a wall of TVs (64 % of a core with ~1,000 series). The
      // next viewer gets the next tick's full state instead.
      state_.reset();
      state_tick_ = 0;
      renderer_.forget();
      return;
    }
    options = options_;
    resend = std::exchange(resend_state_, false);
  }
  // Rendered without the viewers' lock, so a viewer connecting on an I/O
  // thread never waits for it, and holding no viewer: one that closes
  // meanwhile is freed at once, not after the render (renders back to back
  // would otherwise keep a closed viewer alive for good).
  LiveMessages messages = renderer_.render(view, options);
  if (resend) {
    // A reload may change what every section means (windows, rules):
    // everyone starts again from a full state.
    messages.update = messages.state;
    for (SharedText& c : messages.catch_up) c = messages.state;
  }
  std::vector<std::weak_ptr<LiveViewer>> targets;
  {
    // A viewer that subscribed during the render got the previous state,
    // which this update applies to; one that subscribes from now on gets
    // this state, and this update is not sent to it.
    std::lock_guard lock(mutex_);
    state_ = messages.state;
    state_tick_ = messages.tick;
    targets.reserve(viewers_.size());
    for (const auto& [id, viewer] : viewers_) targets.push_back(viewer);
  }
  // Outside the lock: a viewer's deliver() may subscribe or unsubscribe.
  for (const auto& target : targets) {
    if (auto v = target.lock()) v->deliver(messages);
  }
}

LiveFeed::Subscription LiveFeed::subscribe(std::weak_ptr<LiveViewer> viewer) {
  std::lock_guard lock(mutex_);
  std::erase_if(viewers_, [](const auto& v) { return v.second.expired(); });
  if (viewers_.size() >= options_.max_viewers) return {};
  const std::uint64_t id = ++next_id_;
  viewers_.emplace(id, std::move(viewer));
  return {id, state_, state_tick_};
}

void LiveFeed::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  viewers_.erase(id);
}

std::size_t LiveFeed::viewers() const {
  std::lock_guard lock(mutex_);
  return viewers_.size();
}

}  // namespace ccmon::server
