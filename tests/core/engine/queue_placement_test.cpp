// Which shard owns each queue (core/engine/queue_placement.hpp): round-robin
// in the order first seen after "", bounded, hashed for old states.
#include "core/engine/queue_placement.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/engine/shard_of.hpp"

using namespace ccmon::core;

TEST_CASE("queues are placed round-robin in the order first seen", "[engine][shard]") {
  QueuePlacement p(3, HashKey{{1, 2, 3}});
  REQUIRE(p.order() == std::vector<std::string>{""});  // the unknown queue's, first
  REQUIRE(p.place("") == 0);
  // By hand: the k-th new queue after "" goes to shard k % 3.
  REQUIRE(p.place("sales") == 1);
  REQUIRE(p.place("support") == 2);
  REQUIRE(p.place("sales") == 1);  // placed once
  REQUIRE(p.place("billing") == 0);
  REQUIRE(p.place("vip") == 1);
  REQUIRE(p.order() == std::vector<std::string>{"", "sales", "support", "billing", "vip"});
  REQUIRE_FALSE(p.hashed());
}

TEST_CASE("one shard places nothing", "[engine][shard]") {
  QueuePlacement p(1, {});
  REQUIRE(p.place("sales") == 0);
  REQUIRE(p.place("") == 0);
  REQUIRE(p.order().empty());
}

TEST_CASE("past the bound a new queue is hashed, nothing more is kept", "[engine][shard]") {
  QueuePlacement p(4, {});
  for (std::size_t i = 1; i < QueuePlacement::kMaxPlaced; ++i) {
    REQUIRE(p.place('q' + std::to_string(i)) == i % 4);
  }
  REQUIRE(p.order().size() == QueuePlacement::kMaxPlaced);
  for (const char* q : {"late", "later", "latest", "q0"}) {
    INFO(q);
    REQUIRE(p.place(q) == shard_of(q, 4));
  }
  REQUIRE(p.order().size() == QueuePlacement::kMaxPlaced);
  REQUIRE(p.place("q5") == 1);  // placed before the bound: kept
}

TEST_CASE("a hashed placement keeps nothing and hashes every name", "[engine][shard]") {
  QueuePlacement p = QueuePlacement::hashed(5, HashKey{{9}});
  REQUIRE(p.hashed());
  for (const char* q : {"", "sales", "support", "billing"}) {
    INFO(q);
    REQUIRE(p.place(q) == shard_of(q, 5));
  }
  REQUIRE(p.order().empty());
}

TEST_CASE("a restored placement goes on where it was", "[engine][shard]") {
  QueuePlacement p = QueuePlacement::restored(2, {}, {"", "b", "a"});
  REQUIRE(p.place("a") == 0);
  REQUIRE(p.place("b") == 1);
  REQUIRE(p.place("c") == 1);  // the 3rd after "": 3 % 2
  REQUIRE_THROWS_WITH(QueuePlacement::restored(2, {}, {"b", ""}),
                      Catch::Contains("\"\" is not placed first"));
  REQUIRE_THROWS_WITH(QueuePlacement::restored(2, {}, {"", "b", "b"}),
                      Catch::Contains("a queue placed twice"));
  REQUIRE_THROWS_WITH(QueuePlacement::restored(1, {}, {""}),
                      Catch::Contains("queues placed with 1 shard"));
  REQUIRE(QueuePlacement::restored(1, {}, {}).order().empty());
  std::vector<std::string> too_many = {""};
  for (std::size_t i = 1; i <= QueuePlacement::kMaxPlaced; ++i)
    too_many.push_back('q' + std::to_string(i));
  REQUIRE_THROWS_WITH(QueuePlacement::restored(2, {}, too_many),
                      Catch::Contains("16385 queues placed, more than 16384"));
  too_many.pop_back();
  REQUIRE(QueuePlacement::restored(2, {}, too_many).order().size() == QueuePlacement::kMaxPlaced);
}
