// Asterisk queue_log (also FreePBX, PBXware) -> ccmon events.
//
// A line is `epoch|callid|queue|agent|verb|data1|data2|...` as app_queue
// writes it (Asterisk documentation, "Queue Logs"); "NONE" marks an absent
// call id, queue or agent. Each verb's mapping, and why the others are
// ignored, is the table in docs/adapters.md. Pure: no I/O, no clock.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/adapters/adapter.hpp"
#include "core/time.hpp"

namespace ccmon::core::adapters {

struct QueueLogOptions {
  // The PBX's name (valid_source_name): contact ids are "<source>:<callid>",
  // event ids "<source>:<epoch>:<fnv1a64 of the line>:<n>".
  std::string source = "asterisk";
  // Agent ids from queue members: "Agent/1127", "PJSIP/1127" and
  // "Local/1127@from-queue/n" all become "1127" (the technology up to the
  // first '/' and everything from '@' removed), so the member of ADDMEMBER
  // and the agent of CONNECT name the same person; a member name without '/'
  // ("Jane Doe") is kept. false keeps every member string verbatim.
  bool strip_member_technology = true;
  // queues.conf `wrapuptime` (Asterisk does not log wrap-up): a completed
  // call's contact.wrapped and the agent's return to `available` come this
  // long after the completion line. 0 (default): at the completion.
  Duration wrapup = 0;
  std::size_t max_line_bytes = 4096;  // longer lines are rejected (line_too_long)
};

// What the adapter remembers between lines, per source: each agent's queues
// (so REMOVEMEMBER from one of two queues does not log the agent off) and the
// last state it emitted (so a PAUSE logged once per queue plus PAUSEALL gives
// one agent.state). Plain data, bounded: at most kMaxAgents agents and
// kMaxQueuesPerAgent queues each; an agent beyond that is mapped without
// memory (every state line emits).
struct QueueLogState {
  struct Agent {
    std::vector<std::string> queues;
    int last_state = -1;  // an AgentState, or -1 before the first one
  };
  std::map<std::string, Agent, std::less<>> agents;
  static constexpr std::size_t kMaxAgents = 10000;
  static constexpr std::size_t kMaxQueuesPerAgent = 64;
};

// Maps one line (without its newline; a trailing '\r' is dropped) and appends
// its events to `out`. `line_no` (from 1) is the record number of an issue.
// Blank lines count as ignored. Never throws on any input bytes.
void map_queue_log_line(std::string_view line, std::size_t line_no, const QueueLogOptions& options,
                        QueueLogState& state, AdapterBatch& out);

// The adapter's single entry point: `bytes` is any number of lines
// separated by '\n' (a last line without newline is mapped too: callers that
// follow a growing file hand over complete lines only). An invalid
// options.source rejects every line (invalid_source).
AdapterBatch map_queue_log(std::string_view bytes, const QueueLogOptions& options,
                           QueueLogState& state);

// The agent id of a queue member string under `strip_technology` (see
// QueueLogOptions); empty for "NONE" or an empty member.
std::string queue_log_agent_id(std::string_view member, bool strip_technology);

}  // namespace ccmon::core::adapters
