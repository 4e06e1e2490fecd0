// Command line of ccmond (docs/ingestion.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace ccmon::server {

struct CommandLine {
  std::optional<std::string> config_path;   // --config FILE
  std::optional<std::string> check_config;  // --check-config FILE
  std::optional<std::string> listen;        // --listen HOST:PORT
  std::optional<std::string> clock;         // --clock wall|event
  std::optional<std::string> log_level;     // --log-level LEVEL
  std::optional<std::string> state_dir;     // --state-dir DIR ("" keeps nothing)
  std::optional<std::string> check_state;   // --check-state DIR
  std::optional<std::string> reset_state;   // --reset-state DIR
  bool version = false;
  bool help = false;
};

struct ParsedCommandLine {
  CommandLine options;
  std::string error;  // non-empty when the command line is invalid (exit status 2)
};

// Parses the arguments after the program name. Values that override
// configuration keys (--listen, --clock, --log-level,
// --state-dir) are validated exactly
// as the same keys in a file (config::apply_overrides); a bad one is an error.
ParsedCommandLine parse_command_line(const std::vector<std::string>& args);

// The configuration keys the command line sets, in the order applied.
std::vector<config::Override> overrides(const CommandLine& cli);

std::string usage();

}  // namespace ccmon::server
