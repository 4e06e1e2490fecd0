// The state of a sharded engine (core/engine/sharded_engine.hpp) as one byte
// string and back (docs/state-format.md, "Shards").
//
// One shard: exactly encode_state's image of that engine, so a state
// directory written without shards reads with one shard and back. More: the
// magic "CCMONSH2", the shard count (u32, little-endian), the queues'
// placement (ShardedEngine::queues()), then per shard in order its length
// (u64, little-endian) and encode_state's image of its engine; the first
// carries the duplicate-id memory, the SLA states and `extra`, the others
// empty ones. A container with the magic "CCMONSHD" (written before
// placements were kept) has no placement: its queues stay hashed.
//
// Thread-safety: as encode_state / decode_state (the engine thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/sharded_engine.hpp"
#include "core/persist/state_codec.hpp"
#include "core/sla/sla_evaluator.hpp"

namespace ccmon::core::persist {

// The image was written with another shard count than the engine has:
// nothing was changed. what() names both counts.
struct ShardCountError : FormatError {
  using FormatError::FormatError;
  std::uint32_t written = 0, configured = 0;
};

// The number of shards `image` was written by (1 for a plain image), from
// its header alone; FormatError for neither magic or a truncated header.
std::uint32_t shard_count_of(std::string_view image);

std::string encode_sharded_state(const ShardedEngine& engine, const Deduplicator& dedup,
                                 const SlaEvaluator& sla, std::string_view extra);
// The same bytes handed to `sink` (encode_state's streaming form): with one
// shard the image never exists whole in memory; with more, one shard's
// image at a time does (its length goes first).
void encode_sharded_state(const ShardedEngine& engine, const Deduplicator& dedup,
                          const SlaEvaluator& sla, std::string_view extra, const ImageSink& sink);

// Replaces the shards', the memory's and the evaluator's state by the
// image's and returns `extra`, then rebuilds the router's memory
// (ShardedEngine::restore_routes). All or nothing: on any exception nothing
// changed. As decode_state, the engine takes the image's configuration and
// keeps its hash key. Throws ShardCountError when the count differs, FormatError as
// decode_state does on a damaged image.
std::string decode_sharded_state(std::string_view bytes, ShardedEngine& engine, Deduplicator& dedup,
                                 SlaEvaluator& sla);

}  // namespace ccmon::core::persist
