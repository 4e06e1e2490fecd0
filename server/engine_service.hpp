// What sessions and the router ask of the engine side: admission, the wall
// clock, applying batches and fresh views. EngineRunner is the daemon's
// implementation; tests substitute their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/codec.hpp"
#include "core/engine/engine.hpp"
#include "core/engine/hashed_ids.hpp"
#include "core/engine/snapshot.hpp"
#include "core/prediction/prediction.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "server/admission.hpp"
#include "server/self_metrics.hpp"

namespace ccmon::server {

// An input feed as the wallboard reports it (docs/wallboard.md, `feeds`).
struct FeedState {
  std::string feed;            // adapter/source, "events" for /v1/events and /v1/stream
  core::Timestamp last_event;  // wall-clock arrival of its latest batch
  bool stale = false;          // nothing for longer than wallboard.feed_stale_after
};

// What readers see: the KPI snapshot and the SLA states at the same instant,
// and the input feeds (sorted by name) as of the same tick.
struct View {
  std::shared_ptr<const core::Snapshot> snapshot;
  std::vector<core::SlaState> sla;
  // The forecast of the last tick (docs/forecasting.md); null before the
  // first tick. Computed once a tick, never per scrape.
  std::shared_ptr<const core::Forecast> forecast;
  std::vector<FeedState> feeds;
};

struct Batch {
  Transport transport = Transport::kHttp;
  std::vector<core::IndexedEvent> events;
  core::Timestamp arrival = 0;
  std::size_t admitted = 0;  // reserved in Admission, released once applied
  // The input feed the batch came from: "adapter/source" for an adapter,
  // "events" for /v1/events and /v1/stream.
  std::string feed = "events";
  // A Kafka partition's batch when ingest.kafka.state_dir is set
  // (docs/kafka.md, "Partition-owned state"): applied to that partition's
  // engine and duplicate memory, not journaled (the topic and the
  // partition's snapshots are its durability); `next_offset` is the offset
  // after the batch's last message, kept with the state.
  struct Partition {
    std::string key;  // "topic/partition"
    std::int64_t next_offset = -1;
  };
  std::optional<Partition> partition{};
  // Another part of the same request follows (an NDJSON body is applied in
  // parts, docs/ingestion.md, "Large bodies"): the request is answered
  // after its last part, so this part's journal record is synced with that
  // one's rather than alone (store::Journal::Sync::kWithNext).
  bool more_parts = false;
  // Filled by EngineRunner::submit on the submitting thread, to take
  // SipHash off the engine thread: each event's id hashed for the duplicate
  // memory (Deduplicator::keyed_hash_of), and its contact and agent ids for
  // the engine's tables (keyed_hash). Empty when not hashed ahead.
  std::vector<std::uint64_t> id_hashes{};
  std::vector<core::HashedIds> hashed_ids{};
  // Shared by the batches of one ordered stream (a WebSocket connection,
  // the parts of one large body); null for a batch on its own. Once one of
  // them is refused as `state_unavailable` or fails (`internal_error`), the
  // later ones are refused as `state_unavailable`, unapplied: the client's
  // resend from the refused one then keeps the stream's order
  // (docs/ingestion.md, "GET /v1/stream"). Read and set on the engine thread
  // only.
  std::shared_ptr<bool> order_fence{};
};

// One owned partition's state as bytes (docs/state-format.md's image of
// one engine with its duplicate memory) and the offset it reflects.
struct PartitionImage {
  std::string key;
  std::string bytes;
  std::int64_t next_offset = -1;  // -1: nothing of the partition applied yet
};

struct BatchResult {
  std::size_t accepted = 0;
  std::size_t duplicates = 0;
  // The journal could not take the batch (disk full or failing; see
  // docs/ingestion.md, "Acknowledgements"): nothing of it was applied and
  // its ids are not remembered. Answered 503 / an error frame
  // `state_unavailable`; the client resends.
  bool state_unavailable = false;
  // Applying the batch threw (std::bad_alloc, or a defect): the daemon goes
  // on; what of the batch was applied or remembered is unknown. Answered
  // 500 / an error frame `internal_error`, counted in
  // ccmon_requests_rejected_total{reason="internal_error"}.
  bool internal_error = false;
};

class EngineService {
 public:
  virtual ~EngineService() = default;

  // Bounds the events submitted and not yet applied. Thread-safe.
  virtual Admission& admission() = 0;

  // The wall clock (also in event-clock mode: the codec rejects event times
  // beyond the allowed skew from it). Thread-safe.
  virtual core::Timestamp wall_now() const = 0;

  // Applies `batch` (its events already admitted) and calls `done` on the
  // engine thread: callers hop to their own executor before doing more.
  virtual void submit(Batch batch, std::function<void(BatchResult)> done) = 0;

  // A fresh view as of now; `done` runs on the engine thread (while the state
  // is being restored at start: at once, on the calling thread, with the
  // empty view of a fresh engine).
  virtual void request_view(std::function<void(std::shared_ptr<const View>)> done) = 0;

  // Events of applied batches to decode at most `events` events into
  // (EventPool::take); empty when none are kept. Thread-safe.
  virtual std::vector<core::IndexedEvent> reusable_events(std::size_t /*events*/) { return {}; }

  // The request whose last submitted batch said `more_parts` has no part
  // left to submit (its remaining lines were all rejected): the journal
  // records of its parts are synced without waiting for one. Call it from
  // the thread that submitted that batch, after it (it is queued behind it).
  virtual void end_parts() {}

  // False while the state is being restored at start: ingestion answers 503
  // `state_unavailable` and /-/ready 503 until then. Thread-safe.
  virtual bool state_ready() const { return true; }

  // Partition-owned state (docs/kafka.md). All run `done` on the engine
  // thread, in order with submit(). The defaults own nothing.
  //
  // Makes `key` an owned partition: its state from `image` (a
  // PartitionImage's bytes), or empty when `image` is null. `done(error)`:
  // empty on success with the offset the state reflects (-1: none), else
  // why the image was refused (the partition then starts empty).
  virtual void own_partition(
      std::string /*key*/, std::optional<std::string> /*image*/,
      std::function<void(std::string error, std::int64_t next_offset)> done) {
    done("partition-owned state is not supported here", -1);
  }
  // The images of the owned partitions among `keys` (all when empty) whose
  // state moved since the image partition_imaged() last confirmed.
  virtual void partition_images(std::vector<std::string> /*keys*/,
                                std::function<void(std::vector<PartitionImage>)> done) {
    done({});
  }
  // The image of `key` at `next_offset` is durable: images are made again
  // only once its state moves on. Asynchronous.
  virtual void partition_imaged(std::string /*key*/, std::int64_t /*next_offset*/) {}
  // Forgets the state of partition `key` (given away or lost).
  virtual void disown_partition(std::string /*key*/, std::function<void()> done) { done(); }
};

}  // namespace ccmon::server
