#include "core/exposition/wallboard_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/exposition/json_number.hpp"
#include "core/exposition/rfc3339_format.hpp"

namespace ccmon::core {
namespace {

using nlohmann::json;

json ratio(double num, double den) {
  return den > 0 ? json_number(num / den) : json(nullptr);
}

// The service level's numerator and denominator under `f`'s switches
// (core/kpi.hpp, ServiceLevelFormula), from an interval's counts.
std::pair<double, double> service_level(const IntervalCounts& c, const ServiceLevelFormula& f) {
  const auto n = [](std::uint64_t v) { return static_cast<double>(v); };
  double num = n(c.answered_within), den = n(c.answered);
  if (f.include_abandoned) {
    const bool drop_short = !f.include_short_abandoned;
    den += n(c.abandoned) - (drop_short ? n(c.short_abandoned) : 0);
    if (f.abandoned_within_met)
      num += n(c.abandoned_within) - (drop_short ? n(c.short_abandoned) : 0);
  }
  if (f.include_overflowed) den += n(c.overflowed);
  return {num, den};
}

}  // namespace

json agent_json(const AgentSnapshot& a) {
  json contact = nullptr;
  if (a.contact) {
    contact = {{"contact", a.contact->contact},
               {"queue", a.contact->queue},
               {"channel", a.contact->channel},
               {"answered_at", format_rfc3339(a.contact->answered_at)}};
  }
  const double staffed = a.available_seconds_today + a.busy_seconds_today + a.wrap_up_seconds_today;
  json today = {
      {"handled", a.handled_today},
      {"average_handle_time_seconds",
       ratio(a.handle_seconds_today, static_cast<double>(a.handled_today))},
      {"occupancy_ratio", ratio(a.busy_seconds_today + a.wrap_up_seconds_today, staffed)}};
  return {{"agent", a.agent},
          {"team", a.team ? json(*a.team) : json(nullptr)},
          {"state", std::string(to_string(a.state))},
          {"reason", a.reason ? json(*a.reason) : json(nullptr)},
          {"state_since", a.state_since ? json(format_rfc3339(*a.state_since)) : json(nullptr)},
          {"contact", std::move(contact)},
          {"today", std::move(today)}};
}

json agents_page_json(const Snapshot& snap, const AgentQuery& query) {
  json items = json::array();
  std::size_t total = 0;
  json next = nullptr;
  for (const AgentSnapshot& a : snap.agents) {  // sorted by id
    if (!query.team.empty() && (!a.team || *a.team != query.team)) continue;
    ++total;
    if (!query.after.empty() && a.agent <= query.after) continue;
    if (items.size() < query.limit) {
      items.push_back(agent_json(a));
    } else if (next.is_null()) {
      next = items.back()["agent"];
    }
  }
  return {{"agents", std::move(items)}, {"total", total}, {"next", std::move(next)}};
}

std::optional<Duration> interval_length(std::string_view text, Duration configured) {
  Duration length = 0;
  if (text == "15m" || text == "900s") length = minutes(15);
  if (text == "30m" || text == "1800s") length = minutes(30);
  if (text == "60m" || text == "1h" || text == "3600s") length = hours(1);
  if (length == 0 || configured <= 0 || length % configured != 0) return std::nullopt;
  return length;
}

json intervals_json(const Snapshot& snap, Duration length, std::string_view queue,
                    std::string_view channel) {
  const IntervalDay& d = snap.intervals;
  json out = {{"day", nullptr},
              {"time_zone", d.time_zone},
              {"interval_seconds", length / kMicrosPerSecond},
              {"series", json::array()}};
  if (!d.enabled || d.starts.empty() || d.step <= 0 || length % d.step != 0) return out;
  out["day"] = format_rfc3339(d.starts.front() + Duration{d.utc_offsets.front()} * kMicrosPerSecond)
                   .substr(0, 10);
  // Rows of `length` group consecutive stored rows from the day's start.
  const std::size_t per = static_cast<std::size_t>(length / d.step);
  const std::size_t groups = (d.starts.size() + per - 1) / per;
  std::vector<std::string> starts(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    starts[g] = format_rfc3339_offset(d.starts[g * per], d.utc_offsets[g * per]);
  }
  json& series = out["series"];
  for (const IntervalSeries& s : d.series) {
    if (!queue.empty() && s.queue != queue) continue;
    if (!channel.empty() && s.channel != channel) continue;
    json rows = json::array();
    for (std::size_t g = 0; g < groups; ++g) {
      IntervalCounts c;
      for (std::size_t r = g * per; r < std::min(s.rows.size(), (g + 1) * per); ++r) {
        c += s.rows[r];
      }
      const auto [num, den] = service_level(c, d.formula);
      rows.push_back({{"start", starts[g]},
                      {"offered", c.offered},
                      {"answered", c.answered},
                      {"abandoned", c.abandoned},
                      {"service_level_ratio", ratio(num, den)},
                      {"service_level_volume", json_number(std::max(0.0, den))},
                      {"average_speed_of_answer_seconds",
                       ratio(c.wait_answered_seconds, static_cast<double>(c.answered))}});
    }
    series.push_back({{"queue", s.queue},
                      {"channel", s.channel},
                      {"service_level_threshold_seconds", json_number(s.service_level_threshold_s)},
                      {"intervals", std::move(rows)}});
  }
  return out;
}

}  // namespace ccmon::core
