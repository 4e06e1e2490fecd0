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
//
// Reads, writes and teardowns cross into client_stream.cpp type-erased
// (asio::any_completion_handler keeps the handler's executor, allocator and
// cancellation slot), with their buffers copied into one fixed sequence type:
// the TLS and TCP operations under them are compiled once there, not once
// per Beast operation in every session file, which made those files the
// slowest of the build. The cost is one small allocation per read or write,
// and Asio's continuation hint (neither wrapper forwards it in Boost 1.81),
// which with one thread per context (server/io_pool.hpp) changes nothing:
// Asio queues a handler posted from its context's own thread privately
// either way.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/container/static_vector.hpp>
#include <cstddef>
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

  // The buffers of one read or write: the first kMaxBuffers non-empty ones
  // of the caller's sequence. Every operation under it holds copies of them,
  // so the bound is small: at 64 (Asio's own limit for one system call) the
  // daemon's memory under 100 lingering connections grew by 5 MB more in
  // the hostile-input test under ASan. A read_some or write_some may transfer
  // fewer bytes than offered, so a longer sequence loses nothing: the
  // composed operations above go on with the rest. Beast reads into one
  // buffer; only a response with more header fields than that is written
  // in two steps (two TLS records).
  static constexpr std::size_t kMaxBuffers = 16;
  using ReadBuffers = boost::container::static_vector<boost::asio::mutable_buffer, kMaxBuffers>;
  using WriteBuffers = boost::container::static_vector<boost::asio::const_buffer, kMaxBuffers>;
  // A handler erased, bound to the executor it had: Boost 1.81's erased
  // executor (any_completion_executor) cannot be posted to, which Beast's
  // teardown does, so the handler's own executor travels as an
  // any_io_executor beside it.
  template <class Signature>
  using Erased = boost::asio::executor_binder<boost::asio::any_completion_handler<Signature>,
                                              boost::asio::any_io_executor>;
  using TransferHandler = Erased<void(boost::system::error_code, std::size_t)>;
  using TeardownHandler = Erased<void(boost::system::error_code)>;

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& b) {
          start_read_some(first_buffers<ReadBuffers>(b),
                          erase<TransferHandler>(std::move(handler)));
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& b) {
          start_write_some(first_buffers<WriteBuffers>(b),
                           erase<TransferHandler>(std::move(handler)));
        },
        token, buffers);
  }

  // WebSocket closing handshake, then the transport's: close_notify on TLS,
  // a TCP shutdown on plain (found by websocket::stream through ADL).
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, ClientStream& stream,
                             Handler&& handler) {
    stream.start_teardown(role, stream.erase<TeardownHandler>(std::forward<Handler>(handler)));
  }
  friend void teardown(boost::beast::role_type role, ClientStream& stream,
                       boost::system::error_code& ec);

 private:
  template <class Bound, class Handler>
  Bound erase(Handler&& handler) {
    boost::asio::any_io_executor executor =
        boost::asio::get_associated_executor(handler, get_executor());
    return Bound(boost::asio::executor_arg, executor,
                 typename Bound::target_type(std::forward<Handler>(handler)));
  }
  template <class Fixed, class Sequence>
  static Fixed first_buffers(const Sequence& buffers) {
    Fixed fixed;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && fixed.size() < kMaxBuffers; ++it) {
      const typename Fixed::value_type buffer = *it;
      if (buffer.size() != 0) {
        fixed.push_back(buffer);
      }
    }
    return fixed;
  }
  void start_read_some(const ReadBuffers& buffers, TransferHandler handler);
  void start_write_some(const WriteBuffers& buffers, TransferHandler handler);
  void start_teardown(boost::beast::role_type role, TeardownHandler handler);

  TlsContextPtr context_;  // before tls_: the SSL object is made from it
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<tls_stream_type> tls_;
};

}  // namespace ccmon::server
