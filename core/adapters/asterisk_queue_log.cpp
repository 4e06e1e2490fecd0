#include "core/adapters/asterisk_queue_log.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace ccmon::core::adapters {
namespace {

// Verbs whose lines carry nothing ccmon counts (docs/adapters.md says why).
constexpr std::array<std::string_view, 8> kIgnoredVerbs = {
    "RINGNOANSWER", "RINGCANCELED", "AGENTDUMP", "CONFIGRELOAD",
    "QUEUESTART",   "SYSCOMPAT",    "PENALTY",   "MEMBERPENALTY"};

constexpr std::size_t kMaxFields = 16;

struct Line {
  std::string_view text;  // the whole line, identity of its event ids
  std::array<std::string_view, kMaxFields> f{};
  std::size_t n = 0;
  std::string_view field(std::size_t i) const { return i < n ? f[i] : std::string_view{}; }
  // callid / queue / agent: "NONE" and "" both mean absent.
  std::string_view named(std::size_t i) const {
    const std::string_view v = field(i);
    return v == "NONE" ? std::string_view{} : v;
  }
};

// "1543602677" or "1543602677.25": Unix seconds -> microseconds. Years 1970..2242.
std::optional<Timestamp> parse_epoch(std::string_view s) {
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (whole.empty() || whole.size() > 10) return std::nullopt;
  std::int64_t secs = 0;
  auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
  if (ec != std::errc{} || p != whole.data() + whole.size() || secs <= 0) return std::nullopt;
  std::int64_t micros = 0;
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 6) return std::nullopt;
    std::int64_t scale = kMicrosPerSecond;
    for (const char c : frac) {
      if (c < '0' || c > '9') return std::nullopt;
      scale /= 10;
      micros += (c - '0') * scale;
    }
  }
  return seconds(secs) + micros;
}

class LineMapper {
 public:
  LineMapper(const Line& line, std::size_t line_no, Timestamp time, const QueueLogOptions& o,
             QueueLogState& state, AdapterBatch& out)
      : line_(line), line_no_(line_no), time_(time), o_(o), state_(state), out_(out) {
    id_prefix_ = o.source + ':' + std::string(line.field(0).substr(0, line.field(0).find('.'))) +
                 ':' + fnv1a64_hex(line.text) + ':';
  }

  void reject(std::string_view code, std::string message) {
    out_.issue(line_no_, RecordOutcome::kRejected, code, std::move(message));
  }

  Event& emit(EventType type, Timestamp at) {
    Event e;
    e.id = id_prefix_ + std::to_string(emitted_++);
    e.type = type;
    e.time = at;
    out_.events.push_back(std::move(e));
    return out_.events.back();
  }

  Event& contact_event(EventType type, Timestamp at) {
    Event& e = emit(type, at);
    e.contact = contact_;
    e.queue = std::string(line_.named(2));
    e.channel = "voice";
    return e;
  }

  // Emits agent.state unless the agent's remembered state already is `s`.
  void agent_state(AgentState s, Timestamp at, std::string_view reason = {}) {
    QueueLogState::Agent* a = remembered_agent();
    if (a && a->last_state == static_cast<int>(s)) return;
    if (a) a->last_state = static_cast<int>(s);
    Event& e = emit(EventType::kAgentState, at);
    e.agent = agent_;
    e.state = s;
    e.reason = std::string(reason);
  }

  QueueLogState::Agent* remembered_agent() {
    auto it = state_.agents.find(agent_);
    if (it != state_.agents.end()) return &it->second;
    if (state_.agents.size() >= QueueLogState::kMaxAgents) return nullptr;
    return &state_.agents[agent_];
  }

  // Checks and copies the call id and agent; false after a rejection.
  bool prepare() {
    const std::string_view callid = line_.named(1);
    const std::string_view queue = line_.named(2);
    const std::string_view member = line_.named(3);
    for (const auto& [name, v] :
         {std::pair{"callid", callid}, std::pair{"queue", queue}, std::pair{"agent", member}}) {
      if (v.size() > kMaxNameBytes) {
        reject("field_too_long", std::string("field `") + name + "`: " + std::to_string(v.size()) +
                                     " bytes, more than " + std::to_string(kMaxNameBytes));
        return false;
      }
      if (!valid_name_text(v)) {
        reject("invalid_text",
               std::string("field `") + name + "`: not UTF-8 or holds a control character");
        return false;
      }
    }
    // The contact id "<source>:<callid>" must fit events.md's 128 bytes too.
    const std::size_t max_callid = max_native_id_bytes(o_.source);
    if (callid.size() > max_callid) {
      reject("field_too_long", "field `callid`: " + std::to_string(callid.size()) +
                                   " bytes, more than " + std::to_string(max_callid) +
                                   " (the contact id is <source>:<callid>, at most " +
                                   std::to_string(kMaxIdBytes) + ")");
      return false;
    }
    if (!callid.empty()) contact_ = o_.source + ':' + std::string(callid);
    agent_ = queue_log_agent_id(member, o_.strip_member_technology);
    return true;
  }

