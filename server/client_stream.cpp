#include "server/client_stream.hpp"

#include <boost/beast/websocket/ssl.hpp>
#include <utility>

namespace ccmon::server {

void ClientStream::start_read_some(const ReadBuffers& buffers, TransferHandler handler) {
  if (tls_) {
    tls_->async_read_some(buffers, std::move(handler));
  } else {
    plain_->async_read_some(buffers, std::move(handler));
  }
}

void ClientStream::start_write_some(const WriteBuffers& buffers, TransferHandler handler) {
  if (tls_) {
    tls_->async_write_some(buffers, std::move(handler));
  } else {
    plain_->async_write_some(buffers, std::move(handler));
  }
}

void ClientStream::start_teardown(boost::beast::role_type role, TeardownHandler handler) {
  using boost::beast::websocket::async_teardown;
  if (tls_) {
    async_teardown(role, *tls_, std::move(handler));
  } else {
    async_teardown(role, *plain_, std::move(handler));
  }
}

void teardown(boost::beast::role_type role, ClientStream& stream, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  if (stream.tls_) {
    teardown(role, *stream.tls_, ec);
  } else {
    teardown(role, *stream.plain_, ec);
  }
}

}  // namespace ccmon::server
