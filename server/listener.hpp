// Accepts TCP connections and starts an HttpSession for each one that
// ServerContext::limits admits (the caps, the probe reserve, reclaiming idle
// connections: server/connection_limits.hpp); backs off while out of file
// descriptors. With a TLS context slot, every connection is TLS (handshake
// with the slot's context of the moment); without, plain. A metrics-only
// listener (server.metrics_listen) has its own budget of
// kMetricsConnections and serves probes only. The acceptor runs on the
// pool's main context; each connection on the context IoPool::next() gives.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "server/io_pool.hpp"
#include "server/server_context.hpp"
#include "server/tls_context.hpp"

namespace ccmon::server {

// The key a client is counted under for max_connections_per_address: the
// IPv4 address (also when IPv4-mapped), or the IPv6 address's /64 prefix.
std::string client_address_key(const boost::asio::ip::address& address);

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // The metrics listener's connections, all addresses together: Prometheus
  // holds one per target, health checkers a few; fixed (docs/security.md).
  static constexpr std::size_t kMetricsConnections = 64;

  Listener(IoPool& io, std::shared_ptr<ServerContext> ctx,
           std::shared_ptr<const TlsContextSlot> tls = nullptr, bool metrics_only = false);

  // Opens, binds and listens; a failure is returned, never thrown.
  boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  void run();
  void stop();

  // Raises the soft RLIMIT_NOFILE to the hard limit (allowed without
  // privileges) and logs both; call once at start.
  static void raise_fd_limit();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // Admits `socket` into a slot (reclaiming an idle one if needed) and
  // starts its session, or refuses it, counted by reason.
  void admit(boost::asio::ip::tcp::socket socket);
  // Out of file descriptors (EMFILE, ENFILE): accepting again at once would
  // fail again at once, a busy loop. Waits kFdBackoff, logs at most every
  // kFdLogInterval.
  void back_off(const boost::system::error_code& ec);

  static constexpr auto kFdBackoff = std::chrono::milliseconds(100);
  static constexpr auto kFdLogInterval = std::chrono::seconds(10);

  IoPool& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;  // on the acceptor's strand
  std::shared_ptr<ServerContext> ctx_;
  std::shared_ptr<const TlsContextSlot> tls_;  // null: plain
  bool metrics_only_;
  std::chrono::steady_clock::time_point last_fd_log_{};
  std::uint64_t fd_failures_ = 0;  // since the last log line
};

}  // namespace ccmon::server
