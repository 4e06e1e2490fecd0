// Owns the KPI engine on one thread (the statsd_exporter single-consumer
// model): sessions decode on their own threads and submit batches here;
// nothing else touches the engine, so the hot path takes no locks. Snapshots
// ("views") are immutable and shared with readers, so a scrape never blocks
// ingestion for longer than taking one snapshot.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/codec/codec.hpp"
#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/snapshot.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "server/admission.hpp"
#include "server/engine_service.hpp"
#include "server/self_metrics.hpp"

namespace ccmon::server {

using WallClock = std::function<core::Timestamp()>;
core::Timestamp system_wall_clock();

class EngineRunner final : public EngineService {
 public:
  EngineRunner(const config::Config& config, SelfMetrics& metrics, WallClock clock);
  ~EngineRunner();

  // `listener` gets the view every tick builds, on the engine thread: it must
  // only hand it on (post it elsewhere), never render or block there. Set
  // before start().
  void on_tick(std::function<void(std::shared_ptr<const View>)> listener) {
    tick_listener_ = std::move(listener);
  }

  void start();
  // Applies everything already submitted, then stops the thread.
  void drain_and_stop();

  Admission& admission() override { return admission_; }
  core::Timestamp wall_now() const override { return clock_(); }
  void submit(Batch batch, std::function<void(BatchResult)> done) override;
  void request_view(std::function<void(std::shared_ptr<const View>)> done) override;

  // Applies a reloaded configuration (engine, dedup, SLA rules, clock mode);
  // `done`, if given, runs on the engine thread once it is in force.
  void reconfigure(const config::Config& config, std::function<void()> done = {});

 private:
  core::Timestamp now() const;
  void apply(Batch& batch, BatchResult& result);
  void make_views();
  std::shared_ptr<const View> build_view();
  void schedule_tick();

  SelfMetrics& metrics_;
  WallClock clock_;
  Admission admission_;
  config::ClockMode clock_mode_;

  // Engine-thread state.
  core::Engine engine_;
  core::Deduplicator dedup_;
  core::SlaEvaluator sla_;
  core::Timestamp latest_event_time_ = 0;
  std::uint64_t sla_transitions_dropped_ = 0;  // last count exported
  bool stopping_ = false;                      // drain_and_stop() asked
  std::vector<std::function<void(std::shared_ptr<const View>)>> view_requests_;
  std::function<void(std::shared_ptr<const View>)> tick_listener_;

  boost::asio::io_context io_{1};
  boost::asio::steady_timer tick_{io_};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
};

}  // namespace ccmon::server
