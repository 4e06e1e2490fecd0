// append_snapshot_text must render exactly the bytes of the family path,
// append_text(snapshot_families(s)), which the other tests pin down by hand.
#include "core/exposition/snapshot_text.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "core/exposition/snapshot_families.hpp"
#include "core/exposition/text_format.hpp"
#include "tests/core/exposition/random_snapshot.hpp"
#include "tests/core/exposition/small_snapshot.hpp"

namespace ccmon::core {
namespace {

std::string via_families(const Snapshot& s) {
  std::string out;
  append_text(out, snapshot_families(s));
  return out;
}

std::string direct(const Snapshot& s) {
  std::string out;
  append_snapshot_text(out, s);
  return out;
}

TEST_CASE("append_snapshot_text: the small snapshot renders as through families") {
  const Snapshot snap = testing::small_snapshot();
  const std::string fast = direct(snap);
  CHECK(fast == via_families(snap));
  // Spot checks written by hand, so that two equally wrong paths still fail.
  CHECK(fast.find("ccmon_offered{queue=\"sales\",channel=\"voice\",window=\"5m\"} 3\n") !=
        std::string::npos);
  CHECK(fast.find("ccmon_deflected{queue=\"sales\",channel=\"voice\",window=\"5m\","
                  "to_channel=\"messaging\"} 1\n") != std::string::npos);
  // sales answered waits {1, 6, 8} over bounds {0.5, 20, 60}; +Inf is the count 8.
  CHECK(fast.find("ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\","
                  "outcome=\"answered\",le=\"0.5\"} 1\n") != std::string::npos);
  CHECK(fast.find("ccmon_wait_seconds_sum{queue=\"sales\",channel=\"voice\","
                  "outcome=\"answered\"} 95.5\n") != std::string::npos);
  CHECK(fast.find("ccmon_agents{team=\"a\",state=\"offline\"} 3\n") != std::string::npos);
  // Undefined in support's 5m window: no sample at all.
  CHECK(fast.find("ccmon_service_level_ratio{queue=\"support\",channel=\"chat\","
                  "window=\"5m\"}") == std::string::npos);
}

TEST_CASE("append_snapshot_text: appends after what the string already holds") {
  const Snapshot snap = testing::small_snapshot();
  std::string out = "# prefix\n";
  append_snapshot_text(out, snap);
  CHECK(out == "# prefix\n" + via_families(snap));
}

TEST_CASE("append_snapshot_text: an empty snapshot keeps only the engine stats") {
  const Snapshot snap;
  const std::string fast = direct(snap);
  CHECK(fast == via_families(snap));
  // Seven stat families, each HELP + TYPE + one sample line: 21 lines.
  CHECK(std::count(fast.begin(), fast.end(), '\n') == 21);
  CHECK(fast.find("ccmon_tracked_contacts 0\n") != std::string::npos);
}

TEST_CASE("append_snapshot_text: generated snapshots render byte for byte as through families") {
  struct Case {
    std::uint32_t seed;
    int defined_percent;
    int series;
    int teams;
    bool malformed;
  };
  const Case cases[] = {
      {1, 100, 40, 5, false}, {2, 50, 200, 20, false}, {3, 0, 30, 3, false},
      {4, 70, 300, 25, true}, {5, 30, 120, 0, true},   {6, 90, 0, 12, true},
  };
  for (const Case& c : cases) {
    testing::SnapshotGenerator gen(c.seed, c.defined_percent);
    const Snapshot snap = gen.make(c.series, c.teams, c.malformed);
    INFO("seed " << c.seed);
    const std::string expected = via_families(snap);
    const std::string fast = direct(snap);
    REQUIRE(fast.size() == expected.size());
    CHECK(fast == expected);
  }
}

}  // namespace
}  // namespace ccmon::core
