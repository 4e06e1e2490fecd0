#include "tools/sim/twilio_writer.hpp"

#include <nlohmann/json.hpp>

#include "tools/sim/native_writer.hpp"

namespace ccmon::sim {
namespace {

using nlohmann::json;

using native::str;

void cloud_event(std::string& out, std::string_view kind, const std::string& id,
                 const std::string& time, json payload) {
  payload["timestamp"] = time;
  std::string type = "com.twilio.taskrouter.";
  type.append(kind);
  out += json{{"specversion", "1.0"},
              {"type", type},
              {"source", "/v1/Workspaces/WSsim"},
              {"id", id},
              {"time", time},
              {"datacontenttype", "application/json"},
              {"data", {{"name", std::string(kind)}, {"payload", std::move(payload)}}}}
             .dump();
  out += '\n';
}

std::string task_channel(const std::string& ch) {
  if (ch == "messaging") return "sms";
  if (ch == "voice" || ch == "chat" || ch == "email") return ch;
  return {};
}

}  // namespace

std::size_t TwilioWriter::convert(std::string_view ndjson, std::string& out) {
  std::size_t written = 0;
  native::for_each_event(ndjson, [&](const json& e) {
    const std::string type = str(e, "type");
    const std::string id = str(e, "id");
    const std::string time = str(e, "time");
    if (type == "agent.state") {
      const std::string state = str(e, "state");
      const char* activity = state == "available" ? "Available"
                             : state == "busy"    ? "Busy"
                             : state == "wrap_up" ? "Wrap Up"
                             : state == "away"    ? "Break"
                                                  : "Offline";
      cloud_event(out, "worker.activity.update", id, time,
                  {{"worker_sid", str(e, "agent")}, {"worker_activity_name", activity}});
      ++written;
      return;
    }
    if (!type.starts_with("contact.")) return;
    const std::string task = str(e, "contact");
    auto it = tasks_.find(task);
    if (it == tasks_.end()) {
      if (type != "contact.created" && type != "contact.queued") return;  // no task channel
      const std::string channel = task_channel(str(e, "channel"));
      if (channel.empty()) return;
      it = tasks_.emplace(task, Task{channel, {}}).first;
      cloud_event(out, "task.created", id + "-t", time,
                  {{"task_sid", task}, {"task_channel_unique_name", channel}});
      ++written;
      if (type == "contact.created") return;
    }
    Task& k = it->second;
    std::string sid = task;
    if (k.segment != 0) sid.append(1, '~').append(std::to_string(k.segment));
    if (type == "contact.transferred") {
      // The original task ends handled; a new one goes to the target queue.
      json p = {{"task_sid", sid}, {"task_channel_unique_name", k.channel}};
      if (!k.queue.empty()) p["task_queue_name"] = k.queue;
      cloud_event(out, "task.wrapup", id + "-w", time, p);
      cloud_event(out, "task.completed", id + "-c", time, p);
      ++k.segment;
      sid.assign(task).append(1, '~').append(std::to_string(k.segment));
      cloud_event(out, "task.created", id, time,
                  {{"task_sid", sid}, {"task_channel_unique_name", k.channel}});
      written += 3;
      return;
    }
    if (type == "contact.queued") k.queue = str(e, "queue");
    // Task events carry the task's channel and current queue, as TaskRouter's do.
    json p = {{"task_sid", sid}, {"task_channel_unique_name", k.channel}};
    if (!k.queue.empty()) p["task_queue_name"] = k.queue;
    std::string kind;
    if (type == "contact.queued") {
      kind = "task-queue.entered";
    } else if (type == "contact.answered") {
      kind = "reservation.accepted";
      p["worker_sid"] = str(e, "agent");
    } else if (type == "contact.abandoned") {
      kind = "task.canceled";
      p["task_canceled_reason"] = "hangup";
    } else if (type == "contact.overflowed") {
      kind = str(e, "reason") == "timeout" ? "task-queue.timeout" : "task-queue.moved";
    } else if (type == "contact.ended") {
      kind = "task.wrapup";
    } else if (type == "contact.wrapped") {
      kind = "task.completed";
      tasks_.erase(it);
    } else {
      return;
    }
    cloud_event(out, kind, id, time, std::move(p));
    ++written;
  });
  return written;
}

}  // namespace ccmon::sim
