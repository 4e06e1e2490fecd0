#include "server/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <string_view>

#include "server/auth.hpp"
#include "server/exposition.hpp"

namespace ccmon::server {
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WebSocketSession::WebSocketSession(ClientStream&& stream, std::shared_ptr<ServerContext> ctx,
                                   std::shared_ptr<ConnectionSlot> slot)
    : ws_(std::move(stream)),
      ctx_(std::move(ctx)),
      reader_(ws_, ctx_->metrics, "/v1/stream", [this] { on_message_expired(); }),
      slot_(std::move(slot)) {
  ctx_->metrics.connection_opened(Transport::kWebSocket);
}

WebSocketSession::~WebSocketSession() {
  ctx_->connections.remove(registry_id_);
  ctx_->metrics.connection_closed(Transport::kWebSocket);
}

void WebSocketSession::run(Request req, beast::flat_buffer buffer) {
  registry_id_ = ctx_->connections.add(weak_from_this());
  config_ = ctx_->config();
  authorization_ = std::string(req[http::field::authorization]);
  buffer_ = std::move(buffer);
  apply_limits();
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "ccmond"); }));
  ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void WebSocketSession::apply_limits() {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::microseconds(config_->limits.header_timeout);
  timeouts.idle_timeout = std::chrono::microseconds(config_->limits.idle_timeout);
  timeouts.keep_alive_pings = true;  // ping at half the idle timeout; no pong -> closed
  ws_.set_option(timeouts);
  ws_.read_message_max(config_->limits.max_ws_message_bytes);
}

bool WebSocketSession::refresh() {
  if (closed_ || (closing_ && close_reason_.code == websocket::close_code::policy_error)) {
    return false;
  }
  auto current = ctx_->config();
  if (current == config_) return true;
  config_ = std::move(current);
  if (check_access(authorization_, config_->auth, Role::kIngest)) {
    // Frames read before the reload are still answered; nothing more is read.
    ctx_->metrics.auth_rejected(Role::kIngest, AuthRefusal::kRevoked);
    close_reason_ = websocket::close_reason(websocket::close_code::policy_error,
                                            "ingest token no longer accepted");
    closing_ = true;
    maybe_close();
    return false;
  }
  apply_limits();
  return true;
}

void WebSocketSession::close_gracefully() {
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    self->maybe_close();
  });
}

void WebSocketSession::config_changed() {
  // An idle stream learns of the reload now, not at its next frame.
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] { self->refresh(); });
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) {
    if (ec == beast::error::timeout) {
      ctx_->metrics.request_rejected(RequestRejection::kTimeout);
    } else if (ec.category() == beast::error_code(websocket::error::no_sec_key).category()) {
      // Beast has answered 400 to an upgrade it could not accept.
      ctx_->metrics.request_rejected(RequestRejection::kMalformedRequest);
    }
    spdlog::debug("websocket handshake failed: {}", ec.message());
    return;
  }
  do_read();
}

void WebSocketSession::do_read() {
  if (reading_ || waiting_admission_ || closing_ || closed_) return;
  // A client that does not read its replies stops being read: bounded in
  // frames and in bytes. Resumed by on_write once both are down to three
  // quarters of their bound, so that a client reading slowly at the bound
  // is paused once, not once per reply written; each pause counted once.
  const bool frames = outstanding_ >= kMaxOutstandingFrames;
  const bool full = frames || queued_bytes_ >= kMaxQueuedReplyBytes;
  const bool drained = outstanding_ <= kMaxOutstandingFrames / 4 * 3 &&
                       queued_bytes_ <= kMaxQueuedReplyBytes / 4 * 3;
  if (full || (paused_ && !drained)) {
    if (!paused_) ctx_->metrics.websocket_reads_paused(frames);
    paused_ = true;
    return;
  }
  paused_ = false;
  reading_ = true;
  // The message's deadline runs from its first bytes (server.limits.message_timeout).
  reader_.async_read(buffer_, config_->limits.message_timeout, weak_from_this(),
                     [self = shared_from_this()](beast::error_code ec) { self->on_read(ec); });
}

void WebSocketSession::on_message_expired() {
  close_reason_ =
      websocket::close_reason(websocket::close_code::policy_error, MessageReader::kCloseReason);
  closing_ = true;
  if (closed_) return;
  closed_ = true;
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
}

