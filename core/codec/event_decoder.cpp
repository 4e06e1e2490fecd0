// Body formats (JSON object or array, NDJSON) on top of the per-event
// validation of event_object.cpp. One simdjson parser per Decoder keeps its
// buffers across calls, so steady-state decoding does not reallocate them.
#include <simdjson.h>

#include <algorithm>

#include "core/codec/body_splitter.hpp"
#include "core/codec/codec.hpp"
#include "core/codec/event_object.hpp"

namespace ccmon::core {
namespace {

using codec_detail::array_element_sizes;
using codec_detail::decode_event_object;
using codec_detail::Failure;
using codec_detail::next_line;
using codec_detail::trim_json_space;
using simdjson::dom::element;
using simdjson::dom::element_type;

// {"id":"x","type":"case.opened","time":0,"case":"k"} is 50 bytes.
constexpr std::size_t kMinEventBytes = 50;

constexpr std::size_t kAllLines = static_cast<std::size_t>(-1);

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

std::string_view json_kind(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

RejectReason parse_reason(simdjson::error_code err) {
  return err == simdjson::UTF8_ERROR ? RejectReason::kInvalidUtf8 : RejectReason::kInvalidJson;
}

std::string parse_message(std::string_view what, simdjson::error_code err) {
  std::string m(what);
  m += err == simdjson::UTF8_ERROR ? " is not valid UTF-8" : " is not valid JSON: ";
  if (err != simdjson::UTF8_ERROR) m += simdjson::error_message(err);
  return m;
}

std::string too_large_message(std::size_t size, std::size_t limit) {
  return "event of " + std::to_string(size) + " bytes exceeds the limit of " +
         std::to_string(limit) + " bytes";
}

}  // namespace

struct Decoder::Impl {
  CodecOptions options;
  simdjson::dom::parser parser;
  std::vector<std::size_t> element_sizes;
  Failure failure;
  // Events of the batch being decoded that are valid; batch.events may hold
  // more, reused ones (decode's `reuse`) and a rejected one's slot, which
  // the next event overwrites and finish() drops.
  std::size_t used = 0;

  // The slot the next event is decoded into: a reused event, reset, while
  // there is one.
  IndexedEvent& next_slot(DecodedBatch& batch) {
    if (used < batch.events.size()) {
      IndexedEvent& slot = batch.events[used];
      slot.event.reset();
      return slot;
    }
    return batch.events.emplace_back();
  }
  void start(DecodedBatch& batch, std::vector<IndexedEvent>&& reuse) {
    batch.events = std::move(reuse);
    used = 0;
  }
  void finish(DecodedBatch& batch) const {
    batch.events.erase(batch.events.begin() + static_cast<std::ptrdiff_t>(used),
                       batch.events.end());
  }

  // Whether the next rejection is listed (has its message kept): messages of
  // the rest are not even built.
  bool listing(const DecodedBatch& batch) const {
    return batch.rejections.size() < options.max_rejection_details;
  }

  void reject(DecodedBatch& batch, std::size_t index, RejectReason reason, std::string message) {
    ++batch.rejected;
    ++batch.rejected_by_reason[static_cast<std::size_t>(reason)];
    if (batch.rejections.size() < options.max_rejection_details) {
      batch.rejections.push_back(Rejection{index, reason, std::move(message)});
    }
  }

  // One candidate event: an object is validated, anything else is not_object.
  void decode_element(DecodedBatch& batch, std::size_t index, element value, Timestamp now) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) {
      std::string m;
      if (listing(batch)) {
        m = "event is ";
        m += json_kind(value.type());
        m += ", not an object";
      }
      reject(batch, index, RejectReason::kNotObject, std::move(m));
      return;
    }
    IndexedEvent& slot = next_slot(batch);
    slot.index = index;
    if (!decode_event_object(object, options, now, slot.event, failure)) {
      reject(batch, index, failure.reason, std::move(failure.message));
      return;
    }
    ++used;
  }

