// Exactness (docs/state-format.md): a world encoded at any point and decoded
// into fresh objects continues exactly as the original. The oracle is the
// original world itself, run without interruption over the same steps: every
// observation after the split (/metrics text of the snapshot and of the SLA
// families, engine stats, SLA transitions, dedup size) and every dedup answer
// must be byte-identical.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/persist/state_codec.hpp"
#include "persist_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;
using ccmon::core::persist::decode_state;
using ccmon::core::persist::encode_state;

namespace {

// A configuration unlike the encoded one: decode must replace it.
World blank_world() {
  EngineConfig c;
  c.windows = {{"15m", minutes(15)}};
  c.today_window = false;
  return World(c, DedupOptions{hours(1), 5}, {});
}

}  // namespace

TEST_CASE("a decoded copy continues exactly like the original", "[persist][exactness]") {
  const std::vector<Step> steps = random_steps(20261130, 12000);
  const std::size_t n = steps.size();
  const std::set<std::size_t> splits = {0, 1, 977, 4000, 7301, 10500, n - 40};
  constexpr std::size_t kEvery = 250;  // steps between observations

  World original(busy_config(), busy_dedup(), busy_rules());
  std::map<std::size_t, std::string> images, seen;
  for (std::size_t i = 0; i <= n; ++i) {
    if (splits.count(i) != 0) {
      std::string extra("split ");
      extra.append(std::to_string(i));
      images[i] = encode_state(original.engine, original.dedup, original.sla, extra);
    }
    if (i % kEvery == 0 || i == n) seen[i] = observe(original, time_before(steps, i));
    if (i < n) run(original, steps[i]);
  }
  // The stream reaches everything the image must carry.
  const EngineStats st = original.engine.stats();
  CHECK(st.evicted_contacts_total > 0);
  CHECK(st.evicted_cases_total > 0);
  CHECK(st.evicted_agents_total > 0);
  CHECK(st.series_folded_total > 0);
  CHECK(st.out_of_sequence_total > 0);
  CHECK(original.answers.find('0') != std::string::npos);  // duplicates were refused

  for (const auto& [split, image] : images) {
    INFO("split at step " << split << ", image of " << image.size() << " bytes");
    World copy = blank_world();
    std::string extra("split ");
    extra.append(std::to_string(split));
    REQUIRE(decode_state(image, copy.engine, copy.dedup, copy.sla) == extra);
    // The format is canonical: the restored state encodes to the same bytes.
    REQUIRE(encode_state(copy.engine, copy.dedup, copy.sla, extra) == image);
    for (std::size_t i = split; i <= n; ++i) {
      if (i % kEvery == 0 || i == n) {
        const std::string diff = first_difference(observe(copy, time_before(steps, i)), seen[i]);
        INFO("observation before step " << i);
        REQUIRE(diff.empty());
      }
      if (i < n) run(copy, steps[i]);
    }
    REQUIRE(copy.answers == original.answers.substr(split));
  }
}

TEST_CASE("an engine without events round-trips", "[persist][exactness]") {
  World original(busy_config(), busy_dedup(), busy_rules());
  const std::string image = encode_state(original.engine, original.dedup, original.sla, "");
  World copy = blank_world();
  REQUIRE(decode_state(image, copy.engine, copy.dedup, copy.sla).empty());
  REQUIRE(observe(copy, kT0) == observe(original, kT0));
  REQUIRE(encode_state(copy.engine, copy.dedup, copy.sla, "") == image);
}
