// The attribution: what each event does to the books and what it adds to
// which window, i.e. the rules of docs/kpis.md in one place. For every
// quantity: the series (queue x channel) or team it goes to, and the time it
// is counted at. The books keep the state machines' data and live counts;
// the window store sums the deltas.
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "core/engine/engine_state.hpp"

namespace ccmon::core::engine_detail {

namespace {

bool needs_existing(EventType t) {
  return needs_earlier_contact_event(t);  // engine.cpp
}

// What to do with an event that does not fit its contact's or case's state.
enum class Unfit : std::uint8_t {
  kHold,   // newly arrived: hold it for the lateness (ApplyResult::kHeld)
  kKeep,   // held and retried: leave it held, change nothing (kHeld)
  kCount,  // never held, or given up: out of sequence, as docs/events.md says
};

// The team field accruing time in `s` (kTeamFieldCount: not staffed).
std::uint8_t time_field(AgentState s) {
  switch (s) {
    case AgentState::kAvailable:
      return kTimeAvailable;
    case AgentState::kBusy:
      return kTimeBusy;
    case AgentState::kWrapUp:
      return kTimeWrapUp;
    default:
      return kTeamFieldCount;
  }
}

// Does `e` fit contact `k` (a fresh record when the contact is unknown)?
bool fits(const Contact& k, const Event& e) {
  const Timestamp t = e.time;
  switch (e.type) {
    case EventType::kContactCreated:
      // Once, first by event time: delivered after the queueing (Twilio's
      // task.created and task-queue.entered share a time and come in either
      // order) it is still in order when not later than the first queueing.
      return !(k.flags & kCreatedDone) &&
             (k.phase == Phase::kNew || (k.first_queued != kNever && t <= k.first_queued));
    case EventType::kContactQueued:
      return k.phase == Phase::kNew || k.phase == Phase::kTransferred || k.phase == Phase::kDone;
    case EventType::kContactAnswered:
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed:
      return k.phase == Phase::kWaiting && t >= k.queued_at;
    case EventType::kContactHeld:
      return k.phase == Phase::kActive && !(k.flags & kHeld) && t >= k.answered_at;
    case EventType::kContactResumed:
      return k.phase == Phase::kActive && (k.flags & kHeld) && t >= k.hold_start;
    case EventType::kContactTransferred:
    case EventType::kContactEnded:
      return k.phase == Phase::kActive && t >= k.answered_at &&
             (!(k.flags & kHeld) || t >= k.hold_start);
    case EventType::kContactWrapped:
      return k.phase == Phase::kAcw && t >= k.ended_at;
    case EventType::kContactSelfServed:
      return !(k.flags & kSelfServedDone);
    case EventType::kContactDeflected:
      return !(k.flags & kDeflectedDone);
    case EventType::kContactConverted:
      return !(k.flags & kConvertedDone);
    default:
      return true;
  }
}

// One event being applied: the state and the event's label resolution.
struct Apply {
  EngineState& s;
  EventLabels labels;
  std::uint64_t contact_hash = 0;           // contacts.hash_of(e.contact), when it has one
  std::optional<std::uint64_t> agent_hash;  // agents' hash of e.agent, when made ahead

  // The record of the event's agent (e.agent, not empty), touched or created.
  std::uint32_t own_agent(const Event& e) {
    return agent_hash ? s.agents.touch_or_insert(e.agent, *agent_hash)
                      : s.agents.touch_or_insert(e.agent);
  }

  // The series of an event's own queue / channel (absent: "unknown").
  std::uint32_t own_series(const Event& e) {
    return s.store.series_for(e.queue.empty() ? kNoLabel : labels.queue(e.queue),
                              e.channel.empty() ? kNoLabel : labels.channel(e.channel));
  }

