#include "core/codec/event_object.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "core/codec/event_fields.hpp"

namespace ccmon::core::codec_detail {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::size_t kMaxIdBytes = 128;
// 9999-12-31T23:59:59Z: the last instant RFC 3339's four-digit year can write.
constexpr std::int64_t kMaxUnixSeconds = 253'402'300'799;
constexpr std::size_t kMaxQuotedBytes = 64;  // of a bad value echoed in a message

// The first occurrence of each known field; nulls count as absent.
struct Slots {
  FieldSet present = 0;
  std::array<element, kFieldCount> value;

  bool has(Field f) const { return (present & bit(f)) != 0; }
  element get(Field f) const { return value[static_cast<std::size_t>(f)]; }
};

void collect(simdjson::dom::object object, FieldSet accept, Slots& slots) {
  for (const auto kv : object) {
    const std::optional<Field> f = field_from_key(kv.key);
    if (!f) continue;
    const FieldSet b = bit(*f);
    if ((accept & b) == 0 || (slots.present & b) != 0 || kv.value.is_null()) continue;
    slots.present |= b;
    slots.value[static_cast<std::size_t>(*f)] = kv.value;
  }
}

// ---- messages (built only on the reject path) ----

std::string_view json_type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

// A string value, quoted and cut at a UTF-8 boundary when long.
void append_quoted(std::string& m, std::string_view s) {
  m += '"';
  if (s.size() <= kMaxQuotedBytes) {
    m += s;
  } else {
    std::size_t cut = kMaxQuotedBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    m += s.substr(0, cut);
    m += "...";
  }
  m += '"';
}

// Numbers as the producer wrote them, as far as the DOM keeps them.
void append_number(std::string& m, element v) {
  char buf[32];
  std::to_chars_result r{};
  switch (v.type()) {
    case element_type::INT64:
      r = std::to_chars(buf, buf + sizeof buf, v.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      r = std::to_chars(buf, buf + sizeof buf, v.get_uint64().value_unsafe());
      break;
    default:
      r = std::to_chars(buf, buf + sizeof buf, v.get_double().value_unsafe());
      m.append(buf, r.ptr);
      // 4.0 must not read as the integer 4 in "expected an integer, got 4.0".
      if (std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)).find_first_of(".e") ==
          std::string_view::npos) {
        m += ".0";
      }
      return;
  }
  m.append(buf, r.ptr);
}

void append_value(std::string& m, element v) {
  switch (v.type()) {
    case element_type::STRING:
      append_quoted(m, v.get_string().value_unsafe());
      break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      append_number(m, v);
      break;
    case element_type::BOOL:
      m += v.get_bool().value_unsafe() ? "true" : "false";
      break;
    default:
      m += json_type_name(v.type());
      break;
  }
}

std::string field_prefix(Field f) {
  std::string m = "field `";
  m += field_name(f);
  m += "`: ";
  return m;
}

bool fail(Failure& failure, RejectReason reason, std::string message) {
  failure.reason = reason;
  failure.message = std::move(message);
  return false;
}

bool fail_missing(Failure& failure, Field f, std::string_view context) {
  std::string m = "missing required field `";
  m += field_name(f);
  m += '`';
  m += context;
  return fail(failure, RejectReason::kMissingField, std::move(m));
}

bool fail_type(Failure& failure, Field f, std::string_view expected, element v) {
  std::string m = field_prefix(f);
  m += "expected ";
  m += expected;
  m += ", got ";
  if (v.type() == element_type::DOUBLE) {
    append_number(m, v);  // "got 4.5" says more than "got number"
  } else {
    m += json_type_name(v.type());
  }
  return fail(failure, RejectReason::kWrongType, std::move(m));
}

bool fail_value(Failure& failure, RejectReason reason, Field f, element v, std::string_view why) {
  std::string m = field_prefix(f);
  append_value(m, v);
  m += ' ';
  m += why;
  return fail(failure, reason, std::move(m));
}

// ---- field readers ----

