#include "server/state_codec_binding.hpp"

// core/persist (the state codec) is built by a sibling change of issue 9;
// snapshots switch on by themselves once it is part of ccmon_core.
#if __has_include("core/persist/state_codec.hpp")
#include "core/persist/state_codec.hpp"
#define CCMON_HAS_STATE_CODEC 1
#endif

namespace ccmon::server {

std::optional<StateCodec> state_codec() {
#ifdef CCMON_HAS_STATE_CODEC
  return StateCodec{
      [](const core::Engine& e, const core::Deduplicator& d, const core::SlaEvaluator& s,
         std::string_view extra) { return core::persist::encode_state(e, d, s, extra); },
      [](std::string_view bytes, core::Engine& e, core::Deduplicator& d, core::SlaEvaluator& s) {
        return core::persist::decode_state(bytes, e, d, s);
      }};
#else
  return std::nullopt;
#endif
}

}  // namespace ccmon::server
