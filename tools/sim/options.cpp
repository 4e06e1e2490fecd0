#include "tools/sim/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/codec/codec.hpp"

namespace ccmon::sim {

const char* const kHelp = R"(Usage: ccmon-sim [OPTIONS]

Simulates a contact center (queues, channels, agents, customers) and emits
its ccmon events (docs/events.md). docs/simulator.md describes the model.

Output (one of):
  --out FILE|-          write NDJSON to FILE, or to standard output
  --url URL             send to a daemon: ws://HOST:PORT/v1/stream (WebSocket,
                        one frame per batch) or http://HOST:PORT/v1/events
                        (one POST per batch). Unacknowledged batches are resent
                        after a reconnect; nothing is dropped. Or produce to
                        Kafka: kafka://BROKER[,BROKER...]/TOPIC, one message
                        per event keyed as docs/kafka.md says (ccmon format).
Time:
  --speed S             realtime (event times = wall clock, paced), a factor N
                        (N times faster than real time) or max (as fast as
                        possible). Default: realtime with --url, max with --out.
  --start TIME          simulated start, RFC 3339 or Unix seconds. Default:
                        now for realtime, now - duration x (1 - 1/N) for N,
                        now - duration for max, so that no event is ever ahead
                        of the wall clock.
  --duration D          simulated length: 8h (default), 90m, 1h30m, 45s, 2d
Model:
  --seed N              random seed (default 1); same seed, same events
  --agents N            agents (default 40)
  --queues N|LIST       number of queues (default 4: sales,support,billing,vip)
                        or a comma-separated list of names
  --rate X              scale of the arrival rate (default 1: about 80 % load
                        at the peak of the day)
  --steady R,AHT,P      instead of the day: one voice queue (the first of
                        --queues) as the M/M/N+M queue of Erlang A: Poisson
                        arrivals at R per second, exponential handle time of
                        mean AHT s and patience of mean P s, --agents agents
                        always logged in, first come first served
Transport:
  --batch N             events per frame / request (default 500)
  --window N            WebSocket frames in flight before waiting (default 64)
  --token TOKEN         send Authorization: Bearer TOKEN
  --give-up D           fail after retrying a daemon this long (default 10m)
Report:
  --format ccmon|queue_log|connect|twilio
                        ccmon events as NDJSON (default); the Asterisk
                        queue_log a PBX would write for the same voice calls;
                        Amazon Connect contact events as EventBridge sends
                        them, or Twilio TaskRouter Event Streams CloudEvents,
                        one a line (native formats with --out only;
                        docs/simulator.md)
  --summary             print per queue x channel counts as JSON at the end
                        (to standard error when --out - is used)
  --help                show this help

Exit status: 0 done, 1 fatal error (daemon gone past --give-up, 4xx answer),
2 bad command line, 3 the daemon rejected some events.
)";

namespace {

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  // from_chars for double is in libstdc++ 11+.
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(out);
}

std::vector<std::string> split_names(std::string_view s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= s.size()) {
    const std::size_t comma = s.find(',', from);
    const std::size_t to = comma == std::string_view::npos ? s.size() : comma;
    out.emplace_back(s.substr(from, to - from));
    from = to + 1;
  }
  return out;
}

}  // namespace

std::optional<core::Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  core::Duration total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i) return std::nullopt;
    std::int64_t n = 0;
    if (!parse_number(text.substr(i, j - i), n) || n > 1'000'000'000) return std::nullopt;
    std::size_t k = j;
    while (k < text.size() && text[k] >= 'a' && text[k] <= 'z') ++k;
    const std::string_view unit = text.substr(j, k - j);
    core::Duration scale = 0;
    if (unit == "ms") scale = 1000;
    if (unit == "s") scale = core::seconds(1);
    if (unit == "m") scale = core::minutes(1);
    if (unit == "h") scale = core::hours(1);
    if (unit == "d") scale = core::hours(24);
    if (scale == 0) return std::nullopt;
    total += n * scale;
    i = k;
  }
  if (total <= 0) return std::nullopt;
  return total;
}

