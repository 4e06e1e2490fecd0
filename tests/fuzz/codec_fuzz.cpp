// libFuzzer target: one request body or WebSocket frame -> core::Decoder.
// Built twice (CMakeLists.txt): CCMON_FUZZ_FORMAT is kJson for JSON and
// CloudEvents bodies (application/json, application/cloudevents+json,
// application/cloudevents-batch+json), kNdjson for NDJSON bodies and
// WebSocket frames — the two ways server/ calls the decoder.
//
// Besides "no crash, no leak, no undefined behaviour" it checks the
// contract of DecodedBatch (core/codec/codec.hpp, docs/events.md).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/codec/codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {
using ccmon::core::BodyFormat;

// 2026-11-22T09:15:00Z, the "now" of the codec unit tests.
constexpr ccmon::core::Timestamp kNow = ccmon::core::seconds(1'795'338'900);

ccmon::core::Decoder& decoder() {
  // One reused decoder, as a session keeps one: parser buffers carry over
  // between inputs the way they do between requests. A small event limit
  // so that too_large is reachable within libFuzzer's input sizes.
  static ccmon::core::Decoder d([] {
    ccmon::core::CodecOptions o;
    o.max_event_bytes = 1024;
    return o;
  }());
  return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const ccmon::core::DecodedBatch batch =
      decoder().decode(body, BodyFormat::CCMON_FUZZ_FORMAT, kNow);

  if (batch.unreadable) {
    // Nothing in an unreadable body is decoded, and the answer says why.
    CCMON_FUZZ_CHECK(batch.events.empty() && batch.rejections.empty());
    CCMON_FUZZ_CHECK(!batch.unreadable_message.empty());
    return 0;
  }
  // Every rejection is counted by reason; the first ones are listed.
  std::size_t counted = 0;
  for (const std::size_t n : batch.rejected_by_reason) counted += n;
  CCMON_FUZZ_CHECK(counted == batch.rejected);
  CCMON_FUZZ_CHECK(batch.rejections.size() ==
                   std::min(batch.rejected, decoder().options().max_rejection_details));
  // Events and rejections each in body order, no index used twice, and
  // every rejection names its problem.
  std::size_t i = 0, j = 0;
  bool first = true;
  std::size_t last = 0;
  while (i < batch.events.size() || j < batch.rejections.size()) {
    const bool take_event =
        j == batch.rejections.size() ||
        (i < batch.events.size() && batch.events[i].index < batch.rejections[j].index);
    const std::size_t index = take_event ? batch.events[i].index : batch.rejections[j].index;
    CCMON_FUZZ_CHECK(first || index > last);
    if (take_event) {
      // An accepted time is from 1970 on and never later than now + skew.
      const ccmon::core::Timestamp t = batch.events[i].event.time;
      CCMON_FUZZ_CHECK(t >= 0 && t <= kNow + decoder().options().max_clock_skew);
      ++i;
    } else {
      CCMON_FUZZ_CHECK(!batch.rejections[j].message.empty());
      ++j;
    }
    first = false;
    last = index;
  }
  return 0;
}
