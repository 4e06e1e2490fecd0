// Accepts TCP connections and starts an HttpSession for each, up to the
// configured connection cap.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "server/server_context.hpp"

namespace ccmon::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& io, std::shared_ptr<ServerContext> ctx);

  // Opens, binds and listens; a failure is returned, never thrown.
  boost::system::error_code listen(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<ServerContext> ctx_;
};

}  // namespace ccmon::server
