// The model behind ccmon-sim (docs/simulator.md). One priority queue of timed
// actions; each action emits the events of one moment of a contact's or an
// agent's life and schedules what follows. Timers that may be overtaken (a
// caller's patience, a queue's maximum wait) carry a token and are ignored
// once the contact has moved on, so nothing has to be removed from the heap.
#include "tools/sim/simulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>
#include <vector>

#include "tools/sim/rng.hpp"

namespace ccmon::sim {

using core::AgentState;
using core::Duration;
using core::EventType;
using core::Timestamp;

namespace {

constexpr std::uint32_t kNone = 0xffffffffU;

// Per-channel behaviour. Times in seconds.
struct ChannelProfile {
  bool created;           // passes an IVR / bot first: contact.created
  double self_service_p;  // of created contacts, finished by the IVR / bot
  double front_median;    // time in the IVR / bot
  double patience_mean;   // exponential; 0: never abandons
  double short_abandon_p;
  double max_wait;  // 0: never overflows
  double answer_lo, answer_hi;
  double work_median, work_sigma;  // voice talk, email writing
  double acw_median;
  double sentiment_p;
  double customer_delay, agent_delay;  // chat / messaging turn medians
  int priority;                        // routing: higher is served first
  double mean_handle;                  // rough, for the base arrival rate
};

constexpr std::array<ChannelProfile, kChannelCount> kChannels = {{
    // voice
    {true, 0.10, 25, 150, 0.04, 300, 2, 6, 200, 0.6, 35, 0.7, 0, 0, 4, 290},
    // chat
    {true, 0.15, 20, 240, 0.03, 420, 1, 3, 0, 0, 20, 0.6, 30, 20, 3, 250},
    // messaging: asynchronous, customers rarely give up
    {true, 0.12, 30, 3600, 0.0, 0, 1, 3, 0, 0, 20, 0.5, 120, 40, 2, 660},
    // email: never abandoned, answered when nothing more urgent waits
    {false, 0.0, 0, 0, 0.0, 0, 0, 2, 300, 0.5, 60, 0.3, 0, 0, 1, 400},
}};

// Per-queue behaviour, cycling for queues past the fourth.
struct QueueProfile {
  double weight;
  std::array<double, kChannelCount> mix;
  double conversion_p;
  double case_p;
  int priority;  // emitted on contact.queued when > 0
};

constexpr std::array<QueueProfile, 4> kQueues = {{
    {0.30, {0.55, 0.20, 0.15, 0.10}, 0.15, 0.05, 0},  // sales
    {0.35, {0.45, 0.25, 0.15, 0.15}, 0.02, 0.35, 0},  // support
    {0.20, {0.50, 0.10, 0.15, 0.25}, 0.01, 0.30, 0},  // billing
    {0.15, {0.70, 0.20, 0.10, 0.00}, 0.08, 0.20, 5},  // vip
}};

const QueueProfile& queue_profile(std::size_t q) {
  return kQueues[q % kQueues.size()];
}

// Relative arrival rate over the UTC time of day (1 at the morning peak).
constexpr std::array<std::pair<double, double>, 10> kCurve = {{{0, 0.08},
                                                               {6, 0.10},
                                                               {8, 0.55},
                                                               {10, 1.00},
                                                               {12, 0.75},
                                                               {14, 0.95},
                                                               {17, 0.60},
                                                               {20, 0.30},
                                                               {23, 0.12},
                                                               {24, 0.08}}};

double day_curve(Timestamp t) {
  constexpr std::int64_t kDay = 86'400LL * core::kMicrosPerSecond;
  const double hour = static_cast<double>(((t % kDay) + kDay) % kDay) / 3.6e9;
  for (std::size_t i = 1; i < kCurve.size(); ++i) {
    if (hour <= kCurve[i].first) {
      const auto [h0, v0] = kCurve[i - 1];
      const auto [h1, v1] = kCurve[i];
      return v0 + (v1 - v0) * (hour - h0) / (h1 - h0);
    }
  }
  return kCurve.back().second;
}

enum class Phase : std::uint8_t { kFront, kWaiting, kRinging, kActive, kAcw, kCallbackDue, kFree };

enum class Kind : std::uint8_t {
  kArrival,
  kEnterQueue,
  kSelfServe,
  kDeflect,
  kAbandon,
  kOverflow,
  kCallback,
  kAnswer,
  kHoldStart,
  kHoldEnd,
  kTurn,
  kTransfer,
  kEnd,
  kWrap,
  kSurvey,
  kChurn,
  kReturn,
  kStaffing,
  kLogin,
  kBreakDue,
  kBreakEnd,
};

struct Action {
  Timestamp time;
  std::uint64_t seq;     // insertion order: ties resolve deterministically
  std::uint64_t number;  // kSurvey: contact number; kChurn: customer number
  std::uint32_t a;       // contact / agent / case index
  std::uint32_t b;       // token, or packed data
  Kind kind;
  std::uint8_t x;   // kSurvey: channel; kChurn: channel
  std::uint16_t y;  // kSurvey / kChurn: queue
};

struct Later {
  bool operator()(const Action& l, const Action& r) const {
    return l.time != r.time ? l.time > r.time : l.seq > r.seq;
  }
};

struct Contact {
  std::uint64_t number = 0;
  std::uint64_t customer = 0;
  std::uint32_t token = 0;  // bumped whenever pending timers become stale
  std::uint32_t case_idx = kNone;
  std::int32_t agent = -1;
  std::uint16_t queue = 0;
  Channel channel = Channel::kVoice;
  Phase phase = Phase::kFree;
  bool transferred = false;
  bool transfer_planned = false;
  bool callback = false;  // re-queued by a callback: waits without patience
  bool agent_turn = false;
  std::uint8_t turns_left = 0;
  float mood = 0;  // 0 unhappy .. 1 delighted; drives sentiment and surveys
  Timestamp queued_at = 0;
  Duration talk_left = 0;
};

struct Case {
  std::uint64_t number = 0;
  std::uint64_t customer = 0;
  std::uint16_t queue = 0;
  Channel channel = Channel::kVoice;
  std::uint8_t needed = 1;
  std::uint8_t done = 0;
  bool escalated = false;
};

struct Agent {
  std::string id;
  std::uint16_t team = 0;
  std::vector<std::uint16_t> skills;
  AgentState state = AgentState::kOffline;
  std::uint32_t avail_token = 0;
  std::uint32_t shift_token = 0;
  bool on_shift = false;
  bool login_pending = false;
  bool shift_over = false;
  bool break_due = false;
};

struct Ticket {
  std::uint32_t index;
  std::uint32_t token;
};

Duration secs(double s) {
  // Whole milliseconds: the wire format carries ms, and waits computed from
  // the text must equal the ones the simulator counted.
  return static_cast<Duration>(std::llround(s * 1000.0)) * 1000;
}

}  // namespace

struct Simulator::Impl {
  explicit Impl(SimConfig c)
      : config(std::move(c)),
        rng(config.seed),
        writer(sim::id_prefix(config.seed)),
        counts(config.queues.size()),
        start(config.start / 1000 * 1000),
        end(start + config.duration),
        avail(config.queues.size()),
        waiting(config.queues.size() * kChannelCount) {
    setup_arrivals();
    setup_agents();
    schedule(start, Kind::kStaffing, 0, 0);
    schedule(start + secs(rng.exponential(1.0 / peak_rate)), Kind::kArrival, 0, 0);
  }

