// Load generator for ccmond's ingestion: WebSocket /v1/stream or HTTP
// POST /v1/events, several connections, pipelined frames with a window of
// unacknowledged ones, every frame built in memory before the clock starts.
//
//   ccmon_ingest_load --url ws://127.0.0.1:PORT/v1/stream --file day.ndjson
//                     [--skip N] [--limit N] [--batch 500] [--connections 4]
//                     [--window 64] [--threads 1] [--rate EVENTS_PER_S]
//                     [--body ndjson|array] [--content-type T] [--header "K: V"]...
//                     [--twilio-token T] [--write-buffer BYTES]
//
// For the adapter endpoints (docs/adapters.md) the file holds native records,
// one a line (ccmon-sim --format queue_log|connect|twilio): `--body array`
// sends each frame's lines as a JSON array (Connect, Twilio Event Streams),
// `--content-type` and `--header` set what the endpoint wants, and
// `--twilio-token` signs each request as Twilio does for an Event Streams
// body (bodySHA256 in the URL, X-Twilio-Signature over the URL).
// `--write-buffer` is the WebSocket client's write buffer, the largest
// frame it sends (Beast masks a message through it and, with automatic
// fragmentation on, as by default, sends a frame of at most that payload
// per write): 1 MiB by default, so that a message up to 1 MiB goes out as
// one frame in one write, as Python's websockets library sends it. With
// 4096, Beast's default, a message of 500 events (about 73 KB) goes out as
// some 18 frames, and ccmond reads it in about 36 pieces
// (docs/benchmarks.md, "Analysis of the misses"). WebSocket URLs only.
// Prints one JSON line: events, frames, seconds, events_per_s, and what the
// replies said (accepted, duplicates, rejected, retries). SIGTERM / SIGINT
// stop early and still print it (used for background load).
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/event_file.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ccmon::bench::Frame;

namespace {

struct Options {
  std::string url, file;
  std::size_t skip = 0, limit = 0, batch = 500, connections = 4, window = 64, threads = 1;
  std::size_t write_buffer = std::size_t{1} << 20;  // WebSocket: the largest frame's payload
  double rate = 0;     // events/s over all connections; 0 = as fast as acknowledged
  bool array = false;  // --body array: a frame is a JSON array of its lines
  std::string content_type = "application/x-ndjson", twilio_token;
  std::vector<std::string> headers;  // "Name: value", as given
};

struct Url {
  bool websocket = true;
  std::string host, port, target;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "ccmon_ingest_load: %s\nusage: ccmon_ingest_load --url ws://H:P/v1/stream|"
               "http://H:P/v1/events --file F [--skip N] [--limit N] [--batch N] "
               "[--connections N] [--window N] [--threads N] [--rate EV/S] [--body ndjson|array] "
               "[--content-type T] [--header \"K: V\"] [--twilio-token T] [--write-buffer BYTES]\n",
               why);
  std::exit(2);
}

Url parse_url(const std::string& url) {
  Url u;
  std::string rest;
  if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else if (url.rfind("http://", 0) == 0) {
    u.websocket = false;
    rest = url.substr(7);
  } else {
    usage("--url must start with ws:// or http://");
  }
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos) usage("--url needs HOST:PORT");
  u.host = authority.substr(0, colon);
  u.port = authority.substr(colon + 1);
  return u;
}

// Reply counters: a few fields of the daemon's JSON answer, found by name
// (the sink's fixed ack has them too). Cheap next to what the daemon does.
struct Counts {
  std::uint64_t frames = 0, events = 0, accepted = 0, duplicates = 0, rejected = 0, retries = 0;
  void add(const Counts& o) {
    frames += o.frames;
    events += o.events;
    accepted += o.accepted;
    duplicates += o.duplicates;
    rejected += o.rejected;
    retries += o.retries;
  }
};

