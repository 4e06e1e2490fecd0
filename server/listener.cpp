#include "server/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "server/http_session.hpp"

namespace ccmon::server {

Listener::Listener(boost::asio::io_context& io, std::shared_ptr<ServerContext> ctx)
    : io_(io), acceptor_(boost::asio::make_strand(io)), ctx_(std::move(ctx)) {}

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
  if (ec) {
    spdlog::warn("accept failed: {}", ec.message());
  } else if (ctx_->open_connections.load() >= ctx_->config()->limits.max_connections) {
    ctx_->metrics.request_rejected(RequestRejection::kConnectionLimit);
    spdlog::debug("connection refused: {} connections open", ctx_->open_connections.load());
    socket.close(ec);
  } else {
    ctx_->open_connections.fetch_add(1);
    auto slot = std::make_shared<ConnectionSlot>(ctx_);
    std::make_shared<HttpSession>(std::move(socket), ctx_, std::move(slot))->run();
  }
  do_accept();
}

}  // namespace ccmon::server