  // --- configuration -------------------------------------------------------
  void setup_arrivals() {
    double total = 0;
    double handle = 0;
    for (std::size_t q = 0; q < config.queues.size(); ++q) {
      const QueueProfile& p = queue_profile(q);
      for (int ch = 0; ch < kChannelCount; ++ch) {
        const double w = p.weight * p.mix[ch];
        total += w;
        handle += w * kChannels[ch].mean_handle;
        cumulative.push_back(total);
      }
    }
    for (double& w : cumulative) w /= total;
    // About 80 % of the full staff's capacity at the peak of the day.
    peak_rate = config.rate * 0.8 * config.agents / (handle / total);
  }

  void setup_agents() {
    const std::size_t nq = config.queues.size();
    agents.resize(static_cast<std::size_t>(config.agents));
    for (std::size_t i = 0; i < agents.size(); ++i) {
      Agent& a = agents[i];
      char id[32];
      std::snprintf(id, sizeof id, "agent-%04zu", i + 1);
      a.id = id;
      const auto primary = static_cast<std::uint16_t>(i % nq);
      a.team = primary;
      a.skills.push_back(primary);
      if (nq > 1 && rng.chance(0.4)) {
        const auto other = static_cast<std::uint16_t>(
            (primary + 1 + rng.below(static_cast<std::uint32_t>(nq - 1))) % nq);
        a.skills.push_back(other);
      }
      teams.push_back("team-" + config.queues[primary]);
    }
    // Who works when: the first `target` agents of a random ranking.
    by_rank.resize(agents.size());
    for (std::size_t i = 0; i < agents.size(); ++i) by_rank[i] = static_cast<std::uint32_t>(i);
    for (std::size_t i = agents.size(); i > 1; --i) {
      std::swap(by_rank[i - 1], by_rank[rng.below(static_cast<std::uint32_t>(i))]);
    }
    rank_of.resize(agents.size());
    for (std::size_t r = 0; r < by_rank.size(); ++r)
      rank_of[by_rank[r]] = static_cast<std::uint32_t>(r);
  }

