// The engine runner with a state directory: what it journals restores the
// same KPIs, duplicate memory and all, in a second runner; a batch the
// journal refuses changes nothing; acknowledgements wait for the sync.
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <new>
#include <string>
#include <system_error>
#include <thread>

#include "server/durable_state.hpp"
#include "server/engine_runner.hpp"
#include "server/exposition.hpp"
#include "server/state_codec_binding.hpp"
#include "server/state_records.hpp"
#include "server_test_support.hpp"

namespace ccmon::server {
namespace {
namespace fs = std::filesystem;
using test::batch_of;
using test::config_from;
using test::kNow;
using test::sample;

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ccmon-runner-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

// Event clock (now = latest event time: the same in both runners), state in `dir`.
std::shared_ptr<config::Config> event_clock_config(const fs::path& dir) {
  auto config = std::make_shared<config::Config>(*config_from("server:\n  clock: event\n"));
  config->durable.dir = dir.string();
  return config;
}

BatchResult submit_and_wait(EngineRunner& runner, Batch batch) {
  REQUIRE(runner.admission().try_admit(batch.admitted));
  std::promise<BatchResult> done;
  runner.submit(std::move(batch), [&done](BatchResult r) { done.set_value(r); });
  return done.get_future().get();
}

// /v1/kpis without the forecast: it is the last live tick's
// (docs/forecasting.md), not state, and ticks fall anywhere between batches.
std::string kpis_json(EngineRunner& runner) {
  std::promise<std::shared_ptr<const View>> viewed;
  runner.request_view([&](std::shared_ptr<const View> v) { viewed.set_value(std::move(v)); });
  View view = *viewed.get_future().get();
  view.forecast.reset();
  return render_kpis_json(view, {});
}

void wait_restored(const EngineRunner& runner) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!runner.state_ready()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::yield();
  }
}

std::unique_ptr<DurableState> open_state(const config::Config& config, SelfMetrics& metrics,
                                         store::FileOps ops = store::FileOps::system()) {
  std::string error;
  bool in_use = false;
  auto state = DurableState::open(config.durable, metrics, error, in_use, std::move(ops));
  INFO(error);
  REQUIRE(state);
  return state;
}

// System file operations whose pwrite calls `fault` instead while `on` is
// set (it fails the write or throws).
store::FileOps pwrite_faulty_while(const std::atomic<bool>& on, ssize_t (*fault)()) {
  store::FileOps ops = store::FileOps::system();
  ops.pwrite = [&on, fault, real = ops.pwrite](int fd, const void* data, std::size_t n,
                                               off_t at) -> ssize_t {
    return on ? fault() : real(fd, data, n, at);
  };
  return ops;
}

// The same, each write failing with ENOSPC (a full disk) while `full`.
store::FileOps disk_full_while(const std::atomic<bool>& full) {
  return pwrite_faulty_while(full, []() -> ssize_t {
    errno = ENOSPC;
    return -1;
  });
}

// System file operations whose journal writes of a tick record's size
// (under 64 bytes; a batch record of events is longer) fail with ENOSPC
// while `on`: the journal refuses every tick and takes every batch.
store::FileOps ticks_refused_while(const std::atomic<bool>& on) {
  store::FileOps ops = store::FileOps::system();
  ops.pwrite = [&on, real = ops.pwrite](int fd, const void* data, std::size_t n,
                                        off_t at) -> ssize_t {
    std::error_code ec;
    const auto path = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec).string();
    if (on && n < 64 && path.find("/journal/") != std::string::npos) {
      errno = ENOSPC;
      return -1;
    }
    return real(fd, data, n, at);
  };
  return ops;
}

