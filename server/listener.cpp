#include "server/listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>

#include "server/http_session.hpp"

namespace ccmon::server {

Listener::Listener(boost::asio::io_context& io, std::shared_ptr<ServerContext> ctx,
                   std::shared_ptr<const TlsContextSlot> tls)
    : io_(io),
      acceptor_(boost::asio::make_strand(io)),
      backoff_(acceptor_.get_executor()),
      ctx_(std::move(ctx)),
      tls_(std::move(tls)) {}

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
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(boost::asio::make_strand(io_),
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
  } else if (ctx_->open_connections.load() >= ctx_->config()->limits.max_connections) {
    ctx_->metrics.request_rejected(RequestRejection::kConnectionLimit);
    spdlog::debug("connection refused: {} connections open", ctx_->open_connections.load());
    socket.close(ec);
  } else {
    ctx_->open_connections.fetch_add(1);
    auto slot = std::make_shared<ConnectionSlot>(ctx_);
    ClientStream stream =
        tls_ ? ClientStream(std::move(socket), tls_->get()) : ClientStream(std::move(socket));
    std::make_shared<HttpSession>(std::move(stream), ctx_, std::move(slot))->run();
  }
  do_accept();
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
