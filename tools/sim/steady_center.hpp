// The steady center of `ccmon-sim --steady` (docs/simulator.md): the
// textbook M/M/N+M queue that Erlang A describes, to check the daemon's
// predictions against a simulation. One queue (the first of --queues), voice
// only; Poisson arrivals at a constant rate; exponential handle times (all
// talk: no hold, no transfer, no after-contact work); exponential patience,
// no short abandons, no maximum wait; first come, first served; all
// --agents agents logged in from the start and never away; no ring time.
// Pure and deterministic like Simulator: the seed fixes the events.
#pragma once

#include <cstdint>
#include <deque>
#include <queue>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "tools/sim/counts.hpp"
#include "tools/sim/event_writer.hpp"
#include "tools/sim/rng.hpp"
#include "tools/sim/sim_config.hpp"

namespace ccmon::sim {

class SteadyCenter {
 public:
  explicit SteadyCenter(const SimConfig& config);  // config.steady must be set

  // As Simulator::run_until: everything due at or before `until` (at most
  // the end), in time order.
  void run_until(core::Timestamp until, Batcher& out);
  bool finished() const { return actions_.empty(); }
  core::Timestamp next_time() const { return finished() ? end_ + 1 : actions_.top().time; }
  core::Timestamp end() const { return end_; }
  const SimCounts& counts() const { return counts_; }
  const std::string& id_prefix() const { return writer_.prefix(); }

 private:
  enum class Kind : std::uint8_t { kLogin, kArrival, kPatienceOut, kServiceEnd };
  struct Action {
    core::Timestamp time;
    std::uint64_t seq;  // ties in creation order: deterministic
    Kind kind;
    std::uint64_t contact;
    int agent;
    bool operator>(const Action& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  void schedule(core::Timestamp t, Kind k, std::uint64_t contact = 0, int agent = -1);
  core::Timestamp after(double seconds) const;
  void answer(std::uint64_t contact, int agent);
  std::string& begin(core::EventType t);
  void finish(std::string& b);
  void agent_state(int agent, core::AgentState s);

  SimConfig config_;
  Rng rng_;
  EventWriter writer_;
  SimCounts counts_;
  core::Timestamp now_ = 0;
  core::Timestamp end_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t next_contact_ = 1;
  std::priority_queue<Action, std::vector<Action>, std::greater<>> actions_;
  std::deque<std::uint64_t> waiting_;  // FIFO; abandoned ones removed lazily
  std::vector<bool> gone_;             // by contact number: abandoned
  std::vector<int> free_agents_;       // longest idle first (front)
  std::vector<std::string> agent_ids_;
  Batcher* out_ = nullptr;
};

}  // namespace ccmon::sim
