#include "server/live_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "server/auth.hpp"
#include "server/router.hpp"

namespace ccmon::server {
namespace beast = boost::beast;
namespace websocket = beast::websocket;

LiveSession::LiveSession(ClientStream&& stream, std::shared_ptr<ServerContext> ctx,
                         std::shared_ptr<ConnectionSlot> slot, bool authorised)
    : ws_(std::move(stream)),
      shutdown_grace_(ws_.get_executor()),
      ctx_(std::move(ctx)),
      // What is queued is not sent: close now (1008), the viewer reconnects.
      reader_(ws_, ctx_->metrics, "/v1/live",
              [this] {
                drop_pending();
                close_with(websocket::close_reason(websocket::close_code::policy_error,
                                                   MessageReader::kCloseReason));
              }),
      slot_(std::move(slot)),
      feed_(ctx_->live),
      authorised_(authorised) {
  ctx_->metrics.connection_opened(Transport::kWebSocket);
}

LiveSession::~LiveSession() {
  if (feed_id_ != 0) feed_->unsubscribe(feed_id_);
  ctx_->connections.remove(registry_id_);
  ctx_->metrics.connection_closed(Transport::kWebSocket);
}

void LiveSession::run(Request req, beast::flat_buffer buffer) {
  registry_id_ = ctx_->connections.add(weak_from_this());
  buffer_ = std::move(buffer);
  config_ = ctx_->config();
  const auto& config = config_;
  credential_ = live_credential(req, config->auth);
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::microseconds(config->limits.header_timeout);
  // A viewer that neither reads nor answers pings is closed after this.
  timeouts.idle_timeout = std::chrono::microseconds(config->limits.idle_timeout);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  // Viewers send nothing that matters (docs/wallboard.md): keep it small.
  ws_.read_message_max(4096);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "ccmond"); }));
  ws_.text(true);
  // A small send buffer (docs/wallboard.md, "Slow viewers"): a write counts
  // as done once the kernel has its bytes, so with Linux's autotuned buffer
  // (up to 4 MiB) a slow viewer's backlog would hide there, unbounded by the
  // session and unseen by its catch-up. Best effort: a refusal is harmless.
  beast::error_code ignored;
  ws_.next_layer().socket().set_option(
      boost::asio::socket_base::send_buffer_size(static_cast<int>(kSendBuffer)), ignored);
  // The request, with a possible ?token=, goes no further than here: never logged.
  ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void LiveSession::on_accept(beast::error_code ec) {
  if (ec) {
    if (ec == beast::error::timeout) ctx_->metrics.request_rejected(RequestRejection::kTimeout);
    spdlog::debug("live feed handshake failed: {}", ec.message());
    return;
  }
  if (!authorised_) {
    // Counted by the router; 4403 for another role's token, as HTTP's 403.
    const auto why = check_access(credential_, config_->auth, Role::kRead);
    const bool forbidden = why && is_forbidden(*why);
    websocket::close_reason reason(forbidden ? kCloseForbidden : kCloseUnauthorized);
    reason.reason = forbidden ? "forbidden" : "unauthorized";
    return close_with(reason);
  }
  if (closing_) return close_with(websocket::close_code::going_away);
  if (!still_allowed()) return;  // a reload during the handshake
  accepted_ = true;
  auto sub = feed_->subscribe(weak_from_this());
  if (sub.id == 0) {
    // wallboard.max_viewers reached (docs/wallboard.md): the page retries
    // with backoff. Counted as a connection refused for room.
    ctx_->metrics.request_rejected(RequestRejection::kConnectionLimit);
    accepted_ = false;
    return close_with(
        websocket::close_reason(websocket::close_code::try_again_later, "viewer limit reached"));
  }
  feed_id_ = sub.id;
  if (sub.state) {
    pending_ = std::move(sub.state);
    pending_tick_ = sub.tick;
    do_write();
  }
  do_read();
}

