// HTTP POST /v1/events, one NDJSON batch per request on a keep-alive
// connection. A batch is done when a 200 answer counted it; on 503 it waits
// for Retry-After, on a lost connection it reconnects with backoff, and in
// both cases sends the same batch again (the daemon de-duplicates by id).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>

#include "tools/sim/reconnect.hpp"
#include "tools/sim/sender.hpp"

namespace ccmon::sim {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class HttpSender final : public Sender {
 public:
  HttpSender(Endpoint endpoint, std::string token, RetryPolicy retry)
      : endpoint_(std::move(endpoint)), token_(std::move(token)), backoff_(retry) {}

  void send(std::string_view frame, std::size_t) override {
    http::request<http::string_body> req{http::verb::post, endpoint_.target, 11};
    req.set(http::field::host, endpoint_.host + ":" + endpoint_.port);
    req.set(http::field::user_agent, "ccmon-sim");
    req.set(http::field::content_type, "application/x-ndjson");
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    req.keep_alive(true);
    req.body() = std::string(frame);
    req.prepare_payload();
    for (bool first = true;; first = false) {
      if (!first) ++ack_.retries;
      http::response<http::string_body> res;
      try {
        if (!socket_) connect();
        http::write(*socket_, req);
        last_request_ = std::chrono::steady_clock::now();
        buffer_.clear();
        http::read(*socket_, buffer_, res);
      } catch (const beast::system_error& e) {
        socket_.reset();
        ++ack_.reconnects;
        backoff_.failed("request failed: " + e.code().message());
        continue;
      }
      if (!res.keep_alive()) socket_.reset();
      if (res.result() == http::status::ok) {
        count_reply(res.body(), ack_);
        backoff_.succeeded();
        return;
      }
      if (res.result() == http::status::service_unavailable) {
        // `overloaded`, or `state_unavailable`: nothing of the body was kept.
        backoff_.wait(retry_after(res), "the daemon answered 503: " + res.body().substr(0, 200));
        continue;
      }
      // 400, 401, 413, 415...: sending the same batch again cannot help.
      throw std::runtime_error("the daemon answered " + std::to_string(res.result_int()) + ": " +
                               res.body().substr(0, 300));
    }
  }

  void idle() override {
    // The daemon closes keep-alive connections idle for 2 minutes (default);
    // closing first avoids a failed request and a retry.
    if (socket_ && std::chrono::steady_clock::now() - last_request_ > std::chrono::seconds(60)) {
      finish();
    }
  }

  void finish() override {
    if (socket_) {
      beast::error_code ec;
      socket_->shutdown(tcp::socket::shutdown_both, ec);
      socket_.reset();
    }
  }

 private:
  static std::chrono::milliseconds retry_after(const http::response<http::string_body>& res) {
    const auto value = res[http::field::retry_after];
    int seconds = 1;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (r.ec != std::errc{} || seconds < 0 || seconds > 3600) seconds = 1;
    return std::chrono::milliseconds(seconds == 0 ? 100 : seconds * 1000);
  }

  void connect() {
    for (;;) {
      try {
        auto socket = std::make_unique<tcp::socket>(io_);
        tcp::resolver resolver(io_);
        asio::connect(*socket, resolver.resolve(endpoint_.host, endpoint_.port));
        socket->set_option(tcp::no_delay(true));
        socket_ = std::move(socket);
        return;
      } catch (const beast::system_error& e) {
        backoff_.failed("cannot connect to " + endpoint_.host + ":" + endpoint_.port + ": " +
                        e.code().message());
      }
    }
  }

  Endpoint endpoint_;
  std::string token_;
  Backoff backoff_;
  asio::io_context io_;
  std::unique_ptr<tcp::socket> socket_;
  beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point last_request_;
};

}  // namespace

std::unique_ptr<Sender> make_http_sender(const Endpoint& endpoint, std::string token,
                                         RetryPolicy retry) {
  return std::make_unique<HttpSender>(endpoint, std::move(token), retry);
}

}  // namespace ccmon::sim
