// The simulator's events as an Asterisk queue_log (ccmon-sim --format
// queue_log): what app_queue would have written for the same calls, so a
// simulated PBX can feed the queue_log adapter (a followed file, or a POST to
// /v1/adapters/asterisk/queue_log). The inverse of docs/adapters.md's
// mapping, for what queue_log can say:
//
//   contact.queued      ENTERQUEUE           contact.answered   CONNECT
//   contact.abandoned   ABANDON              contact.ended      COMPLETECALLER
//   contact.transferred TRANSFER             contact.overflowed EXITWITHTIMEOUT
//     (reason timeout), EXITEMPTY (no_agents), WITHDRAW (withdraw), else
//     EXITWITHKEY (the caller chose voicemail or a callback from the menu)
//   agent.state         AGENTLOGIN (available after offline), UNPAUSEALL
//     (available after away), PAUSEALL (away, reason), AGENTLOGOFF (offline)
//
// Only voice contacts exist in a queue_log; other channels, cases, surveys,
// messages, holds and the agent's busy / wrap-up / back-after-a-call states
// (the adapter derives those from CONNECT and COMPLETECALLER) are left out,
// as is after-contact work: the adapter wraps a call up at its completion.
// Members are written `Agent/<agent id>`. Pure; not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.hpp"

namespace ccmon::sim {

class QueueLogWriter {
 public:
  // Appends the queue_log lines of `ndjson` (the simulator's events, one
  // JSON object a line) to `out`; returns how many lines it wrote.
  std::size_t convert(std::string_view ndjson, std::string& out);

 private:
  struct Call {
    std::string queue;
    std::string member;
    core::Timestamp queued = 0;
    core::Timestamp answered = 0;
  };
  std::unordered_map<std::string, Call> calls_;
  std::unordered_map<std::string, std::string> agent_state_;  // last ccmon state per agent
};

}  // namespace ccmon::sim