void LiveSession::do_read() {
  // Reading answers pings and notices the viewer's close; frames are dropped,
  // each within server.limits.message_timeout of its first bytes.
  reader_.async_read(buffer_, config_->limits.message_timeout, weak_from_this(),
                     [self = shared_from_this()](beast::error_code ec) {
                       self->buffer_.consume(self->buffer_.size());
                       if (ec) {
                         self->failed(ec);
                         return;
                       }
                       self->do_read();
                     });
}

void LiveSession::deliver(LiveMessages messages) {
  boost::asio::post(
      ws_.get_executor(),
      [self = shared_from_this(), messages = std::move(messages)] { self->enqueue(messages); });
}

void LiveSession::enqueue(const LiveMessages& messages) {
  if (!accepted_ || closing_ || closed_) return;
  // One message waits at most: what brings the viewer from the tick it has
  // (or is being written) to this one. It replaces whatever waited, which
  // it covers (docs/wallboard.md, "Slow viewers"): a slow TV skips to the
  // latest numbers with the changes it missed, never works through a
  // backlog, and costs two shared messages whatever its speed. A viewer
  // with nothing yet, or further behind than the catch-ups reach, gets the
  // state.
  if (pending_) ctx_->metrics.live_message_dropped();
  pending_ = messages.since(had_);
  pending_tick_ = messages.tick;
  do_write();
}

void LiveSession::do_write() {
  if (writing_ || !pending_ || closed_) return;
  writing_ = true;
  writing_text_ = std::move(pending_);
  had_ = pending_tick_;
  // The shared text itself is written: no copy per viewer (no compression,
  // and a server's frames are not masked).
  ws_.async_write(
      boost::asio::buffer(*writing_text_),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void LiveSession::on_write(beast::error_code ec) {
  writing_ = false;
  writing_text_.reset();
  if (ec) return failed(ec);
  if (closing_) return close_with(close_reason_);
  do_write();
}

void LiveSession::failed(beast::error_code ec) {
  // A viewer that sent nothing, not even the answer to a ping, within
  // server.limits.idle_timeout (a stalled TV): Beast closed it, and gives
  // the timeout to the first pending operation only (the read, or the
  // write), so it is counted once.
  if (ec == beast::error::timeout) ctx_->metrics.live_viewer_timed_out();
  closed_ = true;
}

void LiveSession::close_gracefully() {
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->closing_ || self->closed_) return;
    self->closing_ = true;
    self->close_reason_ = websocket::close_code::going_away;
    // Shutdown: what waits is not worth waiting for.
    self->drop_pending();
    if (self->accepted_ && !self->writing_) self->close_with(self->close_reason_);
    // A viewer that reads nothing (a stalled TV) never lets the message
    // being written, or the close frame, out: past kShutdownGrace its TCP
    // connection is closed, so it does not hold the daemon's exit for the
    // whole drain timeout. A reading viewer has its 1001 long before.
    self->shutdown_grace_.expires_after(kShutdownGrace);
    self->shutdown_grace_.async_wait([weak = self->weak_from_this()](beast::error_code ec) {
      if (ec) return;
      if (auto session = weak.lock()) {
        session->ws_.next_layer().close();
      }
    });
  });
}

void LiveSession::config_changed() {
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (self->accepted_) self->still_allowed();
  });
}

bool LiveSession::still_allowed() {
  if (closing_ || closed_) return false;
  auto current = ctx_->config();
  if (current == config_) return true;
  config_ = std::move(current);
  if (!check_access(credential_, config_->auth, Role::kRead)) return true;
  ctx_->metrics.auth_rejected(Role::kRead, AuthRefusal::kRevoked);
  close_reason_ =
      websocket::close_reason(websocket::close_code::policy_error, "read token no longer accepted");
  closing_ = true;
  // What waits is not sent: the viewer may no longer see it.
  drop_pending();
  if (!writing_) close_with(close_reason_);  // else on_write closes
  return false;
}

void LiveSession::close_with(websocket::close_reason reason) {
  if (closed_) return;
  closing_ = true;
  closed_ = true;
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {});
}

}  // namespace ccmon::server
