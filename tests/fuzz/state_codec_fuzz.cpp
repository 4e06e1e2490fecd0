// libFuzzer target: bytes -> persist::decode_state (core/persist, the state
// images the daemon keeps in its state directory, docs/state-format.md), or
// persist::decode_sharded_state into 3 engine shards for bytes that start
// like a sharded container ("CCMONSH"). A refused image throws FormatError
// with a message and changes nothing; an accepted one is canonical (it
// encodes back to the same bytes; a sharded one or an older image is
// rewritten in a form that does) and the restored engine, memory and SLA
// evaluator take events, ticks, snapshots and evaluations. Seeds:
// ccmon_state_fixture (tests/core/persist).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/sharded_engine.hpp"
#include "core/engine/snapshot.hpp"
#include "core/persist/sharded_state_codec.hpp"
#include "core/persist/state_codec.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace ccmon::core;

namespace {

// A few events over the names the seeds use, then a day later. `E`: Engine
// or ShardedEngine.
template <typename E>
void use(E& engine, Deduplicator& dedup, SlaEvaluator& sla) {
  const Timestamp t0 = seconds(1'800'000'100);
  const EventType types[] = {EventType::kContactQueued,  EventType::kContactAnswered,
                             EventType::kContactEnded,   EventType::kAgentState,
                             EventType::kCaseResolved,   EventType::kContactAbandoned,
                             EventType::kContactWrapped, EventType::kMessageSent};
  int i = 0;
  for (EventType type : types) {
    Event e;
    e.type = type;
    e.time = t0 + seconds(i);
    e.id = "fuzz";
    e.id.append(std::to_string(i));
    e.contact = i % 2 == 0 ? "c1" : "c2";
    e.queue = "q1";
    e.channel = "voice";
    e.agent = "a1";
    e.team = "t1";
    e.case_id = "k1";
    e.contacts = 1;
    e.state = AgentState::kAvailable;
    if (dedup.insert(e.id, e.time)) engine.apply(e);
    ++i;
  }
  for (const Timestamp now : {t0 + seconds(60), t0 + hours(30)}) {
    engine.advance(now);
    dedup.expire(now);
    sla.evaluate(*engine.snapshot(now), now);
  }
}

// A sharded container: decoded into 3 shards.
int fuzz_sharded(std::string_view bytes) {
  constexpr std::uint32_t kShards = 3;
  ShardedEngine engine(EngineConfig{}, kShards);
  Deduplicator dedup;
  SlaEvaluator sla({});
  const std::string fresh = persist::encode_sharded_state(engine, dedup, sla, "");
  std::string extra;
  try {
    extra = persist::decode_sharded_state(bytes, engine, dedup, sla);
  } catch (const persist::ShardCountError& e) {
    CCMON_FUZZ_CHECK(e.configured == kShards && e.written != kShards);
    CCMON_FUZZ_CHECK(persist::encode_sharded_state(engine, dedup, sla, "") == fresh);
    return 0;
  } catch (const persist::FormatError& e) {
    const std::string_view what(e.what());
    CCMON_FUZZ_CHECK(what.rfind("sharded state: ", 0) == 0 || what.rfind("state image: ", 0) == 0);
    CCMON_FUZZ_CHECK(persist::encode_sharded_state(engine, dedup, sla, "") == fresh);
    return 0;
  }
  // Written again (the current container, each shard's image in the current
  // version), it reads back to the same bytes.
  const std::string again = persist::encode_sharded_state(engine, dedup, sla, extra);
  ShardedEngine engine2(EngineConfig{}, kShards);
  Deduplicator dedup2;
  SlaEvaluator sla2({});
  CCMON_FUZZ_CHECK(persist::decode_sharded_state(again, engine2, dedup2, sla2) == extra);
  CCMON_FUZZ_CHECK(persist::encode_sharded_state(engine2, dedup2, sla2, extra) == again);
  use(engine, dedup, sla);
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.rfind("CCMONSH", 0) == 0) return fuzz_sharded(bytes);
  Engine engine(EngineConfig{});
  Deduplicator dedup;
  SlaEvaluator sla({});
  const std::string fresh = persist::encode_state(engine, dedup, sla, "");
  std::string extra;
  try {
    extra = persist::decode_state(bytes, engine, dedup, sla);
  } catch (const persist::FormatError& e) {
    CCMON_FUZZ_CHECK(std::string_view(e.what()).rfind("state image: ", 0) == 0);
    CCMON_FUZZ_CHECK(persist::encode_state(engine, dedup, sla, "") == fresh);  // untouched
    return 0;
  }
  const std::string again = persist::encode_state(engine, dedup, sla, extra);
  // The version follows the 8-byte magic (u32, little-endian).
  std::uint32_t version = 0;
  for (int i = 0; i < 4; ++i) version |= std::uint32_t{data[8 + i]} << (8 * i);
  if (version == persist::kStateFormatVersion) {
    CCMON_FUZZ_CHECK(again == bytes);
  } else {
    // An older image is rewritten in the current format, which round-trips.
    Engine engine2(EngineConfig{});
    Deduplicator dedup2;
    SlaEvaluator sla2({});
    CCMON_FUZZ_CHECK(persist::decode_state(again, engine2, dedup2, sla2) == extra);
    CCMON_FUZZ_CHECK(persist::encode_state(engine2, dedup2, sla2, extra) == again);
  }
  use(engine, dedup, sla);
  return 0;
}
