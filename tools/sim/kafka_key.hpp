// The key of a ccmon event produced to Kafka, as docs/kafka.md ("Keys for
// producers") asks of producers: a contact's and a case's events keyed by
// the queue the contact was first queued in (the case opened in), so all of
// them land in one partition, in order; agent.state by its agent. Pure; not
// thread-safe (one per sender).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ccmon::sim {

class KafkaKeys {
 public:
  // Contacts and cases whose queue is remembered, at most; past it the
  // oldest are forgotten (a later event of theirs is keyed by its own id).
  static constexpr std::size_t kMaxRemembered = 1'000'000;

  // The key of one NDJSON event line: its agent for agent.state; for a
  // contact's or case's event the queue remembered for it, else the queue
  // it names (remembered from then on), else its contact or case id; else
  // the event id. Throws std::runtime_error on a line that is not a JSON
  // object.
  std::string key_of(std::string_view line);

 private:
  std::string remembered(const std::string& id, std::string_view queue);

  std::unordered_map<std::string, std::string> queue_of_;  // "c:ID" / "k:ID" -> queue
  std::deque<std::string> order_;                          // insertion order, for forgetting
};

}  // namespace ccmon::sim
