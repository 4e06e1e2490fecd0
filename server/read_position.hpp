// Where a followed file was read up to, kept in the state directory
// (`<state.dir>/adapters/queue_log-<source>.pos`) so that a restart goes on
// from the next line: neither losing lines written while the daemon was down
// nor applying one twice (docs/adapters.md, "Following queue_log files").
// The adapter's agent memory as of that line is kept in the same file, so
// the two are written together (atomically) and always match.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/adapters/asterisk_queue_log.hpp"

namespace ccmon::server {

struct ReadPosition {
  std::uint64_t device = 0;  // st_dev and st_ino of the file read: after a
  std::uint64_t inode = 0;   // rotation by rename the old file is found by them
  std::uint64_t offset = 0;  // bytes taken (always just after a newline)
  std::uint64_t line = 0;    // lines taken, for the line numbers of log messages
  bool operator==(const ReadPosition&) const = default;
};

// The position file of `source` under `state_dir`.
std::filesystem::path read_position_path(const std::filesystem::path& state_dir,
                                         const std::string& source);

// nullopt when there is no file or it cannot be read (then `error` says
// why, empty for a file that does not exist). `memory` gets the agent memory
// saved with the position (left empty by a file of version 1, which had
// none); an unreadable memory is an error like an unreadable position.
std::optional<ReadPosition> load_read_position(const std::filesystem::path& file,
                                               std::string& error,
                                               core::adapters::QueueLogState& memory);

// Writes the position and the agent memory atomically (temporary file,
// fdatasync, rename, directory fsync). False with `error` on failure; the
// old file stays.
bool save_read_position(const std::filesystem::path& file, const ReadPosition& p,
                        const core::adapters::QueueLogState& memory, std::string& error);

}  // namespace ccmon::server