ParsedOptions parse_options(const std::vector<std::string_view>& args) {
  ParsedOptions parsed;
  Options& o = parsed.options;
  bool speed_given = false;
  auto fail = [&](std::string message) {
    parsed.error = std::move(message);
    return parsed;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg == "--summary") {
      o.summary = true;
      continue;
    }
    if (i + 1 >= args.size())
      return fail("unknown option or missing value: `" + std::string(arg) + "`");
    const std::string_view v = args[++i];
    const std::string value(v);
    if (arg == "--out") {
      o.out = value;
    } else if (arg == "--url") {
      if (v.starts_with("kafka://")) {
        const auto slash = v.find('/', 8);
        // Every broker HOST:PORT, as ingest.kafka.brokers asks.
        bool ports = slash != std::string_view::npos && slash > 8;
        for (std::size_t at = 8; ports && at < slash;) {
          const std::size_t end = std::min(v.find(',', at), slash);
          const auto broker = v.substr(at, end - at);
          const auto colon = broker.rfind(':');
          ports = colon != std::string_view::npos && colon > 0 && colon + 1 < broker.size();
          at = end + 1;
        }
        if (!ports || slash + 1 == v.size()) {
          return fail("--url kafka:// takes kafka://HOST:PORT[,HOST:PORT...]/TOPIC, not `" + value +
                      "`");
        }
      } else if (!v.starts_with("ws://") && !v.starts_with("http://")) {
        return fail(
            "--url must start with ws://, http:// or kafka:// (TLS is not supported), not `" +
            value + "`");
      }
      o.url = value;
    } else if (arg == "--speed") {
      speed_given = true;
      if (v == "realtime") {
        o.speed = Speed::kRealtime;
      } else if (v == "max") {
        o.speed = Speed::kMax;
      } else if (double f = 0; parse_double(v, f) && f > 0) {
        o.speed = f == 1 ? Speed::kRealtime : Speed::kFactor;
        o.factor = f;
      } else {
        return fail("--speed must be realtime, max or a positive number, not `" + value + "`");
      }
    } else if (arg == "--start") {
      core::Timestamp t = 0;
      double secs = 0;
      if (core::parse_rfc3339(v, t)) {
        o.start = t;
      } else if (parse_double(v, secs)) {
        o.start = static_cast<core::Timestamp>(std::llround(secs * 1e6));
      } else {
        return fail("--start must be RFC 3339 with an offset or Unix seconds, not `" + value + "`");
      }
    } else if (arg == "--duration") {
      const auto d = parse_duration(v);
      if (!d) return fail("--duration must be like 8h, 90m, 1h30m or 45s, not `" + value + "`");
      o.sim.duration = *d;
    } else if (arg == "--give-up") {
      const auto d = parse_duration(v);
      if (!d) return fail("--give-up must be like 10m or 30s, not `" + value + "`");
      o.give_up = *d;
    } else if (arg == "--seed") {
      if (!parse_number(v, o.sim.seed)) return fail("--seed must be an unsigned integer");
    } else if (arg == "--agents") {
      if (!parse_number(v, o.sim.agents)) return fail("--agents must be an integer");
    } else if (arg == "--queues") {
      int n = 0;
      if (parse_number(v, n)) {
        if (n < 1 || n > 64) return fail("--queues must be 1..64 or a list of names");
        o.sim.queues = default_queue_names(n);
      } else {
        o.sim.queues = split_names(v);
      }
    } else if (arg == "--rate") {
      if (!parse_double(v, o.sim.rate)) return fail("--rate must be a number");
    } else if (arg == "--steady") {
      const auto parts = split_names(v);
      SteadyModel s;
      if (parts.size() != 3 || !parse_double(parts[0], s.arrivals_per_second) ||
          !parse_double(parts[1], s.handle_seconds) ||
          !parse_double(parts[2], s.patience_seconds)) {
        return fail("--steady must be RATE,AHT,PATIENCE (e.g. 0.1,180,120)");
      }
      o.sim.steady = s;
    } else if (arg == "--batch") {
      if (!parse_number(v, o.batch) || o.batch == 0)
        return fail("--batch must be a positive integer");
    } else if (arg == "--window") {
      if (!parse_number(v, o.window) || o.window == 0 || o.window > 1000) {
        return fail("--window must be 1..1000");  // the daemon reads at most 1024 ahead
      }
    } else if (arg == "--format") {
      if (v == "ccmon") {
        o.format = Options::Format::kCcmon;
      } else if (v == "queue_log") {
        o.format = Options::Format::kQueueLog;
      } else if (v == "connect") {
        o.format = Options::Format::kConnect;
      } else if (v == "twilio") {
        o.format = Options::Format::kTwilio;
      } else {
        return fail("--format must be ccmon, queue_log, connect or twilio, not `" + value + "`");
      }
    } else if (arg == "--token") {
      o.token = value;
    } else {
      return fail("unknown option `" + std::string(arg) + "`");
    }
  }
  if (o.help) return parsed;
  if (o.out.empty() == o.url.empty()) return fail("give exactly one of --out and --url");
  if (o.format == Options::Format::kQueueLog && o.out.empty()) {
    return fail(
        "--format queue_log writes a file (--out): have ccmond follow it "
        "(adapters.asterisk_queue_log.files) or POST it to /v1/adapters/asterisk/queue_log");
  }
  if (o.url.starts_with("kafka://") && o.format != Options::Format::kCcmon) {
    return fail("--url kafka:// sends ccmon events (--format ccmon)");
  }
  if (!speed_given && !o.url.empty()) o.speed = Speed::kRealtime;
  if (const std::string problem = validate(o.sim); !problem.empty()) return fail(problem);
  return parsed;
}

core::Timestamp resolve_start(const Options& options, core::Timestamp now) {
  core::Timestamp start = now;
  if (options.start) {
    start = *options.start;
  } else if (options.speed == Speed::kMax) {
    start = now - options.sim.duration;
  } else if (options.speed == Speed::kFactor && options.factor > 1) {
    start = now - static_cast<core::Duration>(static_cast<double>(options.sim.duration) *
                                              (1.0 - 1.0 / options.factor));
  }
  const core::Timestamp ms = 1000;
  return (start >= 0 ? start / ms : (start - ms + 1) / ms) * ms;
}

}  // namespace ccmon::sim
