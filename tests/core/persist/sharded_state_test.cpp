// The sharded engine's state image (core/persist/sharded_state_codec.hpp):
// read back whole, routes included; one shard is the plain image; another
// shard count or a damaged image changes nothing.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/engine/shard_of.hpp"
#include "core/engine/snapshot.hpp"
#include "core/persist/sharded_state_codec.hpp"

using namespace ccmon::core;
using namespace ccmon::core::persist;

namespace {

constexpr Timestamp kT0 = seconds(1'800'000'000);

Event event(EventType type, double s, std::string contact) {
  Event e;
  e.type = type;
  e.time = kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
  e.contact = std::move(contact);
  return e;
}

// Part one: 40 contacts queued on 8 queues, agents available, the first
// half answered. Part two names no queue: answers and ends, which only
// reach the right shard if the router knows where each contact lives.
std::vector<Event> part_one() {
  std::vector<Event> out;
  for (int a = 0; a < 4; ++a) {
    Event e = event(EventType::kAgentState, 0, "");
    e.agent = 'a' + std::to_string(a);
    e.team = a < 2 ? "north" : "south";
    e.state = AgentState::kAvailable;
    out.push_back(e);
  }
  for (int i = 0; i < 40; ++i) {
    Event e = event(EventType::kContactQueued, 1 + i, 'c' + std::to_string(i));
    e.queue = 'q' + std::to_string(i % 8);
    e.channel = "voice";
    out.push_back(e);
  }
  for (int i = 0; i < 20; ++i) {
    Event e = event(EventType::kContactAnswered, 50 + i, 'c' + std::to_string(i));
    e.agent = 'a' + std::to_string(i % 4);
    out.push_back(e);
  }
  return out;
}

std::vector<Event> part_two() {
  std::vector<Event> out;
  for (int i = 0; i < 20; ++i)
    out.push_back(event(EventType::kContactEnded, 100 + i, 'c' + std::to_string(i)));
  for (int i = 20; i < 40; ++i) {
    Event e = event(EventType::kContactAnswered, 130 + i, 'c' + std::to_string(i));
    e.agent = 'a' + std::to_string(i % 4);
    out.push_back(e);
  }
  return out;
}

void feed(ShardedEngine& e, const std::vector<Event>& events) {
  std::vector<const Event*> ptrs;
  for (const Event& x : events) ptrs.push_back(&x);
  e.apply(ptrs);
}

// Every series and team KPI, live value and counter of a snapshot, as text.
std::string digest(const Snapshot& s) {
  std::ostringstream out;
  for (const auto& x : s.series) {
    out << x.queue << '/' << x.channel << ':' << x.offered_total << ',' << x.answered_total << ','
        << x.handled_total;
    for (double v : x.live) out << ',' << v;
    for (const auto& w : x.windows) {
      for (const auto& k : w.kpis) out << ',' << k.value.value_or(-1) << '/' << k.volume;
    }
    out << '\n';
  }
  for (const auto& t : s.teams) {
    out << t.team;
    for (const auto& w : t.windows) {
      for (const auto& k : w) out << ',' << k.value.value_or(-1) << '/' << k.volume;
    }
    out << '\n';
  }
  return out.str();
}

EngineConfig config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}};
  return c;
}

// The container's bytes before the first shard's length
// (docs/state-format.md, "Shards"): magic, count, placement kind, the
// number of queues placed and each one's length and name.
std::size_t header_size(const ShardedEngine& e) {
  std::size_t n = 8 + 4 + 1 + 4;
  for (const std::string& q : e.queues().order()) n += 4 + q.size();
  return n;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}

}  // namespace

TEST_CASE("a sharded state reads back whole, where each contact lives included",
          "[persist][shard]") {
  ShardedEngine original(config(), 3);
  feed(original, part_one());
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "x");
  REQUIRE(shard_count_of(image) == 3);

  EngineConfig other;
  other.windows = {{"15m", minutes(15)}};
  ShardedEngine copy(other, 3);
  Deduplicator dedup;
  SlaEvaluator sla({});
  REQUIRE(decode_sharded_state(image, copy, dedup, sla) == "x");
  REQUIRE(copy.config().windows.size() == 1);
  REQUIRE(copy.config().windows[0].name == "5m");  // the image's configuration

  feed(original, part_two());
  feed(copy, part_two());
  const Timestamp end = kT0 + seconds(200);
  const auto a = original.snapshot(end);
  const auto b = copy.snapshot(end);
  REQUIRE(digest(*b) == digest(*a));
  // By hand: every contact was answered, 20 of them ended (handled once
  // their after-contact work ends: not yet), none left out of sequence.
  std::uint64_t answered = 0;
  for (const auto& s : b->series) answered += s.answered_total;
  REQUIRE(answered == 40);
  REQUIRE(b->stats.out_of_sequence_total == 0);
}

