// The engine's private state: contact / agent / case records, series (queue x
// channel) and team aggregates. Only engine*.cpp include this.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/engine/fields.hpp"
#include "core/engine/labels.hpp"
#include "core/engine/lru_table.hpp"
#include "core/engine/window.hpp"

namespace ccmon::core::engine_detail {

inline constexpr Timestamp kNever = std::numeric_limits<Timestamp>::min();
inline constexpr LabelId kNoLabel = 0xFFFF;

enum class Phase : std::uint8_t {
  kNew,          // known from created / messages / outcomes only
  kWaiting,      // queued, no outcome yet
  kActive,       // answered (a handling segment runs)
  kAcw,          // ended, after-contact work runs
  kTransferred,  // a segment ended by a transfer to a queue
  kDone,         // abandoned, overflowed or wrapped
};

// Once-per-contact outcomes, so a repeated event never double counts.
enum ContactFlag : std::uint8_t {
  kFirstResponseDone = 1,
  kSelfServedDone = 2,
  kDeflectedDone = 4,
  kConvertedDone = 8,
  kSentimentDone = 16,
  kHeld = 32,
};

struct Contact {  // 112 bytes + the id string
  Timestamp first_queued = kNever;
  Timestamp queued_at = kNever;
  Timestamp answered_at = kNever;
  Timestamp hold_start = kNever;
  Duration hold = 0;
  Timestamp ended_at = kNever;
  Duration talk = 0;
  Timestamp pending_since = kNever;  // oldest unanswered customer message
  Timestamp last_event = kNever;
  Timestamp last_lifecycle = kNever;  // latest queue/answer/end... event seen, even out of sequence
  Handle agent;
  std::uint32_t series = kNil;  // series of the current queue x channel
  std::uint32_t wait_prev = kNil, wait_next = kNil;
  LabelId queue = kNoLabel, channel = kNoLabel;
  Phase phase = Phase::kNew;
  std::uint8_t flags = 0;
};

// One of an agent's recent state changes, kept so that a late one can be
// slotted in and the time re-split.
struct AgentTransition {
  Timestamp at = 0;
  AgentState state = AgentState::kOffline;
  LabelId team = kNoLabel;
};
inline constexpr std::size_t kAgentHistory = 16;

struct Agent {
  Timestamp since = kNever;
  Timestamp last_wrap = kNever;  // for time between contacts
  LabelId team = kNoLabel;
  bool has_state = false;
  AgentState state = AgentState::kOffline;
  std::vector<Handle> acw;               // contacts whose ACW may end at the next state change
  std::vector<AgentTransition> history;  // the last kAgentHistory changes, by time
};

struct Case {
  Timestamp opened_at = kNever;
  Timestamp last_event = kNever;
  std::uint32_t series = kNil;
  bool open = false, escalated = false, resolved = false;
};

struct SinceStartHistogram {
  std::vector<std::uint64_t> counts;  // per bound (wait <= bound), then +Inf
  std::uint64_t count = 0;
  Duration sum = 0;
};

struct Series {
  LabelId queue = 0, channel = 0;
  double threshold_s = 20, short_abandon_s = 5;
  Duration threshold = 0, short_abandon = 0;  // the same in us
  std::vector<Window<kFieldCount>> windows;
  DayTotals<kFieldCount> today;

  std::int64_t waiting = 0, active = 0, cases_active = 0;
  std::uint32_t wait_head = kNil, wait_tail = kNil;  // waiting contacts by queued_at

  std::uint64_t offered_total = 0, answered_total = 0, abandoned_total = 0, handled_total = 0;
  SinceStartHistogram wait_answered, wait_abandoned;
};

struct Team {
  LabelId label = 0;
  std::vector<Window<kTeamFieldCount>> windows;
  DayTotals<kTeamFieldCount> today;
};

struct AcwDue {
  Timestamp due;
  Handle contact;
  Timestamp ended_at;
  bool operator>(const AcwDue& o) const { return due > o.due; }
};

}  // namespace ccmon::core::engine_detail

namespace ccmon::core {

struct Engine::State {
  EngineConfig config;
  EngineStats stats;

  engine_detail::LabelSet queues, channels, teams;
  std::vector<double> bounds_s;     // since-start histogram bounds
  std::vector<Duration> bounds_us;  // the same in us
  std::vector<Duration> window_lengths;

  std::vector<std::unique_ptr<engine_detail::Series>> series;
  std::unordered_map<std::uint32_t, std::uint32_t> series_index;  // queue << 16 | channel
  std::vector<std::unique_ptr<engine_detail::Team>> team_list;
  std::vector<std::uint32_t> team_index;  // by team label id

  engine_detail::LruTable<engine_detail::Contact> contacts;
  engine_detail::LruTable<engine_detail::Case> cases;
  engine_detail::LruTable<engine_detail::Agent> agents;
  std::priority_queue<engine_detail::AcwDue, std::vector<engine_detail::AcwDue>, std::greater<>>
      acw_due;

  Timestamp day_start = engine_detail::kNever;
  Timestamp next_day_start = engine_detail::kNever;
  bool event_folded = false;  // set while applying one event

  explicit State(EngineConfig c);
  void configure(EngineConfig c);

  // Attribution helpers (engine.cpp).
  std::uint32_t series_for(engine_detail::LabelId q, engine_detail::LabelId c);
  std::uint32_t team_for(engine_detail::LabelId t);
  engine_detail::LabelId queue_label(std::string_view v);
  engine_detail::LabelId channel_label(std::string_view v);
  void record(std::uint32_t s, Timestamp t, const engine_detail::Delta& d);
  void record_team(std::uint32_t team, Timestamp t, const engine_detail::Delta& d);
  void record_team_span(std::uint32_t team, Timestamp a, Timestamp b, std::uint8_t field,
                        std::int64_t sign = 1);
  ApplyResult late_agent_state(std::uint32_t agent, const Event& e);
  bool in_today(Timestamp t);
  void roll_day(Timestamp t);
  void set_thresholds(engine_detail::Series& s) const;

  // Event handlers.
  ApplyResult apply(const Event& e);
  ApplyResult on_contact(const Event& e);
  ApplyResult on_message(const Event& e);
  ApplyResult on_case(const Event& e);
  ApplyResult on_survey(const Event& e);
  ApplyResult on_churn(const Event& e);
  ApplyResult on_agent(const Event& e);

  std::uint32_t contact_slot(std::string_view id, bool create);
  std::uint32_t contact_slot(std::string_view id, std::uint64_t hash, bool create);
  std::uint32_t agent_slot(std::string_view id);
  void enter_waiting(std::uint32_t c);
  void leave_waiting(std::uint32_t c);
  void outcome(std::uint32_t c, Timestamp t, EventType type);
  void end_segment(std::uint32_t c, Timestamp t, Duration acw, bool transferred);
  void close_acw(std::uint32_t c, Timestamp t);
  void agent_freed(engine_detail::Handle agent, Timestamp t);
  void evict_contact(std::uint32_t c);
  void evict_case(std::uint32_t k);
  void advance(Timestamp now);

  // Snapshots (engine_snapshot.cpp).
  std::shared_ptr<Snapshot> last_snapshot;  // its storage is reused once readers let go
  std::vector<std::uint32_t> series_order;  // series indices by (queue, channel) name
  std::vector<std::uint32_t> team_order;    // team_list indices by name
  std::shared_ptr<const Snapshot> snapshot(Timestamp now);
  std::shared_ptr<Snapshot> snapshot_storage();
  void update_orders();
};

}  // namespace ccmon::core