  bool require(bool ok, std::string_view name) {
    if (!ok)
      reject("missing_field", std::string("verb ") + std::string(line_.field(4)) +
                                  " needs field `" + std::string(name) + "`");
    return ok;
  }
  bool need_call() { return require(!contact_.empty(), "callid"); }
  bool need_queue() { return require(!line_.named(2).empty(), "queue"); }
  bool need_agent() { return require(!agent_.empty(), "agent"); }

  void map() {
    const std::string_view verb = line_.field(4);
    if (std::find(kIgnoredVerbs.begin(), kIgnoredVerbs.end(), verb) != kIgnoredVerbs.end()) {
      out_.note(RecordOutcome::kIgnored);
      return;
    }
    if (!prepare()) return;
    const std::size_t before = out_.events.size();
    if (!dispatch(verb)) return;  // unknown or rejected: already counted
    out_.note(out_.events.size() > before ? RecordOutcome::kMapped : RecordOutcome::kIgnored);
  }

 private:
  // false when the line was counted here (unknown verb, rejection).
  bool dispatch(std::string_view verb) {
    if (verb == "ENTERQUEUE") {
      if (!need_call() || !need_queue()) return false;
      contact_event(EventType::kContactQueued, time_);
    } else if (verb == "CONNECT") {
      if (!need_call() || !need_agent()) return false;
      contact_event(EventType::kContactAnswered, time_).agent = agent_;
      agent_state(AgentState::kBusy, time_);
    } else if (verb == "COMPLETECALLER" || verb == "COMPLETEAGENT") {
      if (!need_call()) return false;
      contact_event(EventType::kContactEnded, time_).agent = agent_;
      if (!agent_.empty() && o_.wrapup > 0) agent_state(AgentState::kWrapUp, time_);
      contact_event(EventType::kContactWrapped, time_ + o_.wrapup).agent = agent_;
      if (!agent_.empty()) agent_state(AgentState::kAvailable, time_ + o_.wrapup);
    } else if (verb == "ABANDON") {
      if (!need_call()) return false;
      contact_event(EventType::kContactAbandoned, time_);
    } else if (verb == "EXITWITHTIMEOUT" || verb == "EXITEMPTY" || verb == "EXITWITHKEY" ||
               verb == "WITHDRAW") {
      if (!need_call()) return false;
      contact_event(EventType::kContactOverflowed, time_).reason =
          verb == "EXITWITHTIMEOUT" ? "timeout"
          : verb == "EXITEMPTY"     ? "no_agents"
          : verb == "EXITWITHKEY"   ? "key"
                                    : "withdraw";
    } else if (verb == "TRANSFER" || verb == "BLINDTRANSFER" || verb == "ATTENDEDTRANSFER") {
      if (!need_call()) return false;
      contact_event(EventType::kContactTransferred, time_).agent = agent_;
      if (!agent_.empty()) agent_state(AgentState::kAvailable, time_);
    } else if (verb == "AGENTLOGIN" || verb == "AGENTCALLBACKLOGIN") {
      if (!need_agent()) return false;
      agent_state(AgentState::kAvailable, time_);
    } else if (verb == "AGENTLOGOFF" || verb == "AGENTCALLBACKLOGOFF") {
      if (!need_agent()) return false;
      if (QueueLogState::Agent* a = remembered_agent()) a->queues.clear();
      agent_state(AgentState::kOffline, time_);
    } else if (verb == "ADDMEMBER") {
      if (!need_agent() || !need_queue()) return false;
      QueueLogState::Agent* a = remembered_agent();
      if (a) add_queue(*a);
      // Joining one more queue changes nothing for an agent already working.
      if (!a || a->last_state < 0 || a->last_state == static_cast<int>(AgentState::kOffline)) {
        agent_state(AgentState::kAvailable, time_);
      }
    } else if (verb == "REMOVEMEMBER") {
      if (!need_agent() || !need_queue()) return false;
      QueueLogState::Agent* a = remembered_agent();
      if (a) std::erase(a->queues, line_.named(2));
      if (!a || a->queues.empty()) agent_state(AgentState::kOffline, time_);
    } else if (verb == "PAUSE" || verb == "PAUSEALL") {
      if (!need_agent()) return false;
      const std::string_view reason = line_.field(5);
      if (reason.size() > kMaxNameBytes || !valid_name_text(reason)) {
        reject("invalid_reason", "pause reason (data1): longer than " +
                                     std::to_string(kMaxNameBytes) +
                                     " bytes, not UTF-8 or a control character");
        return false;
      }
      agent_state(AgentState::kAway, time_, reason);
    } else if (verb == "UNPAUSE" || verb == "UNPAUSEALL") {
      if (!need_agent()) return false;
      agent_state(AgentState::kAvailable, time_);
    } else {
      out_.issue(line_no_, RecordOutcome::kUnknown, verb,
                 "unknown verb " + std::string(verb.substr(0, kMaxCodeBytes)));
      return false;
    }
    return true;
  }