TEST_CASE("one shard writes the plain state image", "[persist][shard]") {
  ShardedEngine one(config(), 1);
  feed(one, part_one());
  const Deduplicator dedup;
  const SlaEvaluator sla({});
  REQUIRE(encode_sharded_state(one, dedup, sla, "x") ==
          encode_state(one.shard(0), dedup, sla, "x"));
  REQUIRE(shard_count_of(encode_state(one.shard(0), dedup, sla, "x")) == 1);
}

TEST_CASE("another shard count or a damaged image changes nothing", "[persist][shard]") {
  ShardedEngine original(config(), 3);
  feed(original, part_one());
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");

  ShardedEngine two(config(), 2);
  feed(two, part_two());  // some state of its own
  const Timestamp end = kT0 + seconds(200);
  const std::string before = digest(*two.snapshot(end));
  Deduplicator dedup;
  SlaEvaluator sla({});
  try {
    decode_sharded_state(image, two, dedup, sla);
    FAIL("decoded a 3-shard image into 2 shards");
  } catch (const ShardCountError& e) {
    REQUIRE(e.written == 3);
    REQUIRE(e.configured == 2);
    REQUIRE_THAT(e.what(), Catch::Contains("written by 3 engine shard(s) and state.shards is 2"));
  }
  REQUIRE(digest(*two.snapshot(end)) == before);

  ShardedEngine three(config(), 3);
  feed(three, part_two());
  const std::string before3 = digest(*three.snapshot(end));
  Deduplicator ids;
  ids.insert("e1", end);  // the memory must be left as it was too
  for (std::size_t cut : {std::size_t{10}, image.size() / 2, image.size() - 1}) {
    INFO("cut at " << cut);
    REQUIRE_THROWS_AS(decode_sharded_state(image.substr(0, cut), three, ids, sla), FormatError);
    REQUIRE(digest(*three.snapshot(end)) == before3);
    REQUIRE(ids.contains("e1", end));
  }
  // The last shard's image damaged inside, its frame intact: the first two
  // decode, then the third throws, and still nothing changed.
  std::string damaged = image;
  damaged.pop_back();  // the last image loses its last byte ...
  std::string_view rest(damaged);
  std::size_t at = header_size(original);
  rest.remove_prefix(at);
  for (int i = 0; i < 2; ++i) {  // ... skip the first two images ...
    std::uint64_t n = 0;
    for (int b = 0; b < 8; ++b) n |= std::uint64_t{static_cast<unsigned char>(rest[b])} << (8 * b);
    rest.remove_prefix(8 + n);
    at += 8 + n;
  }
  std::uint64_t last = 0;  // ... and its length says so
  for (int b = 0; b < 8; ++b) last |= std::uint64_t{static_cast<unsigned char>(rest[b])} << (8 * b);
  --last;
  for (int b = 0; b < 8; ++b) damaged[at + b] = static_cast<char>((last >> (8 * b)) & 0xff);
  REQUIRE_THROWS_AS(decode_sharded_state(damaged, three, ids, sla), FormatError);
  REQUIRE(digest(*three.snapshot(end)) == before3);
  REQUIRE(ids.contains("e1", end));
  REQUIRE_THROWS_WITH(decode_sharded_state(image + "z", three, dedup, sla),
                      Catch::Contains("trailing bytes"));
}

TEST_CASE("an answer held before its queueing still finds its contact after a restore",
          "[persist][shard]") {
  // One engine: the answer waits for its queueing (unordered delivery); a
  // snapshot is taken meanwhile; the queueing comes after the restore.
  ShardedEngine original(config(), 3);
  const Event answered = [] {
    Event e = event(EventType::kContactAnswered, 12, "late");
    e.agent = "a1";
    return e;
  }();
  REQUIRE(original.apply(answered) == ApplyResult::kHeld);
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");
  ShardedEngine copy(config(), 3);
  Deduplicator dedup;
  SlaEvaluator sla({});
  decode_sharded_state(image, copy, dedup, sla);
  // A queue whose shard is not the unknown queue's, so the answer must move.
  std::string queue;
  const std::uint32_t unknown = copy.shard_of_queue("");
  for (int i = 0; queue.empty(); ++i) {
    const std::string q = 'q' + std::to_string(i);
    if (copy.shard_of_queue(q) != unknown) queue = q;
  }
  Event queued = event(EventType::kContactQueued, 0, "late");
  queued.queue = queue;
  queued.channel = "voice";
  REQUIRE(copy.apply(queued) == ApplyResult::kApplied);
  const auto s = copy.snapshot(kT0 + seconds(20));
  // By hand: answered after 12 s in that queue, nothing held or out of sequence.
  std::uint64_t answered_total = 0;
  for (const auto& x : s->series) {
    if (x.queue == queue) answered_total += x.answered_total;
  }
  REQUIRE(answered_total == 1);
  REQUIRE(s->stats.held_events == 0);
  REQUIRE(s->stats.out_of_sequence_total == 0);
}

