// Many wallboard viewers on ccmond's live feed (GET /v1/live), for the
// 1,000-viewer benchmark (bench/live_bench.py): `--viewers` WebSocket clients
// that read every message, and `--slow` ones that complete the handshake and
// then never read (their socket buffers fill, as a stalled TV's would). For
// each message a reading viewer gets, the delay from the message's `now` to
// its arrival (wall clock) is recorded, so a slow viewer delaying the others
// would show in the fast ones' delays and message counts.
//
//   ccmon_live_viewers --host 127.0.0.1 --port P [--viewers 1000] [--slow 0]
//                      [--seconds 30] [--token T]
// Prints one JSON object: viewers connected, messages per reading viewer
// (min, median), state messages, bytes, delay percentiles (ms).
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string token;
  int viewers = 1000;
  int slow = 0;
  int seconds = 30;
};

struct Totals {
  int connected = 0, failed = 0, closed_early = 0;
  std::vector<std::uint64_t> messages;  // per reading viewer
  std::uint64_t states = 0, bytes = 0;
  std::vector<double> delays_ms;
};

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Seconds since the epoch of the message's "now" ("2026-11-30T10:00:00.000Z"),
// or a negative value when it has none.
double now_of(std::string_view msg) {
  const auto at = msg.find("\"now\":\"");
  if (at == std::string_view::npos || msg.size() < at + 7 + 23) return -1;
  const std::string t(msg.substr(at + 7, 23));
  std::tm tm{};
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const int ms = std::atoi(t.c_str() + 20);
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

class Viewer : public std::enable_shared_from_this<Viewer> {
 public:
  Viewer(asio::io_context& io, const Options& o, bool reads, Totals& totals, double until)
      : ws_(io), options_(o), reads_(reads), totals_(totals), until_(until) {}

  void start(const tcp::resolver::results_type& endpoints) {
    auto& socket = beast::get_lowest_layer(ws_);
    asio::async_connect(socket, endpoints,
                        [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                          self->on_connect(ec);
                        });
  }

  std::uint64_t messages = 0;

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return fail();
    auto& socket = beast::get_lowest_layer(ws_);
    if (!reads_) socket.set_option(asio::socket_base::receive_buffer_size(4096));
    std::string target = "/v1/live";
    if (!options_.token.empty()) target += "?token=" + options_.token;
    ws_.async_handshake(options_.host, target,
                        [self = shared_from_this()](beast::error_code e) { self->on_open(e); });
  }
  void on_open(beast::error_code ec) {
    if (ec) return fail();
    ++totals_.connected;
    if (reads_) read();  // a slow viewer never reads again
  }
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }
  void on_read(beast::error_code ec, std::size_t n) {
    const double arrived = wall_seconds();
    if (ec) {
      if (arrived < until_) ++totals_.closed_early;
      return;
    }
    const auto data = buffer_.data();
    const std::string_view msg(static_cast<const char*>(data.data()), data.size());
    ++messages;
    totals_.bytes += n;
    if (msg.find("\"type\":\"state\"") != std::string_view::npos) ++totals_.states;
    if (const double now = now_of(msg); now > 0) totals_.delays_ms.push_back((arrived - now) * 1e3);
    buffer_.consume(buffer_.size());
    if (arrived < until_) read();
  }
  void fail() { ++totals_.failed; }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  const Options& options_;
  bool reads_;
  Totals& totals_;
  double until_;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--host")
      o.host = v;
    else if (k == "--port")
      o.port = v;
    else if (k == "--token")
      o.token = v;
    else if (k == "--viewers")
      o.viewers = std::atoi(v.c_str());
    else if (k == "--slow")
      o.slow = std::atoi(v.c_str());
    else if (k == "--seconds")
      o.seconds = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "ccmon_live_viewers: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (o.port.empty()) {
    std::fprintf(stderr, "usage: ccmon_live_viewers --port P [--viewers N] [--slow N] ...\n");
    return 2;
  }
  asio::io_context io;
  const auto endpoints = tcp::resolver(io).resolve(o.host, o.port);
  Totals totals;
  const double start = wall_seconds();
  const double until = start + o.seconds;
  std::vector<std::shared_ptr<Viewer>> readers;
  std::vector<std::shared_ptr<Viewer>> all;
  for (int i = 0; i < o.viewers + o.slow; ++i) {
    const bool reads = i < o.viewers;
    auto v = std::make_shared<Viewer>(io, o, reads, totals, until);
    v->start(endpoints);
    if (reads) readers.push_back(v);
    all.push_back(std::move(v));
  }
  asio::steady_timer stop(io, std::chrono::seconds(o.seconds + 1));
  stop.async_wait([&](beast::error_code) { io.stop(); });
  io.run();
  std::vector<double> counts;
  for (const auto& v : readers) counts.push_back(static_cast<double>(v->messages));
  std::vector<double> sorted = counts;
  const double min_messages = sorted.empty() ? 0 : *std::min_element(sorted.begin(), sorted.end());
  const double median_messages = percentile(sorted, 0.5);
  std::printf(
      "{\"viewers\": %d, \"slow\": %d, \"connected\": %d, \"failed\": %d, \"closed_early\": %d, "
      "\"seconds\": %d, \"messages_min\": %.0f, \"messages_median\": %.0f, \"states\": %llu, "
      "\"bytes\": %llu, \"delay_ms_p50\": %.1f, \"delay_ms_p99\": %.1f, \"delay_ms_max\": %.1f}\n",
      o.viewers, o.slow, totals.connected, totals.failed, totals.closed_early, o.seconds,
      min_messages, median_messages, static_cast<unsigned long long>(totals.states),
      static_cast<unsigned long long>(totals.bytes), percentile(totals.delays_ms, 0.5),
      percentile(totals.delays_ms, 0.99), percentile(totals.delays_ms, 1.0));
  return totals.failed == 0 ? 0 : 1;
}
