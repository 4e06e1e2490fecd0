// Boundary values: each row is one event, accepted or rejected with a reason.
#include <catch2/catch.hpp>
#include <optional>

#include "codec_test_support.hpp"

namespace {

using namespace ccmon::core;
using ccmon::core::testing::event_json;
using ccmon::core::testing::kNow;

struct Row {
  std::string json;
  std::optional<RejectReason> reason;  // nullopt: accepted
};

std::string survey(std::string_view field, std::string_view value) {
  return event_json("survey.answered", ",\"" + std::string(field) + "\":" + std::string(value));
}

std::string sentiment(std::string_view score) {
  return event_json("contact.sentiment", R"(,"contact":"c1","score":)" + std::string(score));
}

std::string resolved(std::string_view contacts) {
  return event_json("case.resolved", R"(,"case":"k1","contacts":)" + std::string(contacts));
}

std::string with_id(const std::string& id) {
  return R"({"id":")" + id +
         R"(","type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c"})";
}

std::string at(std::string_view time) {
  return R"({"id":"e1","type":"contact.held","contact":"c1","time":)" + std::string(time) + "}";
}

TEST_CASE("boundary values", "[codec][edges]") {
  constexpr auto kRange = RejectReason::kOutOfRange;
  constexpr auto kFuture = RejectReason::kFutureTime;
  const Row rows[] = {
      {survey("csat", "1"), std::nullopt},
      {survey("csat", "5"), std::nullopt},
      {survey("csat", "0"), kRange},
      {survey("csat", "6"), kRange},
      {survey("nps", "0"), std::nullopt},
      {survey("nps", "10"), std::nullopt},
      {survey("nps", "-1"), kRange},
      {survey("nps", "11"), kRange},
      {survey("ces", "1"), std::nullopt},
      {survey("ces", "7"), std::nullopt},
      {survey("ces", "0"), kRange},
      {survey("ces", "8"), kRange},
      {sentiment("-1"), std::nullopt},
      {sentiment("1"), std::nullopt},
      {sentiment("1.0"), std::nullopt},
      {sentiment("-1.0"), std::nullopt},
      {sentiment("0"), std::nullopt},
      {sentiment("1.01"), kRange},
      {sentiment("-1.01"), kRange},
      {resolved("1"), std::nullopt},
      {resolved("9223372036854775807"), std::nullopt},  // INT64_MAX
      {resolved("0"), kRange},
      {with_id(std::string(1, 'x')), std::nullopt},
      {with_id(std::string(128, 'x')), std::nullopt},
      {with_id(std::string(129, 'x')), kRange},
      // 128 bytes made of 64 two-byte characters (U+00E9) is still 128 bytes.
      {with_id([] {
         std::string s;
         for (int i = 0; i < 64; ++i) s += "\xc3\xa9";
         return s;
       }()),
       std::nullopt},
      // now = 09:15:00Z, skew 60 s: 09:16:00Z is the last accepted instant.
      {at(R"("2026-11-22T09:16:00Z")"), std::nullopt},
      {at(R"("2026-11-22T09:16:00.000001Z")"), kFuture},
      {at(R"("2026-11-22T10:16:00+01:00")"), std::nullopt},
      {at(R"("2026-11-22T10:16:00.000001+01:00")"), kFuture},
      // 1795338900 + 60 = 1795338960 s.
      {at("1795338960"), std::nullopt},
      {at("1795338961"), kFuture},
      {at("1795338960.000001"), kFuture},
      {at("0"), std::nullopt},
      {at("-0.000001"), kRange},
  };
  // The parser's own bounds: without ingest.max_event_age (tested in
  // decode_limits_test), 0 is a valid time.
  CodecOptions options;
  options.max_event_age = 0;
  Decoder decoder(options);
  for (const Row& row : rows) {
    INFO(row.json);
    const DecodedBatch batch = decoder.decode(row.json, BodyFormat::kJson, kNow);
    REQUIRE_FALSE(batch.unreadable);
    if (row.reason) {
      CHECK(batch.events.empty());
      REQUIRE(batch.rejections.size() == 1);
      CHECK(to_string(batch.rejections[0].reason) == to_string(*row.reason));
    } else {
      CHECK(batch.rejections.empty());
      CHECK(batch.events.size() == 1);
    }
  }
}

TEST_CASE("the clock skew comes from the options", "[codec][edges]") {
  CodecOptions options;
  options.max_clock_skew = 0;
  Decoder decoder(options);
  // now = 1795338900 s exactly: accepted; 1 us later: rejected.
  CHECK(decoder.decode(at("1795338900"), BodyFormat::kJson, kNow).events.size() == 1);
  CHECK(decoder.decode(at(R"("2026-11-22T09:15:00.000001Z")"), BodyFormat::kJson, kNow)
            .rejections.size() == 1);
}

}  // namespace