// A started runner on a fresh state directory whose writes fail as
// `faults(full)` says (its members bind as [dir, config, full, metrics,
// runner]).
struct DiskRunner {
  explicit DiskRunner(std::optional<StateCodec> codec,
                      store::FileOps (*faults)(const std::atomic<bool>&) = disk_full_while)
      : config(event_clock_config(dir.path / "state")),
        runner(*config, metrics, [] { return kNow; }) {
    runner.attach_state(open_state(*config, metrics, faults(full)), std::move(codec));
    runner.start();
    wait_restored(runner);
  }
  TempDir dir;  // first: the others live in it
  std::shared_ptr<config::Config> config;
  std::atomic<bool> full{false};
  SelfMetrics metrics{"test"};
  EngineRunner runner;
};

// The system's file operations, each fdatasync counted in `syncs`.
store::FileOps counting_syncs(std::atomic<int>& syncs) {
  store::FileOps ops = store::FileOps::system();
  ops.fdatasync = [&syncs, real = ops.fdatasync](int fd) {
    ++syncs;
    return real(fd);
  };
  return ops;
}

double fsync_count(prometheus::Registry& registry) {
  for (const auto& f : registry.Collect()) {
    if (f.name == "ccmon_journal_fsync_duration_seconds") {
      return static_cast<double>(f.metric.at(0).histogram.sample_count);
    }
  }
  return -1;
}

// A day in a queue: two contacts, one answered and ended, one abandoned; an
// agent's state. Times are Unix seconds around kNow.
const char* kFirst =
    R"({"id":"a1","type":"contact.queued","time":1699999900,"contact":"c1","queue":"sales","channel":"voice"}
{"id":"a2","type":"contact.queued","time":1699999910,"contact":"c2","queue":"sales","channel":"voice","priority":3}
{"id":"a3","type":"agent.state","time":1699999915,"agent":"alice","team":"t1","state":"available"}
)";
const char* kSecond =
    R"({"id":"b1","type":"contact.answered","time":1699999930,"contact":"c1","agent":"alice"}
{"id":"b2","type":"contact.abandoned","time":1699999950,"contact":"c2"}
{"id":"b3","type":"contact.ended","time":1699999990,"contact":"c1"}
{"id":"b4","type":"survey.answered","time":1699999995,"contact":"c1","csat":4,"nps":9}
)";

TEST_CASE("records encode and decode every event field", "[server][state]") {
  core::Event e;
  e.id = "id-1";
  e.type = core::EventType::kSurveyAnswered;
  e.time = kNow;
  e.contact = "c";
  e.case_id = "k";
  e.channel = "voice";
  e.queue = "q";
  e.agent = "a";
  e.team = "t";
  e.customer = "cu";
  e.to_queue = "q2";
  e.to_agent = "a2";
  e.to_channel = "chat";
  e.reason = "r";
  e.priority = -7;
  e.automated = true;
  e.value = 12.5;
  e.score = -0.25;
  e.csat = 5;
  e.nps = 0;
  e.ces = 7;
  e.contacts = 3;
  e.state = core::AgentState::kWrapUp;
  core::Event bare;
  bare.id = "id-2";
  bare.time = kNow - 5'000'000;
  const state_records::FreshEvent fresh[] = {{&e, kNow + 10}, {&bare, kNow + 11}};
  std::string bytes;
  state_records::encode_batch(fresh, bytes);
  const auto r = state_records::decode_record(bytes);
  REQUIRE(r.type == state_records::RecordType::kBatch);
  REQUIRE(r.events.size() == 2);
  const core::Event& d = r.events[0];
  CHECK(d.id == e.id);
  CHECK(d.type == e.type);
  CHECK(d.time == e.time);
  CHECK((d.contact == "c" && d.case_id == "k" && d.channel == "voice" && d.queue == "q"));
  CHECK((d.agent == "a" && d.team == "t" && d.customer == "cu" && d.to_queue == "q2"));
  CHECK((d.to_agent == "a2" && d.to_channel == "chat" && d.reason == "r"));
  CHECK(d.priority == -7);
  CHECK(d.automated);
  CHECK(d.value == 12.5);
  CHECK(d.score == -0.25);
  CHECK((d.csat == 5 && d.nps == 0 && d.ces == 7 && d.contacts == 3));
  CHECK(d.state == core::AgentState::kWrapUp);
  CHECK(r.events[1].time == kNow - 5'000'000);
  CHECK_FALSE(r.events[1].priority);
  CHECK(r.remembered_at == std::vector<core::Timestamp>{kNow + 10, kNow + 11});

  const auto tick = state_records::decode_record(state_records::encode_tick(kNow, 3));
  CHECK((tick.type == state_records::RecordType::kTick && tick.now == kNow && tick.what == 3));
  // Every proper prefix is refused, never read past its end.
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_THROWS_AS(state_records::decode_record(std::string_view(bytes).substr(0, n)),
                    state_records::RecordError);
  }
  CHECK_THROWS_AS(state_records::decode_record("\x09"), state_records::RecordError);
}