// A string of at most `max_bytes`: names and ids are kept in the engine and
// written on /metrics, so their length is bounded like the event's.
bool read_string(const Slots& slots, Field f, bool required, std::size_t max_bytes,
                 std::string& out, Failure& failure) {
  const element v = slots.get(f);
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return fail_type(failure, f, "a string", v);
  if (s.empty() && required) {
    return fail(failure, RejectReason::kOutOfRange, field_prefix(f) + "must not be empty");
  }
  if (s.size() > max_bytes) {
    std::string m = field_prefix(f);
    m += "length ";
    m += std::to_string(s.size());
    m += " bytes is over the limit of ";
    m += std::to_string(max_bytes);
    return fail(failure, RejectReason::kOutOfRange, std::move(m));
  }
  out.assign(s);
  return true;
}

bool read_channel(const Slots& slots, Field f, const CodecOptions& options, std::string& out,
                  Failure& failure) {
  const element v = slots.get(f);
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return fail_type(failure, f, "a string", v);
  for (const std::string& allowed : options.channels) {
    if (allowed == s) {
      out.assign(s);
      return true;
    }
  }
  return fail_value(failure, RejectReason::kUnknownChannel, f, v, "is not an allowed channel");
}

bool read_integer(const Slots& slots, Field f, std::int64_t lo, std::int64_t hi, std::int64_t& out,
                  Failure& failure) {
  const element v = slots.get(f);
  const element_type t = v.type();
  if (t == element_type::UINT64) {
    // Beyond int64: out of every integer field's range.
    return fail_value(failure, RejectReason::kOutOfRange, f, v, "is too large");
  }
  if (t != element_type::INT64) return fail_type(failure, f, "an integer", v);
  const std::int64_t n = v.get_int64().value_unsafe();
  if (n < lo || n > hi) {
    const std::string why = hi == INT64_MAX
                                ? "is below " + std::to_string(lo)
                                : "is outside " + std::to_string(lo) + ".." + std::to_string(hi);
    return fail_value(failure, RejectReason::kOutOfRange, f, v, why);
  }
  out = n;
  return true;
}

bool read_small_integer(const Slots& slots, Field f, int lo, int hi, std::optional<int>& out,
                        Failure& failure) {
  std::int64_t n = 0;
  if (!read_integer(slots, f, lo, hi, n, failure)) return false;
  out = static_cast<int>(n);
  return true;
}

bool read_number(const Slots& slots, Field f, double& out, Failure& failure) {
  const element v = slots.get(f);
  switch (v.type()) {
    case element_type::INT64:
      out = static_cast<double>(v.get_int64().value_unsafe());
      return true;
    case element_type::UINT64:
      out = static_cast<double>(v.get_uint64().value_unsafe());
      return true;
    case element_type::DOUBLE:
      out = v.get_double().value_unsafe();
      return true;
    default:
      return fail_type(failure, f, "a number", v);
  }
}

// `time`: RFC 3339 text or Unix seconds.
bool read_time(const Slots& slots, Timestamp& out, Failure& failure) {
  const element v = slots.get(Field::kTime);
  constexpr std::string_view kRange = "is outside 0..253402300799 Unix seconds";
  switch (v.type()) {
    case element_type::STRING:
      if (!parse_rfc3339(v.get_string().value_unsafe(), out)) {
        return fail_value(failure, RejectReason::kInvalidTime, Field::kTime, v,
                          "is not an RFC 3339 date-time with offset");
      }
      if (out < 0) {
        return fail_value(failure, RejectReason::kOutOfRange, Field::kTime, v,
                          "is before 1970-01-01T00:00:00Z");
      }
      return true;
    case element_type::INT64: {
      const std::int64_t s = v.get_int64().value_unsafe();
      if (s < 0 || s > kMaxUnixSeconds) {
        return fail_value(failure, RejectReason::kOutOfRange, Field::kTime, v, kRange);
      }
      out = s * kMicrosPerSecond;
      return true;
    }
    case element_type::UINT64:
      return fail_value(failure, RejectReason::kOutOfRange, Field::kTime, v, kRange);
    case element_type::DOUBLE: {
      const double s = v.get_double().value_unsafe();
      if (!(s >= 0.0) || s > static_cast<double>(kMaxUnixSeconds)) {
        return fail_value(failure, RejectReason::kOutOfRange, Field::kTime, v, kRange);
      }
      // Microsecond resolution; a double holds today's seconds to ~0.2 us.
      out = std::llround(s * static_cast<double>(kMicrosPerSecond));
      return true;
    }
    default:
      return fail_type(failure, Field::kTime, "an RFC 3339 string or a number", v);
  }
}

