// Stable reason codes: they are metric label values and API codes, so they
// never change once published.
#include <array>

#include "core/codec/codec.hpp"

namespace ccmon::core {
namespace {

constexpr std::array<std::string_view, kRejectReasonCount> kReasonNames = {
    "invalid_json", "invalid_utf8", "not_object",   "missing_field",
    "wrong_type",   "out_of_range", "unknown_type", "unknown_channel",
    "invalid_time", "future_time",  "too_large",    "past_time",
};

}  // namespace

std::string_view to_string(RejectReason r) {
  return kReasonNames[static_cast<std::size_t>(r)];
}

}  // namespace ccmon::core
