// Amazon Connect contact events (EventBridge) and agent event stream records
// (Firehose HTTP endpoint) -> ccmon events. Payloads written for these tests
// from the Amazon Connect contact events data model, the agent event stream
// reference and the Firehose HTTP endpoint specification; expected events
// worked out by hand from docs/adapters.md.
#include "core/adapters/amazon_connect.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using namespace ccmon::core;
using namespace ccmon::core::adapters;

// 2026-11-22T09:00:00Z.
constexpr std::int64_t kT0 = 1795338000;
const std::string kInstance = "arn:aws:connect:eu-west-1:111122223333:instance/i-1";

std::string iso(int s) {  // kT0 + s, s < 3600
  char buf[48];
  std::snprintf(buf, sizeof buf, "2026-11-22T09:%02d:%02d.000Z", s / 60, s % 60);
  return buf;
}

// One EventBridge contact event; `detail_extra` adds detail fields.
std::string contact_event(const std::string& id, int t, const std::string& type,
                          const std::string& contact, const std::string& detail_extra = "",
                          const std::string& method = "INBOUND",
                          const std::string& channel = "VOICE") {
  return R"({"version":"0","id":")" + id +
         R"(","detail-type":"Amazon Connect Contact Event","source":"aws.connect","time":")" +
         iso(t) + R"(","region":"eu-west-1","resources":[],"detail":{"eventType":")" + type +
         R"(","contactId":")" + contact + R"(","channel":")" + channel +
         R"(","initiationMethod":")" + method + R"(","instanceArn":")" + kInstance + "\"" +
         detail_extra + "}}";
}

std::string queue_info(int enqueued) {
  return R"(,"queueInfo":{"queueArn":")" + kInstance + R"(/queue/q-111","enqueueTimestamp":")" +
         iso(enqueued) + R"(","queueType":"STANDARD"})";
}
std::string agent_info(int connected, int acw_end = -1) {
  std::string s = R"(,"agentInfo":{"agentArn":")" + kInstance +
                  R"(/agent/a-1","connectedToAgentTimestamp":")" + iso(connected) + "\"";
  if (acw_end >= 0) s += R"(,"afterContactWorkEndTimestamp":")" + iso(acw_end) + "\"";
  return s + "}";
}

ConnectOptions opts() {
  ConnectOptions o;
  o.source = "eu1";
  o.queue_names = {{"q-111", "support"}};
  o.agent_names = {{"a-1", "alice"}};
  return o;
}

// RFC 4648 base64, written here independently of the adapter (which uses
// OpenSSL) and checked against the RFC's test vectors below.
std::string b64(std::string_view in) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? k[v & 63] : '=';
  }
  return out;
}

std::string agent_record(const std::string& id, int t, const std::string& type,
                         const std::string& status_type, const std::string& status_name,
                         const std::string& contact_state = "") {
  std::string contacts =
      contact_state.empty()
          ? "[]"
          : R"([{"ContactId":"c1","Channel":"VOICE","State":")" + contact_state + "\"}]";
  return R"({"AWSAccountId":"111122223333","AgentARN":")" + kInstance +
         R"(/agent/a-1","EventId":")" + id + R"(","EventTimestamp":")" + iso(t) +
         R"(","EventType":")" + type + R"(","InstanceARN":")" + kInstance +
         R"(","Version":"2019-05-25","CurrentAgentSnapshot":{"AgentStatus":{"Name":")" +
         status_name + R"(","Type":")" + status_type + R"("},"Contacts":)" + contacts + "}}";
}

std::string firehose(const std::vector<std::string>& data) {
  std::string s =
      R"({"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1795338000123,"records":[)";
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i) s += ',';
    s += R"({"data":")" + data[i] + "\"}";
  }
  return s + "]}";
}

}  // namespace

TEST_CASE("the test's own base64 matches RFC 4648's vectors") {
  CHECK(b64("") == "");
  CHECK(b64("f") == "Zg==");
  CHECK(b64("fo") == "Zm8=");
  CHECK(b64("foobar") == "Zm9vYmFy");
}