  void decode_json(std::string_view body, Timestamp now, DecodedBatch& batch) {
    const std::string_view text = trim_json_space(body);
    // A single oversized object is rejected without paying for its parse.
    if (!text.empty() && text.front() == '{' && text.size() > options.max_event_bytes) {
      reject(batch, 0, RejectReason::kTooLarge,
             too_large_message(text.size(), options.max_event_bytes));
      return;
    }
    element doc;
    const simdjson::error_code err = parser.parse(body.data(), body.size()).get(doc);
    if (err != simdjson::SUCCESS) {
      batch.unreadable = true;
      batch.unreadable_reason = parse_reason(err);
      batch.unreadable_message = parse_message("body", err);
      return;
    }
    const element_type type = doc.type();
    if (type == element_type::OBJECT) {
      decode_element(batch, 0, doc, now);
      return;
    }
    if (type != element_type::ARRAY) {
      batch.unreadable = true;
      batch.unreadable_reason = RejectReason::kNotObject;
      batch.unreadable_message = "body is ";
      batch.unreadable_message += json_kind(type);
      batch.unreadable_message += ", not an event object or an array of events";
      return;
    }
    // No element can be larger than the whole body: only measure elements
    // when the body could hold an oversized one.
    const bool measure = text.size() > options.max_event_bytes;
    if (measure) array_element_sizes(text, element_sizes);
    simdjson::dom::array array;
    if (doc.get_array().get(array) != simdjson::SUCCESS) return;  // type checked above
    batch.events.reserve(array.size());
    std::size_t index = 0;
    for (const element value : array) {
      if (measure && element_sizes[index] > options.max_event_bytes) {
        reject(batch, index, RejectReason::kTooLarge,
               too_large_message(element_sizes[index], options.max_event_bytes));
      } else {
        decode_element(batch, index, value, now);
      }
      ++index;
    }
  }

  // Lines of `body` from `cursor` until `max_lines` non-empty ones are taken.
  void decode_ndjson(std::string_view body, NdjsonCursor& cursor, std::size_t max_lines,
                     Timestamp now, DecodedBatch& batch) {
    // Growing a vector of ~0.5 KB Events dominates large bodies: reserve one
    // per line, capped by the smallest plausible event so that a body of
    // blank lines cannot make us reserve far more than it holds.
    const std::string_view rest = body.substr(cursor.pos);
    const std::size_t lines = max_lines == kAllLines ? ndjson_line_bound(rest) : max_lines;
    batch.events.reserve(std::min(lines, rest.size() / kMinEventBytes + 1));
    std::size_t& pos = cursor.pos;
    std::size_t& index = cursor.index;
    std::size_t taken = 0;
    while (pos < body.size() && taken < max_lines) {
      const std::string_view line = trim_json_space(next_line(body, pos));
      if (line.empty()) continue;
      ++taken;
      const std::size_t i = index++;
      if (line.size() > options.max_event_bytes) {
        reject(batch, i, RejectReason::kTooLarge,
               too_large_message(line.size(), options.max_event_bytes));
        continue;
      }
      // simdjson reads up to SIMDJSON_PADDING bytes past the end (their
      // content does not matter): lines followed by that much of the body
      // are parsed in place, skipping the copy into the parser's buffer.
      const bool padded = static_cast<std::size_t>(body.data() + body.size() - line.data()) >=
                          line.size() + simdjson::SIMDJSON_PADDING;
      element doc;
      const simdjson::error_code err = parser.parse(line.data(), line.size(), !padded).get(doc);
      if (err != simdjson::SUCCESS) {
        reject(batch, i, parse_reason(err),
               listing(batch) ? parse_message("line", err) : std::string{});
        continue;
      }
      decode_element(batch, i, doc, now);
    }
  }
};

Decoder::Decoder(CodecOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
Decoder::~Decoder() = default;
Decoder::Decoder(Decoder&&) noexcept = default;
Decoder& Decoder::operator=(Decoder&&) noexcept = default;

DecodedBatch Decoder::decode(std::string_view body, BodyFormat format, Timestamp now,
                             std::vector<IndexedEvent> reuse) {
  DecodedBatch batch;
  impl_->start(batch, std::move(reuse));
  // A UTF-8 byte order mark some Windows tools write first (RFC 8259 §8.1
  // lets a parser ignore it); simdjson would refuse the body.
  if (body.starts_with(kByteOrderMark)) body.remove_prefix(kByteOrderMark.size());
  if (format == BodyFormat::kJson) {
    impl_->decode_json(body, now, batch);
  } else {
    NdjsonCursor whole;
    impl_->decode_ndjson(body, whole, kAllLines, now, batch);
  }
  impl_->finish(batch);
  return batch;
}

DecodedBatch Decoder::decode_ndjson_part(std::string_view body, NdjsonCursor& cursor,
                                         std::size_t max_lines, Timestamp now,
                                         std::vector<IndexedEvent> reuse) {
  DecodedBatch batch;
  impl_->start(batch, std::move(reuse));
  if (cursor.pos == 0 && body.starts_with(kByteOrderMark)) cursor.pos = kByteOrderMark.size();
  impl_->decode_ndjson(body, cursor, std::max<std::size_t>(max_lines, 1), now, batch);
  impl_->finish(batch);
  return batch;
}

const CodecOptions& Decoder::options() const {
  return impl_->options;
}

}  // namespace ccmon::core
