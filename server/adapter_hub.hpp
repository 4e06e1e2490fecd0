// What the platform adapters share in the daemon (docs/adapters.md,
// "In the daemon"): their metrics with bounded `source` and `kind` labels,
// the queue_log adapter's agent memory per HTTP source, and the
// rate-limited log of malformed records. Thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/adapters/adapter.hpp"
#include "core/adapters/asterisk_queue_log.hpp"

namespace ccmon::server {

enum class AdapterKind { kAsteriskQueueLog, kTwilio, kAmazonConnect };
inline constexpr int kAdapterKindCount = 3;
// "asterisk_queue_log", "twilio", "amazon_connect": the `adapter` label, as
// the configuration section names them.
std::string_view to_string(AdapterKind a);

// The tally of one delivery, in the units of docs/metrics.md
// ("Adapters"): accepted and duplicate count ccmon events; rejected counts
// native records the adapter refused plus mapped events the ingest
// validation refused; ignored counts native records (unknown kinds too).
struct AdapterTally {
  std::size_t accepted = 0;
  std::size_t duplicates = 0;
  std::size_t rejected = 0;
  std::size_t ignored = 0;
};

// Why an adapter request's credential was refused: the `reason` label of
// ccmon_adapter_auth_failures_total.
enum class AdapterAuthFailure { kMissing, kInvalid };

class AdapterHub {
 public:
  explicit AdapterHub(prometheus::Registry& registry);

  // Adds `t` to ccmon_adapter_events_total{adapter, source, result}.
  // `source` keeps its own label while fewer than `max_sources` sources of
  // the adapter have one; later sources count under "other" and in
  // ccmon_adapter_sources_folded_total{adapter}.
  void count(AdapterKind a, std::string_view source, const AdapterTally& t,
             std::size_t max_sources);
  // ccmon_source_last_event_timestamp_seconds{adapter, source}: raised to
  // `unix_seconds` (never lowered), under the same folding.
  void last_event_time(AdapterKind a, std::string_view source, double unix_seconds,
                       std::size_t max_sources);
  // The wallboard feed name of a source, "adapter/source", under the same
  // folding (so the feeds list stays bounded as the metrics' labels do).
  std::string feed_name(AdapterKind a, std::string_view source, std::size_t max_sources);
  // ccmon_adapter_unknown_kinds_total{adapter, kind}: at most kMaxKinds
  // kinds per adapter, later ones under kind="other".
  void unknown_kinds(AdapterKind a, const std::vector<std::pair<std::string, std::size_t>>& kinds);
  void auth_failed(AdapterKind a, AdapterAuthFailure why);

  // Logs the rejected records of `batch` (source, record number, reason)
  // as warnings, at most kLogBurst lines per kLogPeriod for all adapters
  // together; the lines over it are counted and reported once the period
  // ends.
  void log_issues(AdapterKind a, std::string_view source, const core::adapters::AdapterBatch& batch,
                  std::string_view record_name);
  // One line about a delivery (not a record), under the same rate limit.
  void log_warning(const std::string& line);

  // Runs `f(state)` with the queue_log agent memory of the HTTP source
  // `source`, under a lock. At most `max_sources` sources are remembered;
  // beyond that `f` gets a fresh state (mapped without memory).
  template <typename F>
  auto with_queue_log_state(const std::string& source, std::size_t max_sources, F&& f) {
    std::lock_guard lock(queue_log_mutex_);
    auto it = queue_log_states_.find(source);
    if (it == queue_log_states_.end()) {
      if (queue_log_states_.size() >= max_sources) {
        core::adapters::QueueLogState scratch;
        return f(scratch);
      }
      it = queue_log_states_.emplace(source, core::adapters::QueueLogState{}).first;
    }
    return f(it->second);
  }

  static constexpr std::size_t kMaxKinds = 64;
  static constexpr std::size_t kLogBurst = 20;
  static constexpr std::chrono::seconds kLogPeriod{10};

 private:
  // The label for `source` under the cap (mutex_ held).
  std::string label_for(AdapterKind a, std::string_view source, std::size_t max_sources);
  bool may_log();  // log_mutex_ held

  std::mutex mutex_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Gauge>& last_event_;
  prometheus::Family<prometheus::Counter>& unknown_;
  std::vector<prometheus::Counter*> folded_;
  std::vector<prometheus::Counter*> auth_failed_;  // [adapter * 2 + reason]
  std::set<std::string, std::less<>> sources_[kAdapterKindCount];
  std::set<std::string, std::less<>> kinds_[kAdapterKindCount];

  std::mutex queue_log_mutex_;
  std::map<std::string, core::adapters::QueueLogState, std::less<>> queue_log_states_;

  std::mutex log_mutex_;
  std::chrono::steady_clock::time_point log_period_start_{};
  std::size_t logged_in_period_ = 0;
  std::size_t suppressed_ = 0;
};

}  // namespace ccmon::server
