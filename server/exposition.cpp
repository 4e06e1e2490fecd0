#include "server/exposition.hpp"

#include <prometheus/text_serializer.h>

#include <atomic>
#include <cstddef>
#include <nlohmann/json.hpp>

#include "core/exposition/kpis_json.hpp"
#include "core/exposition/snapshot_text.hpp"
#include "core/exposition/text_format.hpp"
#include "core/sla/sla_exposition.hpp"

namespace ccmon::server {

std::string render_metrics_text(const View& view, prometheus::Registry& registry) {
  // Scrapes of one daemon are about the same size: reserving the last size
  // spares the growth reallocations and copies of a multi-megabyte body.
  static std::atomic<std::size_t> last_size{0};
  std::string out;
  out.reserve(last_size.load(std::memory_order_relaxed));
  core::append_snapshot_text(out, *view.snapshot);
  core::append_text(out, core::sla_families(view.sla));
  out += prometheus::TextSerializer().Serialize(registry.Collect());
  last_size.store(out.size(), std::memory_order_relaxed);
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
  nlohmann::json sla = nlohmann::json::array();
  for (auto& s : core::sla_json(view.sla)) {
    if (!filter.queue.empty() && s.value("queue", "") != filter.queue) continue;
    if (!filter.channel.empty() && s.value("channel", "") != filter.channel) continue;
    sla.push_back(std::move(s));
  }
  body["sla"] = std::move(sla);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ingest_reply_json(const BatchResult& result,
                              const std::vector<core::Rejection>& rejections,
                              std::optional<std::uint64_t> seq) {
  nlohmann::json body = nlohmann::json::object();
  if (seq) body["seq"] = *seq;
  body["accepted"] = result.accepted;
  body["duplicates"] = result.duplicates;
  auto& rejected = body["rejected"] = nlohmann::json::array();
  for (const auto& r : rejections) {
    rejected.push_back(
        {{"index", r.index}, {"reason", core::to_string(r.reason)}, {"message", r.message}});
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ingest_error_json(std::uint64_t seq, std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"seq", seq}, {"error", code}, {"message", message}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ccmon::server
