// libFuzzer target: one webhook body -> the Twilio adapter
// (core/adapters/twilio_taskrouter.hpp, form_urlencoded.hpp,
// twilio_signature.hpp), two ways per input: as a TaskRouter
// EventCallbackUrl form body (decode_form, map_taskrouter_callback, and the
// signature of the decoded parameters) and as an Event Streams JSON body
// (map_twilio_event_streams).
//
// Besides the sanitizers: the AdapterBatch contract and events.md's fields
// (adapter_fuzz_check.hpp) -- a callback is exactly one record, an Event
// Streams body one per array element; decode_form stays within its limits;
// a signature computed over the parameters verifies and a changed one does
// not; same input, same ids.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/adapters/form_urlencoded.hpp"
#include "core/adapters/twilio_signature.hpp"
#include "core/adapters/twilio_taskrouter.hpp"
#include "tests/fuzz/adapter_fuzz_check.hpp"

namespace {
namespace adapters = ccmon::core::adapters;

const adapters::TwilioOptions& options() {
  static const adapters::TwilioOptions o = [] {
    adapters::TwilioOptions x;
    x.source = "acme";
    return x;
  }();
  return o;
}

std::size_t stream_records(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded() && doc.is_array()) return doc.size();
  return 1;
}

void check_form(std::string_view body) {
  const adapters::FormLimits limits;
  std::string error;
  const std::optional<adapters::FormParams> params = adapters::decode_form(body, error, limits);
  if (!params) {
    CCMON_FUZZ_CHECK(!error.empty());
    return;
  }
  CCMON_FUZZ_CHECK(params->size() <= limits.max_params);
  for (const auto& [name, value] : *params) {
    CCMON_FUZZ_CHECK(name.size() <= limits.max_name_bytes);
    CCMON_FUZZ_CHECK(value.size() <= limits.max_value_bytes);
  }
  constexpr std::string_view kToken = "12345";
  constexpr std::string_view kUrl = "https://ccmon.example.com/twilio/taskrouter?ws=1";
  std::string sig = adapters::twilio_signature(kToken, kUrl, *params);
  CCMON_FUZZ_CHECK(adapters::twilio_signature_valid(kToken, kUrl, *params, sig));
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  CCMON_FUZZ_CHECK(!adapters::twilio_signature_valid(kToken, kUrl, *params, sig));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  check_form(body);
  const adapters::AdapterBatch callback = adapters::map_taskrouter_callback(body, options());
  ccmon::fuzz::check_batch(callback, 1, options().source);
  ccmon::fuzz::check_same_ids(callback, adapters::map_taskrouter_callback(body, options()));

  const adapters::AdapterBatch streams = adapters::map_twilio_event_streams(body, options());
  ccmon::fuzz::check_batch(streams, stream_records(body), options().source);
  ccmon::fuzz::check_same_ids(streams, adapters::map_twilio_event_streams(body, options()));
  return 0;
}
