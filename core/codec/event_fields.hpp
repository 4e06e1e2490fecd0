// The wire fields an event may carry and which of them each type uses
// (internal header of the codec).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/event.hpp"

namespace ccmon::core::codec_detail {

enum class Field : std::uint8_t {
  // Envelope: always read from the top-level object.
  kId,
  kType,
  kTime,
  kSpecversion,
  kData,
  // Payload: from the top-level object, or from `data` in CloudEvents mode.
  kContact,
  kCase,
  kChannel,
  kQueue,
  kAgent,
  kTeam,
  kCustomer,
  kToQueue,
  kToAgent,
  kToChannel,
  kReason,
  kPriority,
  kAutomated,
  kValue,
  kScore,
  kCsat,
  kNps,
  kCes,
  kContacts,
  kState,
};
inline constexpr int kFieldCount = static_cast<int>(Field::kState) + 1;
inline constexpr int kFirstPayloadField = static_cast<int>(Field::kContact);

using FieldSet = std::uint32_t;
static_assert(kFieldCount <= 32, "FieldSet is a 32-bit mask");

constexpr FieldSet bit(Field f) {
  return FieldSet{1} << static_cast<unsigned>(f);
}

inline constexpr FieldSet kEnvelopeFields = bit(Field::kId) | bit(Field::kType) |
                                            bit(Field::kTime) | bit(Field::kSpecversion) |
                                            bit(Field::kData);

// Read (validated and copied) for every type when present.
inline constexpr FieldSet kCommonFields =
    bit(Field::kChannel) | bit(Field::kQueue) | bit(Field::kAgent) | bit(Field::kTeam);

struct TypeFields {
  FieldSet required = 0;
  FieldSet optional = 0;  // besides kCommonFields
};

// Fields of docs/events.md for `type`; payload fields a type does not use
// are ignored, as unknown fields are.
TypeFields fields_of(EventType type);

std::string_view field_name(Field f);  // the wire name, e.g. "to_channel"
std::optional<Field> field_from_key(std::string_view key);

}  // namespace ccmon::core::codec_detail
