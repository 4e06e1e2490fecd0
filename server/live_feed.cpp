#include "server/live_feed.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "core/exposition/kpis_json.hpp"
#include "core/exposition/rfc3339_format.hpp"
#include "core/exposition/wallboard_json.hpp"
#include "core/sla/sla_exposition.hpp"
#include "server/exposition.hpp"

namespace ccmon::server {
namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string row_key(const nlohmann::json& series, const nlohmann::json& row) {
  std::string key = series.value("queue", "");
  key.append(1, '\0').append(series.value("channel", "")).append(1, '\0');
  key.append(row.value("start", ""));
  return key;
}

// The keyed sections: their items are sent by key in updates
// (docs/wallboard.md, "Changes in updates").
struct KeyedSection {
  std::string_view name;
  std::array<std::string_view, 3> fields;  // empty past the last
};
constexpr std::array<KeyedSection, 4> kKeyed{{
    {"series", {"queue", "channel", {}}},
    {"teams", {"team", {}, {}}},
    {"sla", {"sla", "queue", "channel"}},
    {"agents", {"agent", {}, {}}},
}};

const KeyedSection* keyed(std::string_view name) {
  for (const KeyedSection& k : kKeyed) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace

std::string LiveRenderer::keyed_section(std::string_view name, const nlohmann::json& items,
                                        std::string& update, std::string& removed) {
  const KeyedSection& k = *keyed(name);
  const auto prev = previous_items_.find(name);
  const bool first = prev == previous_items_.end();
  Items current;
  std::string state(1, '[');
  std::string changed;
  for (const auto& item : items) {
    std::string key;
    nlohmann::json key_fields = nlohmann::json::object();
    for (std::string_view f : k.fields) {
      if (f.empty()) break;
      const std::string field(f);
      const auto v = item.find(field);
      key.append(v != item.end() && v->is_string() ? v->get_ref<const std::string&>() : "");
      key.append(1, '\0');
      key_fields[field] = v != item.end() ? *v : nlohmann::json();
    }
    std::string text = dump(item);
    if (state.size() > 1) state += ',';
    state += text;
    const Items::const_iterator was = first ? Items::const_iterator{} : prev->second.find(key);
    if (first || was == prev->second.end() || was->second.text != text) {
      if (!changed.empty()) changed += ',';
      changed += text;
    }
    current.insert_or_assign(std::move(key), Item{dump(key_fields), std::move(text)});
  }
  state += ']';
  std::string gone;
  if (!first) {
    for (const auto& [key, item] : prev->second) {
      if (current.contains(key)) continue;
      if (!gone.empty()) gone += ',';
      gone += item.key_json;
    }
  }
  const std::string member = dump(std::string(name));
  // The first message since forget() carries the section even when empty.
  if (first || !changed.empty())
    update.append(1, ',').append(member).append(":[").append(changed) += ']';
  if (!gone.empty()) {
    if (!removed.empty()) removed += ',';
    removed.append(member).append(":[").append(gone) += ']';
  }
  previous_items_.insert_or_assign(std::string(name), std::move(current));
  return state;
}

std::optional<std::string> LiveRenderer::intervals_update(const nlohmann::json& section,
                                                          const std::string& text) {
  const auto prev = previous_.find("intervals");
  std::map<std::string, std::string> rows;
  for (const auto& s : section["series"]) {
    for (const auto& r : s["intervals"]) rows.emplace(row_key(s, r), dump(r));
  }
  std::optional<std::string> out;
  if (prev == previous_.end()) {
    out = text;
  } else if (prev->second != text) {
    const nlohmann::json before = nlohmann::json::parse(prev->second, nullptr, false);
    const bool same_day =
        !before.is_discarded() &&
        before.value("day", nlohmann::json()) == section.value("day", nlohmann::json()) &&
        before.value("interval_seconds", 0) == section.value("interval_seconds", 0);
    if (!same_day) {
      out = text;
    } else {
      nlohmann::json changed = section;
      nlohmann::json series = nlohmann::json::array();
      for (const auto& s : section["series"]) {
        nlohmann::json kept = nlohmann::json::array();
        for (const auto& r : s["intervals"]) {
          const auto was = previous_rows_.find(row_key(s, r));
          if (was == previous_rows_.end() || was->second != dump(r)) kept.push_back(r);
        }
        if (kept.empty()) continue;
        nlohmann::json one = s;
        one["intervals"] = std::move(kept);
        series.push_back(std::move(one));
      }
      changed["series"] = std::move(series);
      out = dump(changed);
    }
  }
  previous_rows_ = std::move(rows);
  return out;
}

LiveMessages LiveRenderer::render(const View& view, const LiveOptions& options) {
  const core::Snapshot& snap = *view.snapshot;
  // The /v1/kpis sections (now, windows, series, teams, stats), unfiltered.
  nlohmann::json sections = core::kpis_json(snap, {});
  // The forecast's at_risk and breach_eta_seconds (docs/forecasting.md), then
  // the margin judgement ORed in (docs/wallboard.md). A breached rule is red,
  // not amber: the forecast calls it at risk with ETA 0, the feed does not.
  nlohmann::json sla = sla_json_with_forecast(view);
  for (std::size_t i = 0; i < sla.size() && i < view.sla.size(); ++i) {
    const bool predicted = sla[i]["at_risk"].is_boolean() && sla[i]["at_risk"].get<bool>();
    sla[i]["at_risk"] = (predicted && !view.sla[i].breached) ||
                        core::near_target(view.sla[i], options.at_risk_margin);
  }
  sections["sla"] = std::move(sla);
  sections["build"] = build_;
  nlohmann::json agents = nlohmann::json::array();
  for (std::size_t i = 0; i < snap.agents.size() && i < options.feed_agents; ++i) {
    agents.push_back(core::agent_json(snap.agents[i]));
  }
  sections["agents"] = std::move(agents);
  sections["agents_total"] = snap.agents.size();
  sections["intervals"] = core::intervals_json(snap, snap.intervals.default_length);
  nlohmann::json feeds = nlohmann::json::array();
  for (const FeedState& f : view.feeds) {
    feeds.push_back(
        {{"feed", f.feed}, {"last_event", core::format_rfc3339(f.last_event)}, {"stale", f.stale}});
  }
  sections["feeds"] = std::move(feeds);

  // Texts are assembled by hand so each section (each item of a keyed one)
  // is dumped once and the same text serves the state, the update and the
  // next tick's comparison.
  std::string state = R"({"type":"state")";
  std::string update = R"({"type":"update")";
  std::map<std::string, std::string, std::less<>> current;
  std::string removed;  // the keyed sections' items that went, `"name":[keys]`
  for (auto& [key, value] : sections.items()) {
    // Appended in parts: "x" + std::string&& trips GCC 12's false
    // -Wstringop-overflow at -O3.
    std::string member(1, ',');
    member.append(dump(key)).append(1, ':');
    if (keyed(key) != nullptr) {
      state += member;
      state += keyed_section(key, value, update, removed);
      continue;
    }
    std::string text = dump(value);
    state += member;
    state += text;
    const auto prev = previous_.find(key);
    if (key == "intervals") {
      if (auto changed = intervals_update(value, text)) update.append(member).append(*changed);
    } else if (key == "now" || prev == previous_.end() || prev->second != text) {
      // `now` is always sent: the update is also the heartbeat.
      update.append(member).append(text);
    }
    current.emplace(key, std::move(text));
  }
  if (!removed.empty()) update.append(R"(,"removed":{)").append(removed) += '}';
  state += '}';
  update += '}';
  previous_ = std::move(current);
  return {std::make_shared<const std::string>(std::move(state)),
          std::make_shared<const std::string>(std::move(update))};
}

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
  }
  std::vector<std::weak_ptr<LiveViewer>> targets;
  {
    // A viewer that subscribed during the render got the previous state,
    // which this update applies to; one that subscribes from now on gets
    // this state, and this update is not sent to it.
    std::lock_guard lock(mutex_);
    state_ = messages.state;
    targets.reserve(viewers_.size());
    for (const auto& [id, viewer] : viewers_) targets.push_back(viewer);
  }
  // Outside the lock: a viewer's deliver() may subscribe or unsubscribe.
  for (const auto& target : targets) {
    if (auto v = target.lock()) v->deliver(messages);
  }
}

std::pair<std::uint64_t, SharedText> LiveFeed::subscribe(std::weak_ptr<LiveViewer> viewer) {
  std::lock_guard lock(mutex_);
  std::erase_if(viewers_, [](const auto& v) { return v.second.expired(); });
  if (viewers_.size() >= options_.max_viewers) return {0, nullptr};
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