TEST_CASE("a contact transferred at the snapshot is found in its new queue after a restore",
          "[persist][shard]") {
  // Two queues in different shards.
  ShardedEngine original(config(), 2);
  std::string qa = "q0", qb;
  const std::uint32_t at = original.shard_of_queue(qa);  // placed first
  for (int i = 1; qb.empty(); ++i) {
    const std::string q = 'q' + std::to_string(i);
    if (original.shard_of_queue(q) != at) qb = q;
  }
  Event queued = event(EventType::kContactQueued, 0, "x");
  queued.queue = qa;
  queued.channel = "voice";
  Event answered = event(EventType::kContactAnswered, 10, "x");
  answered.agent = "a1";
  Event transferred = event(EventType::kContactTransferred, 30, "x");
  transferred.to_queue = qb;
  Event requeued = event(EventType::kContactQueued, 30, "x");  // the same instant
  requeued.queue = qb;
  requeued.channel = "voice";
  feed(original, {queued, answered, transferred, requeued});
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");
  ShardedEngine copy(config(), 2);
  Deduplicator dedup;
  SlaEvaluator sla({});
  decode_sharded_state(image, copy, dedup, sla);
  Event again = event(EventType::kContactAnswered, 42, "x");
  again.agent = "a2";
  REQUIRE(copy.apply(again) == ApplyResult::kApplied);
  const auto s = copy.snapshot(kT0 + seconds(50));
  // By hand: answered in qb after 12 s of waiting there; nothing waits.
  for (const auto& x : s->series) {
    if (x.queue == qb) REQUIRE(x.answered_total == 1);
    REQUIRE(x.live[static_cast<std::size_t>(LiveKpi::kContactsWaiting)] == 0);
  }
  REQUIRE(s->stats.out_of_sequence_total == 0);
}

