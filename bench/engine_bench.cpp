// Engine throughput, memory per tracked contact and snapshot cost.
//
// Generates a realistic stream in memory first (100 queues x 3 channels,
// 5,000 agents in 50 teams, contacts with their lifecycle, messages,
// surveys and agent state changes), then times Engine::apply over it.
//   ccmon_engine_bench [contacts=200000] [apply]
//
// With --file, an NDJSON file instead (the large center's day of
// docs/benchmarks.md, agent states included): decoded first, then applied in
// batches of --batch (default 5,000, the peer benchmark's bodies) with a
// snapshot every --snapshot-every batches (default 20) at the latest event
// time (event-clock mode; a snapshot completes the writes the engine
// defers, so how often one comes changes the apply's work: the daemon's
// once-a-second tick comes about every 1,300 batches of 500 at row 2b's
// rate in docs/benchmarks.md);
// prints the CPU time of the applies, the slowest batch's CPU time, and a
// checksum of every snapshot's series and team KPIs, so that two builds can
// be compared for equal results.
// --connections N approximates the order a daemon receives the events in
// from ccmon_ingest_load's N connections: each event on the connection of
// its contact (else agent, else event id), frames of --batch events taken
// from each connection strictly in turn (the daemon takes them as they
// arrive, up to 64 in flight per connection; docs/benchmarks.md, "Analysis
// of the misses").
// --engine-thread adds what the daemon's engine thread does beside each
// apply: the ids hashed ahead (as the io threads do, not timed), the
// duplicate-id memory before each apply and the forecast's answer memory
// after it, each timed on its own, and their sum with the applies (class
// EngineThread below; the runner's own work per batch and its ticks are
// not in it).
//   ccmon_engine_bench --file F [--batch 5000] [--connections 1] [--snapshot-every 20]
//                      [--engine-thread]
//
// With --shards, the shard scaling of the sharded engine
// (core/engine/sharded_engine.hpp) for 1..N shards over the generated
// stream, or a file's events after --file: their ids hashed first (as the
// daemon's io threads do), the router partitions the events on the main
// thread, then each shard applies its own on a thread of its own, in
// batches of 500. Prints each thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
// the wall time and the merged snapshot's cost, so the scaling shows on a
// machine with fewer cores than shards too.
//   ccmon_engine_bench --shards N [--file F]
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "bench/event_file.hpp"
#include "core/codec/codec.hpp"
#include "core/dedup/deduplicator.hpp"
#include "core/dedup/prefetched_batch.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/hashed_ids.hpp"
#include "core/engine/sharded_engine.hpp"
#include "core/engine/snapshot.hpp"
#include "core/prediction/recent_answerers.hpp"
#include "server/huge_page_heap.hpp"
#include "store/fork_excluded_memory.hpp"

using namespace ccmon::core;

namespace {

// Deterministic generator (no wall-clock seed): runs are comparable.
struct Rng {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
};

// Process CPU time: the machine is shared, wall time would count others' work.
double cpu_s() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// This thread's CPU time: a shard's share when shards run on threads.
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long rss_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096;
}

// prefix + number, built by appending (GCC 12 -O3 warns falsely on
// operator+ with a literal: -Wrestrict).
std::string name(const char* prefix, long long i) {
  std::string s(prefix);
  s.append(std::to_string(i));
  return s;
}

std::string uuid_like(Rng& r) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(r.next() & 0xffffffffull),
                static_cast<unsigned long long>(r.next() & 0xffff),
                static_cast<unsigned long long>(r.next() & 0xffff),
                static_cast<unsigned long long>(r.next() & 0xffff),
                static_cast<unsigned long long>(r.next() & 0xffffffffffffull));
  return buf;
}

