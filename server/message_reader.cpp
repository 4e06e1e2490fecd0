#include "server/message_reader.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/error.hpp>

namespace ccmon::server {
namespace beast = boost::beast;

MessageReader::MessageReader(Stream& ws, SelfMetrics& metrics, std::string_view endpoint,
                             std::function<void()> on_expired)
    : ws_(ws),
      metrics_(metrics),
      endpoint_(endpoint),
      on_expired_(std::move(on_expired)),
      timer_(ws.get_executor()) {}

void MessageReader::async_read(beast::flat_buffer& buffer, core::Duration limit,
                               std::weak_ptr<void> owner, Handler handler) {
  buffer_ = &buffer;
  limit_ = std::chrono::microseconds(limit);
  owner_ = std::move(owner);
  read_some(std::move(handler));
}

void MessageReader::read_some(Handler handler) {
  // The handler travels with the operation (it holds the session), not in a
  // member: a member would keep the session alive through its own reader.
  ws_.async_read_some(
      buffer_->prepare(ws_.read_size_hint(*buffer_)),
      [this, handler = std::move(handler)](beast::error_code ec, std::size_t n) mutable {
        on_read_some(ec, n, std::move(handler));
      });
}

void MessageReader::on_read_some(beast::error_code ec, std::size_t n, Handler handler) {
  buffer_->commit(n);
  if (expired_) return handler(boost::asio::error::operation_aborted);
  if (ec) {
    deadline_.message_done();
    timer_.cancel();
    return handler(ec);
  }
  // The first completion of a message: its first frame's header and first
  // payload bytes are in. Later ones leave the deadline where it is.
  if (auto expiry = deadline_.bytes_read(MessageDeadline::Clock::now(), limit_)) arm(*expiry);
  if (!ws_.is_message_done()) return read_some(std::move(handler));
  deadline_.message_done();
  timer_.cancel();
  handler({});
}

void MessageReader::arm(MessageDeadline::Clock::time_point expiry) {
  timer_.expires_at(expiry);
  timer_.async_wait([this, owner = owner_](beast::error_code ec) {
    auto alive = owner.lock();  // else `this` is gone with its session
    if (!alive || ec == boost::asio::error::operation_aborted) return;
    on_timer(ec);
  });
}

void MessageReader::on_timer(beast::error_code) {
  if (expired_) {
    // One more deadline and the close handshake has not finished: the
    // client reads neither our replies nor the close frame.
    ws_.next_layer().close();
    return;
  }
  // A message finished just as the timer fired finds no deadline here.
  if (!deadline_.expired(MessageDeadline::Clock::now())) return;
  expired_ = true;
  metrics_.request_rejected(RequestRejection::kTimeout);
  beast::error_code ec;
  const auto peer = ws_.next_layer().socket().remote_endpoint(ec);
  spdlog::info(
      "WebSocket {} from {}: a message not received whole within {} ms "
      "(server.limits.message_timeout); closing with 1008",
      endpoint_, ec ? std::string("?") : peer.address().to_string(),
      std::chrono::duration_cast<std::chrono::milliseconds>(limit_).count());
  on_expired_();
  arm(MessageDeadline::Clock::now() + limit_);
}

}  // namespace ccmon::server