void WebSocketSession::on_read(beast::error_code ec) {
  reading_ = false;
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      // Beast has failed the connection with close code 1009 (too big).
      ctx_->metrics.request_rejected(RequestRejection::kBodyTooLarge);
    } else if (ec == beast::error::timeout) {
      ctx_->metrics.request_rejected(RequestRejection::kTimeout);
    }
    closed_ = true;
    return;
  }
  if (!refresh()) {  // revoked: this frame is not taken
    buffer_.consume(buffer_.size());
    return;
  }
  const std::uint64_t seq = next_seq_++;
  ++outstanding_;
  if (!ctx_->runner.state_ready() || ending_) {
    // The frame is answered, not applied: the client resends it (a frame
    // whose read was under way when an earlier one was refused, too).
    buffer_.consume(buffer_.size());
    return refuse_and_end(seq, ending_ ? "an earlier frame could not be applied or stored; "
                                         "resend from it"
                                       : "the state is being restored; resend later");
  }
  const core::Timestamp now = ctx_->runner.wall_now();
  core::DecodedBatch decoded;
  try {
    // Decoded in place: a flat buffer holds the frame in one piece, and the
    // events own their strings, so nothing refers to it once decoded.
    // As one part of all its lines: their bound, counted once, sizes both
    // the reused events and the decode's reservation.
    const auto frame = buffer_.data();
    const std::string_view text(static_cast<const char*>(frame.data()), frame.size());
    const std::size_t lines = core::ndjson_line_bound(text);
    core::NdjsonCursor cursor;
    decoded = decoder_.for_config(config_).decode_ndjson_part(text, cursor, lines, now,
                                                              ctx_->runner.reusable_events(lines));
  } catch (const std::exception&) {
    // std::bad_alloc above all: this stream ends (1011), the daemon goes on.
    buffer_.consume(buffer_.size());
    return fail_internal();
  }
  buffer_.consume(buffer_.size());
  const std::size_t n = decoded.events.size();
  if (n == 0) {
    ctx_->metrics.decoded(Transport::kWebSocket, decoded);
    complete(seq, ingest_reply_json({}, decoded, seq));
    return do_read();
  }
  // Stop reading until the engine has room for this frame: backpressure
  // reaches the client through TCP flow control, nothing is dropped.
  waiting_admission_ = true;
  auto admitted = [self = shared_from_this(), seq, now,
                   decoded = std::make_shared<core::DecodedBatch>(std::move(decoded))] {
    boost::asio::post(self->ws_.get_executor(), [self, seq, now, decoded] {
      self->waiting_admission_ = false;
      // Counted once admitted, as HTTP counts a body.
      self->ctx_->metrics.decoded(Transport::kWebSocket, *decoded);
      self->submit(seq, std::move(*decoded), now);
      self->do_read();
    });
  };
  if (ctx_->runner.admission().wait(n, std::move(admitted))) {
    ctx_->metrics.request_rejected(RequestRejection::kOverloaded);
  }
}

void WebSocketSession::submit(std::uint64_t seq, core::DecodedBatch decoded, core::Timestamp now) {
  const std::size_t n = decoded.events.size();
  Batch batch{Transport::kWebSocket, std::move(decoded.events), now, n};
  batch.order_fence = order_fence_;
  ctx_->runner.submit(std::move(batch), [self = shared_from_this(), seq,
                                         decoded = std::make_shared<const core::DecodedBatch>(
                                             std::move(decoded))](BatchResult result) {
    boost::asio::post(self->ws_.get_executor(), [self, seq, result, decoded] {
      try {
        if (result.internal_error) {
          self->ctx_->metrics.request_rejected(RequestRejection::kInternalError);
          return self->end_after(
              seq, {websocket::close_code::internal_error, "a frame could not be applied"},
              ingest_error_json(seq, "internal_error",
                                "the frame could not be applied; the daemon goes on: resend "
                                "from it on a new connection"));
        }
        if (result.state_unavailable) {
          return self->refuse_and_end(seq,
                                      "the events cannot be stored (disk full or "
                                      "failing, or an earlier frame could not be); "
                                      "resend later");
        }
        self->complete(seq, ingest_reply_json(result, *decoded, seq));
      } catch (const std::exception&) {
        self->fail_internal();
      }
    });
  });
}

void WebSocketSession::refuse_and_end(std::uint64_t seq, const char* message) {
  ctx_->metrics.request_rejected(RequestRejection::kStateUnavailable);
  end_after(
      seq,
      {websocket::close_code::try_again_later, "state unavailable: resend from the refused frame"},
      ingest_error_json(seq, "state_unavailable", message));
}

void WebSocketSession::end_after(std::uint64_t seq, websocket::close_reason reason,
                                 std::string reply) {
  ending_ = true;
  if (!closing_) {  // a close already decided keeps its reason (1008 revoked, 1001 shutdown)
    close_reason_ = std::move(reason);
    closing_ = true;
  }
  complete(seq, std::move(reply));
  maybe_close();
}

void WebSocketSession::fail_internal() {
  ctx_->metrics.request_rejected(RequestRejection::kInternalError);
  close_reason_ = websocket::close_reason(websocket::close_code::internal_error,
                                          "the frame could not be served");
  // Replies still owed cannot all come: close now rather than wait for them.
  closing_ = true;
  if (closed_) return;
  closed_ = true;
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
}

void WebSocketSession::complete(std::uint64_t seq, std::string reply) {
  queued_bytes_ += reply.size();
  finished_.emplace(seq, std::move(reply));
  // Replies go out in frame order even if a later frame finished first.
  for (auto it = finished_.find(next_reply_seq_); it != finished_.end();
       it = finished_.find(next_reply_seq_)) {
    write_queue_.push_back(std::move(it->second));
    finished_.erase(it);
    ++next_reply_seq_;
  }
  do_write();
}

void WebSocketSession::do_write() {
  if (writing_ || write_queue_.empty() || closed_) return;
  writing_ = true;
  ws_.text(true);
  ws_.async_write(
      boost::asio::buffer(write_queue_.front()),
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void WebSocketSession::on_write(beast::error_code ec) {
  writing_ = false;
  if (ec) {
    closed_ = true;
    return;
  }
  queued_bytes_ -= write_queue_.front().size();
  write_queue_.pop_front();
  --outstanding_;
  do_write();
  do_read();
  maybe_close();
}

void WebSocketSession::maybe_close() {
  // Answer every frame already read, then close (going away at shutdown,
  // policy violation when the token was revoked, try again later after a
  // refused frame).
  if (!closing_ || closed_ || outstanding_ != 0 || writing_) return;
  closed_ = true;
  ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
}

}  // namespace ccmon::server
