#include "tools/sim/connect_writer.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "tools/sim/native_writer.hpp"

namespace ccmon::sim {
namespace {

using nlohmann::json;

constexpr std::string_view kInstance = "arn:aws:connect:us-east-1:111122223333:instance/sim";

using native::str;

std::string arn(std::string_view kind, std::string_view name) {
  std::string out(kInstance);
  out.append(1, '/').append(kind).append(1, '/').append(name);
  return out;
}

std::string contact_id(const std::string& contact, int segment) {
  if (segment == 0) return contact;
  std::string out = contact;
  out.append(1, '~').append(std::to_string(segment));
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

}  // namespace

std::size_t ConnectWriter::convert(std::string_view ndjson, std::string& out) {
  std::size_t written = 0;
  // One EventBridge event a line, with the envelope EventBridge gives it.
  auto emit = [&](const std::string& id, const std::string& time, json detail) {
    out += json{{"version", "0"},
                {"id", id},
                {"detail-type", "Amazon Connect Contact Event"},
                {"source", "aws.connect"},
                {"account", "111122223333"},
                {"region", "us-east-1"},
                {"time", time},
                {"resources", json::array({std::string(kInstance)})},
                {"detail", std::move(detail)}}
               .dump();
    out += '\n';
    ++written;
  };
  native::for_each_event(ndjson, [&](const json& e) {
    const std::string type = str(e, "type");
    if (!type.starts_with("contact.")) return;
    const std::string contact = str(e, "contact");
    const std::string time = str(e, "time");
    auto it = contacts_.find(contact);
    // Created, or queued at once without a contact.created (as the
    // simulator's emails are): Connect initiates every contact.
    if (type == "contact.created" || (type == "contact.queued" && it == contacts_.end())) {
      const std::string ch = str(e, "channel");
      const std::string channel = ch == "voice"   ? "VOICE"
                                  : ch == "chat"  ? "CHAT"
                                  : ch == "email" ? "EMAIL"
                                                  : "";
      if (channel.empty()) return;
      Contact fresh;
      fresh.channel = channel;
      it = contacts_.insert_or_assign(contact, std::move(fresh)).first;
    }
    if (it == contacts_.end()) return;  // a channel Connect does not have
    Contact& c = it->second;
    json d = {{"channel", c.channel},
              {"initiationMethod", "INBOUND"},
              {"instanceArn", std::string(kInstance)}};
    std::string event_type;
    if (type == "contact.created") {
      event_type = "INITIATED";
      c.initiated = true;
    } else if (type == "contact.queued") {
      if (!c.initiated) {
        json init = d;
        init["eventType"] = "INITIATED";
        init["contactId"] = contact_id(contact, c.segment);
        emit(str(e, "id") + "-i", time, std::move(init));
        c.initiated = true;
      }
      if (c.ended || !c.enqueued.empty()) {
        // A callback or another re-queue: Connect makes it a new contact.
        ++c.segment;
        c.ended = false;
        c.agent.clear();
        json init = d;
        init["eventType"] = "INITIATED";
        init["initiationMethod"] = "API";
        init["contactId"] = contact_id(contact, c.segment);
        emit(str(e, "id") + "-i", time, std::move(init));
      }
      c.queue = str(e, "queue");
      c.enqueued = time;
      event_type = "QUEUED";
    } else if (type == "contact.answered") {
      c.agent = str(e, "agent");
      c.connected = time;
      event_type = "CONNECTED_TO_AGENT";
    } else if (type == "contact.abandoned" || type == "contact.overflowed") {
      d["disconnectTimestamp"] = time;
      d["disconnectReason"] = type == "contact.abandoned" ? std::string("CUSTOMER_DISCONNECT")
                                                          : upper(str(e, "reason"));
      event_type = "DISCONNECTED";
      c.ended = true;
    } else if (type == "contact.ended") {
      d["disconnectTimestamp"] = time;
      d["disconnectReason"] = "CUSTOMER_DISCONNECT";
      event_type = "DISCONNECTED";
    } else if (type == "contact.wrapped") {
      if (c.agent.empty()) return;
      d["agentInfo"] = {{"agentArn", arn("agent", c.agent)},
                        {"connectedToAgentTimestamp", c.connected},
                        {"afterContactWorkEndTimestamp", time}};
      event_type = "COMPLETED";
      c.ended = true;
    } else if (type == "contact.transferred") {
      // The old contact ends as transferred; the new one is initiated by the
      // transfer and then queued where it was sent.
      ++c.segment;
      d["initiationMethod"] = "TRANSFER";
      d["previousContactId"] = contact_id(contact, c.segment - 1);
      event_type = "INITIATED";
      c.ended = false;
      c.enqueued.clear();
      c.agent.clear();
    } else {
      return;
    }
    d["eventType"] = event_type;
    d["contactId"] = contact_id(contact, c.segment);
    if (!c.enqueued.empty() && event_type != "INITIATED") {
      d["queueInfo"] = {{"queueArn", arn("queue", c.queue)}, {"enqueueTimestamp", c.enqueued}};
    }
    if (!c.agent.empty() && event_type != "COMPLETED" && event_type != "INITIATED") {
      d["agentInfo"] = {{"agentArn", arn("agent", c.agent)},
                        {"connectedToAgentTimestamp", c.connected}};
    }
    emit(str(e, "id"), time, std::move(d));
    if (type == "contact.wrapped") contacts_.erase(it);
  });
  return written;
}

}  // namespace ccmon::sim
