// The state codec (core/persist) writes the engine's private state out and
// restores it through this one friend, so that the books keep their members
// private and the engine's headers need no serialization library.
#pragma once

namespace ccmon::core::persist {
struct Access;
}  // namespace ccmon::core::persist
