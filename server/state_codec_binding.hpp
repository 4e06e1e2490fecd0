// The state codec as the daemon uses it for snapshots: core/persist's
// encode_state/decode_state. The runner takes it as an optional so that
// tests can run it without one: then no snapshot is written and a start
// replays the whole journal (correct, only slower).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/sharded_engine.hpp"
#include "core/sla/sla_evaluator.hpp"

namespace ccmon::server {

struct StateCodec {
  // See core/persist/sharded_state_codec.hpp: encode_sharded_state in its
  // two forms (into a string, and streamed: snapshots), decode_sharded_state
  // (throws; ShardCountError for another shard count), shard_count_of.
  std::function<std::string(const core::ShardedEngine&, const core::Deduplicator&,
                            const core::SlaEvaluator&, std::string_view extra)>
      encode;
  std::function<void(const core::ShardedEngine&, const core::Deduplicator&,
                     const core::SlaEvaluator&, std::string_view extra,
                     const std::function<void(std::string_view bytes)>& sink)>
      encode_to;
  std::function<std::string(std::string_view, core::ShardedEngine&, core::Deduplicator&,
                            core::SlaEvaluator&)>
      decode;
  std::function<std::uint32_t(std::string_view)> shard_count;
};

std::optional<StateCodec> state_codec();

}  // namespace ccmon::server