TEST_CASE("the snapshot's own fields carry the forecast's answer memory", "[server][state]") {
  core::RecentAnswerers a;
  a.answered("sales", "voice", "a1", kNow + 5);
  a.answered("sales", "voice", "a2", kNow + 6);
  core::Event away;
  away.type = core::EventType::kAgentState;
  away.time = kNow + 7;
  away.agent = "a2";
  away.state = core::AgentState::kAway;
  a.apply(away);
  const std::string bytes = state_records::encode_extra({42, kNow + 5, a.entries()});
  const auto back = state_records::decode_extra(bytes);
  CHECK(back.sequence == 42);
  CHECK(back.latest_event_time == kNow + 5);
  core::RecentAnswerers restored;
  restored.restore(back.answerers);
  CHECK(restored.answers_size() == 2);
  CHECK(restored.counts(kNow) == a.counts(kNow));
  // a2 went away after its answer: a1 alone counts.
  CHECK(restored.counts(kNow).at(core::RecentAnswerers::series_key("sales", "voice")) == 1);
  // Snapshots written before the forecast end after the latest event time.
  std::string old = state_records::encode_extra({42, kNow + 5, {}});
  old.resize(old.size() - 3);  // drop the three empty list lengths
  const auto from_old = state_records::decode_extra(old);
  CHECK(from_old.latest_event_time == kNow + 5);
  CHECK(from_old.answerers.answers.empty());
  // Snapshots written before the engine reported answers list the contacts
  // waiting first: skipped, the answers after them read.
  std::string waiting = old;
  waiting += '\x01';  // one contact waiting
  waiting += std::string(
                 "\x02"
                 "c2\x05"
                 "sales\x05"
                 "voice") +
             '\x00';                        // queued at 0
  waiting += bytes.substr(old.size() + 1);  // the answers and agents away
  const auto skipped = state_records::decode_extra(waiting);
  CHECK(skipped.answerers.answers.size() == 2);
  CHECK(skipped.answerers.off_since.size() == 1);
  // A damaged list length is refused, not allocated.
  std::string damaged = old;
  damaged += "\xff\xff\xff\x7f";
  CHECK_THROWS_AS(state_records::decode_extra(damaged), state_records::RecordError);
}

