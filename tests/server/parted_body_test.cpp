// One answer per body applied in parts: when it runs, what it sums, which
// rejections it lists.
#include "server/parted_body.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace ccmon::server {
namespace {

using core::RejectReason;

struct Answers {
  std::vector<std::pair<BatchResult, core::DecodedBatch>> got;
  PartedBody::Answer answer() {
    return [this](const BatchResult& r, const core::DecodedBatch& d) { got.emplace_back(r, d); };
  }
};

// A decoded part whose rejections are at `indexes`, all for `reason`.
core::DecodedBatch part_rejecting(std::vector<std::size_t> indexes,
                                  RejectReason reason = RejectReason::kNotObject) {
  core::DecodedBatch part;
  for (const std::size_t i : indexes) {
    part.rejections.push_back({i, reason, "line " + std::to_string(i)});
    ++part.rejected;
    ++part.rejected_by_reason[static_cast<std::size_t>(reason)];
  }
  return part;
}

TEST_CASE("the answer waits for the seal and for every submitted part", "[server][parted]") {
  Answers a;
  PartedBody body(100, a.answer());
  body.add_part({}, true);
  body.add_part({}, false);  // nothing of it submitted: never applied
  body.add_part({}, true);
  body.applied({3, 1});
  CHECK(a.got.empty());
  body.sealed();
  CHECK(a.got.empty());  // one part still in the engine
  body.applied({2, 0});
  REQUIRE(a.got.size() == 1);
  CHECK(a.got[0].first.accepted == 5);
  CHECK(a.got[0].first.duplicates == 1);
  CHECK_FALSE(a.got[0].first.state_unavailable);
  CHECK_FALSE(a.got[0].first.internal_error);
}

TEST_CASE("parts applied before the seal: the seal answers", "[server][parted]") {
  Answers a;
  PartedBody body(100, a.answer());
  body.add_part({}, true);
  body.applied({1, 0});
  CHECK(a.got.empty());
  body.sealed();
  REQUIRE(a.got.size() == 1);
  CHECK(a.got[0].first.accepted == 1);

  Answers none;
  PartedBody empty(100, none.answer());
  empty.sealed();  // a body with no events at all
  REQUIRE(none.got.size() == 1);
  CHECK(none.got[0].first.accepted == 0);
}

TEST_CASE("one part unstored or failed marks the whole body", "[server][parted]") {
  Answers a;
  PartedBody body(100, a.answer());
  body.add_part({}, true);
  body.add_part({}, true);
  body.add_part({}, true);
  body.sealed();
  body.applied({4, 0});
  BatchResult unstored;
  unstored.state_unavailable = true;
  body.applied(unstored);
  BatchResult failed;
  failed.internal_error = true;
  body.applied(failed);
  REQUIRE(a.got.size() == 1);
  CHECK(a.got[0].first.accepted == 4);
  CHECK(a.got[0].first.state_unavailable);
  CHECK(a.got[0].first.internal_error);
}

TEST_CASE("the body's first rejections are listed, all counted by reason", "[server][parted]") {
  Answers a;
  PartedBody body(4, a.answer());
  body.add_part(part_rejecting({1, 3}), true);
  body.add_part(part_rejecting({500, 501, 502}, RejectReason::kInvalidJson), true);
  body.add_part(part_rejecting({1000}), false);
  body.sealed();
  body.applied({});
  body.applied({});
  REQUIRE(a.got.size() == 1);
  const core::DecodedBatch& d = a.got[0].second;
  std::vector<std::size_t> listed;
  for (const auto& r : d.rejections) listed.push_back(r.index);
  CHECK(listed == std::vector<std::size_t>{1, 3, 500, 501});  // the first 4 of 6
  CHECK(d.rejections[2].message == "line 500");
  CHECK(d.rejected == 6);
  CHECK(d.rejected_by_reason[static_cast<std::size_t>(RejectReason::kNotObject)] == 3);
  CHECK(d.rejected_by_reason[static_cast<std::size_t>(RejectReason::kInvalidJson)] == 3);
}

TEST_CASE("parts applied from other threads: one answer with every count", "[server][parted]") {
  Answers a;
  PartedBody body(100, a.answer());
  constexpr int kParts = 400;
  for (int i = 0; i < kParts; ++i) body.add_part({}, true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&body] {
      for (int i = 0; i < kParts / 4; ++i) body.applied({2, 1});
    });
  }
  body.sealed();
  for (auto& t : threads) t.join();
  REQUIRE(a.got.size() == 1);
  CHECK(a.got[0].first.accepted == 2 * kParts);
  CHECK(a.got[0].first.duplicates == kParts);
}

}  // namespace
}  // namespace ccmon::server
