#include "server/listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>

#include "server/http_session.hpp"

namespace ccmon::server {

Listener::Listener(IoPool& io, std::shared_ptr<ServerContext> ctx,
                   std::shared_ptr<const TlsContextSlot> tls, bool metrics_only)
    : io_(io),
      acceptor_(boost::asio::make_strand(io.main())),
      backoff_(acceptor_.get_executor()),
      ctx_(std::move(ctx)),
      tls_(std::move(tls)),
      metrics_only_(metrics_only) {}

void Listener::raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t soft = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) lim.rlim_cur = soft;
  }
  spdlog::info("file descriptor limit: {} (was {}, hard limit {})",
               static_cast<unsigned long long>(lim.rlim_cur), static_cast<unsigned long long>(soft),
               static_cast<unsigned long long>(lim.rlim_max));
}

boost::system::error_code Listener::listen(const boost::asio::ip::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (ec) return ec;
  acceptor_.bind(endpoint, ec);
  if (ec) return ec;
  acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  return ec;
}

boost::asio::ip::tcp::endpoint Listener::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::run() {
  do_accept();
}

void Listener::stop() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void Listener::do_accept() {
  // Each connection gets its own strand (its handlers never run
  // concurrently) on the next io thread's context.
  acceptor_.async_accept(boost::asio::make_strand(io_.next()),
                         [self = shared_from_this()](boost::system::error_code ec,
                                                     boost::asio::ip::tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void Listener::on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  // Compared by value: asio reports accept() errors in the system category.
  if (ec && (ec.value() == EMFILE || ec.value() == ENFILE)) {
    return back_off(ec);
  }
  if (ec) {
    spdlog::warn("accept failed: {}", ec.message());
  } else {
    admit(std::move(socket));
  }
  do_accept();
}

std::string client_address_key(const boost::asio::ip::address& address) {
  if (address.is_v6() && !address.to_v6().is_v4_mapped()) {
    // One host commonly holds a whole /64 (RFC 4291 interface identifiers,
    // RFC 8981 temporary addresses): counted per /64, not per address.
    auto bytes = address.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    std::string key = boost::asio::ip::address_v6(bytes).to_string();
    key += "/64";
    return key;
  }
  if (address.is_v6()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  return address.to_string();
}

void Listener::admit(boost::asio::ip::tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // the client has gone already
  const auto config = ctx_->config();
  ConnectionLimits& limits = metrics_only_ ? ctx_->metrics_limits : ctx_->limits;
  // The metrics lane needs no reserve of its own: it only serves probes.
  const ConnectionCaps caps =
      metrics_only_ ? ConnectionCaps{kMetricsConnections,
                                     std::min(kMetricsConnections,
                                              config->limits.max_connections_per_address),
                                     0}
                    : ConnectionCaps{config->limits.max_connections,
                                     config->limits.max_connections_per_address,
                                     config->limits.reserved_probe_connections};
  auto decision = limits.admit(client_address_key(remote.address()), caps);
  if (decision.reclaimed) {
    ctx_->metrics.connection_reclaimed(decision.reclaimed_phase == Phase::kIdle);
    decision.reclaimed();
  }
  if (decision.admit == Admit::kAddressFull || decision.admit == Admit::kFull) {
    const bool address = decision.admit == Admit::kAddressFull;
    ctx_->metrics.request_rejected(address ? RequestRejection::kAddressLimit
                                           : RequestRejection::kConnectionLimit);
    spdlog::debug("connection from {} refused: {}", remote.address().to_string(),
                  address ? "max_connections_per_address reached" : "max_connections reached");
    socket.close(ec);
    return;
  }
  const Lane lane = metrics_only_                        ? Lane::kMetrics
                    : decision.admit == Admit::kReserved ? Lane::kReserve
                                                         : Lane::kOrdinary;
  auto slot = std::make_shared<ConnectionSlot>(ctx_, limits, decision.slot, lane);
  ClientStream stream =
      tls_ ? ClientStream(std::move(socket), tls_->get()) : ClientStream(std::move(socket));
  std::make_shared<HttpSession>(std::move(stream), ctx_, std::move(slot))->run();
}

void Listener::back_off(const boost::system::error_code& ec) {
  ++fd_failures_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_fd_log_ >= kFdLogInterval) {
    spdlog::warn(
        "accept failed: {} ({} times since the last such line); pausing accept for {} ms each "
        "time; raise the file descriptor limit above server.limits.max_connections (LimitNOFILE, "
        "docs/security.md)",
        ec.message(), fd_failures_, kFdBackoff.count());
    last_fd_log_ = now;
    fd_failures_ = 0;
  }
  backoff_.expires_after(kFdBackoff);
  backoff_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
    if (wait_ec || !self->acceptor_.is_open()) return;
    self->do_accept();
  });
}

}  // namespace ccmon::server
