#include "server/state_codec_binding.hpp"

namespace ccmon::server {

// Until core/persist (issue 9, the state codec) is part of the build.
std::optional<StateCodec> state_codec() {
  return std::nullopt;
}

}  // namespace ccmon::server
