// Asterisk queue_log lines -> ccmon events, one verb per row; expected events
// written by hand from the verb semantics in docs/adapters.md.
#include "core/adapters/asterisk_queue_log.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace ccmon::core;
using namespace ccmon::core::adapters;

// One expected event, the fields that matter; empty = must be empty.
struct Want {
  EventType type;
  std::int64_t time_s;
  std::string contact;
  std::string queue;
  std::string agent;
  std::string reason;
  std::optional<AgentState> state;
};

void check_events(const AdapterBatch& b, const std::vector<Want>& want) {
  REQUIRE(b.events.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Event& e = b.events[i];
    INFO("event " << i << " (" << to_string(e.type) << ")");
    CHECK(e.type == want[i].type);
    CHECK(e.time == seconds(want[i].time_s));
    CHECK(e.contact == want[i].contact);
    CHECK(e.agent == want[i].agent);
    CHECK(e.reason == want[i].reason);
    CHECK(e.state == want[i].state);
    if (e.type != EventType::kAgentState) {
      CHECK(e.queue == want[i].queue);
      CHECK(e.channel == "voice");
    }
  }
}

AdapterBatch run(std::string_view text, QueueLogOptions o = {}) {
  o.source = o.source == "asterisk" ? "pbx1" : o.source;
  QueueLogState state;
  return map_queue_log(text, o, state);
}

constexpr auto Q = EventType::kContactQueued;
constexpr auto A = EventType::kAgentState;

}  // namespace

TEST_CASE("a call's life: ENTERQUEUE, CONNECT, COMPLETECALLER") {
  // Wait is the CONNECT time minus the ENTERQUEUE time: 100 - 76 = 24 s, the
  // holdtime Asterisk writes in CONNECT's data1 (the adapter keeps line times).
  const AdapterBatch b =
      run("1000000076|1000000070.5|sales|NONE|ENTERQUEUE||5551234|1\n"
          "1000000100|1000000070.5|sales|PJSIP/201|CONNECT|24|1000000099.7|3\n"
          "1000000400|1000000070.5|sales|PJSIP/201|COMPLETECALLER|24|300|1\n");
  CHECK(b.count(RecordOutcome::kMapped) == 3);
  check_events(
      b, {
             {Q, 1000000076, "pbx1:1000000070.5", "sales", "", "", {}},
             {EventType::kContactAnswered, 1000000100, "pbx1:1000000070.5", "sales", "201", "", {}},
             {A, 1000000100, "", "", "201", "", AgentState::kBusy},
             {EventType::kContactEnded, 1000000400, "pbx1:1000000070.5", "sales", "201", "", {}},
             {EventType::kContactWrapped, 1000000400, "pbx1:1000000070.5", "sales", "201", "", {}},
             {A, 1000000400, "", "", "201", "", AgentState::kAvailable},
         });
}

TEST_CASE("COMPLETEAGENT with a configured wrap-up time") {
  QueueLogOptions o;
  o.wrapup = seconds(15);
  const AdapterBatch b =
      run("100|7.1|q|Agent/9|CONNECT|2|8.1|1\n"
          "200|7.1|q|Agent/9|COMPLETEAGENT|2|100|1\n",
          o);
  // Completion at 200: ended 200, wrap_up 200, wrapped and available 200 + 15.
  check_events(b, {
                      {EventType::kContactAnswered, 100, "pbx1:7.1", "q", "9", "", {}},
                      {A, 100, "", "", "9", "", AgentState::kBusy},
                      {EventType::kContactEnded, 200, "pbx1:7.1", "q", "9", "", {}},
                      {A, 200, "", "", "9", "", AgentState::kWrapUp},
                      {EventType::kContactWrapped, 215, "pbx1:7.1", "q", "9", "", {}},
                      {A, 215, "", "", "9", "", AgentState::kAvailable},
                  });
}

