// The simulator's calls written as a queue_log: exact lines for a hand-made
// call, and a simulated day mapped back by the queue_log adapter
// (core/adapters) gives the same voice offers and outcomes as the events.
#include "tools/sim/queue_log_writer.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <tuple>

#include "core/adapters/asterisk_queue_log.hpp"
#include "core/codec/codec.hpp"
#include "tools/sim/simulator.hpp"

using namespace ccmon::sim;
namespace core = ccmon::core;

TEST_CASE("a call and an agent's day as queue_log lines", "[sim][queue_log]") {
  const std::string ndjson =
      R"({"id":"s-1","type":"agent.state","time":"2026-03-02T09:00:00.000Z","agent":"a1","state":"available"}
{"id":"s-2","type":"contact.created","time":"2026-03-02T09:00:01.000Z","contact":"s-c1","channel":"voice"}
{"id":"s-3","type":"contact.queued","time":"2026-03-02T09:00:01.500Z","contact":"s-c1","channel":"voice","queue":"sales"}
{"id":"s-4","type":"contact.queued","time":"2026-03-02T09:00:02.000Z","contact":"s-c2","channel":"chat","queue":"sales"}
{"id":"s-5","type":"contact.answered","time":"2026-03-02T09:00:13.500Z","contact":"s-c1","agent":"a1","queue":"sales"}
{"id":"s-6","type":"agent.state","time":"2026-03-02T09:00:13.500Z","agent":"a1","state":"busy"}
{"id":"s-7","type":"contact.ended","time":"2026-03-02T09:01:53.500Z","contact":"s-c1"}
{"id":"s-8","type":"agent.state","time":"2026-03-02T09:02:00.000Z","agent":"a1","state":"available"}
{"id":"s-9","type":"agent.state","time":"2026-03-02T09:30:00.000Z","agent":"a1","state":"away","reason":"lunch"}
{"id":"s-10","type":"agent.state","time":"2026-03-02T10:00:00.000Z","agent":"a1","state":"available"}
{"id":"s-11","type":"agent.state","time":"2026-03-02T17:00:00.000Z","agent":"a1","state":"offline"}
)";
  QueueLogWriter w;
  std::string out;
  CHECK(w.convert(ndjson, out) == 7);
  // 2026-03-02T09:00:00Z = 1772442000 s. Waits and talk by hand: 12 s, 100 s.
  CHECK(out ==
        "1772442000.000|NONE|NONE|Agent/a1|AGENTLOGIN|Local/a1@agents\n"
        "1772442001.500|s-c1|sales|NONE|ENTERQUEUE||CALLER|1\n"
        "1772442013.500|s-c1|sales|Agent/a1|CONNECT|12|s-c1.b|0\n"
        "1772442113.500|s-c1|sales|Agent/a1|COMPLETECALLER|12|100|1\n"
        "1772443800.000|NONE|NONE|Agent/a1|PAUSEALL|lunch\n"
        "1772445600.000|NONE|NONE|Agent/a1|UNPAUSEALL|\n"
        "1772470800.000|NONE|NONE|Agent/a1|AGENTLOGOFF|Local/a1@agents|0\n"
        // (the line count above is 7: the busy and after-call available
        // states are the adapter's to derive)
        "");
}

TEST_CASE("a simulated day through queue_log keeps every voice offer and outcome",
          "[sim][queue_log]") {
  SimConfig c;
  c.seed = 7;
  c.start = 1'772'442'000LL * 1'000'000;
  c.duration = core::hours(2);
  c.agents = 10;
  c.rate = 2.0;  // overloaded: abandons, voicemail and callback overflows happen
  std::string ndjson;
  std::string log;
  QueueLogWriter w;
  Batcher b(700, [&](std::string_view frame, std::size_t) {
    ndjson.append(frame);
    w.convert(frame, log);  // in batches, as ccmon-sim does
  });
  Simulator sim(c);
  sim.run(b);
  b.flush();

  // What the simulator said, voice only: (type, contact) -> count.
  core::Decoder decoder;
  const auto direct = decoder.decode(ndjson, core::BodyFormat::kNdjson, c.start + core::hours(3));
  REQUIRE(direct.rejected == 0);
  std::map<std::string, std::string> channel_of;
  std::map<std::tuple<core::EventType, std::string, core::Timestamp>, int> want;
  for (const auto& ie : direct.events) {
    const auto& e = ie.event;
    if (e.type == core::EventType::kContactQueued) channel_of[e.contact] = e.channel;
    if (channel_of[e.contact] != "voice") continue;
    if (e.type == core::EventType::kContactQueued || e.type == core::EventType::kContactAnswered ||
        e.type == core::EventType::kContactAbandoned ||
        e.type == core::EventType::kContactOverflowed ||
        e.type == core::EventType::kContactTransferred) {
      ++want[{e.type, "sim:" + e.contact, e.time / 1000}];  // the log keeps milliseconds
    }
  }
  REQUIRE(want.size() > 100);
  std::size_t overflows = 0;
  for (const auto& [k, n] : want)
    overflows += std::get<0>(k) == core::EventType::kContactOverflowed;
  REQUIRE(overflows >= 2);

  core::adapters::QueueLogOptions options;
  options.source = "sim";
  core::adapters::QueueLogState state;
  const auto mapped = core::adapters::map_queue_log(log, options, state);
  for (const auto& is : mapped.issues) INFO(is.record << ": " << is.code << ": " << is.message);
  CHECK(mapped.count(core::adapters::RecordOutcome::kRejected) == 0);
  CHECK(mapped.count(core::adapters::RecordOutcome::kUnknown) == 0);
  std::map<std::tuple<core::EventType, std::string, core::Timestamp>, int> got;
  for (const auto& e : mapped.events) {
    if (e.type == core::EventType::kContactQueued || e.type == core::EventType::kContactAnswered ||
        e.type == core::EventType::kContactAbandoned ||
        e.type == core::EventType::kContactOverflowed ||
        e.type == core::EventType::kContactTransferred) {
      ++got[{e.type, e.contact, e.time / 1000}];
    }
  }
  CHECK(got == want);
}
