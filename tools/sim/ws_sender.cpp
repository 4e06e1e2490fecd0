// WebSocket /v1/stream: each frame gets exactly one reply, in order, so the
// unacknowledged frames are exactly the first `in_flight_` of `pending_`. After
// a lost connection they are all sent again on the next one (the daemon
// de-duplicates by event id, so a frame it had already applied is harmless).
// A frame answered `state_unavailable` (the daemon restoring its state, or
// its disk full) was not stored, nor those behind it: the daemon ends the
// stream, and they all go again on the next connection.
// Synchronous Beast: one thread, and the window keeps both sides' buffers
// small enough that writing never waits on a reply we have not read.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <optional>

#include "tools/sim/reconnect.hpp"
#include "tools/sim/sender.hpp"

namespace ccmon::sim {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class WsSender final : public Sender {
 public:
  WsSender(Endpoint endpoint, std::string token, std::size_t window, RetryPolicy retry)
      : endpoint_(std::move(endpoint)),
        token_(std::move(token)),
        window_(window),
        backoff_(retry) {}

  ~WsSender() override {
    if (ws_) {
      beast::error_code ec;
      ws_->close(websocket::close_code::normal, ec);
    }
  }

  void send(std::string_view frame, std::size_t events) override {
    pending_.push_back({std::string(frame), events});
    pump(false);
  }

  void idle() override {
    if (!ws_) return;
    try {
      // Only while a reply is due: read() waits for a data message, and a lone
      // ping from the daemon would block it.
      while (in_flight_ > 0 && ws_->next_layer().available() > 0) {
        if (!read_reply()) {
          resend_refused();
          return pump(false);
        }
      }
      // Any frame resets the daemon's idle timer (default 2 min).
      if (std::chrono::steady_clock::now() - last_write_ > std::chrono::seconds(30)) {
        ws_->ping({});
        last_write_ = std::chrono::steady_clock::now();
      }
    } catch (const beast::system_error& e) {
      lost(e.code().message());
      pump(false);
    }
  }

  void finish() override {
    pump(true);
    if (ws_) {
      beast::error_code ec;
      ws_->close(websocket::close_code::normal, ec);  // the daemon may be gone already: fine
      ws_.reset();
    }
  }

 private:
  struct Frame {
    std::string text;
    std::size_t events;
  };

  void pump(bool drain) {
    for (;;) {
      try {
        if (!ws_) connect();
        if (send_and_read(drain)) return;
        resend_refused();  // and round again, on a new connection
      } catch (const beast::system_error& e) {
        lost(e.code().message());
      }
    }
  }

  // Sends what the window allows (and with `drain`, reads every reply).
  // Returns false when a frame was refused.
  bool send_and_read(bool drain) {
    while (in_flight_ < pending_.size()) {
      if (in_flight_ >= window_) {
        if (!read_reply()) return false;
      } else {
        ws_->text(true);
        ws_->write(asio::buffer(pending_[in_flight_].text));
        last_write_ = std::chrono::steady_clock::now();
        ++in_flight_;
      }
    }
    while (drain && in_flight_ > 0) {
      if (!read_reply()) return false;
    }
    return true;
  }

  void connect() {
    for (;;) {
      try {
        auto ws = std::make_unique<websocket::stream<tcp::socket>>(io_);
        tcp::resolver resolver(io_);
        asio::connect(ws->next_layer(), resolver.resolve(endpoint_.host, endpoint_.port));
        ws->next_layer().set_option(tcp::no_delay(true));
        ws->set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
          req.set(beast::http::field::user_agent, "ccmon-sim");
          if (!token_.empty()) req.set(beast::http::field::authorization, "Bearer " + token_);
        }));
        ws->handshake(endpoint_.host + ":" + endpoint_.port, endpoint_.target);
        ws_ = std::move(ws);
        reply_seq_ = 0;
        return;
      } catch (const beast::system_error& e) {
        if (e.code() == websocket::error::upgrade_declined) {
          throw std::runtime_error("the daemon declined the WebSocket upgrade at " +
                                   endpoint_.target + " (bad path or token?)");
        }
        backoff_.failed("cannot connect to " + endpoint_.host + ":" + endpoint_.port + ": " +
                        e.code().message());
      }
    }
  }

  void lost(const std::string& why) {
    ws_.reset();
    ack_.retries += in_flight_;
    in_flight_ = 0;  // everything unacknowledged goes again
    ++ack_.reconnects;
    backoff_.failed("connection lost: " + why);
  }

  // Reads the reply to the oldest frame in flight. Returns false, the frame
  // still pending, when the daemon could not store it.
  bool read_reply() {
    buffer_.clear();
    ws_->read(buffer_);
    const Reply reply = count_reply(beast::buffers_to_string(buffer_.data()), ack_);
    if (reply.seq != ++reply_seq_) {
      throw std::runtime_error("reply out of order: seq " + std::to_string(reply.seq) +
                               ", expected " + std::to_string(reply_seq_));
    }
    if (reply.resend) return false;
    pending_.pop_front();
    --in_flight_;
    backoff_.succeeded();
    return true;
  }

  // The daemon could not store the oldest frame in flight: it refuses the
  // frames behind it on this connection too and closes it (1013, try again
  // later; docs/ingestion.md). All of them go again, in order, on a new one.
  void resend_refused() {
    // The daemon closes the stream itself; nothing more from it is of use,
    // and a closing handshake could wait on a stalled daemon past --give-up.
    beast::error_code ec;
    ws_->next_layer().close(ec);
    ws_.reset();
    ack_.retries += in_flight_;
    in_flight_ = 0;
    ++ack_.reconnects;
    // A second between attempts, as the HTTP 503's Retry-After asks.
    backoff_.wait(std::chrono::seconds(1),
                  "the daemon cannot store events yet (state_unavailable)");
  }

  Endpoint endpoint_;
  std::string token_;
  std::size_t window_;
  Backoff backoff_;
  asio::io_context io_;
  std::unique_ptr<websocket::stream<tcp::socket>> ws_;
  beast::flat_buffer buffer_;
  std::deque<Frame> pending_;  // sent or not, awaiting their reply, in order
  std::size_t in_flight_ = 0;  // how many of pending_ went out on this connection
  std::uint64_t reply_seq_ = 0;
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

}  // namespace

std::unique_ptr<Sender> make_ws_sender(const Endpoint& endpoint, std::string token,
                                       std::size_t window, RetryPolicy retry) {
  return std::make_unique<WsSender>(endpoint, std::move(token), window, retry);
}

}  // namespace ccmon::sim
