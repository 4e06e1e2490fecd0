// The simulator's contacts and agents as Twilio TaskRouter events in the
// Event Streams form (ccmon-sim --format twilio): one CloudEvent a line, a
// JSON array of lines being a webhook body for
// POST /v1/adapters/twilio/taskrouter. The inverse of docs/adapters.md's
// TaskRouter table, for what TaskRouter events can say:
//
//   contact.created     task.created          contact.queued   task-queue.entered
//   contact.answered    reservation.accepted  contact.abandoned task.canceled
//   contact.overflowed  task-queue.timeout (reason timeout), else task-queue.moved
//   contact.ended       task.wrapup           contact.wrapped  task.completed
//   agent.state         worker.activity.update: Available, Busy, Wrap Up,
//                       Break, Offline
//
//   contact.transferred task.wrapup and task.completed of the task, and a
//                       new task ("<contact>~1", "~2"...) that enters the
//                       target queue: transfers as Twilio's contact-center
//                       blueprint makes them (a new task; the original one
//                       completed), so they count as handled, not as
//                       transferred
//
// Channels voice, chat, sms (messaging) and email. No holds, messages, cases
// or surveys. Pure; not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace ccmon::sim {

class TwilioWriter {
 public:
  // Appends one CloudEvent a line for `ndjson` (the simulator's events) to
  // `out`; returns how many it wrote.
  std::size_t convert(std::string_view ndjson, std::string& out);

 private:
  struct Task {
    std::string channel;  // the task channel's unique name
    std::string queue;    // the queue it last entered
    int segment = 0;      // tasks made for it so far, less one (transfers)
  };
  std::map<std::string, Task, std::less<>> tasks_;  // contacts with a task.created written
};

}  // namespace ccmon::sim
