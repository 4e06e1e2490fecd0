// The LOCK file of a state directory: an flock(2) held while a daemon runs,
// with that daemon's pid written in it for the refusal message.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "store/file_ops.hpp"

namespace ccmon::store {

class StateLock {
 public:
  // Creates `state_dir` if needed and takes its lock without waiting.
  // nullopt with `error` set when another process holds it ("state
  // directory DIR is in use by another ccmond (pid N)") or the directory
  // cannot be created or opened. The lock is released on destruction (and
  // by the kernel when the process dies, however it dies).
  // `in_use` tells the two apart (a daemon exits 2 for the first).
  static std::optional<StateLock> acquire(const std::filesystem::path& state_dir,
                                          std::string& error, bool& in_use);

  // Whether some process holds the lock of `state_dir` now; its pid (0 when
  // unknown) in `pid`. Takes and releases the lock to find out.
  static bool held_by_other(const std::filesystem::path& state_dir, long& pid);

 private:
  explicit StateLock(FileDescriptor fd) : fd_(std::move(fd)) {}
  FileDescriptor fd_;
};

}  // namespace ccmon::store
