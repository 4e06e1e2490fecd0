#include "tools/bank/bank_record.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::bank;

namespace {

constexpr const char* kHeader =
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver";

RecordParser parser() {
  RecordParser p;
  std::string error;
  REQUIRE(p.read_header(kHeader, error));
  return p;
}

}  // namespace

TEST_CASE("a queued, served record parses field by field", "[bank][record]") {
  std::string error;
  const auto r = parser().parse(
      "AA0101\t36239\t22407019\t2\tPS\t990301\t9:17:16\t9:17:22\t6\t9:17:22\t9:17:34\t12\t"
      "AGENT\t9:17:33\t9:20:08\t155\tNAAMA",
      error);
  REQUIRE(r);
  CHECK(r->vru_line == "AA0101");
  CHECK(r->call_id == "36239");
  CHECK(r->date_text == "990301");
  CHECK(r->date == std::chrono::year_month_day{std::chrono::year(1999), std::chrono::month(3),
                                               std::chrono::day(1)});
  CHECK(r->priority == 2);
  CHECK(r->type == "PS");
  CHECK(r->vru_entry == 9 * 3600 + 17 * 60 + 16);  // 33436
  CHECK(r->vru_exit == 33436 + 6);
  CHECK(r->q_start == 33442);
  CHECK(r->q_exit == 33442 + 12);
  CHECK(r->ser_start == 9 * 3600 + 17 * 60 + 33);  // 33453
  CHECK(r->ser_exit == 9 * 3600 + 20 * 60 + 8);    // 33608 = 33453 + 155
  CHECK(r->outcome == Outcome::kAgent);
  CHECK(r->server == "NAAMA");
  CHECK(r->queued());
}

TEST_CASE("never-queued and phantom records", "[bank][record]") {
  std::string error;
  const auto p = parser();
  const auto hang = p.parse(
      "AA0101\t36227\t0\t0\tPS\t990301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\tHANG\t"
      "0:00:00\t0:00:00\t0\tNO_SERVER",
      error);
  REQUIRE(hang);
  CHECK_FALSE(hang->queued());
  CHECK(hang->outcome == Outcome::kHang);
  const auto phantom = p.parse(
      "AA0101\t36494\t27704964\t2\tPS\t990304\t11:02:50\t11:02:55\t5\t11:02:55\t11:05:49\t174\t"
      "PHANTOM\t11:05:48\t11:05:51\t3\tNO_SERVER\r",  // CRLF tolerated
      error);
  REQUIRE(phantom);
  CHECK(phantom->outcome == Outcome::kPhantom);
  CHECK(phantom->server == "NO_SERVER");
}

TEST_CASE("columns are found by name", "[bank][record]") {
  RecordParser p;
  std::string error;
  // Same columns, another order, one extra.
  REQUIRE(
      p.read_header("extra\tserver\tser_exit\tser_start\toutcome\tq_exit\tq_start\tvru_exit\t"
                    "vru_entry\tdate\ttype\tpriority\tcall_id\tvru+line",
                    error));
  const auto r = p.parse(
      "x\tTOVA\t7:57:41\t7:54:53\tAGENT\t0:00:00\t0:00:00\t7:54:54\t7:54:44\t990301\tNE\t"
      "1\t36230\tAA0101",
      error);
  REQUIRE(r);
  CHECK(r->server == "TOVA");
  CHECK(r->type == "NE");
  CHECK(r->priority == 1);
  CHECK(r->ser_start == 7 * 3600 + 54 * 60 + 53);
}

TEST_CASE("malformed input is refused with a reason", "[bank][record]") {
  RecordParser p;
  std::string error;
  CHECK_FALSE(p.read_header("vru+line\tcall_id\tpriority", error));
  CHECK(error.find("'type'") != std::string::npos);

  const auto good = parser();
  struct Row {
    const char* line;
    const char* reason;  // a word the error must contain
  };
  const Row rows[] = {
      {"AA0101\t36227", "fields"},
      {"AA0101\t1\t0\t0\tPS\t991301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t"
       "0:00:00\t0\tNO_SERVER",
       "date"},
      {"AA0101\t1\t0\tx\tPS\t990301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t"
       "0:00:00\t0\tNO_SERVER",
       "priority"},
      {"AA0101\t1\t0\t0\tPS\t990301\t0:14:46\t0:75:01\t15\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t"
       "0:00:00\t0\tNO_SERVER",
       "vru_exit"},
      {"AA0101\t1\t0\t0\tPS\t990301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\tBUSY\t0:00:00\t"
       "0:00:00\t0\tNO_SERVER",
       "outcome"},
      {"AA0101\t1\t0\t0\t\t990301\t0:14:46\t0:15:01\t15\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t"
       "0:00:00\t0\tNO_SERVER",
       "type"},
  };
  for (const auto& row : rows) {
    INFO(row.line);
    error.clear();
    CHECK_FALSE(good.parse(row.line, error));
    CHECK(error.find(row.reason) != std::string::npos);
  }
}

TEST_CASE("two-digit years", "[bank][record]") {
  using std::chrono::day;
  using std::chrono::month;
  using std::chrono::year;
  CHECK(parse_record_date("990315") == std::chrono::year_month_day{year(1999), month(3), day(15)});
  CHECK(parse_record_date("000101") == std::chrono::year_month_day{year(2000), month(1), day(1)});
  CHECK_FALSE(parse_record_date("99031"));
  CHECK_FALSE(parse_record_date("990230"));
}