  // --- scheduling ----------------------------------------------------------
  void schedule(Timestamp t, Kind kind, std::uint32_t a, std::uint32_t b) {
    push(Action{t, 0, 0, a, b, kind, 0, 0});
  }
  void push(Action act) {
    if (act.time > end) return;  // past the horizon: never happens
    act.seq = next_seq++;
    heap.push_back(act);
    std::push_heap(heap.begin(), heap.end(), Later{});
  }
  void after(double s, Kind kind, std::uint32_t a, std::uint32_t b) {
    schedule(now + secs(s), kind, a, b);
  }
  void contact_after(double s, Kind kind, std::uint32_t c) {
    schedule(now + secs(s), kind, c, contacts[c].token);
  }

  void run_until(Timestamp until, Batcher& batcher) {
    out = &batcher;
    const Timestamp limit = std::min(until, end);
    while (!heap.empty() && heap.front().time <= limit) {
      std::pop_heap(heap.begin(), heap.end(), Later{});
      const Action act = heap.back();
      heap.pop_back();
      now = act.time;
      dispatch(act);
    }
    out = nullptr;
  }

  void dispatch(const Action& act) {
    switch (act.kind) {
      case Kind::kArrival:
        return on_arrival();
      case Kind::kStaffing:
        return on_staffing();
      case Kind::kLogin:
        return on_login(act.a);
      case Kind::kBreakDue:
        if (act.b == agents[act.a].shift_token) on_break_due(act.a);
        return;
      case Kind::kBreakEnd:
        return on_break_end(act.a);
      case Kind::kSurvey:
        return on_survey(act);
      case Kind::kChurn:
        return churn(act.number, act.y, static_cast<Channel>(act.x));
      case Kind::kReturn:
        return on_return(act.a);
      default:
        break;
    }
    // Contact actions: ignore the ones overtaken by events.
    if (act.a >= contacts.size() || contacts[act.a].token != act.b) return;
    const std::uint32_t c = act.a;
    switch (act.kind) {
      case Kind::kEnterQueue:
        return enter_queue(c);
      case Kind::kSelfServe:
        return on_self_serve(c);
      case Kind::kDeflect:
        return on_deflect(c);
      case Kind::kAbandon:
        return on_abandon(c);
      case Kind::kOverflow:
        return on_overflow(c);
      case Kind::kCallback:
        contacts[c].callback = true;
        return enter_queue(c);
      case Kind::kAnswer:
        return on_answer(c);
      case Kind::kHoldStart:
        return on_hold_start(c);
      case Kind::kHoldEnd:
        return on_hold_end(c);
      case Kind::kTurn:
        return on_turn(c);
      case Kind::kTransfer:
        return on_transfer(c);
      case Kind::kEnd:
        return on_end(c);
      case Kind::kWrap:
        return on_wrap(c);
      default:
        return;
    }
  }

  // --- event output --------------------------------------------------------
  std::string& begin(EventType t) {
    counts.event(t);
    std::string& b = out->buffer();
    writer.begin(b, t, now);
    return b;
  }
  void finish(std::string& b) {
    EventWriter::end(b);
    out->commit();
  }
  std::string& contact_event(EventType t, std::uint32_t c) {
    std::string& b = begin(t);
    writer.id(b, "contact", 'c', contacts[c].number);
    return b;
  }
  void emit_contact(EventType t, std::uint32_t c) { finish(contact_event(t, c)); }
  void emit_message(EventType t, std::uint32_t c, bool automated) {
    std::string& b = contact_event(t, c);
    if (t == EventType::kMessageSent) {
      if (automated) {
        EventWriter::boolean(b, "automated", true);
      } else {
        EventWriter::text(b, "agent", agents[static_cast<std::size_t>(contacts[c].agent)].id);
      }
    }
    finish(b);
  }
  void emit_agent(std::uint32_t a, AgentState s, const char* reason = nullptr) {
    Agent& ag = agents[a];
    ag.state = s;
    std::string& b = begin(EventType::kAgentState);
    EventWriter::text(b, "agent", ag.id);
    EventWriter::text(b, "state", core::to_string(s));
    EventWriter::text(b, "team", teams[a]);
    if (reason) EventWriter::text(b, "reason", reason);
    finish(b);
  }
  SeriesCounts& series(std::uint32_t c) {
    return counts.at(contacts[c].queue, contacts[c].channel);
  }

  // --- contacts ------------------------------------------------------------
  std::uint32_t new_contact(std::uint16_t q, Channel ch, std::uint64_t customer) {
    std::uint32_t c;
    if (!free_contacts.empty()) {
      c = free_contacts.back();
      free_contacts.pop_back();
    } else {
      c = static_cast<std::uint32_t>(contacts.size());
      contacts.emplace_back();
    }
    Contact& k = contacts[c];
    const std::uint32_t token = k.token + 1;  // stale tickets of a former occupant stay stale
    k = Contact{};
    k.token = token;
    k.number = next_contact++;
    k.customer = customer;
    k.queue = q;
    k.channel = ch;
    k.phase = Phase::kFront;
    return c;
  }

