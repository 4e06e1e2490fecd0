#include "core/adapters/twilio_taskrouter.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/adapters/form_urlencoded.hpp"
#include "core/codec/codec.hpp"

namespace ccmon::core::adapters {
namespace {

// The fields the mapping reads, from either form.
struct Record {
  std::string event_type;  // "task-queue.entered"
  std::string event_sid;   // "EV..." (callback `Sid`, CloudEvents `id`)
  std::optional<Timestamp> time;
  std::string task_sid, queue, channel, canceled_reason;
  std::string worker_sid, worker_name, activity;
};

constexpr std::string_view kIgnored[] = {"task.updated",
                                         "task.deleted",
                                         "task.system-deleted",
                                         "task.transfer-initiated",
                                         "task.transfer-attempt-failed",
                                         "task.transfer-completed",
                                         "task.transfer-failed",
                                         "task.transfer-canceled",
                                         "reservation.created",
                                         "reservation.rejected",
                                         "reservation.timeout",
                                         "reservation.canceled",
                                         "reservation.rescinded",
                                         "reservation.completed",
                                         "reservation.wrapup",
                                         "reservation.failed",
                                         "workflow.entered",
                                         "workflow.target-updated",
                                         "workflow.skipped",
                                         "workflow.timeout",
                                         "task-queue.created",
                                         "task-queue.deleted",
                                         "task-queue.updated",
                                         "worker.created",
                                         "worker.deleted",
                                         "worker.attributes.update",
                                         "worker.capacity.update",
                                         "worker.channel.availability.update",
                                         "activity.created",
                                         "activity.updated",
                                         "activity.deleted",
                                         "workflow.created",
                                         "workflow.updated",
                                         "workflow.deleted",
                                         "workspace.created",
                                         "workspace.updated",
                                         "workspace.deleted",
                                         "task-queue.expression.updated",
                                         "task.queue-changed"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<Timestamp> parse_unix(std::string_view s, Duration unit) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v <= 0 || v > 10'000'000'000'000) {
    return std::nullopt;
  }
  const std::int64_t r = v * unit;
  if (r / unit != v) return std::nullopt;
  return r;
}

class Mapper {
 public:
  Mapper(const TwilioOptions& o, AdapterBatch& out) : o_(o), out_(out) {}

  void map(const Record& r, std::size_t index, std::string_view identity) {
    index_ = index;
    if (std::find(std::begin(kIgnored), std::end(kIgnored), r.event_type) != std::end(kIgnored)) {
      out_.note(RecordOutcome::kIgnored);
      return;
    }
    const bool known = r.event_type == "task.created" || r.event_type == "task-queue.entered" ||
                       r.event_type == "reservation.accepted" || r.event_type == "task.canceled" ||
                       r.event_type == "task.wrapup" || r.event_type == "task.completed" ||
                       r.event_type == "task-queue.timeout" || r.event_type == "task-queue.moved" ||
                       r.event_type == "worker.activity.update";
    if (!known) {
      if (r.event_type.empty()) return reject("missing_field", "no event type (EventType)");
      out_.issue(index, RecordOutcome::kUnknown, r.event_type,
                 "unknown TaskRouter event type " + r.event_type.substr(0, kMaxCodeBytes));
      return;
    }
    if (!r.time) return reject("invalid_time", "no valid event time (Timestamp / TimestampMs)");
    for (const auto& [name, v] :
         {std::pair{"TaskSid", &r.task_sid}, std::pair{"TaskQueueName", &r.queue},
          std::pair{"TaskChannelUniqueName", &r.channel}, std::pair{"WorkerSid", &r.worker_sid},
          std::pair{"WorkerName", &r.worker_name}, std::pair{"WorkerActivityName", &r.activity},
          std::pair{"Sid", &r.event_sid}}) {
      if (v->size() > kMaxNameBytes) {
        return reject("field_too_long", std::string("field `") + name + "`: more than " +
                                            std::to_string(kMaxNameBytes) + " bytes");
      }
      if (!valid_name_text(*v)) {
        return reject("invalid_text",
                      std::string("field `") + name + "`: not UTF-8 or a control character");
      }
    }
    // The ids they become fit events.md's 128 bytes: "<source>:<TaskSid>"
    // and "<source>:<Sid>:0" (one event per record).
    for (const auto& [name, v, suffix] : {std::tuple{"TaskSid", &r.task_sid, std::size_t{0}},
                                          std::tuple{"Sid", &r.event_sid, std::size_t{2}}}) {
      const std::size_t max = max_native_id_bytes(o_.source, suffix);
      if (v->size() > max) {
        return reject("field_too_long", std::string("field `") + name + "`: more than " +
                                            std::to_string(max) +
                                            " bytes (ids with the source prefix are at most " +
                                            std::to_string(kMaxIdBytes) + ")");
      }
    }
    id_prefix_ =
        o_.source + ':' + (r.event_sid.empty() ? fnv1a64_hex(identity) : r.event_sid) + ':';
    emitted_ = 0;
    const std::size_t before = out_.events.size();
    if (!dispatch(r)) return;
    out_.note(out_.events.size() > before ? RecordOutcome::kMapped : RecordOutcome::kIgnored);
  }