TEST_CASE("a second runner on the same directory restores the KPIs and the duplicate memory",
          "[server][state]") {
  TempDir dir;
  const auto config = event_clock_config(dir.path / "state");
  std::string before;
  double written = 0;
  {
    SelfMetrics metrics("test");
    EngineRunner runner(*config, metrics, [] { return kNow; });
    runner.attach_state(open_state(*config, metrics), std::nullopt);
    runner.start();
    wait_restored(runner);
    CHECK(submit_and_wait(runner, batch_of(*config, kFirst)).accepted == 3);
    kpis_json(runner);  // a view in between: a tick record
    CHECK(submit_and_wait(runner, batch_of(*config, kSecond)).accepted == 4);
    before = kpis_json(runner);
    runner.drain_and_stop();
    // 2 batch records + 2 views, and a tick record for each second that
    // passed (a loaded machine).
    written = sample(metrics.registry(), "ccmon_journal_records_total").value_or(0);
    CHECK(written >= 4);
  }
  REQUIRE(before.find("\"sales\"") != std::string::npos);
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.attach_state(open_state(*config, metrics), std::nullopt);
  runner.start();
  wait_restored(runner);
  // Both runners run without a state codec (no snapshots): the whole
  // journal is replayed. With one, the daemon's clean-shutdown snapshot
  // leaves nothing to replay (test_durable_state.py).
  CHECK(sample(metrics.registry(), "ccmon_state_replayed_records_total") == written);
  CHECK(kpis_json(runner) == before);
  // The resend of a batch after the restart is all duplicates.
  const auto again = submit_and_wait(runner, batch_of(*config, kSecond));
  CHECK(again.accepted == 0);
  CHECK(again.duplicates == 4);
  runner.drain_and_stop();
}

TEST_CASE("a batch the journal refuses is not applied and its ids are not remembered",
          "[server][state]") {
  DiskRunner d(std::nullopt);
  auto& [dir, config, full, metrics, runner] = d;
  const std::string empty = kpis_json(runner);
  full = true;
  const auto refused = submit_and_wait(runner, batch_of(*config, kFirst));
  CHECK(refused.state_unavailable);
  CHECK(refused.accepted == 0);
  CHECK(sample(metrics.registry(), "ccmon_state_writable") == 0);
  CHECK(sample(metrics.registry(), "ccmon_journal_write_errors_total") >= 1);
  CHECK(sample(metrics.registry(), "ccmon_events_accepted_total", {{"type", "contact.queued"}}) ==
        0);
  full = false;  // space returns: the resend is new, not a duplicate
  const auto resent = submit_and_wait(runner, batch_of(*config, kFirst));
  CHECK_FALSE(resent.state_unavailable);
  CHECK(resent.accepted == 3);
  CHECK(resent.duplicates == 0);
  CHECK(sample(metrics.registry(), "ccmon_state_writable") == 1);
  CHECK(kpis_json(runner) != empty);
  runner.drain_and_stop();
}

TEST_CASE("a refused batch refuses the later batches of its stream, which start over in order",
          "[server][state]") {
  DiskRunner d(std::nullopt);
  auto& [dir, config, full, metrics, runner] = d;
  const std::string empty = kpis_json(runner);
  const auto stream = std::make_shared<bool>(false);  // one WebSocket connection's
  auto on_stream = [&](const auto& events) {
    Batch b = batch_of(*config, events);
    b.order_fence = stream;
    return b;
  };
  full = true;
  CHECK(submit_and_wait(runner, on_stream(kFirst)).state_unavailable);
  full = false;  // space returns before the next frame of the same stream
  Batch second = on_stream(kSecond);
  second.feed = "test/behind";
  const auto behind = submit_and_wait(runner, std::move(second));
  CHECK(behind.state_unavailable);  // applied now, it would come before kFirst
  CHECK(behind.accepted == 0);
  CHECK(kpis_json(runner) == empty);
  // Its feed is alive all the same (the wallboard's `feeds`).
  std::promise<std::shared_ptr<const View>> viewed;
  runner.request_view([&](std::shared_ptr<const View> v) { viewed.set_value(std::move(v)); });
  const auto view = viewed.get_future().get();
  CHECK(std::any_of(view->feeds.begin(), view->feeds.end(),
                    [](const FeedState& f) { return f.feed == "test/behind"; }));
  CHECK(sample(metrics.registry(), "ccmon_events_accepted_total", {{"type", "contact.queued"}}) ==
        0);
  // The client's resend, on a new stream, is taken in its order.
  const auto again = std::make_shared<bool>(false);
  Batch first = batch_of(*config, kFirst);
  first.order_fence = again;
  Batch then = batch_of(*config, kSecond);
  then.order_fence = again;
  CHECK(submit_and_wait(runner, std::move(first)).accepted == 3);
  CHECK(submit_and_wait(runner, std::move(then)).accepted == 4);
  // The refused stream stays refused, with space back (its client starts
  // over); a batch of no stream is not held by it.
  CHECK(submit_and_wait(runner, on_stream(kFirst)).state_unavailable);
  const auto alone = submit_and_wait(runner, batch_of(*config, kFirst));
  CHECK_FALSE(alone.state_unavailable);
  CHECK(alone.duplicates == 3);
  runner.drain_and_stop();
}