  void free_contact(std::uint32_t c) {
    contacts[c].phase = Phase::kFree;
    ++contacts[c].token;
    free_contacts.push_back(c);
  }

  void on_arrival() {
    // Thinning: candidates come at the peak rate, kept with the day's curve.
    after(rng.exponential(1.0 / peak_rate), Kind::kArrival, 0, 0);
    if (!rng.chance(day_curve(now))) return;
    const double u = rng.uniform();
    const auto pick = static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    const std::size_t slot = std::min(pick, cumulative.size() - 1);
    arrive(static_cast<std::uint16_t>(slot / kChannelCount),
           static_cast<Channel>(slot % kChannelCount), next_customer++, kNone);
  }

  void arrive(std::uint16_t q, Channel ch, std::uint64_t customer, std::uint32_t case_idx) {
    const std::uint32_t c = new_contact(q, ch, customer);
    contacts[c].case_idx = case_idx;
    const ChannelProfile& p = kChannels[static_cast<std::size_t>(ch)];
    if (!p.created) {  // email: straight into the queue
      enter_queue(c);
      return;
    }
    std::string& b = contact_event(EventType::kContactCreated, c);
    EventWriter::text(b, "channel", channel_name(ch));
    EventWriter::text(b, "queue", config.queues[q]);
    finish(b);
    ++series(c).created;
    if (ch != Channel::kVoice) emit_message(EventType::kMessageReceived, c, false);
    const double front = rng.lognormal(p.front_median, 0.5);
    if (case_idx == kNone && rng.chance(p.self_service_p)) {
      contact_after(front, Kind::kSelfServe, c);
    } else if (ch == Channel::kVoice && case_idx == kNone && rng.chance(0.05)) {
      contact_after(front, Kind::kDeflect, c);
    } else {
      contact_after(front, Kind::kEnterQueue, c);
    }
  }

  void on_self_serve(std::uint32_t c) {
    if (contacts[c].channel != Channel::kVoice) emit_message(EventType::kMessageSent, c, true);
    std::string& b = contact_event(EventType::kContactSelfServed, c);
    EventWriter::text(b, "channel", channel_name(contacts[c].channel));
    finish(b);
    ++series(c).self_served;
    free_contact(c);
  }

  // Voice -> messaging: the caller is sent a link and continues by message
  // as a new conversation of the same customer.
  void on_deflect(std::uint32_t c) {
    std::string& b = contact_event(EventType::kContactDeflected, c);
    EventWriter::text(b, "to_channel", "messaging");
    finish(b);
    ++series(c).deflected;
    const Contact k = contacts[c];
    free_contact(c);
    const std::uint32_t m = new_contact(k.queue, Channel::kMessaging, k.customer);
    contacts[m].phase = Phase::kFront;
    contact_after(rng.uniform(20, 90), Kind::kEnterQueue, m);
  }

  void enter_queue(std::uint32_t c) {
    Contact& k = contacts[c];
    const ChannelProfile& p = kChannels[static_cast<std::size_t>(k.channel)];
    std::string& b = contact_event(EventType::kContactQueued, c);
    EventWriter::text(b, "channel", channel_name(k.channel));
    EventWriter::text(b, "queue", config.queues[k.queue]);
    if (const int prio = queue_profile(k.queue).priority; prio > 0) {
      EventWriter::integer(b, "priority", prio);
    }
    finish(b);
    ++series(c).offered;
    if (k.channel == Channel::kEmail) {
      emit_message(EventType::kMessageReceived, c, false);
      if (rng.chance(0.8)) emit_message(EventType::kMessageSent, c, true);  // auto-acknowledge
    } else if (k.channel != Channel::kVoice && !k.transferred && rng.chance(0.7)) {
      emit_message(EventType::kMessageSent, c, true);  // "an agent will be with you"
    }
    k.phase = Phase::kWaiting;
    k.queued_at = now;
    ++k.token;
    if (!k.callback) {
      if (p.patience_mean > 0) {
        const double patience = rng.chance(p.short_abandon_p) ? rng.uniform(0.5, 4.5)
                                                              : rng.exponential(p.patience_mean);
        contact_after(patience, Kind::kAbandon, c);
      }
      if (p.max_wait > 0) contact_after(p.max_wait, Kind::kOverflow, c);
    }
    route_contact(c);
  }

  void leave_queue(std::uint32_t c) { ++contacts[c].token; }

  void on_abandon(std::uint32_t c) {
    Contact& k = contacts[c];
    emit_contact(EventType::kContactAbandoned, c);
    SeriesCounts& s = series(c);
    ++s.abandoned;
    if (now - k.queued_at < config.short_abandon) ++s.short_abandoned;
    leave_queue(c);
    if (rng.chance(0.05)) schedule_churn(k.customer, k.queue, k.channel);
    retry_case(k.case_idx);
    free_contact(c);
  }