std::uint64_t number_after(std::string_view s, std::string_view key) {
  const std::size_t at = s.find(key);
  if (at == std::string_view::npos) return 0;
  std::uint64_t v = 0;
  const char* p = s.data() + at + key.size();
  while (p < s.data() + s.size() && *p == ' ') ++p;
  std::from_chars(p, s.data() + s.size(), v);
  return v;
}

void count_reply(std::string_view reply, Counts& c) {
  c.accepted += number_after(reply, "\"accepted\":");
  c.duplicates += number_after(reply, "\"duplicates\":");
  // Adapter answers count their rejections (records and events) here.
  if (reply.find("\"rejected_total\":") != std::string_view::npos) {
    c.rejected += number_after(reply, "\"rejected_total\":");
    return;
  }
  for (std::size_t at = reply.find("\"index\""); at != std::string_view::npos;
       at = reply.find("\"index\"", at + 1)) {
    ++c.rejected;
  }
}

// "a\nb\n" -> "[a,b]": the lines of a frame as one JSON array.
std::string json_array(const std::string& lines) {
  std::string out = "[";
  std::size_t pos = 0;
  while (pos < lines.size()) {
    std::size_t nl = lines.find('\n', pos);
    if (nl == std::string::npos) nl = lines.size();
    if (nl > pos) {
      if (out.size() > 1) out += ',';
      out.append(lines, pos, nl - pos);
    }
    pos = nl + 1;
  }
  out += ']';
  return out;
}

std::string sha256_hex(const std::string& body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// base64(HMAC-SHA1(token, url)): Twilio's signature of a JSON body's request,
// whose parameters are in the URL (docs/adapters.md, "Signature").
std::string twilio_signature(const std::string& token, const std::string& url) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(url.data()), url.size(), mac, &len);
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Shared by every connection: the start barrier and the end.
struct Run {
  Options opt;
  Url url;
  tcp::endpoint endpoint;
  std::atomic<std::size_t> ready{0}, finished{0};
  std::atomic<bool> failed{false};
  Clock::time_point start{}, end{};
  std::clock_t cpu_start = 0, cpu_end = 0;  // our own CPU, all threads, while measuring
  std::vector<asio::io_context*> ios;
  std::vector<std::function<void()>> starters;  // one per connection, posted at the barrier
  std::mutex mutex;

  void on_ready() {
    if (++ready == opt.connections) {
      start = Clock::now();
      cpu_start = std::clock();
      for (auto& s : starters) s();
    }
  }
  void on_finished() {
    if (++finished == opt.connections) {
      end = Clock::now();
      cpu_end = std::clock();
      for (auto* io : ios) io->stop();
    }
  }
  void fail(const char* what, const beast::error_code& ec) {
    std::fprintf(stderr, "ccmon_ingest_load: %s: %s\n", what, ec.message().c_str());
    failed = true;
    end = Clock::now();
    cpu_end = std::clock();
    for (auto* io : ios) io->stop();
  }
};

// Common to both transports: which frame goes next, the window, the pace.
class Connection {
 public:
  Connection(Run& run, asio::io_context& io, std::vector<Frame> frames)
      : run_(run), frames_(std::move(frames)), timer_(io) {
    per_connection_rate_ = run.opt.rate / static_cast<double>(run.opt.connections);
  }
  virtual ~Connection() = default;
  const Counts& counts() const { return counts_; }

