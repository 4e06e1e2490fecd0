// ccmond: parses the command line and hands over to server::Daemon.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "server/build_info.hpp"
#include "server/cli.hpp"
#include "server/daemon.hpp"
#include "server/huge_page_heap.hpp"
#include "server/kafka_source.hpp"
#include "server/listener.hpp"
#include "server/state_tools.hpp"
#include "server/tls_context.hpp"

int main(int argc, char** argv) {
  using namespace ccmon;
  const auto parsed = server::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.error.empty()) {
    std::istringstream lines(parsed.error);
    for (std::string line; std::getline(lines, line);) std::cerr << "ccmond: " << line << "\n";
    std::cerr << "\n" << server::usage();
    return 2;
  }
  const auto& cli = parsed.options;
  if (cli.help) {
    std::cout << server::usage();
    return 0;
  }
  if (cli.version) {
    std::cout << "ccmond " << server::kVersion << "\n";
    return 0;
  }
  if (cli.check_config) {
    const auto result = config::load_config_file(*cli.check_config);
    for (const auto& e : result.errors) std::cerr << config::to_string(e) << "\n";
    for (const auto& w : result.warnings) std::cerr << "warning: " << config::to_string(w) << "\n";
    if (!result.config) return 1;
    // The TLS files as the daemon will read them: a bad certificate or a key
    // that is not its own is found here, not at start.
    if (result.config->tls.enabled()) {
      std::string error;
      if (!server::make_tls_context(result.config->tls, error)) {
        std::cerr << *cli.check_config << ": " << error << "\n";
        return 1;
      }
    }
    // librdkafka's own checks of ingest.kafka.properties, as at start.
    if (std::string error; !server::kafka_properties_valid(result.config->kafka, error)) {
      std::cerr << *cli.check_config << ": " << error << "\n";
      return 1;
    }
    std::cout << *cli.check_config << ": configuration is valid\n";
    return 0;
  }

  if (cli.check_state) return server::check_state(*cli.check_state, std::cout, std::cerr);
  if (cli.reset_state) return server::reset_state(*cli.reset_state, std::cout, std::cerr);

  auto logger = spdlog::stderr_color_mt("ccmond");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  auto loaded = server::load_configuration(cli);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) spdlog::critical("{}", config::to_string(e));
    spdlog::critical("invalid configuration; not starting");
    return 1;
  }
  for (const auto& w : loaded.warnings) spdlog::warn("{}", config::to_string(w));
  server::Listener::raise_fd_limit();
  spdlog::info("{}", server::use_huge_pages_for_heap());
  server::Daemon daemon(std::move(*loaded.config), cli);
  return daemon.run();
}
