#include "server/adapter_hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/text_escape.hpp"

namespace ccmon::server {

std::string_view to_string(AdapterKind a) {
  switch (a) {
    case AdapterKind::kAsteriskQueueLog:
      return "asterisk_queue_log";
    case AdapterKind::kTwilio:
      return "twilio";
    case AdapterKind::kAmazonConnect:
      return "amazon_connect";
  }
  return "other";
}

AdapterHub::AdapterHub(prometheus::Registry& registry)
    : events_(prometheus::BuildCounter()
                  .Name("ccmon_adapter_events_total")
                  .Help("Platform adapter results by adapter, source and result (accepted and "
                        "duplicate: ccmon events; rejected: native records and events refused; "
                        "ignored: native records carrying nothing counted).")
                  .Register(registry)),
      last_event_(prometheus::BuildGauge()
                      .Name("ccmon_source_last_event_timestamp_seconds")
                      .Help("Event time of the newest event taken from each adapter source "
                            "(Unix seconds): feed staleness per PBX or platform instance.")
                      .Register(registry)),
      unknown_(prometheus::BuildCounter()
                   .Name("ccmon_adapter_unknown_kinds_total")
                   .Help("Native records of a kind the adapter does not know (a queue_log verb, "
                         "an event type), by adapter and kind; at most 64 kinds per adapter, "
                         "then kind=\"other\".")
                   .Register(registry)) {
  auto& folded = prometheus::BuildCounter()
                     .Name("ccmon_adapter_sources_folded_total")
                     .Help(
                         "Adapter deliveries counted under source=\"other\" because "
                         "adapters.max_sources sources already have their own label.")
                     .Register(registry);
  auto& auth = prometheus::BuildCounter()
                   .Name("ccmon_adapter_auth_failures_total")
                   .Help(
                       "Adapter requests refused for their credential (Twilio signature, "
                       "Amazon Connect key), by adapter and reason.")
                   .Register(registry);
  for (int a = 0; a < kAdapterKindCount; ++a) {
    const std::string name(to_string(static_cast<AdapterKind>(a)));
    folded_.push_back(&folded.Add({{"adapter", name}}));
    auth_failed_.push_back(&auth.Add({{"adapter", name}, {"reason", "missing"}}));
    auth_failed_.push_back(&auth.Add({{"adapter", name}, {"reason", "invalid"}}));
  }
}

std::string AdapterHub::label_for(AdapterKind a, std::string_view source, std::size_t max_sources) {
  auto& seen = sources_[static_cast<int>(a)];
  if (seen.find(source) != seen.end()) return std::string(source);
  if (seen.size() < max_sources) {
    seen.emplace(source);
    return std::string(source);
  }
  folded_[static_cast<std::size_t>(a)]->Increment();
  return "other";
}

void AdapterHub::count(AdapterKind a, std::string_view source, const AdapterTally& t,
                       std::size_t max_sources) {
  std::lock_guard lock(mutex_);
  const std::string label = label_for(a, source, max_sources);
  const std::string adapter(to_string(a));
  const std::pair<const char*, std::size_t> results[] = {{"accepted", t.accepted},
                                                         {"duplicate", t.duplicates},
                                                         {"rejected", t.rejected},
                                                         {"ignored", t.ignored}};
  for (const auto& [result, n] : results) {
    // Every result of a source exists from its first delivery, so rate()
    // and absent() see a zero rather than nothing.
    events_.Add({{"adapter", adapter}, {"source", label}, {"result", result}})
        .Increment(static_cast<double>(n));
  }
}

std::string AdapterHub::feed_name(AdapterKind a, std::string_view source, std::size_t max_sources) {
  std::lock_guard lock(mutex_);
  std::string name(to_string(a));
  name += '/';
  name += label_for(a, source, max_sources);
  return name;
}

void AdapterHub::last_event_time(AdapterKind a, std::string_view source, double unix_seconds,
                                 std::size_t max_sources) {
  std::lock_guard lock(mutex_);
  const std::string label = label_for(a, source, max_sources);
  auto& g = last_event_.Add({{"adapter", std::string(to_string(a))}, {"source", label}});
  if (unix_seconds > g.Value()) g.Set(unix_seconds);
}

void AdapterHub::unknown_kinds(AdapterKind a,
                               const std::vector<std::pair<std::string, std::size_t>>& kinds) {
  if (kinds.empty()) return;
  std::lock_guard lock(mutex_);
  auto& seen = kinds_[static_cast<int>(a)];
  const std::string adapter(to_string(a));
  for (const auto& [kind, n] : kinds) {
    std::string label = kind;
    if (seen.find(kind) == seen.end()) {
      if (seen.size() < kMaxKinds && kind != "(other)") {
        seen.insert(kind);
      } else {
        label = "other";
      }
    }
    unknown_.Add({{"adapter", adapter}, {"kind", label}}).Increment(static_cast<double>(n));
  }
}

void AdapterHub::auth_failed(AdapterKind a, AdapterAuthFailure why) {
  auth_failed_[static_cast<std::size_t>(a) * 2 + (why == AdapterAuthFailure::kInvalid ? 1 : 0)]
      ->Increment();
}

bool AdapterHub::may_log() {
  const auto now = std::chrono::steady_clock::now();
  if (now - log_period_start_ >= kLogPeriod) {
    if (suppressed_ != 0) {
      spdlog::warn("adapters: {} more malformed-record lines were not logged in the last {} s",
                   suppressed_, kLogPeriod.count());
    }
    log_period_start_ = now;
    logged_in_period_ = 0;
    suppressed_ = 0;
  }
  if (logged_in_period_ < kLogBurst) {
    ++logged_in_period_;
    return true;
  }
  ++suppressed_;
  return false;
}

void AdapterHub::log_issues(AdapterKind a, std::string_view source,
                            const core::adapters::AdapterBatch& batch,
                            std::string_view record_name) {
  std::lock_guard lock(log_mutex_);
  for (const auto& issue : batch.issues) {
    if (issue.outcome != core::adapters::RecordOutcome::kRejected) continue;
    if (!may_log()) continue;
    spdlog::warn("adapter {} source {}: {} {}: {}: {}", to_string(a), loggable(source), record_name,
                 issue.record, loggable(issue.code), loggable(issue.message, 512));
  }
  // Rejections beyond the kept issues are counted, not described.
  if (batch.issues_dropped != 0 && may_log()) {
    spdlog::warn("adapter {} source {}: {} more records with problems in this delivery",
                 to_string(a), loggable(source), batch.issues_dropped);
  }
}

void AdapterHub::log_warning(const std::string& line) {
  std::lock_guard lock(log_mutex_);
  if (may_log()) spdlog::warn("{}", line);
}

}  // namespace ccmon::server
