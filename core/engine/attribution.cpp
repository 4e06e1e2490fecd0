// Event handlers: the contact / case / agent state machines and what each
// event adds to the windows (attribution rules of spec/kpis.md).
#include <algorithm>

#include "core/engine/engine_state.hpp"

namespace ccmon::core {

using namespace engine_detail;

namespace {

bool needs_existing(EventType t) {
  switch (t) {
    case EventType::kContactAnswered:
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed:
    case EventType::kContactHeld:
    case EventType::kContactResumed:
    case EventType::kContactTransferred:
    case EventType::kContactEnded:
    case EventType::kContactWrapped:
      return true;
    default:
      return false;
  }
}

constexpr std::uint8_t kCreatedDone = 64;

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
      return !(k.flags & kCreatedDone) && k.phase == Phase::kNew;
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
    case EventType::kContactSentiment:
      return !(k.flags & kSentimentDone);
    default:
      return true;
  }
}

}  // namespace

ApplyResult Engine::State::apply(const Event& e) {
  event_folded = false;
  ApplyResult r = ApplyResult::kApplied;
  switch (e.type) {
    case EventType::kMessageReceived:
    case EventType::kMessageSent:
      r = on_message(e);
      break;
    case EventType::kCaseOpened:
    case EventType::kCaseEscalated:
    case EventType::kCaseResolved:
      r = on_case(e);
      break;
    case EventType::kSurveyAnswered:
      r = on_survey(e);
      break;
    case EventType::kCustomerChurned:
      r = on_churn(e);
      break;
    case EventType::kAgentState:
      r = on_agent(e);
      break;
    default:
      r = on_contact(e);
      break;
  }
  if (r == ApplyResult::kOutOfSequence) ++stats.out_of_sequence_total;
  if (event_folded) ++stats.series_folded_total;
  return r;
}

std::uint32_t Engine::State::contact_slot(std::string_view id, bool create) {
  return contact_slot(id, contacts.hash_of(id), create);
}

std::uint32_t Engine::State::contact_slot(std::string_view id, std::uint64_t hash, bool create) {
  std::uint32_t c = contacts.find(id, hash);
  if (c != kNil) {
    contacts.touch(c);
    return c;
  }
  if (!create) return kNil;
  if (contacts.size() >= config.max_tracked_contacts && contacts.oldest() != kNil) {
    evict_contact(contacts.oldest());
  }
  return contacts.insert(id, hash);
}

std::uint32_t Engine::State::agent_slot(std::string_view id) {
  std::uint32_t a = agents.find(id);
  if (a != kNil) {
    agents.touch(a);
    return a;
  }
  if (agents.size() >= config.max_tracked_agents && agents.oldest() != kNil) {
    agents.erase(agents.oldest());
  }
  return agents.insert(id);
}

// Waiting contacts of a series stay sorted by queued_at (inserted from the
// tail, where new arrivals belong), so the oldest is the head.
void Engine::State::enter_waiting(std::uint32_t c) {
  Contact& k = contacts[c];
  Series& s = *series[k.series];
  std::uint32_t after = s.wait_tail;
  while (after != kNil && contacts[after].queued_at > k.queued_at)
    after = contacts[after].wait_prev;
  k.wait_prev = after;
  k.wait_next = after == kNil ? s.wait_head : contacts[after].wait_next;
  (after == kNil ? s.wait_head : contacts[after].wait_next) = c;
  (k.wait_next == kNil ? s.wait_tail : contacts[k.wait_next].wait_prev) = c;
  ++s.waiting;
}

void Engine::State::leave_waiting(std::uint32_t c) {
  Contact& k = contacts[c];
  Series& s = *series[k.series];
  (k.wait_prev == kNil ? s.wait_head : contacts[k.wait_prev].wait_next) = k.wait_next;
  (k.wait_next == kNil ? s.wait_tail : contacts[k.wait_next].wait_prev) = k.wait_prev;
  k.wait_prev = k.wait_next = kNil;
  --s.waiting;
}

void Engine::State::agent_freed(Handle agent, Timestamp t) {
  if (agents.valid(agent)) {
    Agent& a = agents[agent.slot];
    a.last_wrap = std::max(a.last_wrap, t);
  }
}

// A handling segment completes: handled with its talk, hold and ACW, in the
// segment's series and the segment agent's team.
void Engine::State::end_segment(std::uint32_t c, Timestamp t, Duration acw, bool transferred) {
  Contact& k = contacts[c];
  Delta d;
  d.add(kHandled, 1);
  d.add(kTalkSum, k.talk);
  d.add(kHoldSum, k.hold);
  d.add(kAcwSum, acw);
  if (transferred) d.add(kTransferred, 1);
  record(k.series, t, d);
  ++series[k.series]->handled_total;

  LabelId team = kNoLabel;
  if (agents.valid(k.agent)) team = agents[k.agent.slot].team;
  Delta td;
  td.add(kTeamHandled, 1);
  record_team(team_for(team), t, td);
  agent_freed(k.agent, t);
}