  void add_queue(QueueLogState::Agent& a) {
    const std::string_view q = line_.named(2);
    if (std::find(a.queues.begin(), a.queues.end(), q) != a.queues.end()) return;
    if (a.queues.size() < QueueLogState::kMaxQueuesPerAgent) a.queues.emplace_back(q);
  }

  const Line& line_;
  std::size_t line_no_;
  Timestamp time_;
  const QueueLogOptions& o_;
  QueueLogState& state_;
  AdapterBatch& out_;
  std::string id_prefix_;
  std::string contact_;
  std::string agent_;
  int emitted_ = 0;
};

}  // namespace

std::string queue_log_agent_id(std::string_view member, bool strip_technology) {
  if (member == "NONE") return {};
  if (!strip_technology) return std::string(member);
  const std::size_t slash = member.find('/');
  if (slash == std::string_view::npos) return std::string(member);
  std::string_view id = member.substr(slash + 1);
  id = id.substr(0, id.find('@'));
  return std::string(id);
}

void map_queue_log_line(std::string_view text, std::size_t line_no, const QueueLogOptions& options,
                        QueueLogState& state, AdapterBatch& out) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    out.note(RecordOutcome::kIgnored);
    return;
  }
  if (!valid_source_name(options.source)) {
    out.issue(line_no, RecordOutcome::kRejected, "invalid_source",
              "the source name must be 1..32 bytes of [A-Za-z0-9_.-]");
    return;
  }
  if (text.size() > options.max_line_bytes) {
    out.issue(line_no, RecordOutcome::kRejected, "line_too_long",
              "line of " + std::to_string(text.size()) + " bytes, more than " +
                  std::to_string(options.max_line_bytes));
    return;
  }
  Line line;
  line.text = text;
  std::size_t start = 0;
  while (line.n < kMaxFields) {
    const std::size_t bar = text.find('|', start);
    line.f[line.n++] = text.substr(start, bar == std::string_view::npos ? bar : bar - start);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (line.n < 5 || line.field(4).empty()) {
    out.issue(line_no, RecordOutcome::kRejected, "missing_field",
              "a queue_log line has at least 5 '|'-separated fields "
              "(epoch|callid|queue|agent|verb)");
    return;
  }
  const std::string_view verb = line.field(4);
  const bool verb_ok =
      verb.size() <= kMaxCodeBytes && std::all_of(verb.begin(), verb.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
      });
  if (!verb_ok) {
    out.issue(line_no, RecordOutcome::kRejected, "invalid_verb",
              "field `verb`: more than 32 bytes or not [A-Za-z0-9_]");
    return;
  }
  const std::optional<Timestamp> time = parse_epoch(line.field(0));
  if (!time) {
    out.issue(line_no, RecordOutcome::kRejected, "invalid_time",
              "field `epoch`: not Unix seconds (digits, optional fraction up to 6 digits)");
    return;
  }
  LineMapper(line, line_no, *time, options, state, out).map();
}

AdapterBatch map_queue_log(std::string_view bytes, const QueueLogOptions& options,
                           QueueLogState& state) {
  AdapterBatch out;
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < bytes.size()) {
    const std::size_t nl = bytes.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? bytes.size() : nl;
    map_queue_log_line(bytes.substr(start, end - start), ++line_no, options, state, out);
    start = end + 1;
  }
  return out;
}

}  // namespace ccmon::core::adapters
