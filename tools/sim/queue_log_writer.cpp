#include "tools/sim/queue_log_writer.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/codec/codec.hpp"
#include "tools/sim/native_writer.hpp"

namespace ccmon::sim {
namespace {

using nlohmann::json;

using native::str;

// "1700000000.250": the simulator's millisecond times, as app_queue writes
// epochs (the adapter accepts up to 6 decimals).
std::string epoch(core::Timestamp t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(t / 1'000'000),
                static_cast<long long>((t % 1'000'000) / 1000));
  return buf;
}

std::string whole_seconds(core::Duration d) {
  return std::to_string(d < 0 ? 0 : (d + 500'000) / 1'000'000);
}

}  // namespace

std::size_t QueueLogWriter::convert(std::string_view ndjson, std::string& out) {
  std::size_t written = 0;
  auto line = [&](core::Timestamp t, std::string_view callid, std::string_view queue,
                  std::string_view member, std::string_view verb,
                  std::initializer_list<std::string_view> data) {
    out += epoch(t);
    for (std::string_view f : {callid, queue, member, verb}) {
      out += '|';
      out += f.empty() ? std::string_view("NONE") : f;
    }
    for (std::string_view d : data) {
      out += '|';
      out += d;
    }
    out += '\n';
    ++written;
  };
  native::for_each_event(ndjson, [&](const json& e) {
    core::Timestamp t = 0;
    if (!core::parse_rfc3339(str(e, "time"), t)) return;
    const std::string type = str(e, "type");
    if (type == "agent.state") {
      const std::string agent = str(e, "agent");
      const std::string state = str(e, "state");
      std::string& last = agent_state_[agent];
      const std::string member = "Agent/" + agent;
      if (state == "available" && (last.empty() || last == "offline")) {
        line(t, "", "", member, "AGENTLOGIN", {"Local/" + agent + "@agents"});
      } else if (state == "available" && last == "away") {
        line(t, "", "", member, "UNPAUSEALL", {""});
      } else if (state == "away") {
        line(t, "", "", member, "PAUSEALL", {str(e, "reason")});
      } else if (state == "offline") {
        line(t, "", "", member, "AGENTLOGOFF", {"Local/" + agent + "@agents", "0"});
      }
      last = state;
      return;
    }
    if (!type.starts_with("contact.")) return;
    const std::string contact = str(e, "contact");
    if (type == "contact.queued") {
      if (str(e, "channel") != "voice") return;
      Call& c = calls_[contact];
      c.queue = str(e, "queue");
      c.queued = t;
      line(t, contact, c.queue, "", "ENTERQUEUE", {"", "CALLER", "1"});
      return;
    }
    const auto it = calls_.find(contact);
    if (it == calls_.end()) return;  // not a voice call
    Call& c = it->second;
    if (type == "contact.answered") {
      c.member = "Agent/" + str(e, "agent");
      c.answered = t;
      line(t, contact, c.queue, c.member, "CONNECT",
           {whole_seconds(t - c.queued), contact + ".b", "0"});
    } else if (type == "contact.abandoned") {
      line(t, contact, c.queue, "", "ABANDON", {"1", "1", whole_seconds(t - c.queued)});
      calls_.erase(it);  // a callback queues it again as a new call
    } else if (type == "contact.overflowed") {
      const std::string reason = str(e, "reason");
      const std::string wait = whole_seconds(t - c.queued);
      if (reason == "timeout") {
        line(t, contact, c.queue, "", "EXITWITHTIMEOUT", {"1", "1", wait});
      } else if (reason == "no_agents") {
        line(t, contact, c.queue, "", "EXITEMPTY", {"1", "1", wait});
      } else if (reason == "withdraw") {
        line(t, contact, c.queue, "", "WITHDRAW", {"1", "1", wait, ""});
      } else {
        line(t, contact, c.queue, "", "EXITWITHKEY", {"1", "1", "1", wait});
      }
      calls_.erase(it);
    } else if (type == "contact.transferred") {
      line(t, contact, c.queue, c.member, "TRANSFER",
           {"5550100", "from-internal", whole_seconds(c.answered - c.queued),
            whole_seconds(t - c.answered), "1"});
    } else if (type == "contact.ended") {
      line(t, contact, c.queue, c.member, "COMPLETECALLER",
           {whole_seconds(c.answered - c.queued), whole_seconds(t - c.answered), "1"});
      calls_.erase(it);
    }
  });
  return written;
}

}  // namespace ccmon::sim
