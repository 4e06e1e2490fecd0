// The byte stream of one client connection: plain TCP, or TLS over TCP on a
// listener with server.tls. Chosen when the connection is accepted; the
// sessions (HttpSession, WebSocketSession, LiveSession) hold one and are
// written once for both, instead of once per stream type as class templates
// (Beast's advanced_server_flex example): one code path per session, each
// compiled once. The cost is one branch per read or write.
//
// Meets Beast's AsyncStream requirements, so http::async_read/async_write
// and websocket::stream<ClientStream> work on it; get_lowest_layer() is the
// beast::tcp_stream underneath (timeouts, cancel, close). Moved, not copied,
// from the HTTP session to the WebSocket one on upgrade. Like every Asio
// object it is used from its strand only.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <optional>
#include <utility>

#include "server/tls_context.hpp"

namespace ccmon::server {

class ClientStream {
 public:
  using tls_stream_type = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  // A plain connection.
  explicit ClientStream(boost::asio::ip::tcp::socket&& socket) : plain_(std::move(socket)) {}
  // A TLS connection, not yet handshaken (see async_handshake). `context`
  // is kept alive with it, whatever later reloads do to the listener's.
  ClientStream(boost::asio::ip::tcp::socket&& socket, TlsContextPtr context)
      : context_(std::move(context)), tls_(std::in_place, std::move(socket), *context_) {}

  ClientStream(ClientStream&&) = default;
  // beast::basic_stream has no move assignment: neither has this (clang
  // refuses a defaulted one that is deleted).
  ClientStream& operator=(ClientStream&&) = delete;

  bool is_tls() const { return tls_.has_value(); }
  tls_stream_type* tls() { return tls_ ? &*tls_ : nullptr; }

  executor_type get_executor() noexcept { return next_layer().get_executor(); }
  next_layer_type& next_layer() noexcept { return tls_ ? tls_->next_layer() : *plain_; }
  const next_layer_type& next_layer() const noexcept { return tls_ ? tls_->next_layer() : *plain_; }

  // The lowest layer's timeout and lifetime, as beast::tcp_stream names them
  // (a deadline covers the TLS records under it as well).
  template <class Duration>
  void expires_after(Duration d) {
    next_layer().expires_after(d);
  }
  void expires_never() { next_layer().expires_never(); }
  void cancel() { next_layer().cancel(); }
  void close() { next_layer().close(); }
  boost::asio::ip::tcp::socket& socket() noexcept { return next_layer().socket(); }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            plain_->async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            plain_->async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  // WebSocket closing handshake, then the transport's: close_notify on TLS,
  // a TCP shutdown on plain (found by websocket::stream through ADL).
  template <class TeardownHandler>
  friend void async_teardown(boost::beast::role_type role, ClientStream& stream,
                             TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    if (stream.tls_) {
      async_teardown(role, *stream.tls_, std::forward<TeardownHandler>(handler));
    } else {
      async_teardown(role, *stream.plain_, std::forward<TeardownHandler>(handler));
    }
  }
  friend void teardown(boost::beast::role_type role, ClientStream& stream,
                       boost::system::error_code& ec) {
    using boost::beast::websocket::teardown;
    if (stream.tls_) {
      teardown(role, *stream.tls_, ec);
    } else {
      teardown(role, *stream.plain_, ec);
    }
  }

 private:
  TlsContextPtr context_;  // before tls_: the SSL object is made from it
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<tls_stream_type> tls_;
};

}  // namespace ccmon::server