TEST_CASE("the snapshot taken when the journal works again covers the batch that found it so",
          "[server][state]") {
  DiskRunner d(state_codec(), ticks_refused_while);
  auto& [dir, config, full, metrics, runner] = d;
  const double empty_size = sample(metrics.registry(), "ccmon_state_snapshot_size_bytes").value();
  full = true;  // from now on every tick record is refused, the timer's too
  kpis_json(runner);
  REQUIRE(sample(metrics.registry(), "ccmon_journal_write_errors_total") >= 1);
  // So the first record the journal takes again is this batch's: the
  // snapshot of the recovery is taken for it, and claims it as covered.
  CHECK(submit_and_wait(runner, batch_of(*config, kFirst)).accepted == 3);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (sample(metrics.registry(), "ccmon_state_snapshot_size_bytes").value() == empty_size) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::yield();
  }
  const std::string live = kpis_json(runner);
  REQUIRE(live.find("\"sales\"") != std::string::npos);
  // A crash now: the directory as it is, restored by another runner.
  fs::copy(dir.path / "state", dir.path / "crashed", fs::copy_options::recursive);
  const auto crashed = event_clock_config(dir.path / "crashed");
  SelfMetrics metrics2("test");
  EngineRunner restored(*crashed, metrics2, [] { return kNow; });
  restored.attach_state(open_state(*crashed, metrics2), state_codec());
  restored.start();
  wait_restored(restored);
  CHECK(kpis_json(restored) == live);
  restored.drain_and_stop();
  runner.drain_and_stop();
}

TEST_CASE("a snapshot process's exit is followed by the heap's collapse, timed in metrics",
          "[server][state]") {
  TempDir dir;
  auto config = event_clock_config(dir.path / "state");
  config->durable.snapshot_interval = core::seconds(1);  // forked at a tick a second on
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.attach_state(open_state(*config, metrics), state_codec());
  runner.start();
  wait_restored(runner);
  const auto collapse = [&] {
    return sample(metrics.registry(), "ccmon_state_heap_collapse_duration_seconds").value();
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (collapse() == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::yield();
  }
  // After the snapshot process wrote its snapshot (a failed one counts a
  // write error first).
  CHECK(sample(metrics.registry(), "ccmon_journal_write_errors_total") == 0);
  CHECK(collapse() < 30);
  // Exported beside it. Its value: this binary has no TCMalloc hook, so 0
  // unless huge_page_heap_test's mappings were registered earlier in this
  // process; the bytes are tested in tcmalloc_heap_test.
  REQUIRE(sample(metrics.registry(), "ccmon_state_heap_huge_pages_bytes").has_value());
  runner.drain_and_stop();
}

TEST_CASE("an exception while applying a batch answers internal_error; the runner goes on",
          "[server][state]") {
  // std::bad_alloc from inside the batch's apply (here the journal's write):
  // before, it escaped the engine thread's io_.run() and ended the process.
  TempDir dir;
  const auto config = event_clock_config(dir.path / "state");
  std::atomic<bool> fail{false};
  const auto ops = pwrite_faulty_while(fail, []() -> ssize_t { throw std::bad_alloc(); });
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.attach_state(open_state(*config, metrics, ops), std::nullopt);
  runner.start();
  wait_restored(runner);
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);  // the expected error line
  fail = true;
  Batch first = batch_of(*config, kFirst);
  first.order_fence = std::make_shared<bool>(false);  // a stream's
  const auto stream = first.order_fence;
  const auto failed = submit_and_wait(runner, std::move(first));
  spdlog::set_level(level);
  CHECK(failed.internal_error);
  CHECK(failed.accepted == 0);
  CHECK(runner.admission().in_flight() == 0);  // its events were released
  fail = false;
  // The stream's next batch is not applied ahead of the failed one's resend.
  Batch behind = batch_of(*config, kSecond);
  behind.order_fence = stream;
  const auto fenced = submit_and_wait(runner, std::move(behind));
  CHECK(fenced.state_unavailable);
  CHECK(fenced.accepted == 0);
  const auto next = submit_and_wait(runner, batch_of(*config, kSecond));
  CHECK_FALSE(next.internal_error);
  CHECK(next.accepted == 4);
  runner.drain_and_stop();
}

