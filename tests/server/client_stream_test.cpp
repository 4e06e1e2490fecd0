// ClientStream over a real loopback TCP connection: reads and writes cross
// into client_stream.cpp type-erased, with at most kMaxBuffers non-empty
// buffers of the caller's each, and complete on the executor the caller's handler
// is bound to.
#include "server/client_stream.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccmon::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The two ends of one loopback connection: the stream under test and its peer.
struct Connection {
  asio::io_context io;
  std::optional<ClientStream> stream;
  tcp::socket peer{io};

  Connection() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    peer.connect(acceptor.local_endpoint());
    stream.emplace(acceptor.accept());
  }
};

// 80 pieces "p00;" … "p79;": more than one operation carries (kMaxBuffers, 16).
std::vector<std::string> pieces() {
  std::vector<std::string> out;
  for (int i = 0; i < 80; ++i) {
    std::string piece = "p00;";
    piece[1] = static_cast<char>('0' + i / 10);
    piece[2] = static_cast<char>('0' + i % 10);
    out.push_back(piece);
  }
  return out;
}

// Starts one operation with `start(handler)`, runs it to completion and
// returns the bytes it moved; an error fails the test.
template <class Start>
std::size_t transferred(Connection& c, Start start) {
  std::size_t moved = 0;
  start([&](boost::system::error_code ec, std::size_t n) {
    REQUIRE_FALSE(ec);
    moved = n;
  });
  c.io.restart();
  c.io.run();
  return moved;
}

TEST_CASE("one write_some carries at most kMaxBuffers buffers; async_write sends them all",
          "[server][client_stream]") {
  static_assert(ClientStream::kMaxBuffers == 16);
  Connection c;
  const auto parts = pieces();
  std::vector<asio::const_buffer> buffers;
  std::string all;
  for (const auto& p : parts) {
    buffers.emplace_back(asio::buffer(p));
    all += p;
  }
  // The first 16 pieces are 64 bytes: one write_some sends no more.
  const std::size_t sent =
      transferred(c, [&](auto handler) { c.stream->async_write_some(buffers, handler); });
  REQUIRE(sent >= 1);
  CHECK(sent <= 64);
  std::string got(sent, '\0');
  asio::read(c.peer, asio::buffer(got));
  CHECK(got == all.substr(0, sent));

  // The composed write goes on past the 16th buffer until every byte is out.
  const std::size_t written =
      transferred(c, [&](auto handler) { asio::async_write(*c.stream, buffers, handler); });
  CHECK(written == all.size());
  std::string whole(all.size(), '\0');
  asio::read(c.peer, asio::buffer(whole));
  CHECK(whole == all);
}

TEST_CASE("reads scatter into at most kMaxBuffers buffers; async_read fills them all",
          "[server][client_stream]") {
  Connection c;
  std::string sent;  // 100 bytes
  for (int i = 0; i < 100; ++i) {
    sent += static_cast<char>('a' + i % 26);
  }
  asio::write(c.peer, asio::buffer(sent));
  std::string got(sent.size(), '\0');
  std::vector<asio::mutable_buffer> one_byte_each;
  for (auto& ch : got) {
    one_byte_each.emplace_back(&ch, 1);
  }
  const std::size_t first =
      transferred(c, [&](auto handler) { c.stream->async_read_some(one_byte_each, handler); });
  REQUIRE(first >= 1);
  CHECK(first <= 16);
  CHECK(got.substr(0, first) == sent.substr(0, first));

  std::vector<asio::mutable_buffer> rest(one_byte_each.begin() + static_cast<long>(first),
                                         one_byte_each.end());
  const std::size_t more =
      transferred(c, [&](auto handler) { asio::async_read(*c.stream, rest, handler); });
  CHECK(first + more == sent.size());
  CHECK(got == sent);
}

TEST_CASE("empty buffers do not count: a write of data behind 70 of them moves bytes",
          "[server][client_stream]") {
  // A non-empty sequence must move at least one byte; were the empty
  // buffers kept, the first 16 would make a write of nothing.
  Connection c;
  const std::string tail = "tail";
  std::vector<asio::const_buffer> buffers(70, asio::const_buffer());
  buffers.emplace_back(asio::buffer(tail));
  const std::size_t sent =
      transferred(c, [&](auto handler) { c.stream->async_write_some(buffers, handler); });
  REQUIRE(sent >= 1);
  std::string got(sent, '\0');
  asio::read(c.peer, asio::buffer(got));
  CHECK(got == tail.substr(0, sent));
}

TEST_CASE("a handler bound to a strand completes on that strand", "[server][client_stream]") {
  // The erased handler must keep the executor it was bound to, not fall
  // back to the stream's (here the io_context's, outside any strand).
  Connection c;
  auto strand = asio::make_strand(c.io);
  asio::write(c.peer, asio::buffer(std::string("x")));
  char byte = 0;
  bool on_strand = false;
  bool called = false;
  c.stream->async_read_some(
      asio::buffer(&byte, 1),
      asio::bind_executor(strand, [&](boost::system::error_code ec, std::size_t) {
        REQUIRE_FALSE(ec);
        called = true;
        on_strand = strand.running_in_this_thread();
      }));
  c.io.run();
  REQUIRE(called);
  CHECK(on_strand);
  CHECK(byte == 'x');
}

}  // namespace
}  // namespace ccmon::server
