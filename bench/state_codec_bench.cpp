// State codec cost for a large center's day (docs/benchmarks.md, "State
// codec"): applies a generated day (queued, answered, ended, wrapped per
// contact, the agent's busy / available around it: 6 events per contact,
// 100 queues x 3 channels, 5,000 agents in 50 teams, every event id through
// the duplicate-id memory at its default bound of 2M ids), then times
// encode_state and decode_state and reports the image size.
//   ccmon_state_codec_bench [contacts=600000]   (600,000 contacts = 3.6M events)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine.hpp"
#include "core/persist/state_codec.hpp"
#include "core/sla/sla_evaluator.hpp"

using namespace ccmon::core;

namespace {

struct Rng {  // deterministic: runs are comparable
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return lo + static_cast<std::int64_t>(s % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

double cpu_s() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}
double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string name(const char* prefix, std::int64_t i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t contacts = argc > 1 ? std::atoll(argv[1]) : 600'000;
  const Timestamp day = seconds(1'800'000'000);  // 2027-01-15T08:00:00Z
  Rng rng;
  std::vector<Event> events;
  events.reserve(static_cast<std::size_t>(contacts) * 6);
  for (std::int64_t c = 0; c < contacts; ++c) {
    const Timestamp queued = day + seconds(rng.range(0, 86'399));
    const Timestamp answered = queued + seconds(rng.range(0, 60));
    const Timestamp ended = answered + seconds(rng.range(60, 600));
    const Timestamp wrapped = ended + seconds(rng.range(0, 60));
    const std::int64_t q = rng.range(0, 99), ch = rng.range(0, 2), a = rng.range(0, 4999);
    auto add = [&](EventType type, Timestamp t) {
      Event e;
      e.type = type;
      e.time = t;
      e.id = name("ev", static_cast<std::int64_t>(events.size()));
      if (type == EventType::kAgentState) {
        e.state = t == answered ? AgentState::kBusy : AgentState::kAvailable;
        e.team = name("team", a % 50);
      } else {
        e.contact = name("contact-", c);
        e.queue = name("queue-", q);
        e.channel = ch == 0 ? "voice" : ch == 1 ? "chat" : "email";
      }
      if (type == EventType::kContactAnswered || type == EventType::kAgentState) {
        e.agent = name("agent-", a);
      }
      events.push_back(std::move(e));
    };
    add(EventType::kContactQueued, queued);
    add(EventType::kAgentState, answered);
    add(EventType::kContactAnswered, answered);
    add(EventType::kContactEnded, ended);
    add(EventType::kContactWrapped, wrapped);
    add(EventType::kAgentState, wrapped);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& x, const Event& y) { return x.time < y.time; });

  Engine engine(EngineConfig{});
  Deduplicator dedup;
  SlaRule rule;
  rule.name = "sl80";
  rule.kpi = "service_level_ratio";
  rule.target = 0.8;
  SlaEvaluator sla({rule});
  double t = wall_s();
  Timestamp next_tick = day;
  for (const Event& e : events) {
    if (dedup.insert(e.id, e.time)) engine.apply(e);
    if (e.time >= next_tick) {  // once a minute, as the daemon's tick
      engine.advance(e.time);
      next_tick = e.time + seconds(60);
    }
  }
  const Timestamp end = events.back().time;
  engine.advance(end);
  sla.evaluate(*engine.snapshot(end), end);
  const EngineStats st = engine.stats();
  std::printf("day: %zu events in %.1f s; tracked %llu contacts, %llu agents; %zu ids remembered\n",
              events.size(), wall_s() - t, static_cast<unsigned long long>(st.tracked_contacts),
              static_cast<unsigned long long>(st.tracked_agents), dedup.size());

  t = wall_s();
  double c0 = cpu_s();
  const std::string image = persist::encode_state(engine, dedup, sla, "bench");
  std::printf("encode: %.3f s wall, %.3f s CPU; image %.1f MB (%zu bytes)\n", wall_s() - t,
              cpu_s() - c0, static_cast<double>(image.size()) / 1e6, image.size());

  Engine engine2(EngineConfig{});
  Deduplicator dedup2;
  SlaEvaluator sla2({});
  t = wall_s();
  c0 = cpu_s();
  persist::decode_state(image, engine2, dedup2, sla2);
  std::printf("decode: %.3f s wall, %.3f s CPU\n", wall_s() - t, cpu_s() - c0);
  const bool same = persist::encode_state(engine2, dedup2, sla2, "bench") == image;
  std::printf("re-encoded image identical: %s\n", same ? "yes" : "NO");
  return same ? 0 : 1;
}
