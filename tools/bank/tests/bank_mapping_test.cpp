#include "tools/bank/bank_mapping.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::bank;
using ccmon::core::EventType;

namespace {

BankRecord parse(const std::string& line) {
  RecordParser p;
  std::string error;
  REQUIRE(p.read_header(
      "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
      "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver",
      error));
  auto r = p.parse(line, error);
  INFO(error);
  REQUIRE(r);
  return *r;
}

// Seconds of day for H:MM:SS, written out so expected values read like the data.
constexpr LocalSeconds hms(int h, int m, int s) {
  return h * 3600 + m * 60 + s;
}

struct Expected {
  EventType type;
  LocalSeconds since_midnight;  // of the record's date
};

void check_plan(const BankRecord& r, const std::vector<Expected>& expected) {
  const auto plan = plan_events(r);
  const LocalSeconds midnight = local_midnight(r.date);
  REQUIRE(plan.size() == expected.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    INFO("event " << i << " " << ccmon::core::to_string(expected[i].type));
    CHECK(plan[i].type == expected[i].type);
    CHECK(plan[i].at - midnight == expected[i].since_midnight);
  }
}

}  // namespace

TEST_CASE("queued and served: wait = q_time, talk = ser_time", "[bank][mapping]") {
  // q_time 4 s (8:30:09 -> 8:30:13); ser_time 48 s (8:30:12 -> 8:31:00), so
  // answered at 8:30:13 and ended at 8:30:13 + 48 s = 8:31:01.
  check_plan(parse("AA0101\t36233\t0\t0\tNW\t990301\t8:30:00\t8:30:09\t9\t8:30:09\t8:30:13\t4\t"
                   "AGENT\t8:30:12\t8:31:00\t48\tMIKI"),
             {{EventType::kContactCreated, hms(8, 30, 0)},
              {EventType::kContactQueued, hms(8, 30, 9)},
              {EventType::kContactAnswered, hms(8, 30, 13)},
              {EventType::kContactEnded, hms(8, 31, 1)},
              {EventType::kContactWrapped, hms(8, 31, 1)}});
}

TEST_CASE("service start before q_start never gives a negative wait", "[bank][mapping]") {
  // ser_start 19:37:31 is before q_start 19:37:32; the wait is q_time = 15 s
  // and the talk ser_time = 130 s: ended at 19:37:47 + 130 s = 19:39:57.
  check_plan(parse("AA0101\t36851\t7803828\t2\tPS\t990309\t19:37:22\t19:37:32\t10\t19:37:32\t"
                   "19:37:47\t15\tAGENT\t19:37:31\t19:39:41\t130\tYITZ"),
             {{EventType::kContactCreated, hms(19, 37, 22)},
              {EventType::kContactQueued, hms(19, 37, 32)},
              {EventType::kContactAnswered, hms(19, 37, 47)},
              {EventType::kContactEnded, hms(19, 39, 57)},
              {EventType::kContactWrapped, hms(19, 39, 57)}});
}

TEST_CASE("queued and hung up: abandoned at q_exit", "[bank][mapping]") {
  check_plan(parse("AA0101\t36236\t0\t0\tNW\t990301\t8:48:28\t8:48:37\t9\t8:48:37\t8:50:14\t97\t"
                   "HANG\t0:00:00\t0:00:00\t0\tNO_SERVER"),
             {{EventType::kContactCreated, hms(8, 48, 28)},
              {EventType::kContactQueued, hms(8, 48, 37)},
              {EventType::kContactAbandoned, hms(8, 50, 14)}});
}

TEST_CASE("never queued and served: queued and answered at once", "[bank][mapping]") {
  // ser 7:40:36 -> 7:41:01 (25 s).
  check_plan(parse("AA0101\t36229\t0\t0\tNW\t990301\t7:40:24\t7:40:37\t13\t0:00:00\t0:00:00\t0\t"
                   "AGENT\t7:40:36\t7:41:01\t25\tMIKI"),
             {{EventType::kContactCreated, hms(7, 40, 24)},
              {EventType::kContactQueued, hms(7, 40, 36)},
              {EventType::kContactAnswered, hms(7, 40, 36)},
              {EventType::kContactEnded, hms(7, 41, 1)},
              {EventType::kContactWrapped, hms(7, 41, 1)}});
}

TEST_CASE("never queued and hung up: ended in the VRU", "[bank][mapping]") {
  check_plan(parse("AA0101\t36227\t0\t0\tPS\t990301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\t"
                   "HANG\t0:00:00\t0:00:00\t0\tNO_SERVER"),
             {{EventType::kContactCreated, hms(0, 14, 46)},
              {EventType::kContactSelfServed, hms(0, 15, 1)}});
}

TEST_CASE("PHANTOM records give no events", "[bank][mapping]") {
  CHECK(plan_events(parse("AA0101\t36494\t27704964\t2\tPS\t990304\t11:02:50\t11:02:55\t5\t"
                          "11:02:55\t11:05:49\t174\tPHANTOM\t11:05:48\t11:05:51\t3\tNO_SERVER"))
            .empty());
}

