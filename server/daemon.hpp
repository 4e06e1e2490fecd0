// Wires the daemon: configuration, engine runner, listener, signals,
// reload and graceful shutdown. main.cpp only parses the command line.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "server/cli.hpp"

namespace ccmon::server {

// Loads the configuration named on the command line (or the embedded one)
// and applies the command-line overrides. Errors are returned, not thrown.
config::LoadResult load_configuration(const CommandLine& cli);

class Daemon {
 public:
  Daemon(config::Config config, CommandLine cli);
  ~Daemon();

  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccmon::server
