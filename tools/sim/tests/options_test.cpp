#include "tools/sim/options.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::sim;
namespace core = ccmon::core;

namespace {

ParsedOptions parse(std::vector<std::string_view> args) {
  return parse_options(args);
}

}  // namespace

TEST_CASE("durations", "[sim][options]") {
  struct Row {
    const char* text;
    std::optional<core::Duration> micros;
  };
  const Row rows[] = {
      {"8h", 8LL * 3600 * 1'000'000},             // 28800 s
      {"90m", 90LL * 60 * 1'000'000},             // 5400 s
      {"1h30m", (3600LL + 30 * 60) * 1'000'000},  // 5400 s too
      {"45s", 45'000'000},                        //
      {"250ms", 250'000},                         //
      {"2d", 2LL * 86400 * 1'000'000},            // 172800 s
      {"1h0m1s", (3600LL + 1) * 1'000'000},       // 3601 s
      {"", std::nullopt},
      {"8", std::nullopt},  // no unit
      {"h", std::nullopt},
      {"8x", std::nullopt},  //
      {"0s", std::nullopt},
      {"-5m", std::nullopt},
  };
  for (const Row& r : rows) {
    INFO(r.text);
    CHECK(parse_duration(r.text) == r.micros);
  }
}

TEST_CASE("the default start keeps every event behind the wall clock", "[sim][options]") {
  const core::Timestamp now = 1'000'000'000'000'000LL;  // 1e9 s
  Options o;
  o.sim.duration = core::hours(8);
  o.speed = Speed::kRealtime;
  CHECK(resolve_start(o, now) == now);
  o.speed = Speed::kMax;
  CHECK(resolve_start(o, now) == now - core::hours(8));
  // 8 h at 4x: starts 8 h x (1 - 1/4) = 6 h back and ends 2 h of wall time
  // later, exactly when simulated time catches up with the wall clock.
  o.speed = Speed::kFactor;
  o.factor = 4;
  CHECK(resolve_start(o, now) == now - core::hours(6));
  o.start = 123'456'789;  // explicit: kept, rounded down to the millisecond
  CHECK(resolve_start(o, now) == 123'456'000);
}

TEST_CASE("command lines", "[sim][options]") {
  SECTION("defaults by output") {
    auto p = parse({"--out", "-"});
    REQUIRE(p.error.empty());
    CHECK(p.options.speed == Speed::kMax);
    auto q = parse({"--url", "ws://127.0.0.1:9477/v1/stream"});
    REQUIRE(q.error.empty());
    CHECK(q.options.speed == Speed::kRealtime);
    auto k = parse({"--url", "kafka://k1:9092,k2:9092/ccmon-events"});
    REQUIRE(k.error.empty());
    CHECK(k.options.url == "kafka://k1:9092,k2:9092/ccmon-events");
    CHECK(k.options.speed == Speed::kRealtime);
  }
  SECTION("everything") {
    auto p = parse({"--url",
                    "http://h:1/v1/events",
                    "--speed",
                    "60",
                    "--duration",
                    "2h",
                    "--seed",
                    "9",
                    "--agents",
                    "12",
                    "--queues",
                    "a,b",
                    "--rate",
                    "1.5",
                    "--batch",
                    "50",
                    "--token",
                    "t",
                    "--summary",
                    "--start",
                    "2026-03-02T08:00:00Z"});
    REQUIRE(p.error.empty());
    const Options& o = p.options;
    CHECK(o.speed == Speed::kFactor);
    CHECK(o.factor == 60);
    CHECK(o.sim.duration == core::hours(2));
    CHECK(o.sim.seed == 9);
    CHECK(o.sim.agents == 12);
    CHECK(o.sim.queues == std::vector<std::string>{"a", "b"});
    CHECK(o.sim.rate == 1.5);
    CHECK(o.batch == 50);
    CHECK(o.token == "t");
    CHECK(o.summary);
    // 2026-03-02: 56 years from 1970 (14 leap days 1972..2024) = 20454 days to
    // 2026-01-01, + 31 (Jan) + 28 (Feb) + 1 = 20514 days = 1772409600 s; + 8 h
    // (28800 s) = 1772438400 s
    REQUIRE(o.start);
    CHECK(*o.start == 1'772'438'400'000'000LL);
  }
  SECTION("queues by count") {
    auto p = parse({"--out", "x", "--queues", "6"});
    REQUIRE(p.error.empty());
    CHECK(p.options.sim.queues ==
          std::vector<std::string>{"sales", "support", "billing", "vip", "queue5", "queue6"});
  }
  SECTION("errors") {
    const std::vector<std::vector<std::string_view>> bad = {
        {},                                                // no output
        {"--out", "x", "--url", "ws://h:1/"},              // two outputs
        {"--url", "kafka://k:9092"},                       // no topic
        {"--url", "kafka:///t"},                           // no broker
        {"--url", "kafka://k1:1,k2/t"},                    // a broker without its port
        {"--url", "kafka://k:1/t", "--format", "twilio"},  // Kafka takes ccmon events
        {"--url", "wss://h:1/"},                           // no TLS
        {"--out", "x", "--speed", "fast"},                 //
        {"--out", "x", "--speed", "0"},                    //
        {"--out", "x", "--duration", "8"},                 //
        {"--out", "x", "--agents", "0"},                   //
        {"--out", "x", "--queues", "a,a"},                 // twice
        {"--out", "x", "--queues", "a b"},                 // not a plain name
        {"--out", "x", "--queues", "a,"},                  // empty name
        {"--out", "x", "--batch", "0"},                    //
        {"--out", "x", "--rate", "-1"},                    //
        {"--out", "x", "--start", "yesterday"},            //
        {"--out", "x", "--bogus", "1"},                    //
        {"--out"},                                         // missing value
    };
    for (const auto& args : bad) {
      std::string joined;
      for (auto a : args) joined += std::string(a) + " ";
      INFO(joined);
      CHECK_FALSE(parse(args).error.empty());
    }
  }
}

TEST_CASE("--steady takes a rate, a handle time and a patience", "[sim][options]") {
  const auto ok = parse({"--out", "x", "--steady", "0.05,180,120"});
  REQUIRE(ok.error.empty());
  REQUIRE(ok.options.sim.steady);
  CHECK(ok.options.sim.steady->arrivals_per_second == 0.05);
  CHECK(ok.options.sim.steady->handle_seconds == 180);
  CHECK(ok.options.sim.steady->patience_seconds == 120);
  CHECK_FALSE(parse({"--out", "x"}).options.sim.steady);
  for (const char* bad : {"0.05,180", "0.05,180,x", "0,180,120", "0.05,-1,120"}) {
    INFO(bad);
    CHECK_FALSE(parse({"--out", "x", "--steady", bad}).error.empty());
  }
}
