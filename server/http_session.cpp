#include "server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "server/live_session.hpp"
#include "server/websocket_session.hpp"

namespace ccmon::server {
namespace beast = boost::beast;

namespace {

std::chrono::microseconds to_chrono(core::Duration d) {
  return std::chrono::microseconds(d);
}

}  // namespace

HttpSession::HttpSession(ClientStream&& stream, std::shared_ptr<ServerContext> ctx,
                         std::shared_ptr<ConnectionSlot> slot)
    : stream_(std::move(stream)), ctx_(std::move(ctx)), slot_(std::move(slot)) {
  ctx_->metrics.connection_opened(Transport::kHttp);
}

HttpSession::~HttpSession() {
  ctx_->connections.remove(registry_id_);
  ctx_->metrics.connection_closed(Transport::kHttp);
}

void HttpSession::run() {
  registry_id_ = ctx_->connections.add(weak_from_this());
  // Start on the session's strand: the socket was accepted on another.
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    auto* tls = self->stream_.tls();
    if (tls == nullptr) return self->do_read();
    // The handshake counts against the first request's header_timeout.
    self->stream_.expires_after(to_chrono(self->ctx_->config()->limits.header_timeout));
    tls->async_handshake(boost::asio::ssl::stream_base::server,
                         [self](beast::error_code ec) { self->on_handshake(ec); });
  });
}

void HttpSession::on_handshake(beast::error_code ec) {
  if (!ec) return do_read();
  if (ec != boost::asio::error::operation_aborted) {  // not the shutdown's cancel
    const TlsHandshakeFailure why = classify_handshake_error(ec);
    ctx_->metrics.tls_handshake_failed(why);
    spdlog::debug("TLS handshake failed ({}): {}", to_string(why), ec.message());
  }
  stream_.close();
}

void HttpSession::close_gracefully() {
  boost::asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    // Idle between requests, or only waiting for the client to close: stop.
    if (!self->busy_ || self->lingering_) self->stream_.cancel();
  });
}

void HttpSession::do_read() {
  if (closing_) return close();
  config_ = ctx_->config();
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(config_->limits.max_body_bytes);
  busy_ = false;
  // A new connection gets header_timeout from its accept for its whole first
  // request; a kept-alive one may idle for idle_timeout before the next.
  stream_.expires_after(
      to_chrono(first_request_ ? config_->limits.header_timeout : config_->limits.idle_timeout));
  if (buffer_.size() != 0) return read_header();                 // pipelined: the request has begun
  if (buffer_.capacity() >= kBodyRead) buffer_.shrink_to_fit();  // idle: no body-sized room
  // At max_connections an idle connection is closed to make room, then one
  // that reads its headers slowly (server/connection_limits.hpp).
  slot_->enter(Phase::kIdle, reclaimer());
  stream_.async_read_some(buffer_.prepare(kFirstRead),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->buffer_.commit(n);
                            if (ec) return self->on_read_error(ec);
                            self->read_header();
                          });
}

std::function<void()> HttpSession::reclaimer() {
  return [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->close_gracefully();
  };
}

void HttpSession::read_header() {
  slot_->enter(Phase::kReading, reclaimer());
  // The deadline runs from the request's first byte and is not extended by
  // more bytes arriving: a client trickling its headers (slowloris) cannot
  // hold the connection longer than header_timeout.
  if (!first_request_) stream_.expires_after(to_chrono(config_->limits.header_timeout));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpSession::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  busy_ = true;
  slot_->enter(Phase::kBusy);
  stream_.expires_after(to_chrono(config_->limits.header_timeout));
  auto read_body = [self = shared_from_this()] {
    // A body larger than the buffer (or chunked, of unknown length).
    const auto left = self->parser_->content_length_remaining();
    if (!self->parser_->is_done() && (!left || *left > self->buffer_.capacity())) {
      self->buffer_.reserve(kBodyRead);
    }
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code e, std::size_t) { self->on_read(e); });
  };
  const auto& req = parser_->get();
  if (slot_->probes_only()) {
    if (auto refusal = screen_probes_only(req, slot_->lane(), ctx_->metrics)) {
      return respond(std::move(*refusal));
    }
  }
  // Refused on its header alone (a missing token above all): answered
  // before any of the body is read, and the connection closes.
  if (auto refusal = screen_header(req, *config_, ctx_->metrics)) {
    return respond(std::move(*refusal));
  }
  if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
    continue_.emplace(http::status::continue_, req.version());
    http::async_write(stream_, *continue_,
                      [self = shared_from_this(), read_body](beast::error_code e, std::size_t) {
                        if (e) return self->close();
                        read_body();
                      });
    return;
  }
  read_body();
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  handle(parser_->get());
}

void HttpSession::on_read_error(beast::error_code ec) {
  if (auto res = read_error_response(ec, *config_, ctx_->metrics)) return respond(std::move(*res));
  // A client that sent part of a request and stalled (slowloris), not an
  // idle one between requests.
  if (ec == beast::error::timeout && (busy_ || buffer_.size() != 0)) {
    ctx_->metrics.request_rejected(RequestRejection::kTimeout);
  }
  close();
}

void HttpSession::handle(Request& req) {
  const RequestContext rc{*ctx_, config_, decoder_.for_config(config_)};
  const Routed routed = route(req, rc, shared_from_this());
  if (routed == Routed::kAnswering) return;
  stream_.expires_never();
  if (routed == Routed::kUpgrade) {
    auto ws = std::make_shared<WebSocketSession>(std::move(stream_), ctx_, slot_);
    ws->run(std::move(req), std::move(buffer_));
    return;
  }
  auto live =
      std::make_shared<LiveSession>(std::move(stream_), ctx_, slot_, routed == Routed::kLive);
  live->run(std::move(req), std::move(buffer_));
}

void HttpSession::resume(std::function<void()> work) {
  boost::asio::post(stream_.get_executor(), [self = shared_from_this(), work = std::move(work)] {
    // Resumed work renders and then answers: if it throws, nothing was sent.
    try {
      work();
    } catch (const std::exception&) {
      self->respond(internal_error(self->ctx_->metrics, 11));
    }
  });
}

void HttpSession::respond(Response res) {
  // A reserved connection serves one probe: its slot is for the next one.
  const bool close_after = !res.keep_alive() || closing_ || ctx_->stopping || slot_->reserved();
  if (close_after) res.keep_alive(false);
  response_.emplace(std::move(res));
  // A client that stops reading cannot hold the connection forever.
  stream_.expires_after(to_chrono(config_->limits.idle_timeout));
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                      self->on_write(close_after, ec);
                    });
}

void HttpSession::on_write(bool close_after, beast::error_code ec) {
  response_.reset();
  if (ec == beast::error::timeout) ctx_->metrics.request_rejected(RequestRejection::kTimeout);
  if (ec) return close();
  if (close_after) return linger();
  first_request_ = false;
  do_read();
}

void HttpSession::linger() {
  // Closing with bytes of the client still unread (the rest of a refused
  // request) would reset the connection, and the client could lose the
  // answer. Half-close, discard what still comes until the client closes
  // too, for at most header_timeout.
  lingering_ = true;
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.expires_after(to_chrono(config_->limits.header_timeout));
  drain();
}

void HttpSession::drain() {
  stream_.async_read_some(boost::asio::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->stream_.close();
                            self->drain();
                          });
}

void HttpSession::close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.close();
}

}  // namespace ccmon::server