  // A handling segment completes at t: handled with its talk, hold and ACW,
  // in the segment's series and the segment agent's team.
  void end_segment(std::uint32_t c, Timestamp t, Duration acw, bool transferred) {
    const Contact& k = s.contacts[c];
    Delta d;
    d.add(kHandled, 1);
    d.add(kTalkSum, k.talk);
    d.add(kHoldSum, k.hold);
    d.add(kAcwSum, acw);
    if (transferred) d.add(kTransferred, 1);
    s.store.record(k.series, t, d);
    ++s.store.series(k.series).handled_total;

    const LabelId team = s.agents.valid(k.agent) ? s.agents[k.agent.slot].team : kNoLabel;
    Delta td;
    td.add(kTeamHandled, 1);
    s.store.record_team(s.store.team_for(team), t, td);
    s.agents.segment_ended(k.agent, t);
    // The agent's own day (/v1/agents): handled and handle time.
    if (s.agents.valid(k.agent) && s.store.today_at(t)) {
      AgentDay& day = s.agents.day_of(k.agent.slot, s.store.day_start());
      ++day.handled;
      day.handle_sum += k.talk + k.hold + acw;
    }
  }

  // ACW ends at t (wrap, the agent's next state, or the timeout).
  void close_acw(std::uint32_t c, Timestamp t) {
    end_segment(c, t, t - s.contacts[c].ended_at, false);
    s.contacts.move(c, Phase::kDone, s.contacts[c].series);
  }

  // An agent's time in a state, credited (sign +1) or taken back (-1) to
  // the team it was in during that time.
  // Also to the agent's own day, clipped to the day as the team's today.
  void credit_time(std::uint32_t a, const StateInterval& i, std::int64_t sign) {
    const std::uint8_t f = time_field(i.state);
    if (f == kTeamFieldCount) return;
    // Sharded: the home shard alone credits the team (ShardPlace).
    if (s.homed(a)) s.store.record_team_span(s.store.team_for(i.team), i.from, i.to, f, sign);
    if (i.to <= i.from || !s.store.today_at(i.to - 1)) return;
    const Timestamp from = std::max(i.from, s.store.day_start());
    if (i.to <= from) return;
    AgentDay& day = s.agents.day_of(a, s.store.day_start());
    Duration& field = f == kTimeAvailable ? day.available : f == kTimeBusy ? day.busy : day.wrap_up;
    field += sign * (i.to - from);
  }

