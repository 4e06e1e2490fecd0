// Names the calling thread, so that `top -H`, `ps -L` and
// /proc/PID/task/*/comm tell the daemon's threads apart (the names are
// listed in docs/architecture.md, "The daemon's threads"). Linux shows at
// most 15 bytes: longer names are cut. Best effort: a name the system
// refuses changes nothing else. Thread-safe (each thread names itself).
#pragma once

#include <pthread.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace ccmon::store {

inline void name_this_thread(std::string_view name) {
  constexpr std::size_t kMaxNameBytes = 15;  // TASK_COMM_LEN - 1
  const std::string cut(name.substr(0, kMaxNameBytes));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace ccmon::store
