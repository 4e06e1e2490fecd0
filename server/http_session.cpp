#include "server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>

#include "server/exposition.hpp"
#include "server/websocket_session.hpp"

namespace ccmon::server {
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;

std::chrono::microseconds to_chrono(core::Duration d) {
  return std::chrono::microseconds(d);
}

std::optional<core::BodyFormat> body_format(std::string_view content_type) {
  const std::string type = media_type(content_type);
  if (type == "application/json" || type == "application/cloudevents+json" ||
      type == "application/cloudevents-batch+json") {
    return core::BodyFormat::kJson;
  }
  if (type == "application/x-ndjson" || type == "application/ndjson" ||
      type == "application/jsonl" || type == "application/x-jsonlines") {
    return core::BodyFormat::kNdjson;
  }
  return std::nullopt;
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerContext> ctx,
                         std::shared_ptr<ConnectionSlot> slot)
    : stream_(std::move(socket)), ctx_(std::move(ctx)), slot_(std::move(slot)) {
  ctx_->metrics.connection_opened(Transport::kHttp);
}

HttpSession::~HttpSession() {
  ctx_->connections.remove(registry_id_);
  ctx_->metrics.connection_closed(Transport::kHttp);
}

void HttpSession::run() {
  registry_id_ = ctx_->connections.add(weak_from_this());
  // Start on the session's strand: the socket was accepted on another.
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void HttpSession::close_gracefully() {
  boost::asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (!self->busy_) self->stream_.cancel();  // idle between requests: stop waiting
  });
}

void HttpSession::do_read() {
  if (closing_) return close();
  config_ = ctx_->config();
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(config_->limits.max_body_bytes);
  // A new connection gets header_timeout to send its first request; a
  // kept-alive one may idle for idle_timeout before the next.
  stream_.expires_after(
      to_chrono(first_request_ ? config_->limits.header_timeout : config_->limits.idle_timeout));
  busy_ = false;
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void HttpSession::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  busy_ = true;
  stream_.expires_after(to_chrono(config_->limits.header_timeout));
  auto read_body = [self = shared_from_this()] {
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code e, std::size_t) { self->on_read(e); });
  };
  const auto& req = parser_->get();
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
  if (ec == http::error::body_limit) {
    ctx_->metrics.request_rejected(RequestRejection::kBodyTooLarge);
    return send(json_error(http::status::payload_too_large, "too_large",
                           "request body is over the limit of " +
                               std::to_string(config_->limits.max_body_bytes) + " bytes",
                           11, false));
  }
  if (ec == http::error::header_limit) {
    return send(json_error(http::status::request_header_fields_too_large, "too_large",
                           "request headers are over 16 KiB", 11, false));
  }
  if (ec == beast::error::timeout) {
    // A client that sent part of a request and stalled (slowloris), not an idle one.
    if (busy_ || buffer_.size() != 0) ctx_->metrics.request_rejected(RequestRejection::kTimeout);
    return close();
  }
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted ||
      ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) {
    return close();
  }
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    // A malformed request: say so, then close (the stream is out of sync).
    return send(json_error(http::status::bad_request, "bad_request", ec.message(), 11, false));
  }
  close();
}

void HttpSession::handle(Request& req) {
  const Target target = parse_target(req.target());
  const auto& path = target.path;
  const bool keep_alive = req.keep_alive();
  const unsigned version = req.version();
  auto method_not_allowed = [&](std::string_view allow) {
    auto res = json_error(http::status::method_not_allowed, "method_not_allowed",
                          "use " + std::string(allow) + " for " + path, version, keep_alive);
    res.set(http::field::allow, allow);
    send(std::move(res));
  };
  auto unauthorized = [&] {
    ctx_->metrics.request_rejected(RequestRejection::kUnauthorized);
    auto res = json_error(http::status::unauthorized, "unauthorized",
                          "a valid `Authorization: Bearer <token>` header is required", version,
                          keep_alive);
    res.set(http::field::www_authenticate, "Bearer realm=\"ccmon\"");
    send(std::move(res));
  };
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;

  if (path == "/v1/events") {
    if (req.method() != http::verb::post) return method_not_allowed("POST");
    if (!authorized(req, config_->auth.ingest_tokens)) return unauthorized();
    return ingest(req);
  }
  if (path == "/v1/stream") {
    if (!websocket::is_upgrade(req)) {
      return send(json_error(http::status::upgrade_required, "upgrade_required",
                             "/v1/stream is a WebSocket endpoint", version, false));
    }
    if (!authorized(req, config_->auth.ingest_tokens)) return unauthorized();
    stream_.expires_never();
    auto ws = std::make_shared<WebSocketSession>(stream_.release_socket(), ctx_, slot_);
    return ws->run(std::move(req), std::move(buffer_));
  }
  if (path == "/metrics" || path == "/v1/kpis") {
    if (!get) return method_not_allowed("GET");
    if (!authorized(req, config_->auth.metrics_tokens)) return unauthorized();
    return serve_metrics(req, path == "/v1/kpis");
  }
  if (path == "/-/healthy") {
    if (!get) return method_not_allowed("GET");
    return send(
        text_response(http::status::ok, "ccmond is healthy.\n", "text/plain", version, keep_alive));
  }
  if (path == "/-/ready") {
    if (!get) return method_not_allowed("GET");
    const bool ready = ctx_->ready && !ctx_->stopping;
    return send(text_response(ready ? http::status::ok : http::status::service_unavailable,
                              ready ? "ccmond is ready.\n" : "ccmond is not ready.\n", "text/plain",
                              version, keep_alive));
  }
  if (path == "/-/reload") {
    if (req.method() != http::verb::post && req.method() != http::verb::put) {
      return method_not_allowed("POST");
    }
    if (!authorized(req, config_->auth.ingest_tokens)) return unauthorized();
    const ReloadOutcome outcome = ctx_->reload();
    if (!outcome.ok) {
      return send(json_error(http::status::internal_server_error, "reload_failed", outcome.message,
                             version, keep_alive));
    }
    return send(
        json_response(http::status::ok,
                      nlohmann::json{{"status", "reloaded"}, {"config", outcome.message}}.dump(),
                      version, keep_alive));
  }
  send(json_error(http::status::not_found, "not_found", "no such endpoint: " + path, version,
                  keep_alive));
}

