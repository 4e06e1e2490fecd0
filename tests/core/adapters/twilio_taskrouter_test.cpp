// Twilio TaskRouter callbacks and Event Streams CloudEvents -> ccmon events.
// Payloads written for these tests from TaskRouter's Events reference
// (parameter names, event types); expected events worked out by hand from
// the table in docs/adapters.md.
#include "core/adapters/twilio_taskrouter.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

using namespace ccmon::core;
using namespace ccmon::core::adapters;

// t0 = 1795338000 s = 2026-11-22T09:00:00Z.
constexpr std::int64_t kT0 = 1795338000;

std::string form(std::string_view event_type, std::int64_t t, std::string_view extra = "") {
  std::string s = "EventType=" + std::string(event_type) +
                  "&AccountSid=AC01&WorkspaceSid=WS01&Sid=EV" + std::string(event_type) +
                  std::to_string(t) + "&Timestamp=" + std::to_string(t);
  s += extra;
  return s;
}

constexpr std::string_view kTask =
    "&TaskSid=WT01&TaskQueueName=Support&TaskChannelUniqueName=voice&TaskAge=3";
constexpr std::string_view kWorker = "&WorkerSid=WK07&WorkerName=alice";

TwilioOptions opts() {
  TwilioOptions o;
  o.source = "acme";
  return o;
}

}  // namespace

TEST_CASE("a task's life through the callbacks") {
  const std::vector<std::string> bodies = {
      form("task.created", kT0, kTask),
      form("task-queue.entered", kT0 + 1, kTask),
      form("reservation.accepted", kT0 + 13, std::string(kTask) + std::string(kWorker)),
      form("task.wrapup", kT0 + 200, std::string(kTask) + std::string(kWorker)),
      form("task.completed", kT0 + 230, std::string(kTask) + std::string(kWorker)),
  };
  const std::vector<EventType> types = {EventType::kContactCreated, EventType::kContactQueued,
                                        EventType::kContactAnswered, EventType::kContactEnded,
                                        EventType::kContactWrapped};
  const std::vector<std::int64_t> times = {kT0, kT0 + 1, kT0 + 13, kT0 + 200, kT0 + 230};
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    INFO(bodies[i]);
    const AdapterBatch b = map_taskrouter_callback(bodies[i], opts());
    CHECK(b.count(RecordOutcome::kMapped) == 1);
    REQUIRE(b.events.size() == 1);
    const Event& e = b.events[0];
    CHECK(e.type == types[i]);
    CHECK(e.time == seconds(times[i]));
    CHECK(e.contact == "acme:WT01");
    CHECK(e.channel == "voice");
    // form() sets Sid = "EV" + EventType + Timestamp.
    const std::string type_name = bodies[i].substr(10, bodies[i].find('&') - 10);
    CHECK(e.id == "acme:EV" + type_name + std::to_string(times[i]) + ":0");
    if (types[i] == EventType::kContactAnswered) CHECK(e.agent == "WK07");
    if (types[i] == EventType::kContactQueued) CHECK(e.queue == "Support");
  }
}

TEST_CASE("cancels, queue timeouts and moves") {
  TwilioOptions o = opts();
  // Canceled while waiting, by the caller hanging up: abandoned.
  AdapterBatch b = map_taskrouter_callback(
      form("task.canceled", kT0 + 40, std::string(kTask) + "&TaskCanceledReason=hangup"), o);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].type == EventType::kContactAbandoned);
  // Canceled by the task's TTL: routing gave up, a flow-out.
  b = map_taskrouter_callback(
      form("task.canceled", kT0 + 41, std::string(kTask) + "&TaskCanceledReason=Task+TTL+Exceeded"),
      o);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].type == EventType::kContactOverflowed);
  CHECK(b.events[0].reason == "timeout");
  b = map_taskrouter_callback(form("task-queue.timeout", kT0 + 42, kTask), o);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].type == EventType::kContactOverflowed);
  CHECK(b.events[0].reason == "timeout");
  CHECK(b.events[0].queue == "Support");
  b = map_taskrouter_callback(form("task-queue.moved", kT0 + 43, kTask), o);
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].reason == "overflow");
}

