// Validation of one event object into an Event (internal header).
#pragma once

#include <simdjson.h>

#include <string>

#include "core/codec/codec.hpp"

namespace ccmon::core::codec_detail {

struct Failure {
  RejectReason reason = RejectReason::kInvalidJson;
  std::string message;
};

// Fills `out` from `object` and returns true, or returns false with the
// first problem found in `failure` (envelope first, then fields in a fixed
// order). `now` is the reference for future_time.
bool decode_event_object(simdjson::dom::object object, const CodecOptions& options, Timestamp now,
                         Event& out, Failure& failure);

}  // namespace ccmon::core::codec_detail
