#include "server/kafka_batch.hpp"

#include <algorithm>

namespace ccmon::server {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Non-blank lines, as the codec counts them (JSON whitespace: space, tab,
// CR; a line holding only those is blank).
std::size_t event_lines(std::string_view value) {
  std::size_t n = 0;
  bool blank = true;
  for (char c : value) {
    if (c == '\n') {
      n += blank ? 0 : 1;
      blank = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      blank = false;
    }
  }
  return n + (blank ? 0 : 1);
}

}  // namespace

NdjsonBatch ndjson_batch(const std::vector<std::string_view>& values) {
  NdjsonBatch out;
  std::size_t bytes = 0;
  for (auto v : values) bytes += v.size() + 1;
  out.body.reserve(bytes);
  out.first_event.reserve(values.size());
  std::size_t events = 0;
  for (auto value : values) {
    if (value.starts_with(kBom)) value.remove_prefix(kBom.size());
    out.first_event.push_back(events);
    out.body.append(value);
    if (value.empty() || value.back() != '\n') out.body += '\n';
    events += event_lines(value);
  }
  return out;
}

std::size_t message_of(const NdjsonBatch& batch, std::size_t index) {
  // The last value whose first event is at or before `index`: values
  // without events share the next one's first index and are passed over.
  const auto at = std::upper_bound(batch.first_event.begin(), batch.first_event.end(), index);
  return static_cast<std::size_t>(at - batch.first_event.begin()) - 1;
}

void append_mapping(core::adapters::AdapterBatch& into, core::adapters::AdapterBatch part) {
  for (auto& e : part.events) into.events.push_back(std::move(e));
  for (std::size_t i = 0; i < into.counts.size(); ++i) into.counts[i] += part.counts[i];
  into.issues_dropped += part.issues_dropped;
  // At most kMaxUnknownKinds names, then "(other)", as AdapterBatch::issue.
  auto& kinds = into.unknown_kinds;
  for (auto& entry : part.unknown_kinds) {
    const std::string& kind = entry.first;  // (clang 14 cannot capture a structured binding)
    const std::size_t n = entry.second;
    auto it =
        std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == kind; });
    if (it != kinds.end()) {
      it->second += n;
    } else if (kinds.size() < core::adapters::kMaxUnknownKinds) {
      kinds.emplace_back(kind, n);
    } else if (kinds.size() == core::adapters::kMaxUnknownKinds) {
      kinds.emplace_back("(other)", n);
    } else {
      kinds.back().second += n;
    }
  }
}

}  // namespace ccmon::server
