// Codec throughput: NDJSON batches (and the same events as a JSON array) of
// simple events decoded by one reusable core::Decoder.
//
// The bodies are built in memory first: a mix of contact.queued,
// contact.answered, contact.ended and agent.state events with UUID-like ids
// and RFC 3339 times, ~170 bytes each, as producers send them.
//   ccmon_codec_bench [events=200000] [batch=1000] [ndjson|json]
//
// With --file, the ceiling of issue 12 (docs/benchmarks.md): an NDJSON file
// (the one the daemon is sent) cut into the bodies one connection of
// ccmon_ingest_load sends, then three passes over them, each timed in CPU time:
//   parse       simdjson DOM parse of each line, as core::Decoder does it, and
//               nothing else (no field read, no Event built)
//   parse_many  simdjson's own NDJSON reader over each whole body
//   decode      core::Decoder::decode (parse, validation, core::Event)
//   decode_reused  the same, each body decoded into the events of the one
//               before (Decoder::decode's `reuse`), as the daemon does
//   ccmon_codec_bench --file F [--batch 5000] [--passes 3]
// Prints one JSON line with events/s per core of each (the best of --passes).
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "bench/event_file.hpp"
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

// The --file mode: see the header.
int file_mode(int argc, char** argv) {
  std::string path;
  std::size_t batch = 5000;
  int passes = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--file") {
      path = argv[i + 1];
    } else if (a == "--batch") {
      batch = static_cast<std::size_t>(std::strtoull(argv[i + 1], nullptr, 10));
    } else if (a == "--passes") {
      passes = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "ccmon_codec_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (path.empty() || batch == 0 || passes <= 0) return 2;
  std::vector<std::string> bodies;
  std::size_t events = 0, bytes = 0;
  {
    const auto lines = ccmon::bench::read_lines(path, 0, 0);
    events = lines.size();
    auto frames = ccmon::bench::build_frames(lines, 1, batch);  // one connection's bodies
    for (auto& f : frames[0]) {
      bytes += f.text.size();
      bodies.push_back(std::move(f.text));
    }
  }
  // Time checks off, as in the daemon's event-clock mode: a replayed file is
  // history, and "now" far ahead lets no event be in the future.
  CodecOptions options;
  options.max_event_age = Duration{0};
  const Timestamp now = seconds(4'102'444'800);  // 2100-01-01
  Decoder decoder(options);
  simdjson::dom::parser parser;

  // Each pass returns the events it saw, so that nothing can be skipped.
  auto parse_lines = [&] {
    std::size_t n = 0;
    for (const std::string& body : bodies) {
      const char* p = body.data();
      const char* const end = p + body.size();
      while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
        const char* line_end = nl ? nl : end;
        const auto len = static_cast<std::size_t>(line_end - p);
        // In place when the body pads the line, as the decoder does.
        const bool padded = static_cast<std::size_t>(end - p) >= len + simdjson::SIMDJSON_PADDING;
        simdjson::dom::element doc;
        if (len != 0 && parser.parse(p, len, !padded).get(doc) == simdjson::SUCCESS) ++n;
        p = line_end + 1;
      }
    }
    return n;
  };
  auto parse_many = [&] {
    std::size_t n = 0;
    for (const std::string& body : bodies) {
      simdjson::dom::document_stream stream;
      if (parser.parse_many(body.data(), body.size(), body.size() + 64).get(stream) !=
          simdjson::SUCCESS) {
        continue;
      }
      for (auto doc : stream) {
        if (doc.error() == simdjson::SUCCESS) ++n;
      }
    }
    return n;
  };
  auto decode = [&] {
    std::size_t n = 0;
    for (const std::string& body : bodies) {
      n += decoder.decode(body, BodyFormat::kNdjson, now).events.size();
    }
    return n;
  };
  auto decode_reused = [&] {
    std::size_t n = 0;
    std::vector<IndexedEvent> spare;
    for (const std::string& body : bodies) {
      DecodedBatch b = decoder.decode(body, BodyFormat::kNdjson, now, std::move(spare));
      n += b.events.size();
      spare = std::move(b.events);
    }
    return n;
  };
  struct Pass {
    const char* name;
    std::function<std::size_t()> run;
  };
  const Pass all[] = {{"parse", parse_lines},
                      {"parse_many", parse_many},
                      {"decode", decode},
                      {"decode_reused", decode_reused}};
  std::printf("{\"events\": %zu, \"bodies\": %zu, \"bytes\": %zu, \"batch\": %zu", events,
              bodies.size(), bytes, batch);
  int status = 0;
  for (const Pass& pass : all) {
    double best = 0;
    std::size_t seen = 0;
    for (int i = 0; i < passes; ++i) {
      const double c0 = cpu_s();
      seen = pass.run();
      const double c1 = cpu_s();
      best = std::max(best, static_cast<double>(seen) / (c1 - c0));
    }
    if (seen != events) status = 1;  // every line of the file is a valid event
    std::printf(", \"%s\": {\"events\": %zu, \"events_per_s\": %.0f, \"us_per_event\": %.4f}",
                pass.name, seen, best, 1e6 / best);
  }
  std::printf("}\n");
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--file") return file_mode(argc, argv);
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