void Engine::State::close_acw(std::uint32_t c, Timestamp t) {
  Contact& k = contacts[c];
  end_segment(c, t, t - k.ended_at, false);
  contacts[c].phase = Phase::kDone;
}

ApplyResult Engine::State::on_contact(const Event& e) {
  const Timestamp t = e.time;
  const std::uint64_t hash = contacts.hash_of(e.contact);  // one hash for find and insert
  std::uint32_t c = contacts.find(e.contact, hash);
  const bool lifecycle = needs_existing(e.type) || e.type == EventType::kContactQueued;
  if (c == kNil && needs_existing(e.type)) {
    // Remember that the contact moved on, so that its contact.queued, if it
    // arrives late, is offered but not left waiting. Only when there is room:
    // a stray event must not push out a tracked contact.
    if (contacts.size() < config.max_tracked_contacts) {
      Contact& k = contacts[contacts.insert(e.contact, hash)];
      k.last_event = k.last_lifecycle = t;
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
    c = contact_slot(e.contact, hash, true);
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
  if (!e.queue.empty()) k.queue = queue_label(e.queue);
  if (!e.channel.empty()) k.channel = channel_label(e.channel);
  if (!e.agent.empty()) k.agent = agents.handle(agent_slot(e.agent));

  Delta d;
  switch (e.type) {
    case EventType::kContactCreated:
      k.flags |= kCreatedDone;
      d.add(kCreated, 1);
      record(series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactQueued: {
      k.series = series_for(k.queue, k.channel);
      k.queued_at = t;
      if (k.first_queued == kNever || t < k.first_queued) k.first_queued = t;
      if (late_queued) {
        k.phase = Phase::kDone;  // offered, but no longer waiting
      } else {
        k.phase = Phase::kWaiting;
        enter_waiting(c);
      }
      d.add(kOffered, 1);
      record(k.series, t, d);
      ++series[k.series]->offered_total;
      break;
    }

    case EventType::kContactAnswered:
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed: {
      leave_waiting(c);
      // An explicit queue / channel on the outcome wins for its attribution.
      k.series = series_for(k.queue, k.channel);
      Series& s = *series[k.series];
      const Duration wait = t - k.queued_at;
      auto observe = [&](SinceStartHistogram& h) {
        const auto b = std::lower_bound(bounds_us.begin(), bounds_us.end(), wait);
        ++h.counts[static_cast<std::size_t>(b - bounds_us.begin())];
        ++h.count;
        h.sum += wait;
      };
      if (e.type == EventType::kContactAnswered) {
        d.add(kAnswered, 1);
        d.add(kWaitAnsweredSum, wait);
        if (wait <= s.threshold) d.add(kAnsweredWithin, 1);
        d.wait = wait;
        ++s.answered_total;
        observe(s.wait_answered);
        k.phase = Phase::kActive;
        k.answered_at = t;
        k.hold = 0;
        k.flags &= static_cast<std::uint8_t>(~kHeld);
        ++s.active;
        if (agents.valid(k.agent)) {
          Agent& a = agents[k.agent.slot];
          if (a.last_wrap != kNever && t >= a.last_wrap) {
            Delta td;
            td.add(kBetweenContactsCount, 1);
            td.add(kBetweenContactsSum, t - a.last_wrap);
            record_team(team_for(a.team), t, td);
          }
          a.last_wrap = kNever;  // one gap per wrap: concurrent answers do not reuse it
        }
      } else if (e.type == EventType::kContactAbandoned) {
        d.add(kAbandoned, 1);
        d.add(kWaitAbandonedSum, wait);
        if (wait < s.short_abandon) d.add(kShortAbandoned, 1);
        if (wait <= s.threshold) d.add(kAbandonedWithin, 1);
        d.wait = wait;
        ++s.abandoned_total;
        observe(s.wait_abandoned);
        k.phase = Phase::kDone;
      } else {
        d.add(kOverflowed, 1);
        k.phase = Phase::kDone;
      }
      record(k.series, t, d);
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
      --series[k.series]->active;
      if (e.type == EventType::kContactEnded) {
        k.ended_at = t;
        k.phase = Phase::kAcw;
        if (agents.valid(k.agent)) {
          // Keep the list to the contacts still in ACW (bounded by the
          // agent's concurrent contacts even if it never changes state).
          auto& pending = agents[k.agent.slot].acw;
          std::erase_if(pending, [&](const Handle& h) {
            return !contacts.valid(h) || contacts[h.slot].phase != Phase::kAcw;
          });
          pending.push_back(contacts.handle(c));
        }
        // Drop timeouts already settled by a wrap, so the heap stays small
        // even when advance() is rarely called.
        while (!acw_due.empty() &&
               (!contacts.valid(acw_due.top().contact) ||
                contacts[acw_due.top().contact.slot].phase != Phase::kAcw ||
                contacts[acw_due.top().contact.slot].ended_at != acw_due.top().ended_at)) {
          acw_due.pop();
        }
        acw_due.push({t + config.acw_timeout, contacts.handle(c), t});
        break;
      }
      end_segment(c, t, 0, true);
      if (!e.to_agent.empty() && e.to_queue.empty()) {
        // Direct transfer to an agent: the next segment starts now, no queue.
        k.agent = agents.handle(agent_slot(e.to_agent));
        k.answered_at = t;
        k.hold = 0;
        k.phase = Phase::kActive;
        ++series[k.series]->active;
      } else {
        k.phase = Phase::kTransferred;
      }
      break;
    }

    case EventType::kContactWrapped:
      close_acw(c, t);
      break;

    case EventType::kContactSelfServed:
      k.flags |= kSelfServedDone;
      d.add(kSelfServed, 1);
      record(series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactDeflected:
      k.flags |= kDeflectedDone;
      d.deflect = channel_label(e.to_channel);
      record(series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactConverted:
      k.flags |= kConvertedDone;
      d.add(kConverted, 1);
      record(series_for(k.queue, k.channel), t, d);
      break;

    case EventType::kContactSentiment:
      k.flags |= kSentimentDone;
      d.add(kSentimentScored, 1);
      if (e.score && *e.score <= config.negative_sentiment_threshold) d.add(kSentimentNegative, 1);
      record(series_for(k.queue, k.channel), t, d);
      break;

    default:
      break;
  }
  return ApplyResult::kApplied;
}

ApplyResult Engine::State::on_message(const Event& e) {
  const Timestamp t = e.time;
  const std::uint32_t c = contact_slot(e.contact, true);
  Contact& k = contacts[c];
  k.last_event = std::max(k.last_event, t);
  if (!e.queue.empty()) k.queue = queue_label(e.queue);
  if (!e.channel.empty()) k.channel = channel_label(e.channel);

  if (e.type == EventType::kMessageReceived) {
    if (k.pending_since == kNever || t < k.pending_since) k.pending_since = t;
    return ApplyResult::kApplied;
  }
  if (e.automated) return ApplyResult::kApplied;  // never a response
  Delta d;
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
  if (d.size > 0) record(series_for(k.queue, k.channel), t, d);
  return ApplyResult::kApplied;
}

ApplyResult Engine::State::on_case(const Event& e) {
  const Timestamp t = e.time;
  std::uint32_t k = cases.find(e.case_id);
  Delta d;
  if (e.type == EventType::kCaseOpened) {
    if (k != kNil) {
      cases.touch(k);
      return ApplyResult::kOutOfSequence;  // opened twice
    }
    if (cases.size() >= config.max_tracked_cases && cases.oldest() != kNil) {
      evict_case(cases.oldest());
    }
    k = cases.insert(e.case_id);
    Case& cs = cases[k];
    cs.opened_at = cs.last_event = t;
    cs.open = true;
    cs.series = series_for(e.queue.empty() ? kNoLabel : queue_label(e.queue),
                           e.channel.empty() ? kNoLabel : channel_label(e.channel));
    ++series[cs.series]->cases_active;
    d.add(kCasesOpened, 1);
    record(cs.series, t, d);
    return ApplyResult::kApplied;
  }
  if (e.type == EventType::kCaseEscalated) {
    if (k == kNil) return ApplyResult::kOutOfSequence;
    cases.touch(k);
    Case& cs = cases[k];
    if (!cs.open || cs.escalated) return ApplyResult::kOutOfSequence;
    cs.escalated = true;
    cs.last_event = std::max(cs.last_event, t);
    d.add(kCasesEscalated, 1);
    record(cs.series, t, d);
    return ApplyResult::kApplied;
  }
  // case.resolved
  const bool one = e.contacts && *e.contacts == 1;
  d.add(kCasesResolved, 1);
  if (one) d.add(kResolvedInOne, 1);
  if (k == kNil) {
    // Resolved without a known opening (opened before start, or evicted):
    // the resolution itself is real, so it counts (resolved, FCR) but has no
    // resolution time; a record remembers it so a repeat is not counted.
    if (cases.size() >= config.max_tracked_cases && cases.oldest() != kNil) {
      evict_case(cases.oldest());
    }
    k = cases.insert(e.case_id);
    Case& cs = cases[k];
    cs.last_event = t;
    cs.resolved = true;
    cs.series = series_for(e.queue.empty() ? kNoLabel : queue_label(e.queue),
                           e.channel.empty() ? kNoLabel : channel_label(e.channel));
    record(cs.series, t, d);
    return ApplyResult::kOutOfSequence;
  }
  cases.touch(k);
  Case& cs = cases[k];
  if (cs.resolved || t < cs.opened_at) return ApplyResult::kOutOfSequence;
  cs.resolved = true;
  cs.open = false;
  cs.last_event = std::max(cs.last_event, t);
  --series[cs.series]->cases_active;
  d.add(kResolutionTimed, 1);
  d.add(kResolutionSum, t - cs.opened_at);
  record(cs.series, t, d);
  return ApplyResult::kApplied;
}

ApplyResult Engine::State::on_survey(const Event& e) {
  LabelId q = e.queue.empty() ? kNoLabel : queue_label(e.queue);
  LabelId ch = e.channel.empty() ? kNoLabel : channel_label(e.channel);
  if (!e.contact.empty() && (q == kNoLabel || ch == kNoLabel)) {
    if (const std::uint32_t c = contacts.find(e.contact); c != kNil) {
      if (q == kNoLabel) q = contacts[c].queue;
      if (ch == kNoLabel) ch = contacts[c].channel;
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
  record(series_for(q, ch), e.time, d);
  return ApplyResult::kApplied;
}

ApplyResult Engine::State::on_churn(const Event& e) {
  Delta d;
  d.add(kChurned, 1);
  record(series_for(e.queue.empty() ? kNoLabel : queue_label(e.queue),
                    e.channel.empty() ? kNoLabel : channel_label(e.channel)),
         e.time, d);
  return ApplyResult::kApplied;
}

// A state change older than the agent's current state: if it falls after a
// remembered change, the interval it splits is re-accrued (taken back from
// the state it was credited to, given to the late state). Older ones are out
// of sequence.
ApplyResult Engine::State::late_agent_state(std::uint32_t a, const Event& e) {
  const Timestamp t = e.time;
  auto& h = agents[a].history;
  auto next = std::upper_bound(h.begin(), h.end(), t,
                               [](Timestamp x, const AgentTransition& tr) { return x < tr.at; });
  if (next == h.begin() || next == h.end()) return ApplyResult::kOutOfSequence;
  const AgentTransition prev = *(next - 1);
  LabelId team = prev.team;
  if (!e.team.empty()) {
    bool folded = false;
    team = teams.resolve(e.team, folded);
    event_folded |= folded;
  }
  const AgentState state = e.state.value_or(AgentState::kOffline);
  const Timestamp end = next->at;
  if (const std::uint8_t f = time_field(prev.state); f != kTeamFieldCount)
    record_team_span(team_for(prev.team), t, end, f, -1);
  if (const std::uint8_t f = time_field(state); f != kTeamFieldCount)
    record_team_span(team_for(team), t, end, f, +1);
  h.insert(next, {t, state, team});
  if (h.size() > kAgentHistory) h.erase(h.begin());
  return ApplyResult::kApplied;
}

ApplyResult Engine::State::on_agent(const Event& e) {
  const Timestamp t = e.time;
  const std::uint32_t a = agent_slot(e.agent);
  Agent& ag = agents[a];
  if (ag.has_state && t < ag.since) return late_agent_state(a, e);
  if (ag.has_state) {
    // The interval belongs to the team the agent was in during it.
    const std::uint8_t field = time_field(ag.state);
    if (field != kTeamFieldCount) record_team_span(team_for(ag.team), ag.since, t, field);
  }
  if (!e.team.empty()) {
    bool folded = false;
    ag.team = teams.resolve(e.team, folded);
    event_folded |= folded;
  }
  team_for(ag.team);  // the team shows in snapshots from now on
  ag.has_state = true;
  ag.state = e.state.value_or(AgentState::kOffline);
  ag.since = t;
  ag.history.push_back({t, ag.state, ag.team});
  if (ag.history.size() > kAgentHistory) ag.history.erase(ag.history.begin());

  // Entering wrap-up starts ACW; any other state ends the agent's pending ACW.
  if (ag.state != AgentState::kWrapUp) {
    auto& pending = agents[a].acw;
    std::erase_if(pending, [&](const Handle& h) {
      if (!contacts.valid(h)) return true;
      const Contact& k = contacts[h.slot];
      if (k.phase != Phase::kAcw) return true;
      if (k.ended_at > t) return false;  // ended after this state change
      close_acw(h.slot, std::min(t, k.ended_at + config.acw_timeout));
      return true;
    });
  }
  return ApplyResult::kApplied;
}

}  // namespace ccmon::core
