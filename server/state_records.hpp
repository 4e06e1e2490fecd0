// The journal's records: what the engine thread did, in the order it did it,
// so that replaying them reproduces the state exactly (docs/architecture.md,
// "Durable state"). Compact binary: LEB128 varints, zigzag for signed
// deltas, a presence mask per event so absent fields take no space.
//
//   batch: u8 kBatch, varint n, n x event (fresh events in apply order, each
//          with the time the duplicate memory remembered its id at)
//   tick:  u8 kTick, zigzag now, u8 what (kAdvance: advance + snapshot + SLA
//          evaluation at `now`, the engine tick; kExpire: the duplicate
//          memory's expiry; kScrape: advance + snapshot without SLA
//          evaluation, a scrape's)
//
// A record type byte never changes meaning: a new layout gets a new type.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/prediction/recent_answerers.hpp"
#include "core/time.hpp"

namespace ccmon::server::state_records {

enum class RecordType : std::uint8_t { kBatch = 1, kTick = 2 };

enum Tick : std::uint8_t { kAdvance = 1, kExpire = 2, kScrape = 4 };

struct FreshEvent {
  const core::Event* event;
  core::Timestamp remembered_at;  // the duplicate memory's `now` for its id
};

// Appends a batch record to `out`.
void encode_batch(std::span<const FreshEvent> events, std::string& out);
std::string encode_tick(core::Timestamp now, std::uint8_t what);

// A record that cannot be read (a bug, or a journal from a newer ccmond).
struct RecordError : std::runtime_error {
  using runtime_error::runtime_error;
};

struct Record {
  RecordType type = RecordType::kTick;
  std::vector<core::Event> events;             // kBatch
  std::vector<core::Timestamp> remembered_at;  // kBatch, one per event
  core::Timestamp now = 0;                     // kTick
  std::uint8_t what = 0;                       // kTick
};

// Throws RecordError naming the problem; never reads out of bounds.
Record decode_record(std::string_view bytes);
// The same into `into`, reusing its events' storage (a replay decodes
// millions of events). After a throw `into` holds a partial record.
void decode_record(std::string_view bytes, Record& into);

// The daemon's own fields stored beside a state snapshot (the codec's
// `extra`): the journal record the snapshot covers and the latest event time,
// then (appended for the forecast; absent in snapshots written before it,
// which restore an empty memory) who answered which queue lately. Its list
// of waiting contacts, written before the engine reported answers, is
// written empty and skipped when read.
struct SnapshotExtra {
  std::uint64_t sequence = 0;
  core::Timestamp latest_event_time = 0;
  core::RecentAnswerers::Entries answerers;
};
std::string encode_extra(const SnapshotExtra& extra);
SnapshotExtra decode_extra(std::string_view bytes);  // throws RecordError

}  // namespace ccmon::server::state_records