TEST_CASE("queue exits: abandon, timeout, empty, key, withdraw") {
  const AdapterBatch b =
      run("10|c1|q|NONE|ABANDON|1|1|9\n"
          "11|c2|q|NONE|EXITWITHTIMEOUT|1|2|300\n"
          "12|c3|q|NONE|EXITEMPTY|1|1|4\n"
          "13|c4|q|NONE|EXITWITHKEY|5|1|1|20\n"
          "14|c5|q|NONE|WITHDRAW|1|1|30|callback\n");
  CHECK(b.count(RecordOutcome::kMapped) == 5);
  check_events(b, {
                      {EventType::kContactAbandoned, 10, "pbx1:c1", "q", "", "", {}},
                      {EventType::kContactOverflowed, 11, "pbx1:c2", "q", "", "timeout", {}},
                      {EventType::kContactOverflowed, 12, "pbx1:c3", "q", "", "no_agents", {}},
                      {EventType::kContactOverflowed, 13, "pbx1:c4", "q", "", "key", {}},
                      {EventType::kContactOverflowed, 14, "pbx1:c5", "q", "", "withdraw", {}},
                  });
}

TEST_CASE("the three transfer verbs end the segment and free the agent") {
  // Data as the real PBXware log writes it (fewer fields than documented):
  // the adapter needs none of them.
  const AdapterBatch b =
      run("20|c1|q|Agent/1|TRANSFER|200|from-internal|5|60|1\n"
          "21|c2|q|Agent/2|BLINDTRANSFER|5550100|1142|transfer\n"
          "22|c3|q|Agent/3|ATTENDEDTRANSFER|5550101\n");
  check_events(b, {
                      {EventType::kContactTransferred, 20, "pbx1:c1", "q", "1", "", {}},
                      {A, 20, "", "", "1", "", AgentState::kAvailable},
                      {EventType::kContactTransferred, 21, "pbx1:c2", "q", "2", "", {}},
                      {A, 21, "", "", "2", "", AgentState::kAvailable},
                      {EventType::kContactTransferred, 22, "pbx1:c3", "q", "3", "", {}},
                      {A, 22, "", "", "3", "", AgentState::kAvailable},
                  });
}

TEST_CASE("agent verbs: login, members, pauses, logoff") {
  const AdapterBatch b =
      run("30|NONE|NONE|Agent/7|AGENTLOGIN|SIP/7\n"          // available
          "31|NONE|q1|Local/7@from-queue/n|ADDMEMBER|\n"     // already available: no event
          "32|NONE|q2|Local/7@from-queue/n|ADDMEMBER|\n"     // idem
          "33|NONE|q1|Agent/7|PAUSE|lunch\n"                 // away (lunch)
          "34|NONE|q2|Agent/7|PAUSE|lunch\n"                 // still away: no event
          "35|NONE|NONE|Agent/7|PAUSEALL|lunch\n"            // idem
          "36|NONE|NONE|Agent/7|UNPAUSEALL|\n"               // available
          "37|NONE|q1|Local/7@from-queue/n|REMOVEMEMBER|\n"  // still in q2: no event
          "38|NONE|q2|Local/7@from-queue/n|REMOVEMEMBER|\n"  // no queue left: offline
          "39|NONE|q1|SIP/8|ADDMEMBER|\n"                    // first sight: available
          "40|NONE|NONE|Agent/8|UNPAUSE|\n"                  // already available: no event
          "41|NONE|NONE|Agent/8|AGENTLOGOFF|SIP/8|3600\n");  // offline
  CHECK(b.count(RecordOutcome::kMapped) == 6);
  CHECK(b.count(RecordOutcome::kIgnored) == 6);
  check_events(b, {
                      {A, 30, "", "", "7", "", AgentState::kAvailable},
                      {A, 33, "", "", "7", "lunch", AgentState::kAway},
                      {A, 36, "", "", "7", "", AgentState::kAvailable},
                      {A, 38, "", "", "7", "", AgentState::kOffline},
                      {A, 39, "", "", "8", "", AgentState::kAvailable},
                      {A, 41, "", "", "8", "", AgentState::kOffline},
                  });
}

TEST_CASE("the agent state memory carries across calls and is bounded") {
  QueueLogOptions o;
  o.source = "pbx1";
  QueueLogState state;
  map_queue_log("1|NONE|NONE|Agent/7|PAUSEALL|break", o, state);
  const AdapterBatch again = map_queue_log("2|NONE|q|Agent/7|PAUSE|break", o, state);
  CHECK(again.events.empty());
  CHECK(again.count(RecordOutcome::kIgnored) == 1);

  for (std::size_t i = 0; i < QueueLogState::kMaxAgents + 10; ++i) {
    map_queue_log("3|NONE|NONE|Agent/x" + std::to_string(i) + "|AGENTLOGIN|", o, state);
  }
  CHECK(state.agents.size() == QueueLogState::kMaxAgents);
  // An agent beyond the bound still gets its state, without memory.
  const AdapterBatch late =
      map_queue_log("4|NONE|NONE|Agent/late|PAUSEALL|\n5|NONE|NONE|Agent/late|PAUSEALL|", o, state);
  CHECK(late.events.size() == 2);
}

