// The engine runner's own metrics, with its real engine thread: the in-flight
// gauge returns to 0 once batches are applied, SLA transitions dropped from
// the log are exported, and SLA rules are judged on the tick, never on a
// scrape.
#include "server/engine_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "server_test_support.hpp"

namespace ccmon::server {
namespace {

using test::config_from;
using test::sample;

using test::batch_of;
using test::kNow;

// `n` contact.queued events in queues q0..q{n-1}, at kNow.
Batch queued_batch(const config::Config& config, int n) {
  std::string ndjson;
  for (int i = 0; i < n; ++i) {
    ndjson += R"({"id":"e)" + std::to_string(i) +
              R"(","type":"contact.queued","time":1700000000,"contact":"c)" + std::to_string(i) +
              R"(","queue":"q)" + std::to_string(i) + R"(","channel":"voice"})" + "\n";
  }
  return batch_of(config, ndjson);
}

// contact.queued events at kNow with these ids, in this order.
Batch batch_of_ids(const config::Config& config, const std::vector<std::string>& ids) {
  std::string ndjson;
  for (const std::string& id : ids) {
    ndjson += R"({"id":")" + id + R"(","type":"contact.queued","time":1700000000,"contact":"c)" +
              id + R"(","queue":"q","channel":"voice"})" + "\n";
  }
  return batch_of(config, ndjson);
}

// The views of the engine's ticks (on_tick: construct before start()).
// Ordering on the engine thread makes waits exact: a tick whose view comes
// after count() was read once a batch was done ran wholly after that batch.
class Ticks {
 public:
  explicit Ticks(EngineRunner& runner) {
    runner.on_tick([this](std::shared_ptr<const View> v) {
      std::lock_guard lock(mutex_);
      views_.push_back(std::move(v));
      cv_.notify_all();
    });
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return views_.size();
  }
  // The view of the first tick after `n` ticks (waits for it).
  std::shared_ptr<const View> after(std::size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return views_.size() > n; });
    return views_[n];
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<const View>> views_;
};

