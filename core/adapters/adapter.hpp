// The seam every platform adapter shares: native bytes in, ccmon Events
// (core/event.hpp) out, with an outcome per native record. Adapters are pure:
// no I/O, no clock; what they remember between calls is a plain struct the
// caller owns and passes in. docs/adapters.md has the mapping tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/event.hpp"

namespace ccmon::core::adapters {

// What became of one native record (a queue_log line, a callback, a JSON event).
enum class RecordOutcome : std::uint8_t {
  kMapped,    // produced one or more ccmon events
  kIgnored,   // understood, but carries nothing ccmon counts (documented per adapter)
  kUnknown,   // well formed, but a kind the adapter does not know (e.g. a custom verb)
  kRejected,  // malformed, oversized, badly signed: the reason says why
};
inline constexpr int kRecordOutcomeCount = static_cast<int>(RecordOutcome::kRejected) + 1;

// "mapped", "ignored", "unknown", "rejected" (the `result` label of the
// adapter counters).
std::string_view to_string(RecordOutcome o);

// One record that was not mapped or ignored. `record` counts from 1 (a line
// number for line formats, a position in the body otherwise); `code` is a
// stable reason code ("invalid_time", "field_too_long", ...) or, for kUnknown,
// the native kind (the verb / event type, cut to kMaxCodeBytes).
struct RecordIssue {
  std::size_t record = 0;
  RecordOutcome outcome = RecordOutcome::kRejected;
  std::string code;
  std::string message;  // names the field and the limit
};

// The result of one adapter call. Bounded by the input: at most one issue
// per record, and `issues` keeps the first kMaxIssues (the rest are only
// counted in `counts` and `issues_dropped`).
struct AdapterBatch {
  std::vector<Event> events;  // in input order
  std::array<std::size_t, kRecordOutcomeCount> counts{};
  std::vector<RecordIssue> issues;
  std::size_t issues_dropped = 0;
  // Unknown native kinds with how often each came, at most kMaxUnknownKinds
  // distinct names; later new names are summed under "(other)".
  std::vector<std::pair<std::string, std::size_t>> unknown_kinds;

  std::size_t count(RecordOutcome o) const { return counts[static_cast<std::size_t>(o)]; }

  void note(RecordOutcome o) { ++counts[static_cast<std::size_t>(o)]; }
  // Counts a kRejected / kUnknown record and keeps its issue (if room).
  void issue(std::size_t record, RecordOutcome o, std::string_view code, std::string message);
};

inline constexpr std::size_t kMaxIssues = 1000;
inline constexpr std::size_t kMaxUnknownKinds = 32;
inline constexpr std::size_t kMaxCodeBytes = 32;

// Limits every adapter applies to the names it copies into events: a longer
// id or name is rejected, never cut (a cut id could merge two contacts).
inline constexpr std::size_t kMaxIdBytes = 128;    // event ids (docs/events.md) and contact ids
inline constexpr std::size_t kMaxNameBytes = 128;  // queue, agent, team, reason
inline constexpr std::size_t kMaxSourceBytes = 32;

// The longest native id that still gives an id of at most kMaxIdBytes
// (docs/events.md) once written "<source>:<native id>" followed by
// `suffix_bytes` more (2 for an event id's ":<n>" with one event per
// record). A longer native id rejects its record (field_too_long): the
// ingest would refuse the event, and cutting could merge two contacts.
std::size_t max_native_id_bytes(std::string_view source, std::size_t suffix_bytes = 0);

// A source names one platform instance (one PBX, one Twilio workspace...):
// 1..kMaxSourceBytes bytes of [A-Za-z0-9_.-]. It prefixes contact and event
// ids, so two sources can never collide.
bool valid_source_name(std::string_view source);

// The checks an entry point makes before mapping anything. Each records its
// rejection in `out` as record 0 (the whole call) and returns false.
// admit_source: `source` is a valid source name. admit_body: that, and
// `body` is at most `max_body_bytes` long.
bool admit_source(std::string_view source, AdapterBatch& out);
bool admit_body(std::string_view source, std::string_view body, std::size_t max_body_bytes,
                AdapterBatch& out);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates) with no
// control character (U+0000..U+001F, U+007F): what a name may hold.
bool valid_name_text(std::string_view s);

// FNV-1a 64-bit over `bytes` (Fowler/Noll/Vo, IETF draft-eastlake-fnv):
// the line identity in deterministic event ids, as 16 lowercase hex digits.
std::string fnv1a64_hex(std::string_view bytes);

}  // namespace ccmon::core::adapters