TEST_CASE("an inbound call: initiated, queued, answered, disconnected, completed") {
  const std::string body =
      "[" + contact_event("e1", 0, "INITIATED", "c1") + "," +
      contact_event("e2", 6, "QUEUED", "c1", queue_info(5)) + "," +
      contact_event("e3", 26, "CONNECTED_TO_AGENT", "c1", queue_info(5) + agent_info(25)) + "," +
      contact_event(
          "e4", 300, "DISCONNECTED", "c1",
          queue_info(5) + agent_info(25) + R"(,"disconnectTimestamp":")" + iso(299) + "\"") +
      "," + contact_event("e5", 331, "COMPLETED", "c1", queue_info(5) + agent_info(25, 330)) + "]";
  const AdapterBatch b = map_connect_contact_events(body, opts());
  CHECK(b.count(RecordOutcome::kMapped) == 5);
  REQUIRE(b.events.size() == 5);
  // Times come from the detail's own timestamps where there is one:
  // queued at enqueueTimestamp (5), answered at connectedToAgent (25), ended
  // at disconnectTimestamp (299), wrapped at afterContactWorkEnd (330).
  const std::vector<std::pair<EventType, int>> want = {{EventType::kContactCreated, 0},
                                                       {EventType::kContactQueued, 5},
                                                       {EventType::kContactAnswered, 25},
                                                       {EventType::kContactEnded, 299},
                                                       {EventType::kContactWrapped, 330}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(i);
    CHECK(b.events[i].type == want[i].first);
    CHECK(b.events[i].time == seconds(kT0 + want[i].second));
    CHECK(b.events[i].contact == "eu1:c1");
    CHECK(b.events[i].channel == "voice");
    CHECK(b.events[i].id == "eu1:e" + std::to_string(i + 1) + ":0");
  }
  CHECK(b.events[1].queue == "support");  // q-111 through queue_names
  CHECK(b.events[2].agent == "alice");    // a-1 through agent_names
}

TEST_CASE("a queue transfer ends the first contact's segment; the new contact is offered") {
  // The flow transfers c1 to another queue: Connect creates c2
  // (initiationMethod QUEUE_TRANSFER, previousContactId c1), queues it.
  const std::string body =
      "[" +
      contact_event("t1", 100, "INITIATED", "c2", R"(,"previousContactId":"c1")",
                    "QUEUE_TRANSFER") +
      "," +
      contact_event("t2", 101, "QUEUED", "c2", R"(,"previousContactId":"c1")" + queue_info(101),
                    "QUEUE_TRANSFER") +
      "," +
      contact_event("t3", 102, "INITIATED", "c9", R"(,"previousContactId":"c8")", "TRANSFER") + "]";
  const AdapterBatch b = map_connect_contact_events(body, opts());
  REQUIRE(b.events.size() == 3);
  CHECK(b.events[0].type == EventType::kContactTransferred);
  CHECK(b.events[0].contact == "eu1:c1");
  CHECK(b.events[1].type == EventType::kContactQueued);
  CHECK(b.events[1].contact == "eu1:c2");
  CHECK(b.events[1].queue == "support");
  CHECK(b.events[2].type == EventType::kContactTransferred);
  CHECK(b.events[2].contact == "eu1:c8");
}

TEST_CASE("a callback is a flow-out of the original contact, never an abandon") {
  const std::string body =
      "[" +
      contact_event("k1", 60, "INITIATED", "cb1", R"(,"previousContactId":"c5")", "CALLBACK") +
      "," + contact_event("k2", 61, "QUEUED", "cb1", queue_info(61), "CALLBACK") + "]";
  const AdapterBatch b = map_connect_contact_events(body, opts());
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].type == EventType::kContactOverflowed);
  CHECK(b.events[0].contact == "eu1:c5");
  CHECK(b.events[0].reason == "callback");
  CHECK(b.events[1].type == EventType::kContactQueued);  // the callback waits in its queue
  CHECK(b.events[1].contact == "eu1:cb1");
  for (const Event& e : b.events) CHECK(e.type != EventType::kContactAbandoned);
}

TEST_CASE("leaving the queue: customer hang-up is an abandon, a flow disconnect a flow-out") {
  const std::string body =
      "[" +
      contact_event("d1", 40, "DISCONNECTED", "c6",
                    queue_info(10) + R"(,"disconnectReason":"CUSTOMER_DISCONNECT")") +
      "," +
      contact_event("d2", 41, "DISCONNECTED", "c7",
                    queue_info(10) + R"(,"disconnectReason":"CONTACT_FLOW_DISCONNECT")") +
      "," + contact_event("d3", 42, "DISCONNECTED", "c8") + "]";  // never queued: IVR only
  const AdapterBatch b = map_connect_contact_events(body, opts());
  REQUIRE(b.events.size() == 2);
  CHECK(b.events[0].type == EventType::kContactAbandoned);
  CHECK(b.events[0].queue == "support");
  CHECK(b.events[1].type == EventType::kContactOverflowed);
  CHECK(b.events[1].reason == "contact_flow_disconnect");
  CHECK(b.count(RecordOutcome::kIgnored) == 1);
}

