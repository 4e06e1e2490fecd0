// The simulator's contacts as Amazon Connect contact events, mapped back by
// the Connect adapter (core/adapters): the same offers and outcomes per
// queue and channel, at the same times.
#include "tools/sim/connect_writer.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <tuple>

#include "core/adapters/amazon_connect.hpp"
#include "core/codec/codec.hpp"
#include "tools/sim/simulator.hpp"

using namespace ccmon::sim;
namespace core = ccmon::core;

namespace {

using Key = std::tuple<core::EventType, std::string, std::string, core::Timestamp>;

bool counted(core::EventType t) {
  return t == core::EventType::kContactQueued || t == core::EventType::kContactAnswered ||
         t == core::EventType::kContactAbandoned || t == core::EventType::kContactOverflowed ||
         t == core::EventType::kContactTransferred;
}

}  // namespace

TEST_CASE("a simulated day through Connect contact events keeps offers and outcomes",
          "[sim][connect]") {
  SimConfig c;
  c.seed = 7;
  c.start = 1'772'442'000LL * 1'000'000;
  c.duration = core::hours(2);
  c.agents = 10;
  c.rate = 2.0;  // overloaded: abandons, voicemail and callbacks happen
  std::string ndjson;
  std::string lines;
  ConnectWriter w;
  Batcher b(700, [&](std::string_view frame, std::size_t) {
    ndjson.append(frame);
    w.convert(frame, lines);
  });
  Simulator sim(c);
  sim.run(b);
  b.flush();

  core::Decoder decoder;
  const auto direct = decoder.decode(ndjson, core::BodyFormat::kNdjson, c.start + core::hours(3));
  REQUIRE(direct.rejected == 0);
  std::map<std::string, std::string> channel_of;
  std::map<std::string, std::string> queue_of;
  std::map<Key, int> want;
  std::size_t transfers = 0;
  std::size_t overflows = 0;
  for (const auto& ie : direct.events) {
    const auto& e = ie.event;
    if (e.type == core::EventType::kContactCreated) channel_of[e.contact] = e.channel;
    if (e.type == core::EventType::kContactQueued) {
      queue_of[e.contact] = e.queue;
      channel_of[e.contact] = e.channel;  // emails are queued without contact.created
    }
    const std::string& ch = channel_of[e.contact];
    if (ch != "voice" && ch != "chat" && ch != "email") continue;
    if (!counted(e.type)) continue;
    transfers += e.type == core::EventType::kContactTransferred;
    overflows += e.type == core::EventType::kContactOverflowed;
    // Transfers count in the queue the contact left, the others in its queue.
    ++want[{e.type, queue_of[e.contact], ch, e.time / 1000}];
  }
  REQUIRE(want.size() > 100);
  REQUIRE(transfers >= 1);
  REQUIRE(overflows >= 2);

  // As one JSON array body, the way the endpoint takes it.
  std::string body = "[";
  for (std::size_t at = 0; at < lines.size();) {
    const std::size_t nl = lines.find('\n', at);
    if (body.size() > 1) body += ',';
    body.append(lines, at, nl - at);
    at = nl + 1;
  }
  body += ']';
  core::adapters::ConnectOptions options;
  options.source = "sim";
  options.max_body_bytes = body.size();
  const auto mapped = core::adapters::map_connect_contact_events(body, options);
  for (const auto& is : mapped.issues) INFO(is.record << ": " << is.code << ": " << is.message);
  CHECK(mapped.count(core::adapters::RecordOutcome::kRejected) == 0);
  CHECK(mapped.count(core::adapters::RecordOutcome::kUnknown) == 0);
  std::map<std::string, std::string> mapped_channel;
  std::map<std::string, std::string> mapped_queue;
  std::map<Key, int> got;
  for (const auto& e : mapped.events) {
    if (!e.channel.empty()) mapped_channel[e.contact] = e.channel;
    if (!e.queue.empty()) mapped_queue[e.contact] = e.queue;
    if (!counted(e.type)) continue;
    ++got[{e.type, mapped_queue[e.contact], mapped_channel[e.contact], e.time / 1000}];
  }
  CHECK(got == want);
}
