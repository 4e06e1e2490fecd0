// Command line of ccmond (spec/api.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ccmon::server {

struct CommandLine {
  std::optional<std::string> config_path;   // --config FILE
  std::optional<std::string> check_config;  // --check-config FILE
  std::optional<std::string> listen;        // --listen HOST:PORT
  std::optional<std::string> clock;         // --clock wall|event
  std::optional<std::string> log_level;     // --log-level LEVEL
  bool version = false;
  bool help = false;
};

struct ParsedCommandLine {
  CommandLine options;
  std::string error;  // non-empty when the command line is invalid
};

ParsedCommandLine parse_command_line(const std::vector<std::string>& args);

std::string usage();

}  // namespace ccmon::server
