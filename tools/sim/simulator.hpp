// The contact-center model: a discrete-event simulation over simulated time.
// Pure and deterministic: the same SimConfig (seed included) always yields the
// same events, byte for byte. It never reads a clock; callers choose how far
// simulated time advances (all at once, or paced against the wall clock).
#pragma once

#include <memory>
#include <string>

#include "core/time.hpp"
#include "tools/sim/counts.hpp"
#include "tools/sim/event_writer.hpp"
#include "tools/sim/sim_config.hpp"
#include "tools/sim/steady_center.hpp"

namespace ccmon::sim {

class Simulator {
 public:
  explicit Simulator(SimConfig config);  // validate(config) must be empty
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Runs every action due at or before `until` (at most the end), in time
  // order, writing one NDJSON line per event into `out`. Event times never
  // pass the end: what would happen later (a survey due tomorrow, the end of
  // a call still going on) is not emitted.
  void run_until(core::Timestamp until, Batcher& out);
  void run(Batcher& out) { run_until(end(), out); }

  bool finished() const;              // nothing left due before the end
  core::Timestamp next_time() const;  // of the next action; > end() when finished
  core::Timestamp start() const;
  core::Timestamp end() const;
  const SimCounts& counts() const;
  const SimConfig& config() const;
  const std::string& id_prefix() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<SteadyCenter> steady_;  // config.steady: this model instead
};

}  // namespace ccmon::sim