bool read_envelope(const Slots& slots, const CodecOptions& options, Timestamp now, Event& out,
                   Failure& failure) {
  if (!slots.has(Field::kId)) return fail_missing(failure, Field::kId, "");
  const element id = slots.get(Field::kId);
  std::string_view id_text;
  if (id.get_string().get(id_text) != simdjson::SUCCESS) {
    return fail_type(failure, Field::kId, "a string", id);
  }
  if (id_text.empty() || id_text.size() > kMaxIdBytes) {
    return fail(
        failure, RejectReason::kOutOfRange,
        "field `id`: length " + std::to_string(id_text.size()) + " bytes is outside 1..128");
  }

  if (!slots.has(Field::kType)) return fail_missing(failure, Field::kType, "");
  const element type = slots.get(Field::kType);
  std::string_view type_text;
  if (type.get_string().get(type_text) != simdjson::SUCCESS) {
    return fail_type(failure, Field::kType, "a string", type);
  }
  const std::optional<EventType> t = event_type_from_string(type_text);
  if (!t)
    return fail_value(failure, RejectReason::kUnknownType, Field::kType, type,
                      "is not an event type");

  if (!slots.has(Field::kTime)) return fail_missing(failure, Field::kTime, "");
  Timestamp time = 0;
  if (!read_time(slots, time, failure)) return false;
  if (time > now + options.max_clock_skew) {
    std::string m = field_prefix(Field::kTime);
    append_value(m, slots.get(Field::kTime));
    m += " is ahead of now by more than the allowed clock skew of ";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, to_seconds(options.max_clock_skew));
    m.append(buf, r.ptr);
    m += " s";
    return fail(failure, RejectReason::kFutureTime, std::move(m));
  }
  // One event from long ago would otherwise hold live values (oldest
  // waiting, SLA states) for as long as its contact is tracked.
  if (options.max_event_age > 0 && time < now - options.max_event_age) {
    std::string m = field_prefix(Field::kTime);
    append_value(m, slots.get(Field::kTime));
    m += " is older than now by more than the maximum event age of ";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, to_seconds(options.max_event_age));
    m.append(buf, r.ptr);
    m += " s";
    return fail(failure, RejectReason::kPastTime, std::move(m));
  }

  out.id.assign(id_text);
  out.type = *t;
  out.time = time;
  return true;
}

