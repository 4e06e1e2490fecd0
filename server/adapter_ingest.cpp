#include "server/adapter_ingest.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/adapters/event_ndjson.hpp"
#include "server/text_escape.hpp"

namespace ccmon::server {

void ingest_adapter_batch(ServerContext& ctx, const config::Config& config, core::Decoder& decoder,
                          AdapterKind adapter, const std::string& source,
                          core::adapters::AdapterBatch batch, std::optional<Transport> transport,
                          std::string_view record_name, std::function<void(AdapterOutcome)> done,
                          std::size_t reserved, std::optional<Batch::Partition> partition) {
  using core::adapters::RecordOutcome;
  auto out = std::make_shared<AdapterOutcome>();
  EngineService& engine = ctx.runner;
  if (!engine.state_ready()) {
    if (reserved != 0) engine.admission().release(reserved);
    out->failure = AdapterOutcome::Failure::kRestoring;
    return done(std::move(*out));
  }
  const core::Timestamp now = engine.wall_now();
  const std::size_t mapped_events = batch.events.size();
  core::DecodedBatch decoded =
      decoder.decode(core::adapters::events_ndjson(batch.events), core::BodyFormat::kNdjson, now);
  const std::size_t n = decoded.events.size();
  if (reserved != 0) {
    if (reserved > n) engine.admission().release(reserved - n);
  } else if (n != 0 && !engine.admission().try_admit(n)) {
    out->failure = AdapterOutcome::Failure::kOverloaded;
    return done(std::move(*out));
  }

  out->unknown = batch.count(RecordOutcome::kUnknown);
  out->tally.ignored = batch.count(RecordOutcome::kIgnored) + out->unknown;
  out->tally.rejected = batch.count(RecordOutcome::kRejected) + decoded.rejected;
  out->unknown_kinds = batch.unknown_kinds;
  for (const auto& issue : batch.issues) {
    if (issue.outcome != RecordOutcome::kRejected) continue;
    if (out->details.size() == AdapterOutcome::kMaxDetails) {
      ++out->details_dropped;
      continue;
    }
    out->details.push_back({issue.record, 0, issue.code, issue.message});
  }
  out->details_dropped += batch.issues_dropped;
  for (const auto& r : decoded.rejections) {
    if (out->details.size() == AdapterOutcome::kMaxDetails) {
      ++out->details_dropped;
      continue;
    }
    // The event id tells which native record it came from.
    std::string message = "event ";
    message += r.index < mapped_events ? batch.events[r.index].id : std::string("?");
    message += ": ";
    message += r.message;
    out->details.push_back(
        {0, r.index, std::string(core::to_string(r.reason)), std::move(message)});
  }
  out->details_dropped += decoded.rejected - decoded.rejections.size();
  for (const auto& e : decoded.events)
    out->newest_event = std::max(out->newest_event, e.event.time);

  // Counted once the delivery is taken (a refused one is resent and counted then).
  const std::size_t max_sources = config.adapters.max_sources;
  auto finish = [&ctx, adapter, source, max_sources, out,
                 done = std::move(done)](const BatchResult* result) mutable {
    if (result) {
      if (result->internal_error) out->failure = AdapterOutcome::Failure::kInternal;
      if (result->state_unavailable) out->failure = AdapterOutcome::Failure::kStateFailed;
      out->tally.accepted = result->accepted;
      out->tally.duplicates = result->duplicates;
    }
    if (out->failure == AdapterOutcome::Failure::kNone) {
      ctx.adapters.count(adapter, source, out->tally, max_sources);
      ctx.adapters.unknown_kinds(adapter, out->unknown_kinds);
      if (out->newest_event != 0) {
        ctx.adapters.last_event_time(adapter, source, core::to_seconds(out->newest_event),
                                     max_sources);
      }
    }
    done(std::move(*out));
  };

  if (transport)
    ctx.metrics.decoded(*transport, decoded);
  else {
    for (int i = 0; i < core::kRejectReasonCount; ++i) {
      const std::size_t k = decoded.rejected_by_reason[static_cast<std::size_t>(i)];
      if (k != 0) ctx.metrics.rejected(static_cast<core::RejectReason>(i), static_cast<double>(k));
    }
  }
  ctx.adapters.log_issues(adapter, source, batch, record_name);
  if (!decoded.rejections.empty()) {
    for (const auto& d : out->details) {
      if (d.record != 0) continue;
      ctx.adapters.log_warning("adapter " + std::string(to_string(adapter)) + " source " +
                               loggable(source) + ": " + d.reason + ": " +
                               loggable(d.message, 512));
    }
  }
  // A Kafka partition's batch goes even empty: its offset moves with it.
  if (n == 0 && !partition) return finish(nullptr);
  Batch submitted{transport.value_or(Transport::kHttp), std::move(decoded.events), now, n};
  submitted.feed = ctx.adapters.feed_name(adapter, source, config.adapters.max_sources);
  submitted.partition = std::move(partition);
  engine.submit(std::move(submitted),
                [finish = std::move(finish)](BatchResult result) mutable { finish(&result); });
}

std::string adapter_reply_json(const AdapterOutcome& o) {
  std::string out = "{\"accepted\":";
  out += std::to_string(o.tally.accepted);
  out += ",\"duplicates\":";
  out += std::to_string(o.tally.duplicates);
  out += ",\"rejected\":[";
  bool first = true;
  for (const auto& d : o.details) {
    if (!first) out += ',';
    first = false;
    out += d.record != 0 ? "{\"record\":" : "{\"event\":";
    out += std::to_string(d.record != 0 ? d.record : d.event);
    out += ",\"reason\":";
    append_json_string(out, d.reason);
    out += ",\"message\":";
    append_json_string(out, d.message);
    out += '}';
  }
  out += "],\"rejected_total\":";
  out += std::to_string(o.tally.rejected);
  out += ",\"ignored\":";
  out += std::to_string(o.tally.ignored);
  out += ",\"unknown\":{";
  first = true;
  for (const auto& [kind, n] : o.unknown_kinds) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, kind);
    out += ':';
    out += std::to_string(n);
  }
  out += "}}";
  return out;
}

}  // namespace ccmon::server
