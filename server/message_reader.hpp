// Reads a WebSocket stream (/v1/stream, /v1/live) one whole message at a
// time under server.limits.message_timeout (MessageDeadline): from the
// message's first bytes until it is whole, bytes arriving never extend it.
// Beast's own timeouts only bound silence (idle_timeout), so the message is
// read with async_read_some and a timer armed at its first bytes, disarmed
// when it is whole. The one place both sessions get the deadline from.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <functional>
#include <memory>
#include <string_view>

#include "core/time.hpp"
#include "server/client_stream.hpp"
#include "server/message_deadline.hpp"
#include "server/self_metrics.hpp"

namespace ccmon::server {

class MessageReader {
 public:
  using Stream = boost::beast::websocket::stream<ClientStream>;
  using Handler = std::function<void(boost::beast::error_code)>;

  // The close reason of a stream whose message missed its deadline, with
  // close code 1008 (policy violation).
  static constexpr std::string_view kCloseReason =
      "message not received whole within server.limits.message_timeout";

  // When a message's deadline passes (at most once per reader, on the
  // stream's strand), the reader counts it in
  // ccmon_requests_rejected_total{reason="timeout"}, logs one line naming
  // `endpoint` (the path, e.g. "/v1/stream") and the client's address, and
  // calls `on_expired`, which must close the stream with 1008 and
  // kCloseReason. Should the stream still be open one more deadline later (a
  // client reading neither replies nor the close), its socket is closed.
  MessageReader(Stream& ws, SelfMetrics& metrics, std::string_view endpoint,
                std::function<void()> on_expired);

  // Reads the next message whole, appended to `buffer`, then calls
  // `handler(ec)` on the strand: no error, Beast's (closed, timeout, message
  // too big...), or operation_aborted once the deadline has passed (the
  // stream is closing). `limit` (microseconds) is the message's deadline;
  // `owner` owns this reader: the timer does nothing once it is gone. One
  // read at a time; `buffer` and the handler outlive it (the handler should
  // hold `owner`).
  void async_read(boost::beast::flat_buffer& buffer, core::Duration limit,
                  std::weak_ptr<void> owner, Handler handler);

  // The deadline passed: the stream is being closed by on_expired.
  bool expired() const { return expired_; }

 private:
  void read_some(Handler handler);
  void on_read_some(boost::beast::error_code ec, std::size_t n, Handler handler);
  void arm(MessageDeadline::Clock::time_point expiry);
  void on_timer(boost::beast::error_code ec);

  Stream& ws_;
  SelfMetrics& metrics_;
  std::string_view endpoint_;  // a literal
  std::function<void()> on_expired_;
  boost::asio::steady_timer timer_;
  MessageDeadline deadline_;
  boost::beast::flat_buffer* buffer_ = nullptr;
  MessageDeadline::Clock::duration limit_{};
  std::weak_ptr<void> owner_;
  bool expired_ = false;
};

}  // namespace ccmon::server
