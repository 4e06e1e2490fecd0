#include "server/engine_runner.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/post.hpp>
#include <chrono>

#include "server/text_escape.hpp"

namespace ccmon::server {
namespace {

constexpr auto kTick = std::chrono::seconds(1);

std::string format_value(const std::optional<double>& v) {
  return v ? fmt::format("{:g}", *v) : std::string("undefined");
}

}  // namespace

core::Timestamp system_wall_clock() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EngineRunner::EngineRunner(const config::Config& config, SelfMetrics& metrics, WallClock clock)
    : metrics_(metrics),
      clock_(std::move(clock)),
      // The gauge follows every change, so it reads 0 once traffic stops.
      admission_(config.limits.max_events_in_flight,
                 [&metrics](std::size_t n) { metrics.in_flight(static_cast<double>(n)); }),
      clock_mode_(config.clock),
      engine_(config.engine),
      dedup_(config.dedup),
      sla_(config.sla_rules) {}

EngineRunner::~EngineRunner() {
  if (thread_.joinable()) drain_and_stop();
}

void EngineRunner::start() {
  schedule_tick();
  thread_ = std::thread([this] { io_.run(); });
}

void EngineRunner::drain_and_stop() {
  boost::asio::post(io_, [this] {
    // A tick already due is queued with success, not cancelled: the flag
    // keeps it from arming the timer again, or io_ would never run out.
    stopping_ = true;
    tick_.cancel();
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
}

core::Timestamp EngineRunner::now() const {
  if (clock_mode_ == config::ClockMode::kEvent && latest_event_time_ != 0) {
    return latest_event_time_;
  }
  return clock_();
}

void EngineRunner::submit(Batch batch, std::function<void(BatchResult)> done) {
  boost::asio::post(io_, [this, batch = std::move(batch), done = std::move(done)]() mutable {
    BatchResult result;
    apply(batch, result);
    admission_.release(batch.admitted);
    done(result);
  });
}

void EngineRunner::apply(Batch& batch, BatchResult& result) {
  std::array<std::size_t, core::kEventTypeCount> by_type{};
  const auto& bounds = SelfMetrics::lag_bounds();
  std::vector<double> lag_buckets(bounds.size() + 1, 0.0);
  double lag_sum = 0;
  core::Timestamp latest = latest_event_time_;
  std::vector<const core::Event*> fresh;  // not duplicates: applied together below
  fresh.reserve(batch.events.size());
  for (auto& item : batch.events) {
    const core::Event& event = item.event;
    // Dedup horizon runs on the engine's clock, so replays of history
    // remember ids over event time as live traffic does over wall time.
    const core::Timestamp dedup_now =
        clock_mode_ == config::ClockMode::kEvent ? std::max(latest, event.time) : batch.arrival;
    if (!dedup_.insert(event.id, dedup_now)) {
      ++result.duplicates;
      continue;
    }
    fresh.push_back(&event);
    ++result.accepted;
    ++by_type[static_cast<std::size_t>(event.type)];
    if (event.time > latest) latest = event.time;
    const double lag = core::to_seconds(batch.arrival - event.time);
    lag_sum += lag;
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), lag) - bounds.begin();
    lag_buckets[static_cast<std::size_t>(bucket)] += 1;
  }
  engine_.apply(fresh);
  for (int t = 0; t < core::kEventTypeCount; ++t) {
    if (by_type[t] != 0) {
      metrics_.accepted(static_cast<core::EventType>(t), static_cast<double>(by_type[t]));
    }
  }
  if (result.duplicates != 0) metrics_.duplicates(static_cast<double>(result.duplicates));
  if (result.accepted != 0) {
    metrics_.lag_histogram().ObserveMultiple(lag_buckets, lag_sum);
    if (latest != latest_event_time_) {
      latest_event_time_ = latest;
      metrics_.last_event_time(core::to_seconds(latest));
    }
  }
}

void EngineRunner::request_view(std::function<void(std::shared_ptr<const View>)> done) {
  boost::asio::post(io_, [this, done = std::move(done)]() mutable {
    // Requests queued behind the same batch share one snapshot.
    view_requests_.push_back(std::move(done));
    if (view_requests_.size() == 1) {
      boost::asio::post(io_, [this] { make_views(); });
    }
  });
}

void EngineRunner::make_views() {
  auto view = build_view();
  auto requests = std::move(view_requests_);
  view_requests_.clear();
  for (auto& r : requests) r(view);
}

std::shared_ptr<const View> EngineRunner::build_view() {
  const core::Timestamp t = now();
  engine_.advance(t);
  auto view = std::make_shared<View>();
  view->snapshot = engine_.snapshot(t);
  sla_.evaluate(*view->snapshot, t);
  for (const auto& tr : sla_.take_transitions()) {
    if (tr.entered) {
      spdlog::warn("SLA breached: rule={} queue={} channel={} value={} target={}", tr.sla,
                   loggable(tr.queue), tr.channel, format_value(tr.value), tr.target);
    } else {
      spdlog::info("SLA recovered: rule={} queue={} channel={} value={} target={}", tr.sla,
                   loggable(tr.queue), tr.channel, format_value(tr.value), tr.target);
    }
  }
  view->sla = sla_.states();
  if (sla_.transitions_dropped() != sla_transitions_dropped_) {
    metrics_.sla_transitions_dropped(
        static_cast<double>(sla_.transitions_dropped() - sla_transitions_dropped_));
    sla_transitions_dropped_ = sla_.transitions_dropped();
  }
  return view;
}

void EngineRunner::schedule_tick() {
  tick_.expires_after(kTick);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    // Live KPIs (oldest waiting) and SLA rules move with time even when no
    // event arrives: evaluate every second, and publish it (the live feed).
    auto view = build_view();
    if (tick_listener_) tick_listener_(std::move(view));
    dedup_.expire(now());
    schedule_tick();
  });
}

void EngineRunner::reconfigure(const config::Config& config, std::function<void()> done) {
  admission_.set_limit(config.limits.max_events_in_flight);
  boost::asio::post(io_,
                    [this, engine = config.engine, dedup = config.dedup, rules = config.sla_rules,
                     mode = config.clock, done = std::move(done)]() mutable {
                      engine_.reconfigure(std::move(engine));
                      dedup_.reconfigure(dedup);
                      sla_.reconfigure(std::move(rules));
                      clock_mode_ = mode;
                      if (done) done();
                    });
}

}  // namespace ccmon::server