 protected:
  // Index of the next frame to send, or nullopt when the window is full, the
  // pace says wait (a timer calls pump() again) or everything was sent.
  std::optional<std::size_t> next_frame() {
    if (!retry_.empty()) {
      const std::size_t i = retry_.front();
      retry_.pop_front();
      return i;
    }
    if (next_ >= frames_.size() || next_ - counts_.frames >= run_.opt.window) return {};
    if (per_connection_rate_ > 0) {
      const auto due =
          run_.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                           static_cast<double>(events_sent_) / per_connection_rate_));
      if (due > Clock::now()) {
        if (!timer_armed_) {
          timer_armed_ = true;
          timer_.expires_at(due);
          timer_.async_wait([this](beast::error_code ec) {
            timer_armed_ = false;
            if (!ec) pump();
          });
        }
        return {};
      }
    }
    events_sent_ += frames_[next_].events;
    return next_++;
  }
  void acknowledged(std::size_t frame, std::string_view reply) {
    ++counts_.frames;
    counts_.events += frames_[frame].events;
    count_reply(reply, counts_);
    if (counts_.frames == frames_.size()) run_.on_finished();
  }
  bool done() const { return counts_.frames == frames_.size(); }
  virtual void pump() = 0;

  Run& run_;
  std::vector<Frame> frames_;
  Counts counts_;
  std::deque<std::size_t> retry_;  // HTTP 503: sent again before new frames
  std::size_t next_ = 0, events_sent_ = 0;
  double per_connection_rate_ = 0;
  asio::steady_timer timer_;
  bool timer_armed_ = false;
};

class WsConnection final : public Connection {
 public:
  WsConnection(Run& run, asio::io_context& io, std::vector<Frame> frames)
      : Connection(run, io, std::move(frames)), ws_(io) {}

  void connect() {
    if (frames_.empty()) {
      run_.on_ready();
      run_.on_finished();
      return;
    }
    ws_.next_layer().async_connect(run_.endpoint, [this](beast::error_code ec) {
      if (ec) return run_.fail("connect", ec);
      ws_.next_layer().socket().set_option(tcp::no_delay(true));
      // Before the handshake: Beast leaves a change after it undefined.
      ws_.write_buffer_bytes(run_.opt.write_buffer);
      ws_.async_handshake(run_.url.host + ":" + run_.url.port, run_.url.target,
                          [this](beast::error_code ec2) {
                            if (ec2) return run_.fail("websocket handshake", ec2);
                            ws_.text(true);
                            run_.on_ready();
                          });
    });
  }
  void begin() {
    read();
    pump();
  }

 private:
  void pump() override {
    if (writing_) return;
    const auto i = next_frame();
    if (!i) return;
    writing_ = true;
    in_flight_.push_back(*i);
    ws_.async_write(asio::buffer(frames_[*i].text), [this](beast::error_code ec, std::size_t) {
      if (ec) return run_.fail("websocket write", ec);
      writing_ = false;
      pump();
    });
  }
  void read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) return run_.fail("websocket read", ec);
      const auto data = buffer_.cdata();
      const std::size_t frame = in_flight_.front();
      in_flight_.pop_front();
      acknowledged(frame, std::string_view(static_cast<const char*>(data.data()), data.size()));
      buffer_.consume(buffer_.size());
      if (done()) return;
      read();
      pump();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::size_t> in_flight_;  // frames sent, in order, awaiting replies
  bool writing_ = false;
};

class HttpConnection final : public Connection {
 public:
  HttpConnection(Run& run, asio::io_context& io, std::vector<Frame> frames)
      : Connection(run, io, std::move(frames)), socket_(io) {
    // Whole requests, headers and body, ready to write as they are.
    const std::string host = run.url.host + ":" + run.url.port;
    for (Frame& f : frames_) {
      if (run.opt.array) f.text = json_array(f.text);
      std::string target = run.url.target, extra;
      if (!run.opt.twilio_token.empty()) {
        target += target.find('?') == std::string::npos ? "?" : "&";
        target += "bodySHA256=" + sha256_hex(f.text);
        extra = "X-Twilio-Signature: " +
                twilio_signature(run.opt.twilio_token, "http://" + host + target) + "\r\n";
      }
      for (const std::string& h : run.opt.headers) extra += h + "\r\n";
      std::string req = "POST " + target + " HTTP/1.1\r\nHost: " + host +
                        "\r\nContent-Type: " + run.opt.content_type + "\r\n" + extra +
                        "Content-Length: " + std::to_string(f.text.size()) + "\r\n\r\n";
      req.append(f.text);
      f.text = std::move(req);
    }
  }

