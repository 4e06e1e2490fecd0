// Transport-only baseline for the WebSocket ingest benchmark: a Beast
// WebSocket server shaped like ccmond's sessions (a strand per connection;
// ccmond's io threads, a context each: server/io_pool.hpp; frames read
// while replies are pending) that parses nothing and answers every frame
// with the same fixed acknowledgement. What the load generator reaches
// against it is the ceiling the daemon's decoding and engine work are
// compared to.
//
//   ccmon_ws_sink [--listen 127.0.0.1:0]   logs "listening on ws://HOST:PORT"
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "server/io_pool.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// The daemon's reply has this shape; the counts do not matter here.
constexpr std::string_view kAck = R"({"seq": 0, "accepted": 0, "duplicates": 0, "rejected": []})";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket&& socket) : ws_(std::move(socket)) {}

  void run() {
    ws_.read_message_max(1 << 20);  // the daemon's default max_ws_message_size
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buffer_.consume(self->buffer_.size());
      ++self->pending_;
      self->write();
      self->read();
    });
  }
  void write() {
    if (writing_ || pending_ == 0) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(kAck.data(), kAck.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      self->writing_ = false;
                      --self->pending_;
                      self->write();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::size_t pending_ = 0;  // frames read and not yet answered
  bool writing_ = false;
};

void accept(ccmon::server::IoPool& io, tcp::acceptor& acceptor) {
  acceptor.async_accept(asio::make_strand(io.next()),
                        [&](beast::error_code ec, tcp::socket socket) {
                          if (!ec) std::make_shared<Session>(std::move(socket))->run();
                          if (acceptor.is_open()) accept(io, acceptor);
                        });
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  if (argc == 3 && std::string(argv[1]) == "--listen") {
    listen = argv[2];
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: ccmon_ws_sink [--listen HOST:PORT]\n");
    return 2;
  }
  const std::size_t colon = listen.rfind(':');
  ccmon::server::IoPool io;
  tcp::acceptor acceptor(
      asio::make_strand(io.main()),
      tcp::endpoint(asio::ip::make_address(listen.substr(0, colon)),
                    static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)))));
  const auto bound = acceptor.local_endpoint();
  std::printf("listening on ws://%s:%u\n", bound.address().to_string().c_str(), bound.port());
  std::fflush(stdout);
  accept(io, acceptor);

  asio::signal_set signals(io.main(), SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { io.stop(); });
  io.run();
  return 0;
}