std::shared_ptr<const View> scrape(EngineRunner& runner) {
  std::promise<std::shared_ptr<const View>> viewed;
  runner.request_view([&](std::shared_ptr<const View> v) { viewed.set_value(std::move(v)); });
  return viewed.get_future().get();
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

TEST_CASE("ids repeated in a batch count once; its fresh ids are remembered for the next",
          "[server][engine_runner][dedup]") {
  const auto config = config_from("");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.start();
  // Fresh: a, b, c (positions 0, 2, 4); a twice more.
  const BatchResult first =
      submit_and_wait(runner, batch_of_ids(*config, {"a", "a", "b", "a", "c"}));
  CHECK(first.accepted == 3);
  CHECK(first.duplicates == 2);
  // c and b were remembered with the first batch, d is new.
  const BatchResult second = submit_and_wait(runner, batch_of_ids(*config, {"c", "b", "d"}));
  CHECK(second.accepted == 1);
  CHECK(second.duplicates == 2);
  runner.drain_and_stop();
}

TEST_CASE(
    "an applied batch is given back for reuse on the executor given, and nothing applied "
    "points into it",
    "[server][engine_runner]") {
  const auto config = config_from("server:\n  clock: event\n");
  SelfMetrics metrics("test");
  boost::asio::io_context io;  // not run yet: what is posted to it waits
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.free_batches_on({io.get_executor()});
  runner.start();
  auto ids = [](const std::string& prefix, int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
    return v;
  };
  CHECK(submit_and_wait(runner, batch_of_ids(*config, ids("a", 64))).accepted == 64);
  // Below 64 events a batch is freed on the engine thread: no post.
  CHECK(submit_and_wait(runner, batch_of_ids(*config, ids("b", 3))).accepted == 3);
  CHECK(submit_and_wait(runner, batch_of_ids(*config, ids("c", 70))).accepted == 70);
  CHECK(runner.reusable_events(100).empty());  // nothing given back until io runs
  // One handler per large batch, run here: their events are given back to
  // the pool now, the newest first.
  CHECK(io.run() == 2);
  std::vector<core::IndexedEvent> reused = runner.reusable_events(100);
  REQUIRE(reused.size() == 70);
  CHECK(reused[0].event.id == "c0");
  CHECK(runner.reusable_events(100).size() == 64);
  CHECK(runner.reusable_events(100).empty());
  // Decoding into them overwrites what the engine was given, and freeing
  // them frees it: the engine kept copies, not pointers into them (under
  // AddressSanitizer a read of freed ones would fail here).
  {
    core::Decoder decoder;
    const auto other = decoder.decode(
        R"({"id":"x","type":"contact.queued","time":1700000000,"contact":"cx","queue":"other-queue","channel":"chat"})",
        core::BodyFormat::kNdjson, kNow, std::move(reused));
    REQUIRE(other.events.size() == 1);
  }
  const auto view = scrape(runner);
  std::uint64_t offered = 0;
  std::vector<std::string> queues;
  for (const auto& s : view->snapshot->series) {
    offered += s.offered_total;
    queues.push_back(s.queue);
  }
  CHECK(offered == 137);
  CHECK(queues == std::vector<std::string>{"q"});
  // Ids hashed ahead (a batch of 64) find those the engine thread hashed
  // (the batch of 3), and the other way round.
  auto again = ids("b", 3);
  for (const auto& id : ids("d", 60)) again.push_back(id);
  again.push_back("a5");
  const BatchResult r = submit_and_wait(runner, batch_of_ids(*config, again));
  CHECK(r.duplicates == 4);
  CHECK(r.accepted == 60);
  CHECK(submit_and_wait(runner, batch_of_ids(*config, {"d7", "c9"})).duplicates == 2);
  runner.drain_and_stop();
}

TEST_CASE("applied batches are given back on the executors given, in turn",
          "[server][engine_runner]") {
  const auto config = config_from("server:\n  clock: event\n");
  SelfMetrics metrics("test");
  boost::asio::io_context first, second;  // not run yet: what is posted waits
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.free_batches_on({first.get_executor(), second.get_executor()});
  runner.start();
  auto ids = [](const std::string& prefix, int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
    return v;
  };
  for (const char* prefix : {"a", "b", "c"}) {
    REQUIRE(submit_and_wait(runner, batch_of_ids(*config, ids(prefix, 64))).accepted == 64);
  }
  runner.drain_and_stop();
  // The first and third batches to the first executor, the second to the other.
  CHECK(first.run() == 2);
  CHECK(second.run() == 1);
  CHECK(runner.reusable_events(100).size() == 64);
}

TEST_CASE("agent ids hashed ahead find the agents the engine thread hashed",
          "[server][engine_runner]") {
  const auto config = config_from("server:\n  clock: event\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.start();
  // agent.state events (ids `prefix`0...) for agents a{from}..a{from+n-1}.
  auto states = [&](const std::string& prefix, int from, int n) {
    std::string ndjson;
    for (int i = 0; i < n; ++i) {
      ndjson += R"({"id":")" + prefix + std::to_string(i) +
                R"(","type":"agent.state","time":1700000000,"agent":"a)" +
                std::to_string(from + i) + R"(","state":"available"})" + "\n";
    }
    return batch_of(*config, ndjson);
  };
  auto agents = [&] { return scrape(runner)->snapshot->agents.size(); };
  // Hashed on the engine thread (under 64 events), then ahead (64), then
  // on the engine thread again: one record per agent throughout.
  CHECK(submit_and_wait(runner, states("x", 0, 3)).accepted == 3);
  CHECK(agents() == 3);
  CHECK(submit_and_wait(runner, states("y", 0, 64)).accepted == 64);
  CHECK(agents() == 64);
  CHECK(submit_and_wait(runner, states("z", 61, 3)).accepted == 3);
  CHECK(agents() == 64);
  runner.drain_and_stop();
}

TEST_CASE("dropped SLA transitions are exported", "[server][engine_runner][sla]") {
  // One live rule over every queue: each queue with a contact waiting
  // breaches at once. 10001 queues breach in one tick; the evaluator keeps
  // kMaxPendingTransitions = 10000 of them (1 dropped), the log takes
  // kMaxSlaLogLines = 10 and summarises 9990: 9991 without a line.
  const int queues = static_cast<int>(core::SlaEvaluator::kMaxPendingTransitions) + 1;
  const auto config = config_from(
      "server:\n  clock: event\n"
      "cardinality:\n  max_queues: 20000\n"
      "sla:\n  - {name: nobody_waits, kpi: contacts_waiting, op: \"<=\", target: 0}\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  Ticks ticks(runner);
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);
  runner.start();
  auto dropped = [&] { return sample(metrics.registry(), "ccmon_sla_transitions_dropped_total"); };
  CHECK(dropped() == 0);  // present from the start

  REQUIRE(runner.admission().try_admit(static_cast<std::size_t>(queues)));
  submit_and_wait(runner, queued_batch(*config, queues));
  const auto view = ticks.after(ticks.count());
  CHECK(view->sla.size() == static_cast<std::size_t>(queues));
  CHECK(dropped() == 9991);
  runner.drain_and_stop();
  spdlog::set_level(level);
}

