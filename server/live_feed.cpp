#include "server/live_feed.hpp"

#include <nlohmann/json.hpp>
#include <vector>

#include "core/exposition/kpis_json.hpp"
#include "core/sla/sla_exposition.hpp"
#include "server/exposition.hpp"

namespace ccmon::server {
namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

LiveMessages LiveRenderer::render(const View& view) {
  // The /v1/kpis sections (now, windows, series, teams, stats), unfiltered.
  nlohmann::json sections = core::kpis_json(*view.snapshot, {});
  sections["sla"] = sla_json_with_forecast(view);  // with at_risk, breach_eta_seconds
  sections["build"] = build_;

  // Texts are assembled by hand so each section is dumped once and the same
  // text serves the state, the update and the next tick's comparison.
  std::string state = R"({"type":"state")";
  std::string update = R"({"type":"update")";
  std::map<std::string, std::string, std::less<>> current;
  for (auto& [key, value] : sections.items()) {
    std::string text = dump(value);
    // Appended in parts: "x" + std::string&& trips GCC 12's false
    // -Wstringop-overflow at -O3.
    std::string member(1, ',');
    member.append(dump(key)).append(1, ':').append(text);
    state += member;
    const auto prev = previous_.find(key);
    // `now` is always sent: the update is also the heartbeat.
    if (key == "now" || prev == previous_.end() || prev->second != text) update += member;
    current.emplace(key, std::move(text));
  }
  state += '}';
  update += '}';
  previous_ = std::move(current);
  return {std::make_shared<const std::string>(std::move(state)),
          std::make_shared<const std::string>(std::move(update))};
}

void LiveFeed::publish(const View& view) {
  std::vector<std::shared_ptr<LiveViewer>> targets;
  LiveMessages messages;
  {
    std::lock_guard lock(mutex_);
    targets.reserve(viewers_.size());
    for (auto it = viewers_.begin(); it != viewers_.end();) {
      if (auto v = it->second.lock()) {
        targets.push_back(std::move(v));
        ++it;
      } else {
        it = viewers_.erase(it);
      }
    }
    if (targets.empty()) {
      // Nobody watching: rendering every series each second would cost as
      // much as with a wall of TVs (64 % of a core with ~1,000 series). The
      // next viewer gets the next tick's full state instead.
      state_.reset();
      renderer_.forget();
      return;
    }
    messages = renderer_.render(view);
    state_ = messages.state;
  }
  // Outside the lock: a viewer's deliver() may subscribe or unsubscribe.
  for (auto& v : targets) v->deliver(messages);
}

std::pair<std::uint64_t, SharedText> LiveFeed::subscribe(std::weak_ptr<LiveViewer> viewer) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = ++next_id_;
  viewers_.emplace(id, std::move(viewer));
  return {id, state_};
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