  ApplyResult contact(const Event& e, Unfit unfit);
  ApplyResult message(const Event& e);
  ApplyResult case_event(const Event& e, Unfit unfit);
  ApplyResult survey(const Event& e);
  ApplyResult churn(const Event& e);
  ApplyResult agent(const Event& e);
  ApplyResult late_agent_state(std::uint32_t a, const Event& e);
};

ApplyResult Apply::contact(const Event& e, Unfit unfit) {
  ContactBook& contacts = s.contacts;
  const Timestamp t = e.time;
  const std::uint64_t hash = contact_hash;  // one hash for find and insert
  std::uint32_t c = contacts.find(e.contact, hash);
  const bool lifecycle = needs_existing(e.type) || e.type == EventType::kContactQueued;
  // A lifecycle event ahead of the one it depends on waits for it, leaving
  // the record untouched (so a queueing arriving later is not "late").
  if (unfit != Unfit::kCount && needs_existing(e.type) && (c == kNil || !fits(contacts[c], e))) {
    return ApplyResult::kHeld;
  }
  if (c == kNil && needs_existing(e.type)) {
    // Remember that the contact moved on, so that its contact.queued, if it
    // arrives late, is offered but not left waiting. Only when there is room:
    // a stray event must not push out a tracked contact.
    if (const std::uint32_t n = contacts.insert_if_room(e.contact, hash); n != kNil) {
      contacts[n].last_event = contacts[n].last_lifecycle = t;
    }
    return ApplyResult::kOutOfSequence;
  }
  static const Contact kFresh;  // a reference either way: no 112-byte copy per event
  if (!fits(c == kNil ? kFresh : contacts[c], e)) {
    if (c != kNil) {
      contacts.touch(c);
      Contact& k = contacts[c];
      k.last_event = std::max(k.last_event, t);
      if (lifecycle) k.last_lifecycle = std::max(k.last_lifecycle, t);
    }
    return ApplyResult::kOutOfSequence;
  }
  if (c == kNil) {
    c = contacts.touch_or_insert(e.contact, hash);
  } else {
    contacts.touch(c);
  }
  Contact& k = contacts[c];
  k.last_event = std::max(k.last_event, t);
  // Queued earlier than a lifecycle event already seen: the contact has left
  // this queue already (its queueing was delivered late).
  const bool late_queued =
      e.type == EventType::kContactQueued && k.last_lifecycle != kNever && t < k.last_lifecycle;
  if (lifecycle) k.last_lifecycle = std::max(k.last_lifecycle, t);
  // Explicit fields win and are remembered for the contact's later events.
  if (!e.queue.empty()) k.queue = labels.queue(e.queue);
  if (!e.channel.empty()) k.channel = labels.channel(e.channel);
  if (!e.agent.empty()) k.agent = s.agents.handle(own_agent(e));

  Delta d;
  switch (e.type) {
    case EventType::kContactCreated:
      // In the series known at this moment; a later queue does not move it.
      k.flags |= kCreatedDone;
      d.add(kCreated, 1);
      s.store.record(s.store.series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactQueued: {
      // Offered at every queueing, in the queue it enters.
      const std::uint32_t series = s.store.series_for(k.queue, k.channel);
      k.queued_at = t;
      if (k.first_queued == kNever || t < k.first_queued) k.first_queued = t;
      // A late queueing is offered, but the contact no longer waits.
      contacts.move(c, late_queued ? Phase::kDone : Phase::kWaiting, series);
      d.add(kOffered, 1);
      s.store.record(series, t, d);
      ++s.store.series(series).offered_total;
      break;
    }

    case EventType::kContactAnswered:
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed: {
      // An explicit queue / channel on the outcome wins for its attribution;
      // the wait runs from the queueing that started it.
      const std::uint32_t series = s.store.series_for(k.queue, k.channel);
      Series& ser = s.store.series(series);
      const Duration wait = t - k.queued_at;
      if (e.type == EventType::kContactAnswered) {
        contacts.move(c, Phase::kActive, series);
        d.add(kAnswered, 1);
        d.add(kWaitAnsweredSum, wait);
        if (wait <= ser.threshold) d.add(kAnsweredWithin, 1);
        d.wait = wait;
        ++ser.answered_total;
        s.store.observe_wait(ser.wait_answered, wait);
        if (s.answers.on() && !e.agent.empty()) {
          const Labels& l = s.store.labels();
          // own_agent(e) above made k.agent the record of e.agent.
          s.answers.add(l.queues.name(ser.queue), l.channels.name(ser.channel), e.agent,
                        s.agents.table().hash_at(k.agent.slot), t);
        }
        k.answered_at = t;
        k.hold = 0;
        k.flags &= static_cast<std::uint8_t>(~kHeld);
        if (s.agents.valid(k.agent)) s.agents[k.agent.slot].contact = contacts.handle(c);
        // Time between contacts: from the agent's last segment end, in its team.
        if (const auto gap = s.agents.take_gap(k.agent, t)) {
          Delta td;
          td.add(kBetweenContactsCount, 1);
          td.add(kBetweenContactsSum, *gap);
          s.store.record_team(s.store.team_for(s.agents[k.agent.slot].team), t, td);
        }
      } else if (e.type == EventType::kContactAbandoned) {
        contacts.move(c, Phase::kDone, series);
        d.add(kAbandoned, 1);
        d.add(kWaitAbandonedSum, wait);
        if (wait < ser.short_abandon) {
          d.add(kShortAbandoned, 1);
          ++ser.short_abandoned_total;
        }
        if (wait <= ser.threshold) d.add(kAbandonedWithin, 1);
        d.wait = wait;
        ++ser.abandoned_total;
        s.store.observe_wait(ser.wait_abandoned, wait);
      } else {
        contacts.move(c, Phase::kDone, series);
        d.add(kOverflowed, 1);
        ++ser.overflowed_total;
      }
      s.store.record(series, t, d);
      break;
    }

    case EventType::kContactHeld:
      k.hold_start = t;
      k.flags |= kHeld;
      break;

    case EventType::kContactResumed:
      k.hold += t - k.hold_start;
      k.flags &= static_cast<std::uint8_t>(~kHeld);
      break;

    case EventType::kContactTransferred:
    case EventType::kContactEnded: {
      if (k.flags & kHeld) {  // hold ends with the segment
        k.hold += t - k.hold_start;
        k.flags &= static_cast<std::uint8_t>(~kHeld);
      }
      k.talk = t - k.answered_at - k.hold;
      if (e.type == EventType::kContactEnded) {
        // Talk ends, ACW starts; handled when ACW ends (close_acw).
        k.ended_at = t;
        contacts.move(c, Phase::kAcw, k.series);
        if (s.agents.valid(k.agent)) {
          // Keep the list to the contacts still in ACW (bounded by the
          // agent's concurrent contacts even if it never changes state).
          s.agents.edit_acw(k.agent.slot, [&](std::vector<Handle>& pending) {
            std::erase_if(pending, [&](const Handle& h) { return !contacts.in_acw(h); });
            pending.push_back(contacts.handle(c));
          });
        }
        contacts.schedule_acw_timeout(c, t + s.config.acw_timeout, t);
        break;
      }
      // A transfer ends the segment at once: handled and transferred, no ACW.
      end_segment(c, t, 0, true);
      if (!e.to_agent.empty() && e.to_queue.empty()) {
        // Direct transfer to an agent: the next segment starts now, no queue.
        const std::uint32_t to = s.agents.touch_or_insert(e.to_agent);
        k.agent = s.agents.handle(to);
        s.agents[to].contact = contacts.handle(c);
        k.answered_at = t;
        k.hold = 0;
        contacts.move(c, Phase::kActive, k.series);
      } else {
        contacts.move(c, Phase::kTransferred, k.series);
      }
      break;
    }

    case EventType::kContactWrapped:
      close_acw(c, t);
      break;

    // Once-per-contact outcomes, in the series known at this moment.
    case EventType::kContactSelfServed:
      k.flags |= kSelfServedDone;
      d.add(kSelfServed, 1);
      s.store.record(s.store.series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactDeflected:
      k.flags |= kDeflectedDone;
      d.deflect = labels.channel(e.to_channel);
      s.store.record(s.store.series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactConverted:
      k.flags |= kConvertedDone;
      d.add(kConverted, 1);
      s.store.record(s.store.series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactSentiment: {
      // The latest by event time wins: an earlier-scored one arriving later
      // changes nothing; a later one withdraws the counted one at its time.
      const std::uint32_t series = s.store.series_for(k.queue, k.channel);
      if (k.flags & kSentimentDone) {
        // (No time: counted before a restart from an image before v4; it
        // cannot be taken back at its time, so it stays.)
        if (k.sentiment_at == kNever || t <= k.sentiment_at) break;
        Delta undo;
        undo.add(kSentimentScored, -1);
        if (k.flags & kSentimentCountedNegative) undo.add(kSentimentNegative, -1);
        s.store.record(series, k.sentiment_at, undo);
      }
      k.flags |= kSentimentDone;
      k.flags &= static_cast<std::uint8_t>(~kSentimentCountedNegative);
      k.sentiment_at = t;
      d.add(kSentimentScored, 1);
      if (e.score && *e.score <= s.config.negative_sentiment_threshold) {
        d.add(kSentimentNegative, 1);
        k.flags |= kSentimentCountedNegative;
      }
      s.store.record(series, t, d);
      break;
    }

    default:
      break;
  }
  return ApplyResult::kApplied;
}

ApplyResult Apply::message(const Event& e) {
  const Timestamp t = e.time;
  const std::uint32_t c = s.contacts.touch_or_insert(e.contact, contact_hash);
  Contact& k = s.contacts[c];
  k.last_event = std::max(k.last_event, t);
  if (!e.queue.empty()) k.queue = labels.queue(e.queue);
  if (!e.channel.empty()) k.channel = labels.channel(e.channel);

  if (e.type == EventType::kMessageReceived) {
    if (k.pending_since == kNever || t < k.pending_since) k.pending_since = t;
    return ApplyResult::kApplied;
  }
  if (e.automated) return ApplyResult::kApplied;  // never a response
  Delta d;
  // First response: from the first queueing, once per contact.
  if (!(k.flags & kFirstResponseDone) && k.first_queued != kNever && t >= k.first_queued) {
    k.flags |= kFirstResponseDone;
    d.add(kFirstResponses, 1);
    d.add(kFirstResponseSum, t - k.first_queued);
  }
  // One reply answers every pending customer message; its delay runs from
  // the oldest.
  if (k.pending_since != kNever && t >= k.pending_since) {
    d.add(kResponses, 1);
    d.add(kResponseSum, t - k.pending_since);
    k.pending_since = kNever;
  }
  if (d.size > 0) s.store.record(s.store.series_for(k.queue, k.channel), t, d);
  return ApplyResult::kApplied;
}

ApplyResult Apply::case_event(const Event& e, Unfit unfit) {
  CaseBook& cases = s.cases;
  const Timestamp t = e.time;
  std::uint32_t k = cases.find(e.case_id);
  // Held rather than out of sequence while the lateness runs (see contact()).
  const bool may_wait = unfit != Unfit::kCount;
  Delta d;
  if (e.type == EventType::kCaseOpened) {
    if (k != kNil) {
      cases.touch(k);
      return ApplyResult::kOutOfSequence;  // opened twice
    }
    k = cases.insert(e.case_id);
    cases.open(k, t, own_series(e));  // in the event's queue / channel
    d.add(kCasesOpened, 1);
    s.store.record(cases[k].series, t, d);
    return ApplyResult::kApplied;
  }
  if (e.type == EventType::kCaseEscalated) {
    const bool fit = k != kNil && cases[k].open && !cases[k].escalated;
    if (!fit && may_wait) return ApplyResult::kHeld;
    if (k == kNil) return ApplyResult::kOutOfSequence;
    cases.touch(k);
    Case& cs = cases[k];
    if (!fit) return ApplyResult::kOutOfSequence;
    cs.escalated = true;
    cs.last_event = std::max(cs.last_event, t);
    d.add(kCasesEscalated, 1);
    s.store.record(cs.series, t, d);
    return ApplyResult::kApplied;
  }
  if (e.type == EventType::kCaseReopened) {
    // Only a resolution before it is reopened; a first-contact one stops
    // counting as such, at the time it was counted.
    // (No resolution time: restored from a state image before v4.)
    const bool fit = k != kNil && cases[k].resolved && cases[k].series != kNil &&
                     (cases[k].resolved_at == kNever || t >= cases[k].resolved_at);
    if (!fit && may_wait) return ApplyResult::kHeld;
    if (k != kNil) cases.touch(k);
    if (!fit) return ApplyResult::kOutOfSequence;
    Case& cs = cases[k];
    if (cs.first_contact && cs.resolved_at != kNever) {
      d.add(kResolvedInOne, -1);
      s.store.record(cs.series, cs.resolved_at, d);
      cs.first_contact = false;
    }
    cases.reopen(k, t);
    return ApplyResult::kApplied;
  }
  // case.resolved: first-contact when it took one contact and was never reopened.
  const bool fit = k != kNil && !cases[k].resolved && t >= cases[k].opened_at;
  if (!fit && may_wait) return ApplyResult::kHeld;
  const bool one = e.contacts && *e.contacts == 1 && (k == kNil || !cases[k].reopened);
  d.add(kCasesResolved, 1);
  if (one) d.add(kResolvedInOne, 1);
  if (k == kNil) {
    // Resolved without a known opening (opened before start, or evicted):
    // the resolution itself is real, so it counts (resolved, FCR) but has no
    // resolution time; a record remembers it so a repeat is not counted.
    k = cases.insert(e.case_id);
    cases.resolve(k, t);
    cases[k].series = own_series(e);
    cases[k].first_contact = one;
    s.store.record(cases[k].series, t, d);
    return ApplyResult::kOutOfSequence;
  }
  cases.touch(k);
  Case& cs = cases[k];
  if (!fit) return ApplyResult::kOutOfSequence;
  cases.resolve(k, t);
  cs.first_contact = one;
  if (cs.opened_at != kNever) {  // unknown for a case reopened after a resolution without opening
    d.add(kResolutionTimed, 1);
    d.add(kResolutionSum, t - cs.opened_at);
  }
  s.store.record(cs.series, t, d);
  return ApplyResult::kApplied;
}

ApplyResult Apply::survey(const Event& e) {
  // Field by field: the survey's own queue / channel, else the contact's.
  LabelId q = e.queue.empty() ? kNoLabel : labels.queue(e.queue);
  LabelId ch = e.channel.empty() ? kNoLabel : labels.channel(e.channel);
  if (!e.contact.empty() && (q == kNoLabel || ch == kNoLabel)) {
    if (const std::uint32_t c = s.contacts.find(e.contact, contact_hash); c != kNil) {
      if (q == kNoLabel) q = s.contacts[c].queue;
      if (ch == kNoLabel) ch = s.contacts[c].channel;
    }
  }
  Delta d;
  if (e.csat) {
    d.add(kCsatCount, 1);
    d.add(kCsatSum, *e.csat);
    if (*e.csat >= 4) d.add(kCsatTop2, 1);
  }
  if (e.nps) {
    d.add(kNpsCount, 1);
    if (*e.nps >= 9) d.add(kNpsPromoters, 1);
    if (*e.nps <= 6) d.add(kNpsDetractors, 1);
  }
  if (e.ces) {
    d.add(kCesCount, 1);
    d.add(kCesSum, *e.ces);
  }
  s.store.record(s.store.series_for(q, ch), e.time, d);
  return ApplyResult::kApplied;
}

ApplyResult Apply::churn(const Event& e) {
  Delta d;
  d.add(kChurned, 1);
  s.store.record(own_series(e), e.time, d);
  return ApplyResult::kApplied;
}

// A state change older than the agent's current state: if it falls after a
// remembered change, the interval it splits is re-accrued (taken back from
// the state it was credited to, given to the late state). Older ones are out
// of sequence.
ApplyResult Apply::late_agent_state(std::uint32_t a, const Event& e) {
  const auto position = s.agents.late_position(a, e.time);
  if (!position) return ApplyResult::kOutOfSequence;
  const AgentTransition prev = s.agents.before(a, *position);
  const LabelId team = e.team.empty() ? prev.team : labels.team(e.team);
  const StateInterval resplit =
      s.agents.insert_late(a, *position, e.time, e.state.value_or(AgentState::kOffline), team);
  credit_time(a, {resplit.from, resplit.to, prev.state, prev.team}, -1);
  credit_time(a, resplit, +1);
  return ApplyResult::kApplied;
}

ApplyResult Apply::agent(const Event& e) {
  const Timestamp t = e.time;
  AgentBook& agents = s.agents;
  const std::uint32_t a = own_agent(e);
  if (agents[a].has_state && t < agents[a].since) {
    // A late change moves only time the home shard credits; another shard
    // may have joined the agent after it (ShardedEngine::partition).
    return s.homed(a) ? late_agent_state(a, e) : ApplyResult::kApplied;
  }
  const LabelId team = e.team.empty() ? kNoLabel : labels.team(e.team);
  // The interval left belongs to the team the agent was in during it.
  if (const auto left = agents.change_state(a, t, e.state.value_or(AgentState::kOffline), team)) {
    credit_time(a, *left, +1);
  }
  agents.set_reason(a, e.reason);
  s.store.team_for(agents[a].team);  // the team shows in snapshots from now on

  // Entering wrap-up starts ACW; any other state ends the agent's pending
  // ACW, at this change or at the timeout if that came first.
  if (agents[a].state != AgentState::kWrapUp) {
    agents.edit_acw(a, [&](std::vector<Handle>& pending) {
      std::erase_if(pending, [&](const Handle& h) {
        if (!s.contacts.in_acw(h)) return true;
        const Contact& k = s.contacts[h.slot];
        if (k.ended_at > t) return false;  // ended after this state change
        close_acw(h.slot, std::min(t, k.ended_at + s.config.acw_timeout));
        return true;
      });
    });
  }
  return ApplyResult::kApplied;
}

// Which book an event's state lives in, for holding it: contact and case
// events that can arrive ahead of the event they depend on.
std::optional<HeldKind> held_kind(EventType t) {
  if (needs_existing(t)) return HeldKind::kContact;
  if (t == EventType::kCaseEscalated || t == EventType::kCaseResolved ||
      t == EventType::kCaseReopened) {
    return HeldKind::kCase;
  }
  return std::nullopt;
}

// Applies one event, with `unfit` saying what to do if it does not fit.
ApplyResult apply_one(EngineState& st, const Event& e, std::uint64_t contact_hash, Unfit unfit,
                      std::optional<std::uint64_t> agent_hash = std::nullopt) {
  Apply a{st, EventLabels{st.store.labels()}, contact_hash, agent_hash};
  ApplyResult r = ApplyResult::kApplied;
  switch (e.type) {
    case EventType::kMessageReceived:
    case EventType::kMessageSent:
      r = a.message(e);
      break;
    case EventType::kCaseOpened:
    case EventType::kCaseEscalated:
    case EventType::kCaseResolved:
    case EventType::kCaseReopened:
      r = a.case_event(e, unfit);
      break;
    case EventType::kSurveyAnswered:
      r = a.survey(e);
      break;
    case EventType::kCustomerChurned:
      r = a.churn(e);
      break;
    case EventType::kAgentState:
      r = a.agent(e);
      break;
    default:
      r = a.contact(e, unfit);
      break;
  }
  if (r == ApplyResult::kOutOfSequence) ++st.out_of_sequence_total;
  // An agent state reaches several shards: its home shard counts its fold.
  if (a.labels.folded && (e.type != EventType::kAgentState || st.place.count <= 1 ||
                          shard_of(e.agent, st.place.count) == st.place.index)) {
    ++st.series_folded_total;
  }
  return r;
}

// The events held for the contact or case `e` just changed, retried in
// event-time order until none of the rest fits; the rest stay held.
// `contact_hash` is contacts.hash_of(e.contact), the held events' too.
void retry_held(EngineState& st, const Event& e, std::uint64_t contact_hash) {
  const bool is_case = e.type == EventType::kCaseOpened || e.type == EventType::kCaseEscalated ||
                       e.type == EventType::kCaseResolved || e.type == EventType::kCaseReopened;
  const HeldKind kind = is_case ? HeldKind::kCase : HeldKind::kContact;
  const std::string_view id = is_case ? std::string_view(e.case_id) : std::string_view(e.contact);
  if (id.empty() || st.held.size() == 0) return;
  const std::uint64_t id_hash = is_case ? st.held.id_hash(id) : contact_hash;
  if (!st.held.any_for(kind, id, id_hash)) return;
  std::vector<HeldEvent> waiting = st.held.take(kind, id, id_hash);
  for (bool progress = true; progress && !waiting.empty();) {
    progress = false;
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (apply_one(st, it->event, contact_hash, Unfit::kKeep) == ApplyResult::kHeld) {
        ++it;
      } else {
        it = waiting.erase(it);
        progress = true;
      }
    }
  }
  for (HeldEvent& h : waiting) st.held.put_back(kind, id_hash, std::move(h));
}

}  // namespace

ApplyResult EngineState::apply(const Event& e, std::uint64_t contact_hash,
                               std::optional<std::uint64_t> agent_hash) {
  const auto kind = held_kind(e.type);
  const bool may_hold = config.holds_events() && kind.has_value();
  ApplyResult r =
      apply_one(*this, e, contact_hash, may_hold ? Unfit::kHold : Unfit::kCount, agent_hash);
  if (r == ApplyResult::kHeld) {
    held.hold(*kind, e, *kind == HeldKind::kContact ? contact_hash : held.id_hash(e.case_id),
              e.time + config.lateness);
    release_held(kNever);  // past max_held_events, the oldest is given up
  } else if (r == ApplyResult::kApplied) {
    retry_held(*this, e, contact_hash);
  }
  enforce_byte_bound();
  return r;
}

void EngineState::release_held(Timestamp now) {
  while (held.size() > 0 && (held.size() > config.max_held_events || held.next_due() <= now)) {
    const bool evicted = held.size() > config.max_held_events;
    auto [kind, h] = held.pop_oldest();
    if (evicted) held.count_eviction();
    const Event& e = h.event;
    const std::uint64_t hash = contacts.hash_of(e.contact);
    if (apply_one(*this, e, hash, Unfit::kCount) == ApplyResult::kApplied)
      retry_held(*this, e, hash);
  }
}

void EngineState::close_acw(std::uint32_t c, Timestamp t) {
  Apply{*this, EventLabels{store.labels()}, 0, std::nullopt}.close_acw(c, t);
}

}  // namespace ccmon::core::engine_detail
