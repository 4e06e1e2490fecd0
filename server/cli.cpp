#include "server/cli.hpp"

namespace ccmon::server {

ParsedCommandLine parse_command_line(const std::vector<std::string>& args) {
  ParsedCommandLine out;
  auto& o = out.options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    auto value = [&](std::optional<std::string>& slot) {
      if (inline_value) {
        slot = *inline_value;
      } else if (i + 1 < args.size()) {
        slot = args[++i];
      } else {
        out.error = arg + " needs a value";
      }
    };
    if (arg == "--config" || arg == "-c") {
      value(o.config_path);
    } else if (arg == "--check-config") {
      value(o.check_config);
    } else if (arg == "--listen") {
      value(o.listen);
    } else if (arg == "--clock") {
      value(o.clock);
    } else if (arg == "--log-level") {
      value(o.log_level);
    } else if (arg == "--state-dir") {
      value(o.state_dir);
    } else if (arg == "--check-state") {
      value(o.check_state);
    } else if (arg == "--reset-state") {
      value(o.reset_state);
    } else if (arg == "--version") {
      o.version = true;
    } else if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else {
      out.error = "unknown argument `" + args[i] + "`";
    }
    if (!out.error.empty()) return out;
  }
  // Checked against a default configuration now, so a bad value stops the
  // daemon before it reads any file; the same call applies them later.
  config::Config scratch;
  for (const auto& e : config::apply_overrides(scratch, overrides(o))) {
    // Appended in parts: "x" + std::string&& trips GCC 12's false
    // -Wstringop-overflow at -O3.
    if (!out.error.empty()) out.error += '\n';
    out.error += config::to_string(e);
  }
  return out;
}

std::vector<config::Override> overrides(const CommandLine& cli) {
  std::vector<config::Override> out;
  if (cli.listen) out.push_back({"--listen", "server.listen", *cli.listen});
  if (cli.clock) out.push_back({"--clock", "server.clock", *cli.clock});
  if (cli.log_level) out.push_back({"--log-level", "server.log_level", *cli.log_level});
  if (cli.state_dir) out.push_back({"--state-dir", "state.dir", *cli.state_dir});
  return out;
}

std::string usage() {
  return R"(Usage: ccmond [OPTIONS]

Real-time contact-center monitoring daemon: ingests events over HTTP and
WebSocket, keeps rolling-window KPIs, serves them on /metrics and /v1/kpis.

Options:
  --config FILE         run with this YAML configuration (default: embedded)
  --check-config FILE   validate FILE, print every problem, exit 0 or 1
  --listen HOST:PORT    override server.listen (port 0 picks a free port)
  --clock wall|event    override server.clock (event: now = latest event time)
  --log-level LEVEL     override server.log_level (trace debug info warn error
                        critical off)
  --state-dir DIR       override state.dir ("" keeps no state)
  --check-state DIR     print what state directory DIR holds and what a start
                        would restore; exit 0 if intact, 1 if damage would be
                        cut (read-only, also while a daemon runs on it)
  --reset-state DIR     delete the snapshots and journal of DIR (refused while
                        a daemon holds it)
  --version             print the version and exit
  --help                print this help and exit

Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT shut down gracefully.
Exit status: 0 after a clean shutdown, 1 for a configuration that cannot be
used, 2 for an invalid command line (including a bad --listen, --clock or
--log-level value) or a state directory in use by another ccmond.
)";
}

}  // namespace ccmon::server
