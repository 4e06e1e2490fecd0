// Latency probes against a running ccmond (load comes from ccmon_ingest_load).
//
//   ccmon_http_probe scrape --url http://H:P [--count 30] [--interval-ms 200]
//     GET /metrics `count` times: latency to the last body byte, body size,
//     number of series (sample lines).
//   ccmon_http_probe fresh --url http://H:P --time UNIX_S [--count 100]
//                          [--interval-ms 50] [--tag T]
//     freshness: POST a marker event (contact.queued in a new queue
//     "marker-T-k") and, without waiting for its answer, GET /metrics on a
//     second connection until a series of that queue appears. Measured from
//     just before the POST is written to the scrape that shows it.
//
// Prints one JSON line with p50 / p99 / max in milliseconds (nearest rank).
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string mode, host, port, tag = "m";
  int count = 30, interval_ms = 200;
  double time = 0;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "ccmon_http_probe: %s\nusage: ccmon_http_probe scrape|fresh --url http://H:P "
               "[--count N] [--interval-ms M] [--time UNIX_S] [--tag T]\n",
               why);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  if (argc < 2) usage("missing mode");
  Options o;
  o.mode = argv[1];
  if (o.mode != "scrape" && o.mode != "fresh") usage("mode is scrape or fresh");
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--url") {
      if (v.rfind("http://", 0) != 0) usage("--url must be http://HOST:PORT");
      const std::string auth = v.substr(7, v.find('/', 7) - 7);
      o.host = auth.substr(0, auth.rfind(':'));
      o.port = auth.substr(auth.rfind(':') + 1);
    } else if (a == "--count") {
      o.count = std::atoi(v.c_str());
    } else if (a == "--interval-ms") {
      o.interval_ms = std::atoi(v.c_str());
    } else if (a == "--time") {
      o.time = std::strtod(v.c_str(), nullptr);
    } else if (a == "--tag") {
      o.tag = v;
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.host.empty() || o.count <= 0) usage("--url is required, --count > 0");
  if (o.mode == "fresh" && o.time <= 0) usage("fresh needs --time (the markers' event time)");
  return o;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Nearest rank: the smallest sample with at least p of them at or below it.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::max<std::size_t>(rank, 1) - 1];
}

class Client {
 public:
  Client(asio::io_context& io, const Options& o) : o_(o), stream_(io) {
    tcp::resolver resolver(io);
    stream_.connect(resolver.resolve(o.host, o.port));
    stream_.socket().set_option(tcp::no_delay(true));
    // Beast reads min(max(512, free space), 64 KiB) per read_some, and the
    // parser consumes every read, so a fresh buffer stays at 512 bytes: a
    // 6.5 MB body took 12,700 recv() calls (strace), and the probe timed
    // itself (docs/benchmarks.md, section 4). 64 KiB is Beast's cap per read.
    buffer_.reserve(1u << 16);
  }
  void send_get(const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, o_.host + ":" + o_.port);
    http::write(stream_, req);
  }
  void send_post(const std::string& target, const std::string& body) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, o_.host + ":" + o_.port);
    req.set(http::field::content_type, "application/x-ndjson");
    req.body() = body;
    req.prepare_payload();
    http::write(stream_, req);
  }
  http::response<http::string_body> receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(1u << 30);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

 private:
  const Options& o_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// The daemon's answer {"accepted":1,...} (spaces allowed after the colon).
bool accepted_one(const std::string& body) {
  std::size_t at = body.find("\"accepted\":");
  if (at == std::string::npos) return false;
  at += 11;
  while (at < body.size() && body[at] == ' ') ++at;
  return at + 1 < body.size() && body[at] == '1' && (body[at + 1] < '0' || body[at + 1] > '9');
}

std::size_t count_samples(const std::string& body) {
  std::size_t n = 0;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    if (end > at && body[at] != '#') ++n;
    at = end + 1;
  }
  return n;
}

int scrape(const Options& o) {
  asio::io_context io;
  Client client(io, o);
  std::vector<double> ms;
  std::size_t bytes = 0, series = 0;
  for (int i = 0; i < o.count; ++i) {
    const auto t0 = Clock::now();
    client.send_get("/metrics");
    const auto res = client.receive();
    ms.push_back(ms_since(t0));
    if (res.result() != http::status::ok) {
      std::fprintf(stderr, "ccmon_http_probe: GET /metrics answered %u\n", res.result_int());
      return 1;
    }
    bytes = res.body().size();
    series = count_samples(res.body());
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
  }
  std::printf(
      "{\"samples\": %zu, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"bytes\": %zu, "
      "\"series\": %zu}\n",
      ms.size(), percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0), bytes, series);
  return 0;
}

int fresh(const Options& o) {
  asio::io_context io;
  Client poster(io, o), scraper(io, o);
  std::vector<double> ms;
  std::size_t polls = 0;
  char time_text[32];
  std::snprintf(time_text, sizeof time_text, "%.3f", o.time);
  for (int k = 0; k < o.count; ++k) {
    const std::string queue = "marker-" + o.tag + "-" + std::to_string(k);
    const std::string body =
        "{\"id\":\"" + queue + "\",\"type\":\"contact.queued\",\"time\":" + time_text +
        ",\"contact\":\"" + queue + "\",\"channel\":\"voice\",\"queue\":\"" + queue + "\"}\n";
    const std::string needle = "queue=\"" + queue + "\"";
    const auto t0 = Clock::now();
    poster.send_post("/v1/events", body);
    for (;;) {
      scraper.send_get("/metrics");
      const auto res = scraper.receive();
      ++polls;
      if (res.body().find(needle) != std::string::npos) break;
      if (ms_since(t0) > 30'000) {
        std::fprintf(stderr, "ccmon_http_probe: marker %s never appeared\n", queue.c_str());
        return 1;
      }
    }
    ms.push_back(ms_since(t0));
    const auto answer = poster.receive();
    if (answer.result() != http::status::ok || !accepted_one(answer.body())) {
      std::fprintf(stderr, "ccmon_http_probe: marker not accepted: %s\n", answer.body().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
  }
  std::printf(
      "{\"samples\": %zu, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, "
      "\"polls_per_sample\": %.1f}\n",
      ms.size(), percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0),
      static_cast<double>(polls) / static_cast<double>(ms.size()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    return o.mode == "scrape" ? scrape(o) : fresh(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ccmon_http_probe: %s\n", e.what());
    return 1;
  }
}
