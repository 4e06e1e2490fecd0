// Renders views and ingest replies for the wire: Prometheus text for
// /metrics, JSON for /v1/kpis and for ingest answers.
#pragma once

#include <prometheus/registry.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/codec.hpp"
#include "server/engine_service.hpp"

namespace ccmon::server {

// KPI families of the view, then the daemon's own metrics.
std::string render_metrics_text(const View& view, prometheus::Registry& registry);

// The SLA states of `view` as in core::sla_json, each with `at_risk`
// (boolean) and `breach_eta_seconds` (number or null) from the view's
// forecast; both null for a rule without a breach model
// (docs/forecasting.md). Shared by /v1/kpis and the live feed.
nlohmann::json sla_json_with_forecast(const View& view);

// /v1/kpis; `query` may hold queue, channel, window filters.
std::string render_kpis_json(const View& view, const std::map<std::string, std::string>& query);

// {"seq"?: k, "accepted": n, "duplicates": d, "rejected": [...]}, plus
// "rejected_total" and "rejected_by_reason" when `decoded` lists only the
// first of its rejections (docs/ingestion.md). Its size is bounded by the
// listed rejections, not by the body. `decoded.events` is not read.
std::string ingest_reply_json(const BatchResult& result, const core::DecodedBatch& decoded,
                              std::optional<std::uint64_t> seq);

// The reply frame of a WebSocket frame refused as a whole:
// {"seq": k, "error": code, "message": "..."} (docs/ingestion.md).
std::string ingest_error_json(std::uint64_t seq, std::string_view code, std::string_view message);

}  // namespace ccmon::server
