// Codec throughput: NDJSON batches (and the same events as a JSON array) of
// simple events decoded by one reusable core::Decoder.
//
// The bodies are built in memory first: a mix of contact.queued,
// contact.answered, contact.ended and agent.state events with UUID-like ids
// and RFC 3339 times, ~170 bytes each, as producers send them.
//   ccmon_codec_bench [events=200000] [batch=1000] [ndjson|json]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "core/codec/codec.hpp"

using namespace ccmon::core;

namespace {

struct Rng {  // deterministic: runs are comparable
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

// Process CPU time: the machine is shared, wall time would count others' work.
double cpu_s() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// One event as a producer writes it (no trailing newline).
std::string event_json(Rng& r, int i) {
  char id[40], contact[40], line[512];
  std::snprintf(id, sizeof id, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(r.next() & 0xffffffffull),
                static_cast<unsigned long long>(r.next() & 0xffff),
                static_cast<unsigned long long>(r.next() & 0xfff),
                static_cast<unsigned long long>(r.next() & 0xffff),
                static_cast<unsigned long long>(r.next() & 0xffffffffffffull));
  std::snprintf(contact, sizeof contact, "c-%012llx",
                static_cast<unsigned long long>(r.next() & 0xffffffffffffull));
  const int s = i % 86400;
  char time[40];
  std::snprintf(time, sizeof time, "2026-11-22T%02d:%02d:%02d.%03dZ", s / 3600, s / 60 % 60, s % 60,
                static_cast<int>(r.next() % 1000));
  const int q = static_cast<int>(r.next() % 100);
  switch (i % 4) {
    case 0:
      std::snprintf(line, sizeof line,
                    R"({"id":"%s","type":"contact.queued","time":"%s","contact":"%s",)"
                    R"("channel":"voice","queue":"queue-%d","priority":2})",
                    id, time, contact, q);
      break;
    case 1:
      std::snprintf(line, sizeof line,
                    R"({"id":"%s","type":"contact.answered","time":"%s","contact":"%s",)"
                    R"("agent":"agent-%d","queue":"queue-%d"})",
                    id, time, contact, q * 7, q);
      break;
    case 2:
      std::snprintf(line, sizeof line,
                    R"({"id":"%s","type":"contact.ended","time":"%s","contact":"%s"})", id, time,
                    contact);
      break;
    default:
      std::snprintf(line, sizeof line,
                    R"({"id":"%s","type":"agent.state","time":"%s","agent":"agent-%d",)"
                    R"("team":"team-%d","state":"available"})",
                    id, time, q * 7, q % 10);
      break;
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  const int events = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int batch = argc > 2 ? std::atoi(argv[2]) : 1000;
  const bool json = argc > 3 && std::string(argv[3]) == "json";
  if (events <= 0 || batch <= 0) return 2;

  Rng r;
  std::vector<std::string> bodies;
  std::size_t bytes = 0;
  for (int i = 0; i < events;) {
    std::string body = json ? "[" : "";
    for (int j = 0; j < batch && i < events; ++j, ++i) {
      if (json && j > 0) body += ',';
      body += event_json(r, i);
      if (!json) body += '\n';
    }
    if (json) body += ']';
    bytes += body.size();
    bodies.push_back(std::move(body));
  }

  Decoder decoder;
  // 2026-11-23T00:00:00Z: after every generated time, and within
  // ingest.max_event_age of all of them, so none is rejected for its time.
  const Timestamp now = seconds(1'795'392'000);
  const BodyFormat format = json ? BodyFormat::kJson : BodyFormat::kNdjson;
  std::size_t decoded = 0, rejected = 0;
  decoder.decode(bodies.front(), format, now);  // warm the parser buffers
  const double c0 = cpu_s();
  for (const std::string& body : bodies) {
    const DecodedBatch b = decoder.decode(body, format, now);
    decoded += b.events.size();
    rejected += b.rejected;
  }
  const double c1 = cpu_s();
  std::printf(
      "decode %s: %zu events (%zu rejected) in batches of %d, %.1f MB, %.3f s CPU = %.0f "
      "events/s per core, %.0f MB/s\n",
      json ? "json" : "ndjson", decoded, rejected, batch, static_cast<double>(bytes) / 1e6, c1 - c0,
      static_cast<double>(decoded) / (c1 - c0), static_cast<double>(bytes) / 1e6 / (c1 - c0));
  return rejected == 0 ? 0 : 1;
}