TEST_CASE("worker activities through the activity map") {
  TwilioOptions o = opts();
  o.worker_name_as_agent = true;
  o.activity_map.emplace_back("Lunch", AgentState::kAway);
  struct Row {
    std::string activity;
    AgentState state;
    std::string reason;
  };
  for (const Row& r :
       {Row{"Available", AgentState::kAvailable, ""}, Row{"Offline", AgentState::kOffline, ""},
        Row{"Lunch", AgentState::kAway, ""}, Row{"Training", AgentState::kAway, "Training"}}) {
    INFO(r.activity);
    const AdapterBatch b =
        map_taskrouter_callback(form("worker.activity.update", kT0,
                                     std::string(kWorker) + "&WorkerActivityName=" + r.activity),
                                o);
    REQUIRE(b.events.size() == 1);
    CHECK(b.events[0].type == EventType::kAgentState);
    CHECK(b.events[0].agent == "alice");
    CHECK(b.events[0].state == r.state);
    CHECK(b.events[0].reason == r.reason);
  }
}

TEST_CASE("channels: the task channel through the channel map") {
  for (const auto& [twilio, ccmon] : std::vector<std::pair<std::string, std::string>>{
           {"sms", "messaging"}, {"chat", "chat"}, {"email", "email"}, {"Video", "video"}}) {
    const AdapterBatch b = map_taskrouter_callback(
        form("task-queue.entered", kT0,
             "&TaskSid=WT9&TaskQueueName=Q&TaskChannelUniqueName=" + twilio),
        opts());
    REQUIRE(b.events.size() == 1);
    CHECK(b.events[0].channel == ccmon);
  }
}

TEST_CASE("duplicates keep their id; out-of-order deliveries map each on its own") {
  const std::string accepted =
      form("reservation.accepted", kT0 + 13, std::string(kTask) + std::string(kWorker));
  const std::string entered = form("task-queue.entered", kT0 + 1, kTask);
  // Delivered answered-before-queued, then the answered again (a retry).
  const AdapterBatch a1 = map_taskrouter_callback(accepted, opts());
  const AdapterBatch q = map_taskrouter_callback(entered, opts());
  const AdapterBatch a2 = map_taskrouter_callback(accepted, opts());
  REQUIRE(a1.events.size() == 1);
  REQUIRE(q.events.size() == 1);
  REQUIRE(a2.events.size() == 1);
  CHECK(a1.events[0].id == a2.events[0].id);  // the engine's dedup drops the retry
  CHECK(a1.events[0].id != q.events[0].id);
  // Event time is the callback's Timestamp, not arrival order.
  CHECK(q.events[0].time < a1.events[0].time);
  // No Sid: the id comes from the body's hash, still stable across retries.
  const std::string no_sid =
      "EventType=task.created&TaskSid=WT5&Timestamp=1795338000&TaskChannelUniqueName=voice";
  CHECK(map_taskrouter_callback(no_sid, opts()).events.at(0).id ==
        map_taskrouter_callback(no_sid, opts()).events.at(0).id);
}

TEST_CASE("TimestampMs wins over Timestamp") {
  const AdapterBatch b = map_taskrouter_callback(
      "EventType=task.created&TaskSid=WT1&TaskChannelUniqueName=voice&Timestamp=1795338000&"
      "TimestampMs=1795338000250",
      opts());
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].time == seconds(kT0) + 250000);
}

TEST_CASE("ignored and unknown event types") {
  CHECK(map_taskrouter_callback(form("reservation.created", kT0, kTask), opts())
            .count(RecordOutcome::kIgnored) == 1);
  CHECK(map_taskrouter_callback(form("workflow.timeout", kT0, kTask), opts())
            .count(RecordOutcome::kIgnored) == 1);
  const AdapterBatch u = map_taskrouter_callback(form("task.teleported", kT0, kTask), opts());
  CHECK(u.count(RecordOutcome::kUnknown) == 1);
  REQUIRE(u.unknown_kinds.size() == 1);
  CHECK(u.unknown_kinds[0].first == "task.teleported");
}