TEST_CASE("state.sync always acknowledges only after a sync covers the batch", "[server][state]") {
  TempDir dir;
  const auto config = event_clock_config(dir.path / "state");
  std::atomic<int> syncs{0};
  const store::FileOps ops = counting_syncs(syncs);
  SelfMetrics metrics("test");
  EngineRunner runner(*config, metrics, [] { return kNow; });
  runner.attach_state(open_state(*config, metrics, ops), std::nullopt);
  runner.start();
  wait_restored(runner);
  REQUIRE(syncs == 0);  // nothing written yet
  const auto r = submit_and_wait(runner, batch_of(*config, kFirst));
  CHECK(r.accepted == 3);
  CHECK(syncs >= 1);  // the acknowledgement came after an fdatasync
  CHECK(fsync_count(metrics.registry()) >= 1);
  runner.drain_and_stop();
}

// The sync's backstop is an hour here, so only the runner's own request
// (the last part's record, request_sync(), end_parts()) can release the first
// part's acknowledgement; the one-second tick also journals (and syncs) a
// record, so the counts are read at the acknowledgement and must show none.
TEST_CASE("state.sync always syncs a body's parts once, at its last part", "[server][state]") {
  TempDir dir;
  const auto config = event_clock_config(dir.path / "state");
  std::atomic<int> syncs{0};
  const store::FileOps ops = counting_syncs(syncs);
  struct AtAck {
    int syncs = 0;
    double records = 0;
    BatchResult result;
  };
  std::promise<AtAck> first_done;  // before the runner: its drain may answer
  SelfMetrics metrics("test");
  auto first = batch_of(*config, kFirst);
  first.more_parts = true;
  auto second = batch_of(*config, kSecond);
  auto again = batch_of(*config, kFirst);  // all duplicates of the first
  EngineRunner runner(*config, metrics, [] { return kNow; });
  std::string error;
  bool in_use = false;
  runner.attach_state(
      DurableState::open(config->durable, metrics, error, in_use, ops, std::chrono::hours(1)),
      std::nullopt);
  runner.start();
  wait_restored(runner);
  REQUIRE(runner.admission().try_admit(first.admitted));
  runner.submit(std::move(first), [&](BatchResult r) {
    first_done.set_value(
        {syncs.load(), sample(metrics.registry(), "ccmon_journal_records_total").value_or(0), r});
  });
  double records = 0;
  SECTION("the last part has events of its own") {
    CHECK(submit_and_wait(runner, std::move(second)).accepted == 4);
    records = 2;
  }
  SECTION("the last part is all duplicates (no record of its own)") {
    CHECK(submit_and_wait(runner, std::move(again)).duplicates == 3);
    records = 1;
  }
  SECTION("no last part: end_parts()") {
    runner.end_parts();
    records = 1;
  }
  const AtAck at = first_done.get_future().get();
  CHECK(at.result.accepted == 3);
  CHECK(at.records == records);  // no tick record came between (it would be synced)
  CHECK(at.syncs == 1);          // one sync covered the first part and what completed it
  runner.drain_and_stop();
}

}  // namespace
}  // namespace ccmon::server