  void connect() {
    if (frames_.empty()) {
      run_.on_ready();
      run_.on_finished();
      return;
    }
    socket_.async_connect(run_.endpoint, [this](beast::error_code ec) {
      if (ec) return run_.fail("connect", ec);
      socket_.set_option(tcp::no_delay(true));
      run_.on_ready();
    });
  }
  void begin() {
    read();
    pump();
  }

 private:
  void pump() override {
    if (writing_) return;
    const auto i = next_frame();
    if (!i) return;
    writing_ = true;
    in_flight_.push_back(*i);
    asio::async_write(socket_, asio::buffer(frames_[*i].text),
                      [this](beast::error_code ec, std::size_t) {
                        if (ec) return run_.fail("http write", ec);
                        writing_ = false;
                        pump();
                      });
  }
  void read() {
    parser_.emplace();
    parser_->body_limit(1 << 24);
    http::async_read(socket_, buffer_, *parser_, [this](beast::error_code ec, std::size_t) {
      if (ec) return run_.fail("http read", ec);
      const std::size_t frame = in_flight_.front();
      in_flight_.pop_front();
      const auto& res = parser_->get();
      if (res.result() == http::status::service_unavailable) {
        ++counts_.retries;  // overloaded: nothing was applied, send it again
        retry_.push_back(frame);
      } else if (res.result() != http::status::ok) {
        std::fprintf(stderr, "ccmon_ingest_load: HTTP %u: %s\n", res.result_int(),
                     res.body().c_str());
        run_.failed = true;
        for (auto* io : run_.ios) io->stop();
        return;
      } else {
        acknowledged(frame, res.body());
      }
      if (done()) return;
      read();
      pump();
    });
  }

  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::deque<std::size_t> in_flight_;
  bool writing_ = false;
};

// A whole decimal number, else usage(): "64k", "-1" or "" are refused
// rather than read as 64, SIZE_MAX or 0.
std::size_t to_size(const char* s) {
  std::size_t v = 0;
  const char* end = s + std::strlen(s);
  const auto [at, ec] = std::from_chars(s, end, v);
  if (ec != std::errc{} || at != end || at == s) {
    usage((std::string("not a whole number: ") + s).c_str());
  }
  return v;
}

