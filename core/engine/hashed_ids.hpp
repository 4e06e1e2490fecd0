// An event's ids hashed ahead of the engine thread (Engine::apply's batch
// form, the forecast's answer memory); its own header so that users of the
// hashes need not include the engine.
#pragma once

#include <cstdint>

#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"

namespace ccmon::core {

// An event's contact and agent ids hashed ahead of the engine thread, on
// the thread that decoded it: keyed_hash(key, id) under the engine's key
// (Engine::apply's batch form). The agent's is unused when it has none.
struct HashedIds {
  std::uint64_t contact = 0;
  std::uint64_t agent = 0;
};
// `e`'s ids hashed under `key` (two SipHash-2-4 at most). Thread-safe.
inline HashedIds hashed_ids_of(const HashKey& key, const Event& e) {
  return {keyed_hash(key, e.contact), e.agent.empty() ? 0 : keyed_hash(key, e.agent)};
}

}  // namespace ccmon::core
