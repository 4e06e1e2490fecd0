// The state codec: the whole KPI state (engine, duplicate-id memory, SLA rule
// states) as one byte string and back, exactly (docs/state-format.md). Pure:
// no files, no clock; the daemon's state store (issue 9) writes the bytes.
//
// Thread-safety: none of its own. encode_state reads and decode_state
// replaces the three objects, so both run on the thread that owns them (the
// engine thread), with no other call on them at the same time.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine.hpp"
#include "core/sla/sla_evaluator.hpp"

namespace ccmon::core::persist {

// The version encode_state writes. Bump it on any change of the layout;
// decode_state keeps reading every version it ever wrote
// (docs/state-format.md, "Versioning").
// 2: the duplicate-id memory carries its hash key (ids are hashed keyed).
// 3: a wallboard part after the SLA states: the agents' day figures and
//    today's intervals (/v1/agents, /v1/intervals).
// 4: unordered delivery and corrections (configuration and engine parts
//    version 2): the service level's switches, the lateness and
//    max_held_events; each contact's sentiment time, each case's resolution
//    time, first-contact and reopened marks; the short-abandoned and
//    overflowed totals; the held events.
// 5: the same layout; a window's running totals hold every bucket inside it,
//    the newest one too (engine part version 3). A v4 or older image's
//    newest bucket is added to its totals on load.
inline constexpr std::uint32_t kStateFormatVersion = 5;

// A state image that cannot be read: bad magic, a newer version, truncation,
// or an inconsistency such as an index out of range. what() names the part
// of the image and the problem.
struct FormatError : std::runtime_error {
  using runtime_error::runtime_error;
};

// Everything that makes /metrics and /v1/kpis what they are, as one byte
// string: the engine (configuration in force, labels, series and teams with
// their windows, today and since-start counters, contacts, agents and cases
// with their LRU order and handles, ACW timers, the engine's counters), the
// duplicate-id memory (hashes and times, oldest first, and the key of the
// hashes: the image is as secret as the state directory), the SLA rules and
// rule states (breaches, pending `for` timers, transitions not yet taken),
// and `extra`, an opaque string the caller keeps alongside. Starts with the
// magic "CCMONSTA" and kStateFormatVersion (u32, little-endian). Derived
// indexes (hash tables, waiting queues, open-case counts, snapshot order)
// are not written; decode_state rebuilds them.
// Size: about 150 bytes per tracked contact, 16 per remembered id, plus the
// windows' buckets: 101 MB for a 3.6 M-event day (docs/benchmarks.md,
// "State codec"). Throws only std::bad_alloc.
std::string encode_state(const Engine& engine, const Deduplicator& dedup, const SlaEvaluator& sla,
                         std::string_view extra);
// Takes an image's bytes in order, in blocks of up to 64 KiB (a larger
// piece whole).
using ImageSink = std::function<void(std::string_view bytes)>;
// The same bytes, handed to `sink` as they are encoded, so the whole image
// need never be in memory: the daemon's snapshot process streams it to the
// file. Throws what `sink` throws, else only std::bad_alloc.
void encode_state(const Engine& engine, const Deduplicator& dedup, const SlaEvaluator& sla,
                  std::string_view extra, const ImageSink& sink);

// Replaces the three objects' state by the encoded one and returns `extra`.
// The engine, the memory and the evaluator get the configuration that was
// in force at encoding (window lengths, time zone, caps, dedup options, SLA
// rules); the caller then applies the current one with Engine::reconfigure,
// Deduplicator::reconfigure and SlaEvaluator::reconfigure, whose documented
// rules are those of a configuration change.
// Throws FormatError naming the problem on a bad magic, a version newer
// than kStateFormatVersion, truncation, trailing bytes or any inconsistency
// (an index or enum out of range, a repeated key, unsorted data the engine
// relies on). Never reads out of bounds and never allocates more than the
// input's length justifies. On any exception the three objects are left as
// they were. Reads every version <= kStateFormatVersion. The engine keeps
// its own hash key (its indexes are rebuilt from the ids); the duplicate-id
// memory takes the image's (it only has hashes), or, from a v1 image, keeps
// its own for new ids and marks the image's unkeyed hashes legacy.
std::string decode_state(std::string_view bytes, Engine& engine, Deduplicator& dedup,
                         SlaEvaluator& sla);

}  // namespace ccmon::core::persist