TEST_CASE("the four channels") {
  for (const auto& [connect, ccmon] : std::vector<std::pair<std::string, std::string>>{
           {"VOICE", "voice"}, {"CHAT", "chat"}, {"TASK", "task"}, {"EMAIL", "email"}}) {
    const AdapterBatch b = map_connect_contact_events(
        contact_event("x", 1, "QUEUED", "c1", queue_info(1), "API", connect), opts());
    REQUIRE(b.events.size() == 1);
    CHECK(b.events[0].channel == ccmon);
  }
}

TEST_CASE("ignored, unknown, duplicate and out-of-order contact events") {
  const std::string answered =
      contact_event("o2", 26, "CONNECTED_TO_AGENT", "c1", queue_info(5) + agent_info(25));
  const std::string body = "[" + answered + "," +  // before its QUEUED
                           contact_event("o1", 6, "QUEUED", "c1", queue_info(5)) + "," + answered +
                           "," +  // a redelivery
                           contact_event("o3", 7, "CONTACT_DATA_UPDATED", "c1") + "," +
                           contact_event("o4", 8, "QUEUED", "c2", queue_info(8), "OUTBOUND") + "," +
                           contact_event("o5", 9, "TELEPORTED", "c1") + "," +
                           R"({"id":"o6","detail-type":"Amazon Connect Agent Event","time":")" +
                           iso(9) + R"(","detail":{}})" + "]";
  const AdapterBatch b = map_connect_contact_events(body, opts());
  CHECK(b.count(RecordOutcome::kMapped) == 3);
  CHECK(b.count(RecordOutcome::kIgnored) == 2);
  CHECK(b.count(RecordOutcome::kUnknown) == 2);
  REQUIRE(b.events.size() == 3);
  // Each maps on its own, with its own event time; ordering is the engine's.
  CHECK(b.events[0].type == EventType::kContactAnswered);
  CHECK(b.events[1].type == EventType::kContactQueued);
  CHECK(b.events[0].time > b.events[1].time);
  CHECK(b.events[2].id == b.events[0].id);  // the duplicate keeps its id
}

TEST_CASE("hostile contact events: rejected with a reason, neighbours kept") {
  const std::string huge(300, 'x');
  struct Row {
    std::string json;
    std::string code;
  };
  const std::vector<Row> rows = {
      {"42", "not_object"},
      {R"({"id":"h1","time":"2026-11-22T09:00:00Z"})", "missing_field"},
      {contact_event("", 1, "QUEUED", "c1", queue_info(1)), "missing_field"},
      {contact_event("h2", 1, "QUEUED", "", queue_info(1)), "missing_field"},
      {contact_event("h3", 1, "QUEUED", "c1"), "missing_field"},  // no queue
      {contact_event("h4", 1, "CONNECTED_TO_AGENT", "c1"), "missing_field"},
      {contact_event("h5", 1, "QUEUED", huge, queue_info(1)), "field_too_long"},
      {contact_event("h6", 1, "QUEUED", "c\\u0001", queue_info(1)), "invalid_text"},
      {R"({"id":"h7","detail-type":"Amazon Connect Contact Event","time":"yesterday","detail":{"eventType":"QUEUED","contactId":"c1"}})",
       "invalid_time"},
  };
  std::string body = "[";
  for (const Row& r : rows) body += r.json + "," + contact_event("ok", 1, "INITIATED", "c0") + ",";
  body.back() = ']';
  const AdapterBatch b = map_connect_contact_events(body, opts());
  CHECK(b.count(RecordOutcome::kRejected) == rows.size());
  CHECK(b.count(RecordOutcome::kMapped) == rows.size());
  REQUIRE(b.issues.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO(rows[i].json.substr(0, 80));
    CHECK(b.issues[i].record == 2 * i + 1);
    CHECK(b.issues[i].code == rows[i].code);
  }
  for (const std::string bad : {"", "{", "[1,", "\"s\"", "null"}) {
    CHECK(map_connect_contact_events(bad, opts()).issues.at(0).code == "invalid_json");
  }
  ConnectOptions small = opts();
  small.max_body_bytes = 8;
  CHECK(map_connect_contact_events("[{},{},{}]", small).issues.at(0).code == "too_large");
}

