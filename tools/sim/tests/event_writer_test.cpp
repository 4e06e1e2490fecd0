#include "tools/sim/event_writer.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace ccmon::sim;
using ccmon::core::EventType;

TEST_CASE("rfc3339 renders microseconds as UTC milliseconds", "[sim][writer]") {
  struct Row {
    std::int64_t micros;
    const char* text;
  };
  const Row rows[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      // one day + 1 h 2 min 3.456789 s = 86400e6 + 3723.456789e6 us; µs are cut, not rounded
      {86'400'000'000LL + 3'723'456'789LL, "1970-01-02T01:02:03.456Z"},
      // 2000-02-29: 30 years x 365 + 7 leap days (72..96) = 10957 days to 2000-01-01,
      // + 31 (Jan) + 28 = 11016 days = 951782400 s
      {951'782'400'000'000LL, "2000-02-29T00:00:00.000Z"},
      // 23:59:59.999 of the same day: + 86399.999 s
      {951'782'400'000'000LL + 86'399'999'000LL, "2000-02-29T23:59:59.999Z"},
      // one millisecond before the epoch is the previous day
      {-1000, "1969-12-31T23:59:59.999Z"},
  };
  for (const Row& r : rows) {
    INFO(r.micros);
    CHECK(EventWriter::rfc3339(r.micros) == r.text);
  }
}

TEST_CASE("event lines carry the prefix, a counter and the fields in order", "[sim][writer]") {
  EventWriter w("abc");
  std::string out;
  w.begin(out, EventType::kContactSentiment, 0);
  w.id(out, "contact", 'c', 42);
  EventWriter::hundredths(out, "score", -25);
  EventWriter::end(out);
  w.begin(out, EventType::kSurveyAnswered, 1000);
  EventWriter::integer(out, "csat", 5);
  EventWriter::hundredths(out, "value", 1205);
  EventWriter::boolean(out, "automated", true);
  EventWriter::text(out, "queue", "vip");
  EventWriter::end(out);
  CHECK(out ==
        "{\"id\":\"abc-1\",\"type\":\"contact.sentiment\",\"time\":\"1970-01-01T00:00:00.000Z\","
        "\"contact\":\"abc-c42\",\"score\":-0.25}\n"
        "{\"id\":\"abc-2\",\"type\":\"survey.answered\",\"time\":\"1970-01-01T00:00:00.001Z\","
        "\"csat\":5,\"value\":12.05,\"automated\":true,\"queue\":\"vip\"}\n");
  CHECK(w.events() == 2);
}

TEST_CASE("hundredths keep two decimals", "[sim][writer]") {
  struct Row {
    std::int64_t hundredths;
    const char* text;
  };
  const Row rows[] = {{0, ",\"x\":0.00"},   {5, ",\"x\":0.05"},     {-5, ",\"x\":-0.05"},
                      {100, ",\"x\":1.00"}, {-100, ",\"x\":-1.00"}, {123456, ",\"x\":1234.56"}};
  for (const Row& r : rows) {
    std::string out;
    EventWriter::hundredths(out, "x", r.hundredths);
    CHECK(out == r.text);
  }
}

TEST_CASE("id prefixes are 16 hex digits and differ between seeds", "[sim][writer]") {
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    const std::string p = id_prefix(seed);
    REQUIRE(p.size() == 16);
    CHECK(p.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(p);
  }
  CHECK(seen.size() == 1000);  // splitmix64 is a bijection
  CHECK(id_prefix(7) == id_prefix(7));
}

TEST_CASE("the batcher hands over every N lines and the rest on flush", "[sim][writer]") {
  std::vector<std::pair<std::string, std::size_t>> frames;
  Batcher b(2, [&](std::string_view f, std::size_t n) { frames.emplace_back(f, n); });
  for (const char* line : {"a\n", "b\n", "c\n", "d\n", "e\n"}) {
    b.buffer().append(line);
    b.commit();
  }
  // 5 lines in batches of 2: "a b", "c d", then "e" waits for the flush
  REQUIRE(frames.size() == 2);
  CHECK(b.pending() == 1);
  b.flush();
  b.flush();  // nothing left: no empty frame
  REQUIRE(frames.size() == 3);
  CHECK(frames[0] == std::make_pair(std::string("a\nb\n"), std::size_t{2}));
  CHECK(frames[1] == std::make_pair(std::string("c\nd\n"), std::size_t{2}));
  CHECK(frames[2] == std::make_pair(std::string("e\n"), std::size_t{1}));
}
