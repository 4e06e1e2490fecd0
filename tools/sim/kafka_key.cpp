#include "tools/sim/kafka_key.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ccmon::sim {

namespace {

std::string text(const nlohmann::json& e, const char* field) {
  const auto it = e.find(field);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string KafkaKeys::remembered(const std::string& id, std::string_view first_key) {
  if (const auto it = key_of_.find(id); it != key_of_.end()) return it->second;
  if (order_.size() == kMaxRemembered) {
    key_of_.erase(order_.front());
    order_.pop_front();
  }
  key_of_.emplace(id, first_key);
  order_.push_back(id);
  return std::string(first_key);
}

std::string KafkaKeys::key_of(std::string_view line) {
  const auto e = nlohmann::json::parse(line, nullptr, false);
  if (!e.is_object()) throw std::runtime_error("not a JSON object: " + std::string(line));
  const std::string type = text(e, "type");
  if (type == "agent.state") return text(e, "agent");
  const std::string queue = text(e, "queue");
  for (const auto& [field, tag] : {std::pair{"contact", "c:"}, std::pair{"case", "k:"}}) {
    const std::string id = text(e, field);
    if (id.empty()) continue;
    return remembered(tag + id, queue.empty() ? id : queue);
  }
  return queue.empty() ? text(e, "id") : queue;
}

}  // namespace ccmon::sim
