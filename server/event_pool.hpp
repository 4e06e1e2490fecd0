// Decoded events kept for reuse: the engine runner gives back the events of
// batches it applied, the sessions decode the next bodies and frames into
// them (core::Decoder::decode's `reuse`), so that in steady state decoding
// allocates no strings and no event vectors (docs/ingestion.md, "Reused
// events").
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "core/codec/codec.hpp"

namespace ccmon::server {

// Thread-safe. Keeps vectors whose capacities add up to at most kMaxEvents
// events, their strings' buffers each at most kMaxStringBytes: at most
// 4,096 × (512 + 12 × 257) bytes, about 15 MB, whatever the events held
// (about 2.5 MB with the benchmark's).
class EventPool {
 public:
  // 8 HTTP body parts (kIngestPartLines) or WebSocket frames of 500
  // events: 92 % of the benchmark's WebSocket frames and 99.6 % of its HTTP
  // parts found events to reuse with this bound, 96 % and 99.9 % with twice
  // it (docs/benchmarks.md).
  static constexpr std::size_t kMaxEvents = 4096;
  // Ids and labels are at most 128 bytes by default (docs/events.md,
  // "Limits"); a string grown past twice that is freed rather than kept.
  static constexpr std::size_t kMaxStringBytes = 256;

  // A kept vector to decode at most `events` events into, or an empty one.
  // Only a vector of a capacity up to twice that (at least 64) is handed
  // out: a batch never holds much more memory than admission charged it.
  std::vector<core::IndexedEvent> take(std::size_t events);
  // Keeps `events` (the next decode into them overwrites them) while there
  // is room; else frees them here.
  void give(std::vector<core::IndexedEvent> events);

  // The capacities of the vectors kept, in events.
  std::size_t slots_kept() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<core::IndexedEvent>> kept_;
  std::size_t slots_ = 0;  // kept_'s capacities
};

}  // namespace ccmon::server
