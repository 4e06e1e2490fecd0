// Keys of events produced to Kafka (docs/kafka.md, "Keys for producers"):
// expected keys written by hand from the rule.
#include "tools/sim/kafka_key.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using ccmon::sim::KafkaKeys;

TEST_CASE("a contact's events are keyed by the queue it was first queued in", "[sim][kafka]") {
  KafkaKeys keys;
  CHECK(keys.key_of(R"({"id":"1","type":"contact.created","contact":"c1","queue":"sales"})") ==
        "sales");
  // No queue on the event: the contact's remembered queue.
  CHECK(keys.key_of(R"({"id":"2","type":"contact.answered","contact":"c1","agent":"a7"})") ==
        "sales");
  // Transferred to another queue: still the first one, so the contact's
  // events stay in one partition, in order.
  CHECK(keys.key_of(R"({"id":"3","type":"contact.queued","contact":"c1","queue":"vip"})") ==
        "sales");
  CHECK(keys.key_of(R"({"id":"4","type":"contact.ended","contact":"c1"})") == "sales");
}

TEST_CASE("agents by agent, cases by their opening queue, unknowns by their own id",
          "[sim][kafka]") {
  KafkaKeys keys;
  CHECK(keys.key_of(R"({"id":"1","type":"agent.state","agent":"a7","state":"available"})") == "a7");
  CHECK(keys.key_of(R"({"id":"2","type":"case.opened","case":"k1","queue":"billing"})") ==
        "billing");
  CHECK(keys.key_of(R"({"id":"3","type":"case.resolved","case":"k1"})") == "billing");
  // A contact first seen without a queue: its own id, for all its events
  // (they stay in one partition).
  CHECK(keys.key_of(R"({"id":"4","type":"message.received","contact":"c9"})") == "c9");
  CHECK(keys.key_of(R"({"id":"5","type":"contact.queued","contact":"c9","queue":"chat"})") == "c9");
  // Contact and case ids are kept apart.
  CHECK(keys.key_of(R"({"id":"6","type":"contact.ended","contact":"k1"})") == "k1");
  CHECK_THROWS_AS(keys.key_of("not json"), std::runtime_error);
}