TEST_CASE("a scrape never judges SLA rules; the next tick does", "[server][engine_runner][sla]") {
  const auto config = config_from(
      "server:\n  clock: event\n"
      "sla:\n  - {name: nobody_waits, kpi: contacts_waiting, op: \"<=\", target: 0}\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  Ticks ticks(runner);
  runner.start();
  // One contact waiting in a fresh queue breaks the rule (1 > 0). A scrape
  // after the batch shows the KPI but not the breach, as long as no tick ran
  // in between (ticks are 1 s apart: retried, in a new queue, if one did).
  auto state_of = [](const View& v, const std::string& queue) -> const core::SlaState* {
    for (const auto& s : v.sla) {
      if (s.queue == queue) return &s;
    }
    return nullptr;
  };
  bool judged_without_tick = false;
  std::string queue;
  for (int attempt = 0; attempt < 5 && !judged_without_tick; ++attempt) {
    const std::size_t before = ticks.count();
    REQUIRE(runner.admission().try_admit(1));
    Batch batch = queued_batch(*config, 1);
    queue = "fresh" + std::to_string(attempt);
    batch.events[0].event.id += queue;
    batch.events[0].event.contact += queue;
    batch.events[0].event.queue = queue;
    submit_and_wait(runner, std::move(batch));
    const auto view = scrape(runner);
    if (ticks.count() != before) continue;
    judged_without_tick = true;
    const auto& series = view->snapshot->series;
    CHECK(std::any_of(series.begin(), series.end(),
                      [&](const auto& s) { return s.queue == queue; }));  // the scrape saw it
    CHECK(state_of(*view, queue) == nullptr);                             // never judged
    const auto tick = ticks.after(before);                                // the next tick judges it
    REQUIRE(state_of(*tick, queue) != nullptr);
    CHECK(state_of(*tick, queue)->breached);
    CHECK(state_of(*tick, queue)->breaches_total == 1);
  }
  REQUIRE(judged_without_tick);
  // Scrapes read the tick's state and change nothing.
  for (int i = 0; i < 20; ++i) {
    const auto view = scrape(runner);
    REQUIRE(state_of(*view, queue) != nullptr);
    CHECK(state_of(*view, queue)->breached);
    CHECK(state_of(*view, queue)->breaches_total == 1);
  }
  CHECK(sample(metrics.registry(), "ccmon_engine_ticks_total") >= 1);
  runner.drain_and_stop();
}

TEST_CASE("reconfigure reports when the engine runs with the new rules",
          "[server][engine_runner]") {
  const auto config = config_from("server:\n  clock: event\n");
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  Ticks ticks(runner);
  runner.start();
  REQUIRE(runner.admission().try_admit(1));
  submit_and_wait(runner, queued_batch(*config, 1));  // queue q0, one contact waiting

  const auto next = config_from(
      "server:\n  clock: event\n  limits:\n    max_events_in_flight: 2\n"
      "sla:\n  - {name: nobody_waits, kpi: contacts_waiting, op: \"<=\", target: 0}\n");
  std::promise<void> applied;
  runner.reconfigure(*next, [&] { applied.set_value(); });
  applied.get_future().wait();
  const auto view = ticks.after(ticks.count());  // the first tick under the new rules
  REQUIRE(view->sla.size() == 1);                // the new rule judges q0 × voice
  CHECK(view->sla[0].sla == "nobody_waits");
  CHECK(view->sla[0].breached);  // 1 waiting > 0
  CHECK(runner.admission().try_admit(2));
  CHECK_FALSE(runner.admission().try_admit(1));  // the new limit: 2 + 1 > 2
  runner.drain_and_stop();
}

TEST_CASE("the forecast is the tick's, scrapes reuse it, a reload changes its horizon",
          "[server][engine_runner][forecast]") {
  const std::string base =
      "server:\n  clock: event\n"
      "sla:\n  - {name: oldest, kpi: oldest_waiting_seconds, op: \"<=\", target: 600}\n";
  const auto config = config_from(base);
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  Ticks ticks(runner);
  runner.start();
  REQUIRE(runner.admission().try_admit(1));
  submit_and_wait(runner, queued_batch(*config, 1));  // q0: one contact waiting since kNow
  auto view = ticks.after(ticks.count());
  REQUIRE(view->forecast);
  REQUIRE(view->forecast->rules.size() == 1);
  // Age 0: breach in 600 s, beyond the default 5 minute horizon.
  CHECK(view->forecast->rules[0].modelled);
  CHECK_FALSE(view->forecast->rules[0].at_risk);
  // A scrape shows the last tick's forecast: the same object, not recomputed.
  const std::size_t seen = ticks.count();
  const auto scraped = scrape(runner);
  if (ticks.count() == seen) CHECK(scraped->forecast == ticks.after(seen - 1)->forecast);

  const auto next = config_from(base + "forecast:\n  horizon: 20m\n");
  std::promise<void> applied;
  runner.reconfigure(*next, [&] { applied.set_value(); });
  applied.get_future().wait();
  view = ticks.after(ticks.count());  // the first tick under the new horizon
  REQUIRE(view->forecast->rules.size() == 1);
  CHECK(view->forecast->rules[0].at_risk);
  CHECK(view->forecast->rules[0].breach_eta_seconds == 600);
  runner.drain_and_stop();
}

}  // namespace
}  // namespace ccmon::server
