// Agent-state spans are split into the team windows when something reads
// them (Engine::flush_deferred), not after every apply. The oracle is the same
// engine flushed after every batch, as the engine did before: both must hold
// byte-identical state images (every bucket of every window) and equal
// snapshots at every checkpoint, over a stream with late state changes
// (spans re-split), gaps longer than a window's ring (slots reused), agents
// evicted, and more than WindowStore::kMaxPendingSpans spans between reads.
// The images match byte for byte because this stream's events are at most
// 120 s late, less than the shortest ring (121 s): a later one can land, for
// a while, in a slot its staged successor then takes back, which leaves the
// same sums and largest wait to read but may leave a stale largest wait or
// allocated bins in the image.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/engine/window_store.hpp"
#include "core/persist/state_codec.hpp"
#include "world.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;
using ccmon::core::persist::encode_state;

TEST_CASE("spans split when read give the buckets of a split after every batch",
          "[persist][span]") {
  EngineConfig c = busy_config();
  c.windows = {{"1m", minutes(1)}, {"5m", minutes(5)}, {"1h", hours(1)}};
  c.max_tracked_agents = 40;
  World eager(c, busy_dedup(), {});
  World deferred(c, busy_dedup(), {});

  XorShift rnd{20261202};  // fixed seed: reproducible
  double t = 0;
  std::size_t states = 0;
  std::vector<Event> batch;
  std::vector<const Event*> ptrs;
  auto apply = [&]() {
    ptrs.clear();
    for (const Event& e : batch) ptrs.push_back(&e);
    eager.engine.apply(ptrs);
    eager.engine.flush_deferred();  // the old behaviour: after every batch
    deferred.engine.apply(ptrs);
    batch.clear();
  };
  int checkpoints = 0;
  for (int i = 0; i < 121000; ++i) {  // the last 1,000 after the last read
    t += rnd(4000) == 0 ? 400.0 : 0.05 * static_cast<double>(rnd(10));  // gaps past the 1m ring
    const double when = rnd(15) == 0 ? t - static_cast<double>(rnd(120)) : t;  // late ones
    if (rnd(5) != 0) {
      Event e = ev(EventType::kAgentState, when);
      e.agent = name("a", rnd(48));  // more agents than tracked: evictions
      e.team = name("t", rnd(5));
      e.state = static_cast<AgentState>(rnd(kAgentStateCount));
      batch.push_back(e);
      ++states;
    } else {
      Event e = ev(rnd(2) ? EventType::kContactQueued : EventType::kContactAnswered, when,
                   name("c", rnd(60)));
      e.queue = name("q", rnd(2));
      e.channel = "voice";
      e.agent = name("a", rnd(48));
      batch.push_back(e);
    }
    if (batch.size() == 1 + rnd(500)) apply();
    // Reads are rare: 40,000 events between them, so the deferred engine
    // reaches its bound of pending spans several times.
    if (i % 40000 == 39999) {
      apply();
      const Timestamp now = kT0 + static_cast<Timestamp>(t * kMicrosPerSecond);
      if (checkpoints % 2 == 1) {  // the first read is a snapshot alone
        eager.engine.advance(now);
        deferred.engine.advance(now);
      }
      // The snapshot first: it must split the pending spans itself.
      REQUIRE(first_difference(observe(deferred, now), observe(eager, now)).empty());
      REQUIRE(encode_state(deferred.engine, deferred.dedup, deferred.sla, "") ==
              encode_state(eager.engine, eager.dedup, eager.sla, ""));
      ++checkpoints;
    }
  }
  apply();
  const Timestamp end = kT0 + static_cast<Timestamp>(t * kMicrosPerSecond);
  // The image first: the codec must split the pending spans itself.
  REQUIRE(encode_state(deferred.engine, deferred.dedup, deferred.sla, "") ==
          encode_state(eager.engine, eager.dedup, eager.sla, ""));
  REQUIRE(first_difference(observe(deferred, end), observe(eager, end)).empty());
  // The stream did what the test is about.
  CHECK(states > 4 * engine_detail::WindowStore::kMaxPendingSpans);
  CHECK(eager.engine.stats().evicted_agents_total > 0);
  CHECK(eager.engine.stats().out_of_sequence_total > 0);
}
