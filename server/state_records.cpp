#include "server/state_records.hpp"

#include <bit>
#include <cstring>

namespace ccmon::server::state_records {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_signed(std::string& out, std::int64_t v) {
  put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_double(std::string& out, double d) {
  const auto bits = std::bit_cast<std::uint64_t>(d);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const auto byte = static_cast<std::uint8_t>(take(1)[0]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    throw RecordError("varint longer than 64 bits");
  }
  std::int64_t signed_varint() {
    const std::uint64_t z = varint();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  void string(std::string& into) { into.assign(take(static_cast<std::size_t>(varint()))); }
  double real() {
    const auto p = take(8);
    std::uint64_t bits = 0;
    for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<std::uint8_t>(p[i]);
    return std::bit_cast<double>(bits);
  }
  std::uint8_t byte() { return static_cast<std::uint8_t>(take(1)[0]); }
  bool done() const { return b_.empty(); }
  std::size_t left() const { return b_.size(); }
  // A list's length, each element at least 2 bytes: a damaged length fails
  // here instead of allocating for elements the bytes cannot hold.
  std::size_t count() {
    const std::uint64_t n = varint();
    if (n > b_.size() / 2) throw RecordError("list longer than the bytes left");
    return static_cast<std::size_t>(n);
  }

 private:
  std::string_view take(std::size_t n) {
    if (n > b_.size()) throw RecordError("record truncated");
    auto out = b_.substr(0, n);
    b_.remove_prefix(n);
    return out;
  }
  std::string_view b_;
};

// Presence bits of the optional parts of an event.
enum : std::uint32_t {
  kContact = 1u << 0,
  kCase = 1u << 1,
  kChannel = 1u << 2,
  kQueue = 1u << 3,
  kAgent = 1u << 4,
  kTeam = 1u << 5,
  kCustomer = 1u << 6,
  kToQueue = 1u << 7,
  kToAgent = 1u << 8,
  kToChannel = 1u << 9,
  kReason = 1u << 10,
  kPriority = 1u << 11,
  kAutomated = 1u << 12,
  kValue = 1u << 13,
  kScore = 1u << 14,
  kCsat = 1u << 15,
  kNps = 1u << 16,
  kCes = 1u << 17,
  kContacts = 1u << 18,
  kState = 1u << 19,
  kAllFields = (1u << 20) - 1,
};

struct StringField {
  std::uint32_t bit;
  std::string core::Event::*member;
};
constexpr StringField kStrings[] = {
    {kContact, &core::Event::contact},   {kCase, &core::Event::case_id},
    {kChannel, &core::Event::channel},   {kQueue, &core::Event::queue},
    {kAgent, &core::Event::agent},       {kTeam, &core::Event::team},
    {kCustomer, &core::Event::customer}, {kToQueue, &core::Event::to_queue},
    {kToAgent, &core::Event::to_agent},  {kToChannel, &core::Event::to_channel},
    {kReason, &core::Event::reason},
};

struct IntField {
  std::uint32_t bit;
  std::optional<int> core::Event::*member;
};
constexpr IntField kInts[] = {
    {kCsat, &core::Event::csat}, {kNps, &core::Event::nps}, {kCes, &core::Event::ces}};

}  // namespace

void encode_batch(std::span<const FreshEvent> events, std::string& out) {
  out.push_back(static_cast<char>(RecordType::kBatch));
  put_varint(out, events.size());
  core::Timestamp previous = 0;
  for (const auto& [e, remembered_at] : events) {
    std::uint32_t mask = 0;
    for (const auto& f : kStrings) {
      if (!(e->*f.member).empty()) mask |= f.bit;
    }
    for (const auto& f : kInts) {
      if (e->*f.member) mask |= f.bit;
    }
    if (e->priority) mask |= kPriority;
    if (e->automated) mask |= kAutomated;
    if (e->value) mask |= kValue;
    if (e->score) mask |= kScore;
    if (e->contacts) mask |= kContacts;
    if (e->state) mask |= kState;
    put_string(out, e->id);
    out.push_back(static_cast<char>(e->type));
    put_signed(out, e->time - previous);  // times of a batch are close together
    put_signed(out, remembered_at - e->time);
    previous = e->time;
    put_varint(out, mask);
    for (const auto& f : kStrings) {
      if (mask & f.bit) put_string(out, e->*f.member);
    }
    for (const auto& f : kInts) {
      if (mask & f.bit) put_signed(out, *(e->*f.member));
    }
    if (mask & kPriority) put_signed(out, *e->priority);
    if (mask & kValue) put_double(out, *e->value);
    if (mask & kScore) put_double(out, *e->score);
    if (mask & kContacts) put_signed(out, *e->contacts);
    if (mask & kState) out.push_back(static_cast<char>(*e->state));
  }
}

std::string encode_tick(core::Timestamp now, std::uint8_t what) {
  std::string out;
  out.push_back(static_cast<char>(RecordType::kTick));
  put_signed(out, now);
  out.push_back(static_cast<char>(what));
  return out;
}

Record decode_record(std::string_view bytes) {
  Record rec;
  decode_record(bytes, rec);
  return rec;
}

void decode_record(std::string_view bytes, Record& rec) {
  Reader r(bytes);
  const std::uint8_t type = r.byte();
  if (type == static_cast<std::uint8_t>(RecordType::kTick)) {
    rec.type = RecordType::kTick;
    rec.events.clear();
    rec.remembered_at.clear();
    rec.now = r.signed_varint();
    rec.what = r.byte();
    if (rec.what == 0 || rec.what > (kAdvance | kExpire | kScrape)) {
      throw RecordError("unknown tick kind");
    }
  } else if (type == static_cast<std::uint8_t>(RecordType::kBatch)) {
    rec.type = RecordType::kBatch;
    rec.now = 0;
    rec.what = 0;
    const std::uint64_t n = r.varint();
    if (n > r.left()) throw RecordError("event count beyond the record");  // >= 1 byte each
    // Events of the previous record are overwritten field by field: their
    // strings keep their capacity, so a replay allocates little.
    rec.events.resize(static_cast<std::size_t>(n));
    rec.remembered_at.resize(static_cast<std::size_t>(n));
    core::Timestamp previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
      core::Event& e = rec.events[i];
      r.string(e.id);
      const std::uint8_t t = r.byte();
      if (t >= core::kEventTypeCount) throw RecordError("unknown event type");
      e.type = static_cast<core::EventType>(t);
      e.time = previous + r.signed_varint();
      previous = e.time;
      rec.remembered_at[i] = e.time + r.signed_varint();
      const std::uint64_t mask = r.varint();
      if (mask & ~std::uint64_t{kAllFields}) throw RecordError("unknown event fields");
      for (const auto& f : kStrings) {
        if (mask & f.bit) {
          r.string(e.*f.member);
        } else {
          (e.*f.member).clear();
        }
      }
      for (const auto& f : kInts) {
        if (mask & f.bit) {
          e.*f.member = static_cast<int>(r.signed_varint());
        } else {
          (e.*f.member).reset();
        }
      }
      e.priority.reset();
      if (mask & kPriority) e.priority = r.signed_varint();
      e.automated = (mask & kAutomated) != 0;
      e.value.reset();
      if (mask & kValue) e.value = r.real();
      e.score.reset();
      if (mask & kScore) e.score = r.real();
      e.contacts.reset();
      if (mask & kContacts) e.contacts = r.signed_varint();
      e.state.reset();
      if (mask & kState) {
        const std::uint8_t s = r.byte();
        if (s >= core::kAgentStateCount) throw RecordError("unknown agent state");
        e.state = static_cast<core::AgentState>(s);
      }
    }
  } else {
    std::string what = "unknown record type ";
    what += std::to_string(type);
    throw RecordError(what);
  }
  if (!r.done()) throw RecordError("trailing bytes after the record");
}

std::string encode_extra(const SnapshotExtra& extra) {
  std::string out;
  put_varint(out, extra.sequence);
  put_signed(out, extra.latest_event_time);
  const auto& a = extra.answerers;
  // Once the contacts waiting, for the memory to learn an answer's queue;
  // the engine reports answers with their series now: always none.
  put_varint(out, 0);
  put_varint(out, a.answers.size());
  for (const auto& x : a.answers) {
    put_string(out, x.queue);
    put_string(out, x.channel);
    put_string(out, x.agent);
    put_signed(out, x.at);
  }
  put_varint(out, a.off_since.size());
  for (const auto& [agent, t] : a.off_since) {
    put_string(out, agent);
    put_signed(out, t);
  }
  return out;
}

SnapshotExtra decode_extra(std::string_view bytes) {
  Reader r(bytes);
  SnapshotExtra x;
  x.sequence = r.varint();
  x.latest_event_time = r.signed_varint();
  if (!r.done()) {  // the forecast's memory, in snapshots that carry it
    auto& a = x.answerers;
    // Contacts waiting, in images written before the engine reported
    // answers: its own contact records know them, so they are skipped.
    std::string skipped;
    for (std::size_t n = r.count(); n != 0; --n) {
      for (int i = 0; i < 3; ++i) r.string(skipped);  // contact, queue, channel
      r.signed_varint();                              // queued at
    }
    a.answers.resize(r.count());
    for (auto& answer : a.answers) {
      r.string(answer.queue);
      r.string(answer.channel);
      r.string(answer.agent);
      answer.at = r.signed_varint();
    }
    a.off_since.resize(r.count());
    for (auto& [agent, t] : a.off_since) {
      r.string(agent);
      t = r.signed_varint();
    }
  }
  if (!r.done()) throw RecordError("trailing bytes after the snapshot's own fields");
  return x;
}

}  // namespace ccmon::server::state_records
