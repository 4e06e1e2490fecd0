// One answer per body applied in parts: when it runs, what it sums, which
// rejections it lists.
#include "server/parted_body.hpp"

#include <catch2/catch.hpp>
#include <initializer_list>
#include <thread>
#include <utility>
#include <vector>

namespace ccmon::server {
namespace {

using core::RejectReason;

// A parted body listing its first `max_listed` rejections, and the answers
// it gave.
struct Body {
  explicit Body(std::size_t max_listed = 100)
      : parted(max_listed, [this](const BatchResult& r, const core::DecodedBatch& d) {
          got.emplace_back(r, d);
        }) {}

  // `n` parts without rejections, each submitted to the engine or not.
  void add_parts(int n, bool submitted = true) {
    for (int i = 0; i < n; ++i) parted.add_part({}, submitted);
  }
  // The engine's results for submitted parts, in this order.
  void applied(std::initializer_list<BatchResult> results) {
    for (const BatchResult& r : results) parted.applied(r);
  }
  // The answer, which must have been given exactly once.
  const std::pair<BatchResult, core::DecodedBatch>& answer() const {
    REQUIRE(got.size() == 1);
    return got[0];
  }

  std::vector<std::pair<BatchResult, core::DecodedBatch>> got;
  PartedBody parted;
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
  Body body;
  body.add_parts(1);
  body.add_parts(1, false);  // nothing of it submitted: never applied
  body.add_parts(1);
  body.applied({{3, 1}});
  CHECK(body.got.empty());
  body.parted.sealed();
  CHECK(body.got.empty());  // one part still in the engine
  body.applied({{2, 0}});
  const BatchResult& r = body.answer().first;
  CHECK(r.accepted == 5);
  CHECK(r.duplicates == 1);
  CHECK_FALSE(r.state_unavailable);
  CHECK_FALSE(r.internal_error);
}

TEST_CASE("parts applied before the seal: the seal answers", "[server][parted]") {
  Body body;
  body.add_parts(1);
  body.applied({{1, 0}});
  CHECK(body.got.empty());
  body.parted.sealed();
  CHECK(body.answer().first.accepted == 1);

  Body empty;
  empty.parted.sealed();  // a body with no events at all
  CHECK(empty.answer().first.accepted == 0);
}

TEST_CASE("one part unstored or failed marks the whole body", "[server][parted]") {
  Body body;
  body.add_parts(3);
  body.parted.sealed();
  BatchResult unstored;
  unstored.state_unavailable = true;
  BatchResult failed;
  failed.internal_error = true;
  body.applied({{4, 0}, unstored, failed});
  const BatchResult& r = body.answer().first;
  CHECK(r.accepted == 4);
  CHECK(r.state_unavailable);
  CHECK(r.internal_error);
}

TEST_CASE("the body's first rejections are listed, all counted by reason", "[server][parted]") {
  Body body(4);
  body.parted.add_part(part_rejecting({1, 3}), true);
  body.parted.add_part(part_rejecting({500, 501, 502}, RejectReason::kInvalidJson), true);
  body.parted.add_part(part_rejecting({1000}), false);
  body.parted.sealed();
  body.applied({{}, {}});
  const core::DecodedBatch& d = body.answer().second;
  std::vector<std::size_t> listed;
  for (const auto& r : d.rejections) listed.push_back(r.index);
  CHECK(listed == std::vector<std::size_t>{1, 3, 500, 501});  // the first 4 of 6
  CHECK(d.rejections[2].message == "line 500");
  CHECK(d.rejected == 6);
  CHECK(d.rejected_by_reason[static_cast<std::size_t>(RejectReason::kNotObject)] == 3);
  CHECK(d.rejected_by_reason[static_cast<std::size_t>(RejectReason::kInvalidJson)] == 3);
}

TEST_CASE("parts applied from other threads: one answer with every count", "[server][parted]") {
  Body body;
  constexpr int kParts = 400;
  body.add_parts(kParts);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&body] {
      for (int i = 0; i < kParts / 4; ++i) body.parted.applied({2, 1});
    });
  }
  body.parted.sealed();
  for (auto& t : threads) t.join();
  const BatchResult& r = body.answer().first;
  CHECK(r.accepted == 2 * kParts);
  CHECK(r.duplicates == kParts);
}

}  // namespace
}  // namespace ccmon::server