  void on_overflow(std::uint32_t c) {
    Contact& k = contacts[c];
    const bool callback = k.channel == Channel::kVoice && rng.chance(0.6);
    const char* reason = k.channel != Channel::kVoice ? "timeout"
                         : callback                   ? "callback"
                                                      : "voicemail";
    std::string& b = contact_event(EventType::kContactOverflowed, c);
    EventWriter::text(b, "reason", reason);
    finish(b);
    ++series(c).overflowed;
    leave_queue(c);
    if (callback) {
      k.phase = Phase::kCallbackDue;
      contact_after(rng.uniform(300, 900), Kind::kCallback, c);
    } else {
      retry_case(k.case_idx);
      free_contact(c);
    }
  }

  // --- routing -------------------------------------------------------------
  std::deque<Ticket>& waiting_list(std::uint16_t q, Channel ch) {
    return waiting[q * kChannelCount + static_cast<std::size_t>(ch)];
  }

  void route_contact(std::uint32_t c) {
    Contact& k = contacts[c];
    auto& free_agents = avail[k.queue];
    while (!free_agents.empty()) {
      const Ticket t = free_agents.front();
      free_agents.pop_front();
      if (agents[t.index].avail_token == t.token &&
          agents[t.index].state == AgentState::kAvailable) {
        assign(t.index, c);
        return;
      }
    }
    waiting_list(k.queue, k.channel).push_back({c, k.token});
  }

  // An agent became available: the most urgent channel first, then the
  // longest waiting contact among the agent's queues.
  void make_available(std::uint32_t a) {
    Agent& ag = agents[a];
    emit_agent(a, AgentState::kAvailable);
    ++ag.avail_token;
    std::uint32_t best = kNone;
    int best_prio = -1;
    Timestamp best_since = 0;
    for (std::uint16_t q : ag.skills) {
      for (int ch = 0; ch < kChannelCount; ++ch) {
        auto& list = waiting_list(q, static_cast<Channel>(ch));
        while (!list.empty() && contacts[list.front().index].token != list.front().token) {
          list.pop_front();
        }
        if (list.empty()) continue;
        const std::uint32_t c = list.front().index;
        const int prio = kChannels[ch].priority * 2 + (queue_profile(q).priority > 0 ? 1 : 0);
        if (prio > best_prio || (prio == best_prio && contacts[c].queued_at < best_since)) {
          best = c;
          best_prio = prio;
          best_since = contacts[c].queued_at;
        }
      }
    }
    if (best != kNone) {
      Contact& k = contacts[best];
      waiting_list(k.queue, k.channel).pop_front();
      assign(a, best);
      return;
    }
    for (std::uint16_t q : ag.skills) avail[q].push_back({a, ag.avail_token});
  }

  // The contact rings at the agent (reserved from now on); answered shortly.
  void assign(std::uint32_t a, std::uint32_t c) {
    Agent& ag = agents[a];
    ++ag.avail_token;
    ag.state = AgentState::kBusy;  // announced with contact.answered
    Contact& k = contacts[c];
    leave_queue(c);
    k.phase = Phase::kRinging;
    k.agent = static_cast<std::int32_t>(a);
    const ChannelProfile& p = kChannels[static_cast<std::size_t>(k.channel)];
    contact_after(rng.uniform(p.answer_lo, p.answer_hi), Kind::kAnswer, c);
  }

  // --- handling ------------------------------------------------------------
  void on_answer(std::uint32_t c) {
    Contact& k = contacts[c];
    const auto a = static_cast<std::uint32_t>(k.agent);
    std::string& b = contact_event(EventType::kContactAnswered, c);
    EventWriter::text(b, "agent", agents[a].id);
    finish(b);
    ++series(c).answered;
    emit_agent(a, AgentState::kBusy);
    k.phase = Phase::kActive;
    const double waited = core::to_seconds(now - k.queued_at);
    k.mood = static_cast<float>(std::clamp(rng.uniform(0.35, 1.0) - waited / 900.0, 0.0, 1.0));
    const QueueProfile& qp = queue_profile(k.queue);
    if (k.case_idx == kNone && !k.transferred && rng.chance(qp.case_p)) open_case(c);
    k.transfer_planned = !k.transferred && config.queues.size() > 1 &&
                         rng.chance(k.channel == Channel::kVoice  ? 0.07
                                    : k.channel == Channel::kChat ? 0.04
                                                                  : 0.0);
    const ChannelProfile& p = kChannels[static_cast<std::size_t>(k.channel)];
    switch (k.channel) {
      case Channel::kVoice: {
        double talk = std::clamp(rng.lognormal(p.work_median, p.work_sigma), 20.0, 2400.0);
        if (k.transfer_planned) talk *= rng.uniform(0.2, 0.5);
        if (rng.chance(0.2)) {
          const double before = talk * rng.uniform(0.3, 0.7);
          k.talk_left = secs(talk - before);
          contact_after(before, Kind::kHoldStart, c);
        } else {
          contact_after(talk, k.transfer_planned ? Kind::kTransfer : Kind::kEnd, c);
        }
        break;
      }
      case Channel::kChat:
      case Channel::kMessaging:
        k.turns_left = static_cast<std::uint8_t>(1 + std::min(12.0, rng.exponential(2.5)));
        k.agent_turn = true;
        contact_after(rng.uniform(3, 12), Kind::kTurn, c);
        break;
      case Channel::kEmail:
        contact_after(std::clamp(rng.lognormal(p.work_median, p.work_sigma), 30.0, 3600.0),
                      Kind::kEnd, c);
        break;
    }
  }