const char* kChannels[] = {"voice", "chat", "email"};
const Timestamp kStart = seconds(1'800'000'000);

std::vector<Event> generate(int contacts) {
  Rng r;
  std::vector<Event> out;
  out.reserve(static_cast<std::size_t>(contacts) * 10);
  auto add = [&](EventType t, Timestamp at, const std::string& contact) -> Event& {
    Event& e = out.emplace_back();
    e.type = t;
    e.time = at;
    e.contact = contact;
    return e;
  };
  const int agents = 5000;
  std::vector<std::string> agent_names, team_names;
  for (int i = 0; i < 50; ++i) team_names.push_back(name("team-", i));
  for (int i = 0; i < agents; ++i) {
    agent_names.push_back(name("agent-", i));
    Event& e = add(EventType::kAgentState, kStart, "");
    e.agent = agent_names.back();
    e.team = team_names[static_cast<std::size_t>(i % 50)];
    e.state = AgentState::kAvailable;
  }
  // Contacts arrive ~100 per second over the run.
  for (int i = 0; i < contacts; ++i) {
    const std::string id = uuid_like(r);
    const Timestamp q = kStart + seconds(1) + i * 10'000 + r.range(0, 9'999);
    const int channel = static_cast<int>(r.range(0, 2));
    const std::string queue = name("queue-", r.range(0, 99));
    const std::string& agent = agent_names[static_cast<std::size_t>(r.range(0, agents - 1))];
    Event& qe = add(EventType::kContactQueued, q, id);
    qe.queue = queue;
    qe.channel = kChannels[channel];
    const Timestamp wait = seconds(r.range(0, 120));
    if (r.chance(10)) {
      add(EventType::kContactAbandoned, q + wait, id);
      continue;
    }
    add(EventType::kContactAnswered, q + wait, id).agent = agent;
    Timestamp t = q + wait;
    if (channel != 0) {
      add(EventType::kMessageReceived, t + seconds(2), id);
      add(EventType::kMessageSent, t + seconds(20), id).agent = agent;
    } else if (r.chance(20)) {
      add(EventType::kContactHeld, t + seconds(30), id);
      add(EventType::kContactResumed, t + seconds(60), id);
    }
    t += seconds(r.range(60, 600));
    add(EventType::kContactEnded, t, id);
    add(EventType::kContactWrapped, t + seconds(r.range(5, 60)), id);
    if (r.chance(10)) {
      Event& s = add(EventType::kSurveyAnswered, t + seconds(300), id);
      s.csat = static_cast<int>(r.range(1, 5));
      s.nps = static_cast<int>(r.range(0, 10));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  // Copy once in time order: the sort left each event's heap-allocated ids
  // where generation put them, scattered in memory, and reading them would
  // dominate the measurement. In the daemon, events arrive freshly decoded
  // in arrival order.
  std::vector<Event> ordered;
  ordered.reserve(out.size());
  for (const Event& e : out) ordered.push_back(e);
  return ordered;
}

// FNV-1a over the bytes of a value.
template <typename T>
void mix(std::uint64_t& h, const T& v) {
  const auto* p = reinterpret_cast<const unsigned char*>(&v);
  for (std::size_t i = 0; i < sizeof v; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
}

void mix_kpi(std::uint64_t& h, const KpiValue& k) {
  mix(h, k.value.has_value());
  mix(h, k.value.value_or(0));
  mix(h, k.volume);
}

// A file's events in file order, or as `connections` connections deliver
// them in frames of `frame` events (see the header).
std::vector<Event> decode_file(const std::string& path, std::size_t connections = 1,
                               std::size_t frame = 5000) {
  std::vector<Event> events;
  const auto lines = ccmon::bench::read_lines(path, 0, 0);
  CodecOptions options;
  options.max_event_age = 0;  // history, as in event-clock mode
  Decoder decoder(options);
  auto frames = ccmon::bench::build_frames(lines, connections, frame);
  std::size_t most = 0;
  for (const auto& c : frames) most = std::max(most, c.size());
  for (std::size_t i = 0; i < most; ++i) {
    for (auto& c : frames) {
      if (i >= c.size()) continue;
      DecodedBatch b = decoder.decode(c[i].text, BodyFormat::kNdjson, seconds(4'102'444'800));
      for (auto& e : b.events) events.push_back(std::move(e.event));
    }
  }
  return events;
}

// The benchmark daemon's caps (bench/run_benchmarks.py).
EngineConfig bench_config() {
  EngineConfig config;
  config.limits.max_queues = 1000;
  config.limits.max_teams = 1000;
  return config;
}

int shard_mode(const std::vector<Event>& events, std::uint32_t max_shards) {
  std::vector<const Event*> all;
  all.reserve(events.size());
  for (const Event& e : events) all.push_back(&e);
  const Timestamp end = events.back().time;
  // The contact and agent ids hashed first, as the daemon's io threads hash
  // them for the engine thread (server/engine_runner.cpp).
  const HashKey key{};
  const double h0 = thread_cpu_s();
  std::vector<HashedIds> ids;
  ids.reserve(events.size());
  for (const Event& e : events) {
    ids.push_back(hashed_ids_of(key, e));
  }
  const double hashing = thread_cpu_s() - h0;
  std::printf("ids hashed ahead (as the io threads do): %.3f s CPU (%.0f ns/event)\n", hashing,
              hashing / static_cast<double>(events.size()) * 1e9);
  for (std::uint32_t n = 1; n <= max_shards; ++n) {
    ShardedEngine engine(bench_config(), n, key);
    std::vector<std::vector<const Event*>> lists(n);
    std::vector<std::vector<HashedIds>> list_ids(n);
    const double r0 = thread_cpu_s();
    engine.partition(all, lists, key, ids, &list_ids);
    const double router = thread_cpu_s() - r0;
    std::vector<double> cpu(n);
    const double w0 = now_s();
    std::vector<std::thread> threads;
    for (std::uint32_t i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        const double c0 = thread_cpu_s();
        const std::span<const Event* const> mine(lists[i]);
        const std::span<const HashedIds> mine_ids(list_ids[i]);
        for (std::size_t j = 0; j < mine.size(); j += 500) {
          const std::size_t k = std::min<std::size_t>(500, mine.size() - j);
          engine.shard(i).apply(mine.subspan(j, k), key, mine_ids.subspan(j, k));
        }
        cpu[i] = thread_cpu_s() - c0;
      });
    }
    for (auto& t : threads) t.join();
    const double wall = now_s() - w0;
    const double s0 = thread_cpu_s();
    const auto snap = engine.snapshot(end);
    const double snap_cpu = thread_cpu_s() - s0;
    double max_cpu = 0, sum_cpu = 0;
    std::size_t routed = 0, busiest = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      max_cpu = std::max(max_cpu, cpu[i]);
      sum_cpu += cpu[i];
      routed += lists[i].size();
      busiest = std::max(busiest, lists[i].size());
    }
    const auto count = static_cast<double>(events.size());
    // With a core per shard and one for the router, the slowest of them
    // sets the rate (the router runs ahead of the shards, batch by batch).
    const double critical = std::max(router, max_cpu);
    std::printf(
        "shards: %u | router %.3f s CPU (%.0f ns/event) | shard CPU max %.3f s, sum %.3f s "
        "(%.2f applies/event) | wall %.3f s = %.0f events/s here | %.0f events/s with a core per "
        "shard | snapshot of %zu series merged in %.1f ms CPU | busiest shard's applies %.2fx the "
        "mean\n",
        n, router, router / count * 1e9, max_cpu, sum_cpu, static_cast<double>(routed) / count,
        wall, count / wall, count / critical, snap->series.size(), snap_cpu * 1e3,
        static_cast<double>(busiest) * n / static_cast<double>(routed));
  }
  return 0;
}

struct FileOptions {
  std::size_t batch = 5000, connections = 1, snapshot_every = 20;
  bool engine_thread = false;  // --engine-thread
};

// The work beside the engine on the daemon's engine thread, as
// EngineRunner::apply does it (server/engine_runner.cpp), for
// --engine-thread: the ids are hashed beforehand, as the io threads do
// (not timed); per batch the duplicate-id memory is looked up with its
// slots prefetched ahead and the fresh ids are inserted
// together; the engine applies the batch with the hashes; the forecast's
// answer memory takes the agent states and the engine's answers. One key
// for all, as in the daemon; the duplicate memory has the default bound
// and the daemon's fork-excluded memory.
class EngineThread {
 public:
  explicit EngineThread(const std::vector<Event>& events)
      : dedup_({}, kKey, ccmon::store::fork_excluded_memory(), true), answerers_(kKey) {
    keyed_.reserve(events.size());
    ids_.reserve(events.size());
    for (const Event& e : events) {
      keyed_.push_back(Deduplicator::keyed_hash_of(kKey, e.id));
      ids_.push_back(hashed_ids_of(kKey, e));
    }
  }
  static constexpr HashKey kKey{{7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2}};

  // Drops from `batch` (the file's events from `first` on) those the
  // memory has seen and remembers the others, each at the engine's clock
  // `latest` moved to its time, and moves `latest` by the events kept, as
  // EngineRunner::apply does in event-clock mode. batch_ids() then holds
  // the hashes of the events kept.
  void dedup(std::vector<const Event*>& batch, std::size_t first, Timestamp& latest) {
    const std::size_t n = batch.size();
    hashes_.clear();
    at_.clear();
    batch_ids_.clear();
    dedup_.hash_all(
        std::span(keyed_).subspan(first, n), kKey,
        [&](std::size_t i) -> std::string_view { return batch[i]->id; }, hashes_);
    const std::size_t kept = look_up_prefetched(
        dedup_, std::span(hashes_), in_batch_,
        [&](std::size_t i) { return std::max(latest, batch[i]->time); },
        [&](std::size_t i, Timestamp at) {
          latest = at;
          batch[at_.size()] = batch[i];  // in place: at_.size() <= i
          at_.push_back(at);
          batch_ids_.push_back(ids_[first + i]);
        });
    duplicates_ += n - kept;
    batch.resize(kept);
    insert_prefetched(
        dedup_, std::span(hashes_).first(kept), [&](std::size_t k) { return at_[k]; },
        BatchIds::kLookedUp);
  }
  std::span<const HashedIds> batch_ids() const { return batch_ids_; }

  void answers(Engine& engine, std::span<const Event* const> batch) {
    answerers_.take_answers_of(engine);
    answerers_.apply(batch, kKey, batch_ids_);
  }

  std::size_t duplicates() const { return duplicates_; }
  std::size_t remembered() const { return dedup_.size(); }
  std::size_t answers_kept() const { return answerers_.answers_size(); }
  std::size_t off_marks() const { return answerers_.off_marks_size(); }

 private:
  Deduplicator dedup_;
  RecentAnswerers answerers_;
  std::vector<std::uint64_t> keyed_;  // per event of the file
  std::vector<HashedIds> ids_;        // per event of the file
  std::vector<Deduplicator::IdHash> hashes_;
  std::vector<Timestamp> at_;
  absl::flat_hash_set<std::uint64_t> in_batch_;
  std::vector<HashedIds> batch_ids_;
  std::size_t duplicates_ = 0;
};

int file_mode(const std::string& path, const FileOptions& o) {
  const std::size_t batch_size = o.batch, connections = o.connections;
  const std::size_t snapshot_every = o.snapshot_every;
  const std::vector<Event> events =
      connections > 1 ? decode_file(path, connections, batch_size) : decode_file(path);
  const EngineConfig config = bench_config();
  std::optional<EngineThread> beside;
  if (o.engine_thread) beside.emplace(events);
  Engine engine(config, o.engine_thread ? EngineThread::kKey : HashKey{});
  engine.note_answers(o.engine_thread);
  double dedup_cpu = 0, answers_cpu = 0;
  std::uint64_t sum = 0xcbf29ce484222325ull;
  double apply_cpu = 0, snap_cpu = 0;
  // The slowest batch's apply: a table that grows all at once (a copy of
  // every record, an index rebuilt) shows here as one stall.
  double slowest = 0;
  std::size_t slowest_at = 0;
  std::size_t snapshots = 0;
  Timestamp latest = 0;
  std::vector<const Event*> batch;
  auto take_snapshot = [&] {
    const double s0 = cpu_s();
    const auto snap = engine.snapshot(latest);
    snap_cpu += cpu_s() - s0;
    ++snapshots;
    for (const auto& s : snap->series) {
      for (const auto& w : s.windows) {
        for (const auto& k : w.kpis) mix_kpi(sum, k);
      }
    }
    for (const auto& t : snap->teams) {
      for (const auto& w : t.windows) {
        for (const auto& k : w) mix_kpi(sum, k);
      }
    }
  };
  for (std::size_t i = 0, n = 0; i < events.size(); i += batch_size, ++n) {
    batch.clear();
    for (std::size_t j = i; j < std::min(events.size(), i + batch_size); ++j) {
      batch.push_back(&events[j]);
    }
    if (beside) {
      const double d0 = cpu_s();
      beside->dedup(batch, i, latest);  // moves latest by the events kept
      dedup_cpu += cpu_s() - d0;
    } else {
      for (const Event* e : batch) latest = std::max(latest, e->time);
    }
    const double c0 = cpu_s();
    if (beside) {
      engine.apply(batch, EngineThread::kKey, beside->batch_ids());
    } else {
      engine.apply(batch);
    }
    const double took = cpu_s() - c0;
    if (beside) {
      const double m0 = cpu_s();
      beside->answers(engine, batch);
      answers_cpu += cpu_s() - m0;
    }
    apply_cpu += took;
    if (took > slowest) {
      slowest = took;
      slowest_at = n;
    }
    if (n % snapshot_every == snapshot_every - 1) take_snapshot();
  }
  take_snapshot();
  std::printf(
      "file: %zu events from %zu connection(s) in batches of %zu in %.3f s CPU = %.0f events/s "
      "per core; %zu snapshots in %.3f s CPU; KPI checksum %016llx (out of sequence: %llu)\n",
      events.size(), connections, batch_size, apply_cpu,
      static_cast<double>(events.size()) / apply_cpu, snapshots, snap_cpu,
      static_cast<unsigned long long>(sum),
      static_cast<unsigned long long>(engine.stats().out_of_sequence_total));
  std::printf("slowest batch: %.2f ms CPU (batch %zu, events from %zu)\n", slowest * 1e3,
              slowest_at, slowest_at * batch_size);
  const double per_event = 1e9 / static_cast<double>(events.size());
  if (beside) {
    std::printf(
        "beside the engine: duplicate-id memory %.3f s CPU (%.0f ns per event; %zu duplicates, "
        "%zu ids remembered), forecast answer memory %.3f s CPU (%.0f ns per event; %zu answers "
        "kept, %zu agents away or offline); applies and both memories %.3f s CPU = %.0f "
        "events/s (without the snapshots, ticks and the runner's own work)\n",
        dedup_cpu, dedup_cpu * per_event, beside->duplicates(), beside->remembered(), answers_cpu,
        answers_cpu * per_event, beside->answers_kept(), beside->off_marks(),
        dedup_cpu + apply_cpu + answers_cpu,
        static_cast<double>(events.size()) / (dedup_cpu + apply_cpu + answers_cpu));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::printf("%s\n", ccmon::server::use_huge_pages_for_heap().c_str());
  if (argc > 2 && std::string(argv[1]) == "--shards") {
    const auto n = static_cast<std::uint32_t>(std::max(1, std::atoi(argv[2])));
    if (argc > 4 && std::string(argv[3]) == "--file") return shard_mode(decode_file(argv[4]), n);
    return shard_mode(generate(200000), n);
  }
  if (argc > 2 && std::string(argv[1]) == "--file") {
    FileOptions o;
    for (int i = 3; i < argc; i += 2) {
      const std::string flag = argv[i];
      if (flag == "--engine-thread") {  // no value
        o.engine_thread = true;
        --i;
        continue;
      }
      char* end = nullptr;
      // Digits only: strtoull would take "-1" as 2^64 - 1, and " 5" or "+5" too.
      const bool digits = i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9';
      errno = 0;
      auto v = digits ? std::strtoull(argv[i + 1], &end, 10) : 0;
      if (errno == ERANGE) v = 0;
      if ((flag != "--batch" && flag != "--connections" && flag != "--snapshot-every") || v == 0 ||
          *end != '\0') {
        std::fprintf(stderr,
                     "usage: ccmon_engine_bench --file F [--batch N] [--connections N]"
                     " [--snapshot-every N] [--engine-thread] (N > 0)\n");
        return 2;
      }
      (flag == "--batch"         ? o.batch
       : flag == "--connections" ? o.connections
                                 : o.snapshot_every) = static_cast<std::size_t>(v);
    }
    return file_mode(argv[2], o);
  }
  const int contacts = argc > 1 ? std::atoi(argv[1]) : 200000;
  const bool apply_only = argc > 2 && std::string(argv[2]) == "apply";  // for profiling

  // 1. Throughput over a realistic stream (default 4 windows + today), with
  // the forecast's answer memory beside the engine, as the daemon runs by
  // default (server/engine_runner): the engine notes the answers it
  // attributes, the memory takes them and the agent states after each batch.
  const std::vector<Event> events = generate(contacts);
  EngineConfig config;
  Engine engine(config);
  engine.note_answers(true);
  // Under the engine's key, as the daemon's: the answers' agent hashes serve.
  RecentAnswerers answerers(engine.hash_key());
  double memory_cpu = 0;
  const double t0 = now_s(), c0 = cpu_s();
  std::uint64_t oos = 0;
  // As the daemon does: batches of decoded events (one request or frame).
  std::vector<const Event*> batch;
  for (std::size_t i = 0; i < events.size(); i += 500) {
    batch.clear();
    for (std::size_t j = i; j < std::min(events.size(), i + 500); ++j) batch.push_back(&events[j]);
    engine.apply(batch);
    const double m0 = cpu_s();
    answerers.apply(batch);
    answerers.take_answers_of(engine);
    memory_cpu += cpu_s() - m0;
  }
  oos = engine.stats().out_of_sequence_total;
  const double t1 = now_s(), c1 = cpu_s();
  const double engine_cpu = c1 - c0 - memory_cpu;
  std::printf(
      "apply: %zu events in %.3f s CPU (%.3f s wall) = %.0f events/s per core (out of sequence: "
      "%llu)\n",
      events.size(), engine_cpu, t1 - t0, static_cast<double>(events.size()) / engine_cpu,
      static_cast<unsigned long long>(oos));
  {
    const double a1 = cpu_s();
    const auto counts = answerers.counts(events.back().time - hours(1));
    const double a2 = cpu_s();
    std::printf(
        "forecast answer memory: %.3f s CPU for the same events (%.0f%% of the engine's), "
        "%zu answers kept, counts %.2f ms\n",
        memory_cpu, 100 * memory_cpu / engine_cpu, answerers.answers_size(), (a2 - a1) * 1e3);
    (void)counts;
  }
  const Timestamp end = events.back().time;
  double s0 = now_s(), c4 = cpu_s();
  auto snap = engine.snapshot(end);
  double s1 = now_s(), c5 = cpu_s();
  std::printf("snapshot: %zu series, %zu teams x %zu windows in %.2f ms CPU (%.2f ms wall)\n",
              snap->series.size(), snap->teams.size(), snap->windows.size(), (c5 - c4) * 1e3,
              (s1 - s0) * 1e3);

  if (apply_only) return 0;

  // 2. Bytes per tracked contact: RSS growth while tracking 1M waiting
  //    contacts with 36-character ids in one series.
  {
    const int n = 1'000'000;
    Rng r;
    std::vector<Event> queued(static_cast<std::size_t>(n));
    const std::string queue("q"), voice("voice");  // not literals: GCC 12 -Wrestrict
    for (int i = 0; i < n; ++i) {
      Event& e = queued[static_cast<std::size_t>(i)];
      e.type = EventType::kContactQueued;
      e.time = kStart + i;
      e.contact = uuid_like(r);
      e.queue = queue;
      e.channel = voice;
    }
    Engine mem(config);
    const long before = rss_bytes();
    for (const Event& e : queued) mem.apply(e);
    const long after = rss_bytes();
    std::printf("memory: %llu tracked contacts, %.0f bytes each (RSS delta)\n",
                static_cast<unsigned long long>(mem.stats().tracked_contacts),
                static_cast<double>(after - before) / n);
  }

  // 3. Snapshot cost at 10,000 series x 5 windows (4 trailing + today).
  {
    EngineConfig big = config;
    big.limits.max_queues = 10000;
    Engine wide(big);
    for (int i = 0; i < 10000; ++i) {
      Event q;
      q.type = EventType::kContactQueued;
      q.time = kStart + seconds(i % 250);
      q.contact = name("w", i);
      q.queue = name("queue-", i);
      q.channel = "voice";
      wide.apply(q);
      Event a = q;
      a.type = EventType::kContactAnswered;
      a.time += seconds(1 + i % 40);
      a.agent = "agent";
      wide.apply(a);
    }
    const Timestamp at = kStart + seconds(300);
    wide.snapshot(at);  // first snapshot expires buckets once
    const int rounds = 10;
    s0 = now_s();
    const double c2 = cpu_s();
    std::size_t n = 0;
    for (int i = 1; i <= rounds; ++i) n += wide.snapshot(at + seconds(i))->series.size();
    s1 = now_s();
    const double c3 = cpu_s();
    std::printf("snapshot: %zu series x 5 windows in %.2f ms CPU (%.2f ms wall), mean of %d\n",
                n / rounds, (c3 - c2) * 1e3 / rounds, (s1 - s0) * 1e3 / rounds, rounds);
  }

  // 4. The agent grid (/v1/agents, the feed's agents): every tracked agent,
  // sorted by id, in each snapshot. 100,000 agents (state.max_agents) with
  // a state and a team, one queue: the cost beyond the series' part.
  {
    Engine crowd(config);
    const int agents = 100000;
    for (int i = 0; i < agents; ++i) {
      Event s;
      s.type = EventType::kAgentState;
      s.time = kStart + seconds(i % 250);
      s.agent = name("agent-", i);
      s.team = name("team-", i % 50);
      s.state = AgentState::kAvailable;
      crowd.apply(s);
    }
    const Timestamp at = kStart + seconds(300);
    crowd.snapshot(at);
    const int rounds = 10;
    s0 = now_s();
    const double c2 = cpu_s();
    std::size_t n = 0;
    for (int i = 1; i <= rounds; ++i) n += crowd.snapshot(at + seconds(i))->agents.size();
    s1 = now_s();
    const double c3 = cpu_s();
    std::printf("snapshot: %zu agents in %.2f ms CPU (%.2f ms wall), mean of %d\n", n / rounds,
                (c3 - c2) * 1e3 / rounds, (s1 - s0) * 1e3 / rounds, rounds);
  }
  return 0;
}
