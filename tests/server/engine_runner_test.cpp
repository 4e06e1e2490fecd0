// The engine runner's own metrics, with its real engine thread: the in-flight
// gauge returns to 0 once batches are applied, and SLA transitions dropped
// from the log are exported.
#include "server/engine_runner.hpp"

#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <future>
#include <string>

#include "server_test_support.hpp"

namespace ccmon::server {
namespace {

using test::config_from;
using test::sample;

constexpr core::Timestamp kNow = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z, microseconds

// `n` contact.queued events in queues q0..q{n-1}, at kNow.
Batch queued_batch(const config::Config& config, int n) {
  std::string ndjson;
  for (int i = 0; i < n; ++i) {
    ndjson += R"({"id":"e)" + std::to_string(i) +
              R"(","type":"contact.queued","time":1700000000,"contact":"c)" + std::to_string(i) +
              R"(","queue":"q)" + std::to_string(i) + R"(","channel":"voice"})" + "\n";
  }
  core::Decoder decoder(config.codec);
  auto decoded = decoder.decode(ndjson, core::BodyFormat::kNdjson, kNow);
  REQUIRE(decoded.rejections.empty());
  const std::size_t admitted = decoded.events.size();
  return Batch{Transport::kHttp, std::move(decoded.events), kNow, admitted};
}

BatchResult submit_and_wait(EngineRunner& runner, Batch batch) {
  std::promise<BatchResult> done;
  runner.submit(std::move(batch), [&done](BatchResult r) { done.set_value(r); });
  return done.get_future().get();
}

TEST_CASE("ccmon_events_in_flight returns to 0 once traffic stops", "[server][engine_runner]") {
  const auto config = config_from("server:\n  clock: event\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.start();
  auto in_flight = [&] { return sample(metrics.registry(), "ccmon_events_in_flight"); };

  REQUIRE(runner.admission().try_admit(3));
  CHECK(in_flight() == 3);  // admitted, not applied
  const BatchResult r = submit_and_wait(runner, queued_batch(*config, 3));
  CHECK(r.accepted == 3);
  // Applied: nothing in flight, and the gauge says so without new traffic.
  CHECK(runner.admission().in_flight() == 0);
  CHECK(in_flight() == 0);
  runner.drain_and_stop();
}

TEST_CASE("dropped SLA transitions are exported", "[server][engine_runner][sla]") {
  // One live rule over every queue: each queue with a contact waiting
  // breaches at once. 10001 queues breach in one evaluation; the evaluator
  // keeps kMaxPendingTransitions = 10000 of them, so exactly 1 is dropped.
  const int queues = static_cast<int>(core::SlaEvaluator::kMaxPendingTransitions) + 1;
  const auto config = config_from(
      "server:\n  clock: event\n"
      "cardinality:\n  max_queues: 20000\n"
      "sla:\n  - {name: nobody_waits, kpi: contacts_waiting, op: \"<=\", target: 0}\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  // 10001 "SLA breached" lines would only slow the test down.
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);
  runner.start();
  auto dropped = [&] { return sample(metrics.registry(), "ccmon_sla_transitions_dropped_total"); };
  CHECK(dropped() == 0);  // present from the start

  REQUIRE(runner.admission().try_admit(static_cast<std::size_t>(queues)));
  submit_and_wait(runner, queued_batch(*config, queues));
  std::promise<std::shared_ptr<const View>> viewed;
  runner.request_view([&](std::shared_ptr<const View> v) { viewed.set_value(std::move(v)); });
  const auto view = viewed.get_future().get();
  CHECK(view->sla.size() == static_cast<std::size_t>(queues));
  CHECK(dropped() == 1);
  runner.drain_and_stop();
  spdlog::set_level(level);
}

TEST_CASE("reconfigure reports when the engine runs with the new rules",
          "[server][engine_runner]") {
  const auto config = config_from("server:\n  clock: event\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.start();
  REQUIRE(runner.admission().try_admit(1));
  submit_and_wait(runner, queued_batch(*config, 1));  // queue q0, one contact waiting

  const auto next = config_from(
      "server:\n  clock: event\n  limits:\n    max_events_in_flight: 2\n"
      "sla:\n  - {name: nobody_waits, kpi: contacts_waiting, op: \"<=\", target: 0}\n");
  std::promise<void> applied;
  runner.reconfigure(*next, [&] { applied.set_value(); });
  applied.get_future().wait();
  std::promise<std::shared_ptr<const View>> viewed;
  runner.request_view([&](std::shared_ptr<const View> v) { viewed.set_value(std::move(v)); });
  const auto view = viewed.get_future().get();
  REQUIRE(view->sla.size() == 1);  // the new rule judges q0 × voice
  CHECK(view->sla[0].sla == "nobody_waits");
  CHECK(view->sla[0].breached);  // 1 waiting > 0
  CHECK(runner.admission().try_admit(2));
  CHECK_FALSE(runner.admission().try_admit(1));  // the new limit: 2 + 1 > 2
  runner.drain_and_stop();
}

}  // namespace
}  // namespace ccmon::server
