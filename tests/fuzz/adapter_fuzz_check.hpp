// Checks shared by the adapter fuzz targets: the contract of AdapterBatch
// (core/adapters/adapter.hpp, docs/adapters.md "Shared rules") and the
// fields docs/events.md requires of every event an adapter emits.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/adapters/adapter.hpp"
#include "core/codec/event_fields.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace ccmon::fuzz {

namespace adapters = ccmon::core::adapters;
using adapters::RecordOutcome;

// Native text an adapter quotes in a message is cut (64 bytes at most);
// the rest of a message is a fixed sentence naming the field and the limit.
inline constexpr std::size_t kMaxMessageBytes = 256;

inline bool starts_with_source(std::string_view s, std::string_view source) {
  return s.size() > source.size() && s.substr(0, source.size()) == source &&
         s[source.size()] == ':';
}

// A name or id copied into an event: at most `limit` bytes of UTF-8
// without control characters (empty = absent).
inline bool valid_copy(const std::string& s, std::size_t limit) {
  return s.size() <= limit && adapters::valid_name_text(s);
}

inline bool has_field(const core::Event& e, core::codec_detail::Field f) {
  using F = core::codec_detail::Field;
  switch (f) {
    case F::kContact:
      return !e.contact.empty();
    case F::kCase:
      return !e.case_id.empty();
    case F::kChannel:
      return !e.channel.empty();
    case F::kQueue:
      return !e.queue.empty();
    case F::kAgent:
      return !e.agent.empty();
    case F::kTeam:
      return !e.team.empty();
    case F::kCustomer:
      return !e.customer.empty();
    case F::kToQueue:
      return !e.to_queue.empty();
    case F::kToAgent:
      return !e.to_agent.empty();
    case F::kToChannel:
      return !e.to_channel.empty();
    case F::kReason:
      return !e.reason.empty();
    case F::kPriority:
      return e.priority.has_value();
    case F::kValue:
      return e.value.has_value();
    case F::kScore:
      return e.score.has_value();
    case F::kContacts:
      return e.contacts.has_value();
    case F::kState:
      return e.state.has_value();
    default:
      return true;  // envelope and optional-only fields
  }
}

// One mapped event: what docs/events.md requires of its type, ids that carry
// the source (docs/adapters.md "Sources", "Deterministic event ids") and
// every copied name within the limits of events.md.
inline void check_event(const core::Event& e, std::string_view source) {
  constexpr std::size_t kMax = adapters::kMaxIdBytes;  // events.md: ids and labels 128 B
  CCMON_FUZZ_CHECK(!e.id.empty() && e.id.size() <= kMax && adapters::valid_name_text(e.id));
  CCMON_FUZZ_CHECK(starts_with_source(e.id, source));
  const core::codec_detail::TypeFields tf = core::codec_detail::fields_of(e.type);
  for (int i = core::codec_detail::kFirstPayloadField; i < core::codec_detail::kFieldCount; ++i) {
    const auto f = static_cast<core::codec_detail::Field>(i);
    if (tf.required & core::codec_detail::bit(f)) CCMON_FUZZ_CHECK(has_field(e, f));
  }
  if (!e.contact.empty()) CCMON_FUZZ_CHECK(starts_with_source(e.contact, source));
  for (const std::string* s : {&e.contact, &e.case_id, &e.agent, &e.to_agent, &e.customer, &e.queue,
                               &e.team, &e.to_queue, &e.reason, &e.channel, &e.to_channel}) {
    CCMON_FUZZ_CHECK(valid_copy(*s, kMax));
  }
}

// The batch of one adapter call over `records` native records (the caller
// counts them its own way; 1 for a call refused as a whole).
inline void check_batch(const adapters::AdapterBatch& b, std::size_t records,
                        std::string_view source) {
  // Every record exactly one outcome.
  std::size_t total = 0;
  for (const std::size_t n : b.counts) total += n;
  CCMON_FUZZ_CHECK(total == records);
  // A mapped record produced at least one event; nothing else did.
  CCMON_FUZZ_CHECK(b.events.size() >= b.count(RecordOutcome::kMapped));
  if (b.count(RecordOutcome::kMapped) == 0) CCMON_FUZZ_CHECK(b.events.empty());
  // Issues: rejected and unknown records, the first kMaxIssues kept, one per
  // record, in record order; record 0 (the whole call) stands alone.
  const std::size_t with_issue =
      b.count(RecordOutcome::kRejected) + b.count(RecordOutcome::kUnknown);
  CCMON_FUZZ_CHECK(b.issues.size() <= adapters::kMaxIssues);
  CCMON_FUZZ_CHECK(b.issues.size() + b.issues_dropped == with_issue);
  for (std::size_t i = 0; i < b.issues.size(); ++i) {
    const adapters::RecordIssue& is = b.issues[i];
    CCMON_FUZZ_CHECK(is.outcome == RecordOutcome::kRejected ||
                     is.outcome == RecordOutcome::kUnknown);
    CCMON_FUZZ_CHECK(is.record <= records);
    if (is.record == 0) CCMON_FUZZ_CHECK(records == 1 && b.issues.size() == 1);
    if (i > 0) CCMON_FUZZ_CHECK(is.record > b.issues[i - 1].record);
    CCMON_FUZZ_CHECK(!is.code.empty() && is.code.size() <= adapters::kMaxCodeBytes);
    CCMON_FUZZ_CHECK(!is.message.empty() && is.message.size() <= kMaxMessageBytes);
  }
  // Unknown kinds: at most kMaxUnknownKinds names plus "(other)", summing
  // to the unknown records.
  CCMON_FUZZ_CHECK(b.unknown_kinds.size() <= adapters::kMaxUnknownKinds + 1);
  std::size_t unknown = 0;
  for (const auto& [name, n] : b.unknown_kinds) {
    CCMON_FUZZ_CHECK(name.size() <= adapters::kMaxCodeBytes && n >= 1);
    unknown += n;
  }
  CCMON_FUZZ_CHECK(unknown == b.count(RecordOutcome::kUnknown));
  for (const core::Event& e : b.events) check_event(e, source);
}

// Same input, same ids (deterministic ids; the second delivery of a record
// must be a duplicate for the engine's dedup).
inline void check_same_ids(const adapters::AdapterBatch& a, const adapters::AdapterBatch& b) {
  CCMON_FUZZ_CHECK(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i)
    CCMON_FUZZ_CHECK(a.events[i].id == b.events[i].id);
}

}  // namespace ccmon::fuzz
