#include "server/state_codec_binding.hpp"

#include "core/persist/state_codec.hpp"

namespace ccmon::server {

std::optional<StateCodec> state_codec() {
  return StateCodec{
      [](const core::Engine& e, const core::Deduplicator& d, const core::SlaEvaluator& s,
         std::string_view extra) { return core::persist::encode_state(e, d, s, extra); },
      [](std::string_view bytes, core::Engine& e, core::Deduplicator& d, core::SlaEvaluator& s) {
        return core::persist::decode_state(bytes, e, d, s);
      }};
}

}  // namespace ccmon::server
