#include "core/exposition/json_number.hpp"

#include <catch2/catch.hpp>
#include <limits>

namespace ccmon::core {
namespace {

TEST_CASE("json_number writes integral values as integers and non-finite ones as null") {
  CHECK(json_number(20.0).dump() == "20");
  CHECK(json_number(-3.0).dump() == "-3");
  CHECK(json_number(0.0).dump() == "0");
  CHECK(json_number(0.5).dump() == "0.5");
  CHECK(json_number(1.5e-7).dump() == "1.5e-07");
  // 2^53 is the largest integer below which every integer is exact.
  CHECK(json_number(9007199254740992.0).dump() == "9007199254740992");
  CHECK(json_number(18014398509481984.0).is_number_float());  // 2^54
  CHECK(json_number(std::numeric_limits<double>::quiet_NaN()).is_null());
  CHECK(json_number(std::numeric_limits<double>::infinity()).is_null());
  CHECK(json_number(-std::numeric_limits<double>::infinity()).is_null());
}

}  // namespace
}  // namespace ccmon::core