  void on_hold_start(std::uint32_t c) {
    emit_contact(EventType::kContactHeld, c);
    contact_after(std::clamp(rng.lognormal(40, 0.6), 5.0, 600.0), Kind::kHoldEnd, c);
  }

  void on_hold_end(std::uint32_t c) {
    emit_contact(EventType::kContactResumed, c);
    Contact& k = contacts[c];
    schedule(now + k.talk_left, k.transfer_planned ? Kind::kTransfer : Kind::kEnd, c, k.token);
  }

  // Chat / messaging: the agent and the customer take turns.
  void on_turn(std::uint32_t c) {
    Contact& k = contacts[c];
    const ChannelProfile& p = kChannels[static_cast<std::size_t>(k.channel)];
    if (k.agent_turn) {
      emit_message(EventType::kMessageSent, c, false);
      if (k.turns_left == 0) {
        contact_after(rng.uniform(5, 30), k.transfer_planned ? Kind::kTransfer : Kind::kEnd, c);
        return;
      }
      k.agent_turn = false;
      contact_after(rng.lognormal(p.customer_delay, 0.6), Kind::kTurn, c);
    } else {
      emit_message(EventType::kMessageReceived, c, false);
      --k.turns_left;
      k.agent_turn = true;
      contact_after(rng.lognormal(p.agent_delay, 0.5), Kind::kTurn, c);
    }
  }

  void on_transfer(std::uint32_t c) {
    Contact& k = contacts[c];
    const auto nq = static_cast<std::uint32_t>(config.queues.size());
    const auto to = static_cast<std::uint16_t>((k.queue + 1 + rng.below(nq - 1)) % nq);
    std::string& b = contact_event(EventType::kContactTransferred, c);
    EventWriter::text(b, "to_queue", config.queues[to]);
    finish(b);
    ++series(c).handled;  // the segment ends here, in the queue it was handled in
    const auto a = static_cast<std::uint32_t>(k.agent);
    k.transferred = true;
    k.transfer_planned = false;
    k.queue = to;
    k.agent = -1;
    enter_queue(c);
    release_agent(a);
  }

  void on_end(std::uint32_t c) {
    Contact& k = contacts[c];
    if (k.channel == Channel::kEmail) emit_message(EventType::kMessageSent, c, false);
    emit_contact(EventType::kContactEnded, c);
    emit_agent(static_cast<std::uint32_t>(k.agent), AgentState::kWrapUp);
    k.phase = Phase::kAcw;
    if (rng.chance(kChannels[static_cast<std::size_t>(k.channel)].sentiment_p)) {
      const double score = std::clamp(2.0 * k.mood - 1.0 + 0.25 * rng.normal(), -1.0, 1.0);
      std::string& b = contact_event(EventType::kContactSentiment, c);
      EventWriter::hundredths(b, "score", std::lround(score * 100));
      finish(b);
    }
    // Below the daemon's default 10-minute ACW timeout, so wrap events count.
    const double acw = std::clamp(
        rng.lognormal(kChannels[static_cast<std::size_t>(k.channel)].acw_median, 0.5), 3.0, 540.0);
    contact_after(acw, Kind::kWrap, c);
  }

  void on_wrap(std::uint32_t c) {
    Contact& k = contacts[c];
    emit_contact(EventType::kContactWrapped, c);
    ++series(c).handled;
    if (rng.chance(queue_profile(k.queue).conversion_p)) {
      std::string& b = contact_event(EventType::kContactConverted, c);
      const double value = std::max(1.0, rng.lognormal(60, 0.8));
      EventWriter::hundredths(b, "value", std::llround(value * 100));
      finish(b);
    }
    if (rng.chance(0.3)) schedule_survey(c);
    if (rng.chance(k.mood < 0.3 ? 0.04 : 0.01)) schedule_churn(k.customer, k.queue, k.channel);
    if (k.case_idx != kNone) progress_case(c);
    const auto a = static_cast<std::uint32_t>(k.agent);
    free_contact(c);
    release_agent(a);
  }

