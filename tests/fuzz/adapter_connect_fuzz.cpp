// libFuzzer target: one JSON body -> the Amazon Connect adapter
// (core/adapters/amazon_connect.hpp), three ways per input: as an
// EventBridge contact event body (map_connect_contact_events), as a Firehose
// HTTP endpoint request (parse_firehose_request, map_connect_agent_firehose),
// and wrapped as the one base64 record of a fixed Firehose request, so the
// agent event stream record parser sees the fuzzer's bytes directly (base64
// would otherwise hide them from mutation).
//
// Besides the sanitizers: the AdapterBatch contract and events.md's fields
// (adapter_fuzz_check.hpp) with one outcome per array element / Firehose
// record; the Firehose parse and the agent entry point agree; same input,
// same ids.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/adapters/amazon_connect.hpp"
#include "tests/fuzz/adapter_fuzz_check.hpp"

namespace {
namespace adapters = ccmon::core::adapters;

const adapters::ConnectOptions& options() {
  static const adapters::ConnectOptions o = [] {
    adapters::ConnectOptions x;
    x.source = "eu1";
    x.queue_names = {{"q-111", "support"}};
    x.agent_names = {{"a-1", "alice"}};
    return x;
  }();
  return o;
}

// Records of a contact event body: an object is one, an array one per
// element; anything else is the whole body refused (record 0, counted once).
std::size_t contact_records(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_discarded() && doc.is_array()) return doc.size();
  return 1;
}

// RFC 4648 base64 with padding, by OpenSSL (linked by the adapters for
// Twilio's HMAC).
std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');  // + EVP_EncodeBlock's NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

void check_firehose(std::string_view body) {
  std::string error;
  const std::optional<adapters::FirehoseRequest> req =
      adapters::parse_firehose_request(body, error, options());
  const adapters::ConnectAgentResult r = adapters::map_connect_agent_firehose(body, options());
  CCMON_FUZZ_CHECK(r.readable == req.has_value());
  if (!req) {
    // Refused as a whole: says why, one rejected record 0, nothing mapped.
    CCMON_FUZZ_CHECK(!error.empty() && r.error == error);
    CCMON_FUZZ_CHECK(r.batch.count(adapters::RecordOutcome::kRejected) == 1);
    ccmon::fuzz::check_batch(r.batch, 1, options().source);
    return;
  }
  CCMON_FUZZ_CHECK(r.request_id == req->request_id && !r.request_id.empty());
  CCMON_FUZZ_CHECK(req->records.size() == req->record_errors.size());
  for (std::size_t i = 0; i < req->records.size(); ++i) {
    if (!req->record_errors[i].empty()) CCMON_FUZZ_CHECK(req->records[i].empty());
    CCMON_FUZZ_CHECK(req->records[i].size() <= options().max_record_bytes);
  }
  ccmon::fuzz::check_batch(r.batch, req->records.size(), options().source);
  ccmon::fuzz::check_same_ids(r.batch, adapters::map_connect_agent_firehose(body, options()).batch);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  const adapters::AdapterBatch contacts = adapters::map_connect_contact_events(body, options());
  ccmon::fuzz::check_batch(contacts, contact_records(body), options().source);
  ccmon::fuzz::check_same_ids(contacts, adapters::map_connect_contact_events(body, options()));

  check_firehose(body);

  // The input as one agent event stream record: always a readable request
  // with exactly one record.
  const std::string wrapped =
      R"({"requestId":"fuzz-1","timestamp":1795338000123,"records":[{"data":")" + base64(body) +
      R"("}]})";
  const adapters::ConnectAgentResult r = adapters::map_connect_agent_firehose(wrapped, options());
  CCMON_FUZZ_CHECK(r.readable && r.request_id == "fuzz-1");
  ccmon::fuzz::check_batch(r.batch, 1, options().source);
  return 0;
}
