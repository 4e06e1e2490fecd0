// What the Kafka source (server/kafka_source.hpp) makes of a batch of
// message values before the ingest path takes it; no librdkafka here.
// Not thread-safe; pure but for the allocations.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/adapters/adapter.hpp"

namespace ccmon::server {

// The ccmon format: message values joined into one NDJSON body (a value
// without a final newline gets one; a UTF-8 byte order mark at the start of
// a value is dropped, as the codec drops one at the start of a body), and
// for each value the codec's index of its first event (the codec counts
// non-blank lines only), so that a rejection names its message.
struct NdjsonBatch {
  std::string body;
  std::vector<std::size_t> first_event;  // one per value, non-decreasing
};
NdjsonBatch ndjson_batch(const std::vector<std::string_view>& values);

// The value (its position in the batch) that holds the codec's event
// `index` of `batch.body`. Precondition: index < events in the body.
std::size_t message_of(const NdjsonBatch& batch, std::size_t index);

// Appends `part`, the mapping of one message, to `into`: events, counts
// and unknown kinds (bounded as AdapterBatch bounds them). Its issues are
// not kept: the caller logs them with the message's place.
void append_mapping(core::adapters::AdapterBatch& into, core::adapters::AdapterBatch part);

}  // namespace ccmon::server
