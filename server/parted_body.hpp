// A request body applied as several engine batches (docs/ingestion.md,
// "Large bodies"): an NDJSON body is decoded a part at a time and each part
// goes to the engine as soon as it is decoded, so the engine applies the
// first events while the session's thread decodes the rest. The body still
// gets one answer, once every part is applied.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>

#include "core/codec/codec.hpp"
#include "server/engine_service.hpp"

namespace ccmon::server {

// Non-empty lines of an NDJSON body decoded and handed to the engine at a
// time: as many events as a benchmark WebSocket frame, enough for the
// engine's look-ahead over a batch, few enough that decoding the rest of a
// 5,000-line body overlaps with applying it (docs/benchmarks.md).
inline constexpr std::size_t kIngestPartLines = 500;

// Gathers the parts' results into the body's answer. The session's thread
// calls add_part() for each part, before submitting its events, and sealed()
// after the last; applied() is called once per submitted part, from any
// thread. Whichever call completes the body runs `answer` once, with the
// summed counts (accepted, duplicates; state_unavailable or internal_error
// if any part had it) and the body's first `max_listed` rejections, in body
// order, with every rejection counted by reason. Thread-safe.
class PartedBody {
 public:
  using Answer = std::function<void(const BatchResult&, const core::DecodedBatch&)>;
  PartedBody(std::size_t max_listed, Answer answer)
      : max_listed_(max_listed), answer_(std::move(answer)) {}

  // `part`'s rejections are kept (its events are the caller's); `submitted`:
  // whether its events go to the engine, so that applied() will be called.
  void add_part(const core::DecodedBatch& part, bool submitted);
  void applied(const BatchResult& result);
  void sealed();

 private:
  void finish_one(std::unique_lock<std::mutex> lock);

  std::mutex mutex_;
  std::size_t max_listed_;
  Answer answer_;
  std::size_t pending_ = 1;        // parts submitted and not applied, + 1 until sealed
  core::DecodedBatch rejections_;  // the body's rejections; no events
  BatchResult result_;
};

}  // namespace ccmon::server
