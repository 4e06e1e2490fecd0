// Writes simulated events as NDJSON lines, straight into a batch buffer: no
// JSON library and no allocation per event, because the simulator doubles as
// the load generator. Every string written is one the simulator made itself
// (ids, names checked by sim_config), so nothing needs escaping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/time.hpp"

namespace ccmon::sim {

// Lines accumulate in one buffer; every `batch_size` lines the buffer goes to
// `flush` as one frame / request body and is reused.
class Batcher {
 public:
  using Flush = std::function<void(std::string_view frame, std::size_t events)>;
  Batcher(std::size_t batch_size, Flush flush);

  std::string& buffer() { return buffer_; }
  void commit();  // one more complete line is in the buffer
  void flush();   // hands over a partial batch (end of run, pacing tick)
  std::size_t pending() const { return lines_; }

 private:
  std::size_t batch_size_;
  Flush flush_;
  std::string buffer_;
  std::size_t lines_ = 0;
};

class EventWriter {
 public:
  // `prefix` starts every id this writer makes (events, contacts, cases,
  // customers), so that runs with different seeds never share an id.
  explicit EventWriter(std::string prefix);

  // {"id":"<prefix>-<n>","type":"...","time":"YYYY-MM-DDTHH:MM:SS.mmmZ"
  void begin(std::string& out, core::EventType type, core::Timestamp t);
  // ,"key":"value"
  static void text(std::string& out, std::string_view key, std::string_view value);
  // ,"key":"<prefix>-<tag><n>" (contact, case, customer ids)
  void id(std::string& out, std::string_view key, char tag, std::uint64_t n) const;
  static void integer(std::string& out, std::string_view key, std::int64_t value);
  // Fixed two decimals: scores and money, exact in text and stable.
  static void hundredths(std::string& out, std::string_view key, std::int64_t hundredths);
  static void boolean(std::string& out, std::string_view key, bool value);
  static void end(std::string& out) { out.append("}\n"); }

  const std::string& prefix() const { return prefix_; }
  std::uint64_t events() const { return next_id_ - 1; }

  // "YYYY-MM-DDTHH:MM:SS.mmmZ" for t (microseconds are truncated to ms).
  static std::string rfc3339(core::Timestamp t);

 private:
  void append_time(std::string& out, core::Timestamp t);

  std::string prefix_;
  std::uint64_t next_id_ = 1;
  std::int64_t cached_day_ = INT64_MIN;
  char day_text_[16] = {};  // "YYYY-MM-DD" (years 0..9999)
};

// The prefix for a seed: 16 hex digits of splitmix64(seed), a bijection.
std::string id_prefix(std::uint64_t seed);

}  // namespace ccmon::sim
