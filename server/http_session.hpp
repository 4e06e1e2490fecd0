// One HTTP/1.1 connection, plain or TLS (ClientStream; a TLS one starts
// with its handshake): reads requests with a fresh parser each (header
// and body limits, timeouts), passes them to route() (server/router.hpp),
// writes the answers, and hands WebSocket upgrades to WebSocketSession. Runs
// on its own strand.
#pragma once

#include <array>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "server/client_stream.hpp"
#include "server/http_util.hpp"
#include "server/router.hpp"
#include "server/server_context.hpp"
#include "server/session_decoder.hpp"

namespace ccmon::server {

class HttpSession : public Closable,
                    public Responder,
                    public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ClientStream&& stream, std::shared_ptr<ServerContext> ctx,
              std::shared_ptr<ConnectionSlot> slot);
  ~HttpSession() override;

  void run();
  void close_gracefully() override;
  void respond(Response res) override;
  void resume(std::function<void()> work) override;

 private:
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void read_header();
  // Closes this session if its slot is reclaimed (at the accepting thread).
  std::function<void()> reclaimer();
  void on_header(boost::beast::error_code ec);
  void on_read(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec);
  void handle(Request& req);
  void on_write(bool close, boost::beast::error_code ec);
  void linger();
  void drain();
  void close();

  // Read while waiting for a request's first byte; the parser takes the rest.
  static constexpr std::size_t kFirstRead = 4096;
  // Room for a body's reads: Beast reads at most the buffer's free room (and
  // 64 KiB) at a time, so a 4 KiB buffer took a large body in reads of at
  // most 4 KiB, each a recvmsg, an epoll_ctl and a timerfd_settime
  // (docs/benchmarks.md).
  static constexpr std::size_t kBodyRead = 64 * 1024;

  ClientStream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerContext> ctx_;
  std::shared_ptr<ConnectionSlot> slot_;
  std::optional<http::response<http::empty_body>> continue_;
  std::shared_ptr<const config::Config> config_;  // for the request being served
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<Response> response_;
  std::array<char, 4096> discard_;  // what linger() reads and drops
  SessionDecoder decoder_;
  std::uint64_t registry_id_ = 0;
  bool first_request_ = true;
  bool busy_ = false;       // a request is being served (not idle between requests)
  bool closing_ = false;    // shutdown asked: close once the current request is answered
  bool lingering_ = false;  // answered and half-closed: waiting for the client to close
};

}  // namespace ccmon::server
