// The model's output, checked from the outside: decoded with the daemon's own
// codec, replayed through small state machines, and recounted.
#include "tools/sim/simulator.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/codec/codec.hpp"

using namespace ccmon::sim;
namespace core = ccmon::core;
using core::AgentState;
using core::EventType;

namespace {

// 2026-03-02T09:00:00Z = 1772438400 s (08:00, see options_test) + 3600 s.
constexpr core::Timestamp kNine = 1'772'442'000LL * 1'000'000;

SimConfig day_config(std::uint64_t seed) {
  SimConfig c;
  c.seed = seed;
  c.start = kNine;
  c.duration = core::hours(2);
  c.agents = 30;
  c.rate = 1.6;  // busy enough for long waits: overflows and callbacks happen
  return c;
}

std::string run_all(const SimConfig& config, std::size_t batch = 1000) {
  std::string all;
  Batcher b(batch, [&](std::string_view frame, std::size_t) { all.append(frame); });
  Simulator sim(config);
  sim.run(b);
  b.flush();
  return all;
}

std::vector<core::Event> decode_all(const std::string& ndjson, core::Timestamp now) {
  core::Decoder decoder;
  core::DecodedBatch d = decoder.decode(ndjson, core::BodyFormat::kNdjson, now);
  REQUIRE_FALSE(d.unreadable);
  for (const auto& r : d.rejections) {
    INFO("line " << r.index << ": " << r.message);
    CHECK(false);
  }
  std::vector<core::Event> out;
  out.reserve(d.events.size());
  for (auto& e : d.events) out.push_back(std::move(e.event));
  return out;
}

std::size_t line_count(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("same seed, same bytes; however the run is sliced and batched", "[sim][model]") {
  const SimConfig c = day_config(7);
  const std::string a = run_all(c, 1000);
  REQUIRE(line_count(a) > 1000);
  CHECK(run_all(c, 1000) == a);
  CHECK(run_all(c, 1) == a);
  // Paced runs advance simulated time in steps: the output must not change.
  std::string sliced;
  Batcher b(37, [&](std::string_view frame, std::size_t) { sliced.append(frame); });
  Simulator sim(c);
  for (core::Timestamp t = sim.start(); !sim.finished(); t += core::seconds(7)) {
    sim.run_until(t, b);
    CHECK(sim.next_time() > std::min(t, sim.end()));
  }
  b.flush();
  CHECK(sliced == a);
}

TEST_CASE("different seeds give different events and never share an id", "[sim][model]") {
  const std::string a = run_all(day_config(1));
  const std::string b = run_all(day_config(2));
  CHECK(a != b);
  const auto ea = decode_all(a, kNine + core::hours(2));
  const auto eb = decode_all(b, kNine + core::hours(2));
  std::set<std::string> ids;
  std::set<std::string> contacts;
  for (const auto& e : ea) {
    ids.insert(e.id);
    if (!e.contact.empty()) contacts.insert(e.contact);
  }
  for (const auto& e : eb) {
    CHECK(ids.count(e.id) == 0);
    if (!e.contact.empty()) CHECK(contacts.count(e.contact) == 0);
  }
}

TEST_CASE("a two-hour day decodes cleanly and uses every event type", "[sim][model]") {
  const SimConfig c = day_config(3);
  std::string all;
  Batcher b(1000, [&](std::string_view frame, std::size_t) { all.append(frame); });
  Simulator sim(c);
  sim.run(b);
  b.flush();
  CHECK(sim.finished());

  const core::Timestamp end = kNine + core::hours(2);
  const auto events = decode_all(all, end);
  CHECK(events.size() == line_count(all));
  CHECK(events.size() == sim.counts().events());

  std::set<EventType> types;
  std::set<std::string> ids;
  core::Timestamp last = kNine;
  for (const auto& e : events) {
    types.insert(e.type);
    CHECK(ids.insert(e.id).second);  // unique
    CHECK(e.time >= last);           // emitted in time order
    CHECK(e.time <= end);            // nothing past the horizon
    last = e.time;
  }
  for (int t = 0; t < core::kEventTypeCount; ++t) {
    // The simulator does not reopen cases (yet): case.reopened is the one
    // type it never emits.
    if (static_cast<EventType>(t) == EventType::kCaseReopened) continue;
    INFO(core::to_string(static_cast<EventType>(t)));
    CHECK(types.count(static_cast<EventType>(t)) == 1);
    CHECK(sim.counts().of_type(static_cast<EventType>(t)) > 0);
  }
}

TEST_CASE("contact and agent lifecycles are well formed; the counts recount", "[sim][model]") {
  for (std::uint64_t seed : {3u, 11u, 12345u}) {
    INFO("seed " << seed);
    SimConfig c = day_config(seed);
    if (seed == 11) c.queues = {"one", "two"};  // cases on queue index 1 only
    if (seed == 12345) c.rate = 0.7;            // a quiet day
    std::string all;
    Batcher b(1000, [&](std::string_view frame, std::size_t) { all.append(frame); });
    Simulator sim(c);
    sim.run(b);
    b.flush();
    const auto events = decode_all(all, kNine + core::hours(2));

    enum class S { kFront, kWaiting, kActive, kHeld, kTransferred, kAcw, kDone, kCallback };
    struct Contact {
      S state = S::kFront;
      std::string queue, channel, agent;
      core::Timestamp queued_at = 0;
    };
    std::map<std::string, Contact> contacts;
    std::map<std::string, AgentState> agents;
    std::map<std::pair<std::string, std::string>, SeriesCounts> recount;
    std::set<std::string> open_cases, escalated;
    auto series = [&](const Contact& k) -> SeriesCounts& { return recount[{k.queue, k.channel}]; };

    for (const auto& e : events) {
      INFO(e.id << " " << core::to_string(e.type) << " " << e.contact);
      const bool known = contacts.count(e.contact) == 1;
      Contact& k = contacts[e.contact];
      switch (e.type) {
        case EventType::kContactCreated:
          CHECK_FALSE(known);
          k.queue = e.queue;
          k.channel = e.channel;
          ++series(k).created;
          break;
        case EventType::kContactQueued:
          CHECK((!known || k.state == S::kFront || k.state == S::kTransferred ||
                 k.state == S::kCallback));
          REQUIRE_FALSE(e.queue.empty());
          k.queue = e.queue;
          k.channel = e.channel;
          k.state = S::kWaiting;
          k.queued_at = e.time;
          ++series(k).offered;
          break;
        case EventType::kContactAnswered:
          CHECK(k.state == S::kWaiting);
          CHECK(e.time >= k.queued_at);
          REQUIRE(agents.count(e.agent) == 1);
          CHECK(agents[e.agent] == AgentState::kAvailable);  // busy follows the answer
          k.agent = e.agent;
          k.state = S::kActive;
          ++series(k).answered;
          break;
        case EventType::kContactAbandoned:
          CHECK(k.state == S::kWaiting);
          ++series(k).abandoned;
          if (e.time - k.queued_at < core::seconds(5)) ++series(k).short_abandoned;
          k.state = S::kDone;
          break;
        case EventType::kContactOverflowed:
          CHECK(k.state == S::kWaiting);
          ++series(k).overflowed;
          k.state = e.reason == "callback" ? S::kCallback : S::kDone;
          break;
        case EventType::kContactHeld:
          CHECK(k.state == S::kActive);
          k.state = S::kHeld;
          break;
        case EventType::kContactResumed:
          CHECK(k.state == S::kHeld);
          k.state = S::kActive;
          break;
        case EventType::kContactTransferred:
          CHECK(k.state == S::kActive);
          CHECK(e.to_queue != k.queue);
          ++series(k).handled;
          k.state = S::kTransferred;
          break;
        case EventType::kContactEnded:
          CHECK(k.state == S::kActive);
          k.state = S::kAcw;
          break;
        case EventType::kContactWrapped:
          CHECK(k.state == S::kAcw);
          ++series(k).handled;
          k.state = S::kDone;
          break;
        case EventType::kContactSelfServed:
          CHECK(k.state == S::kFront);
          ++series(k).self_served;
          k.state = S::kDone;
          break;
        case EventType::kContactDeflected:
          CHECK(k.state == S::kFront);
          CHECK(k.channel == "voice");
          CHECK(e.to_channel == "messaging");
          ++series(k).deflected;
          k.state = S::kDone;
          break;
        case EventType::kContactSentiment:
          CHECK(k.state == S::kAcw);
          break;
        case EventType::kContactConverted:
          CHECK(k.state == S::kDone);
          REQUIRE(e.value);
          CHECK(*e.value >= 1.0);
          break;
        case EventType::kMessageReceived:
          CHECK(k.channel != "voice");
          break;
        case EventType::kMessageSent:
          CHECK(k.channel != "voice");
          // An agent only writes on a conversation it is handling.
          if (!e.automated) {
            CHECK(k.state == S::kActive);
            CHECK(e.agent == k.agent);
          }
          break;
        case EventType::kCaseOpened:
          CHECK(open_cases.insert(e.case_id).second);
          break;
        case EventType::kCaseEscalated:
          CHECK(open_cases.count(e.case_id) == 1);
          CHECK(escalated.insert(e.case_id).second);
          break;
        case EventType::kCaseResolved:
          CHECK(open_cases.erase(e.case_id) == 1);
          REQUIRE(e.contacts);
          CHECK(*e.contacts >= 1);
          CHECK(*e.contacts <= 3);
          break;
        case EventType::kCaseReopened:
          FAIL("the simulator does not reopen cases");
          break;
        case EventType::kSurveyAnswered:
          CHECK(known);  // about a contact of this run
          CHECK((e.csat || e.nps || e.ces));
          break;
        case EventType::kCustomerChurned:
          CHECK_FALSE(e.customer.empty());
          break;
        case EventType::kAgentState: {
          REQUIRE(e.state);
          const bool seen = agents.count(e.agent) == 1;
          const AgentState from = seen ? agents[e.agent] : AgentState::kOffline;
          const AgentState to = *e.state;
          CHECK(from != to);
          if (to == AgentState::kBusy) CHECK(from == AgentState::kAvailable);
          if (to == AgentState::kWrapUp) CHECK(from == AgentState::kBusy);
          if (to == AgentState::kAvailable) CHECK(from != AgentState::kAvailable);
          agents[e.agent] = to;
          break;
        }
      }
      if (!e.contact.empty() && e.type != EventType::kSurveyAnswered &&
          e.type != EventType::kContactCreated && e.type != EventType::kContactQueued) {
        CHECK(known);  // every contact starts with created or queued
      }
    }

    // The simulator's own counts agree with what it wrote.
    for (std::size_t q = 0; q < c.queues.size(); ++q) {
      for (int ch = 0; ch < kChannelCount; ++ch) {
        const SeriesCounts& s = sim.counts().at(q, static_cast<Channel>(ch));
        const SeriesCounts& r = recount[{c.queues[q], channel_name(static_cast<Channel>(ch))}];
        INFO(c.queues[q] << " " << channel_name(static_cast<Channel>(ch)));
        CHECK(s.created == r.created);
        CHECK(s.self_served == r.self_served);
        CHECK(s.deflected == r.deflected);
        CHECK(s.offered == r.offered);
        CHECK(s.answered == r.answered);
        CHECK(s.abandoned == r.abandoned);
        CHECK(s.short_abandoned == r.short_abandoned);
        CHECK(s.overflowed == r.overflowed);
        CHECK(s.handled == r.handled);
        // Nobody leaves a queue without having entered it.
        CHECK(r.answered + r.abandoned + r.overflowed <= r.offered);
      }
    }
  }
}

TEST_CASE("the arrival rate follows --rate and the time of day", "[sim][model]") {
  auto offered = [](double rate, core::Timestamp start) {
    SimConfig c = day_config(5);
    c.rate = rate;
    c.start = start;
    c.agents = 200;  // plenty: the queue never limits what arrives
    std::uint64_t n = 0;
    Batcher b(100000, [](std::string_view, std::size_t) {});
    Simulator sim(c);
    sim.run(b);
    b.flush();
    for (std::size_t q = 0; q < c.queues.size(); ++q) {
      for (int ch = 0; ch < kChannelCount; ++ch) {
        n += sim.counts().at(q, static_cast<Channel>(ch)).created +
             sim.counts().at(q, static_cast<Channel>(ch)).offered;
      }
    }
    return static_cast<double>(n);
  };
  const double base = offered(1.0, kNine);
  // Twice the rate: about twice the contacts (Poisson noise on thousands is a few %).
  CHECK(offered(2.0, kNine) / base == Approx(2.0).epsilon(0.15));
  // 09:00-11:00 UTC averages a curve of ~0.9, 01:00-03:00 about 0.085: about 10x less.
  const double night = offered(1.0, kNine - core::hours(8));
  CHECK(base / night > 6.0);
  CHECK(base / night < 16.0);
}

TEST_CASE("the steady center: M/M/N+M events, deterministic, counted", "[sim][steady]") {
  SimConfig c;
  c.start = core::seconds(1'800'000'000);
  c.duration = core::hours(2);
  c.agents = 2;
  c.queues = {"sales"};
  c.steady = SteadyModel{0.02, 100, 60};  // 2 erlangs on 2 agents: some wait, some abandon
  const auto run = [&] {
    Simulator sim(c);
    std::string all;
    Batcher b(100, [&](std::string_view frame, std::size_t) { all.append(frame); });
    sim.run(b);
    b.flush();
    return std::pair{all, sim.counts().at(0, Channel::kVoice)};
  };
  const auto [text, counts] = run();
  CHECK(run().first == text);  // same seed, same bytes
  // About 0.02 x 7200 = 144 arrivals; every one answered, abandoned or still waiting.
  CHECK(counts.offered > 100);
  CHECK(counts.offered < 200);
  CHECK(counts.abandoned > 0);
  CHECK(counts.answered + counts.abandoned <= counts.offered);
  CHECK(counts.offered - counts.answered - counts.abandoned <= 10);  // waiting at the end
  CHECK(text.find("\"type\":\"contact.queued\"") != std::string::npos);
  CHECK(text.find("\"type\":\"contact.overflowed\"") == std::string::npos);
  CHECK(text.find("\"channel\":\"chat\"") == std::string::npos);
}