TEST_CASE("ignored, unknown and blank lines") {
  const AdapterBatch b =
      run("1|NONE|NONE|NONE|QUEUESTART\n"
          "2|NONE|NONE|NONE|CONFIGRELOAD\n"
          "3|c1|q|Agent/1|RINGNOANSWER|15000\n"
          "4|c1|q|Agent/1|RINGCANCELED|2000\n"
          "5|c1|q|NONE|DID|5550100\n"
          "6|c9|NONE|Agent/1|OUTDIAL|CALLER\n"
          "7|c9|NONE|Agent/1|OUTDIAL|CALLER\n"
          "\n"
          "   \r\n");
  CHECK(b.events.empty());
  CHECK(b.count(RecordOutcome::kIgnored) == 6);  // 4 verbs + 2 blank lines
  CHECK(b.count(RecordOutcome::kUnknown) == 3);
  REQUIRE(b.unknown_kinds.size() == 2);
  CHECK(b.unknown_kinds[0] == std::pair<std::string, std::size_t>{"DID", 1});
  CHECK(b.unknown_kinds[1] == std::pair<std::string, std::size_t>{"OUTDIAL", 2});
  REQUIRE(b.issues.size() == 3);
  CHECK(b.issues[0].record == 5);
  CHECK(b.issues[0].code == "DID");
}

TEST_CASE("ids: contact ids carry the source, event ids are deterministic") {
  const std::string line = "1000000076|1000000070.5|sales|NONE|ENTERQUEUE||5551234|1";
  QueueLogOptions a;
  a.source = "paris";
  QueueLogOptions b;
  b.source = "lyon";
  QueueLogState sa;
  QueueLogState sb;
  const AdapterBatch first = map_queue_log(line, a, sa);
  const AdapterBatch reread = map_queue_log(line + "\r\n", a, sa);  // the same line again
  const AdapterBatch other = map_queue_log(line, b, sb);
  REQUIRE(first.events.size() == 1);
  REQUIRE(reread.events.size() == 1);
  REQUIRE(other.events.size() == 1);
  // A re-read line is a duplicate for the engine's dedup: same id.
  CHECK(first.events[0].id == reread.events[0].id);
  CHECK(first.events[0].id == "paris:1000000076:" + fnv1a64_hex(line) + ":0");
  CHECK(other.events[0].id.rfind("lyon:", 0) == 0);
  CHECK(first.events[0].contact == "paris:1000000070.5");
  CHECK(other.events[0].contact == "lyon:1000000070.5");
  // Two events of one line differ by their index; two lines differ by hash.
  const AdapterBatch two = run("5|c|q|Agent/1|CONNECT|1|x|1\n5|c|q|Agent/2|CONNECT|1|x|1");
  REQUIRE(two.events.size() == 4);
  CHECK(two.events[0].id != two.events[1].id);
  CHECK(two.events[0].id != two.events[2].id);
  for (const Event& e : two.events) CHECK(e.id.size() <= kMaxIdBytes);
}

TEST_CASE("fractional epochs and member names") {
  const AdapterBatch b = run("1000000076.250|c|q|NONE|ENTERQUEUE||x|1");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].time == seconds(1000000076) + 250000);
  CHECK(queue_log_agent_id("Agent/1127", true) == "1127");
  CHECK(queue_log_agent_id("Local/1127@callback-agent", true) == "1127");
  CHECK(queue_log_agent_id("Jane Doe", true) == "Jane Doe");
  CHECK(queue_log_agent_id("SIP/1127", false) == "SIP/1127");
  CHECK(queue_log_agent_id("NONE", true).empty());
}

