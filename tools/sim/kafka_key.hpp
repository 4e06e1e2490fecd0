// The key of a ccmon event produced to Kafka, as docs/kafka.md ("Keys for
// producers") asks of producers: every event of a contact or a case keyed
// alike, by the queue its first event names (its own id when that names
// none), so all of them land in one partition, in order; agent.state by its
// agent. Pure; not thread-safe (one per sender).
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
  // contact's or case's event the key remembered for it, else (its first
  // event) the queue it names or else its id, remembered from then on; for
  // anything else its queue, else its event id. Throws std::runtime_error
  // on a line that is not a JSON object.
  std::string key_of(std::string_view line);

 private:
  std::string remembered(const std::string& id, std::string_view first_key);

  std::unordered_map<std::string, std::string> key_of_;  // "c:ID" / "k:ID" -> key
  std::deque<std::string> order_;                        // insertion order, for forgetting
};

}  // namespace ccmon::sim