TEST_CASE("hostile callbacks are rejected with a reason, never a crash") {
  struct Row {
    std::string body;
    std::string code;
  };
  const std::string huge(200, 'x');
  const std::vector<Row> rows = {
      {"EventType=task.created&TaskSid=WT1&Timestamp=%ZZ", "invalid_form"},
      {"EventType=task.created&TaskSid=WT1", "invalid_time"},
      {"EventType=task.created&TaskSid=WT1&Timestamp=-4", "invalid_time"},
      {"EventType=task.created&TaskSid=WT1&Timestamp=99999999999999999999", "invalid_time"},
      {"EventType=task.created&TaskSid=WT1&TimestampMs=abc", "invalid_time"},
      {"EventType=task.created&Timestamp=1795338000", "missing_field"},
      {"EventType=task-queue.entered&TaskSid=WT1&Timestamp=1795338000", "missing_field"},
      {"EventType=reservation.accepted&TaskSid=WT1&Timestamp=1795338000", "missing_field"},
      {"TaskSid=WT1&Timestamp=1795338000", "missing_field"},
      {"EventType=task.created&TaskSid=" + huge + "&Timestamp=1795338000", "field_too_long"},
      {"EventType=task.created&TaskSid=W%00T&Timestamp=1795338000", "invalid_text"},
      {"EventType=task%FF&Timestamp=1795338000", "invalid_text"},
      {"v=" + std::string(70000, 'x'), "invalid_form"},
  };
  for (const Row& r : rows) {
    INFO(r.body.substr(0, 100));
    const AdapterBatch b = map_taskrouter_callback(r.body, opts());
    CHECK(b.events.empty());
    CHECK(b.count(RecordOutcome::kRejected) == 1);
    REQUIRE(b.issues.size() == 1);
    CHECK(b.issues[0].code == r.code);
  }
}

TEST_CASE("Event Streams: CloudEvents of the same events, bad ones beside good ones") {
  // Written from Twilio's Event Streams TaskRouter schema: type
  // com.twilio.taskrouter.<event type>, fields in data.payload (snake_case).
  const std::string body = R"([
    {"specversion":"1.0","type":"com.twilio.taskrouter.task-queue.entered","source":"x",
     "id":"EV100","time":"2026-11-22T09:00:05Z",
     "data":{"payload":{"eventtype":"task-queue.entered","timestamp":"2026-11-22T09:00:01.500Z",
       "task_sid":"WT02","task_queue_name":"Sales","task_channel_unique_name":"chat"}}},
    {"specversion":"1.0","type":"com.twilio.taskrouter.reservation.accepted","id":"EV101",
     "data":{"payload":{"timestamp":"2026-11-22T09:00:20Z","task_sid":"WT02",
       "task_queue_name":"Sales","task_channel_unique_name":"chat","worker_sid":"WK01"}}},
    42,
    {"specversion":"1.0","type":"com.twilio.taskrouter.task.canceled","id":"EV102",
     "data":{"payload":{"task_sid":"WT03"}}},
    {"specversion":"1.0","type":"com.twilio.voice.status-callback.call.ringing","id":"EV103"},
    {"specversion":"1.0","id":"EV104"},
    {"specversion":"1.0","type":"com.twilio.taskrouter.worker.activity.update","id":"EV105",
     "time":"2026-11-22T09:01:00Z",
     "data":{"payload":{"worker_sid":"WK01","worker_activity_name":"Break"}}},
    {"specversion":"1.0","type":"com.twilio.taskrouter.task-queue.entered","id":"EV100",
     "data":{"payload":{"timestamp":"2026-11-22T09:00:01.500Z","task_sid":"WT02",
       "task_queue_name":"Sales","task_channel_unique_name":"chat"}}}
  ])";
  const AdapterBatch b = map_twilio_event_streams(body, opts());
  // 8 records: 4 mapped (1, 2, 7, 8: 8 repeats 1), 3 rejected (3 not an
  // object, 4 no time, 6 no type), 1 unknown (5, not TaskRouter).
  CHECK(b.count(RecordOutcome::kMapped) == 4);
  CHECK(b.count(RecordOutcome::kRejected) == 3);
  CHECK(b.count(RecordOutcome::kUnknown) == 1);
  REQUIRE(b.events.size() == 4);
  CHECK(b.events[0].type == EventType::kContactQueued);
  CHECK(b.events[0].time == seconds(kT0 + 1) + 500000);  // payload timestamp wins over `time`
  CHECK(b.events[0].channel == "chat");
  CHECK(b.events[0].queue == "Sales");
  CHECK(b.events[0].id == "acme:EV100:0");
  CHECK(b.events[1].type == EventType::kContactAnswered);
  CHECK(b.events[1].agent == "WK01");
  CHECK(b.events[2].type == EventType::kAgentState);
  CHECK(b.events[2].state == AgentState::kAway);
  CHECK(b.events[2].time == seconds(kT0 + 60));  // no payload timestamp: CloudEvents `time`
  CHECK(b.events[3].id == b.events[0].id);       // a duplicate keeps its id
  REQUIRE(b.issues.size() == 4);
  CHECK(b.issues[0].record == 3);
  CHECK(b.issues[0].code == "not_object");
  CHECK(b.issues[1].record == 4);
  CHECK(b.issues[1].code == "invalid_time");
}

