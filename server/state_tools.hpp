// `ccmond --check-state DIR` and `ccmond --reset-state DIR`
// (docs/operations.md): inspect or empty a state directory without running
// the daemon.
#pragma once

#include <ostream>
#include <string>

namespace ccmon::server {

// Prints the snapshots (sequence, size, age, validity), the journal segments
// (records, bytes), what a start would restore and any damage; never
// modifies DIR, and works while a daemon holds its lock. Returns 0 when a
// start would restore everything cleanly, 1 when it would skip a damaged
// snapshot or cut records, 2 when DIR is not a directory.
int check_state(const std::string& dir, std::ostream& out, std::ostream& err);

// Deletes the snapshots and the journal of DIR (the directory and its LOCK
// stay). Returns 0, or 2 (message on `err`) while a daemon holds the lock or
// when DIR is not a directory.
int reset_state(const std::string& dir, std::ostream& out, std::ostream& err);

}  // namespace ccmon::server
