#include "server/state_codec_binding.hpp"

#include "core/persist/sharded_state_codec.hpp"

namespace ccmon::server {

std::optional<StateCodec> state_codec() {
  return StateCodec{
      [](const core::ShardedEngine& e, const core::Deduplicator& d, const core::SlaEvaluator& s,
         std::string_view extra) { return core::persist::encode_sharded_state(e, d, s, extra); },
      [](const core::ShardedEngine& e, const core::Deduplicator& d, const core::SlaEvaluator& s,
         std::string_view extra, const core::persist::ImageSink& sink) {
        core::persist::encode_sharded_state(e, d, s, extra, sink);
      },
      [](std::string_view bytes, core::ShardedEngine& e, core::Deduplicator& d,
         core::SlaEvaluator& s) { return core::persist::decode_sharded_state(bytes, e, d, s); },
      [](std::string_view bytes) { return core::persist::shard_count_of(bytes); }};
}

}  // namespace ccmon::server