  // --- after the contact ---------------------------------------------------
  void schedule_survey(std::uint32_t c) {
    const Contact& k = contacts[c];
    const double m = k.mood;
    auto score = [&](double lo, double hi, double v) {
      return static_cast<std::uint32_t>(std::clamp(std::lround(v + 0.8 * rng.normal()),
                                                   static_cast<long>(lo), static_cast<long>(hi)));
    };
    // Packed: csat (3 bits), nps + 1 (4 bits, 0 = none), ces (3 bits, 0 = none).
    const std::uint32_t csat = score(1, 5, 1 + 4 * m);
    const std::uint32_t nps = rng.chance(0.6) ? score(0, 10, 10 * m) + 1 : 0;
    const std::uint32_t ces = rng.chance(0.4) ? score(1, 7, 7 - 6 * m) : 0;
    Action act{now + secs(std::clamp(rng.lognormal(1800, 1.0), 60.0, 3 * 86400.0)),
               0,
               k.number,
               static_cast<std::uint32_t>(k.agent),
               csat | nps << 3 | ces << 7,
               Kind::kSurvey,
               static_cast<std::uint8_t>(k.channel),
               k.queue};
    push(act);
  }

  void on_survey(const Action& act) {
    std::string& b = begin(EventType::kSurveyAnswered);
    writer.id(b, "contact", 'c', act.number);
    EventWriter::text(b, "queue", config.queues[act.y]);
    EventWriter::text(b, "channel", channel_name(static_cast<Channel>(act.x)));
    EventWriter::text(b, "agent", agents[act.a].id);
    EventWriter::integer(b, "csat", act.b & 7);
    if (const std::uint32_t nps = act.b >> 3 & 15; nps != 0)
      EventWriter::integer(b, "nps", nps - 1);
    if (const std::uint32_t ces = act.b >> 7 & 7; ces != 0) EventWriter::integer(b, "ces", ces);
    finish(b);
  }

  void schedule_churn(std::uint64_t customer, std::uint16_t q, Channel ch) {
    push(Action{now + secs(rng.uniform(300, 2 * 3600)), 0, customer, 0, 0, Kind::kChurn,
                static_cast<std::uint8_t>(ch), q});
  }

  void churn(std::uint64_t customer, std::uint16_t q, Channel ch) {
    std::string& b = begin(EventType::kCustomerChurned);
    writer.id(b, "customer", 'u', customer);
    EventWriter::text(b, "queue", config.queues[q]);
    EventWriter::text(b, "channel", channel_name(ch));
    finish(b);
  }

  // --- cases ---------------------------------------------------------------
  void open_case(std::uint32_t c) {
    Contact& k = contacts[c];
    std::uint32_t i;
    if (!free_cases.empty()) {
      i = free_cases.back();
      free_cases.pop_back();
    } else {
      i = static_cast<std::uint32_t>(cases.size());
      cases.emplace_back();
    }
    Case& cs = cases[i];
    cs = Case{};
    cs.number = next_case++;
    cs.customer = k.customer;
    cs.queue = k.queue;
    cs.channel = k.channel;
    const double u = rng.uniform();
    cs.needed = u < 0.6 ? 1 : u < 0.85 ? 2 : 3;
    k.case_idx = i;
    std::string& b = begin(EventType::kCaseOpened);
    writer.id(b, "case", 'k', cs.number);
    EventWriter::text(b, "queue", config.queues[cs.queue]);
    EventWriter::text(b, "channel", channel_name(cs.channel));
    finish(b);
  }

  void progress_case(std::uint32_t c) {
    const std::uint32_t i = contacts[c].case_idx;
    Case& cs = cases[i];
    ++cs.done;
    if (cs.done >= cs.needed) {
      std::string& b = begin(EventType::kCaseResolved);
      writer.id(b, "case", 'k', cs.number);
      EventWriter::integer(b, "contacts", cs.done);
      finish(b);
      free_cases.push_back(i);
      return;
    }
    if (!cs.escalated && rng.chance(0.3)) {
      cs.escalated = true;
      std::string& b = begin(EventType::kCaseEscalated);
      writer.id(b, "case", 'k', cs.number);
      finish(b);
    }
    schedule(now + secs(std::clamp(rng.lognormal(2400, 0.7), 300.0, 6 * 3600.0)), Kind::kReturn, i,
             0);
  }

  // A contact of an open case ended without an agent: the customer tries again
  // (or gives up, and the case stays open).
  void retry_case(std::uint32_t i) {
    if (i == kNone) return;
    if (rng.chance(0.7)) {
      schedule(now + secs(rng.uniform(600, 3600)), Kind::kReturn, i, 0);
    } else {
      free_cases.push_back(i);
    }
  }

  void on_return(std::uint32_t i) {
    const Case& cs = cases[i];
    arrive(cs.queue, rng.chance(0.7) ? cs.channel : Channel::kVoice, cs.customer, i);
  }