TEST_CASE("malformed lines are rejected with a reason; their neighbours still map") {
  const std::string huge(200, 'x');
  struct Row {
    std::string line;
    std::string code;
  };
  const std::vector<Row> rows = {
      {"1|c|q|NONE", "missing_field"},
      {"1|c|q|NONE|", "missing_field"},
      {"x|c|q|NONE|ENTERQUEUE", "invalid_time"},
      {"-5|c|q|NONE|ENTERQUEUE", "invalid_time"},
      {"12345678901|c|q|NONE|ENTERQUEUE", "invalid_time"},
      {"1.|c|q|NONE|ENTERQUEUE", "invalid_time"},
      {"1.1234567|c|q|NONE|ENTERQUEUE", "invalid_time"},
      {"1|c|q|NONE|ENTER QUEUE", "invalid_verb"},
      {"1|c|q|NONE|" + huge, "invalid_verb"},
      {"1|" + huge + "|q|NONE|ENTERQUEUE", "field_too_long"},
      {"1|c|" + huge + "|NONE|ENTERQUEUE", "field_too_long"},
      {"1|c|q\x01|NONE|ENTERQUEUE", "invalid_text"},
      {"1|c|q\xff|NONE|ENTERQUEUE", "invalid_text"},
      {"1|NONE|q|NONE|ENTERQUEUE", "missing_field"},
      {"1|c|NONE|NONE|ENTERQUEUE", "missing_field"},
      {"1|c|q|NONE|CONNECT|1|x|1", "missing_field"},
      {"1|NONE|NONE|NONE|AGENTLOGIN", "missing_field"},
      {"1|NONE|q|Agent/1|PAUSE|" + huge, "invalid_reason"},
      {"1|c|q|NONE|ENTERQUEUE" + std::string(5000, '|'), "line_too_long"},
  };
  std::string text;
  for (const Row& r : rows) text += r.line + "\n" + "2|ok|q|NONE|ENTERQUEUE||x|1\n";
  const AdapterBatch b = run(text);
  CHECK(b.count(RecordOutcome::kRejected) == rows.size());
  CHECK(b.count(RecordOutcome::kMapped) == rows.size());
  CHECK(b.events.size() == rows.size());
  REQUIRE(b.issues.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    CHECK(b.issues[i].record == 2 * i + 1);
    CHECK(b.issues[i].code == rows[i].code);
    CHECK_FALSE(b.issues[i].message.empty());
  }
}

TEST_CASE("an invalid source rejects every line") {
  QueueLogOptions o;
  o.source = "bad source";
  QueueLogState s;
  const AdapterBatch b = map_queue_log("1|c|q|NONE|ENTERQUEUE\n2|c|q|NONE|ABANDON|1|1|1", o, s);
  CHECK(b.events.empty());
  CHECK(b.count(RecordOutcome::kRejected) == 2);
  CHECK(b.issues[0].code == "invalid_source");
}

TEST_CASE("arbitrary bytes never crash the parser") {
  // A deterministic pseudo-random byte soup (LCG of Numerical Recipes),
  // biased towards '|' and '\n' so lines and fields vary.
  std::uint32_t x = 12345;
  std::string soup;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1664525u + 1013904223u;
    const std::uint32_t r = x >> 24;
    soup += r < 40    ? '|'
            : r < 50  ? '\n'
            : r < 120 ? static_cast<char>('0' + r % 10)
                      : static_cast<char>(r);
  }
  QueueLogOptions o;
  QueueLogState s;
  const AdapterBatch b = map_queue_log(soup, o, s);
  std::size_t total = 0;
  for (const std::size_t n : b.counts) total += n;
  CHECK(total > 0);
  CHECK(b.issues.size() <= kMaxIssues);
}

TEST_CASE("the contact id <source>:<callid> stays within events.md's 128 bytes") {
  // From fuzz_adapter_queue_log, crash-ac5e0d561f6e78712ace37790baa979a1c3ee3f3:
  // a 124-byte call id passed the 128-byte name check, and the contact id
  // "pbx1:<callid>" (129 bytes) was one the ingest refuses. With source
  // "pbx1" (4 bytes) the call id may have 128 - 5 = 123 bytes.
  const std::string fits(123, 'c');
  const std::string over(124, 'c');
  const AdapterBatch b =
      run("1|" + over + "|q|NONE|ENTERQUEUE||x|1\n1|" + fits + "|q|NONE|ENTERQUEUE||x|1\n");
  CHECK(b.count(RecordOutcome::kRejected) == 1);
  REQUIRE(b.issues.size() == 1);
  CHECK(b.issues[0].record == 1);
  CHECK(b.issues[0].code == "field_too_long");
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].contact == "pbx1:" + fits);
  CHECK(b.events[0].contact.size() == 128);
}
