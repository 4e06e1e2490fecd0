// The command line: flags, and overrides validated as the same keys in a file.
#include "server/cli.hpp"

#include <catch2/catch.hpp>

#include "server/daemon.hpp"

namespace ccmon::server {
namespace {

ParsedCommandLine parse(std::vector<std::string> args) {
  return parse_command_line(args);
}

TEST_CASE("flags and their values", "[server][cli]") {
  auto p =
      parse({"--config", "a.yml", "--listen=[::1]:0", "--clock", "event", "--log-level", "debug"});
  REQUIRE(p.error.empty());
  CHECK(p.options.config_path == "a.yml");
  CHECK(p.options.listen == "[::1]:0");
  CHECK(p.options.clock == "event");
  CHECK(p.options.log_level == "debug");
  CHECK(parse({"-c", "b.yml"}).options.config_path == "b.yml");
  CHECK(parse({"--version"}).options.version);
  CHECK(parse({"-h"}).options.help);
  CHECK(parse({"--check-config", "x.yml"}).options.check_config == "x.yml");
  CHECK(parse({"--check-state", "/s"}).options.check_state == "/s");
  CHECK(parse({"--reset-state=/s"}).options.reset_state == "/s");
}

TEST_CASE("a malformed command line is an error", "[server][cli]") {
  CHECK(parse({"--bogus"}).error == "unknown argument `--bogus`");
  CHECK(parse({"--config"}).error == "--config needs a value");
  CHECK(parse({"extra"}).error == "unknown argument `extra`");
}

TEST_CASE("overrides are validated like the file's keys", "[server][cli]") {
  // Each message names the flag, the key and the file's own explanation
  // (config_loader.cpp), so one rule reads the same wherever it is broken.
  struct Row {
    std::vector<std::string> args;
    const char* error;
  };
  const Row rows[] = {
      {{"--log-level", "verbose"},
       "--log-level: server.log_level: \"verbose\" is not one of trace, debug, info, warn, error, "
       "critical, off"},
      {{"--log-level="}, "--log-level: server.log_level: \"\" is not one of"},
      {{"--listen", ":9477"}, "--listen: server.listen: \":9477\" is not HOST:PORT"},
      {{"--listen", "127.0.0.1"}, "--listen: server.listen: \"127.0.0.1\" is not HOST:PORT"},
      {{"--listen", "host:70000"}, "--listen: server.listen: \"host:70000\" is not HOST:PORT"},
      {{"--listen", "::1:9477"}, "is not HOST:PORT"},
      {{"--clock", "sundial"}, "--clock: server.clock: \"sundial\" is not one of wall, event"},
  };
  for (const auto& row : rows) {
    INFO(row.args[0]);
    const auto p = parse(row.args);
    const std::string flag = row.args[0].substr(0, row.args[0].find('='));
    CHECK(p.error.rfind(flag + ": ", 0) == 0);
    CHECK(p.error.find(row.error) != std::string::npos);
  }
  // Two bad values: both reported.
  const auto p = parse({"--clock", "x", "--log-level", "y"});
  CHECK(p.error.find("--clock: ") == 0);
  CHECK(p.error.find("\n--log-level: ") != std::string::npos);
  // What the file accepts, the flag accepts.
  for (const char* listen : {"127.0.0.1:0", "[::1]:9477", "localhost:65535", "0.0.0.0:80"}) {
    CHECK(parse({"--listen", listen}).error.empty());
  }
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    CHECK(parse({"--log-level", level}).error.empty());
  }
}

TEST_CASE("overrides replace the file's values", "[server][cli]") {
  const auto p = parse({"--listen", "127.0.0.1:0", "--clock", "event", "--log-level", "warn"});
  REQUIRE(p.error.empty());
  const auto loaded = load_configuration(p.options);  // the embedded default
  REQUIRE(loaded.config);
  CHECK(loaded.config->listen == "127.0.0.1:0");
  CHECK(loaded.config->clock == config::ClockMode::kEvent);
  CHECK(loaded.config->log_level == "warn");
  const auto plain = load_configuration(CommandLine{});
  REQUIRE(plain.config);
  CHECK(plain.config->listen == "127.0.0.1:9477");
  CHECK(plain.config->log_level == "info");
  CHECK(plain.config->durable.dir == "./ccmon-state");
}

TEST_CASE("--state-dir replaces state.dir; an empty one keeps no state", "[server][cli]") {
  auto p = parse({"--state-dir", "/var/tmp/x"});
  REQUIRE(p.error.empty());
  auto loaded = load_configuration(p.options);
  REQUIRE(loaded.config);
  CHECK(loaded.config->durable.dir == "/var/tmp/x");
  p = parse({"--state-dir", ""});
  REQUIRE(p.error.empty());
  loaded = load_configuration(p.options);
  REQUIRE(loaded.config);
  CHECK(loaded.config->durable.dir.empty());
}

}  // namespace
}  // namespace ccmon::server
