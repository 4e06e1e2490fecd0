// Pre-built load for the ingest benchmarks: NDJSON events read from a file
// (e.g. written by ccmon-sim) and cut into frames/bodies before the clock
// starts, so the measurement pays for sending, not for generating.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ccmon::bench {

// One connection's frames, each `batch` NDJSON lines, in file order.
struct Frame {
  std::string text;
  std::size_t events = 0;
};

// Reads lines [skip, skip + limit) of an NDJSON file (limit 0: to the end).
// Exits with a message when the file cannot be read.
std::vector<std::string> read_lines(const std::string& path, std::size_t skip, std::size_t limit);

// The key a line is sharded by: its contact, else its agent, else its id, so
// that each contact's lifecycle (and each agent's states) travel in order on
// one connection, like events of one producer.
std::string_view shard_key(std::string_view line);

// Spreads the lines over `connections` by shard key and cuts each share into
// frames of `batch` lines (the last one may be shorter).
std::vector<std::vector<Frame>> build_frames(const std::vector<std::string>& lines,
                                             std::size_t connections, std::size_t batch);

}  // namespace ccmon::bench