TEST_CASE("the queues' placement survives a restore", "[persist][shard]") {
  ShardedEngine original(config(), 3);
  feed(original, part_one());
  // Queued first in the order q0..q7, after "": q0 on shard 1, q1 on 2, q2 on 0 ...
  const std::vector<std::string> order = {"", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7"};
  REQUIRE(original.queues().order() == order);
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");
  ShardedEngine copy(config(), 3, HashKey{{4, 2}});  // another process's key
  Deduplicator dedup;
  SlaEvaluator sla({});
  decode_sharded_state(image, copy, dedup, sla);
  REQUIRE(copy.queues().order() == order);
  REQUIRE_FALSE(copy.queues().hashed());
  // Each queue's series are in the shard the restored placement names.
  for (std::uint32_t k = 0; k < 3; ++k) {
    for (const auto& x : copy.shard(k).snapshot(kT0 + seconds(60))->series) {
      INFO(x.queue);
      REQUIRE(copy.shard_of_queue(x.queue) == k);
    }
  }
  // A new queue goes on where the writer would have placed it (the 9th: 9 % 3).
  REQUIRE(copy.shard_of_queue("new") == 0);
  REQUIRE(original.shard_of_queue("new") == 0);
  // Canonical: read back, written again, the same bytes.
  ShardedEngine again(config(), 3);
  decode_sharded_state(image, again, dedup, sla);
  REQUIRE(encode_sharded_state(again, dedup, sla, "") == image);
}

TEST_CASE("a container from before placements were kept keeps hashing queues", "[persist][shard]") {
  // An engine whose queues were placed as before, by the hash of the name,
  // in the old container: magic CCMONSHD and the count, then the shards'
  // images at once, as the encoder before placements wrote them.
  ShardedEngine original(config(), 3);
  original.restore_queues(QueuePlacement::hashed(3, original.hash_key()));
  feed(original, part_one());
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");
  const std::string old = "CCMONSHD" + image.substr(8, 4) + image.substr(header_size(original));
  REQUIRE(shard_count_of(old) == 3);
  // The hash puts q0..q7 elsewhere than the order would (the i-th after ""
  // on shard i % 3), so reading them in order would split their series.
  std::vector<std::uint32_t> hashed, in_order;
  for (std::uint32_t i = 0; i < 8; ++i) {
    hashed.push_back(shard_of('q' + std::to_string(i), 3));
    in_order.push_back((i + 1) % 3);
  }
  REQUIRE(hashed != in_order);
  ShardedEngine copy(config(), 3);
  Deduplicator dedup;
  SlaEvaluator sla({});
  decode_sharded_state(old, copy, dedup, sla);
  REQUIRE(copy.queues().hashed());
  for (std::uint32_t k = 0; k < 3; ++k) {
    for (const auto& x : copy.shard(k).snapshot(kT0 + seconds(60))->series) {
      INFO(x.queue);
      REQUIRE(copy.shard_of_queue(x.queue) == k);
    }
  }
  for (const char* q : {"", "sales", "support"}) {
    INFO(q);
    REQUIRE(copy.shard_of_queue(q) == shard_of(q, 3));
  }
  REQUIRE(copy.queues().order().empty());  // nothing kept
  // The day goes on as in the engine that wrote it.
  feed(original, part_two());
  feed(copy, part_two());
  const Timestamp end = kT0 + seconds(200);
  REQUIRE(digest(*copy.snapshot(end)) == digest(*original.snapshot(end)));
  // Written again in the current container, still hashed once read back.
  const std::string rewritten = encode_sharded_state(copy, dedup, sla, "");
  REQUIRE(rewritten.substr(0, 8) == "CCMONSH2");
  ShardedEngine back(config(), 3);
  decode_sharded_state(rewritten, back, dedup, sla);
  REQUIRE(back.queues().hashed());
}

TEST_CASE("a damaged placement is refused and changes nothing", "[persist][shard]") {
  ShardedEngine original(config(), 2);
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");
  const std::string shards = image.substr(header_size(original));
  // A container with the given placement section.
  auto with = [&](std::uint8_t kind, const std::vector<std::string>& names, std::uint32_t count) {
    std::string out = image.substr(0, 12);
    out.push_back(static_cast<char>(kind));
    put_u32(out, count);
    for (const std::string& q : names) {
      put_u32(out, static_cast<std::uint32_t>(q.size()));
      out += q;
    }
    return out + shards;
  };
  ShardedEngine target(config(), 2);
  feed(target, part_one());
  const Timestamp end = kT0 + seconds(200);
  const std::string before = digest(*target.snapshot(end));
  const std::vector<std::string> placed_before = target.queues().order();
  Deduplicator dedup;
  SlaEvaluator sla({});
  // One name more than ccmon keeps, with the bytes for all of them.
  std::vector<std::string> over_bound = {""};
  for (std::size_t i = 1; i <= QueuePlacement::kMaxPlaced; ++i)
    over_bound.push_back('n' + std::to_string(i));
  const std::pair<std::string, const char*> damaged[] = {
      {with(2, {}, 0), "unknown queue placement kind"},
      {with(1, {"", "a"}, 2), "queues listed with hashed placement"},
      {with(0, {"a", ""}, 2), "\"\" is not placed first"},
      {with(0, {}, 0), "\"\" is not placed first"},
      {with(0, {"", "a", "b", "a"}, 4), "a queue placed twice"},
      {with(0, {"", "a"}, 1'000'000), "more placed queues than the image holds"},
      {with(0, over_bound, QueuePlacement::kMaxPlaced + 1),
       "more placed queues than the image holds"},
      {with(0, {"", "a"}, 2).substr(0, 12 + 1 + 4 + 4 + 4), "truncated queue name"},
  };
  for (const auto& [bytes, problem] : damaged) {
    INFO(problem);
    REQUIRE_THROWS_WITH(decode_sharded_state(bytes, target, dedup, sla), Catch::Contains(problem));
    REQUIRE(digest(*target.snapshot(end)) == before);
    REQUIRE(target.queues().order() == placed_before);
  }
  // A sound one reads: "" on 0, a on 1, b on 0; the next new queue on 1.
  decode_sharded_state(with(0, {"", "a", "b"}, 3), target, dedup, sla);
  REQUIRE(target.queues().order() == std::vector<std::string>{"", "a", "b"});
  REQUIRE(target.shard_of_queue("b") == 0);
  REQUIRE(target.shard_of_queue("c") == 1);
}