TEST_CASE("Event Streams: unreadable and oversized bodies") {
  for (const std::string body : {"", "not json", "[1,", "\"str\"", "{\"a\":"}) {
    const AdapterBatch b = map_twilio_event_streams(body, opts());
    CHECK(b.count(RecordOutcome::kRejected) == 1);
    REQUIRE(b.issues.size() == 1);
    CHECK(b.issues[0].code == "invalid_json");
  }
  TwilioOptions small = opts();
  small.max_body_bytes = 10;
  CHECK(map_twilio_event_streams("[{},{},{},{}]", small).issues.at(0).code == "too_large");
  // Deep nesting is bounded by the body size and parsed without recursion.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(map_twilio_event_streams(deep, opts()).count(RecordOutcome::kRejected) == 1);
}

TEST_CASE("Twilio ids with the source prefix stay within events.md's 128 bytes") {
  // The defect fuzz_adapter_connect found (crash-801de1f4... in its corpus),
  // checked here too: with source "acme" (4 bytes) a TaskSid may have
  // 128 - 5 = 123 bytes ("acme:<TaskSid>"), a Sid 128 - 5 - 2 = 121
  // ("acme:<Sid>:0").
  const std::string t123(123, 't'), t124(124, 't'), s121(121, 's'), s122(122, 's');
  auto body = [](const std::string& sid, const std::string& task) {
    return "EventType=task.created&Sid=" + sid + "&Timestamp=1795338000&TaskSid=" + task +
           "&TaskChannelUniqueName=voice";
  };
  for (const auto& [sid, task] : {std::pair{s121, t124}, std::pair{s122, t123}}) {
    const AdapterBatch b = map_taskrouter_callback(body(sid, task), opts());
    CHECK(b.events.empty());
    REQUIRE(b.issues.size() == 1);
    CHECK(b.issues[0].code == "field_too_long");
  }
  const AdapterBatch ok = map_taskrouter_callback(body(s121, t123), opts());
  REQUIRE(ok.events.size() == 1);
  CHECK(ok.events[0].id.size() == 128);
  CHECK(ok.events[0].contact.size() == 128);
}

TEST_CASE("task.created and task-queue.entered need the task channel") {
  // contact.created and contact.queued require `channel` (events.md); found
  // for Connect by fuzz_adapter_connect (crash-801de1f4...), the same here.
  for (const std::string type : {"task.created", "task-queue.entered"}) {
    const AdapterBatch b = map_taskrouter_callback(
        "EventType=" + type + "&Timestamp=1795338000&TaskSid=WT1&TaskQueueName=Support", opts());
    INFO(type);
    CHECK(b.events.empty());
    REQUIRE(b.issues.size() == 1);
    CHECK(b.issues[0].code == "missing_field");
  }
}