 private:
  void reject(std::string_view code, std::string message) {
    out_.issue(index_, RecordOutcome::kRejected, code, std::move(message));
  }

  Event& emit(EventType t, const Record& r) {
    Event e;
    e.id = id_prefix_ + std::to_string(emitted_++);
    e.type = t;
    e.time = *r.time;
    out_.events.push_back(std::move(e));
    return out_.events.back();
  }

  std::string channel(std::string_view name) const {
    for (const auto& [from, to] : o_.channel_map) {
      if (from == name) return to;
    }
    return lower(name);
  }

  std::string agent(const Record& r) const {
    return o_.worker_name_as_agent ? r.worker_name : r.worker_sid;
  }

  Event* contact(EventType t, const Record& r) {
    if (r.task_sid.empty()) {
      reject("missing_field", r.event_type + " needs TaskSid");
      return nullptr;
    }
    Event& e = emit(t, r);
    e.contact = o_.source + ':' + r.task_sid;
    e.queue = r.queue;
    if (!r.channel.empty()) e.channel = channel(r.channel);
    return &e;
  }

  bool dispatch(const Record& r) {
    const std::string& t = r.event_type;
    // contact.created and contact.queued require a channel (events.md).
    if ((t == "task.created" || t == "task-queue.entered") && r.channel.empty()) {
      return reject("missing_field", t + " needs TaskChannelUniqueName"), false;
    }
    if (t == "task.created") {
      return contact(EventType::kContactCreated, r) != nullptr;
    }
    if (t == "task-queue.entered") {
      if (r.queue.empty()) return reject("missing_field", t + " needs TaskQueueName"), false;
      return contact(EventType::kContactQueued, r) != nullptr;
    }
    if (t == "reservation.accepted") {
      if (agent(r).empty()) return reject("missing_field", t + " needs the worker"), false;
      Event* e = contact(EventType::kContactAnswered, r);
      if (e) e->agent = agent(r);
      return e != nullptr;
    }
    if (t == "task.canceled") {
      const bool timeout =
          std::find(o_.timeout_cancel_reasons.begin(), o_.timeout_cancel_reasons.end(),
                    r.canceled_reason) != o_.timeout_cancel_reasons.end();
      Event* e = contact(timeout ? EventType::kContactOverflowed : EventType::kContactAbandoned, r);
      if (e && timeout) e->reason = "timeout";
      return e != nullptr;
    }
    if (t == "task-queue.timeout" || t == "task-queue.moved") {
      Event* e = contact(EventType::kContactOverflowed, r);
      if (e) e->reason = t == "task-queue.timeout" ? "timeout" : "overflow";
      return e != nullptr;
    }
    if (t == "task.wrapup" || t == "task.completed") {
      Event* e =
          contact(t == "task.wrapup" ? EventType::kContactEnded : EventType::kContactWrapped, r);
      if (e) e->queue.clear();  // the task's queue is where it waited; the contact remembers it
      return e != nullptr;
    }
    // worker.activity.update
    if (agent(r).empty()) return reject("missing_field", t + " needs the worker"), false;
    AgentState s = o_.unmapped_activity;
    bool mapped = false;
    for (const auto& [name, state] : o_.activity_map) {
      if (name == r.activity) {
        s = state;
        mapped = true;
        break;
      }
    }
    Event& e = emit(EventType::kAgentState, r);
    e.agent = agent(r);
    e.state = s;
    if (!mapped) e.reason = r.activity;
    return true;
  }

  const TwilioOptions& o_;
  AdapterBatch& out_;
  std::size_t index_ = 0;
  std::string id_prefix_;
  int emitted_ = 0;
};

// A JSON string or number field as text (Twilio sends numbers as strings in
// callbacks and as numbers in Event Streams); "" when absent or another type.
std::string text(const nlohmann::json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  return {};
}

}  // namespace

