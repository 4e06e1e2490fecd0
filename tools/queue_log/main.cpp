// ccmon-queue-log2events: Asterisk queue_log lines -> ccmon NDJSON events on
// stdout, through the core adapter. See docs/adapters.md.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/adapters/asterisk_queue_log.hpp"

namespace {

using namespace ccmon::core;
using namespace ccmon::core::adapters;

constexpr std::string_view kHelp = R"(Usage: ccmon-queue-log2events [OPTIONS] FILE...

Converts Asterisk / FreePBX / PBXware queue_log files ("-" reads standard
input) into ccmon events (docs/events.md), one JSON object a line on standard
output, in file order. The mapping of every verb is in docs/adapters.md. A
summary (lines mapped, ignored, unknown by verb, rejected with line numbers)
goes to standard error.

Options:
  --source NAME        the PBX's name, prefix of contact and event ids
                       (default "asterisk"; [A-Za-z0-9_.-], at most 32 bytes)
  --wrapup SECONDS     queues.conf wrapuptime: completed calls wrap up this
                       long after the completion line (default 0)
  --keep-member        use queue member strings verbatim as agent ids
                       (default: "Agent/1127" and "Local/1127@ctx" -> "1127")
  --help               show this help
)";

int usage_error(const std::string& message) {
  std::cerr << "ccmon-queue-log2events: " << message << "\n(try --help)\n";
  return 2;
}

// Unix seconds with the fraction the Event holds (microseconds).
nlohmann::json time_json(Timestamp t) {
  if (t % kMicrosPerSecond == 0) return t / kMicrosPerSecond;
  return static_cast<double>(t) / kMicrosPerSecond;
}

std::string event_json(const Event& e) {
  nlohmann::json j;
  j["id"] = e.id;
  j["type"] = to_string(e.type);
  j["time"] = time_json(e.time);
  const std::pair<const char*, const std::string*> fields[] = {{"contact", &e.contact},
                                                               {"channel", &e.channel},
                                                               {"queue", &e.queue},
                                                               {"agent", &e.agent},
                                                               {"reason", &e.reason}};
  for (const auto& [name, value] : fields) {
    if (!value->empty()) j[name] = *value;
  }
  if (e.state) j["state"] = to_string(*e.state);
  return j.dump();
}

}  // namespace

int main(int argc, char** argv) {
  QueueLogOptions options;
  std::vector<std::string> files;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return 0;
    } else if (a == "--source" && has_value) {
      options.source = std::string(args[++i]);
      if (!valid_source_name(options.source)) return usage_error("invalid --source name");
    } else if (a == "--wrapup" && has_value) {
      try {
        options.wrapup = seconds(std::stoll(std::string(args[++i])));
      } catch (const std::exception&) {
        return usage_error("--wrapup needs whole seconds");
      }
      if (options.wrapup < 0) return usage_error("--wrapup cannot be negative");
    } else if (a == "--keep-member") {
      options.strip_member_technology = false;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return usage_error("unknown option " + std::string(a));
    } else {
      files.emplace_back(a);
    }
  }
  if (files.empty()) return usage_error("no input file");

  QueueLogState state;
  AdapterBatch total;
  for (const std::string& path : files) {
    std::ostringstream text;
    if (path == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::cerr << "ccmon-queue-log2events: cannot read " << path << "\n";
        return 1;
      }
      text << in.rdbuf();
    }
    const AdapterBatch b = map_queue_log(text.str(), options, state);
    for (const Event& e : b.events) std::cout << event_json(e) << '\n';
    for (std::size_t k = 0; k < total.counts.size(); ++k) total.counts[k] += b.counts[k];
    for (const auto& [verb, n] : b.unknown_kinds)
      std::cerr << path << ": unknown verb " << verb << " x" << n << "\n";
    for (const RecordIssue& is : b.issues) {
      if (is.outcome == RecordOutcome::kRejected) {
        std::cerr << path << ":" << is.record << ": " << is.code << ": " << is.message << "\n";
      }
    }
  }
  std::cerr << "lines:";
  for (int k = 0; k < kRecordOutcomeCount; ++k) {
    std::cerr << ' ' << to_string(static_cast<RecordOutcome>(k)) << '=' << total.counts[k];
  }
  std::cerr << '\n';
  return std::cout.good() ? 0 : 1;
}