void HttpSession::ingest(Request& req) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  const auto format = body_format(req[http::field::content_type]);
  if (!format) {
    ctx_->metrics.request_rejected(RequestRejection::kUnsupportedMediaType);
    return send(json_error(http::status::unsupported_media_type, "unsupported_media_type",
                           "Content-Type must be application/json or application/x-ndjson, not `" +
                               std::string(req[http::field::content_type]) + "`",
                           version, keep_alive));
  }
  // Reloads may change codec options: rebuild the decoder when they did.
  auto options = std::shared_ptr<const core::CodecOptions>(config_, &config_->codec);
  if (!decoder_ || decoder_options_ != options) {
    decoder_.emplace(*options);
    decoder_options_ = options;
  }
  const core::Timestamp now = ctx_->runner.wall_now();
  core::DecodedBatch decoded = decoder_->decode(req.body(), *format, now);
  if (decoded.unreadable) {
    ctx_->metrics.request_rejected(RequestRejection::kUnreadable);
    return send(json_error(http::status::bad_request, core::to_string(decoded.unreadable_reason),
                           decoded.unreadable_message, version, keep_alive));
  }
  const std::size_t n = decoded.events.size();
  if (n != 0 && !ctx_->runner.admission().try_admit(n)) {
    ctx_->metrics.request_rejected(RequestRejection::kOverloaded);
    auto res = json_error(http::status::service_unavailable, "overloaded",
                          "too many events in flight; retry later", version, keep_alive);
    res.set(http::field::retry_after, "1");
    return send(std::move(res));
  }
  ctx_->metrics.received(Transport::kHttp, static_cast<double>(n + decoded.rejections.size()));
  for (const auto& r : decoded.rejections) ctx_->metrics.rejected(r.reason);
  auto answer = [self = shared_from_this(), version, keep_alive,
                 rejections = std::move(decoded.rejections)](BatchResult result) {
    self->send(json_response(http::status::ok, ingest_reply_json(result, rejections, std::nullopt),
                             version, keep_alive));
  };
  if (n == 0) return answer(BatchResult{});
  Batch batch{Transport::kHttp, std::move(decoded.events), now, n};
  ctx_->runner.submit(std::move(batch), [self = shared_from_this(),
                                         answer = std::move(answer)](BatchResult result) mutable {
    boost::asio::post(self->stream_.get_executor(),
                      [answer = std::move(answer), result]() mutable { answer(result); });
  });
}

void HttpSession::serve_metrics(const Request& req, bool json) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  const bool head = req.method() == http::verb::head;
  Target target = parse_target(req.target());
  ctx_->runner.request_view([self = shared_from_this(), version, keep_alive, head, json,
                             target = std::move(target)](std::shared_ptr<const View> view) {
    boost::asio::post(self->stream_.get_executor(), [=] {
      if (json) {
        // A window that is not configured is a mistake in the query, not an
        // empty answer.
        const auto w = target.query.find("window");
        const auto& windows = view->snapshot->windows;
        if (w != target.query.end() && !w->second.empty() &&
            std::find(windows.begin(), windows.end(), w->second) == windows.end()) {
          return self->send(json_error(http::status::bad_request, "unknown_window",
                                       "no window `" + w->second + "` is configured", version,
                                       keep_alive));
        }
      }
      Response res =
          json ? json_response(http::status::ok, render_kpis_json(*view, target.query), version,
                               keep_alive)
               : text_response(http::status::ok,
                               render_metrics_text(*view, self->ctx_->metrics.registry()),
                               "text/plain; version=0.0.4; charset=utf-8", version, keep_alive);
      if (head) res.body().clear();
      self->send(std::move(res));
    });
  });
}

void HttpSession::send(Response res) {
  const bool close_after = !res.keep_alive() || closing_ || ctx_->stopping;
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
  if (ec || close_after) return close();
  first_request_ = false;
  do_read();
}

void HttpSession::close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  stream_.close();
}

}  // namespace ccmon::server
