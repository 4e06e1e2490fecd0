// WebSocket /v1/stream: each frame gets exactly one reply, in order, so the
// unacknowledged frames are exactly the first `in_flight_` of `pending_`. After
// a lost connection they are all sent again on the next one (the daemon
// de-duplicates by event id, so a frame it had already applied is harmless).
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
      while (in_flight_ > 0 && ws_->next_layer().available() > 0) read_reply();
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
        while (in_flight_ < pending_.size()) {
          if (in_flight_ >= window_) {
            read_reply();
          } else {
            ws_->text(true);
            ws_->write(asio::buffer(pending_[in_flight_].text));
            last_write_ = std::chrono::steady_clock::now();
            ++in_flight_;
          }
        }
        while (drain && in_flight_ > 0) read_reply();
        return;
      } catch (const beast::system_error& e) {
        lost(e.code().message());
      }
    }
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

  void read_reply() {
    buffer_.clear();
    ws_->read(buffer_);
    const std::string body = beast::buffers_to_string(buffer_.data());
    const std::uint64_t seq = count_reply(body, ack_);
    if (seq != ++reply_seq_) {
      throw std::runtime_error("reply out of order: seq " + std::to_string(seq) + ", expected " +
                               std::to_string(reply_seq_));
    }
    pending_.pop_front();
    --in_flight_;
    backoff_.succeeded();
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
