// Reason codes are API codes and metric labels: pin them.
#include <catch2/catch.hpp>

#include "core/codec/codec.hpp"

namespace {

using ccmon::core::RejectReason;

TEST_CASE("every reject reason has its stable code", "[codec]") {
  struct Row {
    RejectReason reason;
    std::string_view code;
  };
  constexpr Row kRows[] = {
      {RejectReason::kInvalidJson, "invalid_json"},
      {RejectReason::kInvalidUtf8, "invalid_utf8"},
      {RejectReason::kNotObject, "not_object"},
      {RejectReason::kMissingField, "missing_field"},
      {RejectReason::kWrongType, "wrong_type"},
      {RejectReason::kOutOfRange, "out_of_range"},
      {RejectReason::kUnknownType, "unknown_type"},
      {RejectReason::kUnknownChannel, "unknown_channel"},
      {RejectReason::kInvalidTime, "invalid_time"},
      {RejectReason::kFutureTime, "future_time"},
      {RejectReason::kTooLarge, "too_large"},
      {RejectReason::kPastTime, "past_time"},
  };
  STATIC_REQUIRE(std::size(kRows) == ccmon::core::kRejectReasonCount);
  for (const Row& row : kRows) CHECK(ccmon::core::to_string(row.reason) == row.code);
}

}  // namespace
