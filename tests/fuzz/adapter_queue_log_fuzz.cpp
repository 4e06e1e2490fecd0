// libFuzzer target: a block of Asterisk queue_log lines -> map_queue_log
// (core/adapters/asterisk_queue_log.hpp), with a configured wrap-up so the
// delayed wrap-up events are reached too.
//
// Besides the sanitizers: the AdapterBatch contract and events.md's fields
// (adapter_fuzz_check.hpp) with one outcome per line, and line independence:
// the block handed over in two parts split at a line boundary, the agent
// memory carried between them, maps to the same events as the whole block
// (what a caller following a growing file does).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/adapters/asterisk_queue_log.hpp"
#include "tests/fuzz/adapter_fuzz_check.hpp"

namespace {
namespace adapters = ccmon::core::adapters;

const adapters::QueueLogOptions& options() {
  static const adapters::QueueLogOptions o = [] {
    adapters::QueueLogOptions x;
    x.source = "pbx1";
    x.wrapup = ccmon::core::seconds(15);
    return x;
  }();
  return o;
}

// Lines as map_queue_log counts them: a last line without '\n' is one too.
std::size_t line_count(std::string_view bytes) {
  std::size_t n = 0;
  for (const char c : bytes) n += c == '\n';
  return n + (!bytes.empty() && bytes.back() != '\n');
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  adapters::QueueLogState state;
  const adapters::AdapterBatch whole = adapters::map_queue_log(bytes, options(), state);
  ccmon::fuzz::check_batch(whole, line_count(bytes), options().source);

  // Split after the newline nearest the middle.
  const std::size_t nl = bytes.find('\n', bytes.size() / 2);
  if (nl == std::string_view::npos) return 0;
  adapters::QueueLogState carried;
  const adapters::AdapterBatch a =
      adapters::map_queue_log(bytes.substr(0, nl + 1), options(), carried);
  const adapters::AdapterBatch b =
      adapters::map_queue_log(bytes.substr(nl + 1), options(), carried);
  CCMON_FUZZ_CHECK(a.events.size() + b.events.size() == whole.events.size());
  for (std::size_t i = 0; i < whole.events.size(); ++i) {
    const ccmon::core::Event& e = i < a.events.size() ? a.events[i] : b.events[i - a.events.size()];
    CCMON_FUZZ_CHECK(e.id == whole.events[i].id && e.type == whole.events[i].type &&
                     e.time == whole.events[i].time && e.state == whole.events[i].state);
  }
  for (std::size_t k = 0; k < whole.counts.size(); ++k) {
    CCMON_FUZZ_CHECK(a.counts[k] + b.counts[k] == whole.counts[k]);
  }
  return 0;
}
