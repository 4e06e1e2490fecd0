#include "core/adapters/amazon_connect.hpp"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "core/codec/codec.hpp"

namespace ccmon::core::adapters {
namespace {

using nlohmann::json;

const json& member(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string str(const json& obj, const char* key) {
  const json& v = member(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string{};
}

std::optional<Timestamp> time_of(const json& obj, const char* key) {
  const std::string s = str(obj, key);
  Timestamp t = 0;
  if (s.empty() || !parse_rfc3339(s, t)) return std::nullopt;
  return t;
}

// The id after "/<kind>/" in an ARN (".../queue/abc" -> "abc"), else the
// last path segment.
std::string arn_id(std::string_view arn, std::string_view kind) {
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict on
  // "x" + std::string&& (the same pattern is avoided in the tests).
  std::string marker;
  marker.reserve(kind.size() + 2);
  marker.append(1, '/').append(kind).append(1, '/');
  const std::size_t at = arn.find(marker);
  if (at != std::string_view::npos) {
    std::string_view rest = arn.substr(at + marker.size());
    return std::string(rest.substr(0, rest.find('/')));
  }
  const std::size_t slash = arn.rfind('/');
  return std::string(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
}

std::string lookup(const std::vector<std::pair<std::string, std::string>>& map,
                   const std::string& key) {
  for (const auto& [from, to] : map) {
    if (from == key) return to;
  }
  return key;
}

// Checks the names copied into events; false after a rejection.
bool names_ok(std::initializer_list<std::pair<const char*, const std::string*>> names,
              std::size_t index, AdapterBatch& out) {
  for (const auto& [name, v] : names) {
    if (v->size() > kMaxNameBytes) {
      out.issue(index, RecordOutcome::kRejected, "field_too_long",
                std::string("field `") + name + "`: more than " + std::to_string(kMaxNameBytes) +
                    " bytes");
      return false;
    }
    if (!valid_name_text(*v)) {
      out.issue(index, RecordOutcome::kRejected, "invalid_text",
                std::string("field `") + name + "`: not UTF-8 or a control character");
      return false;
    }
  }
  return true;
}

// Checks that each native id fits the id it becomes, "<source>:<native>"
// plus `suffix` bytes (max_native_id_bytes); false after a rejection.
struct NativeId {
  const char* name;
  const std::string* value;
  std::size_t suffix;
};
bool ids_fit(std::initializer_list<NativeId> ids, std::string_view source, std::size_t index,
             AdapterBatch& out) {
  for (const NativeId& id : ids) {
    const std::size_t max = max_native_id_bytes(source, id.suffix);
    if (id.value->size() > max) {
      out.issue(index, RecordOutcome::kRejected, "field_too_long",
                std::string("field `") + id.name + "`: more than " + std::to_string(max) +
                    " bytes (ids with the source prefix are at most " +
                    std::to_string(kMaxIdBytes) + ")");
      return false;
    }
  }
  return true;
}

void map_contact_event(const json& ev, std::size_t index, const ConnectOptions& o,
                       AdapterBatch& out) {
  if (!ev.is_object()) {
    out.issue(index, RecordOutcome::kRejected, "not_object", "an event is a JSON object");
    return;
  }
  const std::string detail_type = str(ev, "detail-type");
  if (detail_type != "Amazon Connect Contact Event") {
    if (detail_type.empty() || !valid_name_text(detail_type)) {
      out.issue(index, RecordOutcome::kRejected, "missing_field",
                "field `detail-type`: absent or not text");
    } else {
      out.issue(index, RecordOutcome::kUnknown, detail_type,
                "not a contact event: " + detail_type.substr(0, 64));
    }
    return;
  }
  const json& d = member(ev, "detail");
  const std::string event_type = str(d, "eventType");
  const std::string contact_id = str(d, "contactId");
  const std::string previous = str(d, "previousContactId");
  const std::string method = str(d, "initiationMethod");
  const std::string channel_raw = str(d, "channel");
  const std::string event_id = str(ev, "id");
  const json& queue_info = member(d, "queueInfo");
  const json& agent_info = member(d, "agentInfo");
  const std::string queue = lookup(o.queue_names, arn_id(str(queue_info, "queueArn"), "queue"));
  const std::string agent = lookup(o.agent_names, arn_id(str(agent_info, "agentArn"), "agent"));
  const std::string reason = str(d, "disconnectReason");
  if (!names_ok({{"id", &event_id},
                 {"detail.eventType", &event_type},
                 {"detail.contactId", &contact_id},
                 {"detail.previousContactId", &previous},
                 {"detail.initiationMethod", &method},
                 {"detail.channel", &channel_raw},
                 {"queue", &queue},
                 {"agent", &agent},
                 {"detail.disconnectReason", &reason}},
                index, out) ||
      !ids_fit({{"id", &event_id, 2},
                {"detail.contactId", &contact_id, 0},
                {"detail.previousContactId", &previous, 0}},
               o.source, index, out)) {
    return;
  }
  if (event_id.empty() || contact_id.empty() || event_type.empty()) {
    out.issue(index, RecordOutcome::kRejected, "missing_field",
              "a contact event needs `id`, `detail.eventType` and `detail.contactId`");
    return;
  }
  const std::optional<Timestamp> event_time = time_of(ev, "time");
  if (!event_time) {
    out.issue(index, RecordOutcome::kRejected, "invalid_time",
              "field `time`: absent or not RFC 3339");
    return;
  }
  // Outbound contacts are never offered to a queue: nothing ccmon counts.
  if (method == "OUTBOUND" || method == "AGENT_REPLY" || method == "FLOW") {
    out.note(RecordOutcome::kIgnored);
    return;
  }
  const std::string prefix = o.source + ':' + event_id + ':';
  int n = 0;
  const std::size_t before = out.events.size();
  auto emit = [&](EventType t, Timestamp at, const std::string& contact) -> Event& {
    Event e;
    e.id = prefix + std::to_string(n++);
    e.type = t;
    e.time = at;
    e.contact = o.source + ':' + contact;
    if (!channel_raw.empty()) e.channel = lookup(o.channel_map, channel_raw);
    out.events.push_back(std::move(e));
    return out.events.back();
  };
  const bool queued = member(queue_info, "enqueueTimestamp").is_string();
  const bool connected = member(agent_info, "connectedToAgentTimestamp").is_string();
  if (event_type == "INITIATED") {
    if ((method == "TRANSFER" || method == "QUEUE_TRANSFER") && !previous.empty()) {
      // The transfer's new contact: the previous one's handling segment ends.
      emit(EventType::kContactTransferred, *event_time, previous).to_queue = queue;
    } else if (method == "CALLBACK" && !previous.empty()) {
      // The customer left the queue for a callback: a flow-out, not an abandon.
      emit(EventType::kContactOverflowed, *event_time, previous).reason = "callback";
    } else if (method != "TRANSFER" && method != "QUEUE_TRANSFER" && method != "CALLBACK") {
      // contact.created requires a channel (events.md).
      if (channel_raw.empty()) {
        out.issue(index, RecordOutcome::kRejected, "missing_field",
                  "INITIATED needs `detail.channel`");
        return;
      }
      emit(EventType::kContactCreated, *event_time, contact_id);
    }
  } else if (event_type == "QUEUED") {
    if (queue.empty() || channel_raw.empty()) {
      out.issue(index, RecordOutcome::kRejected, "missing_field",
                "QUEUED needs `detail.queueInfo.queueArn` and `detail.channel`");
      return;
    }
    emit(EventType::kContactQueued, time_of(queue_info, "enqueueTimestamp").value_or(*event_time),
         contact_id)
        .queue = queue;
  } else if (event_type == "CONNECTED_TO_AGENT") {
    if (agent.empty()) {
      out.issue(index, RecordOutcome::kRejected, "missing_field",
                "CONNECTED_TO_AGENT needs `detail.agentInfo.agentArn`");
      return;
    }
    Event& e =
        emit(EventType::kContactAnswered,
             time_of(agent_info, "connectedToAgentTimestamp").value_or(*event_time), contact_id);
    e.agent = agent;
    e.queue = queue;
  } else if (event_type == "DISCONNECTED") {
    const Timestamp at = time_of(d, "disconnectTimestamp").value_or(*event_time);
    if (connected) {
      Event& e = emit(EventType::kContactEnded, at, contact_id);
      e.agent = agent;
    } else if (queued) {
      // Left the queue without an agent: the customer hung up (abandon), or
      // the flow removed it (a flow-out, reason = Connect's disconnect reason).
      if (reason.empty() || reason == "CUSTOMER_DISCONNECT") {
        emit(EventType::kContactAbandoned, at, contact_id).queue = queue;
      } else {
        Event& e = emit(EventType::kContactOverflowed, at, contact_id);
        e.queue = queue;
        for (const char c : reason) {
          e.reason += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
      }
    }
  } else if (event_type == "COMPLETED") {
    if (connected) {
      emit(EventType::kContactWrapped,
           time_of(agent_info, "afterContactWorkEndTimestamp").value_or(*event_time), contact_id)
          .agent = agent;
    }
  } else if (event_type == "CONNECTED_TO_SYSTEM" || event_type == "CONTACT_DATA_UPDATED" ||
             event_type == "AMD_DISABLED") {
    // Media / attribute updates: nothing ccmon counts.
  } else {
    out.issue(index, RecordOutcome::kUnknown, event_type,
              "unknown contact eventType " + event_type.substr(0, kMaxCodeBytes));
    return;
  }
  out.note(out.events.size() > before ? RecordOutcome::kMapped : RecordOutcome::kIgnored);
}

// The agent's ccmon state from a snapshot: on a contact -> busy, in
// after-contact work -> wrap_up, else by the status type.
std::pair<AgentState, std::string> snapshot_state(const json& snap) {
  const json& contacts = member(snap, "Contacts");
  bool acw = false;
  if (contacts.is_array()) {
    for (const json& c : contacts) {
      const std::string s = str(c, "State");
      if (s == "CONNECTED" || s == "CONNECTED_ONHOLD" || s == "CONNECTING" || s == "INCOMING" ||
          s == "PAUSED") {
        return {AgentState::kBusy, {}};
      }
      if (s == "ENDED") acw = true;
    }
  }
  if (acw) return {AgentState::kWrapUp, {}};
  const json& status = member(snap, "AgentStatus");
  const std::string type = str(status, "Type");
  if (type == "ROUTABLE") return {AgentState::kAvailable, {}};
  if (type == "OFFLINE") return {AgentState::kOffline, {}};
  return {AgentState::kAway, str(status, "Name")};
}

void map_agent_record(std::string_view text, std::size_t index, const ConnectOptions& o,
                      AdapterBatch& out) {
  const json rec = json::parse(text, nullptr, false);
  if (rec.is_discarded() || !rec.is_object()) {
    out.issue(index, RecordOutcome::kRejected, "invalid_json", "record data is not a JSON object");
    return;
  }
  const std::string type = str(rec, "EventType");
  const std::string event_id = str(rec, "EventId");
  const std::string agent = lookup(o.agent_names, arn_id(str(rec, "AgentARN"), "agent"));
  const json& snap = member(rec, "CurrentAgentSnapshot");
  auto [state, reason] = snapshot_state(snap);
  if (!names_ok({{"EventType", &type},
                 {"EventId", &event_id},
                 {"AgentARN", &agent},
                 {"AgentStatus.Name", &reason}},
                index, out)) {
    return;
  }
  if (type != "STATE_CHANGE" && type != "LOGIN" && type != "LOGOUT" && type != "HEART_BEAT") {
    if (type.empty()) {
      out.issue(index, RecordOutcome::kRejected, "missing_field", "record without `EventType`");
    } else {
      out.issue(index, RecordOutcome::kUnknown, type,
                "unknown agent EventType " + type.substr(0, 32));
    }
    return;
  }
  if (type == "HEART_BEAT") {
    // Repeats the current state: the engine would restart the agent's time
    // in state at every heartbeat, so it changes nothing here.
    out.note(RecordOutcome::kIgnored);
    return;
  }
  if (event_id.empty() || agent.empty()) {
    out.issue(index, RecordOutcome::kRejected, "missing_field",
              "an agent record needs `EventId` and `AgentARN`");
    return;
  }
  if (!ids_fit({{"EventId", &event_id, 2}}, o.source, index, out)) return;
  const std::optional<Timestamp> at = time_of(rec, "EventTimestamp");
  if (!at) {
    out.issue(index, RecordOutcome::kRejected, "invalid_time",
              "field `EventTimestamp`: absent or not RFC 3339");
    return;
  }
  if (type == "LOGOUT") {
    state = AgentState::kOffline;
    reason.clear();
  } else if (!snap.is_object()) {
    out.issue(index, RecordOutcome::kRejected, "missing_field",
              type + " needs `CurrentAgentSnapshot`");
    return;
  }
  Event e;
  e.id = o.source + ':' + event_id + ":0";
  e.type = EventType::kAgentState;
  e.time = *at;
  e.agent = agent;
  e.state = state;
  e.reason = reason;
  out.events.push_back(std::move(e));
  out.note(RecordOutcome::kMapped);
}

// Standard base64 (RFC 4648 section 4) with padding; nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the bytes the padding stands for: drop them.
  std::size_t len = static_cast<std::size_t>(n);
  if (!in.empty() && in.back() == '=') --len;
  if (in.size() >= 2 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

}  // namespace

AdapterBatch map_connect_contact_events(std::string_view json_body, const ConnectOptions& options) {
  AdapterBatch out;
  if (!admit_body(options.source, json_body, options.max_body_bytes, out)) return out;
  const json doc = json::parse(json_body, nullptr, false);
  if (doc.is_discarded() || !(doc.is_array() || doc.is_object())) {
    out.issue(0, RecordOutcome::kRejected, "invalid_json",
              "the body is not one EventBridge event nor a JSON array of them");
    return out;
  }
  if (doc.is_object()) {
    map_contact_event(doc, 1, options, out);
  } else {
    std::size_t index = 0;
    for (const json& ev : doc) map_contact_event(ev, ++index, options, out);
  }
  return out;
}

std::optional<FirehoseRequest> parse_firehose_request(std::string_view body, std::string& error,
                                                      const ConnectOptions& options) {
  if (body.size() > options.max_body_bytes) {
    error = "body of " + std::to_string(body.size()) + " bytes, more than " +
            std::to_string(options.max_body_bytes);
    return std::nullopt;
  }
  const json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the body is not a JSON object";
    return std::nullopt;
  }
  FirehoseRequest req;
  req.request_id = str(doc, "requestId");
  if (req.request_id.empty() || req.request_id.size() > kMaxIdBytes ||
      !valid_name_text(req.request_id)) {
    error = "field `requestId`: absent, longer than 128 bytes or not text";
    return std::nullopt;
  }
  const json& ts = member(doc, "timestamp");
  if (ts.is_number_integer()) req.timestamp_ms = ts.get<std::int64_t>();
  const json& records = member(doc, "records");
  if (!records.is_array()) {
    error = "field `records`: absent or not an array";
    return std::nullopt;
  }
  for (const json& r : records) {
    const json& data = member(r, "data");
    std::optional<std::string> decoded;
    std::string why;
    if (!data.is_string()) {
      why = "record without a string `data`";
    } else if (data.get_ref<const std::string&>().size() / 4 * 3 > options.max_record_bytes) {
      why = "record larger than " + std::to_string(options.max_record_bytes) + " bytes";
    } else if (!(decoded = base64_decode(data.get_ref<const std::string&>()))) {
      why = "record `data` is not base64";
    }
    req.records.push_back(decoded.value_or(std::string{}));
    req.record_errors.push_back(why);
  }
  return req;
}

std::string firehose_response(std::string_view request_id, std::int64_t now_ms,
                              std::string_view error_message) {
  json j;
  j["requestId"] = std::string(request_id);
  j["timestamp"] = now_ms;
  if (!error_message.empty()) j["errorMessage"] = std::string(error_message);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ConnectAgentResult map_connect_agent_firehose(std::string_view body,
                                              const ConnectOptions& options) {
  ConnectAgentResult result;
  if (!admit_source(options.source, result.batch)) return result;
  std::optional<FirehoseRequest> req = parse_firehose_request(body, result.error, options);
  if (!req) {
    result.batch.issue(0, RecordOutcome::kRejected, "invalid_request", result.error);
    return result;
  }
  result.readable = true;
  result.request_id = req->request_id;
  for (std::size_t i = 0; i < req->records.size(); ++i) {
    if (!req->record_errors[i].empty()) {
      result.batch.issue(i + 1, RecordOutcome::kRejected, "invalid_record", req->record_errors[i]);
      continue;
    }
    map_agent_record(req->records[i], i + 1, options, result.batch);
  }
  return result;
}

}  // namespace ccmon::core::adapters
