// The chunked slot array under the record tables (core/engine/chunked_vector.hpp).
#include "core/engine/chunked_vector.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

using ccmon::core::engine_detail::ChunkedVector;

namespace {

// "s<i>", built by appending: GCC 12 at -O2/-O3 reports a false -Wrestrict
// on "s" + std::to_string(i) (GCC bugs 105329, 105651).
std::string name(std::size_t i) {
  std::string s = "s";
  s += std::to_string(i);
  return s;
}

}  // namespace

TEST_CASE("chunked vector: elements keep their addresses and values across chunks",
          "[engine][chunked]") {
  ChunkedVector<std::string, 3> v;  // chunks of 8: boundaries every 8 elements
  std::vector<const std::string*> at;
  for (int i = 0; i < 100; ++i) {
    v.emplace_back() = name(static_cast<std::size_t>(i));
    at.push_back(&v[static_cast<std::size_t>(i)]);
  }
  REQUIRE(v.size() == 100);
  for (std::size_t i = 0; i < 100; ++i) {
    CHECK(&v[i] == at[i]);  // never moved by the growth after it
    CHECK(v[i] == name(i));
  }
  // Iteration is in index order.
  std::size_t i = 0;
  for (const std::string& s : v) CHECK(s == name(i++));
  CHECK(i == 100);
  v.clear();
  CHECK(v.empty());
}

TEST_CASE("chunked vector: new elements are value-initialised", "[engine][chunked]") {
  // Chunks come from the heap, which usually hands back memory it held before:
  // filled, freed, then grown again, every element must still read 0.
  ChunkedVector<int, 3> v;
  for (int i = 0; i < 20; ++i) v.emplace_back() = i + 1;
  v.clear();
  v.grow_to(20);
  CHECK(v.size() == 20);
  for (const int x : v) CHECK(x == 0);
}

TEST_CASE("chunked vector: destroys what it holds, once", "[engine][chunked]") {
  auto counted = std::make_shared<int>(0);
  {
    ChunkedVector<std::shared_ptr<int>, 2> v;
    for (int i = 0; i < 10; ++i) v.emplace_back() = counted;
    CHECK(counted.use_count() == 11);
    ChunkedVector<std::shared_ptr<int>, 2> moved(std::move(v));
    CHECK(counted.use_count() == 11);
    CHECK(v.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from one is empty
    CHECK(moved.size() == 10);
  }
  CHECK(counted.use_count() == 1);
}
