// See steady_center.hpp.
#include "tools/sim/steady_center.hpp"

#include <algorithm>
#include <cstdio>

namespace ccmon::sim {

using core::EventType;

SteadyCenter::SteadyCenter(const SimConfig& config)
    : config_(config),
      rng_(splitmix64(config.seed) ^ 0x5354454144594d4dULL),  // "STEADYMM": its own stream
      writer_(sim::id_prefix(config.seed)),
      counts_(config.queues.size()),
      now_(config.start),
      end_(config.start + config.duration) {
  for (int a = 0; a < config.agents; ++a) {
    char id[32];
    std::snprintf(id, sizeof id, "agent-%04d", a + 1);
    agent_ids_.emplace_back(id);
    schedule(config.start, Kind::kLogin, 0, a);
  }
  schedule(after(rng_.exponential(1.0 / config.steady->arrivals_per_second)), Kind::kArrival);
}

core::Timestamp SteadyCenter::after(double seconds) const {
  return now_ + static_cast<core::Duration>(seconds * core::kMicrosPerSecond);
}

void SteadyCenter::schedule(core::Timestamp t, Kind k, std::uint64_t contact, int agent) {
  if (t > end_) return;  // the horizon: nothing after the end
  actions_.push({t, seq_++, k, contact, agent});
}

std::string& SteadyCenter::begin(EventType t) {
  counts_.event(t);
  std::string& b = out_->buffer();
  writer_.begin(b, t, now_);
  return b;
}

void SteadyCenter::finish(std::string& b) {
  EventWriter::end(b);
  out_->commit();
}

void SteadyCenter::agent_state(int agent, core::AgentState s) {
  std::string& b = begin(EventType::kAgentState);
  EventWriter::text(b, "agent", agent_ids_[static_cast<std::size_t>(agent)]);
  EventWriter::text(b, "state", core::to_string(s));
  EventWriter::text(b, "team", "team-steady");
  finish(b);
}

void SteadyCenter::answer(std::uint64_t contact, int agent) {
  std::string& b = begin(EventType::kContactAnswered);
  writer_.id(b, "contact", 'c', contact);
  EventWriter::text(b, "agent", agent_ids_[static_cast<std::size_t>(agent)]);
  finish(b);
  agent_state(agent, core::AgentState::kBusy);
  ++counts_.at(0, Channel::kVoice).answered;
  schedule(after(rng_.exponential(config_.steady->handle_seconds)), Kind::kServiceEnd, contact,
           agent);
}

void SteadyCenter::run_until(core::Timestamp until, Batcher& out) {
  out_ = &out;
  until = std::min(until, end_);
  SeriesCounts& series = counts_.at(0, Channel::kVoice);
  while (!actions_.empty() && actions_.top().time <= until) {
    const Action a = actions_.top();
    actions_.pop();
    now_ = a.time;
    switch (a.kind) {
      case Kind::kLogin:
        agent_state(a.agent, core::AgentState::kAvailable);
        free_agents_.push_back(a.agent);
        break;
      case Kind::kArrival: {
        const std::uint64_t c = next_contact_++;
        gone_.push_back(false);
        std::string& b = begin(EventType::kContactQueued);
        writer_.id(b, "contact", 'c', c);
        EventWriter::text(b, "channel", "voice");
        EventWriter::text(b, "queue", config_.queues[0]);
        finish(b);
        ++series.offered;
        if (!free_agents_.empty()) {
          const int agent = free_agents_.front();
          free_agents_.erase(free_agents_.begin());
          answer(c, agent);
        } else {
          waiting_.push_back(c);
          schedule(after(rng_.exponential(config_.steady->patience_seconds)), Kind::kPatienceOut,
                   c);
        }
        schedule(after(rng_.exponential(1.0 / config_.steady->arrivals_per_second)),
                 Kind::kArrival);
        break;
      }
      case Kind::kPatienceOut: {
        const auto it = std::find(waiting_.begin(), waiting_.end(), a.contact);
        if (it == waiting_.end()) break;  // answered meanwhile
        waiting_.erase(it);
        gone_[a.contact - 1] = true;
        std::string& b = begin(EventType::kContactAbandoned);
        writer_.id(b, "contact", 'c', a.contact);
        finish(b);
        ++series.abandoned;
        break;
      }
      case Kind::kServiceEnd: {
        for (EventType t : {EventType::kContactEnded, EventType::kContactWrapped}) {
          std::string& b = begin(t);
          writer_.id(b, "contact", 'c', a.contact);
          finish(b);
        }
        ++series.handled;
        agent_state(a.agent, core::AgentState::kAvailable);
        if (!waiting_.empty()) {
          const std::uint64_t next = waiting_.front();
          waiting_.pop_front();
          answer(next, a.agent);
        } else {
          free_agents_.push_back(a.agent);
        }
        break;
      }
    }
  }
  out_ = nullptr;
}

}  // namespace ccmon::sim
