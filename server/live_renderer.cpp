#include "server/live_renderer.hpp"

#include <algorithm>
#include <utility>

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

// `text` if it is unchanged from `was`, keeping its tick; else as of `tick`.
std::uint64_t changed_at(const std::string* was, std::uint64_t was_changed, const std::string& text,
                         std::uint64_t tick) {
  return was != nullptr && *was == text ? was_changed : tick;
}

}  // namespace

const SharedText& LiveMessages::since(std::uint64_t had) const {
  const std::uint64_t lag = had < tick ? tick - had : 0;
  if (had < first_tick || lag == 0) return state;
  if (lag == 1) return update;
  for (std::size_t i = 0; i < kCatchUpLags.size(); ++i) {
    if (kCatchUpLags[i] >= lag) return catch_up[i] ? catch_up[i] : state;
  }
  return state;
}

void LiveRenderer::forget() {
  first_tick_ = tick_ + 1;
  sections_.clear();
  keyed_.clear();
  rows_.clear();
  intervals_reset_ = 0;
  intervals_day_ = nullptr;
  intervals_length_ = nullptr;
}

void LiveRenderer::keyed_section(std::string_view name, const nlohmann::json& items,
                                 const std::string& member, std::string& state,
                                 std::vector<Out>& outs) {
  const KeyedSection& k = *keyed(name);
  auto found = keyed_.find(name);
  if (found == keyed_.end()) found = keyed_.emplace(std::string(name), Keyed{}).first;
  Keyed& section = found->second;
  std::map<std::string, Item> current;
  state.append(member).append(1, '[');
  bool first_item = true;
  std::vector<std::string> changed(outs.size());
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
    if (!first_item) state += ',';
    first_item = false;
    state += text;
    const auto was = section.items.find(key);
    const std::uint64_t at = was == section.items.end()
                                 ? tick_
                                 : changed_at(&was->second.text, was->second.changed, text, tick_);
    for (std::size_t j = 0; j < outs.size(); ++j) {
      if (at <= outs[j].base) continue;
      if (!changed[j].empty()) changed[j] += ',';
      changed[j] += text;
    }
    current.insert_or_assign(std::move(key), Item{dump(key_fields), std::move(text), at});
  }
  state += ']';
  for (auto& [key, item] : section.items) {
    if (!current.contains(key)) section.removals.push_back({key, std::move(item.key_json), tick_});
  }
  // Older removals than the longest catch-up's base are never asked for.
  std::erase_if(section.removals,
                [this](const Removal& r) { return r.tick + kCatchUpLags.back() <= tick_; });
  const bool first = tick_ == first_tick_;
  for (std::size_t j = 0; j < outs.size(); ++j) {
    // The first message since forget() carries the section even when empty.
    if (first || !changed[j].empty()) {
      outs[j].text.append(member).append(1, '[').append(changed[j]) += ']';
    }
    std::string gone;
    std::set<std::string_view> listed;  // removed, back, and removed again
    for (const Removal& r : section.removals) {
      if (r.tick <= outs[j].base || current.contains(r.key) || !listed.insert(r.key).second) {
        continue;
      }
      if (!gone.empty()) gone += ',';
      gone += r.key_json;
    }
    if (gone.empty()) continue;
    if (!outs[j].removed.empty()) outs[j].removed += ',';
    outs[j].removed.append(dump(std::string(name))).append(":[").append(gone) += ']';
  }
  section.items = std::move(current);
}