TEST_CASE("agent event stream records through Firehose") {
  // The first record's data computed with the coreutils CLI, independently:
  //   printf '%s' '<the LOGIN record below>' | base64 -w0
  const std::string login_b64 =
      "eyJBZ2VudEFSTiI6ImFybjphd3M6Y29ubmVjdDpldS13ZXN0LTE6MTExMTIyMjIzMzMzOmluc3RhbmNlL2ktMS9hZ2Vu"
      "dC9hLTEiLCJFdmVudElkIjoiRS0xIiwiRXZlbnRUaW1lc3RhbXAiOiIyMDI2LTExLTIyVDA5OjAwOjAwLjAwMFoiLCJF"
      "dmVudFR5cGUiOiJMT0dJTiIsIkN1cnJlbnRBZ2VudFNuYXBzaG90Ijp7IkFnZW50U3RhdHVzIjp7Ik5hbWUiOiJBdmFp"
      "bGFibGUiLCJUeXBlIjoiUk9VVEFCTEUifSwiQ29udGFjdHMiOltdfX0=";
  const std::string body = firehose({
      login_b64,
      b64(agent_record("E-2", 30, "STATE_CHANGE", "ROUTABLE", "Available", "CONNECTED")),
      b64(agent_record("E-3", 330, "STATE_CHANGE", "ROUTABLE", "Available", "ENDED")),
      b64(agent_record("E-4", 400, "STATE_CHANGE", "CUSTOM", "Lunch")),
      b64(agent_record("E-5", 520, "HEART_BEAT", "CUSTOM", "Lunch")),
      b64(agent_record("E-6", 600, "LOGOUT", "OFFLINE", "Offline")),
      "not base64!",
      b64("{not json"),
      b64(agent_record("E-7", 601, "TELEPORT", "OFFLINE", "Offline")),
      b64(agent_record("E-2", 30, "STATE_CHANGE", "ROUTABLE", "Available", "CONNECTED")),
  });
  const ConnectAgentResult r = map_connect_agent_firehose(body, opts());
  REQUIRE(r.readable);
  CHECK(r.request_id == "ed4acda5-034f-9f42-bba1-f29aea6d7d8f");
  CHECK(r.batch.count(RecordOutcome::kMapped) == 6);
  CHECK(r.batch.count(RecordOutcome::kIgnored) == 1);  // the HEART_BEAT
  CHECK(r.batch.count(RecordOutcome::kRejected) == 2);
  CHECK(r.batch.count(RecordOutcome::kUnknown) == 1);
  REQUIRE(r.batch.events.size() == 6);
  struct Want {
    AgentState state;
    int t;
    std::string reason;
  };
  const std::vector<Want> want = {
      {AgentState::kAvailable, 0, ""}, {AgentState::kBusy, 30, ""},
      {AgentState::kWrapUp, 330, ""},  {AgentState::kAway, 400, "Lunch"},
      {AgentState::kOffline, 600, ""}, {AgentState::kBusy, 30, ""}};
  REQUIRE(want.size() == r.batch.events.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(i);
    const Event& e = r.batch.events[i];
    CHECK(e.type == EventType::kAgentState);
    CHECK(e.agent == "alice");
    CHECK(e.state == want[i].state);
    CHECK(e.time == seconds(kT0 + want[i].t));
    CHECK(e.reason == want[i].reason);
  }
  CHECK(r.batch.events[0].id == "eu1:E-1:0");
  CHECK(r.batch.events[5].id == r.batch.events[1].id);  // redelivered record: same id
  REQUIRE(r.batch.issues.size() == 3);
  CHECK(r.batch.issues[0].record == 7);
  CHECK(r.batch.issues[0].code == "invalid_record");
  CHECK(r.batch.issues[1].code == "invalid_json");
  CHECK(r.batch.issues[2].code == "TELEPORT");
}

