// The ccmon-sim command line, parsed without side effects so it can be tested.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "tools/sim/sim_config.hpp"

namespace ccmon::sim {

enum class Speed {
  kRealtime,  // simulated time = wall clock, paced
  kFactor,    // simulated time runs `factor` times faster than the wall clock
  kMax,       // as fast as the output takes it
};

struct Options {
  SimConfig sim;                         // sim.start is filled by resolve_start()
  std::optional<core::Timestamp> start;  // --start; else derived from the speed
  std::string out;                       // --out FILE|-
  std::string url;                       // --url ws://... | http://...
  Speed speed = Speed::kMax;
  double factor = 1;
  std::size_t batch = 500;
  std::size_t window = 64;  // WebSocket frames in flight before waiting for replies
  std::string token;
  bool summary = false;
  // --format: ccmon events (NDJSON), the Asterisk queue_log a PBX would
  // write for the same calls (tools/sim/queue_log_writer.hpp), or Amazon
  // Connect contact events as EventBridge sends them, one a line
  // (tools/sim/connect_writer.hpp), or Twilio TaskRouter events as Event
  // Streams CloudEvents, one a line (tools/sim/twilio_writer.hpp). The
  // native formats need --out.
  enum class Format { kCcmon, kQueueLog, kConnect, kTwilio } format = Format::kCcmon;
  core::Duration give_up = core::minutes(10);  // retrying a dead daemon this long is fatal
  bool help = false;
};

struct ParsedOptions {
  Options options;
  std::string error;  // empty when the command line is usable
};

ParsedOptions parse_options(const std::vector<std::string_view>& args);

// "8h", "90m", "1h30m", "45s", "250ms", "2d"; nullopt when malformed or not positive.
std::optional<core::Duration> parse_duration(std::string_view text);

// The simulated start: --start, else `now` for realtime, else early enough that
// no event is ever ahead of the wall clock (the daemon refuses events more
// than 60 s in the future): now - duration x (1 - 1/factor), now - duration
// at max speed. Rounded down to the millisecond.
core::Timestamp resolve_start(const Options& options, core::Timestamp now);

extern const char* const kHelp;

}  // namespace ccmon::sim
