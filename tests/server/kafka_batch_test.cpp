// What the Kafka source makes of a batch of message values
// (server/kafka_batch.hpp); expected bodies and indexes written by hand.
#include "server/kafka_batch.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using ccmon::server::append_mapping;
using ccmon::server::message_of;
using ccmon::server::ndjson_batch;

TEST_CASE("message values join into one NDJSON body", "[kafka]") {
  const std::vector<std::string_view> values = {
      "{\"a\":1}",               // no final newline: one is added
      "",                        // a tombstone: no event
      "{\"b\":2}\n{\"c\":3}\n",  // two lines
      "  \n\t\n",                // blank lines only: no event
      "\xEF\xBB\xBF{\"d\":4}",   // a byte order mark, dropped
  };
  const auto batch = ndjson_batch(values);
  CHECK(batch.body == "{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}\n  \n\t\n{\"d\":4}\n");
  // The codec counts non-blank lines: a=0, b=1, c=2, d=3.
  CHECK(batch.first_event == std::vector<std::size_t>{0, 1, 1, 3, 3});
  CHECK(message_of(batch, 0) == 0);
  CHECK(message_of(batch, 1) == 2);  // not the tombstone before it
  CHECK(message_of(batch, 2) == 2);
  CHECK(message_of(batch, 3) == 4);  // not the blank message before it
}

TEST_CASE("mappings of messages add up, unknown kinds bounded", "[kafka]") {
  namespace ad = ccmon::core::adapters;
  ad::AdapterBatch all;
  for (std::size_t m = 0; m < ad::kMaxUnknownKinds + 3; ++m) {
    ad::AdapterBatch part;
    part.events.emplace_back();
    part.note(ad::RecordOutcome::kMapped);
    part.issue(1, ad::RecordOutcome::kUnknown, "VERB" + std::to_string(m), "unknown");
    part.issue(2, ad::RecordOutcome::kUnknown, "VERB0", "unknown");
    append_mapping(all, std::move(part));
  }
  const std::size_t n = ad::kMaxUnknownKinds + 3;
  CHECK(all.events.size() == n);
  CHECK(all.count(ad::RecordOutcome::kMapped) == n);
  CHECK(all.count(ad::RecordOutcome::kUnknown) == 2 * n);
  // The caller logs the issues with their message's place: none kept.
  CHECK(all.issues.empty());
  // 32 names, then "(other)" for the 3 beyond; VERB0 came once per message.
  REQUIRE(all.unknown_kinds.size() == ad::kMaxUnknownKinds + 1);
  CHECK(all.unknown_kinds[0] == std::pair<std::string, std::size_t>{"VERB0", n + 1});
  CHECK(all.unknown_kinds.back() == std::pair<std::string, std::size_t>{"(other)", 3});
}
