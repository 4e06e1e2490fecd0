#include "core/codec/event_fields.hpp"

#include <array>
#include <cstdint>

namespace ccmon::core::codec_detail {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "id",         "type",   "time",     "specversion", "data",     "contact",  "case",
    "channel",    "queue",  "agent",    "team",        "customer", "to_queue", "to_agent",
    "to_channel", "reason", "priority", "automated",   "value",    "score",    "csat",
    "nps",        "ces",    "contacts", "state",
};

constexpr FieldSet kContact = bit(Field::kContact);

constexpr std::array<TypeFields, kEventTypeCount> kTypeFields = {{
    {kContact | bit(Field::kChannel), 0},                   // contact.created
    {kContact | bit(Field::kChannel) | bit(Field::kQueue),  // contact.queued
     bit(Field::kPriority)},
    {kContact | bit(Field::kAgent), 0},                                       // contact.answered
    {kContact, 0},                                                            // contact.abandoned
    {kContact, bit(Field::kReason)},                                          // contact.overflowed
    {kContact, 0},                                                            // contact.held
    {kContact, 0},                                                            // contact.resumed
    {kContact, bit(Field::kToQueue) | bit(Field::kToAgent)},                  // contact.transferred
    {kContact, 0},                                                            // contact.ended
    {kContact, 0},                                                            // contact.wrapped
    {kContact, 0},                                                            // contact.self_served
    {kContact | bit(Field::kToChannel), 0},                                   // contact.deflected
    {kContact, bit(Field::kValue)},                                           // contact.converted
    {kContact | bit(Field::kScore), 0},                                       // contact.sentiment
    {kContact, 0},                                                            // message.received
    {kContact, bit(Field::kAutomated)},                                       // message.sent
    {bit(Field::kCase), 0},                                                   // case.opened
    {bit(Field::kCase), 0},                                                   // case.escalated
    {bit(Field::kCase) | bit(Field::kContacts), 0},                           // case.resolved
    {0, kContact | bit(Field::kCsat) | bit(Field::kNps) | bit(Field::kCes)},  // survey.answered
    {0, bit(Field::kCustomer)},                                               // customer.churned
    {bit(Field::kAgent) | bit(Field::kState), bit(Field::kReason)},           // agent.state
    {bit(Field::kCase), 0},                                                   // case.reopened
}};

// Field indices grouped by name length: a key is compared with the few names
// of its length only (at most six), instead of scanning all 25.
struct ByLength {
  std::array<std::array<std::uint8_t, 8>, 12> fields{};
  std::array<std::uint8_t, 12> count{};
};

constexpr ByLength by_length() {
  ByLength t;
  for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
    const std::size_t n = kFieldNames[i].size();
    t.fields[n][t.count[n]++] = static_cast<std::uint8_t>(i);
  }
  return t;
}

constexpr ByLength kByLength = by_length();

}  // namespace

TypeFields fields_of(EventType type) {
  return kTypeFields[static_cast<std::size_t>(type)];
}

std::string_view field_name(Field f) {
  return kFieldNames[static_cast<std::size_t>(f)];
}

std::optional<Field> field_from_key(std::string_view key) {
  // Called for every key of every event.
  const std::size_t n = key.size();
  if (n == 0 || n >= kByLength.count.size()) return std::nullopt;
  for (std::uint8_t j = 0; j < kByLength.count[n]; ++j) {
    const std::uint8_t i = kByLength.fields[n][j];
    const std::string_view name = kFieldNames[i];
    // Names are at most 11 bytes: a byte loop beats a call to memcmp.
    std::size_t k = 0;
    while (k < n && name[k] == key[k]) ++k;
    if (k == n) return static_cast<Field>(i);
  }
  return std::nullopt;
}

}  // namespace ccmon::core::codec_detail