AdapterBatch map_taskrouter_callback(std::string_view form_body, const TwilioOptions& options) {
  AdapterBatch out;
  if (!admit_source(options.source, out)) return out;
  std::string error;
  const std::optional<FormParams> params = decode_form(form_body, error);
  if (!params) {
    out.issue(1, RecordOutcome::kRejected, "invalid_form", error);
    return out;
  }
  auto get = [&](std::string_view name) {
    return std::string(form_value(*params, name).value_or(""));
  };
  Record r;
  r.event_type = get("EventType");
  r.event_sid = get("Sid");
  if (const auto ms = form_value(*params, "TimestampMs")) {
    r.time = parse_unix(*ms, 1000);
  } else if (const auto s = form_value(*params, "Timestamp")) {
    r.time = parse_unix(*s, kMicrosPerSecond);
  }
  r.task_sid = get("TaskSid");
  r.queue = get("TaskQueueName");
  r.channel = get("TaskChannelUniqueName");
  r.canceled_reason = get("TaskCanceledReason");
  r.worker_sid = get("WorkerSid");
  r.worker_name = get("WorkerName");
  r.activity = get("WorkerActivityName");
  if (!valid_name_text(r.event_type) || r.event_type.size() > kMaxNameBytes) {
    out.issue(1, RecordOutcome::kRejected, "invalid_text", "field `EventType`: not a name");
    return out;
  }
  Mapper(options, out).map(r, 1, form_body);
  return out;
}

AdapterBatch map_twilio_event_streams(std::string_view json_body, const TwilioOptions& options) {
  AdapterBatch out;
  if (!admit_body(options.source, json_body, options.max_body_bytes, out)) return out;
  const nlohmann::json doc = nlohmann::json::parse(json_body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !(doc.is_array() || doc.is_object())) {
    out.issue(0, RecordOutcome::kRejected, "invalid_json",
              "the body is not a JSON array of CloudEvents nor one CloudEvent");
    return out;
  }
  Mapper mapper(options, out);
  std::size_t index = 0;
  auto one = [&](const nlohmann::json& ce) {
    ++index;
    if (!ce.is_object()) {
      out.issue(index, RecordOutcome::kRejected, "not_object", "a CloudEvent is a JSON object");
      return;
    }
    constexpr std::string_view kPrefix = "com.twilio.taskrouter.";
    const std::string type = text(ce, "type");
    if (type.rfind(kPrefix, 0) != 0) {
      if (type.empty()) {
        out.issue(index, RecordOutcome::kRejected, "missing_field", "CloudEvent without `type`");
      } else if (!valid_name_text(type)) {
        out.issue(index, RecordOutcome::kRejected, "invalid_text", "field `type`: not a name");
      } else {
        out.issue(index, RecordOutcome::kUnknown, type,
                  "not a TaskRouter event: " + type.substr(0, 64));
      }
      return;
    }
    static const nlohmann::json kEmpty = nlohmann::json::object();
    const auto data_it = ce.find("data");
    const nlohmann::json& data = data_it != ce.end() && data_it->is_object() ? *data_it : kEmpty;
    const auto payload_it = data.find("payload");
    const nlohmann::json& p =
        payload_it != data.end() && payload_it->is_object() ? *payload_it : kEmpty;
    Record r;
    r.event_type = type.substr(kPrefix.size());
    r.event_sid = text(ce, "id");
    Timestamp t = 0;
    const std::string ts = text(p, "timestamp");
    const std::string ce_time = text(ce, "time");
    if (!ts.empty() && parse_rfc3339(ts, t)) {
      r.time = t;
    } else if (!ce_time.empty() && parse_rfc3339(ce_time, t)) {
      r.time = t;
    }
    r.task_sid = text(p, "task_sid");
    r.queue = text(p, "task_queue_name");
    r.channel = text(p, "task_channel_unique_name");
    r.canceled_reason = text(p, "task_canceled_reason");
    r.worker_sid = text(p, "worker_sid");
    r.worker_name = text(p, "worker_name");
    r.activity = text(p, "worker_activity_name");
    if (!valid_name_text(r.event_type) || r.event_type.size() > kMaxNameBytes) {
      out.issue(index, RecordOutcome::kRejected, "invalid_text", "field `type`: not a name");
      return;
    }
    mapper.map(r, index, ce.dump());
  };
  if (doc.is_array()) {
    for (const auto& ce : doc) one(ce);
  } else {
    one(doc);
  }
  return out;
}

}  // namespace ccmon::core::adapters
