// Decoded events kept for reuse: the engine runner gives back the events of
// batches it applied, the sessions decode the next bodies and frames into
// them (core::Decoder::decode's `reuse`), so that in steady state decoding
// allocates no strings and no event vectors, and no thread frees what
// another allocated (docs/ingestion.md, "Reused events").
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "core/codec/codec.hpp"

namespace ccmon::server {

// Thread-safe. Keeps vectors whose capacities add up to at most kMaxEvents
// events, with their strings (each id and label at most 128 bytes,
// docs/events.md "Limits"): about 5 MB with the benchmark's events, under
// 20 MB whatever they hold.
class EventPool {
 public:
  // 16 HTTP body parts (kIngestPartLines) or WebSocket frames of 500
  // events: 96 % of the benchmark's WebSocket frames and all its HTTP parts
  // found events to reuse with this bound, as many as with four times it
  // (docs/benchmarks.md). A vector of a larger capacity is not kept.
  static constexpr std::size_t kMaxEvents = 8192;

  // A vector of events to decode into; empty when none is kept.
  std::vector<core::IndexedEvent> take();
  // Keeps `events` (the next decode into them overwrites them) while there
  // is room; else leaves them to the caller, who frees them.
  void give(std::vector<core::IndexedEvent>&& events);

  // The capacities of the vectors kept, in events.
  std::size_t slots_kept() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<core::IndexedEvent>> kept_;
  std::size_t slots_ = 0;  // kept_'s capacities
};

}  // namespace ccmon::server
