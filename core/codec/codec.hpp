// Event codec: request bodies and WebSocket frames -> validated Events or
// rejections with a stable reason code and a message naming the field.
// No exceptions on the data path.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/time.hpp"

namespace ccmon::core {

struct CodecOptions {
  std::vector<std::string> channels = {"voice", "chat", "messaging", "email", "social"};
  Duration max_clock_skew = seconds(60);    // `time` later than now + skew -> future_time
  std::size_t max_event_bytes = 64 * 1024;  // one event's JSON text -> too_large
  // Longest queue, team, to_queue and reason value (they become metric label
  // values) and longest contact, case, agent, to_agent and customer id, in
  // bytes; longer -> out_of_range (docs/events.md, "Limits").
  std::size_t max_label_bytes = 128;
  std::size_t max_id_bytes = 128;
  // `time` earlier than now - max_event_age -> past_time; 0 turns the check
  // off, as replays of history need (the daemon turns it off in event-clock
  // mode). 72 h: a producer that buffered through a weekend outage still
  // catches up (docs/security.md).
  Duration max_event_age = hours(72);
  // Rejections kept with their index and message per body or frame; the rest
  // are only counted by reason (DecodedBatch::rejected_by_reason).
  std::size_t max_rejection_details = 100;
};

enum class RejectReason {
  kInvalidJson,     // not parseable JSON (NDJSON line, or array element context)
  kInvalidUtf8,     // bytes that are not UTF-8
  kNotObject,       // an event that is not a JSON object
  kMissingField,    // a required field is absent
  kWrongType,       // a field has the wrong JSON type
  kOutOfRange,      // a value outside its domain (csat 9, empty id, id > 128 bytes...)
  kUnknownType,     // `type` is not an events.md type
  kUnknownChannel,  // `channel` not allowed by configuration
  kInvalidTime,     // `time` not RFC 3339 with offset, nor a number
  kFutureTime,      // `time` beyond the allowed clock skew
  kTooLarge,        // one event larger than max_event_bytes
  kPastTime,        // `time` older than max_event_age
};
inline constexpr int kRejectReasonCount = static_cast<int>(RejectReason::kPastTime) + 1;

std::string_view to_string(RejectReason r);  // "invalid_json", ... (metric label, API code)

struct Rejection {
  std::size_t index = 0;  // position of the event in the body / frame, from 0
  RejectReason reason = RejectReason::kInvalidJson;
  std::string message;  // names the field, e.g. "field `csat`: 9 is outside 1..5"
};

struct IndexedEvent {
  std::size_t index = 0;
  Event event;
};

enum class BodyFormat {
  kJson,    // one event object or a JSON array of events
  kNdjson,  // one event per line (a single object is one line)
};

struct DecodedBatch {
  std::vector<IndexedEvent> events;  // valid ones, in body order
  // The first CodecOptions::max_rejection_details rejections, in body order:
  // a body of a million bad lines must not cost a million messages.
  std::vector<Rejection> rejections;
  std::size_t rejected = 0;  // every rejection, listed or not
  std::array<std::size_t, kRejectReasonCount> rejected_by_reason{};
  // Set when the body as a whole cannot be read (kJson body that is not
  // JSON, or neither an object nor an array): nothing in it was decoded.
  bool unreadable = false;
  RejectReason unreadable_reason = RejectReason::kInvalidJson;
  std::string unreadable_message;
};

// Where a part-by-part NDJSON decode stands (Decoder::decode_ndjson_part).
struct NdjsonCursor {
  std::size_t pos = 0;    // byte offset of the next line in the body
  std::size_t index = 0;  // ordinal of the next non-empty line: the rejections' index
  bool at_end(std::string_view body) const { return pos >= body.size(); }
};

// Reusable decoder; holds parser buffers, so keep one per session/thread.
// Not thread-safe.
class Decoder {
 public:
  explicit Decoder(CodecOptions options = {});
  ~Decoder();
  Decoder(Decoder&&) noexcept;
  Decoder& operator=(Decoder&&) noexcept;

  // `now` is the reference for future_time. `reuse`: events of a batch done
  // with (any content), overwritten in place before new ones are added, so
  // that their strings' buffers serve again; those left over are dropped.
  // With a batch of as many events, decoding allocates nothing per event
  // (docs/ingestion.md, "Reused events").
  DecodedBatch decode(std::string_view body, BodyFormat format, Timestamp now,
                      std::vector<IndexedEvent> reuse = {});

  // The next at most `max_lines` non-empty lines of the NDJSON `body` from
  // `cursor`, which it advances (a byte order mark first is skipped). Parts
  // decoded until cursor.at_end(body) hold, between them, exactly the events
  // and rejections of decode(body, kNdjson, now), indices counted from the
  // body's first line; each part lists up to max_rejection_details. Lets the
  // daemon hand a body's first events to the engine while it decodes the
  // rest (docs/ingestion.md, "Large bodies"). max_lines 0 is taken as 1.
  // `reuse` as for decode().
  DecodedBatch decode_ndjson_part(std::string_view body, NdjsonCursor& cursor,
                                  std::size_t max_lines, Timestamp now,
                                  std::vector<IndexedEvent> reuse = {});

  const CodecOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// At most how many lines, hence NDJSON events, `body` holds: its newlines
// plus 1 for a last line without one (so 1 for an empty body, 2 for "a\n").
// Cheap enough to size a reservation before decoding (memchr skips a line
// per call). Thread-safe.
std::size_t ndjson_line_bound(std::string_view body);

// Parses an RFC 3339 date-time with offset ("2026-11-22T09:15:02.123Z",
// "...+01:00"); false when malformed. Exposed for tools and tests.
bool parse_rfc3339(std::string_view text, Timestamp& out);

}  // namespace ccmon::core