// Events/s, a number >= 0 (0: unpaced), else usage(), as to_size does.
double to_rate(const char* s) {
  double v = 0;
  const char* end = s + std::strlen(s);
  const auto [at, ec] = std::from_chars(s, end, v);
  if (ec != std::errc{} || at != end || at == s || !(v >= 0)) {
    usage((std::string("not a rate in events/s: ") + s).c_str());
  }
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const char* v = argv[++i];
    if (a == "--url")
      o.url = v;
    else if (a == "--file")
      o.file = v;
    else if (a == "--skip")
      o.skip = to_size(v);
    else if (a == "--limit")
      o.limit = to_size(v);
    else if (a == "--batch")
      o.batch = to_size(v);
    else if (a == "--connections")
      o.connections = to_size(v);
    else if (a == "--window")
      o.window = to_size(v);
    else if (a == "--threads")
      o.threads = to_size(v);
    else if (a == "--write-buffer")
      o.write_buffer = to_size(v);
    else if (a == "--rate")
      o.rate = to_rate(v);
    else if (a == "--body")
      o.array = std::string(v) == "array";
    else if (a == "--content-type")
      o.content_type = v;
    else if (a == "--header")
      o.headers.emplace_back(v);
    else if (a == "--twilio-token")
      o.twilio_token = v;
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.url.empty() || o.file.empty()) usage("--url and --file are required");
  if (o.batch == 0 || o.connections == 0 || o.window == 0 || o.threads == 0) {
    usage("--batch, --connections, --window and --threads must be > 0");
  }
  if (o.write_buffer < 8 || o.write_buffer > (std::size_t{1} << 30)) {
    usage("--write-buffer must be from 8 (Beast's minimum) to 1073741824");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Run run;
  run.opt = parse(argc, argv);
  run.url = parse_url(run.opt.url);
  std::vector<std::vector<Frame>> shares;
  std::size_t total_events = 0;
  {
    const auto lines = ccmon::bench::read_lines(run.opt.file, run.opt.skip, run.opt.limit);
    shares = ccmon::bench::build_frames(lines, run.opt.connections, run.opt.batch);
    total_events = lines.size();
  }

  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (std::size_t t = 0; t < run.opt.threads; ++t) {
    ios.push_back(std::make_unique<asio::io_context>(1));
    run.ios.push_back(ios.back().get());
  }
  {
    asio::io_context resolver_io;
    tcp::resolver resolver(resolver_io);
    run.endpoint = *resolver.resolve(run.url.host, run.url.port).begin();
  }

  std::vector<std::unique_ptr<Connection>> conns;
  for (std::size_t c = 0; c < run.opt.connections; ++c) {
    asio::io_context& io = *ios[c % ios.size()];
    if (run.url.websocket) {
      auto* ws = new WsConnection(run, io, std::move(shares[c]));
      conns.emplace_back(ws);
      run.starters.push_back([ws, &io] { asio::post(io, [ws] { ws->begin(); }); });
      asio::post(io, [ws] { ws->connect(); });
    } else {
      auto* h = new HttpConnection(run, io, std::move(shares[c]));
      conns.emplace_back(h);
      run.starters.push_back([h, &io] { asio::post(io, [h] { h->begin(); }); });
      asio::post(io, [h] { h->connect(); });
    }
  }
  shares.clear();

  // Background load is stopped by a signal: report what was acknowledged.
  asio::signal_set signals(*ios[0], SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code ec, int) {
    if (ec) return;
    run.end = Clock::now();
    run.cpu_end = std::clock();
    for (auto* io : run.ios) io->stop();
  });
  // Keeps io_contexts alive while connections wait on each other.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& io : ios) guards.push_back(asio::make_work_guard(*io));

  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < ios.size(); ++t) threads.emplace_back([&, t] { ios[t]->run(); });
  ios[0]->run();
  for (auto& t : threads) t.join();

  Counts total;
  for (const auto& c : conns) total.add(c->counts());
  const double seconds = run.start == Clock::time_point{}
                             ? 0
                             : std::chrono::duration<double>(run.end - run.start).count();
  std::printf(
      "{\"transport\": \"%s\", \"events\": %llu, \"events_planned\": %zu, \"frames\": %llu, "
      "\"batch\": %zu, \"connections\": %zu, \"window\": %zu, \"seconds\": %.6f, "
      "\"events_per_s\": %.1f, \"frames_per_s\": %.1f, \"accepted\": %llu, \"duplicates\": %llu, "
      "\"rejected\": %llu, \"retries\": %llu, \"cpu_s\": %.3f, \"failed\": %s}\n",
      run.url.websocket ? "websocket" : "http", static_cast<unsigned long long>(total.events),
      total_events, static_cast<unsigned long long>(total.frames), run.opt.batch,
      run.opt.connections, run.opt.window, seconds,
      seconds > 0 ? static_cast<double>(total.events) / seconds : 0.0,
      seconds > 0 ? static_cast<double>(total.frames) / seconds : 0.0,
      static_cast<unsigned long long>(total.accepted),
      static_cast<unsigned long long>(total.duplicates),
      static_cast<unsigned long long>(total.rejected),
      static_cast<unsigned long long>(total.retries),
      static_cast<double>(run.cpu_end - run.cpu_start) / CLOCKS_PER_SEC,
      run.failed ? "true" : "false");
  return run.failed ? 1 : 0;
}