TEST_CASE("Firehose requests that cannot be read, and the response format") {
  std::string error;
  for (const std::string bad :
       {"", "[]", "{}", R"({"requestId":"r1"})", R"({"requestId":"r1","records":{}})",
        R"({"requestId":7,"records":[]})"}) {
    INFO(bad);
    error.clear();
    CHECK_FALSE(parse_firehose_request(bad, error));
    CHECK_FALSE(error.empty());
    const ConnectAgentResult r = map_connect_agent_firehose(bad, opts());
    CHECK_FALSE(r.readable);
    CHECK(r.batch.count(RecordOutcome::kRejected) == 1);
  }
  const auto req = parse_firehose_request(
      R"({"requestId":"r1","timestamp":5,"records":[{"data":"Zm9vYmFy"},{"data":"Zg=="},{"x":1}]})",
      error);
  REQUIRE(req);
  CHECK(req->timestamp_ms == 5);
  CHECK(req->records == std::vector<std::string>{"foobar", "f", ""});
  CHECK(req->record_errors[2] == "record without a string `data`");
  ConnectOptions tiny = opts();
  tiny.max_record_bytes = 3;
  const auto capped =
      parse_firehose_request(R"({"requestId":"r1","records":[{"data":"Zm9vYmFy"}]})", error, tiny);
  REQUIRE(capped);
  CHECK(capped->record_errors[0].find("larger than 3") != std::string::npos);

  // Response: requestId echoed, timestamp in ms, errorMessage only on error.
  const auto ok = nlohmann::json::parse(firehose_response("r1", 1795338000456));
  CHECK(ok == nlohmann::json{{"requestId", "r1"}, {"timestamp", 1795338000456}});
  const auto err = nlohmann::json::parse(firehose_response("r1", 7, "bad \"key\""));
  CHECK(err["errorMessage"] == "bad \"key\"");
  CHECK(err["requestId"] == "r1");
}

TEST_CASE("contact.created and contact.queued need the contact's channel") {
  // From fuzz_adapter_connect, crash-801de1f48f76943d85fb1162c81a951a767063c0:
  // a QUEUED event without `detail.channel` gave a contact.queued without the
  // channel events.md requires.
  const std::string body = "[" + contact_event("e1", 0, "INITIATED", "c1", "", "INBOUND", "") +
                           "," +
                           contact_event("e2", 6, "QUEUED", "c1", queue_info(5), "INBOUND", "") +
                           "," + contact_event("e3", 6, "QUEUED", "c1", queue_info(5)) + "]";
  const AdapterBatch b = map_connect_contact_events(body, opts());
  CHECK(b.count(RecordOutcome::kRejected) == 2);
  CHECK(b.count(RecordOutcome::kMapped) == 1);
  REQUIRE(b.issues.size() == 2);
  CHECK(b.issues[0].record == 1);
  CHECK(b.issues[0].code == "missing_field");
  CHECK(b.issues[1].record == 2);
  CHECK(b.issues[1].code == "missing_field");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].channel == "voice");
}

TEST_CASE("Connect ids with the source prefix stay within events.md's 128 bytes") {
  // The same fuzz finding's other half (adapter_fuzz_check.hpp checks every
  // id): with source "eu1" (3 bytes) a ContactId may have 128 - 4 = 124
  // bytes ("eu1:<ContactId>"), an event id 128 - 4 - 2 = 122 ("eu1:<id>:0").
  const std::string c124(124, 'c'), c125(125, 'c'), e122(122, 'e'), e123(123, 'e');
  const std::string body = "[" + contact_event("ok1", 0, "INITIATED", c125) + "," +
                           contact_event(e123, 0, "INITIATED", "c1") + "," +
                           contact_event(e122, 0, "INITIATED", c124) + "]";
  const AdapterBatch b = map_connect_contact_events(body, opts());
  CHECK(b.count(RecordOutcome::kRejected) == 2);
  REQUIRE(b.issues.size() == 2);
  CHECK(b.issues[0].code == "field_too_long");
  CHECK(b.issues[1].code == "field_too_long");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].id.size() == 128);
  CHECK(b.events[0].contact.size() == 128);

  const ConnectAgentResult r = map_connect_agent_firehose(
      firehose({b64(agent_record(e123, 0, "LOGIN", "ROUTABLE", "Available")),
                b64(agent_record(e122, 0, "LOGIN", "ROUTABLE", "Available"))}),
      opts());
  REQUIRE(r.batch.issues.size() == 1);
  CHECK(r.batch.issues[0].record == 1);
  CHECK(r.batch.issues[0].code == "field_too_long");
  REQUIRE(r.batch.events.size() == 1);
  CHECK(r.batch.events[0].id.size() == 128);
}