void LiveRenderer::intervals_section(const nlohmann::json& section, const std::string& member,
                                     std::string& state, std::vector<Out>& outs) {
  std::string text = dump(section);
  state.append(member).append(text);
  const auto day = section.value("day", nlohmann::json());
  const auto length = section.value("interval_seconds", nlohmann::json());
  if (intervals_reset_ == 0 || day != intervals_day_ || length != intervals_length_) {
    intervals_reset_ = tick_;
    intervals_day_ = day;
    intervals_length_ = length;
  }
  std::map<std::string, Text> rows;
  for (const auto& s : section["series"]) {
    for (const auto& r : s["intervals"]) {
      std::string key = row_key(s, r);
      std::string row = dump(r);
      const auto was = rows_.find(key);
      const std::uint64_t at = was == rows_.end()
                                   ? tick_
                                   : changed_at(&was->second.text, was->second.changed, row, tick_);
      rows.insert_or_assign(std::move(key), Text{std::move(row), at});
    }
  }
  const auto was = sections_.find("intervals");
  const std::uint64_t at = was == sections_.end()
                               ? tick_
                               : changed_at(&was->second.text, was->second.changed, text, tick_);
  for (Out& out : outs) {
    if (at <= out.base) continue;
    if (intervals_reset_ > out.base) {
      out.text.append(member).append(text);  // a new day: the whole section
      continue;
    }
    nlohmann::json changed = section;
    nlohmann::json series = nlohmann::json::array();
    for (const auto& s : section["series"]) {
      nlohmann::json kept = nlohmann::json::array();
      for (const auto& r : s["intervals"]) {
        if (rows.at(row_key(s, r)).changed > out.base) kept.push_back(r);
      }
      if (kept.empty()) continue;
      nlohmann::json one = s;
      one["intervals"] = std::move(kept);
      series.push_back(std::move(one));
    }
    changed["series"] = std::move(series);
    out.text.append(member).append(dump(changed));
  }
  sections_.insert_or_assign("intervals", Text{std::move(text), at});
  rows_ = std::move(rows);
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

  ++tick_;
  // The update (base: the previous tick) and the catch-ups whose base tick
  // this renderer remembers.
  std::vector<Out> outs;
  outs.push_back({tick_ - 1, R"({"type":"update")", {}});
  // A catch-up never reaches back before the first tick remembered: early
  // on, the lags that would are the changes since that tick, which every
  // viewer with a message of this renderer's has (the rest get the state).
  std::vector<std::size_t> catch_up_index;
  for (std::size_t i = 0; i < kCatchUpLags.size(); ++i) {
    const std::uint64_t base = std::max(tick_ - std::min(kCatchUpLags[i], tick_), first_tick_);
    if (base >= tick_) continue;
    outs.push_back({base, R"({"type":"update")", {}});
    catch_up_index.push_back(i);
  }
  std::string state = R"({"type":"state")";
  for (auto& [key, value] : sections.items()) {
    // Appended in parts: "x" + std::string&& trips GCC 12's false
    // -Wstringop-overflow at -O3.
    std::string member(1, ',');
    member.append(dump(key)).append(1, ':');
    if (keyed(key) != nullptr) {
      keyed_section(key, value, member, state, outs);
      continue;
    }
    if (key == "intervals") {
      intervals_section(value, member, state, outs);
      continue;
    }
    std::string text = dump(value);
    state.append(member).append(text);
    const auto was = sections_.find(key);
    const std::uint64_t at = was == sections_.end()
                                 ? tick_
                                 : changed_at(&was->second.text, was->second.changed, text, tick_);
    for (Out& out : outs) {
      // `now` is always sent: an update is also the heartbeat.
      if (key == "now" || at > out.base) out.text.append(member).append(text);
    }
    sections_.insert_or_assign(key, Text{std::move(text), at});
  }
  state += '}';
  LiveMessages messages;
  messages.tick = tick_;
  messages.first_tick = first_tick_;
  messages.state = std::make_shared<const std::string>(std::move(state));
  for (std::size_t j = 0; j < outs.size(); ++j) {
    Out& out = outs[j];
    if (!out.removed.empty()) out.text.append(R"(,"removed":{)").append(out.removed) += '}';
    out.text += '}';
    auto text = std::make_shared<const std::string>(std::move(out.text));
    if (j == 0) {
      messages.update = std::move(text);
    } else {
      messages.catch_up[catch_up_index[j - 1]] = std::move(text);
    }
  }
  return messages;
}

}  // namespace ccmon::server
