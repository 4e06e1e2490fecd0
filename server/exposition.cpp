#include "server/exposition.hpp"

#include <prometheus/text_serializer.h>

#include <atomic>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/exposition/kpis_json.hpp"
#include "core/exposition/snapshot_text.hpp"
#include "core/exposition/text_format.hpp"
#include "core/prediction/prediction_exposition.hpp"
#include "core/sla/sla_exposition.hpp"
#include "server/text_escape.hpp"

namespace ccmon::server {

std::string render_metrics_text(const View& view, prometheus::Registry& registry) {
  // Scrapes of one daemon are about the same size: reserving the last size
  // spares the growth reallocations and copies of a multi-megabyte body.
  static std::atomic<std::size_t> last_size{0};
  std::string out;
  out.reserve(last_size.load(std::memory_order_relaxed));
  core::append_snapshot_text(out, *view.snapshot);
  core::append_text(out, core::sla_families(view.sla));
  if (view.forecast) core::append_text(out, core::forecast_families(*view.forecast));
  out += prometheus::TextSerializer().Serialize(registry.Collect());
  last_size.store(out.size(), std::memory_order_relaxed);
  return out;
}

nlohmann::json sla_json_with_forecast(const View& view) {
  // The last tick's at-risk state of each rule, by labels (a scrape's SLA
  // states are the tick's too, but a reload may have come in between).
  std::map<std::tuple<std::string, std::string, std::string>, const core::RuleRisk*> risks;
  if (view.forecast) {
    for (const auto& r : view.forecast->rules) {
      if (r.modelled) risks[{r.sla, r.queue, r.channel}] = &r;
    }
  }
  nlohmann::json out = core::sla_json(view.sla);
  for (auto& s : out) {
    const auto r = risks.find({s.value("sla", ""), s.value("queue", ""), s.value("channel", "")});
    s["at_risk"] = r == risks.end() ? nlohmann::json(nullptr) : nlohmann::json(r->second->at_risk);
    s["breach_eta_seconds"] = r == risks.end() || !r->second->breach_eta_seconds
                                  ? nlohmann::json(nullptr)
                                  : nlohmann::json(*r->second->breach_eta_seconds);
  }
  return out;
}

std::string render_kpis_json(const View& view, const std::map<std::string, std::string>& query) {
  core::KpiFilter filter;
  auto get = [&](const char* key) {
    auto it = query.find(key);
    return it == query.end() ? std::string{} : it->second;
  };
  filter.queue = get("queue");
  filter.channel = get("channel");
  filter.window = get("window");
  nlohmann::json body = core::kpis_json(*view.snapshot, filter);
  const auto wanted = [&](const std::string& queue, const std::string& channel) {
    return (filter.queue.empty() || queue == filter.queue) &&
           (filter.channel.empty() || channel == filter.channel);
  };
  nlohmann::json sla = nlohmann::json::array();
  for (auto& s : sla_json_with_forecast(view)) {
    if (wanted(s.value("queue", ""), s.value("channel", ""))) sla.push_back(std::move(s));
  }
  body["sla"] = std::move(sla);
  nlohmann::json forecast = nlohmann::json::array();
  if (view.forecast) {
    for (const auto& f : view.forecast->series) {
      if (wanted(f.queue, f.channel)) forecast.push_back(core::forecast_json(f));
    }
  }
  body["forecast"] = std::move(forecast);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ingest_reply_json(const BatchResult& result, const core::DecodedBatch& decoded,
                              std::optional<std::uint64_t> seq) {
  // Written directly, not through a DOM: its size is bounded by the listed
  // rejections (CodecOptions::max_rejection_details), whatever the body held.
  std::string out;
  out.reserve(64 + decoded.rejections.size() * 96);
  out += '{';
  if (seq) {
    out += "\"seq\":";
    out += std::to_string(*seq);
    out += ',';
  }
  out += "\"accepted\":";
  out += std::to_string(result.accepted);
  out += ",\"duplicates\":";
  out += std::to_string(result.duplicates);
  out += ",\"rejected\":[";
  bool first = true;
  for (const auto& r : decoded.rejections) {
    if (!first) out += ',';
    first = false;
    out += "{\"index\":";
    out += std::to_string(r.index);
    out += ",\"reason\":";
    append_json_string(out, core::to_string(r.reason));
    out += ",\"message\":";
    append_json_string(out, r.message);
    out += '}';
  }
  out += ']';
  if (decoded.rejected > decoded.rejections.size()) {
    // Only the first rejections are listed: the rest are counted by reason.
    out += ",\"rejected_total\":";
    out += std::to_string(decoded.rejected);
    out += ",\"rejected_by_reason\":{";
    first = true;
    for (int i = 0; i < core::kRejectReasonCount; ++i) {
      const std::size_t n = decoded.rejected_by_reason[static_cast<std::size_t>(i)];
      if (n == 0) continue;
      if (!first) out += ',';
      first = false;
      append_json_string(out, core::to_string(static_cast<core::RejectReason>(i)));
      out += ':';
      out += std::to_string(n);
    }
    out += '}';
  }
  out += '}';
  return out;
}

std::string ingest_error_json(std::uint64_t seq, std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"seq", seq}, {"error", code}, {"message", message}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ccmon::server