// Payload fields in enum order, so the first problem reported is stable.
bool read_payload(const Slots& slots, const CodecOptions& options, Event& out, Failure& failure) {
  const TypeFields tf = fields_of(out.type);
  const FieldSet used = tf.required | tf.optional | kCommonFields;
  for (int i = kFirstPayloadField; i < kFieldCount; ++i) {
    const Field f = static_cast<Field>(i);
    const FieldSet b = bit(f);
    if ((used & b) == 0) continue;
    const bool required = (tf.required & b) != 0;
    if (!slots.has(f)) {
      if (required) {
        std::string context = " for type ";
        context += to_string(out.type);
        return fail_missing(failure, f, context);
      }
      continue;
    }
    bool ok = true;
    std::int64_t n = 0;
    double d = 0;
    switch (f) {
      case Field::kContact:
        ok = read_string(slots, f, required, options.max_id_bytes, out.contact, failure);
        break;
      case Field::kCase:
        ok = read_string(slots, f, required, options.max_id_bytes, out.case_id, failure);
        break;
      case Field::kChannel:
        ok = read_channel(slots, f, options, out.channel, failure);
        break;
      case Field::kQueue:
        ok = read_string(slots, f, required, options.max_label_bytes, out.queue, failure);
        break;
      case Field::kAgent:
        ok = read_string(slots, f, required, options.max_id_bytes, out.agent, failure);
        break;
      case Field::kTeam:
        ok = read_string(slots, f, required, options.max_label_bytes, out.team, failure);
        break;
      case Field::kCustomer:
        ok = read_string(slots, f, required, options.max_id_bytes, out.customer, failure);
        break;
      case Field::kToQueue:
        ok = read_string(slots, f, required, options.max_label_bytes, out.to_queue, failure);
        break;
      case Field::kToAgent:
        ok = read_string(slots, f, required, options.max_id_bytes, out.to_agent, failure);
        break;
      case Field::kToChannel:
        ok = read_channel(slots, f, options, out.to_channel, failure);
        break;
      case Field::kReason:
        ok = read_string(slots, f, required, options.max_label_bytes, out.reason, failure);
        break;
      case Field::kPriority:
        ok = read_integer(slots, f, INT64_MIN, INT64_MAX, n, failure);
        if (ok) out.priority = n;
        break;
      case Field::kAutomated: {
        const element v = slots.get(f);
        bool flag = false;
        ok = v.get_bool().get(flag) == simdjson::SUCCESS || fail_type(failure, f, "a boolean", v);
        if (ok) out.automated = flag;
        break;
      }
      case Field::kValue:
        ok = read_number(slots, f, d, failure);
        if (ok) out.value = d;
        break;
      case Field::kScore:
        ok = read_number(slots, f, d, failure);
        if (ok && (d < -1.0 || d > 1.0)) {
          ok = fail_value(failure, RejectReason::kOutOfRange, f, slots.get(f), "is outside -1..1");
        }
        if (ok) out.score = d;
        break;
      case Field::kCsat:
        ok = read_small_integer(slots, f, 1, 5, out.csat, failure);
        break;
      case Field::kNps:
        ok = read_small_integer(slots, f, 0, 10, out.nps, failure);
        break;
      case Field::kCes:
        ok = read_small_integer(slots, f, 1, 7, out.ces, failure);
        break;
      case Field::kContacts:
        ok = read_integer(slots, f, 1, INT64_MAX, n, failure);
        if (ok) out.contacts = n;
        break;
      case Field::kState: {
        const element v = slots.get(f);
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) {
          ok = fail_type(failure, f, "a string", v);
          break;
        }
        out.state = agent_state_from_string(s);
        if (!out.state) {
          ok = fail_value(failure, RejectReason::kOutOfRange, f, v,
                          "is not one of available, busy, wrap_up, away, offline");
        }
        break;
      }
      default:
        break;
    }
    if (!ok) return false;
  }
  if (out.type == EventType::kSurveyAnswered && !out.csat && !out.nps && !out.ces) {
    return fail(failure, RejectReason::kMissingField,
                "missing required field: survey.answered needs at least one of `csat`, `nps`, "
                "`ces`");
  }
  return true;
}

}  // namespace

bool decode_event_object(simdjson::dom::object object, const CodecOptions& options, Timestamp now,
                         Event& out, Failure& failure) {
  Slots slots;
  collect(object, ~FieldSet{0}, slots);
  if (!read_envelope(slots, options, now, out, failure)) return false;
  if (slots.has(Field::kSpecversion)) {
    // CloudEvents structured mode: the payload lives in `data`.
    if (!slots.has(Field::kData)) {
      return fail_missing(failure, Field::kData, " (CloudEvents structured mode)");
    }
    const element data = slots.get(Field::kData);
    simdjson::dom::object payload;
    if (data.get_object().get(payload) != simdjson::SUCCESS) {
      return fail_type(failure, Field::kData, "an object", data);
    }
    slots.present &= kEnvelopeFields;
    collect(payload, ~kEnvelopeFields, slots);
  }
  return read_payload(slots, options, out, failure);
}

}  // namespace ccmon::core::codec_detail