TEST_CASE("times after midnight belong to the next day", "[bank][mapping]") {
  // Served at 0:00:00 and ended 0:00:23 the next day (ser_time says 0 here;
  // the clock times win): next day = 86400 s after this record's midnight.
  check_plan(parse("AA0203\t44047\t0\t0\tPS\t990714\t23:59:47\t23:59:47\t0\t0:00:00\t0:00:00\t0\t"
                   "AGENT\t0:00:00\t0:00:23\t0\tSHARON"),
             {{EventType::kContactCreated, hms(23, 59, 47)},
              {EventType::kContactQueued, 86400},
              {EventType::kContactAnswered, 86400},
              {EventType::kContactEnded, 86400 + 23},
              {EventType::kContactWrapped, 86400 + 23}});
  // Queued before midnight, service 23:59:49 -> 0:02:09 = 11 s + 129 s = 140 s;
  // answered at q_exit 23:59:50, so ended at 23:59:50 + 140 s = 86390 + 140.
  check_plan(parse("AA0101\t1\t0\t2\tNE\t990714\t23:58:00\t23:58:10\t10\t23:58:10\t23:59:50\t100\t"
                   "AGENT\t23:59:49\t0:02:09\t140\tAVI"),
             {{EventType::kContactCreated, hms(23, 58, 0)},
              {EventType::kContactQueued, hms(23, 58, 10)},
              {EventType::kContactAnswered, hms(23, 59, 50)},
              {EventType::kContactEnded, 86390 + 140},
              {EventType::kContactWrapped, 86390 + 140}});
  // Abandoned after midnight: 0:00:40 next day.
  check_plan(parse("AA0101\t2\t0\t2\tPS\t990714\t23:59:00\t23:59:06\t6\t23:59:06\t0:00:40\t94\t"
                   "HANG\t0:00:00\t0:00:00\t0\tNO_SERVER"),
             {{EventType::kContactCreated, hms(23, 59, 0)},
              {EventType::kContactQueued, hms(23, 59, 6)},
              {EventType::kContactAbandoned, 86400 + 40}});
}

TEST_CASE("served calls without service times last 0 s", "[bank][mapping]") {
  // ser_start = ser_exit = 0:00:00 here means "not recorded", not midnight.
  check_plan(parse("AA0102\t28609\t0\t0\tPS\t990104\t13:39:21\t13:39:30\t9\t0:00:00\t0:00:00\t0\t"
                   "AGENT\t0:00:00\t0:00:00\t0\tGILI"),
             {{EventType::kContactCreated, hms(13, 39, 21)},
              {EventType::kContactQueued, hms(13, 39, 30)},
              {EventType::kContactAnswered, hms(13, 39, 30)},
              {EventType::kContactEnded, hms(13, 39, 30)},
              {EventType::kContactWrapped, hms(13, 39, 30)}});
  // Before noon too (0:00:00 is then not "more than 12 h before vru_entry").
  check_plan(parse("AA0105\t33910\t314234345\t2\tPE\t990113\t7:45:36\t7:45:40\t4\t7:45:40\t"
                   "7:46:53\t73\tAGENT\t0:00:00\t0:00:00\t0\tTALI"),
             {{EventType::kContactCreated, hms(7, 45, 36)},
              {EventType::kContactQueued, hms(7, 45, 40)},
              {EventType::kContactAnswered, hms(7, 46, 53)},
              {EventType::kContactEnded, hms(7, 46, 53)},
              {EventType::kContactWrapped, hms(7, 46, 53)}});
}

TEST_CASE("a VRU clock behind the queue's moves created back", "[bank][mapping]") {
  // vru_time -60: vru_entry 9:07:49 is after q_start 9:06:49.
  check_plan(parse("AA0101\t37451\t37582376\t1\tPS\t990319\t9:07:49\t9:06:49\t-60\t9:06:49\t"
                   "9:09:43\t174\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER"),
             {{EventType::kContactCreated, hms(9, 6, 49)},
              {EventType::kContactQueued, hms(9, 6, 49)},
              {EventType::kContactAbandoned, hms(9, 9, 43)}});
}

TEST_CASE("event JSON lines", "[bank][mapping]") {
  const auto r = parse(
      "AA0101\t36233\t0\t1\tNW\t990301\t8:30:00\t8:30:09\t9\t8:30:09\t8:30:13\t4\tAGENT\t8:30:12\t"
      "8:31:00\t48\tMIKI");
  CHECK(contact_id(r) == "bank-990301-36233-AA0101");
  const auto plan = plan_events(r);
  REQUIRE(plan.size() == 5);
  CHECK(event_json(r, plan[1], 7200) ==
        R"({"id":"bank-990301-36233-AA0101-queued","type":"contact.queued",)"
        R"("time":"1999-03-01T08:30:09+02:00","contact":"bank-990301-36233-AA0101",)"
        R"("channel":"voice","queue":"NW","priority":1})");
  CHECK(event_json(r, plan[2], 7200) ==
        R"({"id":"bank-990301-36233-AA0101-answered","type":"contact.answered",)"
        R"("time":"1999-03-01T08:30:13+02:00","contact":"bank-990301-36233-AA0101",)"
        R"("channel":"voice","queue":"NW","agent":"MIKI"})");
  CHECK(event_json(r, plan[4], 0) ==
        R"({"id":"bank-990301-36233-AA0101-wrapped","type":"contact.wrapped",)"
        R"("time":"1999-03-01T08:31:01Z","contact":"bank-990301-36233-AA0101",)"
        R"("channel":"voice","queue":"NW"})");
}

TEST_CASE("JSON strings are escaped", "[bank][mapping]") {
  auto r = parse(
      "AA0101\t7\t0\t0\tPS\t990301\t8:00:00\t8:00:05\t5\t0:00:00\t0:00:00\t0\tAGENT\t8:00:05\t"
      "8:01:00\t55\tA\"B\\C");
  const auto plan = plan_events(r);
  REQUIRE(plan.size() == 5);
  CHECK(event_json(r, plan[2], 7200).find(R"("agent":"A\"B\\C")") != std::string::npos);
}