  // --- agents --------------------------------------------------------------
  void on_staffing() {
    const double fraction = std::min(1.0, 0.15 + day_curve(now));
    target = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::lround(fraction * static_cast<double>(agents.size()))));
    for (std::size_t r = 0; r < agents.size(); ++r) {
      const std::uint32_t a = by_rank[r];
      Agent& ag = agents[a];
      if (r < target) {
        ag.shift_over = false;
        if (!ag.on_shift && !ag.login_pending) {
          ag.login_pending = true;
          // The first logins of a run spread over two minutes, later ones too.
          after(rng.uniform(0, 120), Kind::kLogin, a, 0);
        }
      } else if (ag.on_shift && !ag.shift_over) {
        ag.shift_over = true;
        if (ag.state == AgentState::kAvailable) go_offline(a);
      }
    }
    after(900, Kind::kStaffing, 0, 0);
  }

  void on_login(std::uint32_t a) {
    Agent& ag = agents[a];
    ag.login_pending = false;
    if (ag.on_shift || rank_of[a] >= target) return;
    ag.on_shift = true;
    ag.shift_over = false;
    ag.break_due = false;
    ++ag.shift_token;
    after(rng.exponential(6600), Kind::kBreakDue, a, ag.shift_token);
    make_available(a);
  }

  void go_offline(std::uint32_t a) {
    Agent& ag = agents[a];
    ++ag.avail_token;
    ++ag.shift_token;
    ag.on_shift = false;
    ag.shift_over = false;
    ag.break_due = false;
    emit_agent(a, AgentState::kOffline, "shift_end");
  }

  void on_break_due(std::uint32_t a) {
    Agent& ag = agents[a];
    if (!ag.on_shift || ag.shift_over) return;
    if (ag.state == AgentState::kAvailable) {
      start_break(a);
    } else {
      ag.break_due = true;  // taken when the current contact is done
    }
  }

  void start_break(std::uint32_t a) {
    Agent& ag = agents[a];
    ++ag.avail_token;
    ag.break_due = false;
    const bool lunch = rng.chance(0.3);
    emit_agent(a, AgentState::kAway, lunch ? "lunch" : "break");
    after(lunch ? rng.uniform(1500, 2700) : rng.lognormal(600, 0.4), Kind::kBreakEnd, a, 0);
  }

  void on_break_end(std::uint32_t a) {
    Agent& ag = agents[a];
    if (ag.state != AgentState::kAway) return;
    if (ag.shift_over || rank_of[a] >= target) {
      go_offline(a);
      return;
    }
    after(rng.exponential(6600), Kind::kBreakDue, a, ag.shift_token);
    make_available(a);
  }

  // The agent's contact is done (wrapped or transferred away).
  void release_agent(std::uint32_t a) {
    Agent& ag = agents[a];
    if (ag.shift_over) {
      go_offline(a);
    } else if (ag.break_due) {
      start_break(a);
    } else {
      make_available(a);
    }
  }

  SimConfig config;
  Rng rng;
  EventWriter writer;
  SimCounts counts;
  Timestamp start;
  Timestamp end;
  Timestamp now = 0;
  Batcher* out = nullptr;

  std::vector<Action> heap;
  std::uint64_t next_seq = 0;
  std::vector<double> cumulative;  // over queue x channel
  double peak_rate = 1;            // candidate arrivals per second

  std::vector<Contact> contacts;
  std::vector<std::uint32_t> free_contacts;
  std::vector<Case> cases;
  std::vector<std::uint32_t> free_cases;
  std::uint64_t next_contact = 1;
  std::uint64_t next_customer = 1;
  std::uint64_t next_case = 1;

  std::vector<Agent> agents;
  std::vector<std::string> teams;  // per agent
  std::vector<std::uint32_t> by_rank;
  std::vector<std::uint32_t> rank_of;
  std::size_t target = 0;                   // agents that should be on shift now
  std::vector<std::deque<Ticket>> avail;    // per queue, longest idle first
  std::vector<std::deque<Ticket>> waiting;  // per queue x channel, oldest first
};

Simulator::Simulator(SimConfig config) : impl_(std::make_unique<Impl>(config)) {
  if (config.steady) steady_ = std::make_unique<SteadyCenter>(config);
}
Simulator::~Simulator() = default;

void Simulator::run_until(core::Timestamp until, Batcher& out) {
  if (steady_) return steady_->run_until(until, out);
  impl_->run_until(until, out);
}
bool Simulator::finished() const {
  if (steady_) return steady_->finished();
  return impl_->heap.empty();
}
core::Timestamp Simulator::next_time() const {
  if (steady_) return steady_->next_time();
  return impl_->heap.empty() ? impl_->end + 1 : impl_->heap.front().time;
}
core::Timestamp Simulator::start() const {
  return impl_->start;
}
core::Timestamp Simulator::end() const {
  return impl_->end;
}
const SimCounts& Simulator::counts() const {
  return steady_ ? steady_->counts() : impl_->counts;
}
const SimConfig& Simulator::config() const {
  return impl_->config;
}
const std::string& Simulator::id_prefix() const {
  return impl_->writer.prefix();
}

}  // namespace ccmon::sim
